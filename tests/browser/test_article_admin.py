"""The editors' admin in Chromium: pre-publish checks, revisions, locks, backups."""

import datetime
import re
import threading
from importlib import import_module
from unittest import mock

from axes.utils import reset as reset_login_failures
from django.apps import apps as django_apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone
from reversion.models import Version

from articles.models import Article, ArticleRevision, EditLock, ShareLink, WorkingCopy
from tests.browser.actions import CountedActions
from tests.browser.test_security import CSP_MARKERS
from tests.browser.test_teasers import BrowserTestCase
from tests.factories import (
    article_change_url,
    article_form_data,
    image_bytes,
    make_article,
    make_author,
    make_editor,
    make_kind,
    make_photo,
    make_section,
    make_user,
)


class EditorsAdminTestCase(BrowserTestCase):
    def setUp(self):
        super().setUp()
        # An earlier TransactionTestCase may have flushed the group its migration made.
        import_module("articles.migrations.0002_editors_group").create_editors_group(
            django_apps, None
        )
        import_module("articles.migrations.0013_editors_manage_corrections").grant(
            django_apps, None
        )
        self.editor = make_editor("ed")
        # Chromium reports each script or style the admin's Content-Security-Policy blocked
        # on the console: every editors' page in these tests must run without one.
        self.csp_violations = []
        self.context.on("console", self.note_csp_violation)

    def note_csp_violation(self, message):
        if any(marker in message.text for marker in CSP_MARKERS):
            self.csp_violations.append(f"{message.page and message.page.url}: {message.text}")

    def tearDown(self):
        try:
            if not self.has_failed():
                self.assertEqual(self.csp_violations, [], "blocked by the admin's CSP")
        finally:
            super().tearDown()

    def log_in(self, user, context=None):
        client = Client()
        client.force_login(user)
        (context or self.context).add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": self.live_server_url,
                }
            ]
        )

    def type_in_body(self, page, text):
        page.locator(".ck-editor__editable").first.click()
        page.keyboard.press("Control+End")
        page.keyboard.type(text)


class PrePublishCheckTests(EditorsAdminTestCase):
    def test_checks_are_live_and_publishing_an_incomplete_article_is_refused(self):
        make_kind("Analysis")
        make_section("Europe")
        make_author("Ana Ruiz")
        self.log_in(self.editor)
        page = self.page
        page.goto(self.live_server_url + "/admin/articles/article/add/")
        panel = page.locator("#publish-checks")
        panel.get_by_text("a headline").wait_for()

        page.fill("#id_headline", "Can the alliance hold together?")
        page.select_option("#id_kind", label="Analysis")
        page.select_option("#id_section", label="Europe")
        self.type_in_body(page, "The talks resume on TK.")
        panel.get_by_text("The text still holds placeholders: TK.").wait_for()
        self.assertIn("Publishing needs: at least one author and a lead photo.", panel.inner_text())
        self.assertIn("5 words · 1 min read", panel.inner_text())

        page.select_option("#id_status", "published")
        page.click("input[name=_continue]")
        page.get_by_text("Not published: it needs at least one author and a lead photo.").wait_for()
        self.assertEqual(page.input_value("#id_headline"), "Can the alliance hold together?")
        self.assertFalse(Article.objects.exists())

        page.select_option("#id_status", "draft")
        # An impatient double click on Save adds one article, not two.
        page.dblclick("input[name=_continue]")
        page.get_by_text("was added successfully").wait_for()
        self.assertEqual(Article.objects.get().status, Article.Status.DRAFT)


class SearchFieldsTests(EditorsAdminTestCase):
    def test_a_long_headline_asks_for_a_search_title_and_a_filled_one_is_in_sight(self):
        self.log_in(self.editor)
        page = self.page
        page.goto(self.live_server_url + "/admin/articles/article/add/")
        panel = page.locator("#publish-checks")
        title = page.locator("#id_seo_title")
        self.assertFalse(title.is_visible())  # folded away while empty
        page.fill("#id_headline", "Can the alliance hold together through a long winter of talks?")
        panel.get_by_text("and there is no search and sharing title").wait_for()

        page.locator("summary", has_text="Search and sharing").click()
        title.fill("Can the alliance hold together?")
        panel.get_by_text("no search and sharing title").wait_for(state="detached")
        page.click("input[name=_continue]")
        page.get_by_text("was added successfully").wait_for()
        # Reopened: what will show in search results is in sight, not folded away.
        self.assertTrue(title.is_visible())
        self.assertEqual(title.input_value(), "Can the alliance hold together?")

    def test_text_restored_into_the_folded_search_fields_is_put_in_sight(self):
        article = make_article(status=Article.Status.DRAFT)
        posted = article_form_data(
            article, seo_title="Can the alliance hold?", seo_description="Talks resume in Oslo."
        )
        # Autosaved from another computer: the server's working copy is offered back
        # through the browser backup's own restore.
        fields = {name: [str(value)] for name, value in posted.items()}
        WorkingCopy.objects.create(article=article, user=self.editor, data={"fields": fields})
        self.log_in(self.editor)
        page = self.page
        page.goto(self.live_server_url + article_change_url(article))
        restore = page.get_by_role("button", name=re.compile("Restore unsaved changes"))
        restore.wait_for()
        title = page.locator("#id_seo_title")
        self.assertFalse(title.is_visible())  # nothing saved there: folded
        restore.click()
        title.wait_for()
        self.assertEqual(title.input_value(), "Can the alliance hold?")
        self.assertTrue(page.locator("#id_seo_description").is_visible())


