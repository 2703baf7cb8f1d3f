from django.core.management import call_command
from django.core.management.base import CommandError

from articles.models import Article, AuthorEntry, BodyPhoto, TopicEntry
from newsletter.models import Subscriber
from tests.factories import TemporaryMediaTestCase


class SeedBenchmarkTests(TemporaryMediaTestCase):
    def test_seeds_a_realistic_archive(self):
        call_command("seed_benchmark", articles=40, authors=5, topics=20, photos=3, verbosity=0)

        self.assertEqual(Article.objects.count(), 40)
        self.assertGreater(Article.objects.live().count(), 30)
        article = Article.objects.live().filter(lead_photo__isnull=False).first()
        self.assertGreater(len(article.body.split()), 900)
        # Teasers are computed as save() would.
        self.assertEqual(len(article.teaser_paragraphs), 3)
        self.assertIn(article.teaser_paragraphs[0], article.body)
        for article in Article.objects.prefetch_related("bylines", "tags"):
            self.assertIn(len(article.bylines.all()), {1, 2, 3})
            self.assertIn(len(article.tags.all()), {2, 3})
        # The seeded pages render.
        self.assertEqual(self.client.get(article.get_absolute_url()).status_code, 200)
        self.assertEqual(self.client.get("/").status_code, 200)

    def test_seeded_articles_hold_what_save_would_store(self):
        # Seven articles: the first and the seventh have a photo in the body.
        call_command("seed_benchmark", articles=7, authors=3, topics=5, photos=2, verbosity=0)
        fields = ["body", "teaser_paragraphs", "slug", "status", "published_at"]
        vectors = ["search_vector", "search_head"]
        articles = Article.objects.order_by("pk")

        def stored():
            return (
                list(articles.values_list(*fields, *vectors)),
                sorted(BodyPhoto.objects.values_list("article", "photo")),
                sorted(TopicEntry.objects.values_list("tag", "article", "status", "published_at")),
                sorted(AuthorEntry.objects.values_list("author", "article", "published_at")),
            )

        seeded = stored()
        self.assertEqual(len(seeded[1]), 2)
        self.assertRegex(seeded[0][0][len(fields)], r"\d+A\b")  # headline words, weighted A
        for article in articles:
            article.save()
        self.assertEqual(stored(), seeded)

    def test_runs_twice_without_clashes(self):
        for _ in range(2):
            call_command("seed_benchmark", articles=3, authors=2, topics=4, photos=2, verbosity=0)
        self.assertEqual(Article.objects.count(), 6)

    def test_subscribers_come_from_the_newsletter_command(self):
        call_command(
            "seed_benchmark", articles=2, authors=1, topics=2, photos=1, subscribers=50, verbosity=0
        )
        self.assertEqual(Subscriber.objects.count(), 50)
        self.assertEqual(Subscriber.objects.filter(status="confirmed").count(), 40)

    def test_rejects_empty_sizes(self):
        with self.assertRaisesMessage(CommandError, "--articles must be at least 1"):
            call_command("seed_benchmark", articles=0, verbosity=0)
