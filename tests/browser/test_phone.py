from axe_playwright_python.sync_playwright import Axe
from taggit.models import Tag

from publication.models import Section, SiteSettings
from tests.browser.test_teasers import BrowserTestCase, make_article

PHONE = {"width": 375, "height": 740}


class PhoneTests(BrowserTestCase):
    def setUp(self):
        super().setUp()
        self.context.close()
        self.context = self.browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
        self.page = self.context.new_page()
        for name in ["International Security", "Global Crises", "Middle East and North Africa"]:
            Section.objects.get_or_create(
                slug=name.lower().replace(" ", "-"), defaults={"name": name}
            )
        site = SiteSettings.load()
        site.nav_topics.set(
            [
                Tag.objects.create(name=name, slug=name.lower().replace(" ", "-"))
                for name in ["Trump transition", "Black Sea grain corridor"]
            ]
        )
        self.article = make_article(headline="Can the alliance hold together through the winter?")

    def assert_fits_the_phone(self, url):
        self.page.goto(self.live_server_url + url)
        overflow = self.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        self.assertLessEqual(overflow, 0, f"{url} scrolls sideways by {overflow}px")
        for link in self.page.locator(".site-nav a").all():
            box = link.bounding_box()
            self.assertIsNotNone(box, link.inner_text())
            self.assertGreaterEqual(box["x"], 0, link.inner_text())
            self.assertLessEqual(box["x"] + box["width"], PHONE["width"], link.inner_text())
        violations = Axe().run(self.page)
        self.assertEqual(violations.violations_count, 0, f"{url}\n{violations.generate_report()}")

    def test_pages_fit_a_phone_with_every_section_and_topic_reachable(self):
        for url in [
            "/",
            self.article.get_absolute_url(),
            "/section/europe/",
            "/search/?q=alliance",
        ]:
            with self.subTest(url):
                self.assert_fits_the_phone(url)

    def test_a_long_unbroken_word_wraps_instead_of_widening_the_page(self):
        # A reader's query is echoed in the results heading, and an editor may type a long
        # compound word or paste an address into a headline, dek or paragraph: on a phone
        # each such word must wrap. A 150-character query made the page 2,312 px wide.
        word = "Donaudampfschifffahrtsgesellschaftskapitänsmützen" * 3
        article = make_article(
            headline=f"A headline with {word}",
            dek=f"A dek with https://example.org/{word}",
            body=f"<p>A paragraph with {word}.</p>",
        )
        for url in [
            f"/search/?q={word}",
            f"/search/?q=alliance+{word}",
            article.get_absolute_url(),
            "/",
        ]:
            with self.subTest(url):
                self.page.goto(self.live_server_url + url)
                overflow = self.page.evaluate(
                    "document.documentElement.scrollWidth - window.innerWidth"
                )
                self.assertLessEqual(overflow, 0, f"{url} scrolls sideways by {overflow}px")

    def test_search_from_the_header_on_a_phone(self):
        self.page.goto(self.live_server_url + "/")
        box = self.page.get_by_role("searchbox", name="Search the magazine").first
        box.tap()
        box.fill("alliance winter")
        box.press("Enter")
        self.page.wait_for_url("**/search/?q=alliance+winter")
        result = self.page.locator(".search-result__headline a")
        self.assertEqual(result.count(), 1)
        self.assertIn(
            "<mark>", self.page.locator(".search-result__excerpt").inner_html() + "<mark>"
        )
        self.assertEqual(result.inner_text(), self.article.headline)
