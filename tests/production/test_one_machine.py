"""The one-machine production set-up: settings, gunicorn, static and media, health, logs."""

import io
import json
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pgserver
import psutil
from django.conf import settings
from django.core import checks
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection, connections
from django.http import FileResponse, HttpResponse
from django.test import (
    RequestFactory,
    SimpleTestCase,
    TestCase,
    TransactionTestCase,
    override_settings,
)
from django.test.utils import CaptureQueriesContext
from procrastinate.contrib.django.models import ProcrastinateJob

from newsletter.models import Subscriber
from publication.logs import EMAIL, SIGNED_VALUE, JsonFormatter, redact_emails, scrub
from publication.management.commands.serve import MIGRATE_LOCK
from publication.middleware import RequestLogMiddleware
from publication.models import RENDITIONS_TASK
from tests.factories import make_article, make_creator, make_photo, make_site
from tests.newsletter.helpers import signup
from tests.production.helpers import (
    MANAGE,
    fetch,
    free_port,
    production_env,
    read_from_start,
    run_manage,
    start_gunicorn,
    wait_for_http,
    wait_for_text,
)
from tests.publication.test_cdn import PurgeAPI

DB_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "django_cache",
    }
}


class ProductionSettingsTests(SimpleTestCase):
    databases = {"default"}

    def test_check_deploy_is_clean_under_production_settings(self):
        result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("System check identified no issues", result.stdout)

    def test_check_deploy_warns_of_a_cache_each_process_keeps_to_itself(self):
        # The password-reset email limit and the page cache's version live in the cache.
        def cache_warnings():
            errors = checks.run_checks(tags=[checks.Tags.caches], include_deployment_checks=True)
            return [error.id for error in errors]

        for backend in ("locmem.LocMemCache", "dummy.DummyCache"):
            caches = {"default": {"BACKEND": f"django.core.cache.backends.{backend}"}}
            with self.subTest(backend), override_settings(CACHES=caches):
                self.assertIn("publication.W001", cache_warnings())
        with override_settings(CACHES=DB_CACHE):
            self.assertEqual(cache_warnings(), [])

    def test_production_refuses_to_start_and_names_everything_missing(self):
        env = production_env()
        for name in ("DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "SITE_URL"):
            del env[name]
        result = run_manage("check", env=env)
        self.assertNotEqual(result.returncode, 0)
        for name in ("DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "SITE_URL"):
            self.assertIn(name, result.stderr)
        # One line an operator reads, not a traceback through Django's settings loader.
        self.assertNotIn("Traceback", result.stderr)
        self.assertEqual(len(result.stderr.strip().splitlines()), 1, result.stderr)

    def test_a_placeholder_secret_key_is_refused(self):
        result = run_manage("check", env=production_env(DJANGO_SECRET_KEY="change-me"))
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("DJANGO_SECRET_KEY (a real one", result.stderr)
        self.assertNotIn("SITE_URL", result.stderr)


class CacheTableTests(TestCase):
    @override_settings(CACHES=DB_CACHE, PAGE_CACHE_ENABLED=True)
    def test_migrate_alone_makes_the_cache_table_a_signup_and_cached_pages_need(self):
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS django_cache")
        self.assertNotIn("django_cache", connection.introspection.table_names())
        call_command("migrate", verbosity=0)
        self.assertIn("django_cache", connection.introspection.table_names())
        cache = caches.create_connection("default")
        cache.set("after-migrate", 1)
        self.assertEqual(cache.get("after-migrate"), 1)
        # What the issue asks of a fresh production database: it takes a signup, and the
        # page cache in front of every public page works.
        make_site()
        self.assertEqual(signup(self.client, "first@example.org").status_code, 302)
        self.assertTrue(Subscriber.objects.filter(email="first@example.org").exists())
        for _ in range(2):  # a miss that stores the page, then a hit
            self.assertEqual(self.client.get("/").status_code, 200)


class HealthCheckTests(SimpleTestCase):
    databases = {"default"}

    def test_healthy_answers_200_with_reads_only_and_no_cookie(self):
        with CaptureQueriesContext(connection) as queries:
            # Load balancers probe by address, which is not an allowed host.
            response = self.client.get("/healthz", headers={"host": "10.1.2.3"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, b"ok")
        self.assertEqual(response.cookies, {})
        self.assertIn("no-cache", response["Cache-Control"])
        self.assertTrue(queries.captured_queries)
        for query in queries.captured_queries:
            self.assertTrue(query["sql"].lstrip().upper().startswith("SELECT"), query["sql"])

    def test_a_stopped_database_answers_503(self):
        db = connections["default"]
        db.close()
        saved = dict(db.settings_dict)
        # Nothing listens on this port: the server is down as far as the site can tell.
        db.settings_dict.update(HOST="127.0.0.1", PORT=str(free_port()))
        try:
            with self.assertLogs("django.request", "ERROR"):
                response = self.client.get("/healthz")
        finally:
            db.close()
            db.settings_dict.update(saved)
        self.assertEqual(response.status_code, 503)
        self.assertIn(b"database default", response.content)
        self.assertEqual(self.client.get("/healthz").status_code, 200)

    def test_gunicorn_answers_503_while_postgresql_is_stopped_and_200_once_it_is_back(self):
        # A PostgreSQL of its own, stopped and started for real under a running server
        # whose worker keeps its connection (CONN_MAX_AGE): the probe must neither hang
        # on the dead connection nor keep failing once the database is back.
        data = Path(tempfile.mkdtemp(prefix="stopped-db-"))
        self.addCleanup(shutil.rmtree, data, ignore_errors=True)
        servers = [pgserver.get_server(data, cleanup_mode="stop")]
        self.addCleanup(lambda: servers[-1].cleanup())
        base, _ = start_gunicorn(self, DATABASE_URL=servers[0].get_uri(), WEB_CONCURRENCY="1")
        probe = base + "/healthz"
        self.assertEqual(fetch(probe)[0], 200)
        servers[0].cleanup()  # stops PostgreSQL
        status, _, body = fetch(probe)
        self.assertEqual((status, body), (503, b"unavailable: database default, cache"))
        servers.append(pgserver.get_server(data, cleanup_mode="stop"))
        status, _, body = fetch(probe)
        self.assertEqual((status, body), (200, b"ok"))


class HealthCheckCacheTests(TestCase):
    @override_settings(CACHES=DB_CACHE)
    def test_a_cache_that_does_not_answer_gives_503(self):
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS django_cache")
        with self.assertLogs("django.request", "ERROR") as logs:
            response = self.client.get("/healthz", headers={"x-request-id": "probe-0000001"})
        self.assertIn('"request_id": "probe-0000001"', JsonFormatter().format(logs.records[0]))
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response.content, b"unavailable: cache")


def log_lines(records):
    formatter = JsonFormatter()
    return [json.loads(formatter.format(record)) for record in records]


class RequestLogTests(TestCase):
    def test_one_json_line_per_request_with_id_method_path_status_and_duration(self):
        with self.assertLogs("publication.requests", "INFO") as logs:
            response = self.client.get("/no-such-page/", headers={"x-request-id": "lb-1234abcd"})
        [line] = log_lines(logs.records)
        self.assertEqual(response["X-Request-ID"], "lb-1234abcd")
        self.assertEqual(line["request_id"], "lb-1234abcd")
        self.assertEqual(
            (line["method"], line["path"], line["status"]), ("GET", "/no-such-page/", 404)
        )
        self.assertIsInstance(line["duration_ms"], float)

    def test_a_head_answer_keeps_the_headers_and_sends_no_body(self):
        page = HttpResponse(b"<p>page</p>")
        page["Content-Length"] = "11"
        photo = FileResponse(io.BytesIO(b"jpeg bytes"), content_type="image/jpeg")
        for response in (page, photo):
            request = RequestFactory().head("/")
            answered = RequestLogMiddleware(lambda request, response=response: response)(request)
            self.assertEqual(b"".join(answered), b"")
            self.assertEqual(answered["Content-Length"], "10" if answered.streaming else "11")

    def test_a_request_without_an_id_gets_a_fresh_one(self):
        first = self.client.get("/healthz")["X-Request-ID"]
        second = self.client.get("/healthz", headers={"x-request-id": "bad id\n{}"})["X-Request-ID"]
        self.assertRegex(first, r"^[0-9a-f]{32}$")
        self.assertRegex(second, r"^[0-9a-f]{32}$")
        self.assertNotEqual(first, second)

    def test_tokens_in_links_are_not_logged(self):
        # A link missing its slash (a 301) or with something stuck on its end (a 404)
        # matches no route: its token was logged whole.
        links = {
            "/newsletter/confirm/secret-token-value/": "/newsletter/confirm/[redacted]/",
            "/newsletter/confirm/secret-token-value": "/newsletter/confirm/[redacted]",
            "/newsletter/unsubscribe/secret-token/x/": "/newsletter/unsubscribe/[redacted]/x/",
            "/share/secret-token-value": "/share/[redacted]",
            "/articles/a-story/": "/articles/a-story/",
        }
        with self.assertLogs("publication.requests", "INFO") as logs:
            for link in links:
                self.client.get(link)
        self.assertEqual([line["path"] for line in log_lines(logs.records)], list(links.values()))

    @override_settings(AXES_FAILURE_LIMIT=3)
    def test_failed_sign_ins_log_one_line_each_without_name_password_or_address(self):
        with self.assertLogs("axes", "INFO") as logs:
            statuses = [
                self.client.post(
                    "/admin/login/",
                    {"username": "boss@example.org", "password": "S3cretHunter2!"},
                    REMOTE_ADDR="198.51.100.23",
                ).status_code
                for _ in range(5)
            ]
        self.assertEqual(statuses, [200, 200, 429, 429, 429])
        # axes logged "Locking out …" besides the failure on every attempt from the third.
        lines = log_lines([record for record in logs.records if record.levelno >= logging.WARNING])
        self.assertEqual(len(lines), 5)
        for secret in ("boss", "example.org", "S3cret", "198.51.100"):
            self.assertNotIn(secret, json.dumps(lines))

    def test_the_job_worker_logs_retries_and_its_start_and_stop_not_every_job(self):
        [console] = [h for h in logging.getLogger().handlers if h.get_name() == "console"]
        self.assertTrue(logging.getLogger("procrastinate.worker.w1").isEnabledFor(logging.INFO))

        def shown(action, level=logging.INFO, name="procrastinate.worker.w1"):
            record = logging.LogRecord(name, level, __file__, 1, "Job …", (), None)
            record.action = action
            return bool(console.filter(record))

        # A mail server outage showed nowhere until the last retry failed, a day later.
        self.assertTrue(shown("job_error_retry"))
        self.assertTrue(shown("stop_worker"))
        self.assertTrue(shown("job_error", logging.ERROR))
        self.assertFalse(shown("job_success"))
        self.assertFalse(shown("start_job"))
        self.assertTrue(shown(None, name="publication.requests"))

    def test_a_refused_request_is_logged_without_djangos_traceback(self):
        with self.assertLogs("django.security", "WARNING") as logs:
            response = self.client.get("/", headers={"host": "attacker.example"})
        self.assertEqual(response.status_code, 400)
        [line] = log_lines(logs.records)
        self.assertIn("attacker.example", line["msg"])
        self.assertNotIn("exc", line)

    def test_tokens_in_addresses_no_route_matched_are_not_logged(self):
        """A link pasted from a mail with a trailing ">" or line break, or without its final
        slash, matches no route, so the route's own redaction never ran."""
        signed = Subscriber(pk=7).unsubscribe_token
        reset = "cjtx9z-" + "0123456789abcdef" * 2
        paths = {
            f"/newsletter/unsubscribe/{signed}": "/newsletter/unsubscribe/[redacted]",
            f"/share/{signed}/%3E/": "/share/[redacted]/>/",
            f"/newsletter/confirm/{signed}/%0A": "/newsletter/confirm/[redacted]/\n",
            f"/admin/reset/Nw/{reset}": "/admin/reset/Nw/[redacted]",
        }
        for path, logged in paths.items():
            with self.subTest(path=path), self.assertLogs("publication.requests") as logs:
                self.client.get(path)
            [line] = log_lines(logs.records)
            self.assertEqual(line["path"], logged)

    def test_long_paths_are_scrubbed_as_short_ones(self):
        """The signed-value pattern starts only where a run of its characters does: tried
        from every character, a 4,000-character path with a ":" took ~260 ms to log."""
        signed = Subscriber(pk=7).unsubscribe_token
        filler = "a-" * 2000
        self.assertEqual(scrub(f"/x:{filler}"), f"/x:{filler}")
        self.assertEqual(scrub(f"/{filler}/{signed}/{filler}"), f"/{filler}/[redacted]/{filler}")
        self.assertEqual(scrub(f"/{filler}:{signed}"), "/[redacted]")
        self.assertEqual(scrub(f"/{filler}@example.org/"), "/[email]/")

    def test_long_paths_with_an_at_or_chained_parts_are_scrubbed_as_short_ones(self):
        """An address's pattern and a chain of ":"-joined parts were still tried from every
        character: a 4,000-character path with an "@" took ~25 ms to log, "/a:a:a:…" ~50 ms."""
        signed = Subscriber(pk=7).unsubscribe_token
        for filler in ("a" * 3900, "a." * 2000, "a:" * 2000, "ab::" * 1000):
            with self.subTest(filler=filler[:4]):
                self.assertEqual(scrub(f"/{filler}@"), f"/{filler}@")
                self.assertEqual(
                    redact_emails(f"/x@{filler}"), EMAIL.sub("[email]", f"/x@{filler}")
                )
                self.assertEqual(scrub(f"/{filler}/r@example.org"), f"/{filler}/[email]")
                self.assertEqual(scrub(f"/{filler}/{signed}/"), f"/{filler}/[redacted]/")

    def test_addresses_and_signed_values_are_those_the_plain_patterns_find(self):
        """Starting only where a run (or the previous match) ends changes no match: the
        patterns tried from every character, as re.sub does, find the same ones."""
        plain_signed = re.compile(
            r"[A-Za-z0-9_-]*(?::[A-Za-z0-9_-]+)*:[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])"
        )
        sig, other = "s" * 43, "t" * 42
        cases = [
            # Touching addresses: the second starts inside the first's run of characters.
            "a@b.c+x@y.z",
            "a@b.c..d@e.f",
            "a@b.c%d@e.f.g/h@i.j",
            "x@y@b.c",
            "a@b.",
            "@a.b",
            f"/{'a' * 50}@b",
            "é@ü.de",
            "a.b-c@d-e.f-g.h.",
            # Signed values: chains with empty parts, a signature too short or too long.
            f"a:{sig}",
            f"::{sig}",
            f"a::{sig}",
            f"a::b:{sig}",
            f"a:b::{sig}:{sig}",
            f"a:{sig}s",
            f":{other}:{sig}/x",
            f"{sig}:{sig}:{other}",
            f"a:{sig}:",
            f"/:a:{sig}::b:{sig}-",
        ]
        for text in cases:
            with self.subTest(text=text):
                self.assertEqual(redact_emails(text), EMAIL.sub("[email]", text))
                self.assertEqual(SIGNED_VALUE.sub("[r]", text), plain_signed.sub("[r]", text))

    def test_a_lone_surrogate_leaves_the_line_whole_and_valid_json(self):
        """A stream writing UTF-8 refused the line ("surrogates not allowed"): it was lost and
        a traceback went to stderr instead."""
        record = logging.LogRecord("x", logging.WARNING, __file__, 1, "bad \ud800 text", (), None)
        line = JsonFormatter().format(record)
        line.encode("utf-8")
        self.assertEqual(json.loads(line)["msg"], "bad \ud800 text")

    def test_email_addresses_are_scrubbed(self):
        record = logging.LogRecord(
            "x", logging.WARNING, __file__, 1, "Sending to %s failed", ("reader@example.org",), None
        )
        self.assertEqual(log_lines([record])[0]["msg"], "Sending to [email] failed")

    @override_settings(ROOT_URLCONF="tests.publication.error_urls")
    def test_unhandled_errors_are_logged_with_traceback_path_and_request_id(self):
        self.client.raise_request_exception = False
        with self.assertLogs("django.request", "ERROR") as logs:
            response = self.client.get("/broken/", headers={"x-request-id": "req-00000042"})
        self.assertEqual(response.status_code, 500)
        [line] = log_lines(logs.records)
        self.assertEqual(line["path"], "/broken/")
        self.assertIn("RuntimeError: Something broke while rendering.", line["exc"])
        self.assertIn("Traceback", line["exc"])


class MediaTests(TestCase):
    def setUp(self):
        self.media_root = Path(tempfile.mkdtemp(prefix="media-test-"))
        self.addCleanup(shutil.rmtree, self.media_root, ignore_errors=True)
        override = override_settings(MEDIA_ROOT=self.media_root)
        override.enable()
        self.addCleanup(override.disable)
        (self.media_root / "photos").mkdir()

    def test_uploaded_images_are_served_with_their_type_nosniff_and_a_long_cache(self):
        (self.media_root / "photos" / "0123456789abcdef0123.png").write_bytes(b"\x89PNG fake")
        response = self.client.get("/media/photos/0123456789abcdef0123.png")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "image/png")
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertEqual(response["Cache-Control"], "public, max-age=31536000, immutable")
        self.assertIn("sandbox", response["Content-Security-Policy"])

    def test_renditions_in_a_content_hash_folder_get_a_long_cache(self):
        folder = self.media_root / "renditions" / "6f90d3d509e649b1"
        folder.mkdir(parents=True)
        (folder / "card-320.avif").write_bytes(b"avif")
        response = self.client.get("/media/renditions/6f90d3d509e649b1/card-320.avif")
        self.assertEqual(response["Content-Type"], "image/avif")
        self.assertEqual(response["Cache-Control"], "public, max-age=31536000, immutable")

    def test_a_name_that_may_change_gets_a_short_cache(self):
        (self.media_root / "photos" / "logo.jpg").write_bytes(b"jpeg")
        response = self.client.get("/media/photos/logo.jpg")
        self.assertEqual(response["Cache-Control"], "public, max-age=3600")

    def test_html_is_never_served_whatever_the_name_or_bytes(self):
        (self.media_root / "photos" / "evil.html").write_text("<script>alert(1)</script>")
        (self.media_root / "photos" / "evil.svg").write_text("<svg onload=alert(1)/>")
        (self.media_root / "photos" / "evil.jpg").write_text("<html><script>alert(1)</script>")
        self.assertEqual(self.client.get("/media/photos/evil.html").status_code, 404)
        self.assertEqual(self.client.get("/media/photos/evil.svg").status_code, 404)
        response = self.client.get("/media/photos/evil.jpg")
        self.assertEqual(response["Content-Type"], "image/jpeg")
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")

    def test_paths_outside_media_root_are_not_served(self):
        with self.assertLogs("django.security", "ERROR"):
            response = self.client.get("/media/%2e%2e/manage.jpg")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self.client.get("/media/../settings.py").status_code, 404)


