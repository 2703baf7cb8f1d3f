"""Security headers, the CSP report endpoint, login lockout and password reset."""

import json
import re

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import User
from django.core import mail
from django.test import TestCase, override_settings

from tests.factories import make_site


class SecurityHeaderTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_site()

    def test_public_pages_carry_a_strict_policy_and_the_other_headers(self):
        response = self.client.get("/")
        policy = response["Content-Security-Policy"]
        for directive in (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
            "report-uri /csp-report/",
        ):
            self.assertIn(directive, policy)
        self.assertNotIn("unsafe", policy)
        self.assertEqual(response["X-Frame-Options"], "DENY")
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertEqual(response["Referrer-Policy"], "strict-origin-when-cross-origin")
        self.assertEqual(response["Cross-Origin-Opener-Policy"], "same-origin")
        self.assertIn("camera=()", response["Permissions-Policy"])
        self.assertNotIn("Strict-Transport-Security", response)  # off until the operator says

    def test_the_admin_allows_style_attributes_for_the_editor_and_nothing_more(self):
        staff = User.objects.create_superuser("boss", "boss@example.org", "pw")
        self.client.force_login(staff)
        response = self.client.get("/admin/articles/article/add/")
        directives = dict(
            part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
        )
        self.assertEqual(directives["script-src"], "'self'")
        self.assertEqual(directives["style-src"], "'self'")
        self.assertEqual(directives["style-src-attr"], "'unsafe-inline'")
        self.assertEqual(directives["object-src"], "'none'")
        # Our own admin markup needs none: classes in admin.css instead.
        self.assertNotIn(' style="', response.content.decode())

    @override_settings(SECURE_HSTS_SECONDS=31536000, SECURE_SSL_REDIRECT=True)
    def test_hsts_and_the_https_redirect_when_configured(self):
        self.assertEqual(self.client.get("/").status_code, 301)
        response = self.client.get("/", secure=True)
        self.assertEqual(response["Strict-Transport-Security"], "max-age=31536000")

    @override_settings(
        SECURE_SSL_REDIRECT=True, SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https")
    )
    def test_behind_a_proxy_its_header_says_https(self):
        self.assertEqual(
            self.client.get("/", headers={"x-forwarded-proto": "https"}).status_code, 200
        )
        self.assertEqual(self.client.get("/healthz").status_code, 200)  # probes stay plain

    def test_session_and_csrf_cookies_are_http_only(self):
        staff = User.objects.create_user("someone", password="right-password", is_staff=True)
        response = self.client.post(
            "/admin/login/", {"username": staff.username, "password": "right-password"}
        )
        self.assertTrue(response.cookies["sessionid"]["httponly"])
        fresh = self.client_class().get("/admin/login/")
        self.assertTrue(fresh.cookies["csrftoken"]["httponly"])


class CspReportTests(TestCase):
    def test_a_violation_report_is_logged_without_tokens_or_query_strings(self):
        report = {
            "csp-report": {
                "document-uri": "https://www.magazine.example/share/s3cr3t-token/?utm=x",
                "violated-directive": "script-src-elem",
                "blocked-uri": "inline",
            }
        }
        with self.assertLogs("csp.report", "WARNING") as logs:
            response = self.client.post(
                "/csp-report/", json.dumps(report), content_type="application/csp-report"
            )
        self.assertEqual(response.status_code, 204)
        fields = logs.records[0].csp
        self.assertEqual(fields["document-uri"], "https://www.magazine.example/share/[redacted]/")
        self.assertEqual(fields["violated-directive"], "script-src-elem")

    def test_reporting_api_lists_are_accepted_and_junk_is_refused(self):
        reports = [{"type": "csp-violation", "body": {"blockedURL": "inline"}}]
        with self.assertLogs("csp.report", "WARNING"):
            response = self.client.post(
                "/csp-report/", json.dumps(reports), content_type="application/reports+json"
            )
        self.assertEqual(response.status_code, 204)
        response = self.client.post("/csp-report/", "not json", content_type="application/json")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self.client.get("/csp-report/").status_code, 405)

    def test_json_nested_deeper_than_python_recurses_is_refused_not_a_500(self):
        for body in ["[" * 100_000, '{"a":' * 30_000]:
            response = self.client.post("/csp-report/", body, content_type="application/csp-report")
            self.assertEqual(response.status_code, 400)


