"""Behaviour that lives in the browser, checked in Debian's Chromium through Playwright."""

import os
import shutil
import socket
import tempfile
import threading
import unittest
from importlib import import_module
from multiprocessing import util
from pathlib import Path

from django.apps import apps as django_apps
from django.contrib.auth.models import Group, User
from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test import override_settings, tag
from django.test.testcases import LiveServerThread

from articles.models import Article, Kind
from publication.models import Section

# Debian's Chromium when it is there; else Playwright's own build, which `make test`
# installs (tests/browser/setup_chromium.sh) on machines where apt cannot be used.
CHROMIUM = os.environ.get("CHROMIUM_PATH") or (
    "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None
)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


class SharedChromium:
    """One Chromium for every browser test class in this process, started by the first and
    closed when the process exits: each launch took 3-5 s, once per class."""

    playwright = None
    browser = None

    @classmethod
    def get(cls):
        if cls.browser is None or not cls.browser.is_connected():
            from playwright.sync_api import Error, sync_playwright

            # Playwright's sync API runs an event loop in this thread; Django's ORM calls
            # made by the test itself are still synchronous.
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
            if cls.playwright is None:
                cls.playwright = sync_playwright().start()
                # Also run when a `manage.py test --parallel` worker exits, where atexit is not.
                util.Finalize(cls, cls.stop, exitpriority=10)
            try:
                cls.browser = cls.playwright.chromium.launch(
                    executable_path=CHROMIUM, args=CHROMIUM_ARGS
                )
            except Error as exc:
                raise RuntimeError(
                    "Browser tests need Chromium: run `make test`, which installs it, "
                    f"or `apt-get install chromium`.\n{exc}"
                ) from exc
        return cls.browser

    @classmethod
    def stop(cls):
        if cls.browser is not None:
            cls.browser.close()
        if cls.playwright is not None:
            cls.playwright.stop()
        cls.browser = cls.playwright = None


class DrainingServer(ThreadedWSGIServer):
    """The live server, counting the connections its threads are still serving, so that a
    test can wait for the requests its closed pages sent (the edit lock's release beacon, a
    heartbeat on its way) before the flush after the test deletes the rows they write."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.changed = threading.Condition()
        self.serving = 0
        self.accepted = set()

    def process_request(self, request, client_address):
        with self.changed:
            self.serving += 1
            self.accepted.add(client_address)
            self.changed.notify_all()
        super().process_request(request, client_address)

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self.changed:
                self.serving -= 1
                self.accepted.discard(client_address)
                self.changed.notify_all()

    def wait_until_idle(self, timeout=30):
        """Return once every connection made so far has been served and closed.

        Connections wait to be accepted in the order they were made, so one more opened
        now is accepted after every earlier one: once it is, none is left unseen."""
        with socket.create_connection(self.server_address[:2]) as mark:
            name = mark.getsockname()
            with self.changed:
                if not self.changed.wait_for(lambda: name in self.accepted, timeout):
                    raise AssertionError("the live server accepted no connection")
        # Closed without a request: its thread reads nothing and ends.
        with self.changed:
            if not self.changed.wait_for(lambda: self.serving == 0, timeout):
                raise AssertionError(f"{self.serving} request(s) still open on the live server")


class DrainingLiveServerThread(LiveServerThread):
    server_class = DrainingServer


@tag("browser")
class BrowserTestCase(StaticLiveServerTestCase):
    server_thread_class = DrainingLiveServerThread

    @classmethod
    def setUpClass(cls):
        cls.browser = SharedChromium.get()
        # A folder per class: test processes run side by side (manage.py test --parallel).
        media_root = tempfile.mkdtemp(prefix="browser-media-")
        cls.addClassCleanup(shutil.rmtree, media_root, ignore_errors=True)
        cls.enterClassContext(override_settings(MEDIA_ROOT=media_root))
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        # Pages a test left open (other contexts) must not reach the next class.
        for context in list(cls.browser.contexts):
            context.close()
        super().tearDownClass()

    def setUp(self):
        self.test_failed = False
        self.context = self.browser.new_context()
        self.page = self.context.new_page()

    def sign_in_as_editor(self):
        """A member of the Editors group, "ed", signed in through the admin's login page."""
        # An earlier TransactionTestCase may have flushed the group its migration made.
        import_module("articles.migrations.0002_editors_group").create_editors_group(
            django_apps, None
        )
        editor = User.objects.create_user("ed", password="a-long-test-password", is_staff=True)
        editor.groups.add(Group.objects.get(name="Editors"))
        self.page.goto(self.live_server_url + "/admin/login/")
        self.page.fill("#id_username", "ed")
        self.page.fill("#id_password", "a-long-test-password")
        self.page.click("input[type=submit]")
        self.page.wait_for_url("**/admin/")

    def _callTestMethod(self, method):
        # unittest runs setUp, the test and tearDown as three parts, each starting with a
        # fresh success flag, so tearDown cannot ask the outcome whether the test failed:
        # it is noted here, where a failed subtest has already cleared the flag and a
        # failed assertion is on its way out.
        try:
            super()._callTestMethod(method)
        except unittest.SkipTest:
            raise
        except BaseException:
            self.test_failed = True
            raise
        self.test_failed = not self._outcome.success

    def has_failed(self):
        # The test method or one of its subtests failed (any result class, --parallel too).
        return self.test_failed

    def tearDown(self):
        if self.has_failed():
            # What the browser showed when the test failed, for CI logs and humans.
            ARTIFACTS.mkdir(exist_ok=True)
            for number, page in enumerate(self.context.pages):
                page.screenshot(path=ARTIFACTS / f"{self.id()}-{number}.png", full_page=True)
        self.context.close()

    def _fixture_teardown(self):
        # Django's flush after each test deletes every row in one transaction. A request a
        # page sent as it closed (the edit lock's release beacon on pagehide) or a heartbeat
        # still on its way could otherwise insert an edit lock for a user or article the
        # flush deletes, and the flush's commit then failed on that foreign key, leaving the
        # rows to the next test. So: close every page this test opened (closing fires their
        # pagehide), then wait for the live server to have finished every request.
        for context in list(self.browser.contexts):
            context.close()
        self.server_thread.httpd.wait_until_idle()
        super()._fixture_teardown()


