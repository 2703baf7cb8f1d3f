"""Titles and descriptions for search results and shared links: the editor's overrides,
the site's name only where it fits, descriptions shortened at a word."""

import html
import re

from django.conf import settings
from django.test import SimpleTestCase, TestCase
from django.urls import reverse
from django.utils import timezone

from articles import seo
from articles.models import Article
from newsletter.models import Roundup
from tests.articles.test_article_page import structured_data
from tests.factories import (
    AdminTestCase,
    article_change_url,
    article_form_data,
    make_article,
    make_author,
    make_creator,
    make_photo,
    make_section,
    make_site,
)

SHORT_HEADLINE = "Ports reopen on the Black Sea"  # 29 + " — The Meridian" = 44
LONG_HEADLINE = "Can the alliance hold together through a long and unusually difficult winter?"
LONG_DEK = (
    "Ministers meet in Brussels this week with the grain corridor, the energy price cap and "
    "the question of who pays for the next winter of air defence all unresolved, and with "
    "elections looming in three capitals."
)


def head(response) -> dict[str, str]:
    """The page's <title> and its title and description tags, unescaped."""
    page = response.content.decode()
    tags = {
        name: html.unescape(content)
        for name, content in re.findall(
            r'<meta (?:name|property)="((?:og:|twitter:)?(?:title|description))" '
            r'content="([^"]*)">',
            page,
        )
    }
    (title,) = re.findall(r"<title>([^<]*)</title>", page)
    return {"title": html.unescape(title), **tags}


class ShortenTests(SimpleTestCase):
    def test_a_description_is_cut_at_a_word_with_an_ellipsis(self):
        for text, limit, shortened in [
            ("one two", 8, "one two"),
            ("  one\n two ", 8, "one two"),
            ("one two three", 8, "one two…"),
            ("one, two three", 8, "one…"),  # cut after "tw": back to "one", no comma
            ("x" * 20, 8, "x" * 7 + "…"),  # a single long word is cut inside it
            ("a" * 160, 160, "a" * 160),
        ]:
            with self.subTest(text=text, limit=limit):
                self.assertEqual(seo.shorten(text, limit), shortened)

    def test_the_site_name_is_kept_only_where_it_fits(self):
        self.assertEqual(seo.title_tag("Ports", "The Meridian"), "Ports — The Meridian")
        self.assertEqual(seo.title_tag("x" * 45, "The Meridian"), "x" * 45 + " — The Meridian")
        self.assertEqual(seo.title_tag("x" * 46, "The Meridian"), "x" * 46)


