import feedparser
from django.conf import settings
from django.utils import timezone

from articles import seo
from newsletter import services
from newsletter.models import Delivery, Roundup, RoundupItem
from tests.articles.test_feeds import urls_in
from tests.factories import QueryCountMixin, TemporaryMediaTestCase, make_article, make_site
from tests.newsletter.helpers import make_subscriber


def make_roundup(articles=(), *, status=Roundup.Status.SENT, **fields):
    roundup = Roundup.objects.create(
        status=status, sent_at=timezone.now() if status == Roundup.Status.SENT else None, **fields
    )
    for order, article in enumerate(articles):
        RoundupItem.objects.create(roundup=roundup, article=article, order=order)
    return roundup


class ArchiveTests(QueryCountMixin, TemporaryMediaTestCase):
    @classmethod
    def setUpTestData(cls):
        make_site(newsletter_blurb="The week in foreign policy.")
        cls.subscriber = make_subscriber("reader@example.com", status="confirmed")
        cls.first = make_article(headline="First pick")
        cls.second = make_article(headline="Second pick")
        cls.withdrawn = make_article(headline="Withdrawn piece")
        cls.sent = make_roundup(
            [cls.second, cls.first, cls.withdrawn],
            subject="This week: <the> alliance",
            intro="Dear reader,\n\nA busy week.",
        )
        cls.withdrawn.status = "draft"
        cls.withdrawn.save()
        cls.draft = make_roundup([cls.first], subject="Not sent yet", status=Roundup.Status.DRAFT)
        cls.sending = make_roundup([cls.first], subject="Going out", status=Roundup.Status.SENDING)

    def test_archive_lists_only_sent_round_ups(self):
        response = self.client.get("/newsletter/archive/")
        self.assertContains(response, "This week: &lt;the&gt; alliance")
        self.assertNotContains(response, "Not sent yet")
        self.assertNotContains(response, "Going out")

    def test_issue_page_shows_the_round_up_with_the_signup_box(self):
        response = self.client.get(self.sent.get_absolute_url())
        self.assertContains(response, "A busy week.")
        page = response.content.decode()
        self.assertLess(page.index("Second pick"), page.index("First pick"))  # editor's order
        self.assertNotContains(response, "Withdrawn piece")
        self.assertContains(response, 'class="newsletter-form"')

    def test_every_page_with_the_signup_form_links_to_past_issues(self):
        # A reader deciding whether to subscribe reads what they would get: the footer's box
        # links to the archive, and the newsletter page, which stands in for that box, too.
        for url in ["/", "/newsletter/", self.sent.get_absolute_url()]:
            with self.subTest(url):
                response = self.client.get(url)
                self.assertContains(response, 'class="newsletter-form"')
                self.assertContains(response, '<a href="/newsletter/archive/">Read past issues</a>')

    def test_each_issue_page_is_described_by_its_own_intro(self):
        long_intro = "Ministers met in Vilnius this week.\n\n" + "The talks ran late " * 20
        issues = {
            "A busy week": make_roundup([self.first], intro="A busy week.\n\nThree stories."),
            "A long one": make_roundup([self.first], intro=long_intro),
            "No intro": make_roundup([self.first], intro=""),
        }
        expected = {
            # Paragraphs joined, then shortened as every page's description is.
            "A busy week": "A busy week. Three stories.",
            "A long one": seo.shorten(long_intro),
            "No intro": "The week in foreign policy.",  # the newsletter's blurb
        }
        self.assertTrue(expected["A long one"].endswith("…"))
        for name, roundup in issues.items():
            with self.subTest(name):
                response = self.client.get(roundup.get_absolute_url())
                self.assertContains(
                    response, f'<meta name="description" content="{expected[name]}">', html=True
                )
                self.assertContains(
                    response, f'<meta property="og:description" content="{expected[name]}">'
                )

    def test_a_retry_of_failed_copies_keeps_the_issue_in_the_archive(self):
        # Retrying marks it "sending" again: readers already had it, and lost it from the
        # archive and its feed until the retry ended.
        Delivery.objects.create(
            kind=Delivery.Kind.ROUNDUP,
            roundup=self.sent,
            to_email="late@example.com",
            status=Delivery.Status.FAILED,
        )
        services.roundup_retry_failed(roundup=self.sent)
        self.sent.refresh_from_db()
        self.assertEqual(self.sent.status, Roundup.Status.SENDING)
        self.assertContains(self.client.get("/newsletter/archive/"), "This week: &lt;the&gt;")
        self.assertContains(self.client.get(self.sent.get_absolute_url()), "A busy week.")
        feed = feedparser.parse(self.client.get("/newsletter/archive/feed/").content)
        self.assertEqual([entry.title for entry in feed.entries], ["This week: <the> alliance"])

    def test_unsent_round_ups_have_no_web_version(self):
        for roundup in (self.draft, self.sending):
            self.assertEqual(self.client.get(roundup.get_absolute_url()).status_code, 404)

    def test_no_subscriber_data_or_tokens(self):
        for url in (
            "/newsletter/archive/",
            self.sent.get_absolute_url(),
            "/newsletter/archive/feed/",
        ):
            with self.subTest(url):
                response = self.client.get(url)
                for secret in (
                    "reader@example.com",
                    self.subscriber.unsubscribe_token,
                    self.subscriber.confirm_token,
                    "/newsletter/unsubscribe/",
                    "/newsletter/confirm/",
                ):
                    self.assertNotContains(response, secret)

    def test_atom_feed(self):
        response = self.client.get("/newsletter/archive/feed/")
        feed = feedparser.parse(response.content)
        self.assertFalse(feed.bozo, feed.get("bozo_exception"))
        (entry,) = feed.entries
        self.assertEqual(entry.title, "This week: <the> alliance")
        self.assertEqual(entry.link, "http://127.0.0.1:8000" + self.sent.get_absolute_url())
        self.assertIn("Second pick", entry.summary)
        self.assertNotIn("Withdrawn piece", entry.summary)
        # What Atom (RFC 4287) requires: an author, of the feed when no entry has one, and
        # each entry's updated date (a sent round-up is not edited: its send date).
        self.assertEqual(feed.feed.author, "The Meridian")
        self.assertEqual(entry.updated, entry.published)
        self.assertContains(
            self.client.get("/newsletter/archive/"), 'href="/newsletter/archive/feed/"'
        )

    def test_characters_xml_cannot_carry_are_dropped_from_the_feed(self):
        roundup = make_roundup([self.first])
        # Written past save(), which drops them now (publication.text), as older rows hold them.
        Roundup.objects.filter(pk=roundup.pk).update(
            subject="Soft\x0bbreak\x0c issue", intro="Hi\x1b there"
        )
        response = self.client.get("/newsletter/archive/feed/")
        self.assertEqual(response.status_code, 200)
        feed = feedparser.parse(response.content)
        self.assertFalse(feed.bozo, feed.get("bozo_exception"))
        self.assertIn("Softbreak issue", [entry.title for entry in feed.entries])

    def test_every_url_in_the_feed_entries_is_absolute(self):
        response = self.client.get("/newsletter/archive/feed/")
        # feedparser resolves relative URLs itself: read the entries as sent.
        feed = feedparser.parse(response.content, resolve_relative_uris=False)
        urls = urls_in(feed.entries[0].summary)
        self.assertEqual(len(urls), 2)  # the two live picks
        for url in urls:
            self.assertTrue(url.startswith(settings.SITE_URL + "/articles/"), url)

    def grow(self):
        for number in range(10):
            make_roundup([make_article(), make_article()], subject=f"Issue {number}")

    def test_each_archive_page_names_itself_by_number(self):
        for number in range(20):  # 20 to a page: with self.sent, two pages
            make_roundup(subject=f"Issue {number}")
        base = f"{settings.SITE_URL}/newsletter/archive/"
        for query, expected in [
            ("", base),
            ("?page=1", base),
            ("?page=2", f"{base}?page=2"),
            ("?page=last", f"{base}?page=2"),
            ("?page=2&utm_source=x", f"{base}?page=2"),
        ]:
            with self.subTest(query):
                response = self.client.get("/newsletter/archive/" + query)
                self.assertContains(response, f'<link rel="canonical" href="{expected}">')

    def test_query_budgets(self):
        for url in ("/newsletter/archive/", "/newsletter/archive/feed/"):
            with self.subTest(url):
                self.assertQueriesDoNotGrow(url, self.grow)
        self.assertQueriesDoNotGrow(self.sent.get_absolute_url(), self.grow)
