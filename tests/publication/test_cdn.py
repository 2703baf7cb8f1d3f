"""The CDN purge hook: a real HTTP server on 127.0.0.1 stands in for the CDN's purge API,
the real job worker sends the purges, against the test database."""

import datetime
import io
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest import mock
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import SimpleTestCase, override_settings
from django.utils import timezone
from procrastinate.contrib.django import app
from procrastinate.contrib.django.models import ProcrastinateJob

from publication import cdn
from publication.cdn import PURGE_TASK
from publication.models import Photo, Section
from tests.factories import make_user
from tests.production.helpers import production_env, run_manage, start_s3_server
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
                api.requests.append(
                    {
                        "method": self.command,
                        "path": self.path,
                        "headers": self.headers,
                        "body": body,
                    }
                )
                status = api.answers.pop(0) if api.answers else 200
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"success": %s}' % (b"true" if status == 200 else b"false"))

            do_PURGE = do_POST  # Fastly's and Varnish's purge of one address

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

    def test_fastlys_purge_method_on_each_address_and_its_api_for_everything(self):
        # Fastly: PURGE sent to each address itself (through the CDN, which is at SITE_URL),
        # and purge_all through its API for a content change.
        self.purge_settings(
            SITE_URL=self.api.url,
            CDN_PURGE_URL="{url}",
            CDN_PURGE_METHOD="PURGE",
            CDN_PURGE_ALL_URL=f"{self.api.url}/service/s1/purge_all",
            CDN_PURGE_ALL_BODY="",
            CDN_PURGE_HEADER="Fastly-Key: fastly-token",
        )
        photo = self.ready_photo()
        paths = [
            photo.image.storage.url(name) for name in [photo.image.name, *photo.rendition_files]
        ]
        job = self.withdraw(photo)
        self.assertEqual(job.args["urls"], [self.api.url + path for path in paths])
        run_cdn_jobs()
        self.assertEqual(
            [(request["method"], request["path"]) for request in self.api.requests],
            [("PURGE", path) for path in paths],
        )
        self.assertEqual(
            {request["headers"]["Fastly-Key"] for request in self.api.requests}, {"fastly-token"}
        )

        time_passes()  # the save's "everything"
        run_cdn_jobs()
        last = self.api.requests[-1]
        self.assertEqual((last["method"], last["path"]), ("POST", "/service/s1/purge_all"))


class PurgeNowTests(PurgeTestCase):
    """`manage.py purge_cdn`, for the end of a deploy: sent at once, a failure said."""

    def test_purge_everything_at_once(self):
        output = io.StringIO()
        call_command("purge_cdn", "--all", stdout=output)
        self.assertEqual(self.api.bodies(), [{"purge_everything": True}])
        self.assertEqual(self.api.requests[0]["headers"]["Authorization"], "Bearer purge-token")
        self.assertIn("Purged everything", output.getvalue())
        self.assertFalse(self.purge_jobs().exists())  # sent by the command, not queued

    def test_purge_addresses_given_as_paths_or_absolute(self):
        call_command(
            "purge_cdn", "/articles/a-slug/", "https://cdn.example/x.jpg", stdout=io.StringIO()
        )
        expected = [settings.SITE_URL + "/articles/a-slug/", "https://cdn.example/x.jpg"]
        self.assertEqual(self.api.bodies(), [{"files": expected}])

    def test_a_refusal_fails_the_command_naming_it(self):
        self.api.answers = [403]
        with self.assertRaisesMessage(CommandError, "The CDN purge failed: HTTP Error 403"):
            call_command("purge_cdn", "--all", stdout=io.StringIO())

    def test_nothing_to_purge_or_both_kinds_are_refused(self):
        with self.assertRaisesMessage(CommandError, "Give --all or the addresses"):
            call_command("purge_cdn", stdout=io.StringIO())
        with self.assertRaisesMessage(CommandError, "Give --all or the addresses"):
            call_command("purge_cdn", "--all", "/a/", stdout=io.StringIO())
        self.purge_settings(CDN_PURGE_URL="")
        with self.assertRaisesMessage(CommandError, "No CDN to purge: set CDN_PURGE_URL"):
            call_command("purge_cdn", "--all", stdout=io.StringIO())
        self.assertEqual(self.api.requests, [])


