from django.conf import settings
from django.test import TestCase, override_settings

from publication.models import SiteSettings
from tests.factories import AdminTestCase, make_site, make_user


@override_settings(ROOT_URLCONF="tests.publication.error_urls")
class ErrorPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_site()

    def test_server_error_shows_the_500_page(self):
        self.client.raise_request_exception = False
        with self.assertLogs("django.request", "ERROR"):
            response = self.client.get("/broken/")
        self.assertContains(response, "Something went wrong on our side", status_code=500)
        self.assertTemplateUsed(response, "500.html")
        self.assertNotContains(response, "RuntimeError", status_code=500)

    def test_the_500_page_says_the_site_language_without_a_query(self):
        # It said lang="en" whatever the language chosen in site settings.
        site = SiteSettings.load()
        site.language = "de"
        site.save()
        self.assertContains(self.client.get("/"), '<html lang="de">')
        self.client.raise_request_exception = False
        with self.assertLogs("django.request", "ERROR"), self.assertNumQueries(0):
            response = self.client.get("/broken/")
        self.assertContains(response, '<html lang="de">', status_code=500)

    def test_the_500_page_is_never_kept(self):
        self.client.raise_request_exception = False
        with self.assertLogs("django.request", "ERROR"):
            response = self.client.get("/broken/")
        self.assertIn("no-store", response["Cache-Control"])

    def test_a_404_is_kept_no_longer_than_pages(self):
        # Without a lifetime a CDN keeps a 404 for its own default, long after an editor
        # published that address or added a redirect for it.
        response = self.client.get("/no/such/page/")
        self.assertEqual(response.status_code, 404)
        cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
        self.assertIn("public", cache_control)
        self.assertIn(f"max-age={settings.PAGE_CACHE_MAX_AGE}", cache_control)
        self.assertIn(f"s-maxage={settings.PAGE_CACHE_S_MAXAGE}", cache_control)
        self.assertIn("public", self.client.head("/articles/no-such-story/")["Cache-Control"])
        # What depends on the reader is never made public.
        self.assertIn("no-store", self.client.post("/no/such/page/")["Cache-Control"])
        self.client.force_login(make_user(is_staff=True, is_superuser=True))
        response = self.client.get("/admin/articles/no-such-model/")
        self.assertEqual(response.status_code, 404)
        self.assertNotIn("public", response.get("Cache-Control", ""))

    def test_unknown_address_shows_the_404_page_with_site_chrome(self):
        response = self.client.get("/no/such/page/")
        self.assertContains(response, "We can’t find that page", status_code=404)
        self.assertContains(
            response, '<a class="site-name" href="/">The Meridian</a>', status_code=404, html=True
        )


class ControlCharacterTests(TestCase):
    """No route answers 500 for a control character in its slug or token."""

    ROUTES = [
        "/articles/{}/",
        "/topic/{}/",
        "/section/{}/",
        "/kind/{}/",
        "/authors/{}/",
        "/credits/{}/",
        "/share/{}/",
        "/preview/{}/",
        "/newsletter/confirm/{}/",
        "/newsletter/unsubscribe/{}/",
    ]
    # NUL, other C0 controls, DEL and a C1 control (NEL), alone and inside a word.
    CONTROLS = ["%00", "%01", "%09", "%0A", "%0D", "%1F", "%7F", "%C2%85"]

    @classmethod
    def setUpTestData(cls):
        make_site()

    def test_any_control_character_in_any_route_gives_404(self):
        for route in self.ROUTES:
            for control in self.CONTROLS:
                for segment in (control, f"abc{control}def"):
                    url = route.format(segment)
                    with self.subTest(url=url):
                        self.assertEqual(self.client.get(url).status_code, 404)
                        self.assertEqual(self.client.post(url).status_code, 404)


class LongSegmentTests(TestCase):
    """A path segment longer than any name (the file system allows 255 bytes) is a 404."""

    @classmethod
    def setUpTestData(cls):
        make_site()

    def test_a_segment_past_any_name_gives_404_on_every_route(self):
        # /media/ asked the file system, which refused a 256-byte name: a 500.
        routes = [*ControlCharacterTests.ROUTES, "/media/photos/{}.jpg", "/media/{}/a.webp"]
        routes += ["/topic/{}/feed/", "/section/{}/feed/atom/", "/sitemap-{}.xml"]
        for route in routes:
            for segment in ["x" * 256, "é" * 200, "x" * 3900]:
                url = route.format(segment)
                with self.subTest(url=url[:40], length=len(segment)):
                    # A newsletter link's token that is no token: 400, "this link is broken".
                    self.assertIn(self.client.get(url).status_code, {400, 404})


class MethodTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_site()

    def test_public_pages_refuse_methods_that_change_or_echo(self):
        # Search and the feeds answered TRACE and PUT (CSRF allows TRACE) with the page.
        for url in ["/", "/search/?q=sea", "/feed/", "/feed/atom/", "/newsletter/archive/"]:
            for method in ["TRACE", "PUT", "DELETE", "PATCH", "PROPFIND"]:
                with self.subTest(url=url, method=method):
                    response = self.client.generic(method, url)
                    self.assertEqual(response.status_code, 405)
                    self.assertEqual(response["Allow"], "GET, HEAD, OPTIONS")
            options = self.client.options(url)
            self.assertEqual((options.status_code, options.content), (200, b""))
        self.assertEqual(self.client.options("/newsletter/")["Allow"], "GET, HEAD, POST, OPTIONS")


class UnanswerableQueryTests(AdminTestCase):
    def test_a_nul_a_year_no_date_has_a_regex_or_a_status_no_job_has_is_a_bad_request(self):
        # Each answered 500: PostgreSQL refuses NUL in text, and a year lookup makes dates.
        for url in [
            "/admin/articles/article/?status__exact=%00",
            "/admin/newsletter/subscriber/?status=x%00y",
            "/admin/autocomplete/?term=%00&app_label=articles&model_name=article&field_name=lead_photo",
            "/admin/publication/author/create-from-autocomplete/?term=a%00",
            "/admin/articles/article/?published_at__year=-1",
            "/admin/articles/article/?published_at__year=99999999999999999999",
            "/admin/newsletter/subscriber/?signed_up_at__year=0",
            # PostgreSQL refuses a malformed pattern; a well-formed one may run for minutes.
            "/admin/articles/article/?headline__regex=%28",
            "/admin/procrastinate/procrastinatejob/?lock__iregex=a",
            # The job status is an enum: a value that is none of its members was a DataError.
            "/admin/procrastinate/procrastinatejob/?status=bogus",
            "/admin/procrastinate/procrastinatejob/?status__exact=",
            "/admin/procrastinate/procrastinatejob/?status__in=todo,bogus",
            "/admin/procrastinate/procrastinatejob/?status__gt=a",
        ]:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 400)
        ok = self.client.get("/admin/articles/article/?published_at__year=2026&status__exact=draft")
        self.assertEqual(ok.status_code, 200)
        jobs = "/admin/procrastinate/procrastinatejob/"
        for query in ["status=todo", "status__in=todo,failed", "status__startswith=t"]:
            with self.subTest(query=query):
                self.assertEqual(self.client.get(f"{jobs}?{query}").status_code, 200)
