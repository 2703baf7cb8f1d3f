import json
from urllib.parse import urlencode

from django.contrib.messages import get_messages
from django.core.management import call_command
from django.db import connection
from django.test import TestCase, TransactionTestCase, override_settings

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
from tests.production.helpers import production_env, start_manage

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


# One editor's double click reaching two server processes (runserver's threads share a
# process, but gunicorn's workers and app servers do not): each process posts the form.
POST_ADD_FORM = """
import json
from urllib.parse import urlencode
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.test import Client
client = Client(HTTP_HOST="127.0.0.1")
client.force_login(User.objects.get(username="chief"))
data = {"subject": "Week", "intro": "", "items-TOTAL_FORMS": "0", "items-INITIAL_FORMS": "0",
        "csrfmiddlewaretoken": "the-same-form"}
response = client.post("/admin/newsletter/roundup/add/", data, secure=True)
print(json.dumps({"status": response.status_code, "location": response.get("Location"),
                  "messages": [str(m) for m in get_messages(response.wsgi_request)]}))
"""


class OneAddPerFormAcrossProcessesTests(TransactionTestCase):
    """The guard keeps its note of a saved form in the cache: in development (`make run`,
    DJANGO_DEBUG=true) and in production alike, every process must read the same one."""

    CACHE_TABLE = "add_guard_cache_test"

    def setUp(self):
        self.user = make_user("chief", is_staff=True, is_superuser=True)
        table = {"BACKEND": "django.core.cache.backends.db.DatabaseCache"}
        with override_settings(CACHES={"default": {**table, "LOCATION": self.CACHE_TABLE}}):
            call_command("createcachetable", verbosity=0)
        self.addCleanup(self.drop_cache_table)

    def drop_cache_table(self):
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.CACHE_TABLE}")

    def test_two_processes_sent_the_same_add_form_add_one_record(self):
        development = {
            key: value
            for key, value in production_env().items()
            if key not in {"DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "SITE_URL"}
        }
        environments = {
            "development": {**development, "DJANGO_DEBUG": "true"},
            "production": production_env(),
        }
        for name, env in environments.items():
            with self.subTest(name):
                Roundup.objects.all().delete()
                with connection.cursor() as cursor:  # the other subtest's note of its form
                    cursor.execute(f"DELETE FROM {self.CACHE_TABLE}")
                env = {**env, "DJANGO_CACHE_LOCATION": self.CACHE_TABLE}
                processes = [start_manage("shell", "-c", POST_ADD_FORM, env=env) for _ in range(2)]
                answers = []
                for process in processes:
                    out, err = process.communicate(timeout=120)
                    self.assertEqual(process.returncode, 0, err)
                    answers.append(json.loads(out.strip().splitlines()[-1]))
                self.assertEqual(Roundup.objects.count(), 1)
                self.assertEqual([answer["status"] for answer in answers], [302, 302])
                self.assertEqual(answers[0]["location"], answers[1]["location"])
                notes = sum((answer["messages"] for answer in answers), [])
                self.assertIn("That form was sent twice; it was saved once.", notes)


def multipart(fields: dict[str, bytes], boundary="----utf8") -> tuple[str, bytes]:
    """A multipart/form-data body with raw bytes as field values (the test client's own
    encoder writes text, so it cannot send bytes that are not UTF-8)."""
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        + value
        + b"\r\n"
        for name, value in fields.items()
    )
    return f"multipart/form-data; boundary={boundary}", body + f"--{boundary}--\r\n".encode()


class NotUtf8Tests(AdminTestCase):
    """Bytes that are not UTF-8, in any query string or form field, are refused (400) and
    nothing is stored; Django would decode them to U+FFFD and carry on."""

    # Percent-encoded and raw: a lone continuation byte, a cut-off sequence, an overlong
    # "/", an encoded surrogate, a byte UTF-8 never uses.
    BAD = [b"\x80", b"caf\xc3", b"\xc0\xaf", b"\xed\xa0\x80", b"\xff\xfe\xfd"]

    def signup_fields(self, name: bytes) -> dict[str, bytes]:
        from newsletter.forms import form_token

        return {
            "email": b"reader@example.org",
            "name": name,
            "website": b"",
            "token": form_token().encode(),
            "source": b"footer",
        }

    def assert_refused(self, response):
        self.assertEqual(response.status_code, 400)
        self.assertIn(b"not valid UTF-8", response.content)

    def test_a_signup_form_with_a_field_that_is_not_utf8_is_refused_and_stores_nothing(self):
        from newsletter.models import Subscriber
        from tests.newsletter.helpers import ORIGIN

        self.client.logout()
        headers = {"Origin": ORIGIN}
        for bad in self.BAD:
            fields = self.signup_fields(bad)
            for label, (content_type, body) in {
                "percent-encoded": (
                    "application/x-www-form-urlencoded",
                    urlencode(fields).encode(),
                ),
                "raw in a urlencoded body": (
                    "application/x-www-form-urlencoded",
                    b"&".join(name.encode() + b"=" + value for name, value in fields.items()),
                ),
                "multipart": multipart(fields),
            }.items():
                with self.subTest(bad=bad, body=label):
                    response = self.client.post(
                        "/newsletter/", body, content_type=content_type, headers=headers
                    )
                    self.assert_refused(response)
        self.assertFalse(Subscriber.objects.exists())
        # The same form with a UTF-8 name (a real U+FFFD too) signs up.
        fields = self.signup_fields("Zoë \ufffd".encode())
        response = self.client.post(
            "/newsletter/",
            urlencode(fields),
            content_type="application/x-www-form-urlencoded",
            headers=headers,
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Subscriber.objects.get().name, "Zoë \ufffd")

    def test_an_admin_form_with_a_name_that_is_not_utf8_is_refused_and_stores_nothing(self):
        from publication.models import Creator

        fields = {"name": b"Lena \xff", "slug": b"lena", "kind": b"person", "website": b""}
        for content_type, body in (
            ("application/x-www-form-urlencoded", urlencode(fields).encode()),
            multipart(fields),
        ):
            with self.subTest(content_type):
                response = self.client.post(
                    "/admin/publication/creator/add/", body, content_type=content_type
                )
                self.assert_refused(response)
        self.assertFalse(Creator.objects.exists())

    def test_the_editor_upload_says_so_in_json(self):
        content_type, body = multipart({"caption": b"\xc3("})
        response = self.client.post("/editor/images/", body, content_type=content_type)
        self.assertEqual(response.status_code, 400)
        self.assertIn("not valid UTF-8", response.json()["error"]["message"])

    def test_a_query_string_that_is_not_utf8_is_refused_on_public_and_admin_pages(self):
        for path in ("/search/", "/", "/admin/articles/article/", "/admin/publication/photo/"):
            for query in ("q=%FF", "q=caf%C3", "page=1&%80=x", "q=%C0%AF"):
                with self.subTest(path=path, query=query):
                    self.assert_refused(self.client.get(f"{path}?{query}"))
            # UTF-8, percent-encoded or not, is read as before.
            self.assertEqual(self.client.get(f"{path}?q=caf%C3%A9").status_code, 200)
