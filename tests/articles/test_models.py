import datetime

from django.db import transaction
from django.forms import modelform_factory
from django.test import TestCase
from django.utils import timezone

from articles.models import Article, Byline, ShareLink
from tests.factories import (
    make_article,
    make_author,
    make_kind,
    make_section,
    make_share_link,
    tampered,
)


def minutes(n):
    return datetime.timedelta(minutes=n)


class ArticleQuerySetTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        now = timezone.now()
        cls.live = make_article(published_at=now - minutes(5))
        cls.scheduled = make_article(published_at=now + minutes(60))
        cls.draft = make_article(status=Article.Status.DRAFT)
        cls.draft_with_date = make_article(
            status=Article.Status.DRAFT, published_at=now - minutes(60)
        )

    def test_live_is_published_articles_whose_time_has_come(self):
        self.assertQuerySetEqual(Article.objects.live(), [self.live])

    def test_scheduled_is_published_articles_with_a_future_time(self):
        self.assertQuerySetEqual(Article.objects.scheduled(), [self.scheduled])

    def test_is_live_agrees_with_the_querysets(self):
        published_without_time = make_article()
        # Only update() can leave a published article without a time; save() fills it in.
        Article.objects.filter(pk=published_without_time.pk).update(published_at=None)
        published_without_time.refresh_from_db()
        articles = [
            self.live,
            self.scheduled,
            self.draft,
            self.draft_with_date,
            published_without_time,
        ]
        live = set(Article.objects.live())
        for article in articles:
            with self.subTest(article=article.slug):
                self.assertEqual(article.is_live, article in live)

    def test_drafts_are_unpublished_whatever_their_time(self):
        self.assertCountEqual(Article.objects.drafts(), [self.draft, self.draft_with_date])

    def test_scheduled_article_goes_live_by_itself_when_its_time_passes(self):
        self.assertIn(self.scheduled, Article.objects.scheduled())
        self.assertFalse(self.scheduled.is_live)
        # Time passing, without any job touching the article's status.
        Article.objects.filter(pk=self.scheduled.pk).update(
            published_at=timezone.now() - datetime.timedelta(seconds=1)
        )
        self.scheduled.refresh_from_db()

        self.assertIn(self.scheduled, Article.objects.live())
        self.assertNotIn(self.scheduled, Article.objects.scheduled())
        self.assertTrue(self.scheduled.is_live)

    def test_for_teasers_lists_only_live_articles_newest_first(self):
        older = make_article(published_at=timezone.now() - minutes(30))
        self.assertQuerySetEqual(Article.objects.for_teasers(), [self.live, older])


