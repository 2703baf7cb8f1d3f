"""The many-machine parts, run for real: Redis shared by separate processes."""

import json
import shutil
import subprocess
import tempfile
import time

from django.test import SimpleTestCase

from tests.production.helpers import free_port, production_env, run_manage

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
from newsletter.request_checks import rate_limit
waits = [rate_limit("ip", "203.0.113.5", (3, 3600)) for _ in range(3)]
cache.set("shared-page", "rendered by process one", 60)
print(json.dumps({"backend": settings.CACHES["default"]["BACKEND"], "waits": waits}))
"""
SECOND_PROCESS = """
import json
from django.core.cache import cache
from newsletter.request_checks import rate_limit
print(json.dumps({"wait": rate_limit("ip", "203.0.113.5", (3, 3600)),
                  "page": cache.get("shared-page")}))
"""


class RedisCacheTests(SimpleTestCase):
    databases = {"default"}

    def shell(self, code, env):
        result = run_manage("shell", "-c", code, env=env)
        self.assertEqual(result.returncode, 0, result.stderr)
        return json.loads(result.stdout.strip().splitlines()[-1])

    def test_two_processes_share_rate_limits_and_cached_pages_through_redis(self):
        url, _ = start_redis(self)
        env = production_env(REDIS_URL=url)
        first = self.shell(FIRST_PROCESS, env)
        self.assertEqual(first["backend"], "django.core.cache.backends.redis.RedisCache")
        self.assertEqual(first["waits"], [0, 0, 0])
        second = self.shell(SECOND_PROCESS, env)
        self.assertGreater(second["wait"], 0)  # the fourth hit, counted by another process
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
