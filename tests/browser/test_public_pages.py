"""Every public page type in Chromium: strict CSP, accessibility (axe-core) and page width."""

from axe_playwright_python.sync_playwright import Axe

from tests.browser.public_pages import STATUS, public_urls, seed_public_content
from tests.browser.test_security import csp_violations
from tests.browser.test_teasers import BrowserTestCase

WIDTHS = (375, 1280)
SERIOUS = {"serious", "critical"}
SOURCES_LAID_OUT = (
    "[...document.querySelectorAll('source')].filter(s => s.getClientRects().length).length"
)

# WCAG 2.2 target size (2.5.8): what a reader taps is at least 24 x 24 CSS px, unless it is
# a link inside a sentence (its parent has text of its own: a byline, a credit, body text).
SMALL_TARGETS = """[...document.querySelectorAll('a[href], button, summary, input, select')]
    .filter(e => e.getClientRects().length && !e.closest('[aria-hidden=true]') && e.tabIndex >= 0)
    .filter(e => ![...e.parentElement.childNodes].some(n => n.nodeType === 3 && n.data.trim()))
    .map(e => [e.outerHTML.slice(0, 60), e.getBoundingClientRect()])
    .filter(([, box]) => box.width < 24 || box.height < 24)
    .map(([html, box]) => `${html}: ${box.width.toFixed(1)} x ${box.height.toFixed(1)}`)"""

TAPPED_ON_THE_SEED = (".teaser__more summary", ".teaser__section a", ".follow-us a")


class PublicPageTests(BrowserTestCase):
    def setUp(self):
        super().setUp()
        self.violations = csp_violations(self.page)
        self.urls = public_urls(seed_public_content())

    def test_every_public_page_under_a_strict_policy_accessible_and_without_sideways_scroll(self):
        axe = Axe()
        for name, url in self.urls.items():
            for width in WIDTHS:
                with self.subTest(page=name, width=width):
                    self.page.set_viewport_size({"width": width, "height": 900})
                    response = self.page.goto(self.live_server_url + url)
                    self.page.wait_for_load_state("load")
                    self.assertEqual(response.status, STATUS.get(name, 200))
                    policy = response.headers["content-security-policy"]
                    self.assertNotIn("unsafe-inline", policy)
                    self.assertNotIn("nonce-", policy)  # the same header for every reader
                    self.assertEqual(self.violations, [])
                    overflow = self.page.evaluate(
                        "document.documentElement.scrollWidth - window.innerWidth"
                    )
                    self.assertLessEqual(overflow, 0, f"{name} scrolls sideways at {width}px")
                    # A <picture>'s sources only pick the file: laid out, they took room (two
                    # flex gaps pushed an author's portrait 40px in, off a 320px screen).
                    self.assertEqual(self.page.evaluate(SOURCES_LAID_OUT), 0)
                    if width == WIDTHS[0]:
                        self.assertEqual(self.page.evaluate(SMALL_TARGETS), [])
                    if (name, width) == ("home", WIDTHS[0]):
                        # The seed's small ones were 16, 15 and 18 px tall.
                        for selector in TAPPED_ON_THE_SEED:
                            box = self.page.locator(selector).first.bounding_box()
                            self.assertGreaterEqual(box["height"], 24, selector)
                    # At both widths: a phone's layout is its own page to a screen
                    # reader (the navigation wraps, boxes stack, targets shrink).
                    results = axe.run(self.page).response["violations"]
                    serious = [v for v in results if v["impact"] in SERIOUS]
                    self.assertEqual(
                        [(v["id"], [n["target"] for n in v["nodes"]]) for v in serious], []
                    )

    def test_a_printed_article_is_the_article_without_the_site_around_it(self):
        self.page.goto(self.live_server_url + self.urls["article"])
        self.page.emulate_media(media="print")
        hidden = [".site-search", ".site-nav", ".river", ".newsletter-box", ".follow-us"]
        kept = [".article__headline", ".article__body", ".photo-credit", ".label-line"]
        shown = self.page.evaluate(
            """selectors => selectors.filter(s => [...document.querySelectorAll(s)]
                .some(e => e.getClientRects().length > 0))""",
            hidden + kept,
        )
        self.assertEqual(shown, kept)
        # A printed link cannot be followed: its address is written after it.
        after = self.page.evaluate(
            "getComputedStyle(document.querySelector('.article__body a'), '::after').content"
        )
        self.assertEqual(after, '" (https://example.org/report)"')
        # A draft printed from its share link still says it is one.
        self.page.goto(self.live_server_url + self.urls["share link (draft for a reviewer)"])
        self.assertTrue(self.page.locator(".preview-banner").is_visible())

    def test_the_checks_catch_what_they_look_for(self):
        self.page.set_viewport_size({"width": 375, "height": 900})
        self.page.set_content(
            '<html lang="en"><title>t</title><main><img src="/x.png">'
            '<div class="wide">x</div></main></html>'
        )
        self.page.add_style_tag(content=".wide { width: 2000px; }")
        self.assertGreater(
            self.page.evaluate("document.documentElement.scrollWidth - window.innerWidth"), 0
        )
        found = {v["id"]: v["impact"] for v in Axe().run(self.page).response["violations"]}
        self.assertEqual(found.get("image-alt"), "critical")