class RequestSizeTests(TestCase):
    @override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
    def test_an_oversized_form_post_gets_413_before_it_is_read(self):
        response = self.client.post(
            "/newsletter/", "email=" + "a" * 2000, content_type="application/x-www-form-urlencoded"
        )
        self.assertEqual(response.status_code, 413)

    @override_settings(REQUEST_MAX_BODY_BYTES=5000)
    def test_an_oversized_upload_gets_413(self):
        response = self.client.post("/editor/images/", {"upload": ("x" * 6000)})
        self.assertEqual(response.status_code, 413)

    def test_a_lying_content_length_is_refused_too(self):
        response = self.client.post(
            "/newsletter/", "email=a", content_type="text/plain", CONTENT_LENGTH="10000000000"
        )
        self.assertEqual(response.status_code, 413)


class JobOrderTests(TestCase):
    def test_mail_a_reader_waits_for_goes_before_waiting_renditions(self):
        from procrastinate.contrib.django import app

        from newsletter.tasks import send_delivery

        for photo_id in (1, 2):
            app.configure_task(RENDITIONS_TASK).defer(photo_id=photo_id)
        send_delivery.defer(delivery_id=1)
        # The worker fetches by priority, then age (procrastinate's procrastinate_fetch_job).
        first = ProcrastinateJob.objects.order_by("-priority", "id").first()
        self.assertEqual(first.task_name, "newsletter.send_delivery")


