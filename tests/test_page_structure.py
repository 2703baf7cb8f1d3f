"""Every public page type is well-formed HTML a screen reader can navigate by headings."""

import re
from collections import Counter
from html.parser import HTMLParser

from tests.browser.public_pages import STATUS, public_urls, seed_public_content
from tests.factories import TemporaryMediaTestCase

# Elements the parser closes by itself or that have no end tag.
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
OPTIONAL_END = {"p", "li"}
# Block elements a browser moves out of a paragraph, leaving its text split in two.
BLOCK = {
    *("address", "article", "aside", "blockquote", "details", "div", "dl", "fieldset"),
    *("figure", "footer", "form", "header", "hr", "main", "nav", "ol", "p", "pre"),
    *("section", "table", "ul", "h1", "h2", "h3", "h4", "h5", "h6"),
}
# What HTML's <time datetime> takes, of the forms pages write: a date, or a date and time
# with its offset, whose fraction of a second has at most three digits.
HTML_TIME = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2}))?")


class PageOutline(HTMLParser):
    """What the checks need: headings in order, ids, images, nesting mistakes."""

    def __init__(self):
        super().__init__()
        self.open, self.headings, self.ids, self.problems = [], [], Counter(), []
        self.references, self.lang, self.mains = [], None, 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag == "main":
            self.mains += 1
        if tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            self.headings.append(int(tag[1]))
        if attrs.get("id"):
            self.ids[attrs["id"]] += 1
        for name in ("for", "aria-labelledby", "aria-describedby"):
            self.references.extend((name, ref) for ref in (attrs.get(name) or "").split())
        if tag == "img":
            missing = [name for name in ("alt", "width", "height") if attrs.get(name) is None]
            if missing:
                self.problems.append(f"<img src={attrs.get('src')}> without {missing}")
        if tag == "time" and not HTML_TIME.fullmatch(attrs.get("datetime") or ""):
            self.problems.append(f"<time datetime={attrs.get('datetime')}>")
        if tag in {"a", "form"} and tag in self.open:
            self.problems.append(f"<{tag}> inside <{tag}>")
        if tag in OPTIONAL_END and self.open and self.open[-1] == tag:
            self.open.pop()
        elif tag in BLOCK and "p" in self.open:
            self.problems.append(f"<{tag}> inside <p>")
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if tag in OPTIONAL_END and tag not in self.open:
            # </p> without an open <p>: a block element inside a paragraph closed it.
            self.problems.append(f"stray </{tag}>")
            return
        while self.open and self.open[-1] in OPTIONAL_END and self.open[-1] != tag:
            self.open.pop()
        if not self.open or self.open[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.open[-1] if self.open else None}>")
            if tag in self.open:
                del self.open[len(self.open) - 1 - self.open[::-1].index(tag) :]
            return
        self.open.pop()


def outline(html: str) -> PageOutline:
    parser = PageOutline()
    parser.feed(html)
    parser.close()
    return parser


class PageStructureTests(TemporaryMediaTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.urls = public_urls(seed_public_content())

    def test_every_public_page_is_well_formed_with_headings_in_order(self):
        for name, url in self.urls.items():
            with self.subTest(page=name):
                response = self.client.get(url)
                self.assertEqual(response.status_code, STATUS.get(name, 200))
                page = outline(response.content.decode())
                self.assertEqual(page.problems, [])
                self.assertEqual(page.open, [], "elements left open")
                self.assertTrue(page.lang)
                self.assertEqual(page.mains, 1)
                self.assertEqual([n for n, count in page.ids.items() if count > 1], [])
                self.assertEqual(
                    [(attr, ref) for attr, ref in page.references if ref not in page.ids], []
                )
                # One h1, and no level skipped on the way down (h1 then h3 hides a level
                # from anyone moving through the page by headings).
                self.assertEqual(page.headings.count(1), 1, page.headings)
                skips = [
                    (before, after)
                    for before, after in zip([0, *page.headings], page.headings, strict=False)
                    if after > before + 1
                ]
                self.assertEqual(skips, [], page.headings)

    def test_error_pages_and_pages_behind_a_subscribers_link_are_never_indexed(self):
        for name in (
            "not found",
            "newsletter link invalid",
            "newsletter confirm",
            "newsletter unsubscribe",
        ):
            with self.subTest(page=name):
                response = self.client.get(self.urls[name])
                status = STATUS.get(name, 200)
                self.assertContains(response, '<meta name="robots" content="noindex">', 1, status)
                # A canonical would name the error's or the token's address as the page.
                self.assertNotContains(response, 'rel="canonical"', status)
                self.assertNotContains(response, 'property="og:url"', status)

    def test_the_outline_catches_what_it_looks_for(self):
        page = outline(
            "<html><main><h1>a</h1><h3>b</h3><p><div>x</div></p><a><a>y</a></a>"
            '<img src="/x.png" alt=""><span id="d"></span><span id="d"></span></main></html>'
            '<time datetime="2026-12-02T11:25:43.887063+01:00">x</time>'
            '<time datetime="2026-12-02T11:25:43+01:00">y</time>'
            '<time datetime="2026-12-02">z</time>'
        )
        self.assertEqual(page.headings, [1, 3])
        self.assertEqual(page.ids["d"], 2)
        self.assertIn("<a> inside <a>", page.problems)
        self.assertIn("<div> inside <p>", page.problems)
        self.assertIn("<img src=/x.png> without ['width', 'height']", page.problems)
        # Microseconds (what isoformat() writes) are not a time HTML reads.
        self.assertEqual(
            [problem for problem in page.problems if problem.startswith("<time")],
            ["<time datetime=2026-12-02T11:25:43.887063+01:00>"],
        )
        self.assertIsNone(page.lang)
