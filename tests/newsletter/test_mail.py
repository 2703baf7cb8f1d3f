import re

from django.test import TestCase

from newsletter.mail import confirmation_message, roundup_message
from newsletter.models import Roundup
from tests.factories import make_site
from tests.newsletter.helpers import make_subscriber

DOUBLED_ARTICLE = re.compile(r"\bthe\s+the\b", re.IGNORECASE)


class EmailWordingTests(TestCase):
    def test_a_site_name_starting_with_the_never_reads_the_the(self):
        for name in ["The Meridian", "the meridian", "Meridian"]:
            make_site(name=name)
            subscriber = make_subscriber(status="pending")
            roundup = Roundup.objects.create(subject="The week")
            messages = [
                confirmation_message(subscriber),
                roundup_message(roundup, articles=[], subscriber=subscriber, to=subscriber.email),
            ]
            for message in messages:
                with self.subTest(name=name, subject=message.subject):
                    for text in [message.body, message.alternatives[0][0]]:
                        self.assertIn(name, text)
                        self.assertNotRegex(text, DOUBLED_ARTICLE)
                    self.assertNotRegex(message.subject, DOUBLED_ARTICLE)


class EmailHtmlTests(TestCase):
    def test_both_emails_are_whole_documents_in_the_sites_language(self):
        make_site(name="Der Meridian", language="de")
        subscriber = make_subscriber(status="pending")
        roundup = Roundup.objects.create(subject="Die Woche")
        confirmation = confirmation_message(subscriber).alternatives[0][0]
        copy = roundup_message(roundup, articles=[], subscriber=subscriber, to=subscriber.email)
        for html, title in [
            (confirmation, "Confirm your subscription to Der Meridian"),
            (copy.alternatives[0][0], "Die Woche"),
        ]:
            with self.subTest(title):
                # A mail program, or a reader's screen reader, reads the language from here.
                self.assertIn('<html lang="de">', html)
                self.assertIn(f'<head><meta charset="utf-8"><title>{title}</title></head>', html)
