import logging

from django.conf import settings
from django.test.runner import DiscoverRunner


class TestRunner(DiscoverRunner):
    """Django's runner with test-only speed-ups; no second settings module."""

    def setup_test_environment(self, **kwargs):
        super().setup_test_environment(**kwargs)  # also switches email to locmem
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
        # Rolled-back test data sends no signals, so a cache kept across tests would serve
        # pages of a previous test; the page-cache tests turn it on with a cleared cache.
        settings.PAGE_CACHE_ENABLED = False
        # Many tests check refusals (403, 404, 429); their warnings would bury real failures.
        for name in ("django.request", "django.security"):
            logging.getLogger(name).setLevel(logging.ERROR)
        # Health tests stop the database on purpose.
        logging.getLogger("publication.health").setLevel(logging.CRITICAL)
        # One line per request is for production; tests that check it use assertLogs.
        logging.getLogger("publication.requests").setLevel(logging.WARNING)
