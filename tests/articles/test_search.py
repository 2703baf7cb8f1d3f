import datetime
import html
import re
from unittest import mock

from django import forms
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.db.models.expressions import RawSQL
from django.test import SimpleTestCase, TestCase
from django.utils import timezone

from articles import search
from articles.forms import SearchInput
from articles.models import Article, Byline, SearchHead
from publication.db import statement
from publication.models import Author
from tests.factories import (
    QueryCountMixin,
    make_article,
    make_author,
    make_kind,
    make_section,
    make_site,
)


def headlines(response):
    """The headlines of the results shown, in order, as readers see them."""
    return [
        html.unescape(headline)
        for headline in re.findall(
            r'<h3 class="search-result__headline"><a href="[^"]*">([^<]*)</a></h3>',
            response.content.decode(),
        )
    ]


class FoldingTests(TestCase):
    def test_accents_fold_one_character_for_one(self):
        for text, folded in [
            ("Zürich", "Zurich"),
            ("Malmö", "Malmo"),
            ("Łódź", "Lodz"),
            ("Søren Kierkegaard", "Soren Kierkegaard"),
            ("Crème brûlée", "Creme brulee"),
        ]:
            with self.subTest(text):
                self.assertEqual(search.fold(text), folded)
                self.assertEqual(len(search.fold(text)), len(text))

    def test_plain_text_keeps_words_of_adjacent_paragraphs_apart(self):
        self.assertEqual(
            search.plain_text("<p>One&nbsp;&amp; two</p><p>three</p>"), "One & two three"
        )


class SnippetTests(TestCase):
    """The excerpt under each result, as search.snippets() cuts it from a result's text."""

    def snippet(self, text, query):
        return str(search.snippets([text], query)[0])

    def test_a_snippet_says_where_it_cuts_the_text(self):
        sentences = [f"Sentence {n} says little of note here." for n in range(80)]
        text = " ".join([*sentences[:40], "Then war-risk insurance came back.", *sentences[40:]])
        snippet = self.snippet(text, "insurance")
        # Cut at both ends, never inside a word ("war-risk" stays whole, not "risk").
        self.assertRegex(snippet, r"^… \S")
        self.assertRegex(snippet, r"\S …$")
        self.assertIn("war-risk <mark>insurance</mark>", snippet)
        # A text shown from its first word and to its last is not marked as cut.
        snippet = self.snippet("For most of the year the insurance held.", "insurance")
        self.assertEqual(snippet, "For most of the year the <mark>insurance</mark> held.")

    def test_a_phrase_is_marked_as_one(self):
        snippet = self.snippet("Ships leave the western Black Sea at dawn.", "black sea")
        self.assertIn("western <mark>Black Sea</mark> at dawn", snippet)

    def test_the_snippet_shows_where_every_word_of_the_query_is(self):
        # The first word alone near the start, both words together far beyond the part
        # of the text ts_headline reads: the excerpt is cut where the article matched.
        text = " ".join(
            [
                "Coastal patrols began in spring.",
                *["Nothing else happened on the coast that week." for _ in range(60)],
                "Several states already fly maritime patrol aircraft over the sea.",
            ]
        )
        snippet = self.snippet(text, "patrol aircraft")
        self.assertIn("maritime <mark>patrol aircraft</mark> over", snippet)
        # With "or", any one word will do: the first.
        self.assertRegex(self.snippet(text, "aircraft or coastal"), "^<mark>Coastal</mark> patrols")
        # Words never near each other: from the first of them, as for one word.
        self.assertRegex(self.snippet(text, "spring aircraft"), "^Coastal patrols began")

    def test_words_found_apart_are_each_marked(self):
        # No passage holds every word ("shipping" stems to "ship", the text says "ships"
        # only far away): ts_headline alone showed the text's first twelve words, which
        # stop short of the words it does hold.
        text = " ".join(
            [
                "For most of the past two years, the bulk carriers leaving the western Black Sea"
                " have sailed on.",
                *["Nothing else happened on the coast that week." for _ in range(60)],
                "Insurers covered the shipping lanes.",
            ]
        )
        snippet = self.snippet(text, "black sea shipping")
        self.assertIn("western <mark>Black Sea</mark> have", snippet)


