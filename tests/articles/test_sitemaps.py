import datetime
import xml.etree.ElementTree as ET

from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone

from articles import sitemaps
from articles.models import Article
from publication.models import Photo
from tests.factories import (
    QueryCountMixin,
    TemporaryMediaTestCase,
    clock_at,
    make_article,
    make_author,
    make_creator,
    make_photo,
    make_section,
    make_site,
)

NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "image": "http://www.google.com/schemas/sitemap-image/1.1",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}
SITE = "http://127.0.0.1:8000"


class SitemapTests(QueryCountMixin, TemporaryMediaTestCase):
    @classmethod
    def setUpTestData(cls):
        make_site(name="The Meridian")
        cls.author = make_author("Ana Ruiz")
        cls.idle_author = make_author("Never Published")
        cls.creator = make_creator("Jane Doe")
        cls.photo = make_photo(creator=cls.creator)
        cls.article = make_article(
            headline="Fresh <news> & views",
            authors=[cls.author],
            lead_photo=cls.photo,
            tags=["Ports"],
        )
        cls.old = make_article(published_at=timezone.now() - datetime.timedelta(days=5))
        cls.draft = make_article(status="draft", tags=["Secret topic"])

    def xml(self, url):
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200, url)
        self.assertEqual(response["Content-Type"], "application/xml")
        return ET.fromstring(response.content)

    def locations(self, url):
        return [loc.text for loc in self.xml(url).iterfind(".//sm:loc", NS)]

    def test_index_lists_every_sitemap(self):
        self.assertEqual(
            self.locations("/sitemap.xml"),
            [f"{SITE}/sitemap-{name}.xml" for name in sitemaps.SITEMAPS],
        )

    def test_every_listed_sitemap_parses(self):
        for location in self.locations("/sitemap.xml"):
            with self.subTest(location):
                self.xml(location.removeprefix(SITE))

    def test_articles_sitemap_has_live_articles_with_lastmod_and_image(self):
        root = self.xml("/sitemap-articles.xml")
        urls = {url.find("sm:loc", NS).text: url for url in root.iterfind("sm:url", NS)}
        self.assertEqual(set(urls), {SITE + a.get_absolute_url() for a in (self.article, self.old)})
        entry = urls[SITE + self.article.get_absolute_url()]
        lastmod = datetime.datetime.fromisoformat(entry.find("sm:lastmod", NS).text)
        self.assertEqual(lastmod, self.article.updated_at.replace(microsecond=lastmod.microsecond))
        self.assertEqual(
            entry.find("image:image/image:loc", NS).text, self.photo.social_image()["url"]
        )

    def test_article_images_are_read_without_each_photos_renditions_record(self):
        social = {"src": "/media/renditions/x/social-1200.jpg", "width": 1200, "height": 630}
        Photo.objects.filter(pk=self.photo.pk).update(renditions={"social": social})
        self.photo.refresh_from_db()
        root = self.xml("/sitemap-articles.xml")
        self.assertEqual(
            [image.text for image in root.iterfind(".//image:loc", NS)],
            [SITE + social["src"]],
        )
        self.assertEqual(self.photo.social_image()["url"], SITE + social["src"])
        # Only the social image's src is selected, never the whole JSON column (~4 KB a
        # photo: ~200 MB for a sitemap file of 50,000 articles).
        sql = str(sitemaps.ArticleSitemap().items().query)
        self.assertNotRegex(sql, r'"renditions"\s*(,|FROM)')

    def test_people_and_topics_sitemaps_list_only_pages_with_live_content(self):
        self.assertEqual(self.locations("/sitemap-authors.xml"), [SITE + "/authors/ana-ruiz/"])
        self.assertEqual(self.locations("/sitemap-creators.xml"), [SITE + "/credits/jane-doe/"])
        self.assertEqual(self.locations("/sitemap-topics.xml"), [SITE + "/topic/ports/"])

    def test_news_sitemap_has_the_last_48_hours(self):
        root = self.xml("/sitemap-news.xml")
        (url,) = root.iterfind("sm:url", NS)
        self.assertEqual(url.find("sm:loc", NS).text, SITE + self.article.get_absolute_url())
        self.assertEqual(url.find(".//news:name", NS).text, "The Meridian")
        self.assertEqual(url.find(".//news:language", NS).text, "en")
        self.assertEqual(url.find(".//news:title", NS).text, "Fresh <news> & views")
        self.assertTrue(url.find(".//news:publication_date", NS).text)

    def test_news_sitemap_drops_characters_xml_cannot_carry(self):
        # Written past save(), which drops them now (publication.text), as older rows hold them.
        Article.objects.filter(pk=make_article().pk).update(
            headline="Soft\x0bbreak\x0c and \x1bescape"
        )
        titles = [
            title.text for title in self.xml("/sitemap-news.xml").iterfind(".//news:title", NS)
        ]
        self.assertIn("Softbreak and escape", titles)

    def test_sitemaps_split_at_the_limit(self):
        original = sitemaps.ArticleSitemap.limit
        sitemaps.ArticleSitemap.limit = 1
        self.addCleanup(setattr, sitemaps.ArticleSitemap, "limit", original)
        index = self.locations("/sitemap.xml")
        self.assertIn(f"{SITE}/sitemap-articles.xml?p=2", index)
        self.assertEqual(len(self.locations("/sitemap-articles.xml?p=2")), 1)
        self.assertEqual(self.client.get("/sitemap-articles.xml?p=3").status_code, 404)

    def test_robots_txt(self):
        response = self.client.get("/robots.txt")
        self.assertEqual(response["Content-Type"], "text/plain; charset=utf-8")
        for line in (
            "Disallow: /admin/",
            "Disallow: /preview/",
            "Disallow: /share/",
            "Disallow: /search/",
            f"Sitemap: {SITE}/sitemap.xml",
            f"Sitemap: {SITE}/sitemap-news.xml",
        ):
            self.assertContains(response, line + "\n")

    def grow(self):
        for _ in range(20):
            make_article(
                authors=[make_author()],
                lead_photo=make_photo(creator=make_creator()),
                tags=[f"Topic {_}"],
                section=make_section(f"Section {_}"),
            )

    def test_sitemap_query_budgets(self):
        self.assertQueriesDoNotGrow(
            ["/sitemap.xml", "/sitemap-news.xml"]
            + [f"/sitemap-{name}.xml" for name in sitemaps.SITEMAPS],
            self.grow,
        )
        self.client.get("/sitemap.xml")
        # the index's entries are cached under the content version
        with self.assertNumQueries(0):
            self.client.get("/sitemap.xml")
        self.grow()
        # then, after an edit, a count per sitemap and the articles' latest update
        with self.assertNumQueries(7):
            self.client.get("/sitemap.xml")
        # count, articles (+lead photo)
        with self.assertNumQueries(2):
            self.client.get("/sitemap-articles.xml")