@override_settings(AXES_FAILURE_LIMIT=3)
class AdminLoginLockoutTests(TestCase):
    def setUp(self):
        self.staff = User.objects.create_user("desk", password="right-password", is_staff=True)

    def log_in(self, username, password, address="192.0.2.1"):
        return self.client.post(
            "/admin/login/?next=/admin/",
            {"username": username, "password": password},
            REMOTE_ADDR=address,
        )

    def test_a_user_name_is_locked_after_repeated_failures_from_anywhere(self):
        for number in range(2):
            self.assertEqual(self.log_in("desk", "wrong", f"192.0.2.{number}").status_code, 200)
        self.assertEqual(self.log_in("desk", "wrong", "192.0.2.3").status_code, 429)
        response = self.log_in("desk", "right-password", "198.51.100.7")
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, "Too many failed logins", status_code=429)
        self.assertContains(response, "ask an administrator", status_code=429)

    def test_a_user_name_longer_than_any_is_a_form_error(self):
        # django-axes recorded the failure in a 255-character column: a 500.
        for name in ["x" * 151, "x" * 256, "é" * 100_000]:
            with self.subTest(length=len(name)):
                response = self.log_in(name, "wrong")
                self.assertContains(response, "at most 150 characters")
        self.assertFalse(AccessAttempt.objects.exists())
        self.assertEqual(self.log_in("desk", "right-password").status_code, 302)

    def test_the_lockout_page_is_the_admins_and_says_for_how_long_and_how_to_get_in(self):
        for number in range(3):
            response = self.log_in("desk", "wrong", f"192.0.2.{number}")
        self.assertEqual(response.status_code, 429)
        page = response.content.decode()
        self.assertNotIn("Django", page)  # axes rendered it without the admin's context
        self.assertInHTML("<title>Too many failed logins | Newsroom</title>", page)
        self.assertInHTML('<div id="site-name"><a href="/admin/">Newsroom</a></div>', page)
        self.assertIn(
            "After 3 failed attempts, signing in with this user name, or from this address,"
            " is locked for 15 minutes from the last attempt.",
            page,
        )
        self.assertIn('href="/admin/password_reset/"', page)
        self.assertIn("ask an administrator (a superuser) to unlock you", page)
        # A signed-out page, as the login page is: no app list, sidebar or breadcrumbs.
        self.assertNotIn("permission to view or edit anything", page)
        self.assertNotIn('id="nav-sidebar"', page)
        self.assertNotIn('class="breadcrumbs"', page)
        self.assertEqual(page.count("<h1"), 1)

    def test_an_address_is_locked_for_every_user_name(self):
        for number in range(3):
            self.log_in(f"guess{number}", "wrong", "203.0.113.9")
        self.assertEqual(self.log_in("desk", "right-password", "203.0.113.9").status_code, 429)
        self.assertEqual(self.log_in("desk", "right-password", "203.0.113.10").status_code, 302)

    def test_signing_in_clears_only_ones_own_failures(self):
        User.objects.create_user("writer", password="own-password", is_staff=True)
        for _ in range(2):
            self.assertEqual(self.log_in("writer", "typo").status_code, 200)
        self.assertEqual(self.log_in("writer", "own-password").status_code, 302)
        for _ in range(2):  # the typos before a good sign-in no longer count
            self.assertEqual(self.log_in("writer", "typo").status_code, 200)

    def test_signing_in_between_guesses_does_not_wipe_a_colleagues_failures(self):
        """Anyone with a staff account could otherwise guess another's password forever,
        signing in as themselves from the same address after every two guesses."""
        User.objects.create_user("writer", password="own-password", is_staff=True)
        for guess in ("guess-1", "guess-2"):
            self.assertEqual(self.log_in("desk", guess, "198.51.100.9").status_code, 200)
        self.assertEqual(self.log_in("writer", "own-password", "198.51.100.9").status_code, 302)
        self.assertEqual(self.log_in("desk", "guess-3", "198.51.100.9").status_code, 429)
        self.assertEqual(self.log_in("desk", "right-password", "203.0.113.5").status_code, 429)

    def test_a_superuser_unlocks_by_deleting_the_attempts(self):
        for _ in range(3):
            self.log_in("desk", "wrong")
        self.assertEqual(self.log_in("desk", "right-password").status_code, 429)
        boss = User.objects.create_superuser("boss", "boss@example.org", "pw")
        admin = self.client_class()
        admin.force_login(boss)
        attempts = admin.get("/admin/axes/accessattempt/")
        self.assertContains(attempts, "desk")
        attempt = AccessAttempt.objects.get(username="desk")
        admin.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
        self.assertEqual(self.log_in("desk", "right-password").status_code, 302)

    def test_a_password_reset_by_email_unlocks_the_user_name(self):
        self.staff.email = "desk@magazine.example"
        self.staff.save()
        for number in range(3):
            self.log_in("desk", "wrong", f"192.0.2.{number}")
        locked = self.log_in("desk", "right-password", "198.51.100.7")
        self.assertContains(locked, 'href="/admin/password_reset/"', status_code=429)
        self.client.post("/admin/password_reset/", {"email": "desk@magazine.example"})
        link = re.search(rf"{settings.SITE_URL}(/admin/reset/\S+/)", mail.outbox[0].body)[1]
        form = self.client.get(link, follow=True)
        new_password = {
            "new_password1": "a-much-better-one-42",
            "new_password2": "a-much-better-one-42",
        }
        self.client.post(form.redirect_chain[-1][0], new_password)
        self.assertEqual(
            self.log_in("desk", "a-much-better-one-42", "198.51.100.7").status_code, 302
        )

    def test_editors_cannot_see_or_clear_the_attempts(self):
        editor = User.objects.create_user("ed", is_staff=True)
        self.client.force_login(editor)
        self.assertEqual(self.client.get("/admin/axes/accessattempt/").status_code, 403)


