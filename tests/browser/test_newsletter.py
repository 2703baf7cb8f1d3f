import re
import threading

from django.conf import settings
from django.core import mail
from django.db import connection

from newsletter.models import RateCounter, Subscriber
from tests.browser.test_teasers import BrowserTestCase
from tests.newsletter.helpers import run_jobs


class NewsletterSignupInBrowserTests(BrowserTestCase):
    """The footer form has no CSRF cookie; a real browser's Origin header must satisfy it."""

    def setUp(self):
        super().setUp()
        RateCounter.objects.all().delete()
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE procrastinate_jobs, procrastinate_periodic_defers CASCADE")

    def sign_up(self, page, email):
        page.goto(self.live_server_url + "/")
        page.get_by_label("Email address").fill(email)
        page.get_by_role("button", name="Subscribe").click()
        page.wait_for_load_state()

    def test_signup_from_the_footer_then_confirm_from_the_email(self):
        self.sign_up(self.page, "reader@example.org")
        self.assertTrue(self.page.get_by_role("heading", name="Check your inbox").is_visible())
        self.assertEqual(Subscriber.objects.get().status, Subscriber.Status.PENDING)

        # Playwright's event loop owns this thread; the job worker needs its own.
        worker = threading.Thread(target=run_jobs)
        worker.start()
        worker.join()
        link = re.search(r"https?://\S+/confirm/\S+/", mail.outbox[0].body).group(0)
        self.page.goto(link.replace(settings.SITE_URL, self.live_server_url))
        self.assertEqual(Subscriber.objects.get().status, Subscriber.Status.PENDING)
        self.page.get_by_role("button", name="Confirm my subscription").click()
        self.page.wait_for_load_state()
        self.assertEqual(Subscriber.objects.get().status, Subscriber.Status.CONFIRMED)

    def test_signup_works_with_javascript_off(self):
        context = self.browser.new_context(java_script_enabled=False)
        try:
            page = context.new_page()
            self.sign_up(page, "no-script@example.org")
            self.assertTrue(page.get_by_role("heading", name="Check your inbox").is_visible())
            self.assertTrue(Subscriber.objects.filter(email="no-script@example.org").exists())
        finally:
            context.close()