def lifetimes(response) -> tuple[int, int]:
    cache_control = response["Cache-Control"]
    return (
        int(cache_control.split("max-age=")[1].split(",")[0]),
        int(cache_control.split("s-maxage=")[1].split(",")[0]),
    )


@override_settings(PAGE_CACHE_ENABLED=True)
class NewsSitemapLifetimeTests(TemporaryMediaTestCase):
    """The news sitemap is cached whole like every public page, but only until its oldest
    article's 48 hours end: it listed one up to PAGE_CACHE_SECONDS (an hour) past them."""

    @classmethod
    def setUpTestData(cls):
        make_site()
        cls.ageing = make_article(
            headline="Ageing out",
            published_at=timezone.now() - sitemaps.NEWS_WINDOW + datetime.timedelta(seconds=60),
        )
        make_article(headline="Fresh from the desk")

    def setUp(self):
        cache.clear()

    def test_an_article_leaves_the_cached_news_sitemap_when_its_48_hours_end(self):
        first = self.client.get("/sitemap-news.xml")
        self.assertContains(first, "Ageing out")
        self.assertEqual(first["X-Page-Cache"], "miss")
        home = self.client.get("/")
        for response in (first, self.client.get("/sitemap-news.xml")):
            max_age, s_maxage = lifetimes(response)
            self.assertLessEqual(max_age, 60)
            self.assertLessEqual(s_maxage, 60)
            self.assertGreater(s_maxage, 0)
        later = self.ageing.published_at + sitemaps.NEWS_WINDOW + datetime.timedelta(seconds=1)
        with clock_at(later):
            response = self.client.get("/sitemap-news.xml")
            self.assertEqual(response["X-Page-Cache"], "miss")
            self.assertNotContains(response, "Ageing out")
            self.assertContains(response, "Fresh from the desk")
            # Only this page ends then: the others are kept as long as before.
            self.assertEqual(self.client.get("/")["X-Page-Cache"], "hit")
        self.assertEqual(home["X-Page-Cache"], "miss")
