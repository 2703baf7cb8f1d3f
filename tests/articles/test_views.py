import datetime
import itertools
import re

from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article, Byline
from publication.models import AuthorLink, Creator, Photo, SiteSettings
from tests.factories import (
    QueryCountMixin,
    TemporaryMediaTestCase,
    listing_urls,
    make_article,
    make_author,
    make_creator,
    make_editor,
    make_kind,
    make_photo,
    make_section,
    make_share_link,
    make_site,
    make_user,
    tampered,
)

NOT_FOUND = "We can’t find that page"


def hours_ago(hours):
    return timezone.now() - datetime.timedelta(hours=hours)


class ArticlePageTests(TemporaryMediaTestCase):
    """The article page has every element of the reference page (SEED-PAGE.md)."""

    @classmethod
    def setUpTestData(cls):
        make_site(newsletter_blurb="Subscribe to our weekly round-up of contributors and analysis.")
        cls.kind = make_kind("Analysis")
        cls.section = make_section("Global Crises")
        cls.ana = make_author("Ana Ruiz")
        cls.ben = make_author("Ben Okafor")
        cls.photo = make_photo(
            alt_text="A destroyed bridge over a river at dusk",
            creator=make_creator("Jane Doe"),
            source=make_creator("stockagency.example", kind=Creator.Kind.ORGANISATION),
        )
        cls.article = make_article(
            headline="Will the ceasefire survive the first hard winter?",
            dek="Diplomats are quietly preparing for failure.",
            kind=cls.kind,
            section=cls.section,
            lead_photo=cls.photo,
            authors=[cls.ana, cls.ben],
            tags=["Trump transition"],
            body='<p>The body starts here, with <a href="https://example.com/">a link</a>.</p>'
            "<p>And ends <em>here</em>.</p>",
            published_at=hours_ago(1),
        )
        cls.other = make_article(
            headline="Sanctions bite in the north",
            section=make_section("Europe"),
            lead_photo=make_photo(
                alt_text="Viktor Example",
                credit_text="Viktor Example (Channel 4 screenshot)",
                credit_type=Photo.CreditType.SCREENSHOT,
            ),
            published_at=hours_ago(2),
        )

    def setUp(self):
        self.response = self.client.get(self.article.get_absolute_url())

    def test_elements_follow_the_seed_pages_order(self):
        # SEED-PAGE.md, top to bottom: lead image, headline, dek, label line, body, the
        # photo credit after the body, the label line again.
        page = self.response.content.decode()
        markers = [
            'class="article__lead"',
            'class="article__headline"',
            'class="article__dek"',
            'class="label-line"',
            'class="article__body"',
            'class="photo-credit"',
        ]
        positions = [page.index(marker) for marker in markers]
        self.assertEqual(positions, sorted(positions))
        self.assertGreater(page.rindex('class="label-line"'), positions[-1])

    def test_label_line_with_kind_and_section_links_appears_twice(self):
        self.assertContains(
            self.response,
            '<p class="label-line"><a href="/kind/analysis/">Analysis</a> '
            '<span aria-hidden="true">|</span> '
            '<a href="/section/global-crises/">Global Crises</a></p>',
            count=2,
            html=True,
        )

    def test_headline_dek_byline_and_date(self):
        self.assertContains(
            self.response,
            '<h1 class="article__headline">Will the ceasefire survive the first hard winter?</h1>',
            html=True,
        )
        self.assertContains(
            self.response,
            '<p class="article__dek">Diplomats are quietly preparing for failure.</p>',
            html=True,
        )
        self.assertContains(
            self.response,
            '<p class="byline">By <a href="/authors/ana-ruiz/">Ana Ruiz</a> and '
            '<a href="/authors/ben-okafor/">Ben Okafor</a></p>',
            html=True,
        )
        published = timezone.localtime(self.article.published_at)
        # To the second: HTML's datetime attribute refuses microseconds.
        moment = published.replace(microsecond=0).isoformat()
        self.assertContains(self.response, f'<time datetime="{moment}">')
        self.assertContains(self.response, published.strftime("%-d %B %Y"))

    def test_byline_joins_three_authors_and_escapes_names(self):
        article = make_article(
            authors=[make_author("A & Co"), make_author("Dora Ek"), make_author("Femi Bello")]
        )
        response = self.client.get(article.get_absolute_url())
        self.assertContains(
            response,
            '<p class="byline">By <a href="/authors/a-co/">A &amp; Co</a>, '
            '<a href="/authors/dora-ek/">Dora Ek</a> and '
            '<a href="/authors/femi-bello/">Femi Bello</a></p>',
            html=True,
        )

    def test_lead_image_has_real_alt_text(self):
        self.assertContains(
            self.response,
            f'<img src="{self.photo.image.url}" alt="A destroyed bridge over a river at dusk"',
        )

    def test_body_is_rendered_as_html(self):
        self.assertContains(
            self.response,
            '<p>The body starts here, with <a href="https://example.com/" '
            'rel="noopener noreferrer">a link</a>.</p>',
            html=True,
        )

    def test_photo_credit_follows_the_body_and_links_the_creators(self):
        content = self.response.content.decode()
        credit = (
            '<p class="photo-credit">Photo credit: <a href="/credits/jane-doe/">Jane Doe</a> / '
            '<a href="/credits/stockagencyexample/">stockagency.example</a></p>'
        )
        self.assertContains(self.response, credit, count=1, html=True)
        self.assertGreater(content.index("Photo credit:"), content.index("And ends"))
        self.assertNotIn(": :", content)

    def test_topics_are_linked(self):
        self.assertContains(
            self.response, '<a href="/topic/trump-transition/">Trump transition</a>', html=True
        )

    def test_latest_river_shows_other_articles_with_their_top_photo_credit(self):
        self.assertContains(self.response, '<h2 id="latest-title" class="river__title">Latest')
        self.assertContains(self.response, "Sanctions bite in the north")
        self.assertContains(self.response, 'alt="Viktor Example"')
        self.assertContains(
            self.response,
            '<p class="photo-credit">Top image credit: Viktor Example (Channel 4 screenshot)</p>',
            html=True,
        )
        # The article itself is not in its own river (it is a link only in the breadcrumbs).
        self.assertNotContains(
            self.response, f'<a href="{self.article.get_absolute_url()}">Will the ceasefire'
        )

    def test_newsletter_box_and_follow_us(self):
        self.assertContains(self.response, "Newsletter")
        self.assertContains(
            self.response, "Subscribe to our weekly round-up of contributors and analysis."
        )
        self.assertContains(self.response, "Follow us on social")
        self.assertContains(
            self.response,
            '<a href="https://bsky.app/profile/meridian.example" rel="me noopener">Bluesky</a>',
            html=True,
        )

    def test_navigation_lists_sections_and_running_topics(self):
        self.assertContains(
            self.response, '<a href="/section/global-crises/">Global Crises</a>', html=True
        )
        SiteSettings.load().nav_topics.set(Tag.objects.filter(name="Trump transition"))
        response = self.client.get(self.article.get_absolute_url())
        self.assertContains(
            response,
            '<li class="site-nav__topic"><a href="/topic/trump-transition/">Trump transition</a>'
            "</li>",
            html=True,
        )


