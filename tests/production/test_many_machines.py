"""The many-machine parts, run for real: Redis, a read replica and S3-compatible media."""

import json
import shutil
import subprocess
import tempfile
import time
import urllib.request

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import SimpleTestCase, TestCase, override_settings

from publication.models import Photo
from tests.factories import exif_jpeg_bytes, make_article, make_site
from tests.production.helpers import (
    BUCKET,
    bucket_storage_options,
    database_url,
    free_port,
    make_bucket,
    production_env,
    run_manage,
    start_s3_server,
)

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def start_redis(test):
    """A throwaway redis-server on a free local port, stopped when the test ends."""
    if not shutil.which(REDIS_SERVER):
        raise RuntimeError("These tests need redis-server (apt-get install redis-server).")
    port = free_port()
    workdir = tempfile.mkdtemp(prefix="redis-")
    test.addCleanup(shutil.rmtree, workdir, ignore_errors=True)
    process = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", workdir],
        stdout=subprocess.DEVNULL,
    )
    test.addCleanup(process.wait, 10)
    test.addCleanup(process.terminate)
    import redis

    client = redis.Redis(port=port)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    return f"redis://127.0.0.1:{port}/0", process


# Each snippet runs in its own `manage.py shell` process with REDIS_URL set.
FIRST_PROCESS = """
import json
from django.conf import settings
from django.core.cache import cache
from publication.page_cache import bump_content_version, current_version
bump_content_version()  # an editor saved: every app server's pages are stale
version = current_version()
cache.set("shared-page", "rendered by process one", 60)
cache.add("hits", 0, 60)
counts = [cache.incr("hits") for _ in range(3)]
print(json.dumps({"backend": settings.CACHES["default"]["BACKEND"], "version": version.token,
                  "counts": counts}))
"""
SECOND_PROCESS = """
import json
from django.core.cache import cache
from publication.page_cache import current_version
print(json.dumps({"version": current_version().token, "page": cache.get("shared-page"),
                  "count": cache.incr("hits")}))
"""


class RedisCacheTests(SimpleTestCase):
    databases = {"default"}

    def shell(self, code, env):
        result = run_manage("shell", "-c", code, env=env)
        self.assertEqual(result.returncode, 0, result.stderr)
        return json.loads(result.stdout.strip().splitlines()[-1])

    def test_two_processes_share_counters_page_versions_and_cached_pages_through_redis(self):
        url, _ = start_redis(self)
        env = production_env(REDIS_URL=url)
        first = self.shell(FIRST_PROCESS, env)
        self.assertEqual(first["backend"], "django.core.cache.backends.redis.RedisCache")
        self.assertEqual(first["counts"], [1, 2, 3])
        second = self.shell(SECOND_PROCESS, env)
        self.assertEqual(second["count"], 4)  # counted on from where the other process left
        self.assertEqual(second["version"], first["version"])
        self.assertEqual(second["page"], "rendered by process one")

    def test_health_check_answers_503_when_redis_is_down(self):
        url, process = start_redis(self)
        code = (
            "from django.test import Client; c = Client(); "
            "print(c.get('/healthz', HTTP_HOST='127.0.0.1').status_code)"
        )
        env = production_env(REDIS_URL=url, DJANGO_SSL_REDIRECT="false")
        self.assertEqual(run_manage("shell", "-c", code, env=env).stdout.split()[-1], "200")
        process.terminate()
        process.wait(10)
        self.assertEqual(run_manage("shell", "-c", code, env=env).stdout.split()[-1], "503")


