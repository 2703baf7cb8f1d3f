"""The article editor and the body's allow-list (publication.html) agree: CKEditor keeps
every tag, attribute and class the allow-list keeps, and makes nothing it drops, so what
the editor shows is what is stored and rendered."""

import re
from html.parser import HTMLParser

from django.conf import settings
from django.test import SimpleTestCase

from articles.body import comparable_body
from articles.models import Article
from publication.html import ALLOWED_ATTRIBUTES, ALLOWED_CLASSES, ALLOWED_TAGS, HEADINGS
from tests.browser.test_teasers import BrowserTestCase

# Every tag, attribute and class the allow-list keeps, each where an editor would put it.
EVERYTHING_ALLOWED = (
    "<h2>Heading</h2><h3>Subheading</h3><h4>Minor heading</h4>"
    "<p>Text in <strong>bold</strong>, <b>b</b>, <em>emphasis</em>, <i>italics</i>, "
    "<u>underlined</u>, <s>struck</s>, H<sub>2</sub>O, x<sup>2</sup>, <code>code</code>, "
    'and a <a href="https://example.com/report">link</a>,<br>after a line break.</p>'
    "<ul><li>One</li><li>Two</li></ul>"
    '<ol start="4"><li>Four</li><li>Five</li></ol>'
    "<blockquote><p>Quoted words.</p></blockquote><hr>"
    '<figure class="image"><img src="/media/a.jpg" alt="A harbour" width="8" height="6">'
    "<figcaption>The harbour at dawn.</figcaption></figure>"
    '<figure class="image image-style-side">'
    '<img src="/media/b.jpg" alt="A crane" width="8" height="6"></figure>'
)
# Markup pasted from other documents that the allow-list drops: the editor drops it too.
DROPPED = (
    '<h1>Title</h1><h5>Minor</h5><h6>Least</h6><p style="margin-left:40px" class="x" '
    'title="t" dir="rtl" id="p">Indented <span style="color:red">red</span> '
    '<mark>marked</mark> <font face="Comic Sans">font</font> '
    '<a href="https://example.com/" title="Ctrl+click" target="_blank" rel="nofollow" '
    'class="ext">link</a> <a href="javascript:alert(1)">script</a> <kbd>k</kbd></p>'
    '<ol reversed type="a" start="3" style="list-style-type:lower-roman"><li>Item</li></ol>'
    '<table><tr><td>Cell</td></tr></table><div class="page-break"></div>'
    '<figure class="image image_resized image-style-align-left" style="width:50%">'
    '<img src="/media/c.jpg" alt="C" style="width:10px" class="d" title="t"></figure>'
    '<pre><code>block</code></pre><iframe src="https://example.com/"></iframe>'
    '<img src="x" class="d"><details><summary>More</summary>Hidden</details>'
)


# What CKEditor adds for itself, which shows nothing the page lacks: an id per list item,
# and an image's aspect ratio, which a browser takes from its width and height anyway.
EDITORS_OWN = {
    ("li", "data-list-item-id"): re.compile(r"[0-9a-f]+"),
    ("img", "style"): re.compile(r"aspect-ratio:\d+/\d+;"),
}


class Markup(HTMLParser):
    """Each tag, with each attribute it carries (classes one by one)."""

    def __init__(self, html):
        super().__init__()
        self.tags, self.attributes, self.classes = set(), set(), set()
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        for name, value in attrs:
            if (tag, name) in EDITORS_OWN and EDITORS_OWN[tag, name].fullmatch(value or ""):
                continue
            if name == "class":
                self.classes.update((tag, part) for part in (value or "").split())
            elif name != "rel":  # the sanitizer's own rel="noopener noreferrer"
                self.attributes.add((tag, name))


def allowed_markup():
    attributes = {(tag, name) for tag, names in ALLOWED_ATTRIBUTES.items() for name in names}
    classes = {(tag, name) for tag, names in ALLOWED_CLASSES.items() for name in names}
    return ALLOWED_TAGS, attributes, classes


class AllowListTests(SimpleTestCase):
    def test_the_sample_holds_everything_the_allow_list_keeps(self):
        markup = Markup(EVERYTHING_ALLOWED)
        self.assertEqual((markup.tags, markup.attributes, markup.classes), allowed_markup())

    def test_the_editors_headings_and_list_options_are_the_allow_lists(self):
        config = settings.CKEDITOR_5_CONFIGS["article"]
        views = [option.get("view") for option in config["heading"]["options"]]
        self.assertEqual(views, [None, *HEADINGS])
        headings = {tag for tag in ALLOWED_TAGS if tag[0] == "h" and tag[1:].isdigit()}
        self.assertEqual(headings, set(HEADINGS))
        properties = config["list"]["properties"]
        self.assertEqual(properties["startIndex"], ("ol", "start") in allowed_markup()[1])
        self.assertFalse(properties["styles"])  # list styles are style attributes


