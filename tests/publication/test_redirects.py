"""Changing a slug readers have seen leaves a one-hop 301 from the old address (and
everything under it, such as its feed); editors add their own redirects in the admin."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.core import serializers
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from taggit.models import Tag

from articles.models import Article
from publication.models import Redirect
from tests.factories import (
    EditorSignedIn,
    make_article,
    make_author,
    make_creator,
    make_kind,
    make_section,
    make_site,
    make_user,
)


class SlugChangeTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_site()

    def assertMoved(self, old_url, new_url):
        response = self.client.get(old_url)
        self.assertEqual(response.status_code, 301, old_url)
        self.assertEqual(response["Location"], new_url)
        # Its feed (or any address under it) moves with it.
        response = self.client.get(old_url + "feed/")
        self.assertEqual(response.status_code, 301)
        self.assertEqual(response["Location"], new_url + "feed/")
        self.assertEqual(self.client.get(new_url).status_code, 200, new_url)
        # Typed or shared without the trailing slash, still one hop: not first to the old
        # address with a slash (CommonMiddleware's APPEND_SLASH) and then on.
        moved = [(old_url, new_url)]
        if self.client.get(new_url + "feed/atom/").status_code == 200:  # articles have none
            moved.append((old_url + "feed/atom/", new_url + "feed/atom/"))
        for old, new in moved:
            response = self.client.get(old.removesuffix("/") + "?page=2")
            self.assertEqual(response.status_code, 301, old)
            self.assertEqual(response["Location"], new + "?page=2")

    def rename(self, instance, slug):
        old_url = instance.get_absolute_url()
        instance.slug = slug
        instance.save()
        return old_url

    def test_published_article(self):
        article = make_article(slug="old-headline")
        old_url = self.rename(article, "new-headline")
        self.assertMoved(old_url, "/articles/new-headline/")
        self.assertEqual(
            self.client.get(old_url + "?utm_source=x")["Location"],
            "/articles/new-headline/?utm_source=x",
        )

    def test_draft_and_scheduled_articles_leave_no_redirect(self):
        draft = make_article(slug="draft-slug", status=Article.Status.DRAFT)
        self.rename(draft, "draft-slug-2")
        self.assertFalse(Redirect.objects.exists())
        self.assertEqual(self.client.get("/articles/draft-slug/").status_code, 404)

    def test_section(self):
        section = make_section("Europe")
        make_article(section=section)
        self.assertMoved(self.rename(section, "europe-and-eurasia"), "/section/europe-and-eurasia/")

    def test_kind(self):
        kind = make_kind("Analysis")
        make_article(kind=kind)
        self.assertMoved(self.rename(kind, "analyses"), "/kind/analyses/")

    def test_author(self):
        author = make_author("Ada Byline")
        self.assertMoved(
            self.rename(author, "ada-byline-lovelace"), "/authors/ada-byline-lovelace/"
        )

    def test_creator(self):
        creator = make_creator("Jane Doe")
        old_url = self.rename(creator, "jane-doe-photography")
        response = self.client.get(old_url)
        self.assertEqual(response.status_code, 301)
        self.assertEqual(response["Location"], "/credits/jane-doe-photography/")

    def test_topic(self):
        tag = Tag.objects.create(name="Trump transition", slug="trump-transition")
        old_url = "/topic/trump-transition/"
        tag.slug = "transition-2025"
        tag.save()
        self.assertMoved(old_url, "/topic/transition-2025/")

    def test_topic_with_letters_beyond_ascii(self):
        tag = Tag.objects.create(name="Zürich", slug="zürich")
        tag.slug = "zürich-talks"
        tag.save()
        response = self.client.get("/topic/z%C3%BCrich/feed/")
        self.assertEqual(response.status_code, 301)
        self.assertEqual(response["Location"], "/topic/z%C3%BCrich-talks/feed/")

    def test_saving_without_changing_the_slug_makes_no_redirect(self):
        section = make_section("Europe")
        section.description = "New description"
        section.save()
        make_article().save()
        self.assertFalse(Redirect.objects.exists())

    def test_chains_collapse_to_one_hop(self):
        article = make_article(slug="first")
        self.rename(article, "second")
        article.refresh_from_db()
        self.rename(article, "third")
        self.assertEqual(self.client.get("/articles/first/")["Location"], "/articles/third/")
        self.assertEqual(self.client.get("/articles/second/")["Location"], "/articles/third/")
        self.assertEqual(Redirect.objects.count(), 2)

    def test_changing_back_leaves_no_loop(self):
        article = make_article(slug="first")
        self.rename(article, "second")
        self.rename(article, "first")
        self.assertEqual(self.client.get("/articles/first/").status_code, 200)
        self.assertEqual(self.client.get("/articles/second/")["Location"], "/articles/first/")
        self.assertEqual(
            list(Redirect.objects.values_list("old_path", "new_path")),
            [("/articles/second/", "/articles/first/")],
        )

    def test_restoring_an_earlier_version_redirects_from_the_current_address(self):
        # Revisions are restored by deserializing and saving, not by loading the row.
        article = make_article(slug="first")
        earlier = serializers.serialize("json", [article])
        self.rename(article, "second")
        for restored in serializers.deserialize("json", earlier):
            restored.object.save()
        self.assertEqual(self.client.get("/articles/first/").status_code, 200)
        self.assertEqual(self.client.get("/articles/second/")["Location"], "/articles/first/")

    def test_an_address_without_its_slash_keeps_its_own_redirect(self):
        # An editor's redirect from the address exactly as typed wins over the one from
        # the address with a slash, as it did when Django added the slash afterwards.
        Redirect.objects.create(old_path="/articles/campaign", new_path="/section/a/")
        Redirect.objects.create(old_path="/articles/campaign/", new_path="/section/b/")
        self.assertEqual(self.client.get("/articles/campaign")["Location"], "/section/a/")
        # An address that no page would answer with a slash either is left alone.
        Redirect.objects.create(old_path="/old/", new_path="/section/c/")
        self.assertEqual(self.client.get("/old/report.pdf")["Location"], "/section/c/report.pdf")

    def test_a_live_page_wins_over_a_redirect(self):
        make_article(slug="taken")
        Redirect.objects.create(old_path="/articles/taken/", new_path="/elsewhere/")
        self.assertEqual(self.client.get("/articles/taken/").status_code, 200)

    def test_only_missing_pages_look_up_redirects(self):
        section = make_section("Europe")
        for url, status, lookups in [(section.get_absolute_url(), 200, 0), ("/nothing/", 404, 1)]:
            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(self.client.get(url).status_code, status)
            sql = [query["sql"] for query in queries.captured_queries]
            self.assertEqual(sum("publication_redirect" in q for q in sql), lookups, url)


class ManualRedirectAdminTests(EditorSignedIn, TestCase):
    def add(self, old_path, new_path):
        return self.client.post(
            "/admin/publication/redirect/add/", {"old_path": old_path, "new_path": new_path}
        )

    def test_editors_add_a_redirect_and_it_answers(self):
        # Pasted whole from the browser's address bar, with spaces around it.
        response = self.add(f" {settings.SITE_URL}/old-campaign/?ref=x ", "/section/europe/")
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Redirect.objects.get().old_path, "/old-campaign/")
        self.assertEqual(self.client.get("/old-campaign/")["Location"], "/section/europe/")

    def test_a_changed_redirect_reaches_readers_who_followed_the_old_one(self):
        # Browsers keep a 301 without a lifetime for good; this one says how long.
        self.add("/old-campaign/", "/section/europe/")
        response = self.client.get("/old-campaign/")
        cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
        self.assertIn("public", cache_control)
        self.assertIn(f"max-age={settings.PAGE_CACHE_MAX_AGE}", cache_control)
        self.assertIn(f"s-maxage={settings.PAGE_CACHE_S_MAXAGE}", cache_control)

    def test_bad_addresses_are_form_errors(self):
        cases = [
            ("old-campaign", "/x/", "starting with a slash"),
            ("https://elsewhere.example/page/", "/x/", "on this site"),
            ("//evil.example/", "/x/", "starting with a slash"),
            ("/a b/", "/x/", "starting with a slash"),
            ("/same/", "/same/", "cannot redirect to itself"),
            ("/old/", "javascript:alert(1)", "full https://"),
            ("/old/", "", "This field is required"),
        ]
        for old_path, new_path, message in cases:
            with self.subTest(old_path=old_path, new_path=new_path):
                response = self.add(old_path, new_path)
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, message)
        self.assertFalse(Redirect.objects.exists())

    def test_addresses_under_an_old_one_never_lead_off_the_site(self):
        for new_path in ["/", "/section/europe/", "https://archive.example/"]:
            Redirect.objects.update_or_create(old_path="/closed/", defaults={"new_path": new_path})
            with self.subTest(new_path=new_path):
                self.assertEqual(self.client.get("/closed/feed/")["Location"], f"{new_path}feed/")
                for path in [
                    "/closed//evil.example/",
                    "/closed///evil.example/",
                    "/closed/%2F%2Fevil.example/",
                    "/closed/%2F/evil.example/",
                    "/closed//%5Cevil.example/",
                    "/closed/%5Cevil.example/",  # answered "/\\evil.example/": another site
                    "/closed/%5C%5Cevil.example/",
                ]:
                    with self.subTest(path=path):
                        response = self.client.get(path)
                        self.assertEqual(response.status_code, 404)

    def test_a_new_address_under_the_old_one_is_followed_once(self):
        """ "/europe/" → "/europe/news/" sent a missing "/europe/news/" to
        "/europe/news/news/", and so on for ever (a browser's "too many redirects")."""
        Redirect.objects.create(old_path="/europe/", new_path="/europe/news/")
        self.assertEqual(self.client.get("/europe/")["Location"], "/europe/news/")
        self.assertEqual(self.client.get("/europe/feed/")["Location"], "/europe/news/feed/")
        for path in ["/europe/news/", "/europe/news/feed/", "/europe/news/news/"]:
            with self.subTest(path=path):
                self.assertEqual(self.client.get(path).status_code, 404)

    def test_a_redirect_that_would_send_readers_round_in_a_circle_is_a_form_error(self):
        Redirect.objects.create(old_path="/a/", new_path="/b/")
        for old_path, new_path in [
            ("/b/x/", "/a/x/"),  # /a/x/ → /b/x/ → /a/x/ …
            ("/b/", "/a/y/"),  # /a/y/ → /b/y/, under /b/ → /a/y/y/ …
        ]:
            with self.subTest(old_path=old_path, new_path=new_path):
                response = self.add(old_path, new_path)
                self.assertContains(response, "back to the old one")
                self.assertFalse(Redirect.objects.filter(old_path=old_path).exists())
        # Pointing back at a redirect's own source replaces it (chains stay one hop).
        self.assertEqual(self.add("/b/", "/a/").status_code, 302)
        self.assertFalse(Redirect.objects.filter(old_path="/a/").exists())
        self.assertEqual(self.client.get("/b/")["Location"], "/a/")

    def test_a_manual_redirect_joins_chains(self):
        Redirect.objects.create(old_path="/older/", new_path="/old/")
        self.add("/old/", "https://archive.example/old/")
        self.assertEqual(self.client.get("/older/")["Location"], "https://archive.example/old/")

    def test_editors_group_may_manage_redirects(self):
        codenames = set(
            Group.objects.get(name="Editors")
            .permissions.filter(content_type__model="redirect")
            .values_list("codename", flat=True)
        )
        self.assertEqual(
            codenames, {"add_redirect", "change_redirect", "delete_redirect", "view_redirect"}
        )
        self.assertEqual(self.client.get("/admin/publication/redirect/").status_code, 200)
        reader = make_user(is_staff=True)
        self.client.force_login(reader)
        self.assertEqual(self.client.get("/admin/publication/redirect/").status_code, 403)
