"""The article form in Chromium: opening it writes nothing; share links and tabs."""

from articles.models import Article, WorkingCopy
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
