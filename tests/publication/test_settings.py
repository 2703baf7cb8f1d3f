import os
import runpy
import subprocess
import sys
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import SimpleTestCase, TestCase

from publication.settings import env_bool, env_int
from tests.production.helpers import database_url


class EnvIntTests(SimpleTestCase):
    def test_unset_or_empty_gives_the_default(self):
        with mock.patch.dict("os.environ", {"NUMBER": ""}):
            self.assertEqual(env_int("NUMBER", default=7), 7)
            self.assertEqual(env_int("UNSET_NUMBER", default=7), 7)

    def test_a_whole_number_is_read(self):
        with mock.patch.dict("os.environ", {"NUMBER": " 250 "}):
            self.assertEqual(env_int("NUMBER", default=7), 250)

    def test_a_bad_number_names_the_variable(self):
        for value in ["twenty", "2.5", "1e3", "20 MB"]:
            with (
                self.subTest(value=value),
                mock.patch.dict("os.environ", {"NEWSLETTER_BATCH_SIZE": value}),
                self.assertRaisesMessage(ImproperlyConfigured, "NEWSLETTER_BATCH_SIZE"),
            ):
                env_int("NEWSLETTER_BATCH_SIZE", default=200)

    def test_a_number_below_the_minimum_is_refused(self):
        with (
            mock.patch.dict("os.environ", {"EMAIL_PORT": "0"}),
            self.assertRaisesMessage(ImproperlyConfigured, "EMAIL_PORT must be at least 1"),
        ):
            env_int("EMAIL_PORT", default=25, minimum=1)


class EveryNumberIsReadWithEnvIntTests(SimpleTestCase):
    """Each number the settings and gunicorn.conf.py read: a typo names the variable."""

    def load(self, path, **environ):
        environ = {"DJANGO_DEBUG": "true", "DATABASE_URL": "postgres://u@db/x", **environ}
        with mock.patch.dict("os.environ", environ):
            return runpy.run_path(str(Path(settings.BASE_DIR) / path))

    def test_a_bad_number_names_the_variable_in_settings_and_gunicorn_conf(self):
        cases = [
            ("publication/settings.py", name)
            for name in ("AXES_FAILURE_LIMIT", "AXES_COOLOFF_MINUTES", "REQUEST_MAX_BODY_BYTES")
        ] + [
            ("gunicorn.conf.py", name)
            for name in (
                "PORT",
                "WEB_CONCURRENCY",
                "GUNICORN_THREADS",
                "GUNICORN_TIMEOUT",
                "GUNICORN_MAX_REQUESTS",
            )
        ]
        for path, name in cases:
            with (
                self.subTest(name=name),
                self.assertRaisesMessage(ImproperlyConfigured, f"{name} must be a whole number"),
            ):
                self.load(path, **{name: "twenty"})

    def test_the_numbers_are_read(self):
        found = self.load("publication/settings.py", AXES_FAILURE_LIMIT="3")
        self.assertEqual(found["AXES_FAILURE_LIMIT"], 3)
        found = self.load("gunicorn.conf.py", WEB_CONCURRENCY="3", PORT="8123")
        self.assertEqual((found["workers"], found["bind"]), (3, "127.0.0.1:8123"))


class EnvBoolTests(SimpleTestCase):
    def test_only_true_and_false_words_are_accepted(self):
        with mock.patch.dict("os.environ", {"FLAG": "On"}):
            self.assertIs(env_bool("FLAG", default=False), True)
        with (
            mock.patch.dict("os.environ", {"DJANGO_DEBUG": "yes"}),
            self.assertRaisesMessage(ImproperlyConfigured, "DJANGO_DEBUG must be true or false"),
        ):
            env_bool("DJANGO_DEBUG", default=False)


class DevelopmentCacheTests(TestCase):
    """`make run` is runserver and a job worker: two processes that must share one cache."""

    def development_process(self, code):
        url = database_url()
        env = {
            name: value
            for name, value in os.environ.items()
            if name not in {"DJANGO_CACHE_BACKEND", "DJANGO_CACHE_LOCATION", "REDIS_URL"}
        }
        # The default backend, in a table of its own that the test leaves behind no trace of.
        env.update(DJANGO_DEBUG="true", DATABASE_URL=url, DJANGO_CACHE_LOCATION="dev_cache_test")
        process = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", code],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
        )
        self.assertEqual(process.returncode, 0, process.stderr)
        return process.stdout.strip().splitlines()[-1:]

    def test_what_one_development_process_caches_another_reads(self):
        self.development_process(
            "from django.core.cache import cache; from django.core.management import call_command; "
            "call_command('createcachetable'); "
            "cache.set('renditions', 'made')"
        )
        read = (
            "from django.core.cache import cache; from django.db import connection; "
            "print(cache.get('renditions')); "
            "connection.cursor().execute('DROP TABLE IF EXISTS dev_cache_test')"
        )
        self.assertEqual(self.development_process(read), ["made"])
