import logging
import pickle
import tempfile
import traceback
import unittest

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.db.backends.postgresql.operations import DatabaseOperations
from django.test import LiveServerTestCase, SimpleTestCase, TestCase
from django.test.runner import (
    DiscoverRunner,
    ParallelTestSuite,
    RemoteTestResult,
    RemoteTestRunner,
)
from django.test.utils import override_settings


def quiet_logs():
    # Many tests check refusals (403, 404, 429); their warnings would bury real failures.
    # werkzeug: the request lines of moto's S3 server in the storage tests.
    for name in ("django.request", "django.security", "axes", "werkzeug"):
        logging.getLogger(name).setLevel(logging.ERROR)
    # Health tests stop the database on purpose.
    logging.getLogger("publication.health").setLevel(logging.CRITICAL)
    # One line per request is for production; tests that check it use assertLogs.
    logging.getLogger("publication.requests").setLevel(logging.WARNING)


def sql_flush_by_delete(ops, style, tables, *, reset_sequences=False, allow_cascade=False):
    """Empty the tables with DELETE, not TRUNCATE, after each TransactionTestCase test (and
    browser test): TRUNCATE makes new files for every table and index, which took 1.5-2 s for
    these few rows, DELETE 0.05 s. Foreign keys are DEFERRABLE INITIALLY DEFERRED and flush
    runs the statements in one transaction, so the order of the tables does not matter."""
    if reset_sequences or allow_cascade or not tables:
        return TRUNCATE_FLUSH(
            ops, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
    return [
        f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(ops.quote_name(table))};"
        for table in tables
    ]


TRUNCATE_FLUSH = DatabaseOperations.sql_flush


class ClearCache:
    """Each test starts with an empty cache: rolled-back test data sends no signals, so
    content versions and fragments cached by one test would otherwise reach the next.
    And with quiet logs again: a test that imports wsgi.py sets up Django's LOGGING anew."""

    def startTest(self, test):
        cache.clear()
        quiet_logs()
        super().startTest(test)


class ClearCacheResult(ClearCache, unittest.TextTestResult):
    pass


class SubTestReport:
    """A failed subtest as the main process reports it (name, id, message), without its test
    case: Django sends the test case whole once the test has ended, and one holding anything
    that cannot be pickled (a test client that has served a request) made the run end in a
    MaybeEncodingError that named no test."""

    def __init__(self, subtest):
        self.description = str(subtest)
        self.short_description = subtest.shortDescription()
        self.failureException = subtest.failureException

    def __str__(self):
        return self.description

    def shortDescription(self):
        return self.short_description


class UnpicklableError(Exception):
    """Stands in for an exception the parallel runner could not send to the main process."""


def picklable_error(err):
    """err (an exc_info tuple), or a stand-in the main process can receive, carrying the
    whole traceback as text. Django's runner stopped the run at an exception that could not
    be pickled (one holding a response or a lambda), naming neither the test nor the error."""
    try:
        pickle.dumps(err)
    except Exception:  # pickling fails with many kinds, none of them a common base
        kind, value, trace = err
        text = "".join(traceback.format_exception(kind, value, trace))
        stand_in = AssertionError if issubclass(kind, AssertionError) else UnpicklableError
        return stand_in, stand_in(f"(sent as text: it could not be pickled)\n{text}"), None
    return err


class ClearCacheRemoteResult(ClearCache, RemoteTestResult):
    """The same in each process of `manage.py test --parallel`, where every failure reaches
    the main process by name with its message, whatever the test or its exception holds."""

    def addError(self, test, err):
        super().addError(test, picklable_error(err))

    def addFailure(self, test, err):
        super().addFailure(test, picklable_error(err))

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, picklable_error(err))

    def addSubTest(self, test, subtest, err):
        if err is not None:
            subtest, err = SubTestReport(subtest), picklable_error(err)
        super().addSubTest(test, subtest, err)


class ClearCacheRemoteRunner(RemoteTestRunner):
    resultclass = ClearCacheRemoteResult


class ClearCacheParallelSuite(ParallelTestSuite):
    runner_class = ClearCacheRemoteRunner


class _WithoutLiveServerType(type):
    def __instancecheck__(cls, test):
        return isinstance(test, SimpleTestCase) and not isinstance(test, LiveServerTestCase)


class WithoutLiveServer(metaclass=_WithoutLiveServerType):
    """isinstance() is true for tests other than the live-server (browser) ones."""


class TestRunner(DiscoverRunner):
    """Django's runner with test-only speed-ups; no second settings module."""

    parallel_test_suite = ClearCacheParallelSuite
    # Browser tests run last in each process: they share one Chromium, whose Playwright event
    # loop stays in the thread until the process ends, and asyncio.run() (the job worker in
    # other tests) refuses to start beside a running loop.
    reorder_by = (TestCase, WithoutLiveServer)

    def setup_test_environment(self, **kwargs):
        super().setup_test_environment(**kwargs)  # also switches email to locmem
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
        # Static files come from the apps' folders as edited: a collection left in var/static
        # by `make serve` or a benchmark would otherwise be served (by whitenoise) in place of
        # the scripts under test.
        self.static_root = tempfile.TemporaryDirectory(prefix="static-")
        settings.STATIC_ROOT = self.static_root.name
        # Whole pages are cached only where a test turns the cache on (test_page_cache);
        # fragments are cached everywhere, from an empty cache for each test (below).
        settings.PAGE_CACHE_ENABLED = False
        # Memory, not the database cache development and production share: query budgets
        # (assertNumQueries) count the queries of pages, not of the cache, and rolled-back
        # test transactions would take cache writes with them. Tests that need a shared
        # cache override CACHES themselves.
        self.memory_cache = override_settings(
            CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
        )
        self.memory_cache.enable()
        quiet_logs()
        DatabaseOperations.sql_flush = sql_flush_by_delete
        # Test databases are thrown away, so commits need not wait for the disk (2-3 ms each;
        # live-server and TransactionTestCase tests commit every write).
        for alias in connections:
            options = connections[alias].settings_dict.setdefault("OPTIONS", {})
            options["options"] = f"{options.get('options', '')} -c synchronous_commit=off".strip()

    def teardown_test_environment(self, **kwargs):
        DatabaseOperations.sql_flush = TRUNCATE_FLUSH
        self.memory_cache.disable()
        self.static_root.cleanup()
        super().teardown_test_environment(**kwargs)

    def get_resultclass(self):
        return super().get_resultclass() or ClearCacheResult
