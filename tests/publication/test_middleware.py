from django.contrib.messages import get_messages
from django.test import TestCase, override_settings

from articles.models import Article
from newsletter.models import Roundup
from publication.middleware import STAFF_HINT_COOKIE
from publication.models import Redirect
from tests.factories import (
    AdminTestCase,
    article_form_data,
    make_article,
    make_kind,
    make_section,
    make_site,
    make_user,
)

NO_ITEMS = {"items-TOTAL_FORMS": "0", "items-INITIAL_FORMS": "0"}


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


class OneAddPerFormTests(AdminTestCase):
    """The same admin "Add" form sent twice adds one record: 20 identical "Add round-up"
    posts made 20 round-ups, two "Add article" posts two articles ("x" and "x-2")."""

    def test_a_repeated_add_goes_where_the_first_went_and_adds_nothing(self):
        make_kind(), make_section()
        forms = {
            "/admin/articles/article/add/": article_form_data(headline="Twice", slug=""),
            "/admin/newsletter/roundup/add/": {"subject": "Week", "intro": "", **NO_ITEMS},
            "/admin/publication/redirect/add/": {"old_path": "/gone/", "new_path": "/"},
        }
        for url, data in forms.items():
            with self.subTest(url=url):
                first = self.client.post(url, {**data, "csrfmiddlewaretoken": "form-1"})
                second = self.client.post(url, {**data, "csrfmiddlewaretoken": "form-1"})
                self.assertEqual(first.status_code, 302)
                self.assertEqual(second["Location"], first["Location"])
        self.assertEqual(Article.objects.count(), 1)
        self.assertEqual(Roundup.objects.count(), 1)
        self.assertEqual(Redirect.objects.count(), 1)
        shown = [str(message) for message in get_messages(second.wsgi_request)]
        self.assertIn("That form was sent twice; it was saved once.", shown)

    def test_another_form_or_one_with_errors_is_not_a_repeat(self):
        data = {"subject": "Week", "intro": "", **NO_ITEMS}
        url = "/admin/newsletter/roundup/add/"
        self.client.post(url, {**data, "csrfmiddlewaretoken": "form-1"})
        self.client.post(url, {**data, "csrfmiddlewaretoken": "form-2"})  # opened again
        self.assertEqual(Roundup.objects.count(), 2)
        for _ in range(2):
            refused = self.client.post(url, {**data, "subject": "", "csrfmiddlewaretoken": "x"})
            self.assertEqual(refused.status_code, 200)
        self.client.post(url, {**data, "subject": "Y", "csrfmiddlewaretoken": "x"})
        self.assertEqual(Roundup.objects.count(), 3)