class RevisionTests(EditorsAdminTestCase):
    def test_history_shows_the_diff_and_restores_bylines_and_topics_in_two_clicks(self):
        ana, ben = make_author("Ana Ruiz"), make_author("Ben Okafor")
        article = make_article(headline="Old headline", status=Article.Status.DRAFT, authors=[ana])
        client = Client()
        client.force_login(self.editor)
        url = article_change_url(article)
        client.post(url, article_form_data(article, tags="Energy"))
        article.refresh_from_db()
        client.post(
            url,
            article_form_data(
                article, headline="New headline", tags="Sanctions", bylines=[(ben, "photos")]
            ),
        )
        self.log_in(self.editor)
        page = self.page
        page.goto(self.live_server_url + url.replace("change/", "history/"))
        newest = page.locator(".revision").first
        self.assertIn("Old New headline", newest.locator(".revision-diff").inner_text())
        self.assertEqual(newest.locator("del").first.inner_text(), "Old")
        self.assertIn("By Ana Ruiz; Photos by Ben Okafor", newest.inner_text())

        page.get_by_role("link", name="Restore this version").click()
        page.get_by_role("button", name="Restore").first.click()
        page.get_by_text("was changed successfully").wait_for()

        article.refresh_from_db()
        self.assertEqual(article.headline, "Old headline")
        self.assertEqual(article.byline_text, "By Ana Ruiz")
        self.assertEqual(list(article.tags.names()), ["Energy"])
        self.assertEqual(Version.objects.get_for_object(article).count(), 3)

    def test_restoring_a_live_article_changes_what_readers_see_only_on_restore_and_publish(
        self,
    ):
        article = make_article(
            headline="A live story",
            authors=[make_author("Ana Ruiz")],
            lead_photo=make_photo(credit_text="Dimitrije Ostojic / Shutterstock.com"),
        )
        client = Client()
        client.force_login(self.editor)
        url = article_change_url(article)
        for dek in ["The dek readers first read.", "The dek readers read now."]:
            client.post(url, article_form_data(article, dek=dek))
            article.refresh_from_db()
        self.log_in(self.editor)
        page, public = self.page, self.context.new_page()
        page.goto(self.live_server_url + url.replace("change/", "history/"))
        page.get_by_role("link", name="Restore this version").click()
        self.assertIn("readers keep seeing the current text", page.locator("#content").inner_text())
        self.assertEqual(page.input_value("#id_dek"), "The dek readers first read.")
        # Opening the old version, in the form, changed nothing readers see.
        public.goto(self.live_server_url + article.get_absolute_url())
        self.assertIn("The dek readers read now.", public.locator("main").inner_text())

        page.get_by_role("button", name="Restore and publish").click()
        page.get_by_text("was changed successfully").wait_for()
        public.reload()
        self.assertIn("The dek readers first read.", public.locator("main").inner_text())
        article.refresh_from_db()
        self.assertTrue(article.is_live)
        self.assertEqual(Version.objects.get_for_object(article).count(), 3)

    def test_restore_names_articles_sharing_the_photo_and_restores_once(self):
        photo = make_photo(alt_text="Tanks at the border", caption="Near Kharkiv.")
        article = make_article(
            headline="Old headline",
            status=Article.Status.DRAFT,
            authors=[make_author()],
            # As a factory or an import writes it: CKEditor posts it back as <i>, <strong>.
            body="<p>The talks resume in <em>the spring</em>, <b>in Oslo</b>.</p>",
        )
        other = make_article(headline="Another story with the photo", lead_photo=photo)
        client = Client()
        client.force_login(self.editor)
        fields = {"lead_photo": photo.pk, "photo_for": photo.pk, "photo_alt_text": "Tanks"}
        url = article_change_url(article)
        client.post(url, article_form_data(article, **fields))
        article.refresh_from_db()
        client.post(
            url, article_form_data(article, **fields, headline="New", photo_caption="Kupiansk.")
        )
        self.log_in(self.editor)
        page = self.page
        page.goto(self.live_server_url + url.replace("change/", "history/"))
        page.get_by_role("link", name="Restore this version").click()
        notice = page.locator(".restore-shared-photo")
        self.assertIn("another article shows this photo", notice.inner_text())
        self.assertEqual(
            notice.get_by_role("link", name="Another story with the photo").get_attribute("href"),
            article_change_url(other),
        )
        page.get_by_role("button", name="Restore").first.click()
        page.get_by_text("was changed successfully").wait_for()
        article.refresh_from_db()
        photo.refresh_from_db()
        self.assertEqual((article.headline, photo.caption), ("Old headline", "Near Kharkiv."))
        versions = Version.objects.get_for_object(article).count()

        # Back to the restore page and Restore again: nothing more is written.
        page.go_back()
        page.get_by_role("button", name="Restore").first.click()
        page.get_by_text("This version was restored once, on").wait_for()
        self.assertEqual(Version.objects.get_for_object(article).count(), versions)

    def test_saving_an_untouched_body_that_ckeditor_rewrites_changes_nothing(self):
        article = make_article(
            status=Article.Status.DRAFT,
            body="<p>The talks <em>resume</em>  in <strong><em>Oslo</em></strong>.</p>",
        )
        versions = Version.objects.get_for_object(article).count()
        self.log_in(self.editor)
        page = self.page
        page.goto(self.live_server_url + article_change_url(article))
        page.click("input[name=_continue]")
        page.get_by_text("was changed successfully").wait_for()
        article.refresh_from_db()
        self.assertIn("<i>resume</i>", article.body)  # CKEditor's writing is what is kept
        page.goto(self.live_server_url + article_change_url(article) + "../history/")
        self.assertNotIn("Changed Body", page.locator("#content").inner_text())
        self.assertEqual(Version.objects.get_for_object(article).count(), versions + 1)