class ArticleSaveTests(TestCase):
    def test_slug_is_made_from_the_headline(self):
        article = make_article(headline="Can Europe’s alliance survive the winter?")
        self.assertEqual(article.slug, "can-europes-alliance-survive-the-winter")

    def test_slug_is_made_unique(self):
        first = make_article(headline="The same headline")
        second = make_article(headline="The same headline")
        third = make_article(headline="The same headline")
        self.assertEqual(
            [first.slug, second.slug, third.slug],
            ["the-same-headline", "the-same-headline-2", "the-same-headline-3"],
        )

    def test_a_slug_taken_after_the_form_checked_it_becomes_the_next_free_one(self):
        # Two "add article" POSTs at once: both forms find the slug free, one saves first.
        for slug in ["same", ""]:
            with self.subTest(slug=slug or "made from the headline"):
                form = modelform_factory(Article, fields=["headline", "slug", "kind", "section"])(
                    {
                        "headline": "Same",
                        "slug": slug,
                        "kind": make_kind().pk,
                        "section": make_section().pk,
                    }
                )
                self.assertTrue(form.is_valid(), form.errors)
                first = make_article(headline="Same", slug="same")
                with transaction.atomic():  # as in the admin: the request's transaction survives
                    second = form.save()
                self.assertEqual(second.slug, "same-2")
                self.assertEqual(Article.objects.filter(slug__startswith="same").count(), 2)
                Article.objects.filter(pk__in=[first.pk, second.pk]).delete()

    def test_a_given_slug_is_kept(self):
        self.assertEqual(make_article(slug="chosen").slug, "chosen")

    def test_headline_without_letters_still_gets_a_slug(self):
        self.assertEqual(make_article(headline="???").slug, "article")

    def test_publishing_without_a_time_publishes_now(self):
        before = timezone.now()
        article = make_article(status=Article.Status.PUBLISHED, published_at=None)
        self.assertGreaterEqual(article.published_at, before)
        self.assertLessEqual(article.published_at, timezone.now())
        self.assertTrue(article.is_live)

    def test_a_draft_keeps_an_empty_publish_time(self):
        article = make_article(status=Article.Status.DRAFT, published_at=None)
        self.assertIsNone(article.published_at)
        self.assertFalse(article.is_live)
        self.assertNotIn(article, Article.objects.scheduled())

    def test_teaser_defaults_to_the_opening_paragraphs_of_the_body_as_text(self):
        article = make_article(
            teaser="",
            body="<h2>Heading</h2><p>One &amp; <em>only</em>.</p><p> </p><p>Two.</p>"
            "<p>Three.</p><p>Four.</p>",
        )
        self.assertEqual(article.teaser_paragraphs, ["One & only.", "Two.", "Three."])
        self.assertEqual(article.teaser_lead, "One & only.")
        self.assertEqual(article.teaser_more, ["Two.", "Three."])

    def test_explicit_teaser_is_split_on_blank_lines(self):
        article = make_article(teaser="First part\nstill first.\n\n\n  Second part.  \n\n")
        self.assertEqual(article.teaser_paragraphs, ["First part\nstill first.", "Second part."])

    def test_teaser_typed_in_a_browser_splits_on_blank_lines_too(self):
        article = make_article(teaser="First.\r\n\r\nSecond,\r\nsame paragraph.\r\n \r\nThird.")
        self.assertEqual(
            article.teaser_paragraphs, ["First.", "Second,\r\nsame paragraph.", "Third."]
        )

    def test_teaser_follows_the_body_when_it_changes(self):
        article = make_article(teaser="", body="<p>Before.</p>")
        article.body = "<p>After.</p>"
        article.save()
        article.refresh_from_db()
        self.assertEqual(article.teaser_paragraphs, ["After."])


class BylineTextTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.ana = make_author("Ana Ruiz")
        cls.ben = make_author("Ben Okafor")
        cls.chen = make_author("Chen Li")

    def byline(self, *authors):
        return make_article(authors=authors).byline_text

    def test_one_author(self):
        self.assertEqual(self.byline(self.ana), "By Ana Ruiz")

    def test_two_authors(self):
        self.assertEqual(self.byline(self.ana, self.ben), "By Ana Ruiz and Ben Okafor")

    def test_three_authors(self):
        self.assertEqual(
            self.byline(self.ana, self.ben, self.chen), "By Ana Ruiz, Ben Okafor and Chen Li"
        )

    def test_writers_and_photographer(self):
        self.assertEqual(
            self.byline(self.ana, (self.chen, Byline.Role.PHOTOS)),
            "By Ana Ruiz; photos by Chen Li",
        )

    def test_reporting_credit_leads_with_its_own_label(self):
        self.assertEqual(
            self.byline((self.ben, Byline.Role.REPORTING), (self.ana, Byline.Role.REPORTING)),
            "Reporting by Ben Okafor and Ana Ruiz",
        )

    def test_no_authors_means_no_byline(self):
        self.assertEqual(self.byline(), "")


class ShareLinkTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = make_article(status=Article.Status.DRAFT)

    def test_token_finds_an_active_link(self):
        link = make_share_link(self.article)
        self.assertEqual(ShareLink.from_token(link.token), link)

    def test_expired_revoked_and_tampered_tokens_find_nothing(self):
        expired = make_share_link(self.article, days=-1)
        revoked = make_share_link(self.article, revoked_at=timezone.now())
        active = make_share_link(self.article)
        self.assertIsNone(ShareLink.from_token(expired.token))
        self.assertIsNone(ShareLink.from_token(revoked.token))
        self.assertIsNone(ShareLink.from_token(tampered(active.token)))
        self.assertIsNone(ShareLink.from_token(str(active.pk)))
