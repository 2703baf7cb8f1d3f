import datetime
import gzip
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from unittest import mock
from urllib.parse import urlsplit

from django.apps import apps as django_apps
from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import post_migrate
from django.http import HttpRequest, QueryDict
from django.test import SimpleTestCase, TransactionTestCase, override_settings
from django.urls import URLResolver
from django.utils import timezone
from django.utils.http import http_date
from taggit.models import Tag

from articles.forms import SearchForm
from articles.models import Article, Byline
from publication.models import Photo, Redirect, SiteSettings
from publication.page_cache import (
    PAGE_PARAMETERS,
    VERSION_KEY,
    LocalPages,
    PageEntry,
    _code_digest,
    cached_under_version,
    release,
)
from tests.factories import (
    TemporaryMediaTestCase,
    clock_at,
    listing_urls,
    make_article,
    make_author,
    make_creator,
    make_kind,
    make_photo,
    make_section,
    make_share_link,
    make_site,
    make_user,
    next_midnight,
)
from tests.production.helpers import database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent


@override_settings(PAGE_CACHE_ENABLED=True)
class PageCacheTestCase(TemporaryMediaTestCase):
    def setUp(self):
        cache.clear()

    def get(self, url, **headers):
        return self.client.get(url, headers=headers)


class PageCacheTests(PageCacheTestCase):
    @classmethod
    def setUpTestData(cls):
        make_site()
        cls.author = make_author("Ana Ruiz")
        cls.article = make_article(
            headline="Ceasefire talks resume", authors=[cls.author], tags=["Truce"]
        )

    def public_urls(self):
        return [*listing_urls(self.article, self.author), "/newsletter/", "/search/?q=ceasefire"]

    def test_second_request_is_served_whole_without_queries(self):
        for url in self.public_urls():
            with self.subTest(url=url):
                first = self.get(url)
                self.assertEqual(first["X-Page-Cache"], "miss")
                with self.assertNumQueries(0):
                    second = self.get(url)
                self.assertEqual(second["X-Page-Cache"], "hit")
                self.assertEqual(second.content, first.content)
                self.assertEqual(second["ETag"], first["ETag"])

    def test_parameters_no_page_reads_share_the_page_and_the_others_do_not(self):
        # Each junk parameter rendered the page again and stored two more copies of it.
        self.assertEqual(self.get("/?utm_source=a")["X-Page-Cache"], "miss")
        for url in ["/?utm_source=b", "/?fbclid=x&utm_medium=y", "/"]:
            with self.subTest(url=url), self.assertNumQueries(0):
                self.assertEqual(self.get(url)["X-Page-Cache"], "hit")
        first = self.get("/search/?q=ceasefire&utm_source=a")
        self.assertEqual(self.get("/search/?utm_source=b&q=ceasefire")["X-Page-Cache"], "hit")
        for url in ["/search/?q=truce", "/search/?q=ceasefire&q=truce", "/?page=2"]:
            with self.subTest(url=url):
                self.assertEqual(self.get(url)["X-Page-Cache"], "miss")
        self.assertNotEqual(self.get("/search/?q=truce").content, first.content)

    def test_headers_for_browsers_and_cdns(self):
        for response in (self.get("/"), self.get("/")):
            cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
            self.assertEqual(
                cache_control,
                {"public", "max-age=60", "s-maxage=300", "stale-while-revalidate=60"},
            )
            self.assertRegex(response["ETag"], r'^"[0-9a-f]{32}"$')  # strong
            self.assertIn("GMT", response["Last-Modified"])

    def test_conditional_requests_get_304_without_rendering(self):
        etag = self.get("/")["ETag"]
        with self.assertNumQueries(0):
            response = self.get("/", if_none_match=etag)
        self.assertEqual(response.status_code, 304)
        self.assertEqual(response.content, b"")
        self.assertEqual(response["ETag"], etag)
        last_modified = response["Last-Modified"]
        with self.assertNumQueries(0):
            response = self.get("/", if_modified_since=last_modified)
        self.assertEqual(response.status_code, 304)

    def test_a_stale_etag_gets_the_new_page(self):
        etag = self.get("/")["ETag"]
        self.article.headline = "Ceasefire talks collapse"
        self.article.save()
        response = self.get("/", if_none_match=etag)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Ceasefire talks collapse")
        self.assertNotEqual(response["ETag"], etag)

    def test_head_is_served_from_the_cache(self):
        self.get("/")
        with self.assertNumQueries(0):
            response = self.client.head("/")
        self.assertEqual(response["X-Page-Cache"], "hit")

    def test_staff_get_the_same_bytes_from_the_cache(self):
        anonymous = self.get(self.article.get_absolute_url())
        self.client.force_login(make_user(is_staff=True, is_superuser=True))
        staff = self.get(self.article.get_absolute_url())
        self.assertEqual(staff["X-Page-Cache"], "hit")
        self.assertEqual(staff.content, anonymous.content)

    def test_post_is_never_served_from_the_cache(self):
        self.get("/newsletter/")
        response = self.client.post("/newsletter/", {"email": "x"})
        self.assertNotIn("X-Page-Cache", response)
        self.assertNotEqual(response.status_code, 200)

    def test_share_links_and_previews_are_never_cached(self):
        draft = make_article(status=Article.Status.DRAFT, headline="Secret draft")
        url = make_share_link(draft).get_absolute_url()
        for _ in range(2):
            response = self.get(url)
            self.assertContains(response, "Secret draft")
            self.assertNotIn("X-Page-Cache", response)
            self.assertIn("private", response["Cache-Control"])
        self.client.force_login(make_user(is_staff=True, is_superuser=True))
        for _ in range(2):
            response = self.get(f"/preview/{draft.pk}/")
            self.assertNotIn("X-Page-Cache", response)

    def test_not_found_is_not_cached(self):
        self.assertEqual(self.get("/articles/nothing-here/").status_code, 404)
        response = self.get("/articles/nothing-here/")
        self.assertEqual(response.status_code, 404)
        self.assertNotIn("X-Page-Cache", response)

    def test_a_hit_sends_the_headers_the_whole_stack_sent(self):
        for url in self.public_urls():
            with self.subTest(url=url):
                miss = self.get(url)
                hit = self.get(url)
                self.assertEqual(hit["X-Page-Cache"], "hit")
                per_request = {"x-request-id", "x-page-cache"}
                self.assertEqual(
                    {k: v for k, v in hit.items() if k.lower() not in per_request},
                    {k: v for k, v in miss.items() if k.lower() not in per_request},
                )
                for name in (
                    "Content-Security-Policy",
                    "X-Frame-Options",
                    "X-Content-Type-Options",
                    "Referrer-Policy",
                    "Cross-Origin-Opener-Policy",
                    "Permissions-Policy",
                    "Content-Length",
                ):
                    self.assertIn(name, hit)
                self.assertEqual(int(hit["Content-Length"]), len(hit.content))

    def test_clients_that_accept_gzip_get_a_copy_compressed_once(self):
        plain = self.get("/")
        for verdict in ("hit", "hit"):
            response = self.get("/", accept_encoding="gzip, deflate, br")
            self.assertEqual(response["X-Page-Cache"], verdict)
            self.assertEqual(response["Content-Encoding"], "gzip")
            self.assertEqual(int(response["Content-Length"]), len(response.content))
            self.assertLess(len(response.content), len(plain.content) / 2)
            self.assertEqual(gzip.decompress(response.content), plain.content)
            self.assertEqual(response["Vary"], "Accept-Encoding")
            self.assertNotEqual(response["ETag"], plain["ETag"])  # another representation
        self.assertNotIn("Content-Encoding", self.get("/"))
        self.assertEqual(self.get("/")["Vary"], "Accept-Encoding")

    def test_a_first_gzip_request_stores_both_copies(self):
        first = self.get("/", accept_encoding="gzip")
        self.assertEqual(first["X-Page-Cache"], "miss")
        self.assertEqual(first["Content-Encoding"], "gzip")
        plain = self.get("/", accept_encoding="identity")
        self.assertEqual(plain["X-Page-Cache"], "hit")
        self.assertEqual(gzip.decompress(first.content), plain.content)

    def test_conditional_requests_per_encoding(self):
        etag = self.get("/", accept_encoding="gzip")["ETag"]
        response = self.get("/", accept_encoding="gzip", if_none_match=etag)
        self.assertEqual(response.status_code, 304)
        self.assertEqual(response["Vary"], "Accept-Encoding")
        self.assertEqual(self.get("/", if_none_match=etag).status_code, 200)

    def test_every_response_gets_its_own_request_id(self):
        self.get("/")
        first, second = self.get("/"), self.get("/", x_request_id="edge-123456")
        self.assertEqual(first["X-Page-Cache"], "hit")
        self.assertRegex(first["X-Request-ID"], r"^[0-9a-f]{32}$")
        self.assertEqual(second["X-Request-ID"], "edge-123456")

    def test_a_hit_resolves_no_address_and_logs_the_page_it_served(self):
        # The view does not run on a hit; the request log reads the match the cache kept
        # instead of walking the URL patterns again for every hit.
        for url in self.public_urls():
            with self.subTest(url=url):
                self.get(url)
                resolving = mock.patch.object(
                    URLResolver, "resolve", side_effect=AssertionError("resolved again")
                )
                with resolving, self.assertLogs("publication.requests", "INFO") as logs:
                    response = self.get(url)
                self.assertEqual(response["X-Page-Cache"], "hit")
                self.assertEqual(logs.records[-1].path, urlsplit(url).path)

    def test_a_hit_never_sets_or_varies_on_a_cookie_even_for_signed_in_staff(self):
        self.get("/")
        self.client.force_login(make_user(is_staff=True, is_superuser=True))
        for _ in range(2):
            response = self.get("/")
            self.assertEqual(response["X-Page-Cache"], "hit")
            self.assertEqual(response.cookies, {})
            self.assertNotIn("Set-Cookie", response)
            self.assertEqual(response["Vary"], "Accept-Encoding")

    def test_a_hit_on_an_address_already_served_parses_and_validates_nothing_again(self):
        # The key is kept per address as spelt; building it again (query string, host
        # validation) was a sixth of a hit's Python.
        url = "/?utm_source=feed&page=1"
        self.get(url)
        validating = mock.patch.object(HttpRequest, "get_host", side_effect=AssertionError)
        parsing = mock.patch.object(QueryDict, "__init__", side_effect=AssertionError)
        with validating, parsing:
            response = self.get(url, accept_encoding="gzip", if_none_match='"other"')
        self.assertEqual(response["X-Page-Cache"], "hit")
        self.assertEqual(response["Content-Encoding"], "gzip")

    def test_a_host_allowed_before_a_change_of_settings_is_refused_after_it(self):
        self.get("/")
        self.assertEqual(self.get("/")["X-Page-Cache"], "hit")
        refused = self.assertLogs("django.security.DisallowedHost", "ERROR")
        with override_settings(ALLOWED_HOSTS=["elsewhere.example"]), refused:
            response = self.get("/")
        self.assertEqual(response.status_code, 400)

    def test_a_disallowed_host_is_refused_even_when_the_page_is_cached(self):
        self.get("/")
        self.assertEqual(self.get("/")["X-Page-Cache"], "hit")
        with self.assertLogs("django.security.DisallowedHost", "ERROR"):
            response = self.client.get("/", headers={"host": "evil.example"})
        self.assertEqual(response.status_code, 400)
        self.assertNotIn("X-Page-Cache", response)

    @override_settings(SECURE_SSL_REDIRECT=True, SECURE_HSTS_SECONDS=3600)
    def test_plain_http_is_redirected_to_https_even_when_the_page_is_cached(self):
        first = self.client.get("/", secure=True)
        self.assertEqual(first["X-Page-Cache"], "miss")
        response = self.client.get("/")
        self.assertEqual(response.status_code, 301)
        self.assertEqual(response["Location"], "https://testserver/")
        hit = self.client.get("/", secure=True)
        self.assertEqual(hit["X-Page-Cache"], "hit")
        self.assertEqual(hit["Strict-Transport-Security"], "max-age=3600")

    def test_http_and_https_pages_are_kept_apart(self):
        # HSTS and absolute links may differ by scheme; the key includes it.
        self.get("/")
        self.assertEqual(self.client.get("/", secure=True)["X-Page-Cache"], "miss")

    def test_control_characters_and_oversized_bodies_are_refused_as_before(self):
        self.get("/")
        self.assertEqual(self.get("/articles/a%00b/").status_code, 404)
        self.assertEqual(self.get("/articles/a%00b/").status_code, 404)
        response = self.client.get("/", CONTENT_LENGTH=str(10**9))
        self.assertEqual(response.status_code, 413)

    @override_settings(DISALLOWED_USER_AGENTS=[re.compile("BadBot")])
    def test_disallowed_user_agents_are_refused_even_when_the_page_is_cached(self):
        self.get("/")
        self.assertEqual(self.get("/", user_agent="BadBot/1.0").status_code, 403)
        self.assertEqual(self.get("/", user_agent="Firefox").status_code, 200)

    def test_the_health_check_is_answered_live(self):
        for _ in range(2):
            response = self.get("/healthz")
            self.assertEqual(response.status_code, 200)
            self.assertNotIn("X-Page-Cache", response)

    def test_head_of_a_cached_page_keeps_the_page_length(self):
        length = self.get("/")["Content-Length"]
        response = self.client.head("/")
        self.assertEqual(response["X-Page-Cache"], "hit")
        self.assertEqual(response["Content-Length"], length)

    def test_the_signup_form_of_a_cached_page_is_accepted(self):
        self.get("/newsletter/")
        page = self.get("/newsletter/")
        self.assertEqual(page["X-Page-Cache"], "hit")
        token = re.search(rb'name="token" value="([^"]+)"', page.content).group(1).decode()
        response = self.client.post(
            "/newsletter/",
            {"email": "reader@example.com", "name": "", "website": "", "token": token},
            headers={"Origin": "http://testserver"},
        )
        self.assertRedirects(response, "/newsletter/thanks/", fetch_redirect_response=False)
        self.assertEqual(response.cookies, {})

    def test_the_signup_token_outlives_every_cached_copy_of_a_page(self):
        # A token is signed at the start of its bucket; the page holding it may then be
        # served by this cache, then by a CDN (s-maxage), then stale while revalidating.
        oldest_copy = (
            settings.NEWSLETTER_FORM_TOKEN_BUCKET
            + settings.PAGE_CACHE_SECONDS
            + settings.PAGE_CACHE_S_MAXAGE
            + settings.PAGE_CACHE_STALE_WHILE_REVALIDATE
        )
        self.assertLess(oldest_copy * 10, settings.NEWSLETTER_FORM_TOKEN_MAX_AGE)


