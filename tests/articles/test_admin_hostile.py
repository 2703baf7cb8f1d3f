"""Odd or crafted input to the article form and its helpers: a clear answer, never a 500."""

import datetime
import json
import shutil
import tempfile
import time

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.test import Client, TransactionTestCase, override_settings
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from articles.models import Article, EditLock, ShareLink, WorkingCopy
from publication.db import hold_lock
from tests.factories import (
    AdminTestCase,
    article_change_url,
    article_form_data,
    at_once,
    image_upload,
    make_article,
    make_author,
    make_kind,
    make_photo,
    make_section,
    make_site,
    make_user,
)
from tests.production.helpers import production_env, start_manage


class OversizedFormTests(AdminTestCase):
    """Text past DATA_UPLOAD_MAX_MEMORY_SIZE in a multipart form (the article's) is found
    only while Django reads it: it answered a bare "Bad Request (400)" page."""

    @override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=20_480)
    def test_an_article_form_with_too_much_text_gets_413_saying_nothing_was_saved(self):
        data = article_form_data(headline="Long read", body="<p>" + "word " * 5000 + "</p>")
        for files in ({}, {"photo_image": image_upload()}):  # multipart either way
            with self.subTest(photo=bool(files)):
                response = self.client.post("/admin/articles/article/add/", {**data, **files})
                self.assertEqual(response.status_code, 413)
                self.assertEqual(response["Content-Type"], "text/plain; charset=utf-8")
                self.assertIn("nothing was saved", response.content.decode())
                self.assertIn("20.0\xa0KB", response.content.decode())
        self.assertFalse(Article.objects.filter(headline="Long read").exists())

    @override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=20_480)
    def test_the_editor_upload_with_too_much_text_gets_json_413(self):
        response = self.client.post(
            "/editor/images/", {"upload": image_upload(), "note": "x" * 30_000}
        )
        self.assertEqual(response.status_code, 413)
        self.assertIn("nothing was saved", response.json()["error"]["message"])

    def test_other_bad_requests_keep_djangos_400(self):
        response = self.client.post(
            "/admin/articles/article/add/", "x", content_type="multipart/form-data"
        )
        self.assertEqual(response.status_code, 400)


