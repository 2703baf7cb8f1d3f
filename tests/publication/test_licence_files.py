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
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone
from procrastinate.contrib.django import app
from procrastinate.contrib.django.models import ProcrastinateEvent, ProcrastinateJob

from publication.models import LAPSE_TASK, WITHDRAWAL_PRIORITY, Photo
from publication.tasks import (
    WITHDRAWN_FILES_CRON,
    NotYetLapsed,
    sweep_withdrawn_photos,
    withdraw_photo_at_lapse,
)
from publication.views import is_withdrawn_file
from tests.factories import (
    TemporaryMediaTestCase,
    image_upload,
    make_article,
    make_photo,
    make_site,
    make_user,
)
from tests.production.helpers import BUCKET, bucket_storage_options, make_bucket, start_s3_server
from tests.publication.test_renditions import JobsMediaTestCase, halves_jpeg, run_image_jobs


def days(number):
    return datetime.timedelta(days=number)


def local_midnight(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


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

    def test_the_job_planned_for_the_lapse_empties_the_bucket_and_staff_still_see_it(self):
        photo = self.ready_photo(license_expires_on=timezone.localdate())
        original_url, card_url = photo.image.url, photo.renditions["card"]["src"]
        after = local_midnight(timezone.localdate() + days(1)) + datetime.timedelta(seconds=1)
        with mock.patch("django.utils.timezone.now", return_value=after):
            with connection.cursor() as cursor:  # the database's clock reaches the lapse
                cursor.execute("UPDATE procrastinate_jobs SET scheduled_at = now()")
            with self.assertLogs("publication.withdrawals", "WARNING"):
                run_image_jobs()
            self.assertEqual((self.status(original_url), self.status(card_url)), (404, 404))
            make_site()
            self.client.force_login(make_user("chief", is_staff=True, is_superuser=True))
            response = self.client.get(f"/admin/publication/photo/{photo.pk}/withdrawn-original/")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(b"".join(response.streaming_content).startswith(b"\xff\xd8"))  # a JPEG


class LapseMomentTests(WithdrawnFilesTestCase):
    """The files go at the moment the licence lapses, by a job planned for it, not at the
    next sweep; until then the media view already refuses them."""

    def lapse_jobs(self):
        return ProcrastinateJob.objects.filter(task_name=LAPSE_TASK, status="todo")

    def test_a_job_is_planned_for_the_lapse_and_planned_again_when_the_date_changes(self):
        today = timezone.localdate()
        photo = self.make_uploaded_photo(license_expires_on=today)
        self.assertEqual(
            [job.scheduled_at for job in self.lapse_jobs()], [local_midnight(today + days(1))]
        )
        photo.license_expires_on = today + days(3)
        photo.save()
        self.assertEqual(
            [job.scheduled_at for job in self.lapse_jobs()], [local_midnight(today + days(4))]
        )
        photo.caption = "Saved again, same licence"
        photo.save()
        self.assertEqual(self.lapse_jobs().count(), 1)
        photo.license_expires_on = None
        photo.save()
        self.assertFalse(self.lapse_jobs().exists())
        photo.license_expires_on = today - days(1)  # lapsed already: the renditions job takes it
        photo.save()
        self.assertFalse(self.lapse_jobs().exists())

    @override_settings(IMAGE_RENDITION_FORMATS=["webp"])
    def test_dates_written_in_bulk_plan_and_withdraw_as_saved_ones_do(self):
        # An import writes licence dates with update() or bulk_update(), past Photo.save().
        today = timezone.localdate()
        photo = self.ready_photo()
        old_files = photo.rendition_files
        Photo.objects.filter(pk=photo.pk).update(license_expires_on=today + days(2))
        self.assertEqual(
            [job.scheduled_at for job in self.lapse_jobs()], [local_midnight(today + days(3))]
        )
        photo.license_expires_on = today - days(1)
        Photo.objects.bulk_update([photo], ["license_expires_on"])
        self.assertFalse(self.lapse_jobs().exists())
        # Queued by the write itself, first in line, not left to the next sweep.
        queued = self.image_jobs().get(args__photo_id=photo.pk, status="todo")
        self.assertEqual(queued.priority, WITHDRAWAL_PRIORITY)
        with self.assertLogs("publication.withdrawals", "WARNING"):
            run_image_jobs()
        self.assertTakenDown(photo, old_files)
        # Renewed in bulk: the files come back, as after a save.
        Photo.objects.filter(pk=photo.pk).update(license_expires_on=today + days(30))
        run_image_jobs()
        photo.refresh_from_db()
        self.assertEqual(photo.renditions_status, Photo.RenditionsStatus.READY)
        self.assertTrue(default_storage.exists(photo.image.name))

    def test_the_planned_job_takes_the_files_down_at_the_lapse_without_the_sweep(self):
        photo = self.ready_photo(license_expires_on=timezone.localdate())
        old_files, original_url = photo.rendition_files, photo.image.url
        card_url = photo.renditions["card"]["src"]
        self.assertEqual(self.client.get(card_url).status_code, 200)
        lapse = local_midnight(timezone.localdate() + days(1))
        with mock.patch(
            "django.utils.timezone.now", return_value=lapse + datetime.timedelta(seconds=1)
        ):
            # Midnight has passed: readers are refused the files before any job has run.
            self.assertEqual(self.client.get(original_url).status_code, 404)
            self.assertEqual(self.client.get(card_url).status_code, 404)
            self.assertTrue(default_storage.exists(photo.image.name))
            # The database's clock reaches the planned moment.
            with connection.cursor() as cursor:
                cursor.execute("UPDATE procrastinate_jobs SET scheduled_at = now()")
            with self.assertLogs("publication.withdrawals", "WARNING"):
                run_image_jobs()
        self.assertTakenDown(photo, old_files)
        self.assertEqual(ProcrastinateJob.objects.get(task_name=LAPSE_TASK).status, "succeeded")
        # The worker's periodic sweep may have run too (its cron fires every quarter hour):
        # it found the files down already and queued nothing; only the upload's job ran.
        self.assertEqual(self.image_jobs().filter(args__photo_id=photo.pk).count(), 1)

    def test_a_planned_job_started_early_by_our_clock_waits_and_one_renewed_does_nothing(self):
        photo = self.ready_photo(license_expires_on=timezone.localdate())
        early = local_midnight(timezone.localdate() + days(1)) - datetime.timedelta(seconds=5)
        with (
            mock.patch("django.utils.timezone.now", return_value=early),
            self.assertRaises(NotYetLapsed),
        ):
            withdraw_photo_at_lapse(photo_id=photo.pk)
        withdraw_photo_at_lapse(photo_id=photo.pk)  # hours before: renewed since, say
        withdraw_photo_at_lapse(photo_id=photo.pk + 1000)  # deleted since
        photo.refresh_from_db()
        self.assertEqual(photo.renditions_status, Photo.RenditionsStatus.READY)
        self.assertTrue(default_storage.exists(photo.image.name))

    def test_withdrawals_go_before_a_backlog_of_renditions(self):
        licensed = self.ready_photo(license_expires_on=timezone.localdate())
        backlog = [
            self.make_uploaded_photo(content=halves_jpeg((60, 40), left=colour))
            for colour in ("green", "yellow")
        ]
        seen = ProcrastinateEvent.objects.order_by("-id").values_list("id", flat=True).first()
        tomorrow = timezone.now() + days(1)
        with mock.patch("django.utils.timezone.now", return_value=tomorrow):
            sweep_withdrawn_photos.defer(timestamp=int(time.time()))
            with self.assertLogs("publication.withdrawals", "WARNING"):
                run_image_jobs()  # the sweep, then what it queued, then the backlog
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT (job.args->>'photo_id')::int FROM procrastinate_events event "
                "JOIN procrastinate_jobs job ON job.id = event.job_id "
                "WHERE event.id > %s AND event.type = 'started' AND job.task_name = %s "
                "ORDER BY event.id",
                [seen, "publication.photo_renditions"],
            )
            started = [row[0] for row in cursor.fetchall()]
        self.assertEqual(started, [licensed.pk, *(photo.pk for photo in backlog)])