@override_settings(ROOT_URLCONF="tests.publication.page_cache_urls")
class ReaderDependentPageTests(PageCacheTestCase):
    """A hit skips sessions, CSRF, auth and messages, so a page that used any of them
    (or set a cookie, or a CSP nonce) must never be stored: others would get its bytes."""

    @classmethod
    def setUpTestData(cls):
        make_site()

    def test_reader_dependent_pages_are_never_stored(self):
        from tests.publication.page_cache_urls import READER_DEPENDENT

        self.client.force_login(make_user(is_staff=True, is_superuser=True))
        for name in READER_DEPENDENT:
            with self.subTest(page=name):
                for _ in range(2):
                    response = self.get(f"/t/{name}/")
                    self.assertEqual(response.status_code, 200)
                    self.assertNotIn("X-Page-Cache", response)

    def test_a_page_that_reads_the_session_is_not_stored_for_anonymous_readers_either(self):
        for name in ("session-read", "user-name", "csrf-form"):
            with self.subTest(page=name):
                self.get(f"/t/{name}/")
                self.assertNotIn("X-Page-Cache", self.get(f"/t/{name}/"))

    def test_the_session_keeps_working_behind_the_cache(self):
        self.assertContains(self.get("/t/session-visits/"), "visit 1")
        self.assertContains(self.get("/t/session-visits/"), "visit 2")

    def test_a_plain_page_is_stored(self):
        self.get("/t/plain/")
        self.assertEqual(self.get("/t/plain/")["X-Page-Cache"], "hit")