class CraftedArticleFormTests(AdminTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.article = make_article(
            headline="Original", status=Article.Status.DRAFT, authors=[make_author("Ana Ruiz")]
        )

    def test_a_value_that_is_no_id_in_an_autocomplete_box_is_a_form_error(self):
        for field in ["lead_photo", "bylines-0-author", "photo_creator", "photo_source"]:
            with self.subTest(field=field):
                data = article_form_data(self.article, headline="Changed")
                data[field] = "abc"
                response = self.client.post(article_change_url(self.article), data)
                self.assertContains(response, "Select a valid choice")
        self.article.refresh_from_db()
        self.assertEqual(self.article.headline, "Original")

    def test_autosave_keeps_typed_text_without_nul_characters(self):
        response = self.client.post(
            f"/admin/articles/article/{self.article.pk}/autosave/",
            {"headline": "Typed\x00 headline", "dek\x00": "x"},
        )
        self.assertEqual(response.status_code, 200)
        fields = WorkingCopy.objects.get().data["fields"]
        self.assertEqual((fields["headline"], fields["dek"]), (["Typed headline"], ["x"]))

    def test_an_autosave_that_is_not_the_form_keeps_the_working_copy(self):
        url = f"/admin/articles/article/{self.article.pk}/autosave/"
        self.client.post(url, {"headline": "Typed for an hour"})
        for body, content_type in [
            ("", "application/x-www-form-urlencoded"),
            ('{"headline": "x"}', "application/json"),
            ("edit_tab=t1", "application/x-www-form-urlencoded"),
        ]:
            with self.subTest(body=body):
                response = self.client.post(url, body, content_type=content_type)
                self.assertEqual(response.status_code, 400)
        fields = WorkingCopy.objects.get().data["fields"]
        self.assertEqual(fields["headline"], ["Typed for an hour"])

    def test_only_the_tab_holding_the_lock_autosaves(self):
        url = f"/admin/articles/article/{self.article.pk}/autosave/"
        lock_url = f"/admin/articles/article/{self.article.pk}/lock/"
        self.client.post(lock_url, {"edit_tab": "tab-1"})
        self.assertEqual(
            self.client.post(url, {"headline": "Tab one", "edit_tab": "tab-1"}).status_code, 200
        )
        # The editor's second tab is read-only; its older text must not replace tab one's.
        response = self.client.post(url, {"headline": "Stale tab two", "edit_tab": "tab-2"})
        self.assertEqual(response.status_code, 409)
        # Another editor's lock: theirs to keep.
        EditLock.objects.update(user=make_user("other", is_staff=True), tab="x")
        self.assertEqual(
            self.client.post(url, {"headline": "Mine", "edit_tab": "tab-1"}).status_code, 409
        )
        self.assertEqual(WorkingCopy.objects.get().data["fields"]["headline"], ["Tab one"])
        # A lapsed lock is nobody's: the editor's changes are kept.
        EditLock.objects.update(heartbeat_at=timezone.now() - EditLock.TIMEOUT * 2)
        self.assertEqual(
            self.client.post(url, {"headline": "Later", "edit_tab": "tab-1"}).status_code, 200
        )

    def test_schedule_with_a_time_already_past_is_refused_and_nothing_changes(self):
        data = article_form_data(
            self.article, published_at_0="2020-01-14", published_at_1="09:00:00", _schedule="1"
        )
        response = self.client.post(article_change_url(self.article), data)
        self.assertContains(response, "Choose a publish time in the future to schedule")
        self.article.refresh_from_db()
        self.assertEqual(self.article.status, Article.Status.DRAFT)

    def test_a_value_that_is_no_id_on_the_author_and_creator_pages_is_a_form_error(self):
        author = make_author("Dimitrije Ostojic")
        for url, data in [
            (
                f"/admin/publication/author/{author.pk}/change/",
                {"name": author.name, "photo": "abc"},
            ),
            (
                "/admin/publication/creator/add/",
                {"name": "Lena Marsh", "kind": "person", "author": "abc"},
            ),
        ]:
            with self.subTest(url=url):
                response = self.client.post(url, data)
                self.assertContains(response, "Select a valid choice")


class EveryAutocompleteBoxTests(AdminTestCase):
    def test_every_autocomplete_box_draws_a_crafted_value_as_a_form_error(self):
        """A box left out of this rule answers 500 when a crafted id is posted to it."""
        from django.contrib import admin
        from django.test import RequestFactory

        from publication.admin import KnownValuesOnlyMixin

        request = RequestFactory().get("/admin/")
        request.user = self.superuser
        boxes = []
        ours = {"publication", "articles", "newsletter", "taggit"}
        for model_admin in admin.site._registry.values():
            if model_admin.opts.app_label not in ours:
                continue
            inlines = model_admin.get_inline_instances(request)
            owners = [(model_admin, model_admin.get_form(request))]
            owners += [(inline, inline.get_formset(request).form) for inline in inlines]
            for owner, form in owners:
                for name in owner.get_autocomplete_fields(request):
                    if name in form.base_fields:
                        boxes.append((type(owner).__name__, name, form.base_fields[name].widget))
        self.assertIn("SiteSettingsAdmin", {owner for owner, _, _ in boxes})
        for owner, name, widget in boxes:
            with self.subTest(admin=owner, field=name):
                self.assertIsInstance(getattr(widget, "widget", widget), KnownValuesOnlyMixin)


class SimultaneousShareLinkTests(TransactionTestCase):
    def test_presses_of_create_share_link_at_once_make_one_link(self):
        make_site()
        editor = make_user("ed", is_staff=True, is_superuser=True)
        article = make_article(headline="Draft", status=Article.Status.DRAFT)
        url = reverse("admin:articles_article_share", args=[article.pk])

        def press(client):
            client.force_login(editor)
            return client.post(url)

        statuses = at_once(8, press)
        self.assertEqual(sorted(statuses), [200] * 7 + [201])
        self.assertEqual(ShareLink.objects.count(), 1)

    def test_a_later_press_or_one_after_a_revoke_makes_a_new_link(self):
        make_site()
        editor = make_user("ed", is_staff=True, is_superuser=True)
        article = make_article(headline="Draft", status=Article.Status.DRAFT)
        first, created = ShareLink.create_for(article, editor, days=7)
        self.assertTrue(created)
        self.assertEqual(ShareLink.create_for(article, editor, days=7), (first, False))
        first.revoked_at = timezone.now()
        first.save()
        second, created = ShareLink.create_for(article, editor, days=7)
        self.assertTrue(created)
        moments_ago = timezone.now() - datetime.timedelta(seconds=ShareLink.REPEAT_SECONDS + 1)
        ShareLink.objects.filter(pk=second.pk).update(created_at=moments_ago)
        self.assertTrue(ShareLink.create_for(article, editor, days=7)[1])
        # Another editor's press is their own link.
        self.assertTrue(ShareLink.create_for(article, make_user("other"), days=7)[1])
        self.assertEqual(ShareLink.objects.count(), 4)


class SimultaneousActionTests(TransactionTestCase):
    """Publish now and Unpublish pressed many times at once: one change, one revision."""

    def setUp(self):
        media = tempfile.mkdtemp(prefix="test-media-")
        self.addCleanup(shutil.rmtree, media, ignore_errors=True)
        self.enterContext(override_settings(MEDIA_ROOT=media))
        make_site()
        self.chief = make_user("chief", is_staff=True, is_superuser=True)
        self.article = make_article(
            headline="Ready",
            authors=[make_author("Ana Ruiz")],
            lead_photo=make_photo(credit_text="Jane Doe / stockagency.example"),
        )

    def press(self, action):
        def post(client):
            client.force_login(self.chief)
            return client.post(
                "/admin/articles/article/",
                {"action": action, "_selected_action": [self.article.pk]},
            )

        return at_once(6, post)

    def revisions(self, comment):
        return Version.objects.get_for_object(self.article).filter(revision__comment=comment)

    def test_one_revision_for_each_change(self):
        self.assertEqual(self.press("unpublish"), [302] * 6)
        self.assertEqual(self.revisions("Moved back to draft.").count(), 1)
        self.assertEqual(self.press("publish_now"), [302] * 6)
        self.assertEqual(self.revisions("Published with “Publish now”.").count(), 1)
        published_at = Article.objects.get().published_at
        # Pressed again when nothing is left to do: no change, no revision.
        self.press("publish_now")
        self.assertEqual(Article.objects.get().published_at, published_at)
        self.assertEqual(Version.objects.get_for_object(self.article).count(), 2)


# Two editors (or two tabs) sending "Add article" with one address at the same moment,
# each from its own server process, as gunicorn's workers would serve them.
POST_ARTICLE = """
import html
import json
import re
from django.utils.html import strip_tags
from django.contrib.auth.models import User
from django.test import Client
from tests.factories import article_form_data
client = Client(HTTP_HOST="127.0.0.1")
client.force_login(User.objects.get(username="chief"))
data = article_form_data(headline="Same story, tab {tab}", slug="same-story", kind={kind},
                         section={section}, csrfmiddlewaretoken="tab-{tab}")
response = client.post("/admin/articles/article/add/", data)
errors = re.findall(r'<ul class="errorlist[^>]*>(.*?)</ul>', response.content.decode(), re.S)
print(json.dumps({{"status": response.status_code,
                  "errors": [html.unescape(strip_tags(error)).strip() for error in errors]}}))
"""


class SimultaneousNewArticleSlugTests(TransactionTestCase):
    """A typed address another article has is a form error naming that article, whether
    that article was saved before or is being saved at the same moment: never a 500, never
    a second article at "-2" that only timing decided (the second of two posts a moment
    apart got the error, two posts at once both got articles)."""

    def setUp(self):
        make_site()
        make_user("chief", is_staff=True, is_superuser=True)
        self.kind, self.section = make_kind(), make_section()

    def post_from_two_processes(self, *, held: bool) -> list[dict]:
        env = {
            **production_env(),
            "DJANGO_DEBUG": "true",
            "DJANGO_CACHE_BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        }
        processes = []
        with transaction.atomic():
            if held:  # another save of the address in progress: both posts arrive meanwhile
                hold_lock("article-slug:same-story")
            for tab in (1, 2):
                script = POST_ARTICLE.format(tab=tab, kind=self.kind.pk, section=self.section.pk)
                processes.append(start_manage("shell", "-c", script, env=env))
            if held:
                self.wait_until_both_wait(processes)
        answers = []
        for process in processes:
            out, err = process.communicate(timeout=120)
            self.assertEqual(process.returncode, 0, err)
            answers.append(json.loads(out.strip().splitlines()[-1]))
        return answers

    def wait_until_both_wait(self, processes):
        """Until both posts wait for the slug's lock in this test's database. Not a timing
        assertion: two Django processes may take long to start on a busy machine."""
        deadline = time.monotonic() + 180
        with connection.cursor() as cursor:
            while time.monotonic() < deadline and all(p.poll() is None for p in processes):
                cursor.execute(
                    "SELECT count(*) FROM pg_locks WHERE NOT granted AND locktype = 'advisory'"
                    " AND database = (SELECT oid FROM pg_database"
                    " WHERE datname = current_database())"
                )
                if cursor.fetchone()[0] >= 2:
                    return
                time.sleep(0.05)
        self.fail("The two posts never both waited for the save in progress.")

    def test_two_posts_of_one_address_at_once_save_one_article_and_name_it_to_the_other(self):
        for held in (True, False):
            with self.subTest(held=held):
                Article.objects.all().delete()
                answers = self.post_from_two_processes(held=held)
                self.assertEqual(sorted(answer["status"] for answer in answers), [200, 302])
                saved = Article.objects.get()
                self.assertEqual(saved.slug, "same-story")
                refused = next(answer for answer in answers if answer["status"] == 200)
                self.assertEqual(refused["errors"], [taken_message(saved)])

    def test_a_post_after_the_other_was_saved_gets_the_same_error(self):
        client = Client()
        client.force_login(User.objects.get(username="chief"))
        url = "/admin/articles/article/add/"
        first = article_form_data(headline="First", slug="same-story")
        self.assertEqual(client.post(url, first).status_code, 302)
        response = client.post(url, article_form_data(headline="Second", slug="same-story"))
        errors = response.context["adminform"].form.errors
        self.assertEqual(errors, {"slug": [taken_message(Article.objects.get())]})


def taken_message(article) -> str:
    return (
        f"Another article already has this address: “{article.headline}”. "
        "Choose another address, for example same-story-2."
    )