class EditorMarkupTests(BrowserTestCase):
    def setUp(self):
        super().setUp()
        self.sign_in_as_editor()
        self.page.goto(self.live_server_url + "/admin/articles/article/add/")
        self.page.locator(".ck-editor__editable").first.wait_for()

    def editor_keeps(self, html: str) -> str:
        return self.page.evaluate(
            "html => { const editor = Object.values(window.editors)[0];"
            " editor.setData(html); return editor.getData(); }",
            html,
        )

    def test_the_editor_keeps_everything_the_allow_list_keeps_and_it_is_stored(self):
        shown = self.editor_keeps(EVERYTHING_ALLOWED)
        self.assertEqual(comparable_body(shown), comparable_body(EVERYTHING_ALLOWED))
        self.page.fill("#id_headline", "Every kind of markup")
        self.page.click("input[name=_continue]")
        self.page.wait_for_url("**/change/")
        stored = Article.objects.get().body
        self.assertEqual(comparable_body(stored), comparable_body(EVERYTHING_ALLOWED))
        self.assertIn('<ol start="4">', stored)
        self.assertIn("<h4>Minor heading</h4>", stored)

    def test_the_editor_makes_nothing_the_allow_list_drops(self):
        for name, html in {"dropped": DROPPED, "both": EVERYTHING_ALLOWED + DROPPED}.items():
            with self.subTest(name):
                markup = Markup(self.editor_keeps(html))
                tags, attributes, classes = allowed_markup()
                self.assertLessEqual(markup.tags, tags)
                self.assertLessEqual(markup.attributes, attributes)
                self.assertLessEqual(markup.classes, classes)


# Addresses a link must not keep, as pasted HTML spells them (character references and all).
UNSAFE_HREFS = [
    "javascript:alert(1)",
    " JaVaScRiPt:alert(1)",
    "java&#9;script:alert(1)",  # a tab inside: browsers drop it
    "java&#x0A;script:alert(1)",
    "&#106;&#97;vascript:alert(1)",
    "javascript&colon;alert(1)",
    "&#1;javascript:alert(1)",  # a leading control character
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "ftp://files.example.com/",  # neither on the page: the allow-list drops it on save
    "tel:+441234567",
]
SAFE_HREFS = [
    "https://example.com/report",
    "http://example.com/",
    "mailto:desk@example.com",
    "/topic/trade/",
    "#note",
    "report.html",
    "?page=2",
]


class EditorLinkTests(BrowserTestCase):
    """A link the page would not keep is no link in the editor either, from the moment it is
    pasted or typed: its text stays, its address goes (static/js/admin-safe-links.js)."""

    def setUp(self):
        super().setUp()
        self.sign_in_as_editor()
        self.page.goto(self.live_server_url + "/admin/articles/article/add/")
        self.page.locator(".ck-editor__editable").first.wait_for()
        self.page.wait_for_function("() => Object.keys(window.editors).length > 0")

    def paste(self, html: str):
        """A paste of HTML, as the clipboard hands it to the editor."""
        editable = self.page.locator(".ck-editor__editable").first
        editable.click()
        self.page.evaluate(
            """html => {
                const data = new DataTransfer();
                data.setData("text/html", html);
                data.setData("text/plain", "pasted");
                const paste = new ClipboardEvent(
                    "paste", {clipboardData: data, bubbles: true, cancelable: true}
                );
                document.querySelector(".ck-editor__editable").dispatchEvent(paste);
            }""",
            html,
        )

    def links(self) -> dict:
        """The editor's data, the textarea the form sends, and the links in the editor's view."""
        return self.page.evaluate(
            """() => {
                const editor = Object.values(window.editors)[0];
                const view = document.querySelector(".ck-editor__editable");
                return {
                    data: editor.getData(),
                    textarea: document.querySelector("textarea.django_ckeditor_5").value,
                    shown: [...view.querySelectorAll("a")].map(a => a.getAttribute("href")),
                };
            }"""
        )

    def test_pasted_links_with_unsafe_protocols_lose_their_address_and_keep_their_text(self):
        unsafe = "".join(
            f'<a href="{href}">bad{number}</a> ' for number, href in enumerate(UNSAFE_HREFS)
        )
        safe = "".join(
            f'<a href="{href}">good{number}</a> ' for number, href in enumerate(SAFE_HREFS)
        )
        self.paste(f"<p>{unsafe}{safe}</p>")
        found = self.links()
        for number in range(len(UNSAFE_HREFS)):
            self.assertIn(f"bad{number}", found["data"])
        for html in (found["data"], found["textarea"]):
            hrefs = re.findall(r'href="([^"]*)"', html)
            self.assertEqual(hrefs, [href.replace("&", "&amp;") for href in SAFE_HREFS])
        self.assertEqual(len(found["shown"]), len(SAFE_HREFS))
        # Saved as shown: the page keeps the same links.
        self.page.fill("#id_headline", "Pasted links")
        self.page.click("input[name=_continue]")
        self.page.wait_for_url("**/change/")
        stored = Article.objects.get().body
        self.assertEqual(len(re.findall(r"<a ", stored)), len(SAFE_HREFS))
        self.assertIn("bad0", stored)

    def test_an_unsafe_address_typed_into_the_link_box_makes_no_link(self):
        self.page.evaluate(
            "() => Object.values(window.editors)[0].setData('<p>Read the report</p>')"
        )
        for href in (
            "javascript:alert(document.domain)",
            "  data:text/html,<b>x</b>",
            "https://example.com/",
        ):
            with self.subTest(href):
                self.page.locator(".ck-editor__editable p").first.dblclick()  # selects "report"
                self.page.locator(".ck-toolbar button[data-cke-tooltip-text^='Link']").click()
                box = self.page.locator(".ck-link-form").get_by_role("textbox", name="Link URL")
                box.fill(href)
                box.press("Enter")
                box.wait_for(state="detached")
                found = self.links()
                if href.startswith("https"):
                    self.assertIn('<a href="https://example.com/">', found["data"])
                else:
                    self.assertNotIn("<a", found["data"])
                    self.assertIn("Read the report", found["data"])
                    self.assertEqual(found["shown"], [])
