import html
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree

import feedparser
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.test import SimpleTestCase
from django.utils.feedgenerator import Enclosure
from taggit.models import Tag

from articles.feeds import ArticleAtomGenerator, ArticleRssGenerator, absolute_urls
from articles.models import Article
from publication.models import Author, Section
from tests.factories import (
    QueryCountMixin,
    TemporaryMediaTestCase,
    make_article,
    make_author,
    make_creator,
    make_kind,
    make_photo,
    make_section,
    make_site,
)

HOSTILE = 'Crisis </title><script>alert("x")</script> & <b>more</b>'


class FeedTests(QueryCountMixin, TemporaryMediaTestCase):
    @classmethod
    def setUpTestData(cls):
        make_site()
        cls.section = make_section("Europe")
        cls.kind = make_kind("Analysis")
        cls.ana = make_author("Ana Ruiz")
        cls.ben = make_author("Ben Okafor")
        cls.photo = make_photo(creator=make_creator("Jane Doe"), may_redistribute=True)
        cls.article = make_article(
            headline=HOSTILE,
            dek="What the summit means.",
            body="<p>Full <em>body</em> text.</p>",
            section=cls.section,
            kind=cls.kind,
            authors=[cls.ana, cls.ben],
            tags=["Zeitenwende", "NATO"],
            lead_photo=cls.photo,
        )
        cls.draft = make_article(headline="Unpublished scoop", status="draft")

    def parse(self, url):
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200, url)
        feed = feedparser.parse(response.content)
        self.assertFalse(feed.bozo, f"{url}: {feed.get('bozo_exception')}")
        return feed

    def feed_urls(self):
        subjects = [
            "/",
            self.section.get_absolute_url(),
            self.kind.get_absolute_url(),
            self.ana.get_absolute_url(),
            "/topic/zeitenwende/",
        ]
        return [url + suffix for url in subjects for suffix in ("feed/", "feed/atom/")]

    def test_every_feed_parses_and_lists_the_live_article(self):
        for url in self.feed_urls():
            with self.subTest(url):
                feed = self.parse(url)
                self.assertEqual([entry.title for entry in feed.entries], [HOSTILE])

    def test_entry_carries_summary_content_authors_categories_dates_and_image(self):
        for url in ("/feed/", "/feed/atom/"):
            with self.subTest(url):
                entry = self.parse(url).entries[0]
                self.assertEqual(
                    entry.link, "http://127.0.0.1:8000" + self.article.get_absolute_url()
                )
                self.assertEqual(entry.summary, "What the summit means.")
                self.assertIn("<em>body</em>", entry.content[0].value)
                self.assertEqual(
                    [author.name for author in entry.authors], ["Ana Ruiz", "Ben Okafor"]
                )
                self.assertEqual(
                    [tag.term for tag in entry.tags], ["Europe", "Analysis", "Zeitenwende", "NATO"]
                )
                self.assertTrue(entry.published_parsed)
                enclosure = entry.enclosures[0]
                self.assertEqual(enclosure.href, self.photo.social_image()["url"])
                self.assertEqual(enclosure.type, "image/png")
                self.assertEqual(int(enclosure.length), self.photo.image.size)  # no renditions yet

    def test_atom_entry_has_update_date(self):
        entry = self.parse("/feed/atom/").entries[0]
        self.assertTrue(entry.updated_parsed)

    def test_atom_names_an_author_for_entries_without_a_byline(self):
        # RFC 4287: a feed names an author unless every entry does. A live article can
        # lack a byline (a row written past the admin's checks): that made the feed invalid.
        make_article(headline="No byline")
        root = ElementTree.fromstring(self.client.get("/feed/atom/").content)
        atom = "{http://www.w3.org/2005/Atom}"
        self.assertEqual(root.findtext(f"{atom}author/{atom}name"), "The Meridian")
        (entry,) = [
            e for e in root.iter(f"{atom}entry") if e.findtext(f"{atom}title") == "No byline"
        ]
        self.assertIsNone(entry.find(f"{atom}author"))
        # Entries with bylines still name their own authors.
        (entry,) = [e for e in root.iter(f"{atom}entry") if e.findtext(f"{atom}title") == HOSTILE]
        self.assertEqual(
            [name.text for name in entry.iterfind(f"{atom}author/{atom}name")],
            ["Ana Ruiz", "Ben Okafor"],
        )

    def test_entry_ids_stay_the_same_when_the_slug_changes(self):
        # A slug may change after publication; a new id would be a new entry to readers.
        before = {url: self.parse(url).entries[0] for url in ("/feed/", "/feed/atom/")}
        self.article.slug = "a-new-address"
        self.article.save()
        for url, entry in before.items():
            with self.subTest(url):
                after = self.parse(url).entries[0]
                self.assertEqual(after.link, "http://127.0.0.1:8000/articles/a-new-address/")
                self.assertEqual(after.id, entry.id)
                self.assertRegex(
                    after.id, rf"^tag:127\.0\.0\.1,\d{{4}}-\d\d-\d\d:article:{self.article.pk}$"
                )
                self.assertFalse(after.guidislink)

    def test_hostile_headline_stays_text(self):
        for url in ("/feed/", "/feed/atom/"):
            with self.subTest(url):
                response = self.client.get(url)
                self.assertNotIn(b"<script>", response.content)
                self.assertNotIn(b"</title><script", response.content)

    def test_a_dek_is_text_in_the_html_summary_readers_render(self):
        # RSS <description> and Atom <summary type="html"> hold HTML: a dek (plain text) with
        # markup in it, typed or written past save(), must reach the reader as text.
        Article.objects.filter(pk=self.article.pk).update(dek=HOSTILE)
        for url, summary in (
            ("/feed/", "channel/item/description"),
            ("/feed/atom/", "atom:entry/atom:summary"),
        ):
            with self.subTest(url):
                root = ElementTree.fromstring(self.client.get(url).content)
                found = root.find(summary, {"atom": "http://www.w3.org/2005/Atom"})
                self.assertEqual(found.text, html.escape(HOSTILE))

    def test_characters_xml_cannot_carry_are_dropped_not_an_error(self):
        # A word processor's line break (vertical tab), a form feed, an escape: illegal in
        # XML 1.0, wherever they sit in a feed. Saves drop them now (publication.text), so
        # they are written past save(), as rows from before that rule or an import hold them.
        hostile = "\x0b\x0c\x1b\x08\ufffe"
        section = make_section("Asia")
        author = make_author("Ida Berg")
        article = make_article(
            section=section, kind=self.kind, authors=[author], tags=["Ports and harbours"]
        )
        Section.objects.filter(pk=section.pk).update(description=f"Asia{hostile} desk")
        Author.objects.filter(pk=author.pk).update(name=f"Ida{hostile} Berg")
        Tag.objects.filter(name="Ports and harbours").update(name=f"Ports{hostile} and harbours")
        Article.objects.filter(pk=article.pk).update(
            headline=f"Soft{hostile} break",
            dek=f"Dek{hostile} text",
            body=f"<p>Body{hostile} text</p>",
        )
        urls = [*self.feed_urls(), "/section/asia/feed/", "/section/asia/feed/atom/"]
        for url in urls:
            with self.subTest(url):
                feed = self.parse(url)
                if url.startswith(("/feed/", "/section/asia/", "/kind/")):
                    entry = feed.entries[0]
                    self.assertEqual(entry.title, "Soft break")
                    self.assertIn("Body text", entry.content[0].value)
        self.assertEqual(self.parse("/section/asia/feed/").feed.description, "Asia desk")

    def test_photo_not_cleared_for_redistribution_is_not_an_enclosure(self):
        self.photo.may_redistribute = False
        self.photo.save()
        entry = self.parse("/feed/").entries[0]
        self.assertEqual(entry.get("enclosures", []), [])

    def test_body_figures_not_cleared_for_redistribution_stay_out_of_the_content(self):
        # "May the image go into newsletters and feeds sent to others?" holds for the
        # body's figures as for the enclosure: a reader's feed app shows them away from
        # the site, where the licence may not reach.
        cleared = make_photo(creator=make_creator("Jo Ng"), may_redistribute=True)
        not_cleared = make_photo(creator=make_creator("Ed Lee"))
        article = make_article(
            headline="Figures",
            body=(
                "<p>Before.</p>"
                f'<figure class="image"><img src="{cleared.image.url}" alt="Cleared">'
                "<figcaption>A cleared caption.</figcaption></figure>"
                f'<figure class="image"><img src="{not_cleared.image.url}" alt="Not cleared">'
                "<figcaption>A caption of its own.</figcaption></figure>"
                f'<p>Inline <img src="{not_cleared.image.url}" alt="Inline"> after.</p>'
            ),
        )
        for url in ("/feed/", "/feed/atom/"):
            with self.subTest(url):
                (entry,) = [e for e in self.parse(url).entries if e.title == "Figures"]
                content = entry.content[0].value
                self.assertIn(cleared.image.url, content)
                self.assertIn("A cleared caption.", content)
                self.assertNotIn(not_cleared.image.url, content)
                self.assertNotIn("A caption of its own.", content)
                self.assertIn("Inline  after.", content)
        # The site itself shows every figure.
        page = self.client.get(article.get_absolute_url())
        self.assertContains(page, "A caption of its own.")
        self.assertContains(page, 'alt="Inline"')

    def test_unknown_subject_is_404(self):
        for url in ("/section/nowhere/feed/", "/topic/nothing/feed/atom/", "/authors/x/feed/"):
            with self.subTest(url):
                self.assertEqual(self.client.get(url).status_code, 404)

    def test_pages_advertise_their_feeds(self):
        response = self.client.get(self.section.get_absolute_url())
        self.assertContains(response, 'rel="alternate" type="application/rss+xml"', count=2)
        self.assertContains(response, 'href="/section/europe/feed/"')
        self.assertContains(response, 'href="/section/europe/feed/atom/"')
        self.assertContains(self.client.get("/"), 'href="/feed/atom/"')

    def grow(self):
        for _ in range(20):
            make_article(
                section=self.section,
                kind=self.kind,
                authors=[make_author(), self.ana],
                tags=["Zeitenwende", "Other"],
                lead_photo=make_photo(may_redistribute=True),
            )

    def test_feed_query_budget(self):
        self.assertQueriesDoNotGrow(
            ["/feed/", self.ana.get_absolute_url() + "feed/atom/", "/topic/zeitenwende/feed/"],
            self.grow,
        )
        # section, the listed articles' ids and dates; site settings and each item's XML
        # are cached
        with self.assertNumQueries(2):
            self.client.get("/section/europe/feed/")

    def test_items_from_the_cache_are_what_django_writes(self):
        for url in ("/feed/", "/feed/atom/"):
            with self.subTest(url):
                written = self.client.get(url).content  # every item written now
                self.assertEqual(self.client.get(url).content, written)  # from the cache
        for generator in (ArticleRssGenerator, ArticleAtomGenerator):
            with self.subTest(generator.__name__):
                feed = generator(title="Feed", link="https://mag.example/", description="All")
                for number in (1, 2):
                    feed.add_item(
                        title=f"{HOSTILE} {number}",
                        link=f"https://mag.example/{number}/",
                        description="Dek & more",
                        pubdate=self.article.published_at,
                        updateddate=self.article.updated_at,
                        categories=["Europe", "NATO"],
                        enclosures=[Enclosure("https://mag.example/a.jpg", "123", "image/jpeg")],
                        authors=[("Ana Ruiz", "https://mag.example/authors/ana/")],
                        content="<p>Full <em>body</em> text &amp; more.</p>",
                    )
                django_wrote = feed.writeString("utf-8")
                feed.prewritten_items = [feed.item_xml(item) for item in feed.items]
                feed.items, feed.prewritten_latest = [], self.article.updated_at
                self.assertEqual(feed.writeString("utf-8"), django_wrote)

    def test_enclosure_length_is_the_files_real_length_with_no_storage_request(self):
        photo = make_photo(may_redistribute=True)
        article = make_article(lead_photo=photo)
        stored = Path(self.media_root)
        original = (stored / photo.image.name).stat().st_size
        self.assertEqual(photo.image_bytes, original)
        self.assertEqual(self.enclosure_length(article), original)
        # The social rendition replaces the original in feeds once it exists.
        photo.make_renditions()
        social = photo.renditions["social"]
        length = (stored / social["src"].removeprefix(settings.MEDIA_URL)).stat().st_size
        self.assertNotEqual(length, original)
        with self.settings(STORAGES=counting_storages()):
            self.assertEqual(self.enclosure_length(article), length)
            self.assertEqual(CountingStorage.requests, [])

    def enclosure_length(self, article) -> int:
        entry = next(
            entry for entry in self.parse("/feed/").entries if entry.title == article.headline
        )
        return int(entry.enclosures[0].length)

    def test_edited_body_shows_in_the_feed_at_once(self):
        self.parse("/feed/")
        self.article.body = "<p>A corrected <em>paragraph</em>.</p>"
        self.article.save()
        content = self.parse("/feed/").entries[0].content[0].value
        self.assertIn("A corrected <em>paragraph</em>.", content)
        self.assertNotIn("Full", content)


