"""The article form in Chromium: opening it writes nothing; share links and tabs."""

from django.conf import settings

from articles.models import Article, ShareLink, WorkingCopy
from tests.browser.test_article_admin import EditorsAdminTestCase
from tests.factories import article_change_url, make_article, make_author, make_photo


class OpeningWritesNothingTests(EditorsAdminTestCase):
    def test_an_untouched_change_page_neither_autosaves_nor_asks_and_typing_autosaves(self):
        live = make_article(
            headline="A live article",
            authors=[make_author("Ana Ruiz")],
            lead_photo=make_photo(credit_text="Dimitrije Ostojic / Shutterstock.com"),
            tags=["Energy"],
        )
        draft = make_article(headline="A draft", status=Article.Status.DRAFT)
        self.log_in(self.editor)
        for article in [live, draft]:
            with self.subTest(article.headline):
                page = self.context.new_page()
                page.goto(self.live_server_url + article_change_url(article))
                page.locator(".ck-editor__editable").first.wait_for()
                # Past the autosave delay (1.5 s) and the backup's (0.3 s), with room to spare.
                page.wait_for_timeout(3000)
                self.assertIsNone(page.evaluate("localStorage.getItem(articleBackup.key)"))
                self.assertEqual(page.locator(".autosave-status").inner_text(), "")
                self.assertFalse(WorkingCopy.objects.filter(article=article).exists())
                dialogs = []
                page.on(
                    "dialog",
                    lambda dialog, seen=dialogs: (seen.append(dialog.type), dialog.dismiss()),
                )
                # Leaving asks first only when something changed.
                page.close(run_before_unload=True)
                self.page.wait_for_timeout(300)
                self.assertEqual(dialogs, [])

        page = self.context.new_page()
        page.goto(self.live_server_url + article_change_url(draft))
        page.locator(".ck-editor__editable").first.wait_for()
        page.wait_for_timeout(2000)
        page.fill("#id_dek", "A dek typed now.")
        # Written within 3 s of typing (the delay is 1.5 s after the last keystroke).
        page.get_by_text("Autosaved to your working copy at").wait_for(timeout=3000)
        copy = WorkingCopy.objects.get(article=draft, user=self.editor)
        self.assertEqual(copy.data["fields"]["dek"], ["A dek typed now."])


class ShareLinkButtonTests(EditorsAdminTestCase):
    def test_a_link_in_one_click_copied_in_another_and_revoked_in_one(self):
        article = make_article(headline="Draft for the lawyer", status=Article.Status.DRAFT)
        self.context.grant_permissions(["clipboard-read", "clipboard-write"])
        self.log_in(self.editor)
        page = self.page
        page.goto(self.live_server_url + article_change_url(article))
        clicks = 0

        page.get_by_role("button", name="Create share link").click()
        clicks += 1
        link = page.locator(".share-created .share-link a")
        url = link.inner_text()
        self.assertTrue(url.startswith(f"{settings.SITE_URL}/share/"), url)
        page.locator(".share-created").get_by_role("button", name="Copy").click()
        clicks += 1
        self.assertEqual(page.evaluate("navigator.clipboard.readText()"), url)
        self.assertEqual(clicks, 2)
        share = ShareLink.objects.get()
        self.assertEqual(round((share.expires_at - share.created_at).total_seconds() / 86400), 7)
        self.assertEqual(share.created_by, self.editor)

        reviewer = self.browser.new_context()
        self.addCleanup(reviewer.close)
        shared = reviewer.new_page()
        response = shared.goto(url.replace(settings.SITE_URL, self.live_server_url))
        self.assertEqual(response.headers["x-robots-tag"], "noindex, nofollow")
        self.assertEqual(
            shared.locator("h1.article__headline").inner_text(), "Draft for the lawyer"
        )

        page.locator(".share-created").get_by_role("button", name="Revoke").click()
        page.locator(".share-created", has_text="Revoked").wait_for()
        self.assertEqual(shared.reload().status, 404)
        # The form itself was neither saved nor left.
        self.assertEqual(page.url, self.live_server_url + article_change_url(article))
