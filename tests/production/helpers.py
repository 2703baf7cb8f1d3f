"""Helpers for tests that start real processes (gunicorn, redis-server, an S3 server)."""

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

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