class CreditRenderingTests(TemporaryMediaTestCase):
    @classmethod
    def setUpTestData(cls):
        make_site()
        cls.uncredited = make_article(lead_photo=make_photo(), published_at=hours_ago(1))
        cls.credited = make_article(
            lead_photo=make_photo(creator=make_creator("Jane Doe")), published_at=hours_ago(2)
        )

    def test_teaser_card_shows_top_photo_credit_with_creator_link(self):
        response = self.client.get("/")
        self.assertContains(
            response,
            '<p class="photo-credit">Top photo credit: '
            '<a href="/credits/jane-doe/">Jane Doe</a></p>',
            count=1,
            html=True,
        )

    def test_uncredited_photo_never_renders_a_credit_label(self):
        Article.objects.filter(pk=self.credited.pk).update(status=Article.Status.DRAFT)
        for url in ["/", self.uncredited.get_absolute_url(), "/section/europe/"]:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertContains(response, self.uncredited.lead_photo.alt_text)
                self.assertNotContains(response, "Photo credit")
                self.assertNotContains(response, "photo-credit")
                self.assertNotContains(response, ": :")

    def test_label_on_cards_and_under_lead_images_follows_the_credit_type(self):
        labels = {
            Photo.CreditType.PHOTO: "photo credit",
            Photo.CreditType.SCREENSHOT: "image credit",
            Photo.CreditType.VIDEO_STILL: "image credit",
            Photo.CreditType.PHOTO_ILLUSTRATION: "illustration credit",
        }
        photo = self.credited.lead_photo
        for credit_type, label in labels.items():
            Photo.objects.filter(pk=photo.pk).update(credit_type=credit_type)
            with self.subTest(credit_type=credit_type):
                card = self.client.get("/")
                self.assertContains(card, f'<p class="photo-credit">Top {label}: ', count=1)
                page = self.client.get(self.credited.get_absolute_url())
                self.assertContains(page, f'<p class="photo-credit">{label.capitalize()}: ')

    def test_pasted_label_is_not_doubled_on_the_page(self):
        Photo.objects.filter(pk=self.uncredited.lead_photo.pk).update(
            credit_text="Photo credit: : Jane Doe / stockagency.example"
        )
        photo = Photo.objects.get(pk=self.uncredited.lead_photo.pk)
        photo.save()
        response = self.client.get(self.uncredited.get_absolute_url())
        self.assertContains(response, "Photo credit: Jane Doe / stockagency.example")
        self.assertNotContains(response, ": :")
        self.assertNotContains(response, "Photo credit: Photo credit")