REPLICA_CHECKS = """
import json
import time
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import resolve
from publication.page_cache import VERSION_KEY, ContentVersion, bump_content_version
from publication.routers import ReplicaMiddleware, reads_primary

# The last edit was an hour ago: the replica has long replayed it.
cache.set(VERSION_KEY, ContentVersion("settled", time.time() - 3600, None), None)

MARKERS = ["Replica Gazette", "Primary Herald"]

def marker():
    return Group.objects.get(name__in=MARKERS).name

def read(request):
    return HttpResponse(marker())

def write_then_read(request):
    User.objects.create_user("new-reader")
    return HttpResponse(marker())

requests = RequestFactory()
results = {
    "public page": ReplicaMiddleware(read)(requests.get("/section/europe/")),
    "admin page": ReplicaMiddleware(read)(requests.get("/admin/")),
    "preview": ReplicaMiddleware(read)(requests.get("/preview/1/")),
    "form post": ReplicaMiddleware(read)(requests.post("/newsletter/")),
    "read after write": ReplicaMiddleware(write_then_read)(requests.get("/")),
    "outside a request": HttpResponse(marker()),
    "newsletter link": ReplicaMiddleware(reads_primary(read))(requests.get("/newsletter/")),
}
bump_content_version()  # an editor saved, on another app server
results["public page right after an edit"] = ReplicaMiddleware(read)(
    requests.get("/section/europe/")
)
results = {name: response.content.decode() for name, response in results.items()}
results["written on the replica"] = User.objects.using("replica").filter(
    username="new-reader").exists()
results["written on the primary"] = User.objects.using("default").filter(
    username="new-reader").exists()
results["newsletter links read the primary"] = [
    getattr(resolve(path).func, "reads_primary", False)
    for path in ("/newsletter/confirm/t/", "/newsletter/unsubscribe/t/")
]
print(json.dumps(results))
"""


class ReplicaRouterTests(SimpleTestCase):
    """Two aliases, two databases on the same PostgreSQL, told apart by a marker row."""

    databases = {"default"}

    def test_public_reads_use_the_replica_and_everything_else_the_primary(self):
        primary = copy_database(self, "primary")
        replica = copy_database(self, "replica")
        with maintenance_cursor(replica) as cursor:
            cursor.execute("INSERT INTO auth_group (name) VALUES ('Replica Gazette')")
        with maintenance_cursor(primary) as cursor:
            cursor.execute("INSERT INTO auth_group (name) VALUES ('Primary Herald')")
        env = production_env(
            DATABASE_URL=database_url(name=primary),
            DATABASE_REPLICA_URL=database_url(name=replica),
            DJANGO_PAGE_CACHE="false",
            # The content version lives in the cache; one process here, so memory will do.
            DJANGO_CACHE_BACKEND="django.core.cache.backends.locmem.LocMemCache",
            DJANGO_SSL_REDIRECT="false",
            DJANGO_SECURE_COOKIES="false",
            DJANGO_ALLOWED_HOSTS="127.0.0.1,testserver",
        )
        result = run_manage("shell", "-c", REPLICA_CHECKS, env=env)
        self.assertEqual(result.returncode, 0, result.stderr)
        results = json.loads(result.stdout.strip().splitlines()[-1])
        self.assertEqual(results["public page"], "Replica Gazette")
        for name in (
            "admin page",
            "preview",
            "form post",
            "read after write",
            "outside a request",
            "newsletter link",
            "public page right after an edit",
        ):
            self.assertEqual(results[name], "Primary Herald", name)
        self.assertEqual(results["newsletter links read the primary"], [True, True])
        self.assertTrue(results["written on the primary"])
        self.assertFalse(results["written on the replica"])


SEARCH_SEED = """
from tests.factories import make_article, make_site
make_site(name="The Meridian")
make_article(headline="Harbour talks resume", body="<p>The harbour pilots met at dawn.</p>")
"""
# Every statement a search page sends, by the alias it went to.
SEARCH_CHECKS = """
import json
import time
from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.test import RequestFactory
from django.test.utils import override_settings
from articles.views import search_results
from publication.page_cache import VERSION_KEY, ContentVersion
from publication.routers import ReplicaMiddleware

override_settings(STORAGES={**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}).enable()
# The last edit was an hour ago: the replica has long replayed it.
cache.set(VERSION_KEY, ContentVersion("settled", time.time() - 3600, None), None)
sent = {"default": [], "replica": []}

def recorder(alias):
    def record(execute, sql, params, many, context):
        sent[alias].append(sql)
        return execute(sql, params, many, context)
    return record

for alias in sent:
    connections[alias].execute_wrappers.append(recorder(alias))
response = ReplicaMiddleware(search_results)(RequestFactory().get("/search/", {"q": "harbour"}))
print(json.dumps({"status": response.status_code, "page": response.content.decode(), **sent}))
"""


