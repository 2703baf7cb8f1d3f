"""Records with unique names (sections, kinds, authors, creators, topics): the admin form
checks the name as it will be stored, and simultaneous saves of one name never answer 500."""

import shutil
import tempfile
import threading
import time

from django.conf import settings
from django.contrib import admin
from django.db import connection, transaction
from django.forms import modelform_factory
from django.test import Client, TransactionTestCase, override_settings
from taggit.models import Tag

from articles.models import Article, Kind
from publication.admin import PhotoForm
from publication.models import Author, Creator, Photo, Section
from tests.factories import (
    AdminTestCase,
    article_form_data,
    image_bytes,
    image_upload,
    make_article,
    make_kind,
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
                    self.assertContains(response, "with this Name already exists")
                    self.assertEqual(model.objects.count(), 1)


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
                responses = []

                def second_post(data=data, model=model, responses=responses):
                    client = Client(raise_request_exception=False)
                    client.force_login(user)
                    responses.append(client.post(add_url(model), data))
                    connection.close()

                with transaction.atomic():
                    form = form_class(data)
                    self.assertTrue(form.is_valid(), form.errors)
                    form.save()
                    thread = threading.Thread(target=second_post)
                    thread.start()
                    self.wait_for_a_blocked_transaction()
                thread.join()
                self.assertEqual(responses[0].status_code, 200)
                self.assertContains(responses[0], "already exists")
                self.assertEqual(model.objects.filter(name=data["name"]).count(), 1)

    @override_settings(MEDIA_ROOT=tempfile.mkdtemp(prefix="test-media-"))
    def test_the_same_image_added_twice_at_once_is_a_form_error(self):
        # 20 identical photo uploads at once: 3 answered 500 (the checksum constraint).
        self.addCleanup(shutil.rmtree, settings.MEDIA_ROOT, ignore_errors=True)
        make_site()
        user = make_user("chief", is_staff=True, is_superuser=True)
        image = image_bytes("PNG", size=(40, 30), color="olive")
        data = {"alt_text": "Harbour", "credit_type": "photo", "focal_x": "0.5", "focal_y": "0.5"}
        responses = []

        def second_post():
            client = Client(raise_request_exception=False)
            client.force_login(user)
            upload = image_upload("same.png", image, "image/png")
            responses.append(client.post(add_url(Photo), {**data, "image": upload}))
            connection.close()

        with transaction.atomic():
            form = PhotoForm(data, {"image": image_upload("same.png", image, "image/png")})
            self.assertTrue(form.is_valid(), form.errors)
            form.save()
            thread = threading.Thread(target=second_post)
            thread.start()
            self.wait_for_a_blocked_transaction()
        thread.join()
        self.assertContains(responses[0], "This image is already in the library")
        self.assertEqual(Photo.objects.count(), 1)

    def wait_for_a_blocked_transaction(self):
        wait_for_blocked_transactions(self)


class SimultaneousArticleTests(TransactionTestCase):
    def test_many_new_articles_with_one_slug_at_once_take_the_next_free_slugs(self):
        """Posts of one slug while a save of it is in progress: each waits, then takes the
        next free slug. Before, they retried against each other's uncommitted rows
        ("-2-2-2-2") and ran out of attempts: 3 of 10 such posts answered 500."""
        make_site()
        user = make_user("chief", is_staff=True, is_superuser=True)
        responses, count = [], 6

        def post(number):
            client = Client(raise_request_exception=False)
            client.force_login(user)
            data = article_form_data(headline=f"Same story {number}", slug="same-story")
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