class TeaserCardTests(TemporaryMediaTestCase):
    @classmethod
    def setUpTestData(cls):
        make_site()

    def test_teaser_hides_the_rest_of_its_text_behind_keep_reading(self):
        make_article(teaser="First paragraph.\n\nSecond paragraph.\n\nThird paragraph.")
        response = self.client.get("/")
        self.assertContains(response, "<p>First paragraph.</p>", html=True)
        self.assertContains(
            response,
            '<details class="teaser__more"><summary>'
            '<span class="teaser__open">keep reading</span>'
            '<span class="teaser__close">Show less</span></summary>'
            "<p>Second paragraph.</p><p>Third paragraph.</p></details>",
            html=True,
        )

    def test_one_paragraph_teaser_has_nothing_to_expand(self):
        make_article(teaser="The only paragraph.")
        response = self.client.get("/")
        self.assertContains(response, "<p>The only paragraph.</p>", html=True)
        self.assertNotContains(response, "<details")
        self.assertNotContains(response, "keep reading")

    def test_teaser_shows_headline_link_and_section_link(self):
        article = make_article(section=make_section("QiOSK"))
        response = self.client.get("/")
        self.assertContains(
            response,
            f'<h3 class="teaser__headline"><a href="{article.get_absolute_url()}">'
            f"{article.headline}</a></h3>",
            html=True,
        )
        self.assertContains(
            response,
            '<p class="teaser__section"><a href="/section/qiosk/">QiOSK</a></p>',
            html=True,
        )


class HomePageTests(TemporaryMediaTestCase):
    @classmethod
    def setUpTestData(cls):
        make_site()
        cls.featured = make_article(headline="The featured story", featured=True)
        cls.latest = make_article(headline="An ordinary story", published_at=hours_ago(1))
        cls.draft = make_article(headline="A draft story", status=Article.Status.DRAFT)
        cls.future = make_article(
            headline="A scheduled story", published_at=timezone.now() + datetime.timedelta(hours=1)
        )

    def test_featured_article_leads_and_the_rest_are_in_the_latest_river(self):
        response = self.client.get("/")
        content = response.content.decode()
        self.assertContains(response, '<section class="featured" aria-labelledby="featured-title">')
        self.assertContains(response, "teaser teaser--large")
        self.assertContains(response, "The featured story", count=1)
        self.assertLess(content.index("The featured story"), content.index("Latest</h2>"))
        self.assertGreater(content.index("An ordinary story"), content.index("Latest</h2>"))

    def test_drafts_and_scheduled_articles_are_not_listed(self):
        response = self.client.get("/")
        self.assertNotContains(response, "A draft story")
        self.assertNotContains(response, "A scheduled story")

    def test_scheduled_article_appears_once_its_time_has_passed(self):
        Article.objects.filter(pk=self.future.pk).update(published_at=hours_ago(0.01))
        self.assertContains(self.client.get("/"), "A scheduled story")
        self.assertEqual(self.client.get(self.future.get_absolute_url()).status_code, 200)

    def test_second_page_lists_older_articles_without_the_featured_block(self):
        for number in range(12):
            make_article(headline=f"Filler story {number}", published_at=hours_ago(0.5))
        page_one = self.client.get("/")
        self.assertNotContains(page_one, "An ordinary story")
        self.assertNotContains(page_one, 'rel="prev"')

        page_two = self.client.get(older_link(page_one))
        self.assertContains(page_two, "An ordinary story")
        self.assertNotContains(page_two, "The featured story")
        self.assertNotContains(page_two, 'rel="next"')
        # Newer leads back to the first page's articles.
        newer = self.client.get(newer_link(page_two))
        self.assertContains(newer, '<article class="teaser">', count=12)
        self.assertContains(newer, "Filler story 0")

    def test_pages_beyond_the_archive_or_with_broken_cursors_are_not_found(self):
        for query in ["?before=0_0", "?after=99999999999999999_1", "?before=x", "?after=1_2_3"]:
            with self.subTest(query=query):
                self.assertContains(self.client.get("/" + query), NOT_FOUND, status_code=404)