class ReplicaSearchTests(SimpleTestCase):
    """Search sends SQL of its own (compiled once per process, and the snippets'
    ts_headline): a reader's search reads the replica for all of it."""

    databases = {"default"}

    def test_a_search_page_reads_only_the_replica(self):
        primary = copy_database(self, "search_primary")
        env = production_env(
            DATABASE_URL=database_url(name=primary),
            DJANGO_CACHE_BACKEND="django.core.cache.backends.locmem.LocMemCache",
            DJANGO_PAGE_CACHE="false",
            DJANGO_SSL_REDIRECT="false",
            DJANGO_SECURE_COOKIES="false",
        )
        seeded = run_manage("shell", "-c", SEARCH_SEED, env=env)
        self.assertEqual(seeded.returncode, 0, seeded.stderr)
        replica = copy_database(self, "search_replica", source=primary)
        env["DATABASE_REPLICA_URL"] = database_url(name=replica)
        result = run_manage("shell", "-c", SEARCH_CHECKS, env=env)
        self.assertEqual(result.returncode, 0, result.stderr)
        results = json.loads(result.stdout.strip().splitlines()[-1])
        self.assertEqual(results["status"], 200)
        self.assertIn("Harbour talks resume", results["page"])
        self.assertIn("<mark>harbour</mark> pilots", results["page"])
        self.maxDiff = None
        self.assertEqual(results["default"], [])
        self.assertTrue(any("ts_headline" in sql for sql in results["replica"]), results["replica"])
        self.assertTrue(any("articles_searchhead" in sql for sql in results["replica"]))


# Run with DATABASE_REPLICA_URL pointing at a port nothing listens on.
REPLICA_DOWN_CHECKS = """
import json
import logging
import time
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from publication import routers
from publication.page_cache import VERSION_KEY, ContentVersion
from django.test.utils import override_settings
from tests.factories import make_article, make_site

# Static files are not collected here: their plain names will do.
override_settings(STORAGES={**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}).enable()
make_site(name="Primary Herald")
article = make_article(headline="Harbour talks resume")
# The last edit was an hour ago: public reads may use the replica (no lag window).
cache.set(VERSION_KEY, ContentVersion("settled", time.time() - 3600, None), None)

warnings = []
handler = logging.Handler(logging.WARNING)
handler.emit = lambda record: warnings.append(record.getMessage())
logging.getLogger("publication.routers").addHandler(handler)

client = Client(HTTP_HOST="127.0.0.1")
results = {}
for name, path in [("article", article.get_absolute_url()), ("home", "/"), ("health", "/healthz"),
                   ("health again", "/healthz")]:
    response = client.get(path)
    results[name] = [response.status_code, response.content.decode()]
results["warnings during the back-off"] = list(warnings)
routers._replica_down_until = 0.0  # the back-off is over: the replica is tried again
results["health after the back-off"] = client.get("/healthz").status_code
results["warnings"] = len(warnings)
print(json.dumps(results))
"""


class ReplicaDownTests(SimpleTestCase):
    """A replica nobody answers at: pages and /healthz are served from the primary."""

    databases = {"default"}

    def test_an_unreachable_replica_is_skipped_and_health_says_degraded(self):
        primary = copy_database(self, "down_primary")
        env = production_env(
            DATABASE_URL=database_url(name=primary),
            DATABASE_REPLICA_URL=f"postgres://nobody@127.0.0.1:{free_port()}/replica",
            DJANGO_CACHE_BACKEND="django.core.cache.backends.locmem.LocMemCache",
            DJANGO_SSL_REDIRECT="false",
            DJANGO_SECURE_COOKIES="false",
        )
        result = run_manage("shell", "-c", REPLICA_DOWN_CHECKS, env=env)
        self.assertEqual(result.returncode, 0, result.stderr)
        results = json.loads(result.stdout.strip().splitlines()[-1])
        status, page = results["article"]
        self.assertEqual(status, 200)
        self.assertIn("Harbour talks resume", page)  # read from the primary
        self.assertIn("Primary Herald", page)
        self.assertEqual(results["home"][0], 200)
        for name in ("health", "health again"):
            self.assertEqual(
                results[name],
                [200, "ok\ndegraded: database replica (reading from the primary)"],
                name,
            )
        # One line for the whole back-off, however many requests it covered.
        self.assertEqual(len(results["warnings during the back-off"]), 1)
        self.assertIn("Read replica unreachable", results["warnings during the back-off"][0])
        self.assertEqual(results["health after the back-off"], 200)
        self.assertEqual(results["warnings"], 2)