class TwoEditorsTests(EditorsAdminTestCase):
    def setUp(self):
        super().setUp()
        self.other = make_editor("bo")
        self.article = make_article(
            headline="The first headline",
            dek="The first dek.",
            status=Article.Status.DRAFT,
            authors=[make_author("Ana Ruiz")],
        )
        self.url = self.live_server_url + article_change_url(self.article)
        self.log_in(self.editor)
        self.other_context = self.browser.new_context()
        self.addCleanup(self.other_context.close)
        self.log_in(self.other, self.other_context)
        self.other_page = self.other_context.new_page()

    def test_second_editor_sees_the_lock_takes_over_and_the_first_keeps_a_revision(self):
        page_a, page_b = self.page, self.other_page
        page_a.goto(self.url)
        page_a.fill("#id_headline", "Headline typed by ed")

        page_b.goto(self.url)
        banner = page_b.locator(".edit-lock")
        self.assertRegex(banner.inner_text(), r"ed is editing \(since \d\d:\d\d, Europe/Berlin\)")
        self.assertTrue(page_b.locator("#id_headline").is_disabled())
        banner.get_by_role("button", name="Take over").click()
        page_b.wait_for_load_state()
        page_b.locator("#id_headline:enabled").wait_for()

        page_a.get_by_text("Your changes so far were kept as a revision").wait_for(timeout=10_000)
        self.assertIn("bo took over editing", page_a.locator(".edit-lock").inner_text())
        self.assertTrue(page_a.locator("#id_headline").is_disabled())
        kept = ArticleRevision.objects.get(article=self.article, applied=False)
        self.assertEqual(
            Version.objects.get_for_object(self.article)
            .get(revision=kept.revision)
            .field_dict["headline"],
            "Headline typed by ed",
        )
        self.article.refresh_from_db()
        self.assertEqual(self.article.headline, "The first headline")

    def test_save_and_continue_keeps_the_lock_through_the_old_pages_release(self):
        """The old page's pagehide beacon reaches the server after the new page's GET took
        the lock; it deleted it, and the article stood free until the new page's first
        heartbeat. The new page's heartbeats are held here until that release is done."""
        page = self.page
        page.goto(self.url)
        page.wait_for_function("() => window.editLock.beats > 0 && !window.editLock.busy()")
        released, held = threading.Event(), []
        release = EditLock.release

        def noted_release(*args):
            release(*args)
            released.set()

        def hold(route):
            held.append(route)

        page.route("**/lock/", hold)
        with mock.patch.object(EditLock, "release", noted_release):
            page.fill("#id_headline", "Saved and still mine")
            page.click("input[name=_continue]")
            page.get_by_text("was changed successfully").wait_for()
            self.assertTrue(released.wait(timeout=10))
        lock = EditLock.objects.get()
        self.assertEqual(lock.user, self.editor)
        self.assertEqual(lock.page, page.locator(".edit-lock").get_attribute("data-page"))
        # Unrouting lets a held heartbeat go on (the new page's first one may not have left
        # yet, 150 ms after the page loaded): the new page holds the lock.
        page.unroute("**/lock/", hold)
        page.wait_for_function("() => window.editLock.beats > 0")
        # Another editor opening it now is told, and gets a read-only form.
        self.other_page.goto(self.url)
        self.other_page.get_by_role("button", name="Take over").wait_for()

    def test_a_tab_that_slept_asks_on_waking_turns_read_only_and_keeps_its_changes(self):
        page_a, page_b = self.page, self.other_page
        # The page's own clock: closing the lid is stopping it, so no timer (no heartbeat)
        # can fire until the test says so.
        page_a.clock.install()
        page_a.goto(self.url)
        page_a.wait_for_function("() => window.editLock.beats > 0")
        page_a.fill("#id_headline", "Headline typed before the lid closed")
        page_a.clock.pause_at(page_a.evaluate("Date.now()") + 1000)
        page_a.wait_for_function("() => !window.editLock.busy()")  # a heartbeat sent before
        beats = page_a.evaluate("window.editLock.beats")
        # Asleep for longer than a lock lasts: the other editor opens the article and gets it.
        EditLock.objects.update(heartbeat_at=timezone.now() - EditLock.TIMEOUT * 2)
        page_b.goto(self.url)
        page_b.locator("#id_headline:enabled").wait_for()

        # The lid opens: the page asks at once, not at its next heartbeat (its clock is
        # still stopped, so no timer could have asked).
        page_a.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
        page_a.get_by_text("Your changes so far were kept as a revision").wait_for(timeout=5000)
        self.assertEqual(page_a.evaluate("window.editLock.beats"), beats + 1)
        self.assertIn("bo took over editing", page_a.locator(".edit-lock").inner_text())
        self.assertTrue(page_a.locator("#id_headline").is_disabled())
        self.assertEqual(page_a.input_value("#id_headline"), "Headline typed before the lid closed")
        kept = ArticleRevision.objects.get(article=self.article, applied=False)
        self.assertEqual(
            Version.objects.get_for_object(self.article)
            .get(revision=kept.revision)
            .field_dict["headline"],
            "Headline typed before the lid closed",
        )
        self.article.refresh_from_db()
        self.assertEqual(self.article.headline, "The first headline")
        self.assertEqual(EditLock.objects.get().user, self.other)

    def test_a_race_after_the_lock_expired_is_refused_with_a_diff_and_no_text_is_lost(self):
        page_a, page_b = self.page, self.other_page
        page_a.goto(self.url)
        # The first editor's laptop sleeps: no more heartbeats, and the lock expires.
        # A function, not a bare expression: Playwright polls an expression with eval(), which
        # the admin's CSP refuses once the first check comes too early.
        page_a.wait_for_function("() => window.editLock.beats > 0")
        page_a.evaluate("window.editLock.stop()")
        EditLock.objects.update(heartbeat_at=timezone.now() - EditLock.TIMEOUT * 2)

        page_b.goto(self.url)
        page_b.fill("#id_headline", "Headline saved by bo")
        page_b.click("input[name=_continue]")
        page_b.get_by_text("was changed successfully").wait_for()

        page_a.fill("#id_dek", "A dek typed by ed.")
        page_a.click("input[name=_continue]")
        error = page_a.locator(".errornote, .errorlist").filter(has_text="saved by someone else")
        error.first.wait_for()
        diff = page_a.locator(".errorlist .revision-diff").inner_text()
        self.assertIn("Headline saved by bo", diff)
        self.assertIn("A dek typed by ed.", diff)
        self.assertEqual(page_a.input_value("#id_dek"), "A dek typed by ed.")
        # The refused form, read-only under bo's lock, shows the typed text itself: no offer
        # to restore it from the browser's backup.
        page_a.wait_for_function("() => window.articleBackup.checked")
        self.assertTrue(page_a.locator("#id_dek").is_disabled())
        self.assertEqual(page_a.locator(".backup-offer").count(), 0)
        self.article.refresh_from_db()
        self.assertEqual(
            (self.article.headline, self.article.dek), ("Headline saved by bo", "The first dek.")
        )