def older_link(response) -> str:
    return "/?" + re.search(r'href="\?([^"]+)" rel="next"', response.content.decode())[1].replace(
        "&amp;", "&"
    )


def newer_link(response) -> str:
    return "/?" + re.search(r'href="\?([^"]+)" rel="prev"', response.content.decode())[1]


class ListPageTests(TemporaryMediaTestCase):
    @classmethod
    def setUpTestData(cls):
        make_site()
        cls.europe = make_section("Europe", description="News and analysis from Europe.")
        cls.asia = make_section("Asia")
        cls.news = make_kind("News")
        cls.ana = make_author("Ana Ruiz", bio="Ana covers diplomacy.")
        AuthorLink.objects.create(author=cls.ana, label="Website", url="https://ana.example/")
        cls.in_europe = make_article(
            headline="A European story",
            section=cls.europe,
            kind=cls.news,
            authors=[cls.ana],
            tags=["Trump transition"],
            published_at=hours_ago(1),
        )
        cls.also_in_europe = make_article(headline="An Asian story", section=cls.asia)
        cls.also_in_europe.other_sections.add(cls.europe)
        cls.elsewhere = make_article(headline="A story about nothing", section=cls.asia)
        cls.draft = make_article(
            headline="A draft in Europe",
            section=cls.europe,
            kind=cls.news,
            authors=[cls.ana],
            tags=["Trump transition"],
            status=Article.Status.DRAFT,
        )

    def test_section_page_lists_its_articles_and_those_also_filed_there(self):
        response = self.client.get(self.europe.get_absolute_url())
        self.assertContains(response, "<h1>Europe</h1>", html=True)
        self.assertContains(response, "News and analysis from Europe.")
        self.assertContains(response, '<article class="teaser">', count=2)
        self.assertContains(response, "A European story")
        self.assertContains(response, "An Asian story")
        self.assertNotContains(response, "A story about nothing")
        self.assertNotContains(response, "A draft in Europe")

    def test_kind_page(self):
        response = self.client.get(self.news.get_absolute_url())
        self.assertContains(response, "<h1>News</h1>", html=True)
        self.assertContains(response, '<article class="teaser">', count=1)
        self.assertContains(response, "A European story")

    def test_topic_page(self):
        response = self.client.get("/topic/trump-transition/")
        self.assertContains(response, "<h1>Trump transition</h1>", html=True)
        self.assertContains(response, '<article class="teaser">', count=1)
        self.assertContains(response, "A European story")

    def test_author_page_shows_bio_links_and_their_articles(self):
        response = self.client.get(self.ana.get_absolute_url())
        self.assertContains(response, "<h1>Ana Ruiz</h1>", html=True)
        self.assertContains(response, "Ana covers diplomacy.")
        self.assertContains(
            response, '<a href="https://ana.example/" rel="me noopener">Website</a>', html=True
        )
        self.assertContains(response, '<article class="teaser">', count=1)
        self.assertContains(response, "A European story")

    def test_author_with_two_roles_on_one_article_lists_it_once(self):
        Byline.objects.create(article=self.in_europe, author=self.ana, role=Byline.Role.PHOTOS)
        response = self.client.get(self.ana.get_absolute_url())
        self.assertContains(response, "A European story", count=1)

    def test_list_pages_paginate(self):
        for number in range(12):
            make_article(
                headline=f"Filler {number}",
                section=self.europe,
                kind=self.news,
                authors=[self.ana],
                tags=["Trump transition"],
            )
        for url in [
            self.europe.get_absolute_url(),
            self.news.get_absolute_url(),
            "/topic/trump-transition/",
            self.ana.get_absolute_url(),
        ]:
            with self.subTest(url=url):
                page_one = self.client.get(url)
                self.assertContains(page_one, '<article class="teaser">', count=12)
                self.assertNotContains(page_one, "A European story")
                page_two = self.client.get(url + older_link(page_one)[1:])
                self.assertContains(page_two, "A European story")

    def test_unknown_slugs_show_the_friendly_not_found_page(self):
        for url in [
            "/articles/no-such-article/",
            "/section/no-such-section/",
            "/kind/no-such-kind/",
            "/topic/no-such-topic/",
            "/authors/no-such-author/",
            "/credits/no-such-creator/",
            "/no/such/page/",
        ]:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertContains(response, NOT_FOUND, status_code=404)
                self.assertTemplateUsed(response, "404.html")

    def test_the_not_found_page_offers_a_search_for_the_words_of_the_address(self):
        # An old or mistyped link still names what the reader was after.
        for url, words in [
            ("/articles/black-sea-grain-deal/", "black sea grain deal"),
            ("/topic/Zürich_banks/", "Zürich banks"),
            ("/articles/ports-2024.html", "ports 2024"),
            ("/no/such/page/", "page"),
            ('/"><script>alert(1)</script>/', "script"),
            ("/123/", ""),
        ]:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertContains(
                    response,
                    '<input type="search" name="q" id="not-found-q" maxlength="200"'
                    f' value="{words}">',
                    status_code=404,
                    html=True,
                )
                self.assertContains(response, 'action="/search/"', status_code=404)


