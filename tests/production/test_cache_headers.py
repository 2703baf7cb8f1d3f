"""Every kind of answer says how long caches may keep it (RFC 9111 lets them guess)."""

from django.conf import settings
from django.test import Client, TestCase, override_settings

from tests.factories import make_site

PUBLIC = f"s-maxage={settings.PAGE_CACHE_S_MAXAGE}"


@override_settings(PAGE_CACHE_ENABLED=True)
class CacheHeadersTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_site()

    def assertPublic(self, response, status):
        self.assertEqual(response.status_code, status)
        self.assertIn("public", response["Cache-Control"])
        self.assertIn(PUBLIC, response["Cache-Control"])

    def assertNeverKept(self, response, status):
        self.assertEqual(response.status_code, status)
        self.assertIn("no-store", response.get("Cache-Control", ""))
        self.assertNotIn("public", response["Cache-Control"])

    def test_answers_the_same_for_everyone_get_the_pages_short_public_lifetime(self):
        # A 405 and a 301 had none: CDNs may keep them for hours, browsers a 301 for good.
        self.assertPublic(self.client.get("/csp-report/"), 405)
        self.assertPublic(self.client.head("/csp-report/"), 405)
        self.assertPublic(self.client.get("/newsletter"), 301)
        self.assertPublic(self.client.get("/no/such/page/"), 404)

    def test_answers_that_depend_on_the_request_are_never_kept(self):
        self.assertNeverKept(self.client.put("/newsletter/"), 405)
        self.assertNeverKept(self.client.post("/no/such/page/"), 404)
        self.assertNeverKept(self.client.get("/admin/?name__regex=x"), 400)
        self.assertNeverKept(Client(enforce_csrf_checks=True).post("/newsletter/"), 403)
        with override_settings(AXES_FAILURE_LIMIT=1):
            login = {"username": "nobody", "password": "wrong"}
            self.assertNeverKept(self.client.post("/admin/login/", login), 429)
        with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=10):
            form = "email=" + "x" * 50
            response = self.client.post("/newsletter/", form, "application/x-www-form-urlencoded")
            self.assertNeverKept(response, 413)

    def test_a_not_modified_answer_keeps_the_pages_lifetime(self):
        page = self.client.get("/")
        response = self.client.get("/", headers={"if-none-match": page["ETag"]})
        self.assertEqual(response.status_code, 304)
        self.assertEqual(response["Cache-Control"], page["Cache-Control"])

    def test_head_of_a_page_sends_the_pages_headers_and_no_body(self):
        page = self.client.get("/")
        response = self.client.head("/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, b"")
        for name in ("Cache-Control", "ETag", "Content-Length", "Content-Security-Policy"):
            self.assertEqual(response[name], page[name], name)