class BrowserBackupTests(EditorsAdminTestCase):
    def pick(self, page, container, text):
        """Choose in a Select2 autocomplete as an editor does: open, type, pick."""
        container.locator(".select2-selection").click()
        page.locator(".select2-container--open .select2-search__field").fill(text)
        page.locator(".select2-results__option", has_text=text).first.click()

    def test_every_field_comes_back_after_the_tab_is_killed_and_leaving_asks_first(self):
        make_section("Asia")
        make_kind("News")
        make_photo(alt_text="Tanks at the border")
        make_author("Ben Okafor")
        article = make_article(
            headline="Saved headline", status=Article.Status.DRAFT, authors=[make_author("Ana")]
        )
        url = self.live_server_url + article_change_url(article)
        self.log_in(self.editor)
        page = self.page
        page.goto(url)
        page.fill("#id_headline", "Typed headline")
        page.fill("#id_dek", "A typed dek.")
        page.select_option("#id_kind", label="News")
        page.select_option("#id_section", label="Asia")
        page.get_by_role("checkbox", name="Asia").check()
        self.pick(page, page.locator(".field-lead_photo"), "Tanks")
        self.type_in_body(page, " A typed sentence.")
        page.fill("#id_teaser", "Typed teaser.")
        page.fill("#id_tags", "Energy, Sanctions")
        page.fill("#id_published_at_0", "2031-01-14")
        page.fill("#id_published_at_1", "09:00:00")
        page.check("#id_featured")
        page.select_option("#id_bylines-0-role", "reporting")
        page.locator("#bylines-group .add-row a").click()
        page.fill("#id_bylines-1-author", "Ben")
        page.get_by_role("option", name="Ben Okafor").click()
        page.select_option("#id_bylines-1-role", "photos")
        page.locator("#share_links-group .add-row a").click()
        page.fill("#id_share_links-0-note", "fact-checker")
        page.wait_for_function(
            "() => (localStorage.getItem(articleBackup.key) || '').includes('fact-checker')"
        )
        # Pasted text comes with no input event of the page's own (the editor inserts it):
        # the last change, and kept all the same. Moving into the editor first lets the
        # note's own "change" (on leaving it) be written before the paste.
        page.locator(".ck-editor__editable").first.focus()
        page.wait_for_timeout(600)
        CountedActions(page).paste(
            page.locator(".ck-editor__editable").first,
            html="<p>A pasted paragraph.</p>",
            text="A pasted paragraph.",
        )
        page.wait_for_function(
            "() => (localStorage.getItem(articleBackup.key) || '').includes('A pasted paragraph.')"
        )
        typed = page.evaluate("articleBackup.snapshot().fields")
        saved = page.evaluate("JSON.parse(localStorage.getItem(articleBackup.key)).saved")

        # The tab crashes: no more heartbeats and no release beacon, so its lock is still
        # held (as fresh as it can be) when the editor opens the article again.
        page.evaluate("window.editLock.stop()")
        EditLock.objects.update(heartbeat_at=timezone.now())
        crashed_tab = EditLock.objects.get().tab
        page.close()  # the tab is killed: no save, no prompt
        # From another browser the editor cannot tell a crashed tab from one still open
        # there: the lock stays, with the notice and Take over, as before.
        elsewhere = self.browser.new_context()
        self.addCleanup(elsewhere.close)
        self.log_in(self.editor, elsewhere)
        other_browser = elsewhere.new_page()
        other_browser.goto(url)
        other_browser.locator(".edit-lock").get_by_text(
            "You are editing this in another tab"
        ).wait_for()
        self.assertTrue(other_browser.locator("#id_headline").is_disabled())
        self.assertEqual(EditLock.objects.get().tab, crashed_tab)
        other_browser.close()
        page = self.context.new_page()
        page.goto(url)
        # No open tab of this browser answers to the crashed tab's id: the lock passes to
        # the new tab at once, not when it lapses (EditLock.TIMEOUT) as before.
        page.wait_for_function(
            "() => window.editLock.beats > 0"
            " && !document.querySelector('#article_form').classList.contains('is-locked')",
            timeout=EditLock.TIMEOUT.total_seconds() * 1000 / 3,
        )
        self.assertNotEqual(EditLock.objects.get().tab, crashed_tab)
        self.assertTrue(page.locator(".edit-lock").is_hidden())
        # In the site's zone, named, whatever the browser's own zone.
        when = timezone.localtime(datetime.datetime.fromtimestamp(saved / 1000, datetime.UTC))
        restore = page.get_by_role(
            "button", name=f"Restore unsaved changes from {when:%H:%M} (Europe/Berlin)"
        )
        restore.click()
        restored = page.evaluate("articleBackup.snapshot().fields")
        self.assertEqual(restored, typed)
        self.assertIn("A typed sentence.", restored["body"][0])
        self.assertIn("A pasted paragraph.", restored["body"][0])

        page.click("input[name=_continue]")
        page.get_by_text("was changed successfully").wait_for()
        article.refresh_from_db()
        self.assertEqual(article.headline, "Typed headline")
        self.assertEqual(article.byline_text, "Reporting by Ana; photos by Ben Okafor")
        self.assertIsNone(page.evaluate("localStorage.getItem(articleBackup.key)"))

        page.fill("#id_headline", "Typed again")
        dialogs = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
        page.close(run_before_unload=True)
        page.wait_for_timeout(300)
        self.assertEqual(dialogs, ["beforeunload"])

    def test_new_articles_typed_in_two_killed_tabs_are_both_offered_and_one_comes_back(self):
        make_kind("News")
        make_author("Ben Okafor")
        self.log_in(self.editor)
        add_url = self.live_server_url + "/admin/articles/article/add/"
        first, second = self.context.new_page(), self.context.new_page()
        typed = {}
        for page, headline in [(first, "First new article"), (second, "Second new article")]:
            page.goto(add_url)
            page.wait_for_function("() => window.articleBackup && articleBackup.checked")
            # The other tab is open: its backup is its own, not offered here.
            self.assertEqual(page.locator(".backup-offer").count(), 0)
            page.fill("#id_headline", headline)
            page.fill("#id_dek", f"Dek of the {headline.lower()}.")
            page.select_option("#id_kind", label="News")
            self.type_in_body(page, f"Body of the {headline.lower()}.")
            page.fill("#id_bylines-0-author", "Ben")
            page.get_by_role("option", name="Ben Okafor").click()
            # Everything typed is in the backup (written 0.3 s after the last change).
            page.wait_for_function(
                "() => JSON.stringify(JSON.parse(localStorage.getItem(articleBackup.key))?.fields)"
                " === JSON.stringify(articleBackup.snapshot().fields)"
            )
            typed[headline] = page.evaluate("articleBackup.snapshot().fields")
        saved = second.evaluate("JSON.parse(localStorage.getItem(articleBackup.key)).saved")
        first.close()  # both tabs are killed: no save, no prompt
        second.close()

        page = self.context.new_page()
        page.goto(add_url)
        when = timezone.localtime(datetime.datetime.fromtimestamp(saved / 1000, datetime.UTC))
        day = "" if when.date() == timezone.localdate() else f"{when:%a %-d %b} "
        offered = page.locator(".backup-offer button.default")
        offered.first.wait_for()
        self.assertEqual(
            [re.sub(r" from .*", "", label) for label in offered.all_inner_texts()],
            ["Restore “Second new article”", "Restore “First new article”"],  # newest first
        )
        page.get_by_role(
            "button",
            name=f"Restore “Second new article” from {day}{when:%H:%M} (Europe/Berlin)",
        ).click()
        self.assertEqual(
            page.evaluate("articleBackup.snapshot().fields"), typed["Second new article"]
        )
        # Now this page's article, in this page's slot; the first is still kept.
        kept = "() => Object.keys(localStorage).map(k => localStorage.getItem(k)).join()"
        self.assertNotIn(
            "First new article", page.evaluate("localStorage.getItem(articleBackup.key)")
        )
        self.assertEqual(page.evaluate(kept).count("Second new article"), 1)

        # A save refused with an error is the same new article: it keeps its slot, not offered.
        slot = page.evaluate("articleBackup.key")
        page.fill("#id_published_at_0", "not a date")
        page.click("input[name=_continue]")
        page.locator(".errornote").wait_for()
        page.wait_for_function("() => window.articleBackup && articleBackup.checked")
        self.assertEqual(page.evaluate("articleBackup.key"), slot)
        self.assertEqual(page.locator(".backup-offer button", has_text="Second").count(), 0)
        page.fill("#id_published_at_0", "")
        page.click("input[name=_continue]")
        page.get_by_text("was added successfully").wait_for()
        article = Article.objects.get()
        self.assertEqual(article.headline, "Second new article")
        self.assertIn("Body of the second new article.", article.body)
        self.assertEqual(article.byline_text, "By Ben Okafor")
        self.assertNotIn("Second new article", page.evaluate(kept))
        self.assertIn("First new article", page.evaluate(kept))