class TitleAndDescriptionTests(AdminTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.short = make_article(
            headline=SHORT_HEADLINE,
            dek="Ships sail again.",
            authors=[make_author("Ana Ruiz")],
            lead_photo=make_photo(credit_text="Jane Doe / stockagency.example"),
        )
        cls.long = make_article(headline=LONG_HEADLINE, dek=LONG_DEK)
        cls.overridden = make_article(
            headline=LONG_HEADLINE,
            dek=LONG_DEK,
            seo_title="Can the alliance last the winter?",
            seo_description="Grain, energy and air defence divide the ministers.",
        )

    def test_without_overrides_the_headline_and_a_shortened_dek(self):
        short = head(self.client.get(self.short.get_absolute_url()))
        self.assertEqual(short["title"], f"{SHORT_HEADLINE} — The Meridian")
        self.assertEqual(short["og:title"], SHORT_HEADLINE)
        self.assertEqual(short["description"], "Ships sail again.")

        long = head(self.client.get(self.long.get_absolute_url()))
        # 78 characters: the site's name would push it to 93.
        self.assertEqual(long["title"], LONG_HEADLINE)
        description = long["description"]
        self.assertLessEqual(len(description), 160)
        self.assertTrue(description.endswith("winter of air defence all…"), description)
        self.assertTrue(LONG_DEK.startswith(description[:-1]))
        for name in ["og:description", "twitter:description"]:
            self.assertEqual(long[name], description)
        self.assertEqual([long["og:title"], long["twitter:title"]], [LONG_HEADLINE] * 2)
        # The page itself shows the whole dek; structured data carries it too.
        self.assertContains(self.client.get(self.long.get_absolute_url()), LONG_DEK)

    def test_the_editors_title_and_description_replace_them(self):
        response = self.client.get(self.overridden.get_absolute_url())
        tags = head(response)
        self.assertEqual(tags["title"], "Can the alliance last the winter? — The Meridian")
        for name in ["og:title", "twitter:title"]:
            self.assertEqual(tags[name], "Can the alliance last the winter?")
        for name in ["description", "og:description", "twitter:description"]:
            self.assertEqual(tags[name], "Grain, energy and air defence divide the ministers.")
        news = structured_data(response)[0]
        self.assertEqual(news["headline"], LONG_HEADLINE)  # what the page shows
        self.assertEqual(news["alternativeHeadline"], "Can the alliance last the winter?")
        self.assertEqual(news["description"], self.overridden.seo_description)
        self.assertNotIn(
            "alternativeHeadline", structured_data(self.client.get(self.long.get_absolute_url()))[0]
        )

    def test_every_page_shortens_its_description(self):
        # A section's description, like the newsletter's blurb (~35 words), can be long.
        section = make_section("Baltic", description=LONG_DEK)
        make_site(newsletter_blurb=LONG_DEK)
        for url in [section.get_absolute_url(), reverse("newsletter:signup")]:
            with self.subTest(url):
                description = head(self.client.get(url))["description"]
                self.assertLessEqual(len(description), 160)
                self.assertTrue(description.endswith("…"))

    def test_every_page_named_by_an_editor_keeps_the_site_name_only_where_it_fits(self):
        # Sections, topics, authors, photographers and round-ups are named by editors as
        # freely as headlines: search results cut a title at about 60 characters.
        long_name = "The Organisation for Security and Co-operation in Europe"  # 56
        article = make_article(
            section=make_section(long_name), authors=[make_author(long_name)], tags=[long_name]
        )
        creator = make_creator(long_name + " press office")
        roundup = Roundup.objects.create(
            subject=LONG_HEADLINE, status=Roundup.Status.SENT, sent_at=timezone.now()
        )
        for url, title in [
            (article.section.get_absolute_url(), long_name),
            (article.bylines.get().author.get_absolute_url(), long_name),
            (reverse("articles:tag", args=[article.tags.get().slug]), long_name),
            (creator.get_absolute_url(), creator.name),
            (roundup.get_absolute_url(), LONG_HEADLINE),
        ]:
            with self.subTest(url):
                self.assertEqual(head(self.client.get(url))["title"], title)
        short = make_section("Baltic")
        self.assertEqual(
            head(self.client.get(short.get_absolute_url()))["title"], "Baltic — The Meridian"
        )

    def test_the_article_form_folds_them_away_and_saves_them(self):
        url = reverse("admin:articles_article_change", args=[self.short.pk])
        page = self.client.get(url).content.decode()
        fieldset = re.search(
            r"<details>.*?</details>", page[page.index("Search and sharing") - 400 :], re.S
        )
        self.assertIn('name="seo_title"', fieldset.group())
        self.assertIn('name="seo_description"', fieldset.group())
        response = self.client.post(
            url, article_form_data(self.short, seo_title="Black Sea ports reopen")
        )
        self.assertEqual(response.status_code, 302)
        self.short.refresh_from_db()
        self.assertEqual(self.short.seo_title, "Black Sea ports reopen")
        self.assertEqual(
            head(self.client.get(self.short.get_absolute_url()))["og:title"],
            "Black Sea ports reopen",
        )

    def test_the_live_checks_warn_of_a_long_title_or_description(self):
        response = self.client.post(
            reverse("admin:articles_article_checks"),
            article_form_data(self.short, seo_title="x" * 61, seo_description="y " * 80 + "z"),
        )
        checks = response.json()["html"]
        self.assertIn(
            "The search and sharing title is 61 characters; search results show about 60.", checks
        )
        self.assertIn(
            "The search and sharing description is 161 characters; search results show about 160.",
            checks,
        )
        # A new article's form that does not validate: the fields hold their defaults.
        empty = self.client.post(reverse("admin:articles_article_checks"), {"headline": ""})
        self.assertIn("The dek is missing.", empty.json()["html"])
        article = Article(headline="x", dek="y", seo_title="x" * 60, seo_description="y" * 160)
        self.assertFalse([w for w in article.editorial_warnings(topic_count=1) if "search" in w])

    def test_the_search_fields_open_when_they_hold_text_or_an_error(self):
        def folded(response):
            page = response.content.decode()
            start = page.rindex("<fieldset", 0, page.index("Search and sharing"))
            return "<details>" in page[start : page.index("Search and sharing")]

        self.assertTrue(folded(self.client.get(article_change_url(self.long))))
        self.assertFalse(folded(self.client.get(article_change_url(self.overridden))))
        # Typed and sent back with an error elsewhere (publishing refused): still in sight.
        refused = self.client.post(
            article_change_url(self.long),
            article_form_data(self.long, seo_description="Ministers meet.", status="published"),
        )
        self.assertContains(refused, "Not published")
        self.assertFalse(folded(refused))
        too_long = self.client.post(
            article_change_url(self.long), article_form_data(self.long, seo_title="x" * 201)
        )
        self.assertEqual(too_long.status_code, 200)
        self.assertFalse(folded(too_long))

    def test_a_long_headline_without_a_search_title_is_warned_live_and_on_save(self):
        warning = (
            f"The headline is {len(LONG_HEADLINE)} characters and there is no search and "
            "sharing title: search results show about 60. Add a shorter one under “Search "
            "and sharing”."
        )
        checks = reverse("admin:articles_article_checks")
        live = self.client.post(checks, article_form_data(self.long)).json()["html"]
        self.assertIn(html.escape(warning), live)
        with_title = article_form_data(self.long, seo_title="Can the alliance hold?")
        self.assertNotIn(
            "no search and sharing title", self.client.post(checks, with_title).json()["html"]
        )
        short = article_form_data(self.long, headline="x" * 60)
        self.assertNotIn(
            "no search and sharing title", self.client.post(checks, short).json()["html"]
        )
        # Saving a live article lists it with the other warnings.
        saved = self.client.post(
            article_change_url(self.long), article_form_data(self.long), follow=True
        )
        self.assertContains(saved, html.escape(warning))
        self.assertNotIn(warning, self.overridden.editorial_warnings())


def canonical(response) -> str | None:
    found = re.findall(r'<link rel="canonical" href="([^"]*)">', response.content.decode())
    return html.unescape(found[0]) if found else None


class CanonicalTests(TestCase):
    """A page names one address as itself: the parameters that choose what it shows, and
    nothing a link added that the page ignores (each would be a duplicate of it)."""

    @classmethod
    def setUpTestData(cls):
        make_site()
        cls.section = make_section("Europe")
        for _ in range(13):  # a listing shows 12: a second page
            make_article(section=cls.section)

    def test_a_listing_names_its_keyset_page_and_nothing_it_ignores(self):
        url = self.section.get_absolute_url()
        base = f"{settings.SITE_URL}{url}"
        older = re.search(r'href="\?before=([^"]+)"', self.client.get(url).content.decode())
        cursor = html.unescape(older.group(1))
        for query, expected in [
            # Listings page by cursor: a page number is ignored there, so it names page one.
            ("?page=2", base),
            ("?page=abc", base),
            ("?page=2&utm_source=x", base),
            (f"?before={cursor}&page=3", f"{base}?before={cursor}"),
            # keyset_page reads ?before= when both are given.
            (f"?before={cursor}&after={cursor}", f"{base}?before={cursor}"),
        ]:
            with self.subTest(query):
                response = self.client.get(url + query)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(canonical(response), expected)
