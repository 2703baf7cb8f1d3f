import datetime
import re

from django.conf import settings
from django.contrib import admin
from django.contrib.messages import get_messages
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article, Byline, ShareLink
from publication.models import Photo
from tests.factories import (
    AdminTestCase,
    QueryCountMixin,
    article_change_url,
    article_form_data,
    make_article,
    make_author,
    make_creator,
    make_kind,
    make_photo,
    make_section,
    make_share_link,
    make_user,
)
from tests.test_invalidation import ChangeFormValues

CHANGELIST = "/admin/articles/article/"
PHOTOS = "/admin/publication/photo/"


def shared_links(text: str) -> list:
    """The share links whose addresses the text holds. An address is signed with the time
    it was made, so the one a page shows differs from a fresh get_absolute_url() once the
    second has changed: compare the links, not the text."""
    links = (ShareLink.from_token(token) for token in re.findall(r"/share/([^/\"]+)/", text))
    return list(dict.fromkeys(links))


class ArticleChangelistTests(QueryCountMixin, AdminTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        now = timezone.now()
        cls.europe = make_section("Europe")
        cls.asia = make_section("Asia")
        cls.analysis = make_kind("Analysis")
        cls.news = make_kind("News")
        cls.ana = make_author("Ana Ruiz")
        cls.ben = make_author("Ben Okafor")
        cls.live = make_article(
            headline="Live story",
            kind=cls.analysis,
            section=cls.europe,
            authors=[cls.ana, cls.ben],
            tags=["Trump transition"],
            lead_photo=make_photo(creator=make_creator("Jane Doe")),
            featured=True,
            published_at=now - datetime.timedelta(days=400),
        )
        cls.scheduled = make_article(
            headline="Scheduled story",
            kind=cls.news,
            section=cls.asia,
            authors=[cls.ben],
            lead_photo=make_photo(),
            published_at=now + datetime.timedelta(days=1),
        )
        cls.draft = make_article(
            headline="Draft story", kind=cls.news, section=cls.asia, status=Article.Status.DRAFT
        )

    def headlines(self, query=""):
        response = self.client.get(CHANGELIST + query)
        self.assertEqual(response.status_code, 200, query)
        return sorted(article.headline for article in response.context["cl"].result_list)

    def test_changelist_shows_label_authors_status_and_lead_credit(self):
        response = self.client.get(CHANGELIST)
        self.assertContains(response, "Analysis | Europe")
        self.assertContains(response, "News | Asia", count=2)
        self.assertContains(response, "By Ana Ruiz and Ben Okafor")
        self.assertContains(response, '<td class="field-state">Live</td>', html=True)
        self.assertContains(response, '<td class="field-state">Scheduled · in 24 h</td>', html=True)
        self.assertContains(response, '<td class="field-state">Draft</td>', html=True)
        self.assertContains(response, '<td class="field-has_credit"><img', count=3)
        self.assertContains(response, 'alt="True"', count=1)  # the live story's lead credit

    def test_publish_times_are_machine_readable_to_the_second(self):
        """HTML allows at most three digits of a fraction in datetime; times saved by
        "Publish now" carry microseconds."""
        Article.objects.filter(pk=self.live.pk).update(
            published_at=timezone.now().replace(microsecond=123456)
        )
        html = self.client.get(CHANGELIST).content.decode()
        moments = re.findall(r'<time datetime="([^"]+)"', html)
        self.assertEqual(len(moments), 2)  # the live and the scheduled story
        for moment in moments:
            self.assertRegex(moment, r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")

    def test_the_credit_flag_marks_a_withdrawn_lead_photo(self):
        """A credited photo whose licence expired is on no public page: not a ✓."""
        Photo.objects.filter(pk=self.live.lead_photo_id).update(
            license_expires_on=timezone.localdate() - datetime.timedelta(days=1)
        )
        response = self.client.get(CHANGELIST)
        self.assertContains(response, 'alt="True"', count=0)
        self.assertContains(response, 'alt="False"> withdrawn</td>', count=1)

    def test_a_far_off_schedule_is_a_date_not_a_count_of_days(self):
        now = timezone.now()
        soon = Article(status=Article.Status.PUBLISHED, published_at=now + datetime.timedelta(6))
        self.assertEqual(soon.state_label(now=now), "Scheduled · in 6 days")
        far = datetime.datetime(2031, 1, 14, 8, 0, tzinfo=datetime.UTC)
        later = Article(status=Article.Status.PUBLISHED, published_at=far)
        self.assertEqual(later.state_label(now=now), "Scheduled · Tue 14 Jan 2031")
        # The day in the site's zone: 23:30 UTC is already the next day in Berlin.
        late = Article(
            status=Article.Status.PUBLISHED, published_at=far.replace(hour=23, minute=30)
        )
        self.assertEqual(late.state_label(now=now), "Scheduled · Wed 15 Jan 2031")

    def test_a_draft_without_kind_or_section_shows_a_dash_not_none(self):
        draft = make_article(headline="Bare draft", status=Article.Status.DRAFT)
        Article.objects.filter(pk=draft.pk).update(kind=None, section=None)
        response = self.client.get(CHANGELIST)
        self.assertContains(response, '<td class="field-label">—</td>', html=True)
        self.assertNotContains(response, "None | None")

    def test_changelist_query_count_does_not_grow_with_articles(self):
        def grow():
            for _ in range(5):
                make_article(
                    authors=[make_author(), make_author()],
                    tags=["Energy"],
                    lead_photo=make_photo(creator=make_creator()),
                )

        self.assertQueriesDoNotGrow(CHANGELIST, grow)

    def test_search_finds_headline_and_author(self):
        self.assertEqual(self.headlines("?q=scheduled"), ["Scheduled story"])
        self.assertEqual(self.headlines("?q=Okafor"), ["Live story", "Scheduled story"])

    def test_each_filter_narrows_the_list(self):
        tag = Tag.objects.get(name="Trump transition")
        year = timezone.localtime(self.live.published_at).year
        expected = {
            "?state=live": ["Live story"],
            "?state=scheduled": ["Scheduled story"],
            "?state=draft": ["Draft story"],
            f"?section__id__exact={self.asia.pk}": ["Draft story", "Scheduled story"],
            f"?kind__id__exact={self.analysis.pk}": ["Live story"],
            f"?bylines__author__id__exact={self.ben.pk}": ["Live story", "Scheduled story"],
            f"?tags__id__exact={tag.pk}": ["Live story"],
            "?lead_credit=missing": ["Scheduled story"],
            "?lead_credit=no-photo": ["Draft story"],
            "?featured__exact=1": ["Live story"],
            "?published_at__isnull=True": ["Draft story"],
            f"?published_at__year={year}": ["Live story"],
        }
        for query, headlines in expected.items():
            with self.subTest(query=query):
                self.assertEqual(self.headlines(query), headlines)

    def test_a_filter_value_that_is_no_id_shows_the_whole_list(self):
        """Superscript and circled digits ("²", "①") pass str.isdigit() and int() refuses
        them: the list answered 500."""
        everything = self.headlines("")
        for name in ["photo", "bylines__author__id__exact", "tags__id__exact"]:
            for value in ["²", "①", "9" * 25, "0"]:
                with self.subTest(name=name, value=value):
                    self.assertEqual(self.headlines(f"?{name}={value}"), everything)

    def test_filter_sidebar_offers_every_filter(self):
        response = self.client.get(CHANGELIST)
        for title in [
            "By status",
            "By section",
            "By kind",
            "By author",
            "By topics",
            "By lead photo",
            "By featured",
            "By publish time",
        ]:
            with self.subTest(title=title):
                self.assertContains(response, title)

    def test_author_and_topic_filters_are_autocomplete_boxes_not_lists(self):
        for number in range(20):
            make_author(f"Unlisted author {number}")
            Tag.objects.create(name=f"Unlisted topic {number}", slug=f"unlisted-{number}")
        response = self.client.get(CHANGELIST)
        self.assertNotContains(response, "Unlisted")
        self.assertContains(response, 'data-ajax--url="/admin/autocomplete/"', count=2)
        self.assertContains(response, 'data-field-name="author"')
        self.assertContains(response, 'data-field-name="tags"')
        self.assertContains(response, "js/admin-list-filters.js")
        self.assertContains(response, 'data-filter-url="?bylines__author__id__exact=__chosen__"')

        chosen = self.client.get(f"{CHANGELIST}?bylines__author__id__exact={self.ben.pk}")
        self.assertContains(
            chosen, f'<option value="{self.ben.pk}" selected>Ben Okafor</option>', html=True
        )
        self.assertContains(chosen, 'data-filter-url="?bylines__author__id__exact=__chosen__"')
        # The autocomplete view the box asks answers editors' typing.
        found = self.client.get(
            "/admin/autocomplete/",
            {
                "app_label": "articles",
                "model_name": "article",
                "field_name": "tags",
                "term": "trump",
            },
        )
        self.assertEqual([r["text"] for r in found.json()["results"]], ["Trump transition"])

    def test_a_bad_filter_value_shows_the_whole_list(self):
        everything = self.headlines()
        for query in [
            "?bylines__author__id__exact=abc",
            "?bylines__author__id__exact=99999999999999999999",
            "?tags__id__exact=-3",
            "?tags__id__exact=424242",
        ]:
            with self.subTest(query=query):
                self.assertEqual(self.headlines(query), everything)

    def test_search_uses_words_anywhere_and_parts_of_author_names(self):
        self.draft.body = "<p>The grain corridors reopened.</p>"
        self.draft.save()
        self.assertEqual(self.headlines("?q=corridor"), ["Draft story"])
        self.assertEqual(self.headlines("?q=live"), ["Live story"])
        self.assertEqual(self.headlines("?q=okaf"), ["Live story", "Scheduled story"])
        for odd in ['"', "-", "&|!:*", "(", "a" * 1000, "\\", "_", "x_:*", "ü's", "1 & 2"]:
            with self.subTest(q=odd):
                self.assertEqual(self.client.get(CHANGELIST, {"q": odd}).status_code, 200)

    def test_search_finds_the_start_of_any_headline_word(self):
        canberra = make_article(headline="Canberra and Jakarta sign a grain deal")
        self.assertEqual(self.headlines("?q=Canber"), [canberra.headline])
        self.assertEqual(self.headlines("?q=jak+CANB"), [canberra.headline])
        self.assertEqual(self.headlines("?q=Sched"), ["Scheduled story"])
        self.assertEqual(
            self.headlines("?q=stor"), ["Draft story", "Live story", "Scheduled story"]
        )
        # Every word typed must start a word of the headline; the middle of a word is not one.
        self.assertEqual(self.headlines("?q=Canber+Sched"), [])
        self.assertEqual(self.headlines("?q=anberra"), [])
        # One or two letters match whole words only ("a" would match nearly every headline).
        self.assertEqual(self.headlines("?q=ca"), [])

    def test_the_list_counts_once_and_has_no_year_links(self):
        response = self.client.get(CHANGELIST)
        self.assertFalse(response.context["cl"].show_full_result_count)
        self.assertIsNone(response.context["cl"].date_hierarchy)

    def test_publish_now_makes_drafts_and_scheduled_articles_live(self):
        self.draft.bylines.create(author=self.ana)
        credited = make_photo(credit_text="Jane Doe / stockagency.example")
        Article.objects.filter(pk__in=[self.scheduled.pk, self.draft.pk]).update(
            lead_photo=credited
        )
        response = self.client.post(
            CHANGELIST,
            {
                "action": "publish_now",
                "_selected_action": [self.live.pk, self.scheduled.pk, self.draft.pk],
            },
            follow=True,
        )
        self.assertContains(response, "2 article(s) published.")
        self.assertCountEqual(Article.objects.live(), [self.live, self.scheduled, self.draft])
        self.live.refresh_from_db()
        self.assertLess(self.live.published_at, timezone.now() - datetime.timedelta(days=399))

    def test_unpublish_moves_articles_back_to_draft(self):
        response = self.client.post(
            CHANGELIST,
            {"action": "unpublish", "_selected_action": [self.live.pk]},
            follow=True,
        )
        self.assertContains(response, "1 article(s) moved back to draft.")
        self.assertCountEqual(Article.objects.drafts(), [self.live, self.draft])
        self.assertEqual(self.client.get(self.live.get_absolute_url()).status_code, 404)

    def test_publish_now_refuses_incomplete_articles_and_names_them(self):
        response = self.client.post(
            CHANGELIST,
            {"action": "publish_now", "_selected_action": [self.scheduled.pk, self.draft.pk]},
            follow=True,
        )
        # No "0 article(s) published." success beside the refusal.
        self.assertNotContains(response, "article(s) published.")
        self.assertContains(
            response,
            "Not published: “Draft story” needs at least one author and a lead photo; "
            "“Scheduled story” needs a credit for the lead photo.",
        )
        self.assertCountEqual(Article.objects.drafts(), [self.draft])
        self.assertCountEqual(Article.objects.scheduled(), [self.scheduled])
        response = self.client.post(
            CHANGELIST, {"action": "publish_now", "_selected_action": [self.live.pk]}, follow=True
        )
        self.assertContains(response, "Nothing to publish: they are all live already.")


class ArticleChangeFormTests(AdminTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.article = make_article(
            headline="An article to edit",
            status=Article.Status.DRAFT,
            authors=[make_author("Ana Ruiz")],
        )

    def test_change_form_has_rich_text_editor_slug_prepopulation_and_autocompletes(self):
        response = self.client.get(article_change_url(self.article))
        self.assertContains(response, 'class="django_ckeditor_5"')
        self.assertContains(response, 'data-upload-url="/editor/images/"')
        self.assertContains(response, "django-admin-prepopulated-fields-constants")
        self.assertContains(response, "&quot;#id_slug&quot;")
        self.assertContains(response, "&quot;#id_headline&quot;")
        self.assertContains(response, 'data-field-name="lead_photo"')
        self.assertContains(response, 'data-model-name="byline" data-field-name="author"')
        self.assertContains(response, "Preview as readers will see it")

    def test_the_form_has_no_label_or_form_reference_to_nothing(self):
        """The Nu HTML validator's findings on the change form: the hidden base_version got
        a form row with a label for no visible control, and the sign-in-again inputs named
        a form that does not exist (form="reauth-none") to keep them out of the post."""
        html = self.client.get(article_change_url(self.article)).content.decode()
        ids = set(re.findall(r'\bid="([^"]+)"', html))
        hidden = set(re.findall(r'<input type="hidden"[^>]*\bid="([^"]+)"', html))
        for target in re.findall(r'<label[^>]*\bfor="([^"]+)"', html):
            with self.subTest(label=target):
                self.assertNotIn(target, hidden)
        for form in re.findall(r'<(?:input|button|select|textarea)[^>]*\bform="([^"]+)"', html):
            with self.subTest(form=form):
                self.assertIn(form, ids)
        self.assertIn('name="base_version"', html)  # still posted, outside the fieldsets
        self.assertNotIn('name="username"', html)  # the sign-in inputs are never posted

    def test_a_publish_time_no_database_row_could_be_read_back_with_is_a_form_error(self):
        """PostgreSQL stores "0001-01-01 00:00" typed east of UTC (a moment in year 1 BC),
        and reading the row back failed: saving and previewing answered 500."""
        url = article_change_url(self.article)
        for day, time in [("0001-01-01", "00:00"), ("9999-12-31", "23:59")]:
            data = article_form_data(self.article, published_at_0=day, published_at_1=time)
            with self.subTest(day=day):
                response = self.client.post(url, data)
                self.assertContains(response, "Give a date between the years 1 and 9999.")
                preview = self.client.post(f"{url.removesuffix('change/')}preview/", data)
                self.assertEqual(preview.status_code, 400)
        self.article.refresh_from_db()
        self.assertIsNone(self.article.published_at)

    def test_an_inline_row_count_past_the_limit_is_a_form_error_and_saves_nothing(self):
        """The form's own row count (TOTAL_FORMS) decided how many rows were built: 2,000
        byline rows took 23 s to build, and 2,000 share links were saved."""
        url = article_change_url(self.article)
        for prefix in ["share_links", "bylines", "corrections"]:
            data = article_form_data(self.article, headline="Changed")
            data[f"{prefix}-TOTAL_FORMS"] = "2000"
            with self.subTest(prefix=prefix):
                response = self.client.post(url, data)
                self.assertContains(response, "Please submit at most 10")
        self.article.refresh_from_db()
        self.assertEqual(self.article.headline, "An article to edit")
        self.assertFalse(ShareLink.objects.exists())
        # Counted beyond the saved rows: an article with more links than that still saves.
        for _ in range(101):
            ShareLink.objects.create(article=self.article, expires_at=ShareLink.expiry_after(1))
        data = article_form_data(self.article, headline="Changed")
        self.assertEqual(self.client.post(url, data).status_code, 302)

    def test_add_form_renders(self):
        response = self.client.get("/admin/articles/article/add/")
        self.assertContains(response, "Preview as readers will see it")

    def test_lead_photo_autocomplete_finds_photos_by_alt_text(self):
        make_photo(alt_text="Tanks at the border")
        response = self.client.get(
            "/admin/autocomplete/",
            {
                "app_label": "articles",
                "model_name": "article",
                "field_name": "lead_photo",
                "term": "tanks",
            },
        )
        self.assertEqual(
            [result["text"] for result in response.json()["results"]], ["Tanks at the border"]
        )

    def test_the_picker_offers_a_withdrawn_photo_greyed_out_with_the_reason(self):
        yesterday = timezone.localdate() - datetime.timedelta(days=1)
        make_photo(alt_text="Tanks at the border, licensed", credit_text="AP")
        withdrawn = make_photo(
            alt_text="Tanks at the border, withdrawn",
            credit_text="AP",
            license_expires_on=yesterday,
        )
        response = self.client.get(
            reverse("admin:articles_article_photo_autocomplete"),
            {"app_label": "articles", "model_name": "article", "field_name": "lead_photo"}
            | {"term": "tanks"},
        )
        offered = {result["text"]: result for result in response.json()["results"]}
        licensed = offered["Tanks at the border, licensed"]
        self.assertFalse(licensed.get("disabled"))
        self.assertTrue(licensed["thumbnail"])
        self.assertEqual(
            offered["Tanks at the border, withdrawn"] | {"id": None},
            {
                "id": None,
                "text": "Tanks at the border, withdrawn",
                "thumbnail": "",  # its files are taken down: no image that fails to load
                "credit": "AP",
                "licence": withdrawn.license_note,
                "disabled": True,  # Select2 does not let it be picked
            },
        )
        self.assertIn("licence expired on", withdrawn.license_note)
        # An article that has it already names it withdrawn where the picker shows it.
        self.article.lead_photo = withdrawn
        self.article.save()
        self.assertContains(
            self.client.get(article_change_url(self.article)),
            f"Tanks at the border, withdrawn ({withdrawn.license_note})</option>",
        )

    def test_adding_an_article_with_bylines_and_topics(self):
        ben = make_author("Ben Okafor")
        chen = make_author("Chen Li")
        response = self.client.post(
            "/admin/articles/article/add/",
            article_form_data(
                headline="Brand new",
                slug="brand-new",
                tags="Trump transition, Energy",
                status=Article.Status.PUBLISHED,
                lead_photo=make_photo(credit_text="Jane Doe / stockagency.example").pk,
                bylines=[(ben, Byline.Role.BY), (chen, Byline.Role.PHOTOS)],
            ),
        )
        self.assertRedirects(response, CHANGELIST)
        article = Article.objects.get(slug="brand-new")
        self.assertEqual(article.byline_text, "By Ben Okafor; photos by Chen Li")
        self.assertCountEqual(article.tags.names(), ["Trump transition", "Energy"])
        self.assertTrue(article.is_live)
        self.assertContains(self.client.get("/articles/brand-new/"), "Brand new")

    def test_teaser_typed_in_the_admin_gets_keep_reading(self):
        self.client.post(
            article_change_url(self.article),
            article_form_data(
                self.article,
                status=Article.Status.PUBLISHED,
                lead_photo=make_photo(credit_text="Jane Doe / stockagency.example").pk,
                teaser="The lead paragraph.\r\n\r\nThe rest of the teaser.",
            ),
        )
        response = self.client.get("/")
        self.assertContains(response, "<p>The lead paragraph.</p>", html=True)
        self.assertContains(response, '<details class="teaser__more">')
        self.assertContains(response, "<p>The rest of the teaser.</p>", html=True)

    def test_a_draft_saves_with_everything_missing(self):
        response = self.client.post(
            "/admin/articles/article/add/",
            article_form_data(headline="", slug="", kind="", section="", body=""),
        )
        self.assertRedirects(response, CHANGELIST)
        self.assertEqual(str(Article.objects.get(kind=None)), "Untitled draft")

    def test_publishing_with_an_uncredited_lead_photo_is_refused(self):
        photo = make_photo(alt_text="")
        response = self.client.post(
            article_change_url(self.article),
            article_form_data(self.article, lead_photo=photo.pk, status="published"),
        )
        self.assertContains(
            response,
            "Not published: it needs alt text for the lead photo and a credit for the lead "
            "photo. Save it as a draft until then.",
        )
        self.article.refresh_from_db()
        self.assertEqual(self.article.status, Article.Status.DRAFT)

    def test_a_refusal_is_one_message_without_the_databases_check_repeating_it(self):
        photo = make_photo(credit_text="Jane Doe / stockagency.example")
        response = self.client.post(
            article_change_url(self.article),
            article_form_data(
                self.article, lead_photo=photo.pk, status="published", kind="", section=""
            ),
        )
        self.assertEqual(
            response.context["adminform"].form.non_field_errors(),
            ["Not published: it needs a kind and a section. Save it as a draft until then."],
        )
        self.assertNotContains(response, "Constraint")

    def test_scheduling_without_an_author_is_refused(self):
        photo = make_photo(credit_text="Jane Doe / stockagency.example")
        data = article_form_data(
            self.article,
            lead_photo=photo.pk,
            status="published",
            published_at_0="2099-01-14",
            published_at_1="09:00:00",
        )
        data["bylines-0-DELETE"] = "on"
        response = self.client.post(article_change_url(self.article), data)
        self.assertContains(response, "Not published: it needs at least one author.")
        self.assertFalse(Article.objects.scheduled().exists())

    def test_publishing_warns_about_what_deserves_a_second_look(self):
        photo = make_photo(credit_text="Jane Doe / stockagency.example")
        response = self.client.post(
            article_change_url(self.article),
            article_form_data(
                self.article,
                lead_photo=photo.pk,
                status="published",
                dek="",
                body='<p>TK</p><h3>Deep</h3><p><a href="https://example.org">click here</a></p>'
                "<p>&nbsp;</p><p><br></p>",
            ),
        )
        self.assertRedirects(response, CHANGELIST)
        self.assertEqual(
            [str(message) for message in get_messages(response.wsgi_request)][:-1],
            [
                "The dek is missing.",
                "No topics: readers cannot follow the story.",
                "The text still holds placeholders: TK.",
                "A heading skips a level (h1 to h3).",
                "Link text “click here” does not say where the link goes.",
            ],
        )
        self.article.refresh_from_db()
        self.assertTrue(self.article.body.endswith("click here</a></p>"))

    def test_live_checks_follow_the_form_as_typed(self):
        response = self.client.post(
            "/admin/articles/article/checks/",
            article_form_data(
                headline="TK killed as storms hit the coast",
                dek="XX " + "x" * 158,
                tags="Energy",
                body='<p>One two three.</p><figure class="image"><img src="/x.png"></figure>',
                bylines=[(make_author("Ana Ruiz 2"), Byline.Role.BY)],
            ),
        )
        html = response.json()["html"]
        self.assertIn("Publishing needs:</strong> a lead photo.", html)
        self.assertIn("The dek is 161 characters; keep it to 160.", html)
        # Placeholders are most often left in the headline and dek, not only the body.
        self.assertIn("The headline still holds placeholders: TK.", html)
        self.assertIn("The dek still holds placeholders: XX.", html)
        self.assertIn("1 image(s) in the body have no alt text.", html)
        self.assertNotIn("No topics", html)
        self.assertIn("3 words · 1 min read", html)


class ShareLinkAdminTests(AdminTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.article = make_article(headline="Draft to share", status=Article.Status.DRAFT)

    def test_creating_a_share_link_through_the_inline(self):
        response = self.client.post(
            article_change_url(self.article),
            article_form_data(
                self.article, share_links=[(None, {"note": "fact-checker", "valid_for": 7})]
            ),
        )
        self.assertRedirects(response, CHANGELIST)
        link = ShareLink.objects.get()
        self.assertEqual(link.note, "fact-checker")
        self.assertEqual(link.created_by, self.superuser)
        self.assertAlmostEqual(
            link.expires_at,
            timezone.now() + datetime.timedelta(days=7),
            delta=datetime.timedelta(minutes=1),
        )
        page = self.client.get(article_change_url(self.article))
        self.assertEqual(shared_links(page.content.decode()), [link])
        self.client.logout()
        self.assertContains(self.client.get(link.get_absolute_url()), "Draft to share")

    def test_creating_a_share_link_without_a_note(self):
        self.client.post(
            article_change_url(self.article),
            article_form_data(self.article, share_links=[(None, {"note": "", "valid_for": 3})]),
        )
        link = ShareLink.objects.get()
        self.assertContains(self.client.get(link.get_absolute_url()), "Draft to share")

    def test_revoking_through_the_inline_checkbox(self):
        link = make_share_link(self.article, note="fact-checker")
        response = self.client.post(
            article_change_url(self.article),
            article_form_data(self.article, share_links=[(0, {"revoke": "on"})]),
        )
        self.assertRedirects(response, CHANGELIST)
        link.refresh_from_db()
        self.assertIsNotNone(link.revoked_at)
        # Listed read-only under the Share button, no longer a row of form fields.
        page = self.client.get(article_change_url(self.article))
        self.assertContains(page, "1 expired or revoked (they no longer work):")
        self.assertContains(page, "<li>fact-checker · created ")
        self.assertNotContains(page, f'name="share_links-0-id" value="{link.pk}"')
        self.assertEqual(self.client.get(link.get_absolute_url()).status_code, 404)

    def test_an_article_shared_300_times_is_still_saved(self):
        # 1,500 form fields as rows, past DATA_UPLOAD_MAX_NUMBER_FIELDS (1,000): the save
        # answered 400 and nothing could be saved. Old links are listed, the newest are rows.
        now = timezone.now()
        week = datetime.timedelta(days=7)
        ShareLink.objects.bulk_create(
            [
                ShareLink(article=self.article, note=f"active {n}", expires_at=now + week)
                for n in range(250)
            ]
            + [
                ShareLink(
                    article=self.article, note=f"revoked {n}", expires_at=now + week, revoked_at=now
                )
                for n in range(30)
            ]
            + [
                ShareLink(article=self.article, note=f"expired {n}", expires_at=now - week)
                for n in range(20)
            ]
        )
        newest = ShareLink.objects.filter(note="active 249").get()
        url = article_change_url(self.article)
        page = self.client.get(url)
        self.assertContains(page, "The 20 newest active links are below; 230 more are active.")
        self.assertContains(page, "50 expired or revoked (they no longer work):")
        all_links = f"/admin/articles/sharelink/?article__id__exact={self.article.pk}"
        self.assertContains(page, f'<a href="{all_links}">All 300 share links</a>')
        self.assertEqual(self.client.get(all_links).context["cl"].result_count, 300)
        form = ChangeFormValues()
        form.feed(page.content.decode())
        self.assertEqual(form.data["share_links-INITIAL_FORMS"], ["20"])
        self.assertLess(len(form.data), settings.DATA_UPLOAD_MAX_NUMBER_FIELDS)
        # Revoked with its button while the form was open: still a row when the form is saved.
        newest.revoked_at = now
        newest.save()
        form.data["headline"] = ["Draft shared 300 times"]
        response = self.client.post(url, form.data)
        self.assertRedirects(response, CHANGELIST)
        self.article.refresh_from_db()
        self.assertEqual(self.article.headline, "Draft shared 300 times")
        self.assertEqual(ShareLink.objects.count(), 300)
        newest.refresh_from_db()
        self.assertIsNotNone(newest.revoked_at)

    def test_revoking_through_the_share_link_admin_action(self):
        link = make_share_link(self.article)
        other = make_share_link(self.article)
        response = self.client.post(
            "/admin/articles/sharelink/",
            {"action": "revoke", "_selected_action": [link.pk]},
            follow=True,
        )
        self.assertContains(response, "1 link(s) revoked.")
        self.assertEqual(self.client.get(link.get_absolute_url()).status_code, 404)
        self.assertEqual(self.client.get(other.get_absolute_url()).status_code, 200)

    def test_the_create_button_makes_a_week_long_link_and_answers_its_address(self):
        url = reverse("admin:articles_article_share", args=[self.article.pk])
        self.assertContains(
            self.client.get(article_change_url(self.article)), "Create share link</button>"
        )
        response = self.client.post(url)
        self.assertEqual(response.status_code, 201)
        link = ShareLink.objects.get()
        self.assertTrue(response.json()["url"].startswith(f"{settings.SITE_URL}/share/"))
        self.assertEqual(shared_links(response.json()["url"]), [link])
        self.assertEqual(
            response.json()["revoke_url"], f"/admin/articles/sharelink/{link.pk}/revoke/"
        )
        self.assertEqual(
            (link.article, link.created_by, link.note), (self.article, self.superuser, "")
        )
        self.assertAlmostEqual(
            link.expires_at,
            timezone.now() + datetime.timedelta(days=7),
            delta=datetime.timedelta(minutes=1),
        )
        self.assertEqual(self.client.get(url).status_code, 405)
        self.assertEqual(self.client.post("/admin/articles/article/999999/share/").status_code, 404)

    def test_only_editors_who_may_add_links_can_press_create(self):
        viewer = make_user("viewer", is_staff=True, perms=["articles.change_article"])
        self.client.force_login(viewer)
        url = reverse("admin:articles_article_share", args=[self.article.pk])
        self.assertEqual(self.client.post(url).status_code, 403)
        self.assertFalse(ShareLink.objects.exists())
        # Nor are past links listed to staff who may not see share links.
        make_share_link(self.article, note="fact-checker", revoked_at=timezone.now())
        page = self.client.get(article_change_url(self.article))
        self.assertNotContains(page, "Earlier share links")
        self.assertNotContains(page, "fact-checker")

    def test_the_share_buttons_are_shown_only_to_staff_who_may_use_them(self):
        make_share_link(self.article, note="fact-checker")
        share_url = reverse("admin:articles_article_share", args=[self.article.pk])
        # The Editors group (data migration) may create and revoke links.
        self.client.force_login(make_user("ed", is_staff=True, groups=["Editors"]))
        page = self.client.get(article_change_url(self.article))
        self.assertContains(page, "Create share link</button>")
        self.assertContains(page, "Revoke</button>")
        self.assertContains(self.client.get("/admin/articles/article/add/"), "to share it")
        created = self.client.post(share_url)
        self.assertEqual(created.status_code, 201)
        self.assertTrue(created.json()["revoke_url"])

        # Staff who may edit articles but not create links: no button that can only fail.
        copy_desk = make_user(
            "copy",
            is_staff=True,
            perms=["articles.add_article", "articles.change_article", "articles.view_sharelink"],
        )
        self.client.force_login(copy_desk)
        page = self.client.get(article_change_url(self.article))
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, "fact-checker")  # the links are listed, read-only
        self.assertNotContains(page, "Create share link")
        self.assertNotContains(page, "Revoke</button>")
        self.assertNotContains(page, "share-create-button")
        page = self.client.get("/admin/articles/article/add/")
        self.assertNotContains(page, "to share it")
        self.assertEqual(self.client.post(share_url).status_code, 403)

        # Staff who may create links but not revoke them get no Revoke button either.
        sharer = make_user(
            "sharer", is_staff=True, perms=["articles.change_article", "articles.add_sharelink"]
        )
        self.client.force_login(sharer)
        self.assertContains(
            self.client.get(article_change_url(self.article)), "Create share link</button>"
        )
        created = self.client.post(share_url)
        self.assertEqual(created.status_code, 201)
        self.assertEqual(created.json()["revoke_url"], "")

    def test_a_new_article_has_no_create_button_yet(self):
        response = self.client.get("/admin/articles/article/add/")
        self.assertContains(response, "Save the article once to share it")
        self.assertNotContains(response, "Create share link</button>")

    def test_share_links_cannot_be_added_outside_an_article(self):
        self.assertEqual(self.client.get("/admin/articles/sharelink/add/").status_code, 403)


class LeadPhotoPickerTests(AdminTestCase):
    URL = "/admin/articles/article/photo-autocomplete/"
    FIELD = {"app_label": "articles", "model_name": "article", "field_name": "lead_photo"}

    def test_the_picker_offers_photos_with_thumbnail_and_credit(self):
        photo = make_photo(alt_text="A bridge at night", credit_text="Jane Doe / Agency")
        make_photo(alt_text="A harbour at dawn")
        form = self.client.get("/admin/articles/article/add/")
        self.assertContains(form, f'data-ajax--url="{self.URL}"')
        self.assertContains(form, "photo-autocomplete")
        response = self.client.get(self.URL, {**self.FIELD, "term": "bridge"})
        self.assertEqual(
            response.json()["results"],
            [
                {
                    "id": str(photo.pk),
                    "text": "A bridge at night",
                    "thumbnail": photo.thumbnail_url,
                    "credit": "Jane Doe / Agency",
                    "licence": "",
                }
            ],
        )

    def test_the_picker_checks_permissions_as_djangos_autocomplete_does(self):
        make_photo(alt_text="A bridge at night")
        self.client.force_login(make_user("viewer", is_staff=True, perms=["articles.view_article"]))
        self.assertEqual(self.client.get(self.URL, {**self.FIELD, "term": "b"}).status_code, 403)
        self.client.force_login(self.superuser)
        self.assertEqual(self.client.get(self.URL, {"term": "b"}).status_code, 403)
        self.client.logout()
        self.assertEqual(self.client.get(self.URL, {**self.FIELD, "term": "b"}).status_code, 302)


class PhotoUsageAdminTests(AdminTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.photo = make_photo(alt_text="Credited photo", creator=make_creator("Jane Doe"))
        cls.unused = make_photo(alt_text="Unused photo", credit_text="Agency archive")

    def test_change_form_shows_where_the_photo_is_used(self):
        article = make_article(headline="Lead story", lead_photo=self.photo)
        response = self.client.get(f"{PHOTOS}{self.photo.pk}/change/")
        self.assertContains(
            response,
            f'<a href="/admin/articles/article/{article.pk}/change/">Lead story</a>',
            html=True,
        )
        self.assertContains(self.client.get(f"{PHOTOS}{self.unused.pk}/change/"), "Not used yet")

    def use_photo_three_ways(self):
        """Lead of one article, in the body of another, both in a third: 3 articles."""
        body = f'<figure class="image"><img src="{self.photo.image.url}" alt="A harbour"></figure>'
        return [
            make_article(headline="Lead only", lead_photo=self.photo),
            make_article(headline="Body only", body=body, status=Article.Status.DRAFT),
            make_article(headline="Lead and body", lead_photo=self.photo, body=body),
        ]

    def test_list_and_page_count_articles_using_the_photo_with_a_link_to_them(self):
        articles = self.use_photo_three_ways()
        make_article(headline="Another photo", lead_photo=self.unused)
        link = f'<a href="/admin/articles/article/?photo={self.photo.pk}">Used in 3 articles</a>'
        response = self.client.get(PHOTOS)
        self.assertContains(response, link, html=True)
        self.assertContains(
            response,
            f'<a href="/admin/articles/article/?photo={self.unused.pk}">Used in 1 article</a>',
            html=True,
        )
        page = self.client.get(f"{PHOTOS}{self.photo.pk}/change/")
        self.assertContains(page, link, html=True)
        for article in articles:
            self.assertContains(
                page, f'<a href="{article_change_url(article)}">{article.headline}</a>', html=True
            )
        self.assertNotContains(page, "Another photo")

        listed = self.client.get(f"{CHANGELIST}?photo={self.photo.pk}")
        self.assertEqual(
            sorted(a.headline for a in listed.context["cl"].result_list),
            ["Body only", "Lead and body", "Lead only"],
        )
        self.assertContains(listed, str(self.photo))  # the filter names the photo

    def test_unused_photos_say_so_and_can_be_sorted_by_use(self):
        self.use_photo_three_ways()
        column = admin.site._registry[Photo].list_display.index("usage") + 1
        response = self.client.get(f"{PHOTOS}?o={column}")  # by use, fewest first
        self.assertEqual(
            [photo.article_count for photo in response.context["cl"].result_list], [0, 3]
        )
        self.assertContains(response, '<td class="field-usage">Not used yet</td>', html=True)

    def test_a_bad_photo_filter_shows_the_whole_list(self):
        self.use_photo_three_ways()
        for value in ["abc", "-1", "99999999999999999999", "0", str(self.unused.pk)]:
            with self.subTest(value=value):
                response = self.client.get(f"{CHANGELIST}?photo={value}")
                self.assertEqual(response.status_code, 200)
                shown = len(response.context["cl"].result_list)
                self.assertEqual(shown, 0 if value == str(self.unused.pk) else 3)


class PhotoChangelistQueryTests(QueryCountMixin, AdminTestCase):
    def test_counting_uses_does_not_add_a_query_per_photo(self):
        def grow():
            for _ in range(4):
                photo = make_photo(creator=make_creator())
                make_article(lead_photo=photo)
                make_article(
                    body=f'<figure class="image"><img src="{photo.image.url}" alt="x"></figure>'
                )

        make_article(lead_photo=make_photo())
        self.assertQueriesDoNotGrow(PHOTOS, grow)


class AdminAccessTests(TestCase):
    def test_admin_requires_staff(self):
        self.client.force_login(make_user())
        response = self.client.get(CHANGELIST)
        self.assertRedirects(response, f"/admin/login/?next={CHANGELIST}")
