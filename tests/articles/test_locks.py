from unittest import mock

from django.contrib.auth.models import User
from django.db import connection
from django.test import TransactionTestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.admin import ArticleAdmin
from articles.models import Article, ArticleRevision, EditLock
from tests.factories import (
    AdminTestCase,
    article_change_url,
    article_form_data,
    make_article,
    make_author,
    make_user,
)


class EditLockTests(AdminTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.article = make_article(
            headline="Original", status=Article.Status.DRAFT, authors=[make_author("Ana Ruiz")]
        )
        cls.other = make_user("bo", is_staff=True, is_superuser=True)

    def test_opening_the_form_takes_the_lock_and_a_second_editor_is_told(self):
        self.client.get(article_change_url(self.article))
        self.client.force_login(self.other)
        response = self.client.get(article_change_url(self.article))
        self.assertContains(response, "chief is editing (since ")
        self.assertEqual(EditLock.objects.get().user, self.superuser)

    def test_saving_while_another_editor_holds_the_lock_is_refused(self):
        EditLock.claim(self.article, self.other)
        response = self.client.post(
            article_change_url(self.article), article_form_data(self.article, headline="Mine")
        )
        self.assertContains(response, "bo is editing this article")
        self.article.refresh_from_db()
        self.assertEqual(self.article.headline, "Original")

    def test_a_stale_form_is_refused_with_a_diff_then_saved_on_purpose(self):
        stale = self.article.version_token
        self.client.post(
            article_change_url(self.article), article_form_data(self.article, headline="Theirs")
        )
        self.article.refresh_from_db()
        data = article_form_data(self.article, headline="Mine", base_version=stale)
        response = self.client.post(article_change_url(self.article), data)
        self.assertContains(response, "saved by someone else since you opened it")
        self.assertContains(response, "<del>Theirs</del> <ins>Mine</ins>", html=True)
        self.assertContains(response, f'value="{self.article.version_token}"')
        data["base_version"] = self.article.version_token
        response = self.client.post(article_change_url(self.article), data)
        self.assertEqual(response.status_code, 302)
        self.article.refresh_from_db()
        self.assertEqual(self.article.headline, "Mine")

    def test_a_lapsed_lock_goes_to_the_next_editor_and_the_sleeper_keeps_their_changes(self):
        lock_url = f"/admin/articles/article/{self.article.pk}/lock/"
        self.client.post(lock_url, {"edit_tab": "tab-a"})
        # The first editor's laptop sleeps: no heartbeat for longer than the lock lasts.
        EditLock.objects.update(heartbeat_at=timezone.now() - EditLock.TIMEOUT * 2)
        self.client.force_login(self.other)
        self.assertNotContains(self.client.get(article_change_url(self.article)), "is editing")
        self.assertEqual(EditLock.objects.get().user, self.other)

        # The sleeping page wakes and asks: it is told the lock was taken from it ...
        self.client.force_login(self.superuser)
        state = self.client.post(lock_url, {"edit_tab": "tab-a"}).json()
        self.assertEqual(
            (state["mine"], state["taken_from_me"], state["holder"]), (False, True, "bo")
        )
        # ... and its unsaved changes are kept as a revision, not applied.
        data = article_form_data(self.article, headline="Typed before the lid closed")
        response = self.client.post(f"/admin/articles/article/{self.article.pk}/lock/keep/", data)
        self.assertEqual(response.json(), {"kept": True})
        self.assertFalse(ArticleRevision.objects.get(article=self.article).applied)
        self.article.refresh_from_db()
        self.assertEqual(self.article.headline, "Original")

    def test_lock_views_need_permission_to_change_articles(self):
        self.client.force_login(make_user("viewer", is_staff=True, perms=["articles.view_article"]))
        for name in ["lock", "lock/take-over", "lock/keep", "lock/release", "autosave"]:
            with self.subTest(name=name):
                response = self.client.post(f"/admin/articles/article/{self.article.pk}/{name}/")
                self.assertEqual(response.status_code, 403)

    def test_the_version_check_locks_the_row_until_the_save_commits(self):
        # Two saves a few milliseconds apart both read the old version unless the first
        # holds the row: the second must wait for it, then be refused.
        with CaptureQueriesContext(connection) as queries:
            response = self.client.post(
                article_change_url(self.article), article_form_data(self.article)
            )
        self.assertEqual(response.status_code, 302)
        self.assertTrue(
            any(
                'FROM "articles_article"' in query["sql"] and "FOR UPDATE" in query["sql"]
                for query in queries.captured_queries
            )
        )


class LockOfDeletedRowsTests(TransactionTestCase):
    """A heartbeat racing the deletion of its article or editor: the lock's foreign keys are
    checked at commit, so the race only shows outside a test transaction."""

    def test_a_lock_for_an_article_or_editor_deleted_meanwhile_is_no_lock(self):
        article = make_article(status=Article.Status.DRAFT)
        editor = make_user("bo", is_staff=True, is_superuser=True)
        deleted_article = make_article(status=Article.Status.DRAFT)
        Article.objects.filter(pk=deleted_article.pk).delete()
        deleted_editor = make_user("cy", is_staff=True, is_superuser=True)
        User.objects.filter(pk=deleted_editor.pk).delete()

        self.assertIsNone(EditLock.claim(deleted_article, editor, "tab-1"))
        self.assertIsNone(EditLock.take_over(deleted_article, editor, "tab-1"))
        self.assertIsNone(EditLock.claim(article, deleted_editor, "tab-1"))
        self.assertIsNone(EditLock.take_over(article, deleted_editor, "tab-1"))
        self.assertFalse(EditLock.objects.exists())
        # The same calls for rows that are there still lock.
        self.assertEqual(EditLock.claim(article, editor, "tab-1").user, editor)

    def test_the_lock_views_answer_404_not_500_when_the_article_goes_mid_request(self):
        editor = make_user("bo", is_staff=True, is_superuser=True)
        self.client.force_login(editor)
        fetch_article = ArticleAdmin.editable_article

        def deleted_meanwhile(admin, request, pk):
            article = fetch_article(admin, request, pk)
            Article.objects.filter(pk=pk).delete()  # in another tab, say
            return article

        for name in ["lock", "take_over"]:
            with self.subTest(name):
                article = make_article(status=Article.Status.DRAFT)
                url = reverse(f"admin:articles_article_{name}", args=[article.pk])
                with mock.patch.object(ArticleAdmin, "editable_article", deleted_meanwhile):
                    response = self.client.post(
                        url, {"edit_tab": "tab-1"}, headers={"x-requested-with": "fetch"}
                    )
                self.assertEqual(response.status_code, 404)
                self.assertFalse(EditLock.objects.exists())
