import datetime
import json
import re

from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article
from publication.models import Creator, Photo
from publication.renditions import credit_record
from tests.factories import (
    QueryCountMixin,
    TemporaryMediaTestCase,
    article_change_url,
    article_form_data,
    make_article,
    make_author,
    make_creator,
    make_kind,
    make_photo,
    make_section,
    make_share_link,
    make_site,
    make_user,
)

SITE = "http://127.0.0.1:8000"
HOSTILE = 'The </script><script>alert("x")</script> summit & <!-- after'
LD_JSON = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)


def structured_data(response):
    (block,) = LD_JSON.findall(response.content.decode())
    return json.loads(block)


class SharingMetadataTests(TemporaryMediaTestCase):
    @classmethod
    def setUpTestData(cls):
        make_site(name="The Meridian")
        cls.section = make_section("Europe", description="News and analysis from Europe.")
        cls.ana = make_author("Ana Ruiz")
        cls.photo = make_photo(
            alt_text="A harbour at dawn",
            caption="The port of Odesa.",
            creator=make_creator("Jane Doe"),
            source=make_creator("Agency One", kind=Creator.Kind.ORGANISATION),
            license_url="https://agency.example/license/123",
            license_page_url="https://agency.example/buy/123",
        )
        cls.article = make_article(
            headline=HOSTILE,
            dek="Diplomats prepare for failure.",
            section=cls.section,
            authors=[cls.ana],
            tags=["Ports", "Black Sea"],
            lead_photo=cls.photo,
        )

    def setUp(self):
        self.response = self.client.get(self.article.get_absolute_url())

    def test_json_ld_cannot_close_its_script_element(self):
        html = self.response.content.decode()
        self.assertNotIn("</script><script>alert", html)
        self.assertEqual(len(LD_JSON.findall(html)), 1)
        self.assertNotIn("<!--", "".join(LD_JSON.findall(html)))

    def test_news_article_json_ld(self):
        news, breadcrumbs = structured_data(self.response)
        url = SITE + self.article.get_absolute_url()
        self.assertEqual(news["@type"], "NewsArticle")
        self.assertEqual(news["headline"], HOSTILE)
        self.assertEqual(news["description"], "Diplomats prepare for failure.")
        self.assertTrue(news["datePublished"].startswith(str(self.article.published_at.date())))
        self.assertIn("dateModified", news)
        self.assertEqual(
            news["author"],
            [{"@type": "Person", "name": "Ana Ruiz", "url": SITE + "/authors/ana-ruiz/"}],
        )
        self.assertEqual(news["publisher"]["@type"], "Organization")
        self.assertEqual(news["publisher"]["name"], "The Meridian")
        self.assertTrue(news["publisher"]["logo"]["url"].startswith(SITE + "/static/"))
        self.assertEqual(news["articleSection"], "Europe")
        self.assertEqual(news["keywords"], ["Ports", "Black Sea"])
        self.assertEqual(news["mainEntityOfPage"]["@id"], url)
        self.assertEqual(
            [item["item"] for item in breadcrumbs["itemListElement"]],
            [SITE + "/", SITE + "/section/europe/", url],
        )

    def test_modified_date_is_the_update_editors_chose_to_show(self):
        # Saved since publication (a typo fixed): not presented as an updated story.
        published = timezone.now() - datetime.timedelta(days=2)
        article = make_article(published_at=published, section=self.section)
        article.save()
        self.assertGreater(article.updated_at, published)
        response = self.client.get(article.get_absolute_url())
        news = structured_data(response)[0]
        self.assertEqual(news["dateModified"], news["datePublished"])
        self.assertContains(
            response,
            '<meta property="article:modified_time" '
            f'content="{timezone.localtime(published).isoformat()}">',
            html=True,
        )
        shown = timezone.now() - datetime.timedelta(hours=1)
        Article.objects.filter(pk=article.pk).update(shown_updated_at=shown)
        response = self.client.get(article.get_absolute_url())
        news = structured_data(response)[0]
        self.assertEqual(
            datetime.datetime.fromisoformat(news["dateModified"]),
            shown.replace(microsecond=shown.microsecond // 1000 * 1000),
        )
        self.assertContains(
            response,
            '<meta property="article:modified_time" '
            f'content="{timezone.localtime(shown).isoformat()}">',
            html=True,
        )

    def test_lead_image_json_ld_carries_its_credit_and_licence(self):
        # Before its renditions exist: the original, once.
        (image,) = structured_data(self.response)[0]["image"]
        self.assertEqual(image["@type"], "ImageObject")
        self.assertEqual(image["contentUrl"], SITE + self.photo.image.url)
        self.assertEqual(image["creditText"], "Jane Doe / Agency One")
        # As written into the image files (publication.renditions.credit_record).
        self.assertEqual(image["copyrightNotice"], "© Agency One")
        self.assertEqual(image["copyrightNotice"], credit_record(self.photo)["copyright_notice"])
        # The photographer made it (schema.org, Google: "usually the photographer"); the
        # agency holds the copyright the notice names.
        self.assertEqual(
            image["creator"],
            {"@type": "Person", "name": "Jane Doe", "url": SITE + "/credits/jane-doe/"},
        )
        self.assertEqual(
            image["copyrightHolder"],
            {"@type": "Organization", "name": "Agency One", "url": SITE + "/credits/agency-one/"},
        )
        self.assertEqual(image["license"], "https://agency.example/license/123")
        self.assertEqual(image["acquireLicensePage"], "https://agency.example/buy/123")
        self.assertEqual(image["acquireLicensePage"], credit_record(self.photo)["license_page_url"])

    def test_an_image_credited_to_a_source_alone_names_it_as_maker_and_holder(self):
        # A channel's screenshot, a press office's handout: no photographer is named.
        channel = make_creator("Danube TV", kind=Creator.Kind.ORGANISATION)
        photo = make_photo(source=channel, credit_type=Photo.CreditType.SCREENSHOT)
        article = make_article(section=self.section, lead_photo=photo)
        (image,) = structured_data(self.client.get(article.get_absolute_url()))[0]["image"]
        danube = {"@type": "Organization", "name": "Danube TV", "url": SITE + "/credits/danube-tv/"}
        self.assertEqual(image["creator"], danube)
        self.assertEqual(image["copyrightHolder"], danube)
        self.assertEqual(image["copyrightNotice"], "© Danube TV")

    def test_lead_image_json_ld_in_the_shapes_search_engines_ask_for(self):
        # 16:9, 4:3 and 1:1, each with the credit and licence (Google's article guidance).
        photo = make_photo(
            creator=make_creator("Lena Marsh"),
            license_url="https://agency.example/license/9",
        )
        photo.make_renditions()  # what the job runs (tests/publication/test_renditions.py)
        article = make_article(section=self.section, lead_photo=photo)
        images = structured_data(self.client.get(article.get_absolute_url()))[0]["image"]
        self.assertEqual(
            [(image["width"], image["height"]) for image in images],
            [(12, 7), (11, 8), (8, 8)],  # of a 12×8 photo: never upscaled
        )
        for image, shape in zip(images, ["16x9", "4x3", "1x1"], strict=True):
            self.assertRegex(image["contentUrl"], rf"^{SITE}/media/renditions/.+/{shape}-\d+\.jpg$")
            self.assertEqual(image["url"], image["contentUrl"])
            self.assertEqual(image["creditText"], "Lena Marsh")
            self.assertEqual(image["license"], "https://agency.example/license/9")
            self.assertEqual(image["copyrightNotice"], "© Lena Marsh")

    def test_open_graph_and_twitter_tags(self):
        image = self.photo.social_image()
        for tag in [
            f'<link rel="canonical" href="{SITE}{self.article.get_absolute_url()}">',
            '<meta property="og:type" content="article">',
            '<meta name="description" content="Diplomats prepare for failure.">',
            f'<meta property="og:image" content="{image["url"]}">',
            f'<meta property="og:image:width" content="{image["width"]}">',
            '<meta property="og:image:alt" content="A harbour at dawn">',
            '<meta name="twitter:card" content="summary_large_image">',
            '<meta property="article:section" content="Europe">',
            '<meta property="article:tag" content="Black Sea">',
            f'<meta property="article:author" content="{SITE}/authors/ana-ruiz/">',
        ]:
            self.assertContains(self.response, tag, html=True)
        self.assertContains(self.response, 'property="article:published_time"')
        self.assertContains(self.response, 'property="article:modified_time"')

    def test_list_pages_describe_themselves(self):
        response = self.client.get("/section/europe/?utm_source=x&fbclid=y")
        self.assertContains(
            response,
            '<meta name="description" content="News and analysis from Europe.">',
            html=True,
        )
        self.assertContains(
            response, f'<link rel="canonical" href="{SITE}/section/europe/">', html=True
        )
        self.assertContains(response, '<meta property="og:type" content="website">', html=True)

    def test_every_list_page_has_a_description_even_without_one_of_its_own(self):
        # Topics and kinds have no description, sections and authors may have none.
        hostile = 'Ports & "Harbours" <b>'
        make_article(section=make_section("Asia"), tags=[hostile])
        make_article(kind=make_kind("Reportage"), authors=[make_author("Bo Lind", bio="")])
        hostile_url = reverse("articles:tag", args=[Tag.objects.get(name=hostile).slug])
        pages = {
            "/topic/black-sea/": "Articles on Black Sea from The Meridian.",
            hostile_url: "Articles on Ports &amp; &quot;Harbours&quot; &lt;b&gt; "
            "from The Meridian.",
            "/section/asia/": "Articles on Asia from The Meridian.",
            "/kind/reportage/": "Articles on Reportage from The Meridian.",
            "/authors/bo-lind/": "Articles by Bo Lind from The Meridian.",
            "/credits/jane-doe/": "Photos and images credited to Jane Doe in The Meridian.",
            "/section/europe/": "News and analysis from Europe.",
        }
        for url, description in pages.items():
            with self.subTest(url):
                html = self.client.get(url).content.decode()
                self.assertIn(f'<meta name="description" content="{description}">', html)
                self.assertIn(f'<meta property="og:description" content="{description}">', html)

    def test_pages_without_a_description_of_their_own_fall_back(self):
        # The dek, else the section's description, else the site's tagline.
        make_site(name="The Meridian", tagline="Foreign policy, read closely")
        pages = {
            make_article(dek="", section=self.section).get_absolute_url(): (
                "News and analysis from Europe."
            ),
            make_article(dek="", section=make_section("Asia")).get_absolute_url(): (
                "Foreign policy, read closely"
            ),
            "/search/?q=harbour": "Foreign policy, read closely",
        }
        for url, description in pages.items():
            with self.subTest(url):
                html = self.client.get(url).content.decode()
                self.assertIn(f'<meta name="description" content="{description}">', html)
        # A draft seen before it has a section (a preview, a share link).
        draft = make_article(dek="", status="draft")
        Article.objects.filter(pk=draft.pk).update(section=None)
        response = self.client.get(make_share_link(draft).get_absolute_url())
        self.assertContains(response, '<meta name="description" content="Foreign policy')

    def test_previews_and_share_links_are_noindex_without_canonical(self):
        draft = make_article(headline="Draft", status="draft")
        link = make_share_link(draft)
        response = self.client.get(link.get_absolute_url())
        self.assertContains(response, '<meta name="robots" content="noindex, nofollow">', html=True)
        self.assertNotContains(response, 'rel="canonical"')
        self.assertNotContains(response, "application/ld+json")
        self.assertNotContains(response, "og:url")


class ArticlePageExtrasTests(QueryCountMixin, TemporaryMediaTestCase):
    @classmethod
    def setUpTestData(cls):
        make_site()
        cls.europe = make_section("Europe")
        cls.asia = make_section("Asia")
        cls.article = make_article(
            headline="Main piece", section=cls.europe, tags=["Ports", "Shipping", "Insurance"]
        )
        cls.two_shared = make_article(
            headline="Two shared topics", section=cls.asia, tags=["Ports", "Shipping"]
        )
        cls.one_shared = make_article(
            headline="One shared topic", section=cls.asia, tags=["Insurance"]
        )
        cls.same_section = make_article(headline="Same section only", section=cls.europe)
        cls.unrelated = make_article(headline="Unrelated", section=cls.asia)
        cls.draft = make_article(
            headline="Related draft", status="draft", tags=["Ports", "Shipping"]
        )

    def test_related_articles_shared_topics_first_then_section(self):
        response = self.client.get(self.article.get_absolute_url())
        self.assertEqual(
            [a.headline for a in response.context["related"]],
            ["Two shared topics", "One shared topic", "Same section only"],
        )
        self.assertContains(
            response, '<h2 id="related-title" class="river__title">Related</h2>', html=True
        )

    def test_reading_time(self):
        long_article = make_article(body="<p>" + "word " * 1000 + "</p>")
        response = self.client.get(long_article.get_absolute_url())
        self.assertContains(response, "4 min read")  # 1,000 words at 230 a minute
        empty = make_article(body="")
        self.assertNotContains(self.client.get(empty.get_absolute_url()), "min read")

    def test_topics_are_listed_in_the_order_entered_in_the_admin(self):
        editor = make_user(is_staff=True, is_superuser=True)
        self.client.force_login(editor)
        # A draft: publishing needs a credited lead photo and more, beside the point here.
        article = make_article(headline="Ordered", status="draft")
        data = article_form_data(article, tags='Zeitenwende, Africa, "Black Sea", Berlin')
        response = self.client.post(article_change_url(article), data)
        self.assertEqual(response.status_code, 302)
        page = self.client.get(f"/preview/{article.pk}/").content.decode()
        topics = re.findall(
            r'<a href="/topic/[^"]+/">([^<]+)</a>', page.split('aria-label="Topics"')[1]
        )
        self.assertEqual(topics[:4], ["Zeitenwende", "Africa", "Black Sea", "Berlin"])
        # and the admin form shows them back in that order
        form = self.client.get(article_change_url(article)).content.decode()
        self.assertIn('value="Zeitenwende, Africa, &quot;Black Sea&quot;, Berlin"', form)

    def test_reordering_topics_in_the_admin_keeps_the_new_order(self):
        editor = make_user(is_staff=True, is_superuser=True)
        self.client.force_login(editor)
        article = make_article(status="draft", tags=["Ports", "Shipping", "Insurance"])
        response = self.client.post(
            article_change_url(article),
            article_form_data(article, tags="Insurance, Ports, Shipping"),
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(
            [t.name for t in Article.objects.for_page().get(pk=article.pk).topics],
            ["Insurance", "Ports", "Shipping"],
        )