class SearchInputTests(SimpleTestCase):
    def test_the_query_box_is_drawn_as_djangos_template_draws_it(self):
        django_input = forms.TextInput(attrs={"type": "search", "autocomplete": "off"})
        for value in [None, "", "security", "\"<b>&x'", "Zürich"]:
            self.assertEqual(
                SearchInput(attrs={"autocomplete": "off"}).render("q", value, {"id": "id_q"}),
                django_input.render("q", value, {"id": "id_q"}),
            )


class SearchTests(QueryCountMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        make_site()
        cls.europe = make_section("Europe")
        cls.asia = make_section("Asia")
        cls.news = make_kind("News")
        cls.analysis = make_kind("Analysis")
        cls.writer = make_author("Émilie Dubois")
        cls.zurich = make_article(
            headline="Bankers in Zürich count the cost",
            body="<p>Quiet streets along the lake.</p>",
            section=cls.europe,
            kind=cls.news,
            authors=[cls.writer],
        )
        cls.malmo = make_article(
            headline="A bridge to Malmö",
            body="<p>The Öresund crossing turns twenty-five.</p>",
            section=cls.europe,
            kind=cls.analysis,
        )
        cls.body_hit = make_article(
            headline="Port cities in a changing climate",
            body="<p>Ports from Rotterdam to Busan are raising their walls.</p><p>Busan leads.</p>",
            section=cls.asia,
        )
        cls.headline_hit = make_article(
            headline="Busan bets on a floating harbour",
            body="<p>Engineers are sceptical.</p>",
            section=cls.asia,
        )

    def get(self, q, **params):
        response = self.client.get("/search/", {"q": q, **params})
        self.assertEqual(response.status_code, 200)
        return response

    def test_unaccented_query_finds_accented_words(self):
        self.assertEqual(headlines(self.get("Zurich")), [self.zurich.headline])
        self.assertEqual(headlines(self.get("malmo")), [self.malmo.headline])
        # and the accented spelling still finds them
        self.assertEqual(headlines(self.get("Zürich")), [self.zurich.headline])
        self.assertEqual(headlines(self.get("Oresund")), [self.malmo.headline])

    def test_snippet_highlights_original_accented_words(self):
        response = self.get("oresund")
        self.assertContains(response, "<mark>Öresund</mark>", html=False)

    def test_snippet_of_a_long_body_shows_a_hit_near_its_end(self):
        make_article(
            headline="A long read",
            body="<p>" + "Filler words about nothing. " * 400 + "Then the Zeppelin came.</p>",
        )
        response = self.get("zeppelins")
        self.assertContains(response, "<mark>Zeppelin</mark> came", html=False)

    def test_headline_hit_ranks_above_body_hit(self):
        self.assertEqual(
            headlines(self.get("busan")), [self.headline_hit.headline, self.body_hit.headline]
        )

    def test_author_names_are_searchable_and_follow_a_rename(self):
        self.assertEqual(headlines(self.get("Emilie Dubois")), [self.zurich.headline])
        self.writer.name = "Émilie Laurent"
        self.writer.save()
        self.assertEqual(headlines(self.get("Laurent")), [self.zurich.headline])
        self.assertEqual(headlines(self.get("Dubois")), [])

    def test_result_heads_show_the_article_as_it_is_now(self):
        # A result's head (label line, headline, byline, date) and text are cached
        # fragments: an edit to the article or its author shows at the next search.
        response = self.get("bankers")
        self.assertContains(response, ">Émilie Dubois</a>", html=False)
        self.assertContains(response, '<a href="/section/europe/">Europe</a>', html=False)
        self.writer.name = "Émilie Laurent"
        self.writer.save()
        self.assertContains(response, "Quiet streets along the lake.")
        self.zurich.headline = "Bankers in Zürich count the cost again"
        self.zurich.body = "<p>Busy streets along the lake.</p>"  # the snippet's text, cached too
        self.zurich.save()
        response = self.get("bankers")
        self.assertEqual(headlines(response), ["Bankers in Zürich count the cost again"])
        self.assertContains(response, ">Émilie Laurent</a>", html=False)
        self.assertNotContains(response, "Dubois")
        self.assertContains(response, "Busy streets along the lake.")
        self.assertNotContains(response, "Quiet streets")

    def test_reindex_writes_the_vectors_save_writes(self):
        # As save() writes them (Zurich's byline name goes in last, weight D, which
        # PostgreSQL prints without a letter; Malmö has none).
        for article in (self.zurich, self.malmo):
            Article.objects.filter(pk=article.pk).update(**article.search_fields())
        articles = Article.objects.filter(pk__in=[self.zurich.pk, self.malmo.pk]).order_by("pk")
        saved = list(articles.values_list("search_vector", "search_head"))
        self.assertIn("'duboi':17 'emili':16 ", saved[0][0] + " ")
        articles.update(search_vector=None, search_head=None)
        self.assertEqual(Article.reindex(articles), 2)
        self.assertEqual(list(articles.values_list("search_vector", "search_head")), saved)

    def test_a_rename_rewrites_only_the_names_and_stores_what_save_would(self):
        second = make_author("Kofi Mensah")
        Byline.objects.create(article=self.zurich, author=second, order=1)
        self.writer.name = "Émilie Laurent-Dubois"
        self.writer.save()
        articles = Article.objects.filter(pk__in=[self.zurich.pk, self.malmo.pk]).order_by("pk")
        renamed = list(articles.values_list("search_vector", "search_head"))
        self.assertIn("'mensah'", renamed[0][0])
        self.assertIn("'laurent'", renamed[0][1])
        Article.reindex(articles)
        self.assertEqual(list(articles.values_list("search_vector", "search_head")), renamed)
        # The authors' names, one UPDATE of every article's vectors, and the two queries of
        # the content version's bump (when the next scheduled change is): none per article.
        with self.assertNumQueries(4):
            Article.reindex_names(Article.objects.filter(bylines__author=self.writer))

    def test_text_written_past_save_is_indexed_as_save_would_store_it(self):
        # An import or data migration writes with update(); the article is indexed again,
        # from its text cleaned as save() cleans it: characters nobody types are dropped
        # (so "harbour" is still a word), a pasted line break is a space.
        raw = {
            "headline": "Har\x01\x08\x1b\x7f\x85\u200b\ufffebour\x0bpilots strike",
            "dek": "Dockers\x02 walk\x0cout.",
            "body": "<p>Ton\x1fnage\x0bfalls.</p>",
        }
        saved = make_article(**raw, authors=[make_author("Ines\x1f Vidal")])
        updated = make_article(authors=[make_author("Someone")])
        Article.objects.filter(pk=updated.pk).update(**raw)
        Author.objects.filter(bylines__article=updated).update(name="Ines\x1f Vidal")
        vectors = Article.objects.filter(pk__in=[saved.pk, updated.pk]).values_list(
            "search_vector", "search_head"
        )
        self.assertEqual(len(set(vectors)), 1)
        self.assertEqual(len(headlines(self.get("harbour tonnage walk"))), 2)
        self.assertEqual(len(headlines(self.get("pilots"))), 2)
        self.assertEqual(headlines(self.get("alliance")), [])  # the factory's headline

    def test_adding_a_byline_makes_the_author_searchable(self):
        Byline.objects.create(article=self.malmo, author=make_author("Kofi Mensah"))
        self.assertEqual(headlines(self.get("Mensah")), [self.malmo.headline])
        self.malmo.bylines.get().delete()
        self.assertEqual(headlines(self.get("Mensah")), [])

    def test_editing_an_article_updates_its_vector(self):
        self.malmo.body = "<p>Now about herring.</p>"
        self.malmo.save()
        self.assertEqual(headlines(self.get("herring")), [self.malmo.headline])
        self.assertEqual(headlines(self.get("Oresund")), [])

    def test_vector_is_stored_not_computed_per_query(self):
        with connection.cursor() as cursor:  # behind the index's back: SQL by hand
            cursor.execute("UPDATE articles_article SET headline = 'Changed'")
        self.assertEqual(headlines(self.get("Busan")), ["Changed", "Changed"])

    def test_web_search_syntax(self):
        self.assertEqual(headlines(self.get('"floating harbour"')), [self.headline_hit.headline])
        self.assertEqual(headlines(self.get("busan -engineers")), [self.body_hit.headline])
        self.assertEqual(
            set(headlines(self.get("zurich or malmo"))), {self.zurich.headline, self.malmo.headline}
        )

    def test_a_hyphenated_word_finds_the_words_written_apart_or_hyphenated(self):
        # PostgreSQL reads "floating-harbour" as the compound followed by its parts, which
        # a text saying "floating harbour" does not hold: a reader's hyphen found nothing.
        for q in ["floating-harbour", "Floating-Harbour"]:
            with self.subTest(q=q):
                self.assertEqual(headlines(self.get(q)), [self.headline_hit.headline])
        self.assertEqual(headlines(self.get("harbour-floating")), [])  # still words in a row
        # The text's own hyphenated word ("twenty-five") is found as before, however typed.
        for q in ["twenty-five", "twenty five", '"turns twenty-five"', "Öresund -twenty-five"]:
            with self.subTest(q=q):
                expected = [] if q.startswith("Ö") else [self.malmo.headline]
                self.assertEqual(headlines(self.get(q)), expected)
        # A minus before one leaves out the phrase.
        self.assertEqual(headlines(self.get("busan -floating-harbour")), [self.body_hit.headline])

    def test_a_phrase_in_typographic_quotes_is_a_phrase(self):
        # A phone's "smart" punctuation types these; as words, the query would find the
        # headline whatever their order.
        for q in ["“harbour floating”", "„harbour floating“"]:
            with self.subTest(q=q):
                self.assertEqual(headlines(self.get(q)), [])
        self.assertEqual(headlines(self.get("“floating harbour”")), [self.headline_hit.headline])

    def test_the_page_quotes_a_query_once(self):
        for q, shown in [
            ("floating harbour", "“floating harbour”"),
            ('"floating harbour"', "“floating harbour”"),
            ("“floating harbour”", "“floating harbour”"),
            ('"floating harbour" -engineers', "“floating harbour” -engineers"),
            ('busan "floating', "busan “floating”"),
            ('"', '“"”'),
        ]:
            with self.subTest(q=q):
                page = html.unescape(self.get(q).content.decode())
                self.assertIn(f"<title>{shown} — Search — ", page)
                self.assertRegex(page, rf"results? for {re.escape(shown)}</h2>")

    def test_filters_by_section_kind_and_author(self):
        self.assertEqual(
            headlines(self.get("zurich or malmo or busan", section="asia")),
            [self.headline_hit.headline, self.body_hit.headline],
        )
        self.assertEqual(
            headlines(self.get("zurich or malmo", kind="analysis")), [self.malmo.headline]
        )
        self.assertEqual(
            headlines(self.get("zurich or malmo", author=self.writer.slug)),
            [self.zurich.headline],
        )

    def test_the_section_filter_walks_its_own_and_its_listed_articles_newest_first(self):
        # Body-only matches come from two walks, merged (search.ranked_ids).
        now = timezone.now()
        own_old = make_article(
            body="<p>Wombat farms.</p>", section=self.asia, published_at=now - datetime.timedelta(3)
        )
        listed = make_article(
            body="<p>Wombat trade.</p>",
            section=self.europe,
            published_at=now - datetime.timedelta(1),
        )
        listed.other_sections.add(self.asia)
        both = make_article(body="<p>Wombat exports.</p>", section=self.asia, published_at=now)
        both.other_sections.add(self.asia)  # in both walks, found once
        make_article(body="<p>Wombat elsewhere.</p>", section=self.europe)
        expected = [a.headline for a in (both, listed, own_old)]
        self.assertEqual(headlines(self.get("wombat", section="asia")), expected)
        with mock.patch("articles.views.SEARCH_RESULTS_LIMIT", 2):
            self.assertEqual(headlines(self.get("wombat", section="asia")), expected[:2])

    def test_searches_compile_once_and_apply_the_live_rule_when_they_run(self):
        # search.ranked_statements: the SQL is compiled once per combination of filters;
        # the words, the filters' values and the moment come with each search.
        soon = make_article(
            headline="Narwhal tusks",
            section=self.asia,
            published_at=timezone.now() + datetime.timedelta(hours=1),
        )
        search.ranked_statements.cache_clear()
        self.assertEqual(headlines(self.get("narwhal", section="asia")), [])
        compiled = search.ranked_statements.cache_info().misses
        later = timezone.now() + datetime.timedelta(hours=2)
        with mock.patch.object(timezone, "now", return_value=later):
            self.assertEqual(headlines(self.get("narwhal", section="asia")), [soon.headline])
            self.assertEqual(headlines(self.get("narwhal", section="europe")), [])
            self.assertEqual(headlines(self.get("narwhal tusks", section="asia")), [soon.headline])
        self.assertEqual(search.ranked_statements.cache_info().misses, compiled)

    def test_a_compiled_search_must_hold_every_stand_in(self):
        # A stand-in the ORM wrote some other way would be searched for as it is.
        articles = Article.objects.filter(kind_id=search.STAND_INS["kind"])
        # A literal percent sign stays one: only the parameters are named.
        articles = articles.annotate(share=RawSQL("'100%%'", ())).values_list("share", flat=True)
        stand_ins = {name: search.STAND_INS[name] for name in ("kind", "now", "section")}
        compiled = statement(articles, {"kind": stand_ins["kind"]})
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, compiled.values({"kind": self.body_hit.kind_id}))
            self.assertIn(("100%",), cursor.fetchall())
        with self.assertRaisesMessage(ValueError, "no place for ['now', 'section']"):
            statement(articles, stand_ins)

    def test_unknown_filters_are_ignored(self):
        response = self.get("malmo", section="nowhere", kind="\x00", author="x" * 500)
        self.assertEqual(headlines(response), [self.malmo.headline])

    def test_drafts_and_scheduled_articles_are_never_found(self):
        make_article(headline="Secret plan", body="<p>xylophone tactics</p>", status="draft")
        make_article(
            headline="Embargoed plan",
            body="<p>xylophone tactics</p>",
            published_at=timezone.now() + datetime.timedelta(days=1),
        )
        response = self.get("xylophone")
        self.assertEqual(headlines(response), [])
        self.assertNotContains(response, "xylophone tactics")
        self.assertNotContains(response, "Secret plan")

    def test_bad_input_gives_a_friendly_page(self):
        for q in ["", "   ", "?!.,;", "-", '"', "!", "&|:*", "\x00", "a\x00b", "x" * 10_000, "the"]:
            with self.subTest(q=q[:20]):
                response = self.get(q)
                self.assertNotContains(response, "\x00")
        # Minus signs in a row (spaced or not) are one minus: PostgreSQL nested a NOT for
        # each, and from 33 on its parser gave up ("tsquery stack too small", a 500).
        not_busan = {self.zurich.headline, self.malmo.headline}
        for q, expected in [
            ("-" * 200, set()),
            ("- " * 100, set()),
            ("-" * 40 + "busan", not_busan),  # as "-busan"
            ("busan " + "- " * 60 + "engineers", {self.body_hit.headline}),
        ]:
            with self.subTest(q=q[:20]):
                self.assertEqual(set(headlines(self.get(q))), expected)

    def test_a_search_that_finds_nothing_says_so(self):
        # An empty page of results is falsy: it once showed the "type a few words" help,
        # as if the search had not run.
        response = self.get("quagga")
        self.assertContains(response, "0 results for “quagga”")
        self.assertContains(response, "Nothing matches")
        self.assertNotContains(response, "Type a few words")
        self.assertContains(self.get("   "), "Type a few words")

    def test_page_abuse(self):
        for page in ["0", "-1", "999999999999999999999999", "abc", "1e9", "\x00", ""]:
            with self.subTest(page=page):
                self.assertEqual(headlines(self.get("malmo", page=page)), [self.malmo.headline])

    def test_query_is_escaped(self):
        response = self.get("<script>alert(1)</script>")
        self.assertNotContains(response, "<script>alert(1)")
        self.assertContains(response, "&lt;script&gt;")

    def test_result_pages_are_not_indexed(self):
        response = self.get("malmo")
        self.assertEqual(response["X-Robots-Tag"], "noindex")

    def test_headline_and_dek_matches_rank_first_then_body_matches_newest_first(self):
        now = timezone.now()
        old_headline = make_article(
            headline="Quokka census", published_at=now - datetime.timedelta(days=900)
        )
        dek_hit = make_article(dek="Counting the quokka.", published_at=now)
        older_body = make_article(
            body="<p>A quokka.</p>", published_at=now - datetime.timedelta(days=5)
        )
        newer_body = make_article(
            body="<p>Two quokka.</p>", published_at=now - datetime.timedelta(days=1)
        )
        self.assertEqual(
            headlines(self.get("quokka")),
            [a.headline for a in (old_headline, dek_hit, newer_body, older_body)],
        )

    def test_results_beyond_the_limit_are_not_offered(self):
        with mock.patch("articles.views.SEARCH_RESULTS_LIMIT", 2):
            response = self.get("busan or zurich or malmo")
        self.assertContains(response, "2+ results for")
        self.assertEqual(len(headlines(response)), 2)
        self.assertContains(self.get("busan"), "2 results for")

    def test_filter_lists_show_the_choice_and_escape_names(self):
        make_author("<b>Bold</b> Name")
        response = self.get("malmo", section="asia", kind="nothing")
        self.assertContains(response, '<option value="asia" selected>Asia</option>', html=False)
        self.assertContains(response, '<option value="news">News</option>', html=False)
        self.assertContains(response, "&lt;b&gt;Bold&lt;/b&gt; Name")
        self.assertContains(response, '<select name="author" id="id_author">', html=False)

    def test_every_page_has_the_search_form(self):
        response = self.client.get("/")
        self.assertContains(response, 'action="/search/"')
        self.assertContains(response, 'name="q"')

    def test_search_boxes_take_no_more_than_a_search_reads(self):
        # Longer text is cut anyway; a browser sending it in the address (a pasted page of
        # text) met the web server's request-line limit, a bare "414 Request-URI Too Long".
        for response in [self.client.get("/"), self.get("malmo")]:
            boxes = re.findall(r'<input [^>]*type="search"[^>]*>', response.content.decode())
            self.assertTrue(boxes)
            for box in boxes:
                self.assertIn(f'maxlength="{search.MAX_QUERY_LENGTH}"', box)

    def grow(self):
        for number in range(25):
            make_article(
                headline=f"Zurich report {number}",
                body="<p>Zürich again.</p>",
                section=self.europe,
                kind=self.news,
                authors=[self.writer, make_author()],
                tags=["Banks", "Switzerland"],
            )

    def test_search_query_budget(self):
        url = "/search/?q=zurich&section=europe&kind=news&author=" + self.writer.slug
        self.assertQueriesDoNotGrow(url, self.grow)
        # ids of headline/dek matches, then of body-only matches (asked only when the first
        # do not fill the list), snippets; each result's head (label line, headline,
        # byline, date) and text, the filter choices and the site chrome come from the cache
        with self.assertNumQueries(3):
            self.client.get(url)
        # with an empty cache: when the site next changes by itself (content version: the
        # next scheduled publish, the next licence expiry) and the three filter lists in one
        # query, then the same three, the results' heads (articles with kind, section and
        # lead photo, then bylines with authors) and their text; the site chrome adds its
        # own four
        cache.clear()
        with self.assertNumQueries(3 + 3 + 2 + 1 + 4):
            self.client.get(url)