class AutosaveTests(EditorsAdminTestCase):
    def test_typing_reaches_the_working_copy_not_the_live_article(self):
        article = make_article(
            headline="Live headline",
            authors=[make_author("Ana")],
            lead_photo=make_photo(credit_text="Dimitrije Ostojic / Shutterstock.com"),
        )
        url = self.live_server_url + article_change_url(article)
        self.log_in(self.editor)
        page = self.page
        page.set_viewport_size({"width": 1280, "height": 700})
        page.goto(url)
        page.evaluate("window.notReloaded = true")
        page.fill("#id_headline", "Edited live headline")
        page.locator("#id_teaser").scroll_into_view_if_needed()
        where = "() => document.querySelector('#id_teaser').getBoundingClientRect().top"
        scrolled = page.evaluate(where)
        self.assertGreater(page.evaluate("window.scrollY"), 0)
        page.fill("#id_teaser", "A teaser typed on a live article.")
        page.get_by_text("Autosaved to your working copy at").wait_for()

        self.assertTrue(page.evaluate("window.notReloaded"))
        self.assertEqual(page.evaluate(where), scrolled)
        copy = WorkingCopy.objects.get(article=article, user=self.editor)
        self.assertEqual(copy.data["fields"]["headline"], ["Edited live headline"])
        article.refresh_from_db()
        self.assertEqual(article.headline, "Live headline")
        self.assertFalse(Version.objects.get_for_object(article).exists())
        self.assertContains(Client().get(article.get_absolute_url()), "Live headline")

        # Another browser (no local backup) gets the working copy from the server.
        page.close()
        other = self.browser.new_context()
        self.addCleanup(other.close)
        self.log_in(self.editor, other)
        page = other.new_page()
        page.goto(url)
        page.get_by_role("button", name=re.compile("Restore unsaved changes from")).click()
        self.assertEqual(page.input_value("#id_headline"), "Edited live headline")
        page.click("input[name=_continue]")
        page.get_by_text("was changed successfully").wait_for()
        self.assertFalse(WorkingCopy.objects.exists())
        article.refresh_from_db()
        self.assertEqual(article.headline, "Edited live headline")


class TeardownTests(EditorsAdminTestCase):
    """The flush after a browser test waits for the requests its pages left on the server."""

    def setUp(self):
        super().setUp()
        self.late_locks, self.patchers = [], []

    def test_a_heartbeat_the_server_finishes_after_the_page_closed_is_done_before_the_flush(
        self,
    ):
        article = make_article(headline="Open as the test ends", status=Article.Status.DRAFT)
        self.log_in(self.editor)
        page = self.page
        page.goto(self.live_server_url + article_change_url(article))
        page.wait_for_function("() => window.editLock.beats > 0 && !window.editLock.busy()")
        # The next heartbeat reaches the server and is held there until the test's teardown
        # has closed the page and goes on to the flush: then it inserts a lock (the lock is
        # gone meanwhile), the write that made the flush fail on its foreign keys.
        arrived, teardown = threading.Event(), threading.Event()
        claim = EditLock.claim

        def late_claim(article, user, tab="", page=""):
            arrived.set()
            teardown.wait(timeout=30)
            self.late_locks.append(claim(article, user, tab, page))
            return self.late_locks[-1]

        def teardown_reached(method):
            def wrapper(*args, **kwargs):
                teardown.set()
                return method(*args, **kwargs)

            return wrapper

        # Whichever the teardown reaches first: the wait for the server, or the flush.
        server = self.server_thread.httpd
        self.patchers = [
            mock.patch.object(EditLock, "claim", late_claim),
            mock.patch.object(server, "wait_until_idle", teardown_reached(server.wait_until_idle)),
            mock.patch.object(
                connection.ops,
                "execute_sql_flush",
                teardown_reached(connection.ops.execute_sql_flush),
            ),
        ]
        for patcher in self.patchers:
            patcher.start()
        EditLock.objects.all().delete()
        page.evaluate("window.dispatchEvent(new Event('focus'))")  # asks for the lock at once
        self.assertTrue(arrived.wait(timeout=30))

    def _fixture_teardown(self):
        try:
            super()._fixture_teardown()  # closes the pages, waits for the server, flushes
        finally:
            for patcher in self.patchers:
                patcher.stop()
        if self.has_failed():
            return
        # The held heartbeat wrote its lock while the article was there (one written after
        # the flush deleted it is None), and the flush then emptied the table.
        self.assertEqual(len(self.late_locks), 1)
        self.assertIsNotNone(self.late_locks[0])
        self.assertFalse(EditLock.objects.exists())


