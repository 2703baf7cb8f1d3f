"""Every write that changes what a public page shows ends the cached pages that show it.

One test per write path an editor, a job or our code takes: the page is cached (the
second request is a hit), the write happens, and the next request shows the change, with
a new ETag, and a reader revalidating with the ETag or the Last-Modified it holds gets the
new page rather than a 304. The writes go through the admin as editors make them
(forms, inlines, bulk actions, taggit's topic admin), through taggit's tag managers, and
through querysets (update(), bulk_create(), bulk_update(), delete()), which send no
signals. The rule under test lives in publication/page_cache.py (shown_on_pages(),
ContentQuerySet).
"""

import ast
import datetime
import io
import json
import re
import tempfile
from html.parser import HTMLParser
from pathlib import Path

from django.conf import settings
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client, SimpleTestCase, override_settings
from django.utils import timezone
from reversion.models import Version
from taggit.models import Tag

from articles.models import Article, Byline, Correction, Kind
from newsletter.models import Roundup, RoundupItem
from newsletter.tasks import roundup_batch_send
from publication.models import Author, Redirect, Section, SiteSettings, SocialLink
from publication.page_cache import VERSION_KEY, ContentQuerySet, models_shown_on_pages
from tests.factories import (
    AdminTestCase,
    article_change_url,
    article_form_data,
    make_article,
    make_author,
    make_creator,
    make_kind,
    make_photo,
    make_section,
)


