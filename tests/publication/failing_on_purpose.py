"""Tests that fail on purpose, run only by test_test_runner.py in a `manage.py test
--parallel 2` of their own: each failure must reach the output by name with its message,
whatever the test holds (test clients that have served requests cannot be pickled) and
whatever its exception holds."""

from unittest import expectedFailure

from django.test import TestCase


class ResponseError(Exception):
    """An exception holding a test client's response, which cannot be pickled."""

    def __init__(self, response):
        super().__init__(f"the page answered {response.status_code}")
        self.response = response


class HoldsClients(TestCase):
    def setUp(self):
        self.clients = {"reader": self.client_class(), "editor": self.client_class()}

    def test_each_role(self):
        for role, client in self.clients.items():
            with self.subTest(role=role):
                status = client.get("/healthz").status_code
                self.assertEqual(status, 418, f"{role} was not refused")

    def test_error_in_subtest(self):
        with self.subTest(page="healthz"):
            raise ResponseError(self.clients["reader"].get("/healthz"))

    def test_passes(self):
        self.assertEqual(self.clients["reader"].get("/healthz").status_code, 200)


class Plain(TestCase):
    def test_failure(self):
        self.assertEqual(self.client.get("/healthz").status_code, 418, "plain failure")

    def test_error(self):
        raise ResponseError(self.client.get("/healthz"))

    @expectedFailure
    def test_known_failure(self):
        raise ResponseError(self.client.get("/healthz"))


class FailsToSetUp(TestCase):
    """Its one test never runs: the class is reported as an error of setUpClass."""

    @classmethod
    def setUpTestData(cls):
        raise ResponseError(cls.client_class().get("/healthz"))

    def test_never_runs(self):
        pass
