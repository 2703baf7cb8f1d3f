"""A browser test that fails leaves what the browser showed in test-artifacts/ (issue 9)."""

import unittest

from tests.browser.test_teasers import ARTIFACTS, BrowserTestCase

PNG = b"\x89PNG\r\n\x1a\n"


# A browser test itself, so that the test runner runs it last, with the other browser
# tests: Playwright's event loop stays in the thread (see publication.test_runner).
class FailureScreenshotTests(BrowserTestCase):
    def test_a_failing_browser_test_leaves_a_screenshot_and_a_passing_one_none(self):
        # Not at module level, where the test runner would collect it and see it fail.
        class Example(BrowserTestCase):
            def test_fails(self):
                self.page.set_content("<h1>What the reader saw</h1>")
                self.fail("on purpose")

            def test_a_subtest_fails(self):  # as the public pages' walk fails
                self.page.set_content("<h1>At 375 px</h1>")
                with self.subTest(width=375):
                    self.fail("on purpose")

            def test_passes(self):
                self.page.set_content("<h1>Fine</h1>")

        # Run as unittest runs a test (setUp, the test, tearDown), without the live
        # server and database set-up of a whole class, which this needs none of.
        Example.browser = self.browser
        tests = [Example(name) for name in ("test_fails", "test_a_subtest_fails", "test_passes")]
        shots = [ARTIFACTS / f"{test.id()}-0.png" for test in tests]
        for shot in shots:
            self.addCleanup(shot.unlink, missing_ok=True)
        result = unittest.TestResult()
        for test in tests:
            test.run(result)
        self.assertEqual(len(result.failures), 2)
        self.assertEqual(result.errors, [])
        self.assertEqual([shot.read_bytes()[:8] for shot in shots[:2]], [PNG, PNG])
        self.assertFalse(shots[2].exists())