class ServeTests(TransactionTestCase):
    """`manage.py serve` (what `make serve` runs): gunicorn with production settings.
    A TransactionTestCase: the server reads the article the test commits."""

    def test_gunicorn_and_the_job_worker_serve_pages_hashed_static_files_and_media(self):
        port = free_port()
        cdn_api = PurgeAPI(self)  # the CDN in front, told to drop the old release's pages
        static_root = Path(tempfile.mkdtemp(prefix="static-"))
        media_root = Path(tempfile.mkdtemp(prefix="media-"))
        self.addCleanup(shutil.rmtree, static_root, ignore_errors=True)
        self.addCleanup(shutil.rmtree, media_root, ignore_errors=True)
        (media_root / "a0b1c2d3e4f5a6b7c8d9.jpg").write_bytes(b"jpeg bytes")
        with override_settings(MEDIA_ROOT=str(media_root)):
            make_site()
            photo = make_photo(creator=make_creator("Lena Photographer"))
            make_article(lead_photo=photo, featured=True)
        # No renditions job: its save would queue a CDN purge too, beside the one serve queues.
        ProcrastinateJob.objects.filter(task_name=RENDITIONS_TASK).delete()
        env = production_env(
            PORT=str(port),
            WEB_CONCURRENCY="1",
            SITE_URL=f"http://127.0.0.1:{port}",
            DJANGO_STATIC_ROOT=str(static_root),
            DJANGO_MEDIA_ROOT=str(media_root),
            DJANGO_LOG_LEVEL="INFO",  # the job worker says when it stopped
            CDN_PURGE_URL=cdn_api.url + "/purge_cache",
            CDN_PURGE_DELAY_SECONDS="0",
        )
        stdout = self.enterContext(tempfile.TemporaryFile("w+"))
        stderr = self.enterContext(tempfile.TemporaryFile("w+"))
        # Another app server is migrating: serve waits for it rather than migrate alongside.
        self.migrate_lock("pg_advisory_lock")
        self.addCleanup(self.migrate_lock, "pg_advisory_unlock")
        process = subprocess.Popen(
            [sys.executable, MANAGE, "serve"],
            env=env,
            stdout=stdout,
            stderr=stderr,
            text=True,
            cwd=settings.BASE_DIR,
            start_new_session=True,  # stopped below as a terminal's Ctrl-C would: the group
        )
        base = f"http://127.0.0.1:{port}"
        try:
            self.wait_for_waiting_lock(process)
            self.migrate_lock("pg_advisory_unlock")
            wait_for_http(base + "/healthz", process=process, timeout=120)
            children = [
                " ".join(child.cmdline()) for child in psutil.Process(process.pid).children()
            ]
            self.assertTrue(any("gunicorn" in command for command in children), children)
            self.assertTrue(any("procrastinate worker" in command for command in children))
            status, headers, body = fetch(base + "/")
            self.assertEqual(status, 200)
            css = re.search(rb'href="(/static/css/site\.[0-9a-f]{12}\.css)"', body)
            self.assertIsNotNone(css, body[:2000])
            # The page with its photo (the original: no renditions job).
            image = re.search(rb'<img src="(/media/[^"]+)"', body)
            self.assertIsNotNone(image, body[:4000])
            status, headers, _ = fetch(base + image[1].decode())
            self.assertEqual(status, 200)
            self.assertTrue(headers["Content-Type"].startswith("image/"), headers["Content-Type"])
            status, headers, _ = fetch(base + css[1].decode(), {"Accept-Encoding": "gzip"})
            self.assertEqual(status, 200)
            self.assertEqual(headers["Content-Encoding"], "gzip")
            self.assertIn("max-age=315360000", headers["Cache-Control"])
            self.assertIn("immutable", headers["Cache-Control"])
            status, headers, body = fetch(base + "/media/a0b1c2d3e4f5a6b7c8d9.jpg")
            self.assertEqual((status, body), (200, b"jpeg bytes"))
            self.assertEqual(headers["Content-Type"], "image/jpeg")
            self.assertEqual(headers["X-Content-Type-Options"], "nosniff")
            # Load balancers probe with HEAD: the same headers, no body, no warning logged.
            for path in ("/healthz", "/media/a0b1c2d3e4f5a6b7c8d9.jpg", "/"):
                status, headers, body = fetch(base + path, method="HEAD")
                self.assertEqual((status, body), (200, b""), path)
            # Stopped once the job worker is ready (its signal handlers are in place).
            wait_for_text(stdout, "Starting worker", process=process)
            # The new release's purge of everything, queued by serve, sent by its worker.
            wait_for_text(stdout, "CDN purged everything", process=process)
            self.assertEqual(cdn_api.bodies(), [{"purge_everything": True}])
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=60)
        output, errors = read_from_start(stdout), read_from_start(stderr)
        # serve fails when a child did not stop cleanly: the job worker, signalled twice
        # (by the group's signal and again by serve), was killed mid-way.
        self.assertEqual(process.returncode, 0, errors)
        # Every line gunicorn and Django logged on stdout is one JSON object (the worker's
        # start-up banner goes to stderr).
        bad = [line for line in output.splitlines() if line.strip() and not line.startswith("{")]
        self.assertEqual(bad, [])
        lines = [json.loads(line) for line in output.splitlines() if line.strip()]
        requests = [line for line in lines if line.get("logger") == "publication.requests"]
        self.assertTrue(any(line["path"] == "/" and line["status"] == 200 for line in requests))
        self.assertTrue(any(line["msg"].startswith("Stopped worker") for line in lines))
        # No control socket: a second server or a test run on the machine would take it.
        self.assertFalse(any("Control socket" in line["msg"] for line in lines))
        gunicorn_warnings = [
            line
            for line in lines
            if line["logger"].startswith("gunicorn") and line["level"] != "INFO"
        ]
        self.assertEqual(gunicorn_warnings, [])

    def migrate_lock(self, function):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {function}(hashtextextended(%s, 0))", [MIGRATE_LOCK])

    def wait_for_waiting_lock(self, process, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and process.poll() is None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
                if cursor.fetchone():
                    return
            time.sleep(0.2)
        raise AssertionError(f"serve did not wait for the migration lock ({process.poll()})")