def make_article(**overrides):
    section, _ = Section.objects.get_or_create(slug="europe", defaults={"name": "Europe"})
    kind, _ = Kind.objects.get_or_create(slug="analysis", defaults={"name": "Analysis"})
    fields = {
        "headline": "Can the alliance hold together through the winter?",
        "kind": kind,
        "section": section,
        "status": Article.Status.PUBLISHED,
        "body": "<p>Opening paragraph.</p><p>Second paragraph.</p><p>Third paragraph.</p>",
        **overrides,
    }
    return Article.objects.create(**fields)


class TeaserCardTests(BrowserTestCase):
    def setUp(self):
        super().setUp()
        make_article()

    def test_keep_reading_expands_in_place_and_show_less_collapses(self):
        self.page.goto(self.live_server_url + "/")
        card = self.page.locator(".teaser").first
        keep_reading = card.get_by_text("keep reading")
        show_less = card.get_by_text("Show less")
        rest = card.get_by_text("Second paragraph.")

        self.assertTrue(keep_reading.is_visible())
        self.assertFalse(show_less.is_visible())
        self.assertFalse(rest.is_visible())

        keep_reading.click()
        self.assertEqual(self.page.url, self.live_server_url + "/")
        self.assertTrue(rest.is_visible())
        self.assertTrue(show_less.is_visible())
        self.assertFalse(keep_reading.is_visible())

        show_less.click()
        self.assertFalse(rest.is_visible())
        self.assertTrue(keep_reading.is_visible())

    def test_teaser_toggle_is_keyboard_operable_and_exposes_its_state(self):
        self.page.goto(self.live_server_url + "/")
        summary = self.page.locator(".teaser__more summary").first
        summary.focus()
        self.page.keyboard.press("Enter")
        self.assertTrue(self.page.get_by_text("Third paragraph.").first.is_visible())
        self.assertEqual(summary.evaluate("s => s.parentElement.open"), True)
        snapshot = self.page.locator(".teaser").first.aria_snapshot()
        self.assertIn("Show less", snapshot)
        self.assertNotIn("keep reading", snapshot)
        self.page.keyboard.press("Space")
        self.assertFalse(self.page.get_by_text("Third paragraph.").first.is_visible())

    def test_teaser_works_with_javascript_off(self):
        context = self.browser.new_context(java_script_enabled=False)
        page = context.new_page()
        try:
            page.goto(self.live_server_url + "/")
            page.get_by_text("keep reading").first.click()
            self.assertTrue(page.get_by_text("Second paragraph.").first.is_visible())
            page.get_by_text("Show less").first.click()
            self.assertFalse(page.get_by_text("Second paragraph.").first.is_visible())
        finally:
            context.close()


class StaffEditLinkTests(BrowserTestCase):
    def setUp(self):
        super().setUp()
        self.article = make_article()
        User.objects.create_user("chief", password="a-long-test-password", is_staff=True)

    def test_edit_link_is_shown_only_to_staff_and_page_is_the_same_for_everyone(self):
        url = self.live_server_url + self.article.get_absolute_url()
        anonymous_html = self.page.goto(url).text()
        self.assertFalse(self.page.get_by_text("Edit this article").is_visible())

        self.page.goto(self.live_server_url + "/admin/login/")
        self.page.fill("#id_username", "chief")
        self.page.fill("#id_password", "a-long-test-password")
        self.page.click("input[type=submit]")
        self.page.wait_for_url("**/admin/")

        response = self.page.goto(url)
        edit = self.page.get_by_text("Edit this article")
        self.assertTrue(edit.is_visible())
        self.assertIn(
            f"/admin/articles/article/{self.article.pk}/change/", edit.get_attribute("href")
        )
        # The server sent the staff member the same page it sends everyone.
        self.assertEqual(response.text(), anonymous_html)