class SearchFilterTests(PageCacheTestCase):
    def test_each_search_filter_is_its_own_cached_page(self):
        europe, asia = make_section("Europe"), make_section("Asia")
        news, analysis = make_kind("News"), make_kind("Analysis")
        ana, ben = make_author("Ana Ruiz"), make_author("Ben Okafor")
        make_article(headline="Harbour talks in Riga", section=europe, kind=news, authors=[ana])
        make_article(headline="Harbour talks in Busan", section=asia, kind=analysis, authors=[ben])
        self.assertContains(self.get("/search/?q=harbour"), "Busan")
        for name, value in (("section", "europe"), ("kind", "news"), ("author", ana.slug)):
            with self.subTest(name):
                response = self.get(f"/search/?q=harbour&{name}={value}")
                self.assertContains(response, "Riga")
                self.assertNotContains(response, "Busan")
        # A filter added to the form later must be part of the cache key too.
        self.assertLessEqual(set(SearchForm.base_fields), set(PAGE_PARAMETERS))


class InvalidationTests(PageCacheTestCase):
    """After any save an editor makes, the next request shows it."""

    @classmethod
    def setUpTestData(cls):
        make_site()
        cls.author = make_author("Ana Ruiz")
        cls.creator = make_creator("Jane Doe")
        cls.photo = make_photo(creator=cls.creator)
        cls.article = make_article(
            headline="Ceasefire talks resume",
            authors=[cls.author],
            tags=["Truce"],
            lead_photo=cls.photo,
            section=make_section("Europe"),
            kind=make_kind("Analysis"),
        )

    def assertChangeShows(self, url, change, text):
        self.get(url)
        self.assertEqual(self.get(url)["X-Page-Cache"], "hit")
        change()
        response = self.get(url)
        self.assertContains(response, text)
        self.assertEqual(response["X-Page-Cache"], "miss")

    def test_article_headline(self):
        def change():
            self.article.headline = "Talks collapse"
            self.article.save()

        self.assertChangeShows("/", change, "Talks collapse")

    def test_publish_and_unpublish_in_bulk(self):
        draft = make_article(headline="Fresh draft", status=Article.Status.DRAFT)
        self.assertChangeShows(
            "/",
            lambda: Article.objects.filter(pk=draft.pk).update(
                status=Article.Status.PUBLISHED, published_at=timezone.now()
            ),
            "Fresh draft",
        )

    def test_byline_and_author(self):
        url = self.article.get_absolute_url()
        self.assertChangeShows(
            url,
            lambda: Byline.objects.create(article=self.article, author=make_author("Bo Li")),
            "Bo Li",
        )

        def rename():
            self.author.name = "Ana Ruiz-Moreno"
            self.author.save()

        self.assertChangeShows(url, rename, "Ana Ruiz-Moreno")

    def test_topics(self):
        url = self.article.get_absolute_url()
        self.assertChangeShows(url, lambda: self.article.tags.add("Winter war"), "Winter war")

        def rename():
            Tag.objects.filter(name="Truce").update(name="Armistice")  # no signal: not editors'
            tag = Tag.objects.get(name="Armistice")
            tag.save()

        self.assertChangeShows(url, rename, "Armistice")

    def test_section_kind_photo_and_creator(self):
        url = self.article.get_absolute_url()

        def save(obj, **fields):
            def change():
                for name, value in fields.items():
                    setattr(obj, name, value)
                obj.save()

            return change

        self.assertChangeShows(url, save(self.article.section, name="Old Europe"), "Old Europe")
        self.assertChangeShows(url, save(self.article.kind, name="Deep dive"), "Deep dive")
        self.assertChangeShows(url, save(self.photo, alt_text="A river at dusk"), "A river at dusk")
        self.assertChangeShows(url, save(self.creator, name="Janet Doe"), "Janet Doe")

    def test_bulk_updates_of_photos_as_the_renditions_job_makes_them(self):
        self.assertChangeShows(
            self.article.get_absolute_url(),
            lambda: Photo.objects.filter(pk=self.photo.pk).update(alt_text="Smoke over the port"),
            "Smoke over the port",
        )

    def test_teaser_cards_are_shared_between_listings_and_stay_exact(self):
        section = self.article.section.get_absolute_url()
        self.get("/")
        self.get(section)  # its cards come from the fragments the home page cached
        self.article.headline = "Talks collapse"
        self.article.save()
        self.assertContains(self.get(section), "Talks collapse")
        self.assertContains(self.get("/"), "Talks collapse")

    def test_site_settings_and_navigation_topics(self):
        site = SiteSettings.load()

        def rename():
            site.name = "The Southern Cross"
            site.save()

        self.assertChangeShows("/", rename, "The Southern Cross")
        self.assertChangeShows(
            "/",
            lambda: site.nav_topics.add(Tag.objects.get(name="Truce")),
            'class="site-nav__topic"',
        )

    def test_deleting_an_article(self):
        url = "/"
        self.get(url)
        Article.objects.get(pk=self.article.pk).delete()
        self.assertNotContains(self.get(url), "Ceasefire talks resume")


