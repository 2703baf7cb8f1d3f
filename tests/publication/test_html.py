"""Rich text is stored sanitized, whichever way it arrives."""

from articles.models import Article
from tests.factories import AdminTestCase, article_change_url, article_form_data, make_article

# Each hostile snippet, and a fragment of it that must not survive.
HOSTILE = {
    "script tag": ("<p>Hi</p><script>alert(1)</script>", ["<script", "alert(1)"]),
    "onerror handler": ('<img src="/media/a.jpg" onerror="alert(1)">', ["onerror", "alert"]),
    "onclick handler": ('<a href="/" onclick="alert(1)">x</a>', ["onclick", "alert"]),
    "javascript href": ('<a href="javascript:alert(1)">x</a>', ["javascript:", "alert"]),
    "mixed-case javascript href": ('<a href="JaVaScRiPt:alert(1)">x</a>', ["script:", "alert"]),
    "entity-encoded javascript href": (
        '<a href="&#106;&#x61;vascript&#58;alert(1)">x</a>',
        ["vascript", "&#106;", "alert"],
    ),
    "javascript img src": ('<img src="javascript:alert(1)">', ["javascript:", "alert"]),
    "iframe": ('<iframe src="https://evil.example/"></iframe>', ["<iframe", "evil.example"]),
    "object": ('<object data="https://evil.example/x.swf"></object>', ["<object", "evil"]),
    "embed": ('<embed src="https://evil.example/x.swf">', ["<embed", "evil"]),
    "svg onload": ('<svg onload="alert(1)"><circle r="1"/></svg>', ["<svg", "onload"]),
    "style element": ("<style>body{display:none}</style><p>Text</p>", ["<style", "display"]),
    "style attribute": (
        '<p style="background:url(javascript:alert(1))">Text</p>',
        ["style=", "javascript"],
    ),
    "form": (
        '<form action="https://evil.example/"><input name="pw"><button>Go</button></form>',
        ["<form", "<input", "<button", "evil.example"],
    ),
    "data URL link": (
        '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
        ["data:", "base64"],
    ),
    "data URL image": ('<img src="data:image/svg+xml;base64,PHN2Zz4=">', ["data:", "base64"]),
    "math": (
        '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
        ["<math", "<mi", "javascript"],
    ),
    "conditional comment": (
        "<!--[if gte IE 4]><script>alert(1)</script><![endif]--><p>Text</p>",
        ["<!--", "[if", "alert"],
    ),
    "base href": ('<base href="https://evil.example/"><p>Text</p>', ["<base", "evil"]),
    "meta refresh": (
        '<meta http-equiv="refresh" content="0;url=https://evil.example/"><p>Text</p>',
        ["<meta", "refresh", "evil"],
    ),
}

KEPT = (
    "<h2>Heading</h2><h3>Subheading</h3>"
    '<p>A <a href="https://example.com/">link</a>, <em>emphasis</em> and <strong>bold</strong>.</p>'
    "<ul><li>Bullet</li></ul><ol><li>Number</li></ol>"
    "<blockquote><p>A quotation.</p></blockquote>"
    '<figure class="image"><img src="/media/photos/a.jpg" alt="Alt">'
    "<figcaption>Caption</figcaption></figure>"
)


class SanitizeOnSaveTests(AdminTestCase):
    def assertSanitized(self, body, forbidden):
        body = body.lower()
        for fragment in forbidden:
            self.assertNotIn(fragment.lower(), body)

    def test_hostile_html_is_stored_sanitized_by_article_save(self):
        for case, (snippet, forbidden) in HOSTILE.items():
            with self.subTest(case):
                article = make_article(body=snippet)
                article.refresh_from_db()
                self.assertSanitized(article.body, forbidden)

    def test_hostile_html_is_stored_sanitized_from_the_admin_form(self):
        article = make_article(status=Article.Status.DRAFT)
        for case, (snippet, forbidden) in HOSTILE.items():
            with self.subTest(case):
                response = self.client.post(
                    article_change_url(article), article_form_data(article, body=snippet)
                )
                self.assertEqual(response.status_code, 302)
                article.refresh_from_db()
                self.assertSanitized(article.body, forbidden)

    def test_hostile_html_never_reaches_the_page(self):
        article = make_article(body="".join(snippet for snippet, _ in HOSTILE.values()))
        response = self.client.get(article.get_absolute_url())
        for fragment in ["alert(1)", "onerror", "onload", "javascript:", "<iframe", "<base"]:
            self.assertNotContains(response, fragment)

    def test_ordinary_rich_text_is_kept(self):
        article = make_article(body=KEPT)
        article.refresh_from_db()
        self.assertHTMLEqual(
            article.body,
            KEPT.replace(
                'href="https://example.com/"',
                'href="https://example.com/" rel="noopener noreferrer"',
            ),
        )

    def test_ordinary_rich_text_is_kept_from_the_admin_form(self):
        article = make_article(status=Article.Status.DRAFT)
        self.client.post(article_change_url(article), article_form_data(article, body=KEPT))
        article.refresh_from_db()
        for fragment in [
            "<h2>Heading</h2>",
            "<h3>Subheading</h3>",
            "<em>emphasis</em>",
            "<strong>bold</strong>",
            "<li>Bullet</li>",
            "<blockquote>",
            '<figure class="image"><img src="/media/photos/a.jpg" alt="Alt">',
            "<figcaption>Caption</figcaption>",
        ]:
            self.assertIn(fragment, article.body)
