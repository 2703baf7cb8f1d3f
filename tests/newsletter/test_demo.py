"""`manage.py load_newsletter_demo` fills the newsletter archive of the demo, once."""

from io import StringIO

import feedparser
from django.core.management import CommandError, call_command
from django.test import override_settings

from articles.models import Article
from newsletter import demo
from newsletter.models import Delivery, Roundup, RoundupItem, Subscriber
from tests.factories import TemporaryMediaTestCase


@override_settings(DEBUG=True)
class LoadNewsletterDemoTests(TemporaryMediaTestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("load_demo", stdout=StringIO())
        call_command("load_newsletter_demo", stdout=StringIO())
        cls.first_rows = (
            list(Roundup.objects.values_list("pk", "subject", "sent_at")),
            list(RoundupItem.objects.values_list("pk", "roundup", "article", "order")),
        )
        cls.second_output = StringIO()
        call_command("load_newsletter_demo", stdout=cls.second_output)

    def test_creates_sent_round_ups_of_live_demo_articles(self):
        roundups = Roundup.objects.sent()
        self.assertEqual(roundups.count(), len(demo.ROUNDUPS))
        for roundup in roundups:
            with self.subTest(roundup.subject):
                self.assertEqual(roundup.status, Roundup.Status.SENT)
                self.assertTrue(roundup.intro)
                items = roundup.items.select_related("article")
                self.assertEqual(items.count(), 4)
                for item in items:
                    self.assertTrue(item.article.is_live)
                    # A round-up only holds articles published before it went out.
                    self.assertLess(item.article.published_at, roundup.sent_at)

    def test_running_it_again_adds_nothing(self):
        self.assertEqual(
            self.first_rows,
            (
                list(Roundup.objects.values_list("pk", "subject", "sent_at")),
                list(RoundupItem.objects.values_list("pk", "roundup", "article", "order")),
            ),
        )
        self.assertIn("already in place; nothing was changed", self.second_output.getvalue())

    def test_sends_nothing_and_keeps_no_reader_data(self):
        self.assertFalse(Delivery.objects.exists())
        self.assertFalse(Subscriber.objects.exists())

    def test_the_archive_and_its_feed_list_them(self):
        response = self.client.get("/newsletter/archive/")
        newest_first = [spec["subject"] for spec in reversed(demo.ROUNDUPS)]
        page = response.content.decode()
        positions = [page.index(subject) for subject in newest_first]
        self.assertEqual(positions, sorted(positions))
        feed = feedparser.parse(self.client.get("/newsletter/archive/feed/").content)
        self.assertEqual([entry.title for entry in feed.entries], newest_first)
        for roundup in Roundup.objects.all():
            with self.subTest(roundup.subject):
                issue = self.client.get(roundup.get_absolute_url())
                self.assertContains(issue, roundup.items.first().article.get_absolute_url())


@override_settings(DEBUG=True)
class LoadNewsletterDemoAfterEditsTests(TemporaryMediaTestCase):
    """Every `make run` loads the demo again: round-ups whose subject was reworded (in
    ROUNDUPS or the shell) or whose articles' slugs editors changed are not made again."""

    def test_reworded_subjects_and_renamed_articles_make_no_second_round_up(self):
        call_command("load_demo", stdout=StringIO())
        call_command("load_newsletter_demo", stdout=StringIO())
        Roundup.objects.update(subject="Reworded")
        article = Article.objects.get(slug=demo.ROUNDUPS[0]["articles"][0])
        article.slug = "a-new-address"
        article.save()  # leaves a redirect from the old address
        rows = list(RoundupItem.objects.values_list("pk", "roundup", "article", "order"))
        output = StringIO()
        call_command("load_newsletter_demo", stdout=output)
        self.assertEqual(Roundup.objects.count(), len(demo.ROUNDUPS))
        self.assertEqual(
            list(RoundupItem.objects.values_list("pk", "roundup", "article", "order")), rows
        )
        self.assertIn("nothing was changed", output.getvalue())

    def test_a_missing_article_is_left_out_and_the_round_up_made_once(self):
        call_command("load_demo", stdout=StringIO())
        Article.objects.filter(slug=demo.ROUNDUPS[0]["articles"][0]).delete()
        for _ in range(2):
            call_command("load_newsletter_demo", stdout=StringIO())
        self.assertEqual(Roundup.objects.count(), len(demo.ROUNDUPS))
        self.assertEqual(
            [item.article.slug for item in Roundup.objects.order_by("sent_at")[0].items.all()],
            demo.ROUNDUPS[0]["articles"][1:],
        )


class WithoutDemoArticlesTests(TemporaryMediaTestCase):
    def test_asks_for_load_demo_first_and_creates_nothing(self):
        with self.assertRaisesMessage(CommandError, "run `manage.py load_demo` first"):
            call_command("load_newsletter_demo", stdout=StringIO())
        self.assertFalse(Roundup.objects.exists())
