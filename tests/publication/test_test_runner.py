import os
import subprocess
import sys

from django.conf import settings
from django.test import SimpleTestCase

SAMPLE = "tests.publication.failing_on_purpose"


class ParallelFailuresTests(SimpleTestCase):
    """`make test` runs the tests in parallel processes: every failure must still be named
    with its message, where Django's runner ended the run in a MaybeEncodingError naming no
    test when the failing test held a test client (a subtest of the role matrix)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = dict(os.environ, TEST_DATABASE_NAME=f"test_failing_on_purpose_{os.getpid()}")
        run = subprocess.run(
            [sys.executable, "manage.py", "test", SAMPLE, "--noinput", "--parallel", "2"],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        cls.returncode, cls.output = run.returncode, run.stdout + run.stderr

    def assertReported(self, kind, test, message, subtest="", method=None):
        """The failure's heading (as unittest prints it), then its message before the next."""
        method = method or test.split(".")[-1]
        heading = f"{kind}: {method} ({SAMPLE}.{test}){subtest}\n"
        self.assertIn(heading, self.output)
        report = self.output.split(heading, 1)[1].split("=" * 70, 1)[0]
        self.assertIn(message, report)

    def test_the_run_ends_with_every_result(self):
        self.assertNotIn("MaybeEncodingError", self.output)
        self.assertIn("Ran 6 tests", self.output)
        self.assertIn("FAILED (failures=3, errors=3, expected failures=1)", self.output)
        self.assertEqual(self.returncode, 1)

    def test_subtests_of_a_test_holding_clients(self):
        for role in ("reader", "editor"):
            with self.subTest(role=role):
                self.assertReported(
                    "FAIL",
                    "HoldsClients.test_each_role",
                    f"AssertionError: 200 != 418 : {role} was not refused",
                    subtest=f" (role='{role}')",
                )

    def test_plain_failure(self):
        self.assertReported("FAIL", "Plain.test_failure", "200 != 418 : plain failure")

    def test_exceptions_that_cannot_be_pickled(self):
        message = f"{SAMPLE}.ResponseError: the page answered 200"
        self.assertReported("ERROR", "Plain.test_error", message)
        self.assertReported(
            "ERROR", "HoldsClients.test_error_in_subtest", message, subtest=" (page='healthz')"
        )

    def test_a_class_that_fails_to_set_up(self):
        message = f"{SAMPLE}.ResponseError: the page answered 200"
        self.assertReported("ERROR", "FailsToSetUp", message, method="setUpClass")
