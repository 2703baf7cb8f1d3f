"""Helpers for tests that start real processes (gunicorn, redis-server, an S3 server)."""

import atexit
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db import connections

MANAGE = str(Path(settings.BASE_DIR) / "manage.py")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(alias="default", *, name=None) -> str:
    """The URL of the (test) database, for a child process; of database name on the same
    server when given (a copy of it, say)."""
    db = connections[alias].settings_dict
    auth = quote(db["USER"]) + (":" + quote(db["PASSWORD"]) if db["PASSWORD"] else "")
    host, port, name = db["HOST"], db["PORT"], quote(name or db["NAME"])
    if host.startswith("/"):  # a Unix socket directory (the embedded server)
        port_query = f"port={port}&" if port else ""
        return f"postgres://{auth}@/{name}?{port_query}host={quote(host)}"
    return f"postgres://{auth}@{host}:{port or 5432}/{name}"


def production_env(**overrides) -> dict:
    """A production environment (DEBUG off) pointed at the test database."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "REDIS_", "AWS_")) and key != "SITE_URL"
    }
    env.update(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="www.magazine.example,127.0.0.1",
        SITE_URL="https://www.magazine.example",
        DATABASE_URL=database_url(),
    )
    env.update(overrides)
    return env


def run_manage(*args, env, timeout=120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, MANAGE, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=settings.BASE_DIR,
    )


def start_manage(*args, env) -> subprocess.Popen:
    """run_manage() without waiting: several at once (simultaneous requests), output piped."""
    return subprocess.Popen(
        [sys.executable, MANAGE, *args],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_http(url: str, *, timeout=60, process=None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{process.args} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"Nothing answered at {url} within {timeout} s")


def read_from_start(file) -> str:
    """All a process wrote so far to file (a temporary file holding its output)."""
    file.seek(0)
    return file.read()


def wait_for_text(file, text, *, process, timeout=60):
    deadline = time.monotonic() + timeout
    while text not in read_from_start(file):
        if process.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"{text!r} never came: {read_from_start(file)[-2000:]}")
        time.sleep(0.2)


def fetch(url: str, headers=None, method="GET"):
    """(status, headers, body) without raising on 4xx/5xx or following redirects."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


# The bucket the S3 tests use, on a moto server of their own.
BUCKET = "meridian-media"


def start_s3_server(test_class) -> str:
    """Start moto's S3 server for a test class (stopped after it); its endpoint URL."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    test_class.addClassCleanup(server.stop)
    return f"http://127.0.0.1:{port}"


def make_bucket(endpoint: str, *, public: list[str]):
    """Create the bucket with a policy letting anyone read the given resources (ARN
    patterns), as docs/deploy.md asks the operator to; a boto3 client for it."""
    import boto3

    s3 = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    s3.create_bucket(Bucket=BUCKET)
    statement = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": public}
    policy = {"Version": "2012-10-17", "Statement": [statement]}
    s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(policy))
    return s3


def bucket_storage_options(endpoint: str, **extra) -> dict:
    """django-storages' S3 options for the bucket, as publication/settings.py sets them."""
    return {
        "bucket_name": BUCKET,
        "endpoint_url": endpoint,
        "region_name": "us-east-1",
        "access_key": "test",
        "secret_key": "test",
        "querystring_auth": False,
        "file_overwrite": False,
        "default_acl": None,
        **extra,
    }


_collected_static = {}


def collected_static() -> str:
    """A STATIC_ROOT with collectstatic's hashed files (production pages link them), made
    once per test process."""
    if "root" not in _collected_static:
        root = tempfile.mkdtemp(prefix="static-")
        atexit.register(shutil.rmtree, root, ignore_errors=True)
        env = production_env(DJANGO_STATIC_ROOT=root)
        result = run_manage("collectstatic", "--noinput", "-v0", env=env)
        assert result.returncode == 0, result.stderr
        _collected_static["root"] = root
    return _collected_static["root"]


def start_gunicorn(test, **env):
    """gunicorn as `make serve` runs it (gunicorn.conf.py, production settings) on the test
    database, with media in a temporary folder, stopped after the test (or the test class,
    when given one): its base URL and its log (a file)."""
    cleanup = test.addClassCleanup if isinstance(test, type) else test.addCleanup
    port = free_port()
    media_root = tempfile.mkdtemp(prefix="media-")
    cleanup(shutil.rmtree, media_root, ignore_errors=True)
    environment = production_env(
        PORT=str(port),
        SITE_URL=f"http://127.0.0.1:{port}",
        DJANGO_MEDIA_ROOT=media_root,
        DJANGO_STATIC_ROOT=collected_static(),
        **{"WEB_CONCURRENCY": "2", **env},
    )
    created = run_manage("createcachetable", env=environment)  # the production cache's table
    assert created.returncode == 0, created.stderr
    output = tempfile.TemporaryFile("w+")  # noqa: SIM115 (the server's log, read by the test)
    cleanup(output.close)
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "publication.wsgi"],
        env=environment,
        stdout=output,
        stderr=output,
        cwd=settings.BASE_DIR,
    )
    cleanup(process.wait, timeout=30)
    cleanup(process.terminate)
    base = f"http://127.0.0.1:{port}"
    wait_for_http(base + "/healthz", process=process)
    return base, output


def production_superuser(username: str, password: str):
    """A superuser a production server can sign in: its password hashed with the production
    hasher (tests hash with MD5, which production does not accept)."""
    from django.contrib.auth.models import User
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher"]):
        return User.objects.create_superuser(username, f"{username}@example.org", password)


class Browser:
    """A signed-in session against a live server, as a browser holds one: cookies kept,
    redirects not followed, and the CSRF token of the last form fetched."""

    def __init__(self, base: str):
        self.base = base
        self.cookies = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.opener = urllib.request.build_opener(
            NoRedirect, urllib.request.HTTPCookieProcessor(self.cookies)
        )
        self.csrf_token = ""

    def request(self, path, data=None, headers=None, method=None):
        """(status, headers, body) without raising on 4xx/5xx."""
        request = urllib.request.Request(
            self.base + path, data=data, headers=headers or {}, method=method
        )
        try:
            with self.opener.open(request, timeout=30) as response:
                status, headers, body = response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            status, headers, body = error.code, error.headers, error.read()
        if token := re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body):
            self.csrf_token = token[1].decode()
        return status, headers, body

    def sign_in(self, username, password):
        self.request("/admin/login/")
        form = {"username": username, "password": password, "csrfmiddlewaretoken": self.csrf_token}
        status, _, _ = self.request("/admin/login/", urlencode(form).encode())
        assert status == 302, f"sign-in answered {status}"

    def cookie_header(self) -> str:
        return "; ".join(f"{cookie.name}={cookie.value}" for cookie in self.cookies)