class UnpublishedArticleTests(TemporaryMediaTestCase):
    @classmethod
    def setUpTestData(cls):
        make_site()
        cls.draft = make_article(headline="Draft: the secret memo", status=Article.Status.DRAFT)
        cls.future = make_article(
            headline="Embargoed until tomorrow",
            published_at=timezone.now() + datetime.timedelta(days=1),
        )
        cls.staff = make_editor()

    def test_drafts_and_future_articles_are_not_found_for_readers(self):
        for article in [self.draft, self.future]:
            with self.subTest(article=article):
                response = self.client.get(article.get_absolute_url())
                self.assertContains(response, NOT_FOUND, status_code=404)

    def test_drafts_are_not_found_even_for_staff_on_the_public_address(self):
        self.client.force_login(self.staff)
        self.assertEqual(self.client.get(self.draft.get_absolute_url()).status_code, 404)

    def test_staff_without_permission_to_view_articles_cannot_preview(self):
        self.client.force_login(make_user(is_staff=True))
        self.assertEqual(self.client.get(f"/preview/{self.draft.pk}/").status_code, 403)

    def test_staff_preview_shows_a_draft_never_indexed(self):
        self.client.force_login(self.staff)
        response = self.client.get(f"/preview/{self.draft.pk}/")
        self.assertContains(response, "Draft: the secret memo")
        self.assertContains(response, '<p class="preview-banner" role="status">Preview</p>')
        self.assertContains(response, '<meta name="robots" content="noindex')
        self.assertEqual(response["X-Robots-Tag"], "noindex, nofollow")
        self.assertIn("no-store", response["Cache-Control"])
        self.assertContains(response, "Not yet published")

    def test_preview_of_a_draft_without_a_headline_names_the_gap_in_its_heading(self):
        # An empty <h1> is an accessibility error (axe: empty-heading) and hides the gap.
        untitled = make_article(headline="", slug="untitled", status=Article.Status.DRAFT)
        self.client.force_login(self.staff)
        response = self.client.get(f"/preview/{untitled.pk}/")
        self.assertContains(
            response, '<h1 class="article__headline">No headline yet</h1>', html=True
        )
        self.assertContains(response, "<title>The Meridian</title>", html=True)

    def test_preview_sends_anonymous_visitors_and_non_staff_to_the_login(self):
        for user in [None, make_user()]:
            with self.subTest(user=user):
                if user:
                    self.client.force_login(user)
                response = self.client.get(f"/preview/{self.draft.pk}/")
                self.assertRedirects(
                    response,
                    f"/admin/login/?next=/preview/{self.draft.pk}/",
                    fetch_redirect_response=False,
                )

    def test_preview_of_unknown_article_is_not_found(self):
        self.client.force_login(self.staff)
        self.assertEqual(self.client.get("/preview/999999/").status_code, 404)


