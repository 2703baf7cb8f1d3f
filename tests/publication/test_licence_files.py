"""A withdrawn photo's files stop being reachable by any address they had: renditions
deleted, the original moved out of public storage; a reinstated photo gets its files back,
renditions under new names. Run by the real job worker, on disk and on S3 (moto server)."""

import datetime
import shutil
import tempfile
import time
import urllib.error
import urllib.request
from unittest import mock

from django.conf import settings
from django.core.files.storage import default_storage, storages
from django.test import override_settings
from django.utils import timezone
from procrastinate.contrib.django import app

from publication.models import Photo
from publication.tasks import WITHDRAWN_FILES_CRON, sweep_withdrawn_photos
from tests.factories import make_site, make_user
from tests.production.helpers import BUCKET, bucket_storage_options, make_bucket, start_s3_server
from tests.publication.test_renditions import JobsMediaTestCase, halves_jpeg, run_image_jobs


def days(number):
    return datetime.timedelta(days=number)


class WithdrawnFilesTestCase(JobsMediaTestCase):
    def setUp(self):
        super().setUp()
        withdrawn_root = tempfile.mkdtemp(prefix="test-withdrawn-")
        self.addCleanup(shutil.rmtree, withdrawn_root, ignore_errors=True)
        self.override_storages(
            withdrawn={
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": withdrawn_root},
            }
        )

    def override_storages(self, **aliases):
        override = override_settings(STORAGES={**settings.STORAGES, **aliases})
        override.enable()
        self.addCleanup(override.disable)

    def ready_photo(self, **fields):
        # Small and WebP only: one or two sizes of each shape are enough to see them go.
        with override_settings(IMAGE_RENDITION_FORMATS=["webp"]):
            photo = self.make_uploaded_photo(content=halves_jpeg((200, 150)), **fields)
            run_image_jobs()
        photo.refresh_from_db()
        self.assertEqual(photo.renditions_status, Photo.RenditionsStatus.READY)
        return photo

    def assertTakenDown(self, photo, old_files, storage=None):
        storage = storage or default_storage
        photo.refresh_from_db()
        self.assertEqual(photo.renditions_status, Photo.RenditionsStatus.WITHDRAWN)
        self.assertEqual((photo.renditions, photo.rendition_files), ({}, []))
        for name in [photo.image.name, *old_files]:
            self.assertFalse(storage.exists(name), name)
        # Kept for a reinstatement, under a name nobody holding the old address can guess.
        self.assertTrue(storages["withdrawn"].exists(photo.withdrawn_file))
        self.assertNotEqual(photo.withdrawn_file, photo.image.name)
        self.assertEqual(len(photo.withdrawn_file.split("/", 1)[0]), 32)