class LastModifiedTests(PageCacheTestCase):
    """Last-Modified has whole seconds: an edit in the same second as the page a reader
    holds must not be answered 304 to that reader's If-Modified-Since."""

    @classmethod
    def setUpTestData(cls):
        make_site()
        cls.article = make_article(headline="Ceasefire talks resume")

    def at(self, moment):
        return mock.patch("publication.page_cache.time.time", return_value=moment)

    def test_a_new_version_says_the_second_after_its_change_once_it_has_begun(self):
        with self.at(1_800_000_000.2):
            held = self.get("/")
        self.assertEqual(held["Last-Modified"], http_date(1_800_000_000))
        with self.at(1_800_000_000.6):
            self.article.headline = "Talks collapse"
            self.article.save()
        with self.at(1_800_000_000.7):
            response = self.get("/", if_modified_since=held["Last-Modified"])
            self.assertContains(response, "Talks collapse")
            self.assertNotIn("Last-Modified", response)  # 1_800_000_001 is still ahead
            self.assertEqual(self.get("/", if_none_match=response["ETag"]).status_code, 304)
        with self.at(1_800_000_001.0):
            response = self.get("/")
            self.assertEqual(response["Last-Modified"], http_date(1_800_000_001))
            self.assertEqual(
                self.get("/", if_modified_since=response["Last-Modified"]).status_code, 304
            )
            self.assertEqual(
                self.get("/", if_modified_since=held["Last-Modified"]).status_code, 200
            )