class PreviewTests(EditorsAdminTestCase):
    def body_without_banner(self, page):
        return page.evaluate(
            "() => { document.querySelector('.preview-banner')?.remove();"
            " return document.body.outerHTML; }"
        )

    def test_preview_shows_the_unsaved_form_through_the_public_page(self):
        self.log_in(self.editor)
        page = self.page
        page.goto(self.live_server_url + "/admin/articles/article/add/")
        page.fill("#id_headline", "A headline nobody has saved")
        self.type_in_body(page, "Words typed a moment ago.")
        with page.expect_popup() as popup_info:
            page.get_by_role("button", name="Preview as readers will see it").click()
        preview = popup_info.value
        preview.wait_for_load_state()
        self.assertEqual(
            preview.locator("h1.article__headline").inner_text(), "A headline nobody has saved"
        )
        self.assertIn("Words typed a moment ago.", preview.locator(".article__body").inner_text())
        self.assertEqual(preview.locator(".preview-banner").inner_text(), "Preview: not saved")
        self.assertFalse(Article.objects.exists())

        article = make_article(
            headline="A live article",
            body="<p>First paragraph.</p><p>Second, with <strong>weight</strong>.</p>",
            # The form's time field holds seconds, as editors type them.
            published_at=timezone.now().replace(microsecond=0),
            authors=[make_author("Ana Ruiz")],
            tags=["Energy"],
            lead_photo=make_photo(credit_text="Dimitrije Ostojic / Shutterstock.com"),
        )
        page.goto(self.live_server_url + article_change_url(article))
        with page.expect_popup() as popup_info:
            page.get_by_role("button", name="Preview as readers will see it").click()
        preview = popup_info.value
        preview.wait_for_load_state()
        public = self.context.new_page()
        public.goto(self.live_server_url + article.get_absolute_url())
        self.maxDiff = None
        self.assertEqual(self.body_without_banner(preview), self.body_without_banner(public))


class ShareLinkTests(EditorsAdminTestCase):
    def test_a_link_in_two_clicks_shows_its_revision_and_is_revoked_in_one(self):
        article = make_article(
            headline="Draft for the fact-checker",
            status=Article.Status.DRAFT,
            authors=[make_author("Ana Ruiz")],
        )
        self.log_in(self.editor)
        page = self.page
        page.goto(self.live_server_url + article_change_url(article))
        page.locator("#share_links-group .add-row a").click()
        self.assertEqual(page.input_value("#id_share_links-0-valid_for"), "7")
        page.click("input[name=_continue]")
        page.get_by_text("was changed successfully").wait_for()
        link = page.locator(".share-link a")
        url = link.inner_text()
        self.assertTrue(url.startswith(f"{settings.SITE_URL}/share/"))
        share = ShareLink.objects.get()
        self.assertEqual(round((share.expires_at - share.created_at).total_seconds() / 86400), 7)

        # Later edits stay out of the reviewer's version.
        client = Client()
        client.force_login(self.editor)
        article.refresh_from_db()
        client.post(
            article_change_url(article), article_form_data(article, headline="Edited later")
        )
        reviewer = self.browser.new_context()
        self.addCleanup(reviewer.close)
        shared = reviewer.new_page()
        response = shared.goto(url.replace(settings.SITE_URL, self.live_server_url))
        self.assertEqual(response.headers["x-robots-tag"], "noindex, nofollow")
        self.assertEqual(
            shared.locator("h1.article__headline").inner_text(), "Draft for the fact-checker"
        )
        self.assertIn("Shared draft, version of", shared.locator(".preview-banner").inner_text())

        page.reload()
        page.get_by_role("button", name="Revoke").click()
        page.locator(".field-link", has_text="Revoked").wait_for()
        self.assertEqual(shared.reload().status, 404)

    def test_an_article_shared_300_times_is_saved_from_the_form(self):
        article = make_article(headline="Shared widely", status=Article.Status.DRAFT)
        week = datetime.timedelta(days=7)
        ShareLink.objects.bulk_create(
            ShareLink(article=article, note=f"reviewer {n}", expires_at=timezone.now() + week)
            for n in range(300)
        )
        self.log_in(self.editor)
        page = self.page
        page.goto(self.live_server_url + article_change_url(article))
        self.assertEqual(page.locator("#share_links-group tr.has_original").count(), 20)
        self.assertIn(
            "The 20 newest active links are below; 280 more are active.",
            page.locator(".field-share_links_summary").inner_text(),
        )
        page.fill("#id_headline", "Shared widely, saved all the same")
        page.click("input[name=_continue]")
        page.get_by_text("was changed successfully").wait_for()
        article.refresh_from_db()
        self.assertEqual(article.headline, "Shared widely, saved all the same")
        self.assertEqual(ShareLink.objects.active().count(), 300)


class SchedulingTests(EditorsAdminTestCase):
    def test_schedule_in_three_actions_and_the_list_names_the_zone_and_fits_1280_pixels(self):
        ready = make_article(
            headline="A ready draft about the alliance and the coming winter of negotiations",
            status=Article.Status.DRAFT,
            authors=[make_author("Ana Ruiz"), make_author("Ben Okafor")],
            lead_photo=make_photo(credit_text="Dimitrije Ostojic / Shutterstock.com"),
        )
        make_article(
            headline="Due in three hours",
            published_at=timezone.now() + datetime.timedelta(hours=3),
            authors=[make_author("Chen Li")],
        )
        make_article(
            headline="Forgotten draft",
            status=Article.Status.DRAFT,
            published_at=timezone.now() - datetime.timedelta(days=1),
        )
        self.log_in(self.editor)
        page = self.page
        page.set_viewport_size({"width": 1280, "height": 800})
        page.goto(self.live_server_url + article_change_url(ready))
        self.assertIn(
            "In Europe/Berlin time.", page.locator(".form-row.field-published_at").inner_text()
        )
        # Django's Today and Now set the inputs without an event: the button, the backup
        # and autosave follow them all the same.
        page.get_by_role("link", name="Today").click()
        page.get_by_role("link", name="Now").click()
        today = timezone.localdate()
        label = rf"^Schedule for {today:%a %-d %b} \d\d:\d\d \(Europe/Berlin\)$"
        self.assertRegex(page.locator(".schedule-button").inner_text(), label)
        page.wait_for_function(
            "day => (localStorage.getItem(articleBackup.key) || '').includes(day)",
            arg=today.isoformat(),
        )
        # An impossible date names no day (the calendar would roll 30 Feb over to 2 Mar).
        page.fill("#id_published_at_0", "2031-02-30")
        self.assertEqual(page.locator(".schedule-button").inner_text(), "Schedule")

        page.fill("#id_published_at_0", "2031-01-14")  # 1
        page.fill("#id_published_at_1", "09:00")  # 2
        button = page.get_by_role("button", name="Schedule for Tue 14 Jan 09:00 (Europe/Berlin)")
        button.click()  # 3
        page.wait_for_url("**/admin/articles/article/")

        ready.refresh_from_db()
        self.assertEqual(ready.status, Article.Status.PUBLISHED)
        self.assertEqual(
            timezone.localtime(ready.published_at).strftime("%Y-%m-%d %H:%M %Z"),
            "2031-01-14 09:00 CET",
        )
        row = page.locator("#result_list tr", has_text="A ready draft")
        # Years ahead: the date, not "in 1504 days".
        self.assertEqual(
            row.locator(".field-state").inner_text(),
            "Scheduled · Tue 14 Jan 2031",
        )
        self.assertEqual(
            row.locator(".field-publish_time").inner_text(), "14 Jan 2031\n09:00 Europe/Berlin"
        )
        due = page.locator("#result_list tr", has_text="Due in three hours")
        self.assertEqual(due.locator(".field-state").inner_text(), "Scheduled · in 3 h")
        forgotten = page.locator("#result_list tr", has_text="Forgotten draft")
        self.assertEqual(forgotten.locator(".field-state").inner_text(), "Draft · time passed")
        fits = page.evaluate(
            "() => { const r = document.querySelector('#changelist .results');"
            " return r.scrollWidth <= r.clientWidth; }"
        )
        self.assertTrue(fits, "the article list overflows at 1,280 pixels")
        lines = page.evaluate(
            "() => { const cell = document.querySelector('#result_list .field-headline');"
            " return Math.round(cell.querySelector('a').getClientRects().length); }"
        )
        self.assertLessEqual(lines, 2)
        # The authors get room too (squeezed to ~80 px, a byline with roles took 6 lines).
        # (The byline's own lines: a far-off schedule's date makes the status cell taller.)
        byline = row.locator(".field-byline")
        self.assertEqual(byline.inner_text(), "By Ana Ruiz and Ben Okafor")
        height = byline.evaluate(
            "cell => { const range = document.createRange(); range.selectNodeContents(cell);"
            " return range.getBoundingClientRect().height; }"
        )
        self.assertLessEqual(height, 2 * 20)