class CloudFrontTests(PurgeTestCase):
    """CloudFront invalidations through boto3, against moto's server on 127.0.0.1."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.endpoint = start_s3_server(cls)  # moto's server answers every AWS API

    def setUp(self):
        super().setUp()
        # The usual AWS variables an operator sets; botocore reads the endpoint's.
        environment = mock.patch.dict(
            os.environ,
            AWS_ENDPOINT_URL_CLOUDFRONT=self.endpoint,
            AWS_ACCESS_KEY_ID="test",
            AWS_SECRET_ACCESS_KEY="test",
        )
        environment.start()
        self.addCleanup(environment.stop)
        import boto3

        self.cloudfront = boto3.client("cloudfront", region_name="us-east-1")
        origin = {
            "Id": "site",
            "DomainName": "origin.magazine.example",
            "CustomOriginConfig": {
                "HTTPPort": 80,
                "HTTPSPort": 443,
                "OriginProtocolPolicy": "https-only",
            },
        }
        distribution = self.cloudfront.create_distribution(
            DistributionConfig={
                "CallerReference": self.id(),
                "Origins": {"Quantity": 1, "Items": [origin]},
                "DefaultCacheBehavior": {
                    "TargetOriginId": "site",
                    "ViewerProtocolPolicy": "redirect-to-https",
                    "MinTTL": 0,
                },
                "Comment": "The Meridian",
                "Enabled": True,
            }
        )
        self.distribution = distribution["Distribution"]["Id"]
        self.purge_settings(CDN_PURGE_URL="", CDN_CLOUDFRONT_DISTRIBUTION_ID=self.distribution)

    def invalidated(self):
        """Each invalidation's paths, oldest first."""
        listing = self.cloudfront.list_invalidations(DistributionId=self.distribution)
        batches = [
            self.cloudfront.get_invalidation(DistributionId=self.distribution, Id=item["Id"])
            for item in listing["InvalidationList"].get("Items", [])
        ]
        batches.sort(key=lambda batch: batch["Invalidation"]["CreateTime"])
        return [batch["Invalidation"]["InvalidationBatch"]["Paths"]["Items"] for batch in batches]

    def test_a_withdrawal_and_a_content_change_are_invalidated(self):
        photo = self.ready_photo()
        paths = [
            photo.image.storage.url(name) for name in [photo.image.name, *photo.rendition_files]
        ]
        self.withdraw(photo)
        run_cdn_jobs()
        self.assertEqual(self.invalidated(), [paths])

        time_passes()  # the save's "everything"
        run_cdn_jobs()
        self.assertEqual(self.invalidated(), [paths, ["/*"]])
        self.assertEqual(set(self.purge_jobs().values_list("status", flat=True)), {"succeeded"})
        self.assertEqual(self.api.requests, [])

        call_command("purge_cdn", "--all", stdout=io.StringIO())
        self.assertEqual(self.invalidated()[-1], ["/*"])

    def test_an_aws_error_fails_the_job_to_be_retried(self):
        self.purge_settings(CDN_CLOUDFRONT_DISTRIBUTION_ID="NO-SUCH-DISTRIBUTION")
        cdn.purge_cdn.defer()
        run_cdn_jobs()
        [job] = self.purge_jobs()
        self.assertEqual((job.status, job.attempts), ("todo", 1))
        with self.assertRaisesMessage(CommandError, "NoSuchDistribution"):
            call_command("purge_cdn", "--all", stdout=io.StringIO())


class PurgeSettingsTests(SimpleTestCase):
    def test_a_malformed_header_or_body_stops_start_up_naming_the_variable(self):
        for name, value, message in [
            ("CDN_PURGE_HEADER", "just-a-token", "CDN_PURGE_HEADER must be 'Name: value'"),
            ("CDN_PURGE_BODY", '{"files": $URLS', "CDN_PURGE_BODY must be JSON"),
            ("CDN_PURGE_METHOD", "GET", "CDN_PURGE_METHOD must be POST or PURGE"),
            ("CDN_PURGE_URL", "https://cdn.example/purge?url={url}", "CDN_PURGE_ALL_URL must be"),
        ]:
            with self.subTest(name):
                result = run_manage("check", env=production_env(**{name: value}))
                self.assertNotEqual(result.returncode, 0)
                self.assertIn(message, result.stderr)
