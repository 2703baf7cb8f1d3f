from django.test import SimpleTestCase

from newsletter.models import Roundup


class RoundupIntroTests(SimpleTestCase):
    def test_intro_typed_in_a_browser_splits_into_paragraphs(self):
        roundup = Roundup(intro="Welcome.\r\n\r\nThis week:\r\nthree pieces.\r\n \r\nEnjoy.")
        self.assertEqual(
            roundup.intro_paragraphs, ["Welcome.", "This week:\r\nthree pieces.", "Enjoy."]
        )