class PasswordResetTests(TestCase):
    def test_staff_reset_their_password_by_email(self):
        User.objects.create_user("desk", "desk@magazine.example", "old-password", is_staff=True)
        login = self.client.get("/admin/login/")
        self.assertContains(login, "/admin/password_reset/")
        response = self.client.post("/admin/password_reset/", {"email": "desk@magazine.example"})
        self.assertRedirects(response, "/admin/password_reset/done/")
        [email] = mail.outbox
        link = re.search(rf"{settings.SITE_URL}(/admin/reset/\S+/)", email.body)[1]
        form = self.client.get(link, follow=True)
        self.assertContains(form, "new_password1")
        response = self.client.post(
            form.redirect_chain[-1][0],
            {"new_password1": "a-much-better-one-42", "new_password2": "a-much-better-one-42"},
        )
        self.assertRedirects(response, "/admin/reset/done/")
        response = self.client.post(
            "/admin/login/", {"username": "desk", "password": "a-much-better-one-42"}
        )
        self.assertEqual(response.status_code, 302)

    def test_the_link_comes_from_site_url_and_repeats_send_no_more_email(self):
        # The link took the Host header's host and port, and every request sent an email.
        User.objects.create_user("desk", "desk@magazine.example", "pw", is_staff=True)
        for _ in range(5):
            response = self.client.post(
                "/admin/password_reset/",
                {"email": "desk@magazine.example"},
                headers={"host": "testserver:6666"},
            )
            self.assertRedirects(
                response, "/admin/password_reset/done/", fetch_redirect_response=False
            )
        [email] = mail.outbox
        self.assertIn(f"{settings.SITE_URL}/admin/reset/", email.body)
        self.assertNotIn("6666", email.body)

    def test_an_unknown_address_gets_the_same_answer_and_no_email(self):
        response = self.client.post("/admin/password_reset/", {"email": "nobody@example.org"})
        self.assertRedirects(response, "/admin/password_reset/done/")
        self.assertEqual(mail.outbox, [])