class ReleaseTests(PageCacheTestCase):
    """Pages and fragments rendered by one release of the code are never served by another."""

    @classmethod
    def setUpTestData(cls):
        make_site()
        cls.article = make_article(headline="Ceasefire talks resume")

    def test_a_deploy_renders_pages_and_fragments_again_without_an_edit(self):
        with override_settings(PAGE_CACHE_RELEASE="old"):
            self.get("/")
            self.assertEqual(self.get("/")["X-Page-Cache"], "hit")
            self.assertEqual(cached_under_version("probe", lambda: "old card"), "old card")
        with override_settings(PAGE_CACHE_RELEASE="new"):
            self.assertEqual(self.get("/")["X-Page-Cache"], "miss")
            self.assertEqual(cached_under_version("probe", lambda: "new card"), "new card")
            self.assertEqual(self.get("/")["X-Page-Cache"], "hit")
        # An app server not yet replaced keeps its own pages, and an edit ends them all.
        with override_settings(PAGE_CACHE_RELEASE="old"):
            self.assertEqual(self.get("/")["X-Page-Cache"], "hit")
            self.article.headline = "Talks collapse"
            self.article.save()
        for name in ("old", "new"):
            with override_settings(PAGE_CACHE_RELEASE=name):
                self.assertContains(self.get("/"), "Talks collapse")

    def test_by_default_the_release_is_a_digest_of_the_code_and_templates(self):
        self.assertRegex(release(), r"^[0-9a-f]{16}$")
        with tempfile.TemporaryDirectory() as folder:
            engine = {**settings.TEMPLATES[0], "DIRS": [folder]}
            with override_settings(TEMPLATES=[engine]):
                before = _code_digest.__wrapped__()
                Path(folder, "base.html").write_text("<!doctype html>")
                self.assertNotEqual(_code_digest.__wrapped__(), before)