class AccessibilityTests(EditorsAdminTestCase):
    """axe-core (shipped inside axe-playwright-python) on the editors' pages."""

    def violations(self, page):
        from axe_playwright_python.sync_playwright import Axe

        # No preload: axe would copy each stylesheet into <style> elements of its own to read
        # them, which the admin's policy rightly blocks (and reports). Only the
        # css-orientation-lock rule needs those copies; no admin style locks the orientation.
        results = Axe().run(page, options={"resultTypes": ["violations"], "preload": False})
        return [
            f"{violation['id']} ({violation['impact']}): "
            + ", ".join(str(node["target"]) for node in violation["nodes"][:5])
            for violation in results.response["violations"]
        ]

    def test_the_editors_pages_have_no_axe_violations_of_any_impact(self):
        """Serious and critical ones first (unlabelled autocomplete boxes, date and time
        inputs and byline selects: 17 on the change form), then moderate and minor: the
        tabular inlines' empty column headers and the lead-photo picker's list outside the
        page's landmarks."""
        article = make_article(
            headline="An accessible article",
            status=Article.Status.DRAFT,
            authors=[make_author("Ana Ruiz")],
            lead_photo=make_photo(credit_text="Dimitrije Ostojic / Shutterstock.com"),
        )
        make_photo(alt_text="Soldiers at a border crossing", credit_text="Ana Ruiz / Reuters")
        link = ShareLink.objects.create(article=article, expires_at=ShareLink.expiry_after(7))
        client = Client()
        client.force_login(self.editor)
        for dek in ["The first dek.", "The second dek."]:
            client.post(article_change_url(article), article_form_data(article, dek=dek))
        first = Version.objects.get_for_object(article).last()
        self.log_in(self.editor)
        page = self.page
        found = {}
        for name, url in [
            ("article add form", "/admin/articles/article/add/"),
            ("article change form", article_change_url(article)),
            ("photo form", "/admin/publication/photo/add/"),
            ("photo list", "/admin/publication/photo/"),
            ("article list", "/admin/articles/article/"),
            ("history", article_change_url(article).replace("change/", "history/")),
            ("restore", f"/admin/articles/article/{article.pk}/history/{first.pk}/"),
            ("share page", link.get_absolute_url()),
        ]:
            page.goto(self.live_server_url + url)
            page.wait_for_load_state("networkidle")
            found[name] = self.violations(page)
        # The lead-photo picker open, an answer highlighted: its box lacked aria-controls
        # (critical), the highlighted answer was white on light blue (serious), and its list
        # was outside every landmark (moderate).
        page.goto(self.live_server_url + article_change_url(article))
        page.locator(".field-lead_photo .select2-selection").click()
        page.locator(".select2-container--open .select2-search__field").fill("border")
        page.locator(".select2-results__option--highlighted .photo-option").wait_for()
        found["lead-photo picker"] = self.violations(page)
        page.keyboard.press("Escape")
        # As a second editor sees it while ed has it open (above): read-only, the banner on
        # top (the faded form's labels and help texts were 57 contrast violations).
        other = self.browser.new_context()
        self.log_in(make_editor("bo"), other)
        locked = other.new_page()
        locked.goto(self.live_server_url + article_change_url(article))
        locked.get_by_role("button", name="Take over").wait_for()
        found["article change form, read-only"] = self.violations(locked)
        locked.evaluate("window.editLock && window.editLock.stop()")
        other.close()
        # A list other than the article's and photos': the breadcrumbs' links were plain.
        page.goto(self.live_server_url + "/admin/articles/sharelink/")
        found["share-link list"] = self.violations(page)
        page.goto(self.live_server_url + article_change_url(article))
        with page.expect_popup() as popup_info:
            page.get_by_role("button", name="Preview as readers will see it").click()
        preview = popup_info.value
        preview.wait_for_load_state("networkidle")
        found["preview"] = self.violations(preview)
        self.maxDiff = None
        self.assertEqual({name: v for name, v in found.items() if v}, {})


