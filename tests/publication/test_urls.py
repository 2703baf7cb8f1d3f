from urllib.parse import urlsplit

from django.conf import settings
from django.test import TestCase, override_settings
from django.urls import URLResolver, get_resolver

from publication.models import SiteSettings
from tests.factories import (
    AdminTestCase,
    TemporaryMediaTestCase,
    make_article,
    make_author,
    make_creator,
    make_photo,
    make_share_link,
    make_site,
    make_user,
)
from tests.newsletter.helpers import make_subscriber
from tests.newsletter.test_archive import make_roundup


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


class EveryRouteMethodTests(TemporaryMediaTestCase):
    """Every address that answers GET answers HEAD alike (monitors, link checkers and
    mail scanners send HEAD) and refuses TRACE, whichever app routes it."""

    @classmethod
    def setUpTestData(cls):
        make_site()
        photo = make_photo(creator=make_creator("Jo Lens"))
        author = make_author("Mei Lin")
        cls.article = make_article(
            headline="Harbour talks", authors=[author], tags=["Ports"], lead_photo=photo
        )
        subscriber = make_subscriber("reader@example.org")
        roundup = make_roundup([cls.article], subject="This week")
        section, kind = cls.article.section, cls.article.kind
        cls.urls = {
            "": "/",
            "articles/<slug:slug>/": cls.article.get_absolute_url(),
            "preview/<int:pk>/": f"/preview/{cls.article.pk}/",
            "share/<str:token>/": make_share_link(cls.article).get_absolute_url(),
            "section/<slug:slug>/": section.get_absolute_url(),
            "kind/<slug:slug>/": kind.get_absolute_url(),
            "topic/<str:slug>/": "/topic/ports/",
            "authors/<slug:slug>/": author.get_absolute_url(),
            "credits/<slug:slug>/": photo.creator.get_absolute_url(),
            "search/": "/search/?q=harbour",
            "robots.txt": "/robots.txt",
            "sitemap.xml": "/sitemap.xml",
            "sitemap-news.xml": "/sitemap-news.xml",
            "sitemap-<slug:section>.xml": "/sitemap-articles.xml",
            "feed/": "/feed/",
            "feed/atom/": "/feed/atom/",
            **{
                f"{prefix}/<{kind_}:slug>/feed/{atom}": f"{url}feed/{atom}"
                for prefix, kind_, url in [
                    ("section", "slug", section.get_absolute_url()),
                    ("kind", "slug", kind.get_absolute_url()),
                    ("topic", "str", "/topic/ports/"),
                    ("authors", "slug", author.get_absolute_url()),
                ]
                for atom in ("", "atom/")
            },
            "newsletter/": "/newsletter/",
            "newsletter/thanks/": "/newsletter/thanks/",
            "newsletter/confirm/<str:token>/": urlsplit(subscriber.get_confirm_url()).path,
            "newsletter/unsubscribe/<str:token>/": urlsplit(subscriber.get_unsubscribe_url()).path,
            "newsletter/archive/": "/newsletter/archive/",
            "newsletter/archive/<int:pk>/": roundup.get_absolute_url(),
            "newsletter/archive/feed/": "/newsletter/archive/feed/",
            "manifest.webmanifest": "/manifest.webmanifest",
            "favicon.ico": "/favicon.ico",
            "apple-touch-icon.png": "/apple-touch-icon.png",
            "apple-touch-icon-precomposed.png": "/apple-touch-icon-precomposed.png",
            "media/<path:path>": photo.image.url,
        }
        cls.staff = make_user("chief", is_staff=True, is_superuser=True)

    def test_every_route_is_checked(self):
        # Posts only: the CSP reports and the editor's image upload; the admin's own.
        posts_only = {"csp-report/", "editor/images/"}
        routes = {
            route
            for route in public_routes(get_resolver().url_patterns)
            if not route.startswith("admin/") and route not in posts_only
        }
        self.assertEqual(routes, set(self.urls))

    def test_head_answers_as_get_does_and_trace_is_refused(self):
        # The sitemaps and robots.txt answered HEAD with 405; the media, share and preview
        # pages answered TRACE with the page.
        self.client.force_login(self.staff)
        for route, url in self.urls.items():
            with self.subTest(route=route):
                get = self.client.get(url)
                self.assertEqual(get.status_code, 200)
                head = self.client.head(url)
                self.assertEqual(head.status_code, 200)
                self.assertEqual(head["Content-Type"], get["Content-Type"])
                self.assertEqual(self.client.generic("TRACE", url).status_code, 405)


def public_routes(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from public_routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)