class StoredFilesTestCase(TemporaryMediaTestCase):
    """Jobs' work done in-process (make_renditions, withdraw_files), inside the test's
    transaction: what the files do after, not when."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.withdrawn_root = tempfile.mkdtemp(prefix="test-withdrawn-")
        cls.addClassCleanup(shutil.rmtree, cls.withdrawn_root, ignore_errors=True)
        withdrawn = {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": cls.withdrawn_root},
        }
        cls.enterClassContext(
            override_settings(
                STORAGES={**settings.STORAGES, "withdrawn": withdrawn},
                IMAGE_RENDITION_FORMATS=["webp"],
            )
        )

    def photo_with_renditions(self, left="red"):
        photo = make_photo(image=image_upload("harbour.jpg", halves_jpeg((200, 150), left=left)))
        photo.make_renditions()
        self.assertTrue(photo.rendition_files)
        return photo

    def withdrawn_photo(self):
        photo = self.photo_with_renditions()
        # Its licence ran out since (no save: that would queue the job).
        Photo.objects.filter(pk=photo.pk).update(license_expires_on=timezone.localdate() - days(1))
        with self.assertLogs("publication.withdrawals", "WARNING"):
            self.assertTrue(photo.withdraw_files())
        return photo

    def public_files(self, photo):
        return [photo.image.name, *photo.rendition_files]


class DeletedPhotoFilesTests(StoredFilesTestCase):
    """Deleting a photo (allowed only while unused) deletes its files too, once the
    deletion commits."""

    def setUp(self):
        make_site()
        self.client.force_login(make_user("chief", is_staff=True, is_superuser=True))

    def test_deleting_a_photo_in_the_admin_deletes_its_original_and_renditions(self):
        photo = self.photo_with_renditions()
        names = self.public_files(photo)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                f"/admin/publication/photo/{photo.pk}/delete/", {"post": "yes"}
            )
        self.assertEqual(response.status_code, 302)
        self.assertFalse(Photo.objects.filter(pk=photo.pk).exists())
        self.assertEqual([name for name in names if default_storage.exists(name)], [])

    def test_deleting_withdrawn_photos_in_bulk_deletes_the_kept_originals(self):
        withdrawn, other = self.withdrawn_photo(), self.photo_with_renditions(left="green")
        self.assertTrue(storages["withdrawn"].exists(withdrawn.withdrawn_file))
        names = self.public_files(other)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(
                "/admin/publication/photo/",
                {
                    "action": "delete_selected",
                    "_selected_action": [withdrawn.pk, other.pk],
                    "post": "yes",
                },
            )
        self.assertFalse(Photo.objects.exists())
        self.assertFalse(storages["withdrawn"].exists(withdrawn.withdrawn_file))
        self.assertEqual([name for name in names if default_storage.exists(name)], [])

    def test_a_deletion_rolled_back_keeps_the_files(self):
        photo = self.photo_with_renditions()
        pk = photo.pk
        with self.captureOnCommitCallbacks(execute=True) as callbacks, transaction.atomic():
            photo.delete()
            transaction.set_rollback(True)
        self.assertEqual(callbacks, [])
        photo = Photo.objects.get(pk=pk)
        self.assertTrue(all(default_storage.exists(name) for name in self.public_files(photo)))

    def test_a_photo_in_use_is_not_deleted_and_keeps_its_files(self):
        photo = self.photo_with_renditions()
        make_article(lead_photo=photo)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(f"/admin/publication/photo/{photo.pk}/delete/", {"post": "yes"})
        self.assertTrue(Photo.objects.filter(pk=photo.pk).exists())
        self.assertTrue(all(default_storage.exists(name) for name in self.public_files(photo)))

    def test_renditions_finished_for_a_photo_deleted_meanwhile_are_deleted(self):
        photo = make_photo(image=image_upload("late.jpg", halves_jpeg((120, 90))))
        loaded = Photo.objects.with_credit().get(pk=photo.pk)  # as the job loaded it
        # Deleted as the job reads the original (the deletion's own file clean-up is
        # not run here: its callbacks come before the block below).
        Photo.objects.filter(pk=photo.pk).delete()
        with self.captureOnCommitCallbacks(execute=True):
            self.assertFalse(loaded.make_renditions())
        self.assertEqual([path for path in self.stored_files() if "/late/" in str(path)], [])
        with self.captureOnCommitCallbacks(execute=True):
            self.assertFalse(loaded.withdraw_files())


class WithdrawnPreviewTests(StoredFilesTestCase):
    """Staff see a withdrawn photo on its page, to renew or replace it; readers never."""

    def setUp(self):
        make_site()
        self.photo = self.withdrawn_photo()
        self.original_url = f"/admin/publication/photo/{self.photo.pk}/withdrawn-original/"

    def test_the_change_page_shows_the_withdrawn_image_from_the_staff_only_address(self):
        self.client.force_login(make_user(is_staff=True, perms=["publication.change_photo"]))
        page = self.client.get(f"/admin/publication/photo/{self.photo.pk}/change/")
        self.assertContains(page, f'<img src="{self.original_url}" alt="" class="photo-preview">')
        self.assertContains(page, "shown here to staff only")
        listing = self.client.get("/admin/publication/photo/")
        self.assertContains(listing, f'src="{self.original_url}"')

        response = self.client.get(self.original_url)
        self.assertEqual(response.status_code, 200)
        kept = storages["withdrawn"].open(self.photo.withdrawn_file, "rb").read()
        self.assertEqual(b"".join(response.streaming_content), kept)
        self.assertEqual(response["Content-Type"], "image/jpeg")
        self.assertIn("no-store", response["Cache-Control"])
        self.assertIn("private", response["Cache-Control"])
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")

    def test_readers_and_staff_without_photo_permissions_are_refused(self):
        response = self.client.get(self.original_url)
        self.assertEqual(response.status_code, 302)
        self.assertIn("/admin/login/", response["Location"])
        self.client.force_login(make_user(is_staff=True))
        self.assertEqual(self.client.get(self.original_url).status_code, 403)

    def test_only_withdrawn_photos_and_lapsed_ones_not_yet_moved_are_served(self):
        self.client.force_login(make_user("chief", is_staff=True, is_superuser=True))
        licensed = self.photo_with_renditions(left="green")
        address = f"/admin/publication/photo/{licensed.pk}/withdrawn-original/"
        self.assertEqual(self.client.get(address).status_code, 404)
        self.assertEqual(
            self.client.get("/admin/publication/photo/999999/withdrawn-original/").status_code, 404
        )
        # The licence lapsed, and the job has not moved the original yet.
        Photo.objects.filter(pk=licensed.pk).update(
            license_expires_on=timezone.localdate() - days(1)
        )
        response = self.client.get(address)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.client.get(licensed.image.url).status_code, 404)  # readers: gone
        # Its file gone from both places (a backup restored without it): a plain 404.
        default_storage.delete(licensed.image.name)
        self.assertEqual(self.client.get(address).status_code, 404)


class LapsedFilesRefusedTests(StoredFilesTestCase):
    def test_readers_are_refused_a_lapsed_photos_files_before_the_job_moves_them(self):
        photo, licensed = self.photo_with_renditions(), self.photo_with_renditions(left="green")
        # Midnight passed; the job that takes the files down has not run yet.
        Photo.objects.filter(pk=photo.pk).update(license_expires_on=timezone.localdate() - days(1))
        for name in self.public_files(photo):
            with self.subTest(name):
                self.assertTrue(default_storage.exists(name))
                self.assertEqual(self.client.get(default_storage.url(name)).status_code, 404)
        for name in self.public_files(licensed):
            with self.subTest(name):
                self.assertEqual(self.client.get(default_storage.url(name)).status_code, 200)

    def test_a_media_request_costs_one_query(self):
        photo = self.photo_with_renditions()
        with self.assertNumQueries(1):  # is the file's photo withdrawn?
            self.client.get(photo.renditions["card"]["src"])


class CompiledWithdrawnCheckTests(TemporaryMediaTestCase):
    def test_the_compiled_check_answers_as_the_queryset_for_any_name(self):
        # A stem's "_" and "%" are LIKE wildcards unless escaped as the ORM escapes them:
        # "photos/aXb.jpg" must not pass for a rendition of "photos/a_b".
        lapsed = timezone.localdate() - days(1)
        tricky = "renditions/photos/a_b%/0123456789abcdef/card-320.webp"
        rows = {
            "photos/aXbY.jpg": ([tricky], lapsed),
            "photos/a_b%.jpg": (["renditions/photos/a_b%/0123456789abcdef/full-640.webp"], None),
            "photos/gone.jpg": (["renditions/photos/gone/0123456789abcdef/card-320.webp"], lapsed),
        }
        for image, (files, expires) in rows.items():
            photo = make_photo()
            Photo.objects.filter(pk=photo.pk).update(
                image=image, rendition_files=files, license_expires_on=expires
            )
        names = [
            tricky,
            "photos/a_b%.jpg",
            "renditions/photos/a_b%/0123456789abcdef/full-640.webp",
            "photos/gone.jpg",
            "renditions/photos/gone/0123456789abcdef/card-320.webp",
            "renditions/photos/gone/0123456789abcdef/card-640.webp",
            "photos/none.jpg",
        ]
        answers = [is_withdrawn_file(name) for name in names]
        self.assertEqual(
            answers,
            [Photo.objects.license_expired().showing_file(name).exists() for name in names],
        )
        self.assertEqual(answers, [False, False, False, True, True, False, False])