class ShareLinkViewTests(TemporaryMediaTestCase):
    @classmethod
    def setUpTestData(cls):
        make_site()
        cls.draft = make_article(headline="Draft for the fact-checker", status=Article.Status.DRAFT)

    def test_valid_link_shows_the_draft_never_indexed_or_cached(self):
        link = make_share_link(self.draft)
        response = self.client.get(link.get_absolute_url())
        self.assertContains(response, "Draft for the fact-checker")
        self.assertContains(response, "Shared draft, version of ")
        self.assertContains(response, "not for publication")
        self.assertContains(response, '<meta name="robots" content="noindex')
        self.assertNotContains(response, 'rel="canonical"')
        self.assertIn("noindex", response["X-Robots-Tag"])
        self.assertIn("no-store", response["Cache-Control"])

    def test_expired_revoked_and_tampered_links_are_not_found(self):
        links = {
            "expired": make_share_link(self.draft, days=-1).token,
            "revoked": make_share_link(self.draft, revoked_at=timezone.now()).token,
            "tampered": tampered(make_share_link(self.draft).token),
            "garbage": "not-a-token",
        }
        for case, token in links.items():
            with self.subTest(case):
                response = self.client.get(f"/share/{token}/")
                self.assertContains(response, NOT_FOUND, status_code=404)
                self.assertNotContains(response, "Draft for the fact-checker", status_code=404)


class CacheabilityTests(TemporaryMediaTestCase):
    """Public pages are the same for everyone, so a cache in front can serve them whole."""

    @classmethod
    def setUpTestData(cls):
        make_site()
        cls.author = make_author("Ana Ruiz")
        cls.article = make_article(authors=[cls.author], tags=["Trump transition"])
        cls.staff = make_user(is_staff=True, is_superuser=True)

    def public_urls(self):
        return listing_urls(self.article, self.author)

    def test_anonymous_pages_set_no_cookie_hold_no_token_and_do_not_vary_on_cookies(self):
        for url in self.public_urls():
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(dict(response.cookies), {})
                self.assertNotContains(response, "csrfmiddlewaretoken")
                self.assertNotIn("Cookie", response.get("Vary", ""))

    def test_staff_get_exactly_the_page_everyone_gets(self):
        anonymous = {url: self.client.get(url).content for url in self.public_urls()}
        self.client.force_login(self.staff)
        for url in self.public_urls():
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).content, anonymous[url])

    def test_edit_link_is_in_the_page_but_hidden(self):
        edit_link = (
            f'<a class="staff-edit" href="/admin/articles/article/{self.article.pk}/change/" '
            "hidden>Edit this article</a>"
        )
        self.assertContains(self.client.get(self.article.get_absolute_url()), edit_link, html=True)
        self.client.force_login(self.staff)
        self.assertContains(self.client.get(self.article.get_absolute_url()), edit_link, html=True)


