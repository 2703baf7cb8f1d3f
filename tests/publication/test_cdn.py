"""The CDN purge hook: a real HTTP server on 127.0.0.1 stands in for the CDN's purge API,
the real job worker sends the purges, against the test database."""

import datetime
import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest import mock
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import SimpleTestCase, override_settings
from django.utils import timezone
from procrastinate.contrib.django import app
from procrastinate.contrib.django.models import ProcrastinateJob

from publication import cdn
from publication.cdn import PURGE_TASK
from publication.models import Photo, Section
from tests.factories import make_user
from tests.production.helpers import production_env, run_manage
from tests.publication.test_licence_files import WithdrawnFilesTestCase
from tests.publication.test_renditions import run_image_jobs


class PurgeAPI:
    """An HTTP server recording every request; it answers with the statuses queued in
    `answers` (then 200), as a CDN's API that is down, then up again."""

    def __init__(self, test):
        self.requests, self.answers = [], []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                api.requests.append({"path": self.path, "headers": self.headers, "body": body})
                status = api.answers.pop(0) if api.answers else 200
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"success": %s}' % (b"true" if status == 200 else b"false"))

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        thread.start()
        test.addCleanup(thread.join, 10)
        test.addCleanup(self.server.server_close)
        test.addCleanup(self.server.shutdown)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def bodies(self):
        return [json.loads(request["body"]) for request in self.requests]


def run_cdn_jobs():
    """Run every due purge job for real, then return."""
    with app.replace_connector(app.connector.get_worker_connector()):
        app.run_worker(
            queues=["cdn"], wait=False, install_signal_handlers=False, listen_notify=False
        )