class MigrationTests(PageCacheTestCase):
    @classmethod
    def setUpTestData(cls):
        make_site()
        make_article(headline="Ceasefire talks resume")

    def migrated(self, plan):
        post_migrate.send(
            sender=django_apps.get_app_config("publication"),
            app_config=django_apps.get_app_config("publication"),
            verbosity=0,
            interactive=False,
            using="default",
            apps=django_apps,
            plan=plan,
        )

    def test_migrations_applied_end_cached_pages(self):
        # A data migration writes rows past save(): no signal tells the cache.
        self.get("/")
        self.migrated([])  # migrate with nothing to do
        self.assertEqual(self.get("/")["X-Page-Cache"], "hit")
        self.migrated([(mock.sentinel.migration, False)])
        self.assertEqual(self.get("/")["X-Page-Cache"], "miss")


class ScheduleTests(PageCacheTestCase):
    @classmethod
    def setUpTestData(cls):
        make_site()
        make_article(headline="Already out")
        cls.publish_at = timezone.now() + datetime.timedelta(seconds=90)
        cls.photographer = make_creator("Jane Doe")
        cls.embargoed = make_article(
            headline="Embargoed story",
            published_at=cls.publish_at,
            lead_photo=make_photo(alt_text="Embargoed picture", creator=cls.photographer),
        )

    def test_lifetimes_end_when_the_next_article_goes_live(self):
        response = self.get("/")
        max_age = int(response["Cache-Control"].split("max-age=")[1].split(",")[0])
        s_maxage = int(response["Cache-Control"].split("s-maxage=")[1].split(",")[0])
        self.assertLessEqual(max_age, 60)
        self.assertLessEqual(s_maxage, 90)
        self.assertGreater(s_maxage, 0)

    def test_its_address_is_not_found_no_longer_than_until_its_time(self):
        response = self.get(self.embargoed.get_absolute_url())
        self.assertEqual(response.status_code, 404)
        s_maxage = int(response["Cache-Control"].split("s-maxage=")[1].split(",")[0])
        self.assertLessEqual(s_maxage, 90)
        self.assertGreater(s_maxage, 0)

    def test_a_redirect_from_its_address_is_kept_no_longer_than_until_its_time(self):
        # At its time the article answers there, and the redirect no longer applies.
        Redirect.objects.create(old_path=self.embargoed.get_absolute_url(), new_path="/")
        response = self.get(self.embargoed.get_absolute_url())
        self.assertEqual(response.status_code, 301)
        s_maxage = int(response["Cache-Control"].split("s-maxage=")[1].split(",")[0])
        self.assertLessEqual(s_maxage, 90)

    def test_the_scheduled_article_appears_at_its_time_with_no_command(self):
        self.assertNotContains(self.get("/"), "Embargoed story")
        self.assertEqual(self.get("/")["X-Page-Cache"], "hit")
        later = self.publish_at + datetime.timedelta(seconds=1)
        with clock_at(later):
            response = self.get("/")
        self.assertContains(response, "Embargoed story")
        self.assertEqual(response["X-Page-Cache"], "miss")

    def test_the_credit_page_lists_the_scheduled_photo_at_its_time(self):
        # The page's selection of photos is SQL made once per content version, holding the
        # time it was made at: the version ends when the article goes live.
        url = self.photographer.get_absolute_url()
        self.assertNotContains(self.get(url), "Embargoed picture")
        later = self.publish_at + datetime.timedelta(seconds=1)
        with clock_at(later):
            self.assertContains(self.get(url), "Embargoed picture")


