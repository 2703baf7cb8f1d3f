"""Records with unique names (sections, kinds, authors, creators, topics): the admin form
checks the name as it will be stored, and simultaneous saves of one name never answer 500."""

import importlib
import json
import shutil
import tempfile
import threading
import time

import reversion
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.db import IntegrityError, connection, transaction
from django.forms import modelform_factory
from django.test import Client, TransactionTestCase, override_settings
from reversion.models import Version
from taggit.models import Tag

from articles.models import Article, ArticleRevision, EditLock, Kind
from publication.admin import PhotoForm, RedirectForm
from publication.models import Author, Creator, Photo, Redirect, Section
from tests.factories import (
    AdminTestCase,
    TemporaryMediaTestCase,
    article_form_data,
    image_bytes,
    image_upload,
    make_article,
    make_creator,
    make_kind,
    make_photo,
    make_section,
    make_site,
    make_user,
)

MANAGEMENT = {"TOTAL_FORMS": "0", "INITIAL_FORMS": "0", "MAX_NUM_FORMS": "1000"}


def add_data(model, name):
    data = {"name": name, "slug": f"slug-{len(name)}-{abs(hash(name)) % 10_000}"}
    inline_prefix = {Author: "links", Tag: "taggit_taggeditem_items"}.get(model)
    if inline_prefix:
        data.update({f"{inline_prefix}-{key}": value for key, value in MANAGEMENT.items()})
    if model is Creator:
        data["kind"] = Creator.Kind.PERSON
    if model in (Section, Kind):
        data["order"] = "0"
    return data


def add_url(model):
    return f"/admin/{model._meta.app_label}/{model._meta.model_name}/add/"


MODELS = [Section, Kind, Author, Creator, Tag]


class LookAlikeNameTests(AdminTestCase):
    def test_a_name_that_differs_only_by_an_invisible_character_already_exists(self):
        # The escape was dropped at save and the insert collided (500); the zero-width
        # space made a second "Europe" no reader could tell from the first.
        for model in [Section, Kind, Creator, Tag]:  # authors may share a name
            model.objects.create(name="Europe", slug="europe")
            for typed in ["Europe\x1b", "Eu\u200brope", "\u202eEurope"]:
                with self.subTest(model=model.__name__, typed=ascii(typed)):
                    response = self.client.post(add_url(model), add_data(model, typed))
                    self.assertContains(response, "named “Europe” already exists")
                    self.assertEqual(model.objects.count(), 1)


class BlankLookingNameTests(AdminTestCase):
    def test_a_name_that_shows_nothing_is_refused_like_a_blank_one(self):
        # Hangul fillers were stored as a name: a blank link in the navigation.
        for model in MODELS:
            for typed in ["\u3164", "\uffa0\u115f\u1160", "\u2800 \u200e"]:
                with self.subTest(model=model.__name__, typed=ascii(typed)):
                    response = self.client.post(add_url(model), add_data(model, typed))
                    self.assertEqual(response.status_code, 200)
                    self.assertContains(response, "errorlist")
                    self.assertEqual(model.objects.count(), 0)


