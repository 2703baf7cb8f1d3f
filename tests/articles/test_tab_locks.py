"""Edit locks belong to a browser tab: the same editor's two tabs never both hold one."""

import re

from articles.models import Article, EditLock
from tests.factories import (
    AdminTestCase,
    article_change_url,
    article_form_data,
    make_article,
    make_user,
)


class PerTabLockTests(AdminTestCase):
    """The same editor's two tabs: the lock belongs to one of them."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.article = make_article(headline="Original", status=Article.Status.DRAFT)

    def beat(self, tab, name="lock", page=""):
        url = f"/admin/articles/article/{self.article.pk}/{name}/"
        response = self.client.post(
            url, {"edit_tab": tab, "edit_page": page}, headers={"x-requested-with": "fetch"}
        )
        self.assertEqual(response.status_code, 200)
        return response.json()

    def open_page(self):
        """Render the change page as a browser loads it; returns the page load's token."""
        response = self.client.get(article_change_url(self.article))
        page = re.search(r'data-page="([^"]+)"', response.content.decode())[1]
        self.assertEqual(EditLock.objects.get().page, page)
        return page

    def test_a_page_closing_after_the_next_page_of_its_tab_loaded_leaves_the_lock(self):
        """After "Save and continue" the old page's release beacon arrives once the new page
        has claimed the lock (pagehide fires when the new page is there); it dropped that
        lock, and until the new page's first heartbeat any editor could take the article."""
        first = self.open_page()
        self.beat("tab-a", page=first)
        data = article_form_data(self.article, headline="Saved", edit_tab="tab-a")
        data["_continue"] = "Save and continue editing"
        self.assertEqual(self.client.post(article_change_url(self.article), data).status_code, 302)
        second = self.open_page()
        # The old page's last heartbeat, still on its way, does not win the lock back either.
        self.assertTrue(self.beat("tab-a", page=first)["mine"])
        self.beat("tab-a", "lock/release", page=first)
        lock = EditLock.objects.get()
        self.assertEqual((lock.user, lock.tab, lock.page), (self.superuser, "tab-a", second))
        self.client.force_login(make_user("bo", is_staff=True, is_superuser=True))
        self.assertFalse(self.beat("tab-b")["mine"])
        self.client.force_login(self.superuser)
        # The page that holds it does drop it.
        self.beat("tab-a", "lock/release", page=second)
        self.assertFalse(EditLock.objects.exists())

    def test_closing_the_holding_tab_after_another_tab_of_the_editor_loaded(self):
        """Tab B's page was rendered while tab A held the lock and took its page; B's first
        heartbeat gives it back, so closing tab A still frees the article."""
        self.beat("tab-a", page=self.open_page())
        page_b = self.open_page()
        self.assertEqual(self.beat("tab-b", page=page_b)["other_tab"], True)
        self.beat("tab-a", "lock/release", page="another page of tab A")
        self.assertFalse(EditLock.objects.exists())

    def test_the_second_tab_is_told_and_the_first_keeps_the_lock(self):
        self.assertTrue(self.beat("tab-a")["mine"])
        # Opening the page in tab B cannot know the tab yet: the lock is left as it is.
        self.assertNotContains(self.client.get(article_change_url(self.article)), "is editing")
        state = self.beat("tab-b")
        self.assertEqual((state["mine"], state["other_tab"]), (False, True))
        self.assertEqual(EditLock.objects.get().tab, "tab-a")
        self.assertTrue(self.beat("tab-a")["mine"])

    def test_a_save_from_the_other_tab_is_refused(self):
        self.beat("tab-a")
        data = article_form_data(self.article, headline="From tab B", edit_tab="tab-b")
        response = self.client.post(article_change_url(self.article), data)
        self.assertContains(response, "You are editing this article in another tab")
        self.article.refresh_from_db()
        self.assertEqual(self.article.headline, "Original")
        data = article_form_data(self.article, headline="From tab A", edit_tab="tab-a")
        self.assertEqual(self.client.post(article_change_url(self.article), data).status_code, 302)
        self.article.refresh_from_db()
        self.assertEqual(self.article.headline, "From tab A")

    def test_taking_over_from_the_other_tab_and_closing_a_tab(self):
        self.beat("tab-a")
        self.assertTrue(self.beat("tab-b", "lock/take-over")["mine"])
        state = self.beat("tab-a")
        self.assertEqual(
            (state["mine"], state["other_tab"], state["taken_from_me"]), (False, True, True)
        )
        # Closing tab A leaves tab B's lock; closing tab B frees the article.
        self.beat("tab-a", "lock/release")
        self.assertEqual(EditLock.objects.get().tab, "tab-b")
        self.beat("tab-b", "lock/release")
        self.assertFalse(EditLock.objects.exists())

    def test_a_tab_id_is_bounded_and_a_missing_one_means_any_tab(self):
        state = self.beat("x" * 500)
        self.assertTrue(state["mine"])
        self.assertEqual(EditLock.objects.get().tab, "x" * 64)
        self.assertTrue(self.beat("")["mine"])

    def test_only_the_editor_is_told_which_of_their_tabs_holds_the_lock(self):
        """The page asks its browser whether that tab is still open (admin-edit-lock.js) and
        takes over from one that crashed; another editor learns no tab id."""
        self.beat("browser-a.tab-1")
        self.assertEqual(self.beat("browser-a.tab-2")["holder_tab"], "browser-a.tab-1")
        self.assertEqual(self.beat("browser-a.tab-1")["holder_tab"], "")
        self.client.force_login(make_user("bo", is_staff=True, is_superuser=True))
        state = self.beat("browser-b.tab-1")
        self.assertEqual((state["mine"], state["holder_tab"]), (False, ""))

    def test_a_tab_id_with_control_characters_is_the_tab_as_stored(self):
        """A NUL reached PostgreSQL in the release's query (a 500); the save drops control
        characters, so the raw id no longer matched the tab's own stored lock."""
        self.assertTrue(self.beat("tab\x1b-a\x00")["mine"])
        self.assertEqual(EditLock.objects.get().tab, "tab-a")
        self.assertTrue(self.beat("tab\x1b-a\x00")["mine"])
        self.assertFalse(self.beat("tab-b")["mine"])
        self.beat("tab\x00-a", "lock/release")
        self.assertFalse(EditLock.objects.exists())