def time_passes():
    """Every waiting job is due (the coalescing wait, a retry's back-off)."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE procrastinate_jobs SET scheduled_at = now() WHERE status = 'todo'")


class PurgeTestCase(WithdrawnFilesTestCase):
    def setUp(self):
        super().setUp()
        self.api = PurgeAPI(self)
        self.purge_settings(
            CDN_PURGE_URL=f"{self.api.url}/zones/z1/purge_cache",
            CDN_PURGE_HEADER="Authorization: Bearer purge-token",
        )

    def purge_settings(self, **values):
        override = override_settings(**values)
        override.enable()
        self.addCleanup(override.disable)

    def purge_jobs(self):
        return ProcrastinateJob.objects.filter(task_name=PURGE_TASK)

    def withdraw(self, photo):
        """The editor enters a past licence date; the worker takes the files down."""
        photo.license_expires_on = timezone.localdate() - datetime.timedelta(days=1)
        photo.save()
        with self.assertLogs("publication.withdrawals", "WARNING"):
            run_image_jobs()
        photo.refresh_from_db()
        self.assertEqual(photo.renditions_status, Photo.RenditionsStatus.WITHDRAWN)
        [job] = self.purge_jobs().exclude(args={})  # beside "everything", for the save
        return job


class ContentChangeTests(PurgeTestCase):
    def test_a_burst_of_saves_makes_one_purge_of_everything_sent_by_the_worker(self):
        for number in range(5):
            section = Section.objects.create(name=f"Region {number}", slug=f"region-{number}")
        section.description = "Edited"
        section.save()
        section.delete()
        # Queued, not sent: nothing reached the CDN from the saves themselves.
        [job] = self.purge_jobs()
        self.assertEqual((job.status, job.args), ("todo", {}))
        self.assertGreater(job.scheduled_at, timezone.now())  # waits for the rest of the burst
        run_cdn_jobs()
        self.assertEqual(self.api.requests, [])

        time_passes()
        run_cdn_jobs()
        [request] = self.api.requests
        self.assertEqual(request["path"], "/zones/z1/purge_cache")
        self.assertEqual(request["headers"]["Authorization"], "Bearer purge-token")
        self.assertEqual(request["headers"]["Content-Type"], "application/json")
        self.assertEqual(self.api.bodies(), [{"purge_everything": True}])
        self.assertEqual(self.purge_jobs().get().status, "succeeded")

        # The next edit, after that purge began, is purged again.
        Section.objects.create(name="Later", slug="later")
        self.assertEqual(self.purge_jobs().filter(status="todo").count(), 1)

    def test_a_cdn_outage_never_fails_a_save_and_the_purge_is_retried(self):
        self.purge_settings(CDN_PURGE_DELAY_SECONDS=0)
        self.api.answers = [503]
        self.client.force_login(make_user("chief", is_staff=True, is_superuser=True))
        response = self.client.post(
            "/admin/publication/section/add/", {"name": "Africa", "slug": "africa", "order": 0}
        )
        self.assertEqual(response.status_code, 302)
        self.assertTrue(Section.objects.filter(slug="africa").exists())
        self.assertEqual(self.api.requests, [])  # the request did not call the CDN

        run_cdn_jobs()
        self.assertEqual(len(self.api.requests), 1)  # answered 503
        [job] = self.purge_jobs()
        self.assertEqual((job.status, job.attempts), ("todo", 1))  # to be retried, later
        self.assertGreater(job.scheduled_at, timezone.now())
        # Saves during the outage join the purge already waiting.
        Section.objects.create(name="Asia", slug="asia")
        self.assertEqual(self.purge_jobs().count(), 1)

        time_passes()
        run_cdn_jobs()
        self.assertEqual(len(self.api.requests), 2)
        self.assertEqual(self.purge_jobs().get().status, "succeeded")

    def test_everything_has_its_own_address_and_body_when_configured(self):
        # bunny.net's shape: a pull zone's purgeCache, no body, the key in AccessKey.
        self.purge_settings(
            CDN_PURGE_DELAY_SECONDS=0,
            CDN_PURGE_ALL_URL=f"{self.api.url}/pullzone/7/purgeCache",
            CDN_PURGE_ALL_BODY="",
            CDN_PURGE_HEADER="AccessKey: bunny-key",
        )
        Section.objects.create(name="Europe", slug="europe")
        run_cdn_jobs()
        [request] = self.api.requests
        self.assertEqual(request["path"], "/pullzone/7/purgeCache")
        self.assertEqual((request["body"], request["headers"]["AccessKey"]), (b"", "bunny-key"))
        self.assertNotIn("Content-Type", request["headers"])

    def test_ending_cached_pages_by_hand_purges_the_cdn_too(self):
        call_command("end_cached_pages", stdout=io.StringIO())
        self.assertEqual(self.purge_jobs().get().args, {})

    def test_nothing_is_queued_while_no_purge_url_is_set(self):
        self.purge_settings(CDN_PURGE_URL="")
        Section.objects.create(name="Europe", slug="europe")
        photo = self.ready_photo()
        photo.license_expires_on = timezone.localdate() - datetime.timedelta(days=1)
        photo.save()
        with self.assertLogs("publication.withdrawals", "WARNING"):
            run_image_jobs()
        self.assertFalse(self.purge_jobs().exists())
        self.assertEqual(self.api.requests, [])


class WithdrawnPhotoTests(PurgeTestCase):
    def test_a_withdrawn_photos_addresses_are_purged_in_batches(self):
        photo = self.ready_photo()
        names = [photo.image.name, *photo.rendition_files]
        job = self.withdraw(photo)
        # Absolute, as a CDN's API wants them: every file the photo had.
        urls = job.args["urls"]
        expected = [settings.SITE_URL + photo.image.storage.url(name) for name in names]
        self.assertEqual(urls, expected)
        self.assertGreater(len(urls), 2)

        time_passes()
        with mock.patch.object(cdn, "ADDRESSES_PER_REQUEST", 2):
            run_cdn_jobs()
        batches = [body["files"] for body in self.api.bodies() if "files" in body]
        self.assertEqual(sum(batches, []), urls)
        self.assertEqual(len(batches), (len(urls) + 1) // 2)
        self.assertEqual(set(self.purge_jobs().values_list("status", flat=True)), {"succeeded"})

    def test_one_request_per_address_when_the_url_has_a_place_for_it(self):
        # bunny.net's shape: POST /purge?url=<address>.
        self.purge_settings(CDN_PURGE_URL=f"{self.api.url}/purge?url={{url}}")
        job = self.withdraw(self.ready_photo())
        run_cdn_jobs()  # the addresses' job is due at once ("everything" waits)
        sent = [
            parse_qs(urlsplit(request["path"]).query)["url"][0] for request in self.api.requests
        ]
        self.assertEqual(sent, job.args["urls"])
        self.assertTrue(all(request["body"] == b"" for request in self.api.requests))


class PurgeSettingsTests(SimpleTestCase):
    def test_a_malformed_header_or_body_stops_start_up_naming_the_variable(self):
        for name, value, message in [
            ("CDN_PURGE_HEADER", "just-a-token", "CDN_PURGE_HEADER must be 'Name: value'"),
            ("CDN_PURGE_BODY", '{"files": $URLS', "CDN_PURGE_BODY must be JSON"),
        ]:
            with self.subTest(name):
                result = run_manage("check", env=production_env(**{name: value}))
                self.assertNotEqual(result.returncode, 0)
                self.assertIn(message, result.stderr)