class CaseAndFormTests(AdminTestCase):
    """One "Europe" section, kind, credit and topic, however the name is typed: the form
    names the record that has it, and the database refuses a second one written past it."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        for model in [Section, Kind, Creator, Tag]:
            model.objects.create(name="Europe", slug="europe")
            model.objects.create(name="Café", slug="cafe")

    def test_a_name_in_another_case_or_form_is_refused_naming_the_one_that_exists(self):
        # Each was saved as a second row: two "Europe" links in the navigation.
        what = {Section: "section", Kind: "kind", Creator: "creator", Tag: "topic"}
        for model in [Section, Kind, Creator, Tag]:
            for typed, existing in [
                ("europe", "Europe"),
                (" EUROPE ", "Europe"),
                ("Cafe\u0301", "Café"),  # e and a combining accent
                ("CAFÉ", "Café"),
            ]:
                with self.subTest(model=model.__name__, typed=typed):
                    response = self.client.post(add_url(model), add_data(model, typed))
                    self.assertContains(
                        response, f"A {what[model]} named “{existing}” already exists."
                    )
                    self.assertEqual(model.objects.count(), 2)

    def test_a_record_may_change_the_case_of_its_own_name(self):
        section = Section.objects.get(name="Europe")
        data = {"name": "EUROPE", "slug": "europe", "order": "0", "description": ""}
        response = self.client.post(f"/admin/publication/section/{section.pk}/change/", data)
        self.assertEqual(response.status_code, 302)
        section.refresh_from_db()
        self.assertEqual(section.name, "EUROPE")

    def test_names_are_stored_in_one_form_with_one_space_between_words(self):
        # Written past any form (a script, the shell): the save stores the one form.
        for model in [Section, Kind, Creator, Tag]:
            with self.subTest(model=model.__name__):
                row = model.objects.create(name=" Cafe\u0301  Society\u3164", slug="society")
                self.assertEqual(row.name, "Café Society")

    def test_the_database_refuses_a_name_in_another_case(self):
        for model in [Section, Kind, Creator, Tag]:
            with (
                self.subTest(model=model.__name__),
                self.assertRaises(IntegrityError),
                transaction.atomic(),
            ):
                model.objects.create(name="EUROPE", slug="europe-2")

    def test_find_or_create_by_name_returns_the_row_in_any_case_and_form(self):
        # "Create …" in a credit box, and the topics typed into an article.
        creator = Creator.objects.get(name="Café")
        self.assertEqual(Creator.objects.named("CAFE\u0301"), (creator, False))
        article = make_article(tags=["europe", "EUROPE ", "cafe\u0301"])
        self.assertEqual(sorted(article.tags.values_list("name", flat=True)), ["Café", "Europe"])
        self.assertEqual(Tag.objects.count(), 2)


class MergeMigrationTests(TemporaryMediaTestCase):
    """publication 0014 and articles 0023: rows written before the rule that differ only
    in case or form become the oldest, and whatever pointed at them follows."""

    INDEXES = {
        "section_name_unique_in_any_case": "publication_section",
        "creator_name_unique_in_any_case": "publication_creator",
        "kind_name_unique_in_any_case": "articles_kind",
        "taggit_tag_name_unique_in_any_case": "taggit_tag",
    }

    def without_the_rule(self):
        # As the tables were: the unique indexes go for this test's transaction only.
        with connection.cursor() as cursor:
            for index in self.INDEXES:
                cursor.execute(f"DROP INDEX {index}")

    def test_duplicates_are_merged_into_the_oldest_and_the_rule_can_be_added(self):
        self.without_the_rule()
        europe, other = make_section("Europe"), make_section("other", slug="europe-2")
        decomposed = make_kind("Cafe\u0301 talk", slug="cafe-talk-2")
        Kind.objects.filter(pk=decomposed.pk).update(name="Cafe\u0301 talk")  # as pasted
        make_kind("Café talk", slug="cafe-talk")
        kind_copy = make_kind("CAFÉ TALK", slug="cafe-talk-3")
        Section.objects.filter(pk=other.pk).update(name="EUROPE ")
        agency = make_creator("AFP")
        agency_copy = make_creator("afp", slug="afp-2")
        photo = make_photo(creator=agency_copy, source=agency_copy)
        topic, topic_copy = (Tag.objects.create(name=name) for name in ("Energy", "x"))
        Tag.objects.filter(pk=topic_copy.pk).update(name="ENERGY")
        article = make_article(section=other, kind=kind_copy, tags=[topic, topic_copy])
        article.other_sections.add(europe, other)
        both = make_article(section=europe, kind=decomposed, tags=[topic_copy])
        site = make_site()
        site.nav_topics.add(topic_copy)
        with reversion.create_revision():  # restoring it must not name a merged row
            reversion.add_to_revision(article)

        for app, name in [
            ("publication", "0014_names_unique_in_any_case"),
            ("articles", "0023_kind_names_unique_in_any_case"),
        ]:
            importlib.import_module(f"{app}.migrations.{name}").merge(django_apps, None)

        self.assertEqual(list(Section.objects.values_list("name", flat=True)), ["Europe"])
        self.assertEqual(
            list(Kind.objects.values_list("pk", "name")), [(decomposed.pk, "Café talk")]
        )
        self.assertEqual(list(Creator.objects.all()), [agency])
        self.assertEqual(list(Tag.objects.all()), [topic])
        article.refresh_from_db()
        self.assertEqual((article.section, article.kind), (europe, decomposed))
        self.assertEqual(list(article.other_sections.all()), [europe])
        self.assertEqual(list(article.tags.all()), [topic])  # tagged twice: once now
        self.assertEqual(list(both.tags.all()), [topic])
        self.assertEqual(list(site.nav_topics.all()), [topic])
        photo.refresh_from_db()
        self.assertEqual((photo.creator, photo.source), (agency, agency))
        saved = {
            version.content_type.model: json.loads(version.serialized_data)[0]["fields"]
            for version in Version.objects.all()
        }
        self.assertEqual(saved["article"]["section"], europe.pk)
        self.assertEqual(saved["article"]["kind"], decomposed.pk)
        self.assertEqual(saved["article"]["other_sections"], [europe.pk])
        self.assertEqual(saved["taggeditem"]["tag"], topic.pk)
        # The merged rows' pages send readers on.
        redirects = dict(Redirect.objects.values_list("old_path", "new_path"))
        self.assertEqual(redirects["/section/europe-2/"], "/section/europe/")
        self.assertEqual(redirects["/credits/afp-2/"], "/credits/afp/")
        self.assertEqual(redirects["/kind/cafe-talk/"], "/kind/cafe-talk-2/")
        self.assertEqual(redirects["/topic/x/"], "/topic/energy/")
        with connection.cursor() as cursor:  # the rule holds now
            for index, table in self.INDEXES.items():
                cursor.execute(f"CREATE UNIQUE INDEX {index} ON {table} (upper(name))")


class SimultaneousAddTests(TransactionTestCase):
    def test_a_save_waiting_on_another_of_the_same_name_gets_the_form_error(self):
        """Two "Add" posts of one name: the second checks while the first is saving. Before
        the lock, its check found nothing, its insert waited for the first to commit and
        then failed (3 to 7 of 20 identical posts answered 500 on a running server)."""
        make_site()
        user = make_user("chief", is_staff=True, is_superuser=True)
        for model in MODELS:
            with self.subTest(model=model.__name__):
                data = add_data(model, f"Race {model.__name__}")
                fields = [name for name in data if name in ("name", "slug", "kind", "order")]
                form_class = modelform_factory(
                    model, form=admin.site._registry[model].form, fields=fields
                )
                form = form_class(data)
                response = self.post_while_saving(
                    form, user, add_url(model), lambda data=data: data
                )
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, "already exists")
                self.assertEqual(model.objects.filter(name=data["name"]).count(), 1)

    @override_settings(MEDIA_ROOT=tempfile.mkdtemp(prefix="test-media-"))
    def test_the_same_image_added_twice_at_once_is_a_form_error(self):
        # 20 identical photo uploads at once: 3 answered 500 (the checksum constraint).
        self.addCleanup(shutil.rmtree, settings.MEDIA_ROOT, ignore_errors=True)
        make_site()
        user = make_user("chief", is_staff=True, is_superuser=True)
        image = image_bytes("PNG", size=(40, 30), color="olive")
        data = {"alt_text": "Harbour", "credit_type": "photo", "focal_x": "0.5", "focal_y": "0.5"}
        form = PhotoForm(data, {"image": image_upload("same.png", image, "image/png")})
        response = self.post_while_saving(
            form,
            user,
            add_url(Photo),
            lambda: {**data, "image": image_upload("same.png", image, "image/png")},
        )
        self.assertContains(response, "This image is already in the library")
        self.assertEqual(Photo.objects.count(), 1)

    def test_one_old_address_redirected_twice_at_once_is_a_form_error(self):
        """Two "Add redirect" posts of one old address: 2 of 20 answered 500 (the unique
        index on old_path) on a running server."""
        make_site()
        user = make_user("chief", is_staff=True, is_superuser=True)
        data = {"old_path": "/old-story/", "new_path": "/"}
        form = RedirectForm(data)
        response = self.post_while_saving(form, user, add_url(Redirect), lambda: data)
        self.assertContains(response, "This address already redirects.")
        self.assertEqual(Redirect.objects.count(), 1)

    def test_a_user_or_group_name_added_twice_at_once_is_a_form_error(self):
        """Django's own user and group admins: 3 and 1 of 20 identical "Add" posts
        answered 500 (the unique index on the name)."""
        chief = make_user("chief", is_staff=True, is_superuser=True)
        user_admin = admin.site._registry[User]
        password = "a long enough pass phrase 7"
        data = {"username": "desk", "password1": password, "password2": password}
        data["usable_password"] = "true"
        response = self.post_while_saving(
            user_admin.add_form(data), chief, "/admin/auth/user/add/", lambda: data
        )
        self.assertContains(response, "A user with that username already exists.")
        group_form = modelform_factory(
            Group, form=admin.site._registry[Group].form, fields=["name"]
        )
        group_form = group_form({"name": "Night desk"})
        response = self.post_while_saving(
            group_form, chief, "/admin/auth/group/add/", lambda: {"name": "Night desk"}
        )
        self.assertContains(response, "Group with this Name already exists.")
        self.assertEqual(Group.objects.filter(name="Night desk").count(), 1)

    def test_changes_kept_twice_at_once_are_kept_once(self):
        """After a take-over, two "keep my changes" posts at once (a retry, a second tab)
        both found the lock and kept the changes: 5 of 10 wrote a revision."""
        make_site()
        editor = make_user("chief", is_staff=True, is_superuser=True)
        article = make_article(headline="Original", status=Article.Status.DRAFT)
        lock = EditLock.objects.create(article=article, user=editor)
        lock.taken_from = editor
        lock.save()
        data = article_form_data(article, headline="Typed before the take-over")

        def keep_first():  # holds the lock row, as a first "keep" does until it commits
            EditLock.objects.select_for_update().get(pk=lock.pk)
            EditLock.objects.filter(pk=lock.pk).update(taken_from=None)

        url = f"/admin/articles/article/{article.pk}/lock/keep/"
        response = self.post_while(keep_first, editor, url, lambda: data)
        self.assertEqual(response.status_code, 409)
        self.assertFalse(ArticleRevision.objects.filter(applied=False).exists())

    def post_while_saving(self, form, user, url, data):
        """Validate and save the form in a transaction (its checks take the name's lock)
        and, before it commits, POST data() as the user from another connection; the
        POST's response, once both are done."""

        def save():
            self.assertTrue(form.is_valid(), form.errors)
            form.save()

        return self.post_while(save, user, url, data)

    def post_while(self, work, user, url, data):
        """Do work() in a transaction and, before it commits, POST data() as the user from
        another connection, which must wait for it; the POST's response, once both are done."""
        responses = []

        def second_post():
            client = Client(raise_request_exception=False)
            client.force_login(user)
            responses.append(client.post(url, data()))
            connection.close()

        with transaction.atomic():
            work()
            thread = threading.Thread(target=second_post)
            thread.start()
            wait_for_blocked_transactions(self)
        thread.join()
        return responses[0]


class SimultaneousArticleTests(TransactionTestCase):
    def test_many_new_articles_with_one_headline_at_once_take_the_next_free_slugs(self):
        """Posts of one headline, the address left empty, while a save of its slug is in
        progress: each waits, then takes the next free slug. Before, they retried against
        each other's uncommitted rows ("-2-2-2-2") and ran out of attempts: 3 of 10 such
        posts answered 500. (A typed address that is taken is a form error:
        tests.articles.test_admin_hostile.SimultaneousNewArticleSlugTests.)"""
        make_site()
        user = make_user("chief", is_staff=True, is_superuser=True)
        responses, count = [], 6

        def post(number):
            client = Client(raise_request_exception=False)
            client.force_login(user)
            data = article_form_data(headline="Same story", slug="", teaser=f"Copy {number}")
            responses.append(client.post("/admin/articles/article/add/", data))
            connection.close()

        make_kind(), make_section()  # the form data's kind and section, made once
        with transaction.atomic():
            make_article(headline="Same story", slug="same-story")
            threads = [threading.Thread(target=post, args=(n,)) for n in range(count)]
            for thread in threads:
                thread.start()
            wait_for_blocked_transactions(self, count)
        for thread in threads:
            thread.join()
        self.assertEqual([response.status_code for response in responses], [302] * count)
        self.assertCountEqual(
            Article.objects.values_list("slug", flat=True),
            ["same-story", *(f"same-story-{n}" for n in range(2, count + 2))],
        )


def wait_for_blocked_transactions(test, count=1):
    with connection.cursor() as cursor:
        for _ in range(1000):
            cursor.execute("SELECT count(DISTINCT pid) FROM pg_locks WHERE NOT granted")
            if cursor.fetchone()[0] >= count:
                return
            time.sleep(0.01)
    test.fail("The other saves never waited for the first.")