class WithdrawnFilesTests(WithdrawnFilesTestCase):
    def test_withdrawn_files_stop_being_served_and_come_back_under_new_names(self):
        photo = self.ready_photo()
        old_files = photo.rendition_files
        original_url, card_url = photo.image.url, photo.renditions["card"]["src"]
        original = self.client.get(original_url)
        self.assertEqual(original.status_code, 200)
        original_bytes = b"".join(original.streaming_content)
        self.assertIn("immutable", self.client.get(card_url)["Cache-Control"])
        stale = Photo.objects.get(pk=photo.pk)  # as loaded by an edit before the job ends

        # An editor withdraws it: a licence date in the past, saved in the photo admin.
        make_site()
        self.client.force_login(make_user("chief", is_staff=True, is_superuser=True))
        yesterday = timezone.localdate() - days(1)
        self.save_in_admin(photo, license_expires_on=yesterday)
        self.assertEqual(self.image_jobs().filter(status="todo").count(), 1)
        with self.assertLogs("publication.withdrawals", "WARNING") as logs:
            run_image_jobs()
        # The addresses to purge from a CDN, for the operator.
        self.assertIn(f"{original_url} ", logs.output[0])
        self.assertIn(card_url, logs.output[0])

        self.assertTakenDown(photo, old_files)
        self.assertEqual(self.client.get(original_url).status_code, 404)
        self.assertEqual(self.client.get(card_url).status_code, 404)
        # Editing a withdrawn photo (its original elsewhere) works and queues nothing.
        self.save_in_admin(photo, caption="A new caption", license_expires_on=yesterday)
        self.assertFalse(self.image_jobs().filter(status="todo").exists())

        kept = photo.withdrawn_file
        # A renewed licence brings it back: the original where article bodies point, and
        # renditions under names no cache (browser, CDN) has an old answer for. Saved from
        # an instance loaded before the withdrawal, which must not restore its file list.
        stale.license_expires_on = timezone.localdate() + days(365)
        stale.save()
        self.assertEqual(stale.renditions_status, Photo.RenditionsStatus.PENDING)
        with override_settings(IMAGE_RENDITION_FORMATS=["webp"]):
            run_image_jobs()
        photo.refresh_from_db()
        self.assertEqual(photo.renditions_status, Photo.RenditionsStatus.READY)
        self.assertEqual(photo.withdrawn_file, "")
        self.assertEqual(len(photo.rendition_files), len(old_files))
        self.assertFalse(set(photo.rendition_files) & set(old_files))
        self.assertEqual(b"".join(self.client.get(original_url).streaming_content), original_bytes)
        self.assertEqual(self.client.get(photo.renditions["card"]["src"]).status_code, 200)
        self.assertFalse(storages["withdrawn"].exists(kept))

    def save_in_admin(self, photo, **changes):
        data = {"alt_text": photo.alt_text, "credit_type": photo.credit_type, "focal_x": 0.5}
        data |= {"focal_y": 0.5, **changes}
        response = self.client.post(f"/admin/publication/photo/{photo.pk}/change/", data)
        self.assertEqual(response.status_code, 302)

    def test_a_licence_running_out_is_swept_by_the_periodic_job(self):
        photo = self.ready_photo(license_expires_on=timezone.localdate())  # its last day
        old_files = photo.rendition_files
        periodic = [
            task
            for task in app.periodic_registry.periodic_tasks.values()
            if task.task is sweep_withdrawn_photos
        ]
        self.assertEqual([task.cron for task in periodic], [WITHDRAWN_FILES_CRON])

        sweep_withdrawn_photos.defer(timestamp=int(time.time()))
        run_image_jobs()
        photo.refresh_from_db()
        self.assertEqual(photo.renditions_status, Photo.RenditionsStatus.READY)  # still licensed

        tomorrow = timezone.now() + days(1)
        with mock.patch("django.utils.timezone.now", return_value=tomorrow):
            sweep_withdrawn_photos.defer(timestamp=int(time.time()))
            with self.assertLogs("publication.withdrawals", "WARNING"):
                run_image_jobs()  # the sweep, then the job it queued for the photo
        self.assertTakenDown(photo, old_files)
        self.assertEqual(self.client.get(photo.image.url).status_code, 404)


class WithdrawnFilesOnS3Tests(WithdrawnFilesTestCase):
    """The many-machine layout: media in a bucket readers fetch from directly."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.endpoint = start_s3_server(cls)

    def setUp(self):
        super().setUp()
        # As docs/deploy.md asks: anonymous reads of photos and renditions, nothing else.
        make_bucket(
            self.endpoint,
            public=[f"arn:aws:s3:::{BUCKET}/photos/*", f"arn:aws:s3:::{BUCKET}/renditions/*"],
        )
        # As publication/settings.py configures both storages for a bucket.
        options = bucket_storage_options(self.endpoint)
        self.override_storages(
            default={"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options},
            withdrawn={
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {**options, "location": "withdrawn", "querystring_auth": True},
            },
        )
        override = override_settings(MEDIA_URL=f"{self.endpoint}/meridian-media/")
        override.enable()
        self.addCleanup(override.disable)

    def status(self, url):
        try:
            with urllib.request.urlopen(url) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def test_withdrawn_files_leave_the_public_bucket_and_come_back(self):
        photo = self.ready_photo()
        old_files, original_url = photo.rendition_files, photo.image.url
        card_url = photo.renditions["card"]["src"]
        self.assertEqual((self.status(original_url), self.status(card_url)), (200, 200))

        photo.license_expires_on = timezone.localdate() - days(1)
        photo.save()
        with self.assertLogs("publication.withdrawals", "WARNING"):
            run_image_jobs()

        self.assertTakenDown(photo, old_files, storage=storages["default"])
        self.assertEqual((self.status(original_url), self.status(card_url)), (404, 404))

        photo.license_expires_on = None
        photo.save()
        with override_settings(IMAGE_RENDITION_FORMATS=["webp"]):
            run_image_jobs()
        photo.refresh_from_db()
        self.assertEqual(photo.renditions_status, Photo.RenditionsStatus.READY)
        self.assertEqual(self.status(original_url), 200)
        self.assertEqual(self.status(photo.renditions["card"]["src"]), 200)
        self.assertFalse(set(photo.rendition_files) & set(old_files))