class LicenceExpiryTests(PageCacheTestCase):
    @classmethod
    def setUpTestData(cls):
        make_site()
        cls.photographer = make_creator("Jane Doe")
        cls.photo = make_photo(
            may_redistribute=True,
            license_expires_on=timezone.localdate(),
            alt_text="Licensed until today",
            creator=cls.photographer,
        )
        cls.article = make_article(headline="Pictured story", lead_photo=cls.photo)

    def test_cached_pages_and_cards_drop_the_photo_when_its_licence_runs_out(self):
        # The article page and the home page's teaser card are fragments cached under the
        # content version, inside whole pages cached under it: all end at that midnight.
        urls = ["/", self.article.get_absolute_url(), "/sitemap-articles.xml"]
        for url in urls:
            self.assertContains(self.get(url), self.photo.image.url)
            self.assertEqual(self.get(url)["X-Page-Cache"], "hit")
        midnight = next_midnight()
        before = midnight - datetime.timedelta(seconds=1)
        with mock.patch("publication.page_cache.time.time", return_value=before.timestamp()):
            max_age = self.get("/")["Cache-Control"]
        self.assertIn("max-age=1,", max_age)
        later = midnight + datetime.timedelta(seconds=1)
        with clock_at(later):
            for url in urls:
                response = self.get(url)
                self.assertNotContains(response, self.photo.image.url)
                self.assertNotContains(response, "Licensed until today")
                self.assertEqual(response["X-Page-Cache"], "miss")

    def test_a_cached_feed_drops_the_photo_when_its_licence_runs_out(self):
        self.assertContains(self.get("/feed/"), "<enclosure")
        self.assertEqual(self.get("/feed/")["X-Page-Cache"], "hit")
        midnight = next_midnight()
        # Every cached page and fragment ends then, however long its own lifetime.
        self.assertEqual(cache.get(VERSION_KEY).next_change, midnight.timestamp())
        later = midnight + datetime.timedelta(seconds=1)
        with clock_at(later):
            response = self.get("/feed/")
        self.assertNotContains(response, "<enclosure")
        self.assertEqual(response["X-Page-Cache"], "miss")

    def test_the_credit_page_drops_the_photo_when_its_licence_runs_out(self):
        url = self.photographer.get_absolute_url()
        self.assertContains(self.get(url), "Licensed until today")
        midnight = next_midnight()
        later = midnight + datetime.timedelta(seconds=1)
        with clock_at(later):
            self.assertNotContains(self.get(url), "Licensed until today")


class TwoProcessTests(TransactionTestCase):
    """Two processes sharing one cache: an edit in one shows at once in the other."""

    def setUp(self):
        self.cache_dir = tempfile.mkdtemp(prefix="test-page-cache-")
        caches = {
            "default": {
                "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                "LOCATION": self.cache_dir,
            }
        }
        self.enterContext(override_settings(CACHES=caches, PAGE_CACHE_ENABLED=True))
        make_site()
        self.article = make_article(headline="Ceasefire talks resume")

    def other_process(self, code):
        url = database_url()
        env = {
            **os.environ,
            "DJANGO_DEBUG": "true",
            "DJANGO_ALLOWED_HOSTS": "testserver",
            "DATABASE_URL": url,
            "DJANGO_CACHE_BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "DJANGO_CACHE_LOCATION": self.cache_dir,
        }
        subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", code],
            cwd=BASE_DIR,
            env=env,
            check=True,
            capture_output=True,
        )

    def test_an_edit_in_another_process_shows_on_the_next_request(self):
        url = self.article.get_absolute_url()
        self.client.get(url)
        self.assertEqual(self.client.get(url)["X-Page-Cache"], "hit")
        self.other_process(
            "from articles.models import Article; "
            f"a = Article.objects.get(pk={self.article.pk}); "
            "a.headline = 'Talks collapse'; a.save()"
        )
        response = self.client.get(url)
        self.assertContains(response, "Talks collapse")
        self.assertEqual(response["X-Page-Cache"], "miss")
        self.assertEqual(self.client.get(url)["X-Page-Cache"], "hit")

    def test_this_process_keeps_its_copy_of_a_page_only_under_the_same_version(self):
        url = self.article.get_absolute_url()
        self.assertEqual(self.client.get(url)["X-Page-Cache"], "miss")
        # Drop the shared copy but keep the version: the hit comes from this process.
        version = cache.get(VERSION_KEY)
        cache.clear()
        cache.set(VERSION_KEY, version, None)
        hit = self.client.get(url)
        self.assertEqual(hit["X-Page-Cache"], "hit")
        self.assertContains(hit, "Ceasefire talks resume")
        self.other_process(
            "from articles.models import Article; "
            f"a = Article.objects.get(pk={self.article.pk}); "
            "a.headline = 'Talks collapse'; a.save()"
        )
        response = self.client.get(url)
        self.assertEqual(response["X-Page-Cache"], "miss")
        self.assertContains(response, "Talks collapse")
        self.assertNotContains(response, "Ceasefire talks resume")

    @override_settings(PAGE_CACHE_LOCAL_BYTES=0)
    def test_no_copy_is_kept_in_the_process_when_its_budget_is_zero(self):
        url = self.article.get_absolute_url()
        self.client.get(url)
        version = cache.get(VERSION_KEY)
        cache.clear()
        cache.set(VERSION_KEY, version, None)
        self.assertEqual(self.client.get(url)["X-Page-Cache"], "miss")

    def test_a_page_cached_by_another_process_is_served_here(self):
        url = self.article.get_absolute_url()
        self.other_process(
            "from django.test import Client; "
            f"assert Client().get('{url}', HTTP_HOST='testserver')['X-Page-Cache'] == 'miss'"
        )
        self.assertEqual(self.client.get(url)["X-Page-Cache"], "hit")


