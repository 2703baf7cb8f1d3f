"""Content-Security-Policy in Chromium: the admin and CKEditor 5 work under it.

Public pages are walked in test_public_pages.py.
"""

from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client

from tests.browser.test_teasers import BrowserTestCase
from tests.factories import make_article

# Chromium reports every blocked script, style, frame or connection on the console.
CSP_MARKERS = ("Content Security Policy", "Content-Security-Policy")


def csp_violations(page) -> list[str]:
    """What the page's Content-Security-Policy blocks from now on, as Chromium reports it."""
    found = []
    page.on(
        "console",
        lambda message: (
            found.append(message.text)
            if any(marker in message.text for marker in CSP_MARKERS)
            else None
        ),
    )
    return found


class ContentSecurityPolicyTests(BrowserTestCase):
    def setUp(self):
        super().setUp()
        self.violations = csp_violations(self.page)

    def test_the_article_change_form_and_its_editor_work_without_a_violation(self):
        # A superuser: an earlier browser test's flush removed the groups migrations made.
        editor = User.objects.create_superuser("csp-editor", "csp@magazine.example", "pw")
        article = make_article()
        client = Client()
        client.force_login(editor)
        self.context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": self.live_server_url,
                }
            ]
        )
        response = self.page.goto(
            f"{self.live_server_url}/admin/articles/article/{article.pk}/change/"
        )
        policy = response.headers["content-security-policy"]
        self.assertIn("script-src 'self';", policy)
        self.assertIn("style-src 'self';", policy)  # style attributes only: see settings
        body = self.page.locator(".ck-editor__editable").first
        body.click()
        self.page.keyboard.type(" More words.")
        self.page.wait_for_load_state("load")
        self.assertIn("More words.", body.inner_text())
        # CKEditor's colour picker adds a <style> element of its own, which the policy blocks:
        # the article body's configuration leaves out every plugin that shows one.
        loaded = self.page.evaluate(
            "names => names.filter(name => Object.values(window.editors)[0].plugins.has(name))",
            ["FontColor", "FontBackgroundColor", "TableProperties", "TableCellProperties"],
        )
        self.assertEqual(loaded, [])
        self.assertEqual(self.violations, [])