class CountingStorage(FileSystemStorage):
    """The file system storage, noting each call that is a request to S3 in production."""

    requests = []

    def exists(self, name):
        self.requests.append(("exists", name))
        return super().exists(name)

    def size(self, name):
        self.requests.append(("size", name))
        return super().size(name)

    def open(self, name, mode="rb"):
        self.requests.append(("open", name))
        return super().open(name, mode)


def counting_storages() -> dict:
    CountingStorage.requests = []
    return {
        **settings.STORAGES,
        "default": {"BACKEND": f"{__name__}.CountingStorage"},
    }


class UrlsInContent(HTMLParser):
    """Every URL an HTML fragment's attributes carry, srcset candidates one by one."""

    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href", "cite", "poster"):
                self.urls.append(value)
            elif name == "srcset":
                self.urls += [candidate.split()[0] for candidate in value.split(",")]


def urls_in(fragment: str) -> list[str]:
    parser = UrlsInContent()
    parser.feed(fragment)
    return parser.urls


class AbsoluteUrlsInFeedContentTests(TemporaryMediaTestCase):
    """Feed readers show content away from the site, where a relative URL is broken."""

    @classmethod
    def setUpTestData(cls):
        make_site()
        cls.figure_photo = make_photo(creator=make_creator("Jane Doe"), may_redistribute=True)
        cls.figure_photo.make_renditions()
        # No renditions yet: the original is shown.
        cls.other_photo = make_photo(may_redistribute=True)
        cls.article = make_article(
            body=(
                f'<p>See <a href="/section/europe/">Europe</a>, <a href="#notes">notes</a>, '
                '<a href="https://example.org/x?a=1&amp;b=2">a source</a> and '
                '<a href="mailto:desk@example.org">the desk</a>.</p>'
                f'<figure class="image"><img src="{cls.figure_photo.image.url}" alt="One">'
                "<figcaption>A figure.</figcaption></figure>"
                f'<figure class="image"><img src="{cls.other_photo.image.url}" alt="Two"></figure>'
                '<blockquote cite="/archive/1/"><p>Quoted.</p></blockquote>'
                '<p id="notes">Notes.</p>'
            ),
        )

    def test_every_url_in_feed_content_is_absolute(self):
        for url in ("/feed/", "/feed/atom/"):
            with self.subTest(url):
                response = self.client.get(url)
                feed = feedparser.parse(response.content)
                self.assertFalse(feed.bozo, feed.get("bozo_exception"))
                # feedparser resolves relative URLs itself: read the content as sent.
                raw = (
                    feedparser.parse(
                        response.content, resolve_relative_uris=False, sanitize_html=False
                    )
                    .entries[0]
                    .content[0]
                    .value
                )
                urls = urls_in(raw)
                self.assertIn("<picture>", raw)
                self.assertGreater(len(urls), 8, urls)
                for found in urls:
                    parts = urlsplit(found)
                    self.assertIn(parts.scheme, ("http", "https", "mailto"), found)
                    if parts.scheme != "mailto":
                        self.assertTrue(parts.netloc, found)
                article_url = settings.SITE_URL + self.article.get_absolute_url()
                self.assertIn("mailto:desk@example.org", urls)
                self.assertIn("https://example.org/x?a=1&b=2", urls)
                self.assertIn(article_url + "#notes", urls)


class AbsoluteUrlsTests(SimpleTestCase):
    def test_attributes_and_srcset_candidates(self):
        base = "https://mag.example/2026/story/"
        html = absolute_urls(
            '<img src="/media/a.jpg" srcset="/m/a-320.webp 320w, /m/a-640.webp 640w" alt="x">'
            "<a href='../other/' title='src=/not/a/url'>o</a><p>src=\"/text/\" stays</p>",
            base,
        )
        self.assertEqual(
            html,
            '<img src="https://mag.example/media/a.jpg" srcset="https://mag.example/m/a-320.webp '
            '320w, https://mag.example/m/a-640.webp 640w" alt="x">'
            "<a href=\"https://mag.example/2026/other/\" title='src=/not/a/url'>o</a>"
            '<p>src="/text/" stays</p>',
        )