class ChangeFormValues(HTMLParser):
    """What a browser posts from an admin change form left as it is (files aside)."""

    def __init__(self):
        super().__init__()
        self.data, self.in_form, self.select, self.textarea = {}, False, None, None

    def add(self, name, value):
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id", "").endswith("_form"):
            self.in_form = True
        if not self.in_form or "__prefix__" in attrs.get("name", ""):
            return
        if tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "text")
            if kind in {"submit", "button", "file", "image", "reset"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self.add(attrs["name"], attrs.get("value", "on" if kind == "checkbox" else ""))
        elif tag == "select":
            self.select = attrs.get("name")
        elif tag == "option" and self.select and "selected" in attrs:
            self.add(self.select, attrs.get("value", ""))
        elif tag == "textarea" and "__prefix__" not in attrs.get("name", ""):
            self.textarea, self.text = attrs.get("name"), []

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea" and self.textarea:
            self.add(self.textarea, "".join(self.text).removeprefix("\n"))
            self.textarea = None
        elif tag == "form":
            self.in_form = False

    def handle_data(self, data):
        if self.textarea:
            self.text.append(data)


@override_settings(PAGE_CACHE_ENABLED=True)
class WritePathTestCase(AdminTestCase):
    """Writes are made as a superuser in the admin; pages are read by an anonymous reader."""

    def setUp(self):
        cache.clear()
        super().setUp()
        self.reader = Client()

    def read(self, url, **headers):
        return self.reader.get(url, headers=headers)

    def cached(self, url):
        self.read(url)
        response = self.read(url)
        self.assertEqual(response["X-Page-Cache"], "hit", url)
        return response

    def assertWriteShows(self, url, write, *, shows=(), hides=(), status=200):
        """url is cached; after write() its next request shows `shows` and not `hides`."""
        before = self.cached(url)
        for text in hides:
            self.assertContains(before, text, msg_prefix="before the write")
        write()
        # What a browser or CDN holding the old copy sends: it must get the new page.
        revalidated = self.read(url, if_none_match=before["ETag"])
        self.assertEqual(revalidated.status_code, status, "If-None-Match")
        if "Last-Modified" in before:
            since = self.read(url, if_modified_since=before["Last-Modified"])
            self.assertEqual(since.status_code, status, "If-Modified-Since")
        after = self.read(url)
        self.assertEqual(after.status_code, status)
        for text in shows:
            self.assertContains(after, text, status_code=status)
        for text in hides:
            self.assertNotContains(after, text, status_code=status)
        if status == 200:
            self.assertNotEqual(after["ETag"], before["ETag"])
        return after

    def change_form(self, url, **changes):
        """POST the admin change form at url as loaded, with changes (None removes a field)."""
        page = self.client.get(url)
        self.assertEqual(page.status_code, 200, url)
        parser = ChangeFormValues()
        parser.feed(page.content.decode())
        data = parser.data
        for name, value in changes.items():
            if value is None:
                data.pop(name, None)
            else:
                data[name] = value if isinstance(value, list) else [value]
        response = self.client.post(url, data)
        errors = response.context and [
            response.context["adminform"].form.errors,
            *(formset.formset.errors for formset in response.context["inline_admin_formsets"]),
        ]
        self.assertEqual(response.status_code, 302, errors or response.content[:500])
        return response

    def admin_change(self, obj, **changes):
        meta = obj._meta
        return self.change_form(
            f"/admin/{meta.app_label}/{meta.model_name}/{obj.pk}/change/", **changes
        )

    def admin_add(self, model, **fields):
        meta = model._meta
        return self.change_form(f"/admin/{meta.app_label}/{meta.model_name}/add/", **fields)

    def admin_delete(self, obj):
        meta = obj._meta
        url = f"/admin/{meta.app_label}/{meta.model_name}/{obj.pk}/delete/"
        response = self.client.post(url, {"post": "yes"})
        self.assertEqual(response.status_code, 302, response.content[:500])

    def admin_action(self, model, action, objs):
        meta = model._meta
        response = self.client.post(
            f"/admin/{meta.app_label}/{meta.model_name}/",
            {"action": action, ACTION_CHECKBOX_NAME: [obj.pk for obj in objs], "post": "yes"},
        )
        self.assertEqual(response.status_code, 302, response.content[:500])


class SiteWideRecordsInTheAdminTests(WritePathTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.author = make_author("Ana Ruiz")
        cls.creator = make_creator("Jane Doe")
        cls.photo = make_photo(creator=cls.creator, alt_text="Tanks at the border")
        cls.section = make_section("Europe")
        cls.kind = make_kind("Analysis")
        cls.article = make_article(
            headline="Ceasefire talks resume",
            authors=[cls.author],
            tags=["Truce"],
            lead_photo=cls.photo,
            section=cls.section,
            kind=cls.kind,
        )
        cls.url = cls.article.get_absolute_url()

    def test_section_renamed(self):
        self.assertWriteShows(
            self.url,
            lambda: self.admin_change(self.section, name="Old Europe"),
            shows=["Old Europe"],
        )

    def test_sections_reordered_in_the_list(self):
        americas = make_section("Americas", order=2)
        self.section.order = 1
        self.section.save()

        def reorder():
            response = self.client.post(
                "/admin/publication/section/",
                {
                    "form-TOTAL_FORMS": 2,
                    "form-INITIAL_FORMS": 2,
                    "form-0-id": americas.pk,
                    "form-0-order": 0,
                    "form-1-id": self.section.pk,
                    "form-1-order": 1,
                    "_save": "Save",
                },
            )
            self.assertEqual(response.status_code, 302)

        page = self.assertWriteShows("/", reorder)
        text = page.content.decode()
        self.assertLess(text.index(">Americas<"), text.index(">Europe<"))

    def test_section_deleted(self):
        empty = make_section("Arctic")
        self.assertWriteShows("/", lambda: self.admin_delete(empty), hides=[">Arctic<"])

    def test_kind_renamed(self):
        self.assertWriteShows(
            self.url, lambda: self.admin_change(self.kind, name="Deep dive"), shows=["Deep dive"]
        )

    def test_kind_deleted(self):
        unused = make_kind("Review")
        self.assertWriteShows(
            unused.get_absolute_url(), lambda: self.admin_delete(unused), status=404
        )

    def test_author_renamed_shows_on_bylines_and_in_search(self):
        self.assertWriteShows(
            self.url,
            lambda: self.admin_change(self.author, name="Ana Ruiz-Moreno"),
            shows=["Ana Ruiz-Moreno"],
        )
        # The stored search vector follows the new name.
        self.assertContains(self.read("/search/?q=Moreno"), "Ceasefire talks resume")

    def test_author_link_added_inline(self):
        self.assertWriteShows(
            self.author.get_absolute_url(),
            lambda: self.admin_change(
                self.author,
                **{
                    "links-TOTAL_FORMS": "1",
                    "links-0-label": "Mastodon",
                    "links-0-url": "https://mastodon.example/@ana",
                    "links-0-order": "0",
                },
            ),
            shows=["https://mastodon.example/@ana"],
        )

    def test_author_deleted(self):
        unused = make_author("Nobody Yet")
        self.assertWriteShows(
            unused.get_absolute_url(), lambda: self.admin_delete(unused), status=404
        )

    def test_creator_renamed_on_credits_and_the_credit_page(self):
        self.assertWriteShows(
            self.url, lambda: self.admin_change(self.creator, name="Janet Doe"), shows=["Janet Doe"]
        )
        self.assertContains(self.read(self.creator.get_absolute_url()), "Janet Doe")

    def test_photo_alt_text_on_cards(self):
        self.assertWriteShows(
            "/",
            lambda: self.admin_change(self.photo, alt_text="Smoke over the port"),
            shows=["Smoke over the port"],
            hides=["Tanks at the border"],
        )

    def test_photo_credit_on_the_article_page(self):
        self.assertWriteShows(
            self.url,
            lambda: self.admin_change(self.photo, creator="", credit_text="Pool photo / Reuters"),
            shows=["Pool photo / Reuters"],
        )

    def test_photo_licence_ended_on_the_credit_page(self):
        yesterday = timezone.localdate() - datetime.timedelta(days=1)
        self.assertWriteShows(
            self.creator.get_absolute_url(),
            lambda: self.admin_change(self.photo, license_expires_on=yesterday.isoformat()),
            hides=["Tanks at the border"],
        )

    def test_site_settings_name(self):
        site = SiteSettings.load()
        self.assertWriteShows(
            "/",
            lambda: self.admin_change(site, name="The Southern Cross"),
            shows=["Southern Cross"],
        )

    def test_navigation_topics(self):
        site = SiteSettings.load()
        truce = Tag.objects.get(name="Truce")
        self.assertWriteShows(
            "/",
            lambda: self.admin_change(site, nav_topics=[str(truce.pk)]),
            shows=['class="site-nav__topic"'],
        )

    def test_social_link_added_and_removed_inline(self):
        site = SiteSettings.load()
        link = site.social_links.get()
        self.assertWriteShows(
            "/",
            lambda: self.admin_change(site, **{"social_links-0-DELETE": "on"}),
            hides=[link.url],
        )

    def test_topic_renamed(self):
        truce = Tag.objects.get(name="Truce")
        self.assertWriteShows(
            self.url, lambda: self.admin_change(truce, name="Armistice"), shows=["Armistice"]
        )

    def test_topics_merged(self):
        truce = Tag.objects.get(name="Truce")

        def merge():
            self.admin_action(Tag, "render_tag_form", [truce])
            response = self.client.post(
                "/admin/taggit/tag/merge-tags/", {"new_tag_name": "Peace process"}
            )
            self.assertEqual(response.status_code, 302)

        self.assertWriteShows(self.url, merge, shows=["Peace process"], hides=[">Truce<"])

    def test_topic_deleted(self):
        truce = Tag.objects.get(name="Truce")
        self.assertWriteShows(self.url, lambda: self.admin_delete(truce), hides=["/topic/truce/"])


class ArticlesInTheAdminTests(WritePathTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.author = make_author("Ana Ruiz")
        cls.photo = make_photo(credit_text="Jane Doe / Agency", alt_text="A bridge")
        cls.article = make_article(
            headline="Ceasefire talks resume",
            authors=[cls.author],
            tags=["Truce"],
            lead_photo=cls.photo,
        )
        cls.url = cls.article.get_absolute_url()

    def post_article(self, data):
        response = self.client.post(article_change_url(self.article), data)
        self.assertEqual(response.status_code, 302, response.content[:800])

    def test_headline_saved_in_the_form(self):
        self.assertWriteShows(
            "/",
            lambda: self.post_article(article_form_data(self.article, headline="Talks collapse")),
            shows=["Talks collapse"],
        )

    def test_topics_typed_in_the_form(self):
        self.assertWriteShows(
            self.url,
            lambda: self.post_article(article_form_data(self.article, tags="Winter war")),
            shows=["Winter war"],
            hides=["/topic/truce/"],
        )

    def test_other_sections_picked_in_the_form(self):
        americas = make_section("Americas")
        self.assertWriteShows(
            americas.get_absolute_url(),
            lambda: self.post_article(
                article_form_data(self.article, other_sections=[str(americas.pk)])
            ),
            shows=["Ceasefire talks resume"],
        )

    def test_byline_added_and_removed_inline(self):
        bo = make_author("Bo Li")
        self.assertWriteShows(
            self.url,
            lambda: self.post_article(article_form_data(self.article, bylines=[(bo, "by")])),
            shows=["Bo Li"],
        )
        self.article.refresh_from_db()
        data = article_form_data(self.article)
        data["bylines-1-DELETE"] = "on"
        self.assertWriteShows(self.url, lambda: self.post_article(data), hides=["Bo Li"])

    def test_correction_added_inline(self):
        data = article_form_data(self.article)
        data.update(
            {
                "corrections-TOTAL_FORMS": 1,
                "corrections-0-kind": Correction.Kind.CORRECTION,
                "corrections-0-text": "An earlier version misnamed the envoy.",
                "corrections-0-date": timezone.localdate().isoformat(),
            }
        )
        self.assertWriteShows(
            self.url, lambda: self.post_article(data), shows=["misnamed the envoy"]
        )

    def test_revision_restored_and_published(self):
        self.post_article(article_form_data(self.article, dek="The first dek."))
        first = Version.objects.get_for_object(self.article).get()
        self.post_article(article_form_data(self.article, dek="The second dek."))
        url = f"/admin/articles/article/{self.article.pk}/history/{first.pk}/"
        self.article.refresh_from_db()
        self.assertWriteShows(
            self.url,
            lambda: self.client.post(url, article_form_data(self.article, dek="The first dek.")),
            shows=["The first dek."],
            hides=["The second dek."],
        )

    def test_deleted_in_the_admin(self):
        self.assertWriteShows(
            "/", lambda: self.admin_delete(self.article), hides=["Ceasefire talks resume"]
        )
        self.assertEqual(self.read(self.url).status_code, 404)

    def test_publish_now_action(self):
        draft = make_article(
            headline="Fresh draft",
            status=Article.Status.DRAFT,
            authors=[self.author],
            lead_photo=self.photo,
        )
        self.assertWriteShows(
            "/", lambda: self.admin_action(Article, "publish_now", [draft]), shows=["Fresh draft"]
        )

    def test_scheduled_article_published_now(self):
        later = make_article(
            headline="Embargoed story",
            authors=[self.author],
            lead_photo=self.photo,
            published_at=timezone.now() + datetime.timedelta(hours=3),
        )
        self.assertWriteShows(
            "/", lambda: self.admin_action(Article, "publish_now", [later]), shows=["Embargoed"]
        )

    def test_unpublish_action(self):
        self.assertWriteShows(
            "/",
            lambda: self.admin_action(Article, "unpublish", [self.article]),
            hides=["Ceasefire talks resume"],
        )

    def test_delete_selected_action(self):
        self.assertWriteShows(
            "/",
            lambda: self.admin_action(Article, "delete_selected", [self.article]),
            hides=["Ceasefire talks resume"],
        )

    def test_slug_changed_leaves_the_cached_old_address_for_a_redirect(self):
        self.cached(self.url)
        self.post_article(article_form_data(self.article, slug="talks-resume"))
        response = self.read(self.url)
        self.assertRedirects(response, "/articles/talks-resume/", status_code=301)


class TopicManagerTests(WritePathTestCase):
    """article.tags add/remove/set/clear: taggit's manager, used by forms and our code."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.article = make_article(headline="Ceasefire talks resume", tags=["Truce"])
        cls.url = cls.article.get_absolute_url()

    def test_add(self):
        self.assertWriteShows(
            self.url, lambda: self.article.tags.add("Winter war"), shows=["Winter war"]
        )

    def test_remove(self):
        self.assertWriteShows(
            self.url, lambda: self.article.tags.remove("Truce"), hides=["/topic/truce/"]
        )

    def test_set(self):
        self.assertWriteShows(
            self.url,
            lambda: self.article.tags.set(["Sanctions"]),
            shows=["Sanctions"],
            hides=["/topic/truce/"],
        )

    def test_clear(self):
        self.assertWriteShows(self.url, self.article.tags.clear, hides=["/topic/truce/"])


class RedirectTests(WritePathTestCase):
    """Redirects answer addresses that show no page: their 404 and 301 are never cached."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.article = make_article(headline="Ceasefire talks resume")
        cls.other = make_article(headline="Talks collapse")

    def test_added_and_changed(self):
        self.assertEqual(self.read("/old/story/").status_code, 404)
        self.admin_add(Redirect, old_path="/old/story/", new_path=self.article.get_absolute_url())
        self.assertRedirects(
            self.read("/old/story/"), self.article.get_absolute_url(), status_code=301
        )
        redirect = Redirect.objects.get(old_path="/old/story/")
        self.admin_change(redirect, new_path=self.other.get_absolute_url())
        self.assertRedirects(
            self.read("/old/story/"), self.other.get_absolute_url(), status_code=301
        )


class RoundupArchiveTests(WritePathTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.article = make_article(headline="First pick")
        cls.roundup = Roundup.objects.create(
            subject="This week: the alliance",
            status=Roundup.Status.SENDING,
            send_started_at=timezone.now(),
        )
        RoundupItem.objects.create(roundup=cls.roundup, article=cls.article)

    def test_a_round_up_marked_sent_by_its_job_appears_in_the_archive(self):
        # Its last batch sent (none here), the job marks the round-up sent with
        # a conditional update(), as it does after the last copy.
        self.assertWriteShows(
            "/newsletter/archive/",
            lambda: roundup_batch_send(roundup_id=self.roundup.pk),
            shows=["This week: the alliance"],
        )
        self.assertContains(self.read(self.roundup.get_absolute_url()), "First pick")


class OutsideTheModelsTests(WritePathTestCase):
    """Writes past our querysets: fixtures, SQL by hand."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.section = make_section("Europe")
        cls.article = make_article(headline="Ceasefire talks resume", section=cls.section)
        cls.url = cls.article.get_absolute_url()

    def test_loaddata(self):
        # Fixtures are saved raw, but post_save is still sent.
        fixture = [
            {
                "model": "publication.section",
                "pk": self.section.pk,
                "fields": {"name": "Old Europe", "slug": "europe", "description": "", "order": 0},
            }
        ]
        with tempfile.NamedTemporaryFile("w", suffix=".json") as file:
            json.dump(fixture, file)
            file.flush()
            self.assertWriteShows(
                self.url,
                lambda: call_command("loaddata", file.name, verbosity=0),
                shows=["Old Europe"],
            )

    def test_sql_by_hand_needs_end_cached_pages(self):
        def write():
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE publication_section SET name = 'Old Europe' WHERE id = %s",
                    [self.section.pk],
                )
            self.assertEqual(self.read(self.url)["X-Page-Cache"], "hit")  # nothing told it
            call_command("end_cached_pages", stdout=io.StringIO())

        self.assertWriteShows(self.url, write, shows=["Old Europe"])


class BulkWritesTests(WritePathTestCase):
    """Querysets send no signals; ContentQuerySet bumps the version for each bulk write."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.author = make_author("Ana Ruiz")
        cls.section = make_section("Europe")
        cls.article = make_article(
            headline="Ceasefire talks resume", authors=[cls.author], section=cls.section
        )
        cls.url = cls.article.get_absolute_url()

    def test_update(self):
        self.assertWriteShows(
            self.url,
            lambda: Section.objects.filter(pk=self.section.pk).update(name="Old Europe"),
            shows=["Old Europe"],
        )

    def test_update_through_a_related_manager(self):
        self.assertWriteShows(
            self.url,
            lambda: self.article.bylines.update(role=Byline.Role.REPORTING),
            shows=["Reporting by"],
        )

    def test_bulk_update(self):
        self.author.name = "Ana Ruiz-Moreno"
        self.assertWriteShows(
            self.url,
            lambda: Author.objects.bulk_update([self.author], ["name"]),
            shows=["Ana Ruiz-Moreno"],
        )
        self.assertContains(self.read("/search/?q=moreno"), "Ceasefire talks resume")

    def test_author_renamed_with_update_is_found_by_the_new_name_only(self):
        self.assertWriteShows(
            "/search/?q=moreno",
            lambda: Author.objects.filter(pk=self.author.pk).update(name="Ana Moreno"),
            shows=["Ceasefire talks resume"],
        )
        self.assertNotContains(self.read("/search/?q=ruiz"), "Ceasefire talks resume")

    def test_article_text_written_with_update_is_searched_as_written(self):
        self.assertWriteShows(
            "/search/?q=armistice",
            lambda: Article.objects.filter(pk=self.article.pk).update(headline="Armistice"),
            shows=["Armistice"],
        )
        self.assertNotContains(self.read("/search/?q=ceasefire"), "Armistice")

    def test_bulk_create(self):
        # As the demo loader writes bylines; author names are searchable.
        bo = make_author("Bo Okafor")
        self.assertWriteShows(
            "/search/?q=okafor",
            lambda: Byline.objects.bulk_create([Byline(article=self.article, author=bo, order=1)]),
            shows=["Ceasefire talks resume"],
        )
        self.assertContains(self.read(self.url), "Bo Okafor")

    def test_through_manager_add(self):
        bo = make_author("Bo Okafor")
        self.assertWriteShows(
            "/search/?q=okafor",
            lambda: self.article.authors.add(bo, through_defaults={"order": 1}),
            shows=["Ceasefire talks resume"],
        )
        self.assertContains(self.read(self.url), "Bo Okafor")

    def test_delete(self):
        self.assertWriteShows(
            "/search/?q=ruiz",
            lambda: Byline.objects.filter(article=self.article).delete(),
            hides=["Ceasefire talks resume"],
        )
        self.assertNotContains(self.read(self.url), "Ana Ruiz")

    def test_update_moving_bylines_reindexes_both_articles(self):
        other = make_article(headline="Talks collapse")
        self.assertWriteShows(
            "/search/?q=ruiz",
            lambda: Byline.objects.filter(article=self.article).update(article=other),
            shows=["Talks collapse"],
            hides=["Ceasefire talks resume"],
        )

    def test_every_bulk_write_of_every_model_pages_show_bumps_the_version(self):
        rows = {
            Section: self.section,
            Kind: self.article.kind,
            Author: self.author,
            Article: self.article,
            Byline: self.article.bylines.get(),
            SiteSettings: SiteSettings.load(),
            SocialLink: SocialLink.objects.first(),
        }
        for model, row in rows.items():
            field = next(
                field
                for field in model._meta.concrete_fields
                if field.editable and not field.primary_key and not field.is_relation
            )
            value = getattr(row, field.attname)
            for write in ("update", "bulk_update"):
                with self.subTest(model=model.__name__, write=write):
                    before = cache.get(VERSION_KEY)
                    if write == "update":
                        model.objects.filter(pk=row.pk).update(**{field.attname: value})
                    else:
                        model.objects.bulk_update([row], [field.name])
                    self.assertNotEqual(cache.get(VERSION_KEY), before)
        before = cache.get(VERSION_KEY)
        self.assertEqual(Section.objects.filter(pk=-1).update(name="x"), 0)
        self.assertEqual(cache.get(VERSION_KEY), before, "nothing written, nothing to end")


class WiringTests(SimpleTestCase):
    def test_every_manager_of_our_models_shown_on_pages_bumps_on_bulk_writes(self):
        ours = [model for model in models_shown_on_pages() if model._meta.app_label != "taggit"]
        self.assertGreaterEqual(
            {model.__name__ for model in ours},
            {
                "Article",
                "Byline",
                "BodyPhoto",
                "Correction",
                "Kind",
                "Section",
                "Author",
                "AuthorLink",
                "Creator",
                "Photo",
                "SiteSettings",
                "SocialLink",
                "Roundup",
                "RoundupItem",
            },
        )
        for model in ours:
            for manager in model._meta.managers:
                with self.subTest(model=model.__name__, manager=manager.name):
                    self.assertTrue(issubclass(manager._queryset_class, ContentQuerySet))

    def test_our_code_writes_taggit_rows_only_through_signals(self):
        """Tag and TaggedItem keep taggit's managers, so no code of ours may write them in
        bulk (update(), bulk_create(), bulk_update(), a queryset's delete()): those would
        leave cached pages showing the old topics."""
        bulk = {"update", "bulk_create", "bulk_update", "delete", "_raw_delete"}
        # The benchmark seeder writes everything in bulk and bumps the version once at the end.
        allowed = {Path("articles/management/commands/seed_benchmark.py")}
        found = []
        base = Path(settings.BASE_DIR)
        for app in ("publication", "articles", "newsletter"):
            for path in sorted((base / app).rglob("*.py")):
                relative = path.relative_to(base)
                if "migrations" in relative.parts or relative in allowed:
                    continue
                for node in ast.walk(ast.parse(path.read_text())):
                    if (
                        isinstance(node, ast.Call)
                        and isinstance(node.func, ast.Attribute)
                        and node.func.attr in bulk
                        and re.search(r"\b(Tag|TaggedItem)\b", ast.unparse(node.func.value))
                    ):
                        found.append(f"{relative}:{node.lineno}: {ast.unparse(node)}")
        self.assertEqual(found, [])