class QueryBudgetTests(QueryCountMixin, TemporaryMediaTestCase):
    """Listing pages run a fixed number of queries, however many articles they show."""

    @classmethod
    def setUpTestData(cls):
        make_site()
        cls.section = make_section("Europe")
        cls.author = make_author("Ana Ruiz")
        cls.numbers = itertools.count()
        cls.article = cls.make_rich_article(featured=True)
        cls.make_rich_article()

    @classmethod
    def make_rich_article(cls, **overrides):
        """A live article with two bylines, two topics and a credited lead photo."""
        number = next(cls.numbers)
        photo = make_photo(
            creator=make_creator(f"Photographer {number}"),
            source=make_creator(f"Agency {number}"),
            credit_type=Photo.CreditType.FILE_PHOTO,
        )
        return make_article(
            section=cls.section,
            lead_photo=photo,
            authors=[cls.author, make_author(), (make_author(), Byline.Role.PHOTOS)],
            tags=["Trump transition", f"Topic {number}"],
            **overrides,
        )

    def grow_listing(self):
        for _ in range(4):
            self.make_rich_article(featured=True)

    def grow_article(self):
        self.grow_listing()
        photo = make_photo(creator=make_creator())
        self.article.body += f'<figure class="image"><img src="{photo.image.url}"></figure>'
        self.article.save()
        for _ in range(3):
            Byline.objects.create(article=self.article, author=make_author())
        self.article.tags.add("Topic A", "Topic B", "Topic C")

    def test_home_page_query_budget(self):
        self.assertQueriesDoNotGrow("/", self.grow_listing)
        # the river's article ids; no count. The featured articles, each card and the site
        # chrome are fragments cached under the content version.
        with self.assertNumQueries(1):
            self.client.get("/")

    def test_first_render_of_a_listing_after_an_edit(self):
        self.client.get("/")
        self.section.save()  # any edit: every cached piece is stale
        # featured article ids, river article ids, the cards' articles (+kind, section,
        # lead photo, creator, source); site settings (+nav topics, social links), sections
        with self.assertNumQueries(7):
            self.client.get("/")
        with self.assertNumQueries(1):
            self.client.get("/")

    def test_article_page_query_budget(self):
        url = self.article.get_absolute_url()
        self.assertQueriesDoNotGrow(url, self.grow_article)
        # the live article with this slug; the page itself (article, rivers, head meta)
        # and the site chrome are fragments cached under the content version
        with self.assertNumQueries(1):
            self.client.get(url)

    def test_first_render_after_an_edit_loads_the_shared_pieces_once(self):
        url = self.article.get_absolute_url()
        self.client.get(url)
        self.section.save()  # any edit: every cached piece is stale
        # the live article with this slug; then for the page's fragment the article
        # (+kind, section, lead photo, creator, source), bylines+authors, body photos+credits,
        # tags, corrections, related and latest rivers (+kind, section, lead photo, credits);
        # site settings (+nav topics, social links), nav sections
        with self.assertNumQueries(12):
            self.client.get(url)
        with self.assertNumQueries(1):
            self.client.get(url)

    def test_section_page_query_budget(self):
        url = self.section.get_absolute_url()
        self.assertQueriesDoNotGrow(url, self.grow_listing)
        # the river's article ids (the section and the cards are fragments)
        with self.assertNumQueries(1):
            self.client.get(url)

    def test_topic_page_query_budget(self):
        url = "/topic/trump-transition/"
        self.assertQueriesDoNotGrow(url, self.grow_listing)
        # the river's article ids (the topic and the cards are fragments)
        with self.assertNumQueries(1):
            self.client.get(url)

    def test_author_page_query_budget(self):
        url = self.author.get_absolute_url()
        self.assertQueriesDoNotGrow(url, self.grow_listing)
        # the river's article ids (the author with photo, credits and links, and the
        # cards are fragments)
        with self.assertNumQueries(1):
            self.client.get(url)


class NonAsciiTopicTests(TemporaryMediaTestCase):
    def test_a_topic_with_non_ascii_letters_links_to_its_page(self):
        make_site()
        article = make_article(headline="Talks move to Zürich")
        article.tags.add("Zürich talks")
        response = self.client.get(article.get_absolute_url())
        self.assertContains(response, 'href="/topic/z%C3%BCrich-talks/"')
        self.assertContains(self.client.get("/topic/zürich-talks/"), "Talks move to Zürich")


class StoredBodyTests(TemporaryMediaTestCase):
    """The page never trusts stored HTML: a row written past save() is cleaned on render."""

    HOSTILE = (
        "<p>Kept paragraph.</p><script>alert(1)</script>"
        '<img src="x" onerror="alert(2)"><a href="javascript:alert(3)">link</a>'
        '<iframe src="https://evil.example/"></iframe><p style="color:red" onclick="alert(4)">x</p>'
        '<figure class="image"><img src="/media/x.jpg" alt="A"><figcaption>'
        "<script>alert(5)</script>Caption</figcaption></figure>"
    )

    @classmethod
    def setUpTestData(cls):
        make_site()
        cls.article = make_article(headline="Raw body")
        cls.draft = make_article(headline="Raw draft", status=Article.Status.DRAFT)
        # As a queryset update, loaddata, an import or a data migration would write it.
        Article.objects.update(body=cls.HOSTILE)
        cls.staff = make_editor()

    def test_hostile_markup_written_past_save_never_renders(self):
        self.client.force_login(self.staff)
        urls = [
            self.article.get_absolute_url(),
            f"/preview/{self.draft.pk}/",
            make_share_link(self.draft).get_absolute_url(),
        ]
        for url in urls:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertContains(response, "Kept paragraph.")
                self.assertContains(response, "Caption")
                for dangerous in ["alert(", "onerror", "javascript:", "<iframe", "onclick"]:
                    self.assertNotContains(response, dangerous)


