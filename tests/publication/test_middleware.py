from django.test import TestCase, override_settings

from publication.middleware import STAFF_HINT_COOKIE
from tests.factories import make_article, make_site, make_user


class StaffHintCookieTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_site()
        cls.staff = make_user(is_staff=True)
        cls.article = make_article()

    def test_visiting_the_admin_as_staff_sets_the_hint(self):
        self.client.force_login(self.staff)
        response = self.client.get("/admin/")
        cookie = response.cookies[STAFF_HINT_COOKIE]
        self.assertEqual(cookie.value, "1")
        self.assertEqual(cookie["samesite"], "Lax")

    @override_settings(SESSION_COOKIE_SECURE=True)
    def test_on_an_https_site_the_hint_is_secure_like_the_session(self):
        self.client.force_login(self.staff)
        self.assertTrue(self.client.get("/admin/").cookies[STAFF_HINT_COOKIE]["secure"])

    def test_logging_out_clears_the_hint(self):
        self.client.force_login(self.staff)
        self.client.get("/admin/")
        response = self.client.post("/admin/logout/")
        self.assertContains(response, "Logged out")
        self.assertEqual(response.cookies[STAFF_HINT_COOKIE].value, "")
        self.assertEqual(response.cookies[STAFF_HINT_COOKIE]["max-age"], 0)

    def test_non_staff_and_anonymous_visitors_get_no_hint(self):
        self.assertNotIn(STAFF_HINT_COOKIE, self.client.get("/admin/login/").cookies)
        self.client.force_login(make_user())
        self.assertNotIn(STAFF_HINT_COOKIE, self.client.get("/admin/").cookies)

    def test_public_pages_never_touch_the_hint(self):
        self.client.force_login(self.staff)
        self.client.get("/admin/")
        response = self.client.get(self.article.get_absolute_url())
        self.assertNotIn(STAFF_HINT_COOKIE, response.cookies)