class RedisTests(TransactionTestCase):
    """The hit path reads Redis with a client of its own (page_cache._get_many)."""

    def setUp(self):
        from tests.production.test_many_machines import start_redis

        url, _ = start_redis(self)
        self.url = url
        caches = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": url,
                "KEY_PREFIX": "test",
            }
        }
        self.enterContext(override_settings(CACHES=caches, PAGE_CACHE_ENABLED=True))
        make_site()
        self.article = make_article(headline="Ceasefire talks resume")

    def test_hits_and_exact_invalidation_through_redis(self):
        url = self.article.get_absolute_url()
        self.assertEqual(self.client.get(url)["X-Page-Cache"], "miss")
        with self.assertNumQueries(0):
            hit = self.client.get(url)
        self.assertEqual(hit["X-Page-Cache"], "hit")
        self.assertContains(hit, "Ceasefire talks resume")
        self.article.headline = "Talks collapse"
        self.article.save()
        response = self.client.get(url)
        self.assertEqual(response["X-Page-Cache"], "miss")
        self.assertContains(response, "Talks collapse")
        self.assertEqual(self.client.get(url)["X-Page-Cache"], "hit")
        # A listing's teaser cards come from fragments read in one round trip too.
        self.assertContains(self.client.get("/"), "Talks collapse")
        self.assertEqual(
            self.client.get("/", headers={"accept-encoding": "gzip"})["X-Page-Cache"], "hit"
        )

    def test_a_hit_under_an_unchanged_version_makes_no_key_and_unpickles_nothing(self):
        from django.core.cache import caches

        url = self.article.get_absolute_url()
        self.client.get(url)
        self.assertEqual(self.client.get(url)["X-Page-Cache"], "hit")
        backend = caches["default"]
        making = mock.patch.object(backend, "make_key", side_effect=AssertionError("make_key"))
        loading = mock.patch.object(
            backend._cache._serializer, "loads", side_effect=AssertionError("loads")
        )
        with making, loading:
            self.assertEqual(self.client.get(url)["X-Page-Cache"], "hit")
        # A new version is new bytes: read, so the edit shows at once.
        self.article.headline = "Talks collapse"
        self.article.save()
        self.assertContains(self.client.get(url), "Talks collapse")
        self.assertEqual(self.client.get(url)["X-Page-Cache"], "hit")

    @override_settings(PAGE_CACHE_ENABLED=False)
    def test_a_page_rendered_from_warm_fragments_builds_no_redis_client(self):
        # Django's Redis backend builds a client for every call: reading the version and a
        # fragment through it cost ten times what the hit path's reader does.
        from django.core.cache.backends.redis import RedisCacheClient

        for url in ("/", self.article.get_absolute_url()):
            self.client.get(url)
            building = mock.patch.object(
                RedisCacheClient, "get_client", side_effect=AssertionError("a client built")
            )
            with building:
                response = self.client.get(url)
            self.assertEqual(response.status_code, 200)
            self.assertNotIn("X-Page-Cache", response)

    def test_hits_survive_redis_dropping_the_connection(self):
        import redis

        url = self.article.get_absolute_url()
        self.client.get(url)
        self.assertEqual(self.client.get(url)["X-Page-Cache"], "hit")
        redis.Redis.from_url(self.url).client_kill_filter(_type="normal", skipme=True)
        self.assertEqual(self.client.get(url)["X-Page-Cache"], "hit")


class LocalPagesTests(SimpleTestCase):
    """The per-process copy of pages is bounded by the bytes of their bodies."""

    def entry(self, size, version="v1"):
        return PageEntry(version, float("inf"), '"etag"', b"x" * size, ())

    @override_settings(PAGE_CACHE_LOCAL_BYTES=250)
    def test_least_recently_used_pages_go_first_when_over_budget(self):
        pages = LocalPages()
        pages.put("a", self.entry(100))
        pages.put("b", self.entry(100))
        pages.get("a")
        pages.put("c", self.entry(100))
        self.assertIsNone(pages.get("b"))
        self.assertIsNotNone(pages.get("a"))
        self.assertIsNotNone(pages.get("c"))
        self.assertEqual(pages.size, 200)

    @override_settings(PAGE_CACHE_LOCAL_BYTES=250)
    def test_a_page_bigger_than_the_budget_is_not_kept_and_replaces_no_other(self):
        pages = LocalPages()
        pages.put("a", self.entry(100))
        pages.put("big", self.entry(300))
        self.assertIsNone(pages.get("big"))
        self.assertIsNotNone(pages.get("a"))

    def test_a_page_under_a_new_version_drops_the_others(self):
        pages = LocalPages()
        pages.put("a", self.entry(100, "v1"))
        pages.put("b", self.entry(100, "v2"))
        self.assertIsNone(pages.get("a"))
        self.assertEqual(pages.get("b").version, "v2")
        self.assertEqual(pages.size, 100)