def copy_database(test, suffix, source=None):
    """A copy of the test database (or of source), dropped when the test ends."""
    from django.db import connection

    source = source or connection.settings_dict["NAME"]
    name = f"{source}_{suffix}"
    connections_close_all()
    # Copying needs the source to have no other sessions: use the maintenance database.
    with maintenance_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
    test.addCleanup(drop_database, name)
    return name


def connections_close_all():
    from django.db import connections

    connections.close_all()


class maintenance_cursor:
    """A psycopg cursor on another database of the test server (autocommit)."""

    def __init__(self, name="postgres"):
        self.name = name

    def __enter__(self):
        import psycopg
        from django.db import connection

        params = connection.get_connection_params()
        params["dbname"] = self.name
        params.pop("cursor_factory", None)
        params.pop("context", None)
        params.pop("prepare_threshold", None)
        self.conn = psycopg.connect(**params, autocommit=True)
        return self.conn.cursor()

    def __exit__(self, *exc):
        self.conn.close()


def drop_database(name):
    with maintenance_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class S3MediaTests(TestCase):
    """Uploads through the admin land in a bucket on a local S3-compatible server (moto)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.endpoint = start_s3_server(cls)

    def setUp(self):
        # What docs/deploy.md tells the operator to set: anyone may read the photos.
        self.s3 = make_bucket(self.endpoint, public=[f"arn:aws:s3:::{BUCKET}/*"])
        options = bucket_storage_options(
            self.endpoint,
            object_parameters={"CacheControl": "public, max-age=31536000, immutable"},
        )
        storages = {**settings.STORAGES}
        storages["default"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}
        override = override_settings(
            STORAGES=storages, MEDIA_URL=f"{self.endpoint}/meridian-media/"
        )
        override.enable()
        self.addCleanup(override.disable)

    def test_an_admin_upload_lands_in_the_bucket_re_encoded_and_the_page_links_to_it(self):
        make_site()
        boss = User.objects.create_superuser("boss", "boss@magazine.example", "pw")
        self.client.force_login(boss)
        upload = exif_jpeg_bytes(camera="SecretCam 3000", size=(64, 48))
        response = self.client.post(
            "/admin/publication/photo/add/",
            {
                "image": SimpleUploadedFile("snap.jpg", upload, "image/jpeg"),
                "alt_text": "Delegates at the summit",
                "credit_type": "photo",
            },
        )
        self.assertEqual(response.status_code, 302)
        photo = Photo.objects.get()
        stored = self.s3.get_object(Bucket="meridian-media", Key=photo.image.name)
        data = stored["Body"].read()
        self.assertNotEqual(data, upload)
        self.assertNotIn(b"SecretCam", data)  # re-encoded: the camera's metadata is gone
        self.assertEqual(stored["CacheControl"], "public, max-age=31536000, immutable")
        url = f"{self.endpoint}/meridian-media/{photo.image.name}"
        self.assertEqual(photo.image.url, url)
        with urllib.request.urlopen(url) as public:  # readers fetch it straight from the bucket
            self.assertEqual(public.read(), data)
        article = make_article(lead_photo=photo)
        self.assertContains(self.client.get(article.get_absolute_url()), url)

    def test_production_settings_switch_to_the_bucket_and_allow_its_images(self):
        code = (
            "from django.conf import settings; import json; print(json.dumps(["
            "settings.STORAGES['default']['BACKEND'], settings.MEDIA_URL,"
            "settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']]))"
        )
        env = production_env(
            AWS_STORAGE_BUCKET_NAME="meridian-media", AWS_S3_CUSTOM_DOMAIN="media.magazine.example"
        )
        result = run_manage("shell", "-c", code, env=env)
        backend, media_url, img_src = json.loads(result.stdout.strip().splitlines()[-1])
        self.assertEqual(backend, "storages.backends.s3.S3Storage")
        self.assertEqual(media_url, "https://media.magazine.example/")
        self.assertIn("https://media.magazine.example", img_src)
