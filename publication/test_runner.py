from django.conf import settings
from django.test.runner import DiscoverRunner


class TestRunner(DiscoverRunner):
    """Django's runner with test-only speed-ups; no second settings module."""

    def setup_test_environment(self, **kwargs):
        super().setup_test_environment(**kwargs)  # also switches email to locmem
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