class SearchHeadsFollowTheArticlesTests(TestCase):
    """Searches rank headline matches in SearchHead, a narrow copy of each article's
    ranking vector, status, publish time, kind and section kept by a trigger: whichever way
    an article's vectors or filtered columns are written, the copy is exact."""

    @classmethod
    def setUpTestData(cls):
        make_site()
        cls.writer = make_author("Ines Vidal")
        cls.article = make_article(headline="Harbour pilots strike", authors=[cls.writer])
        cls.other = make_article(headline="Dockers walk out")

    def assertHeadsExact(self):
        fields = ("status", "published_at", "search_head", "kind_id", "section_id")
        self.assertEqual(
            set(Article.objects.values_list("pk", *fields)),
            set(SearchHead.objects.values_list("article_id", *fields)),
        )

    def test_every_way_the_vectors_are_written_moves_the_copy(self):
        self.assertHeadsExact()
        self.article.headline = "Harbour pilots return"
        self.article.save()
        self.assertHeadsExact()
        Article.objects.filter(pk=self.article.pk).update(status=Article.Status.DRAFT)
        self.assertHeadsExact()
        Article.objects.update(
            status=Article.Status.PUBLISHED, published_at=timezone.now() + datetime.timedelta(1)
        )
        self.assertHeadsExact()
        Article.objects.filter(pk=self.other.pk).update(headline="Dockers vote")  # rows_updated
        self.assertHeadsExact()
        Author.objects.filter(pk=self.writer.pk).update(name="Ines Laurent")  # store_names
        self.assertHeadsExact()
        with connection.cursor() as cursor:
            cursor.execute("UPDATE articles_article SET search_head = NULL")
        call_command("reindex_search", verbosity=0)
        self.assertHeadsExact()
        self.assertIn("'laurent'", SearchHead.objects.get(article=self.article).search_head)
        self.article.kind = make_kind("Dispatch")
        self.article.save()
        self.assertHeadsExact()
        Article.objects.filter(pk=self.article.pk).update(section=make_section("Arctic"))
        self.assertHeadsExact()
        Article.objects.filter(pk=self.other.pk).update(
            status=Article.Status.DRAFT, kind=None, section=None
        )
        self.assertHeadsExact()
        self.article.delete()
        self.assertHeadsExact()

    def test_searches_rank_the_copy_filtered_or_not_and_a_minus_the_articles(self):
        # Written behind the trigger's back, so the two tables disagree.
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE articles_searchhead SET search_head = to_tsvector('zeppelin') "
                "WHERE article_id = %s",
                [self.other.pk],
            )
        response = self.client.get("/search/", {"q": "zeppelin"})
        self.assertEqual(headlines(response), [self.other.headline])
        # The filters read the copy's kind and section, and the bylines (by article id).
        for filters in [
            {"section": self.other.section.slug},
            {"kind": self.other.kind.slug},
            {"section": self.other.section.slug, "kind": self.other.kind.slug},
        ]:
            with self.subTest(filters=filters):
                response = self.client.get("/search/", {"q": "zeppelin", **filters})
                self.assertEqual(headlines(response), [self.other.headline])
        response = self.client.get("/search/", {"q": "zeppelin", "author": self.writer.slug})
        self.assertEqual(headlines(response), [])
        response = self.client.get("/search/", {"q": "zeppelin", "section": "nowhere-else"})
        self.assertEqual(headlines(response), [self.other.headline])  # unknown: ignored
        # A "-word" is checked against the whole article, so it ranks the articles.
        response = self.client.get("/search/", {"q": "zeppelin -strike"})
        self.assertEqual(headlines(response), [])

    def test_a_filtered_search_ranks_in_the_copy_as_in_the_articles(self):
        # The filters' rules (ArticleFilters) on the copy find what they find on the
        # articles: the section's own and its listed articles, a kind, an author's.
        asia, europe = make_section("Asia"), make_section("Europe")
        news = make_kind("News")
        own = make_article(headline="Walrus census", section=asia, kind=news)
        listed = make_article(headline="Walrus trade", section=europe, authors=[self.writer])
        listed.other_sections.add(asia)
        make_article(headline="Walrus elsewhere", section=europe, kind=news)
        for filters, expected in [
            ({"section": asia.slug}, {own, listed}),
            ({"kind": news.slug, "section": asia.slug}, {own}),
            ({"author": self.writer.slug}, {listed}),
            ({"author": self.writer.slug, "section": europe.slug}, {listed}),
        ]:
            with self.subTest(filters=filters):
                response = self.client.get("/search/", {"q": "walrus", **filters})
                self.assertEqual(set(headlines(response)), {a.headline for a in expected})