class CreatorPageTests(TemporaryMediaTestCase):
    @classmethod
    def setUpTestData(cls):
        make_site()
        cls.jane = make_creator("Jane Doe", website="https://jane.example/")
        cls.agency = make_creator("stockagency.example", kind=Creator.Kind.ORGANISATION)
        cls.by_jane = make_photo(alt_text="Harbour at dawn", creator=cls.jane, source=cls.agency)
        cls.from_agency = make_photo(alt_text="Crowd in the square", source=cls.agency)
        cls.unrelated = make_photo(alt_text="Someone else's photo", creator=make_creator())
        for photo in [cls.by_jane, cls.from_agency, cls.unrelated]:
            make_article(lead_photo=photo)

    def test_creator_page_lists_their_photos_with_credits(self):
        response = self.client.get(self.jane.get_absolute_url())
        self.assertContains(response, "<h1>Jane Doe</h1>", html=True)
        self.assertContains(
            response, '<a href="https://jane.example/" rel="noopener">https://jane.example/</a>'
        )
        self.assertContains(response, 'alt="Harbour at dawn"')
        self.assertContains(response, "Photo credit: ")
        self.assertNotContains(response, "Crowd in the square")
        self.assertNotContains(response, "Someone else")

    def test_agency_page_lists_the_photos_it_supplied(self):
        response = self.client.get(self.agency.get_absolute_url())
        self.assertContains(response, "Organisation")
        self.assertContains(response, 'alt="Harbour at dawn"')
        self.assertContains(response, 'alt="Crowd in the square"')

    def test_photos_readers_have_not_seen_are_not_listed(self):
        make_article(
            lead_photo=make_photo(alt_text="Embargoed portrait", creator=self.jane),
            status=Article.Status.DRAFT,
        )
        make_photo(alt_text="Uploaded but unused", creator=self.jane)
        make_article(
            lead_photo=make_photo(
                alt_text="Licence ran out",
                creator=self.jane,
                license_expires_on=datetime.date(2020, 1, 1),
            )
        )
        response = self.client.get(self.jane.get_absolute_url())
        self.assertContains(response, 'alt="Harbour at dawn"')
        for hidden in ["Embargoed portrait", "Uploaded but unused", "Licence ran out"]:
            self.assertNotContains(response, hidden)

    def test_creator_pages_keep_their_address(self):
        self.assertEqual(self.jane.get_absolute_url(), "/credits/jane-doe/")
        self.assertEqual(reverse("articles:creator", args=["jane-doe"]), "/credits/jane-doe/")

    def test_creator_without_photos(self):
        response = self.client.get(make_creator("New Photographer").get_absolute_url())
        self.assertContains(response, "No photos yet.")

    def test_creator_page_query_budget(self):
        self.client.get(self.agency.get_absolute_url())
        # the photos' ids; the creator, the chrome and each photo's figure are cached
        with self.assertNumQueries(1):
            self.client.get(self.agency.get_absolute_url())
        for _ in range(3):
            make_article(lead_photo=make_photo(creator=make_creator(), source=self.agency))
        self.client.get(self.agency.get_absolute_url())
        with self.assertNumQueries(1):
            response = self.client.get(self.agency.get_absolute_url())
        self.assertContains(response, "<figure>", count=5)

    def test_edits_to_a_photo_or_its_creator_show_at_once(self):
        url = self.agency.get_absolute_url()
        self.client.get(url)
        self.by_jane.caption = "Fog lifting over the harbour"
        self.by_jane.save()
        self.jane.name = "Jane Doe-Smith"
        self.jane.save()
        response = self.client.get(url)
        self.assertContains(response, "Fog lifting over the harbour")
        self.assertContains(response, "Jane Doe-Smith")
        # Only the first figure is loaded eagerly, whichever photo comes first.
        self.assertContains(response, 'fetchpriority="high"', count=1)
