from unittest import mock

from django.core.exceptions import ImproperlyConfigured
from django.test import SimpleTestCase

from publication.settings import env_bool, env_int


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


class EnvBoolTests(SimpleTestCase):
    def test_only_true_and_false_words_are_accepted(self):
        with mock.patch.dict("os.environ", {"FLAG": "On"}):
            self.assertIs(env_bool("FLAG", default=False), True)
        with (
            mock.patch.dict("os.environ", {"DJANGO_DEBUG": "yes"}),
            self.assertRaisesMessage(ImproperlyConfigured, "DJANGO_DEBUG must be true or false"),
        ):
            env_bool("DJANGO_DEBUG", default=False)