class CorrectionTests(EditorsAdminTestCase):
    def test_a_correction_is_one_row_and_readers_see_it_with_the_updated_date(self):
        article = make_article(
            headline="A live story with a mistake",
            published_at=timezone.now() - datetime.timedelta(days=3),
            authors=[make_author("Ana Ruiz")],
            lead_photo=make_photo(credit_text="Dimitrije Ostojic / Shutterstock.com"),
        )
        self.log_in(self.editor)
        page = self.page
        public = self.context.new_page()
        url = self.live_server_url + article_change_url(article)

        # A minor edit: the date readers see does not change.
        page.goto(url)
        page.fill("#id_dek", "A typo fixed.")
        page.click("input[name=_continue]")
        page.get_by_text("was changed successfully").wait_for()
        public.goto(self.live_server_url + article.get_absolute_url())
        self.assertEqual(public.locator(".article__updated").count(), 0)

        page.locator("#corrections-group .add-row a").click()
        page.select_option("#id_corrections-0-kind", "correction")
        page.fill("#id_corrections-0-text", "An earlier version misnamed the foreign minister.")
        page.check("#id_show_as_updated")
        with page.expect_navigation():
            page.click("input[name=_continue]")
        page.get_by_text("was changed successfully").wait_for()

        public.reload()
        today = timezone.localdate()
        self.assertEqual(
            public.locator(".article__updated").inner_text(), f"Updated {today:%-d %B %Y}"
        )
        self.assertEqual(
            public.locator(".article__notes li").inner_text(),
            f"Correction, {today:%-d %B %Y}: An earlier version misnamed the foreign minister.",
        )


class SessionExpiryTests(EditorsAdminTestCase):
    @override_settings(AXES_FAILURE_LIMIT=1)
    def test_signing_in_again_in_place_saves_every_character_and_offline_saves_retry(self):
        self.editor.set_password("a-long-test-password")
        self.editor.save()
        article = make_article(
            headline="Before", status=Article.Status.DRAFT, authors=[make_author("Ana")]
        )
        self.log_in(self.editor)
        page = self.page
        page.goto(self.live_server_url + article_change_url(article))
        typed = "A headline typed while the session ran out " * 3
        page.fill("#id_headline", typed.strip())
        self.type_in_body(page, " A sentence typed too.")

        page.context.clear_cookies(name=settings.SESSION_COOKIE_NAME)
        # Autosave says why it stops (it read "Autosave failed").
        page.fill("#id_dek", "A dek typed while signed out.")
        page.get_by_text("Autosave paused: you are signed out.").wait_for()
        page.click("input[name=_continue]")
        page.get_by_text("Your session has expired.").wait_for()
        self.assertEqual(page.input_value("#id_headline"), typed.strip())
        # A wrong password locks the account (limit 1): the panel names the lockout and
        # stops offering to try again; once a superuser unlocks it, Save asks again.
        page.fill("#reauth-username", "ed")
        page.fill("#reauth-password", "a-wrong-password")
        page.get_by_role("button", name="Sign in and save").click()
        page.get_by_text("Too many failed logins. After 1 failed attempt, signing in").wait_for()
        self.assertFalse(page.locator("#reauth-password").is_visible())
        reset_login_failures(username="ed")
        page.click("input[name=_continue]")
        page.get_by_text("Your session has expired.").wait_for()
        page.fill("#reauth-password", "a-long-test-password")
        page.get_by_role("button", name="Sign in and save").click()
        page.get_by_text("was changed successfully").wait_for()
        article.refresh_from_db()
        self.assertEqual(article.headline, typed.strip())
        self.assertIn("A sentence typed too.", article.body)
        self.assertEqual(article.dek, "A dek typed while signed out.")

        page.fill("#id_dek", "Typed on a train.")
        page.context.set_offline(True)
        page.click("input[name=_continue]")
        page.get_by_text("No connection: nothing was lost.").wait_for()
        self.assertEqual(page.input_value("#id_dek"), "Typed on a train.")
        with page.expect_navigation():
            page.context.set_offline(False)
        page.get_by_text("was changed successfully").wait_for()
        article.refresh_from_db()
        self.assertEqual(article.dek, "Typed on a train.")


class PhotoInUseTests(EditorsAdminTestCase):
    def test_the_photo_page_lists_its_articles_and_a_used_photo_cannot_be_deleted(self):
        photo = make_photo(credit_text="Jane Doe / stockagency.example")
        article = make_article(
            headline="An article with a body image",
            status=Article.Status.DRAFT,
            body=f'<figure class="image"><img src="{photo.image.url}" alt="A harbour"></figure>',
        )
        chief = make_user("chief", is_staff=True, is_superuser=True)
        self.log_in(chief)
        page = self.page
        page.goto(self.live_server_url + f"/admin/publication/photo/{photo.pk}/change/")
        used = page.locator(".field-used_in")
        self.assertIn("An article with a body image", used.inner_text())
        used.get_by_role("link", name="An article with a body image").wait_for()

        page.get_by_role("link", name="Delete").click()
        page.get_by_text(
            "would require deleting the following protected related objects"
        ).wait_for()
        self.assertEqual(page.get_by_role("button", name="Yes, I’m sure").count(), 0)
        self.assertTrue(type(photo).objects.filter(pk=photo.pk).exists())
        self.assertEqual(list(article.body_photos.all()), [photo])

    def test_one_click_on_the_preview_sets_the_focal_point(self):
        photo = make_photo(
            credit_text="Jane Doe / stockagency.example",
            image=SimpleUploadedFile("big.png", image_bytes("PNG", size=(400, 300))),
        )
        self.log_in(self.editor)
        page = self.page
        page.goto(self.live_server_url + f"/admin/publication/photo/{photo.pk}/change/")
        image = page.locator(".field-preview img")
        box = image.bounding_box()
        image.click(position={"x": box["width"] * 0.25, "y": box["height"] * 0.75})
        page.click("input[name=_continue]")
        page.get_by_text("was changed successfully").wait_for()
        photo.refresh_from_db()
        self.assertAlmostEqual(photo.focal_x, 0.25, delta=0.02)
        self.assertAlmostEqual(photo.focal_y, 0.75, delta=0.02)


class CreateFromAutocompleteTests(EditorsAdminTestCase):
    def test_typing_a_new_author_offers_create_and_picks_them_without_a_popup(self):
        article = make_article(headline="Needs a co-author", status=Article.Status.DRAFT)
        self.log_in(self.editor)
        page = self.page
        page.goto(self.live_server_url + article_change_url(article))
        page.fill("#id_bylines-0-author", "Dimitrije Ostojic")
        page.get_by_role("option", name="Create “Dimitrije Ostojic”").click()
        page.wait_for_function(
            "() => document.querySelector('#id_bylines-0-author-value').selectedOptions[0]"
            "?.text === 'Dimitrije Ostojic'"
        )
        self.assertEqual(len(self.context.pages), 1)
        page.click("input[name=_continue]")
        page.get_by_text("was changed successfully").wait_for()
        article.refresh_from_db()
        self.assertEqual(article.byline_text, "By Dimitrije Ostojic")
