"""Topic and author pages read their listing from entries that PostgreSQL triggers keep
(articles.models.ListingEntry): whichever way an article, a topic row or a byline is
written, the entries say exactly what live(), tagged() and by_author() say, and the pages
keep the live rule and the newest-first keyset order."""

import datetime
import re
import threading

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test import TransactionTestCase
from django.utils import timezone
from taggit.models import Tag, TaggedItem

from articles.models import Article, AuthorEntry, Byline, TopicEntry
from publication.models import Section
from tests.articles.test_views import newer_link, older_link
from tests.factories import (
    QueryCountMixin,
    TemporaryMediaTestCase,
    clock_at,
    make_article,
    make_author,
    make_site,
)

TEASER = '<article class="teaser">'


class EntriesFollowWritesTests(TemporaryMediaTestCase):
    """After every kind of write, the entries are the articles' topic and author rows with
    each article's own status and publish time."""

    @classmethod
    def setUpTestData(cls):
        cls.ana, cls.ben = make_author("Ana Ruiz"), make_author("Ben Ode")
        cls.article = make_article(authors=[cls.ana], tags=["Ceasefire", "Energy"])
        cls.other = make_article(authors=[cls.ben], tags=["Energy"])

    def assertEntriesExact(self):
        article_type = ContentType.objects.get_for_model(Article)
        articles = {a.pk: (a.status, a.published_at) for a in Article.objects.all()}
        topics = {
            (item.tag_id, item.object_id, *articles[item.object_id])
            for item in TaggedItem.objects.filter(content_type=article_type)
            if item.object_id in articles
        }
        authors = {
            (author_id, article_id, *articles[article_id])
            for author_id, article_id in Byline.objects.values_list("author_id", "article_id")
        }
        self.assertEqual(
            set(TopicEntry.objects.values_list("tag_id", "article_id", "status", "published_at")),
            topics,
        )
        self.assertEqual(
            set(
                AuthorEntry.objects.values_list("author_id", "article_id", "status", "published_at")
            ),
            authors,
        )
        # One entry per author and article, however many roles.
        self.assertEqual(AuthorEntry.objects.count(), len(authors))

    def test_new_articles_with_topics_and_bylines(self):
        self.assertEqual(TopicEntry.objects.filter(article=self.article).count(), 2)
        self.assertEntriesExact()

    def test_saving_a_new_publish_time_or_status(self):
        self.article.published_at = timezone.now() + datetime.timedelta(days=2)
        self.article.save()
        self.assertEntriesExact()
        self.article.status = Article.Status.DRAFT
        self.article.save()
        self.assertEntriesExact()

    def test_bulk_updates_as_the_admin_actions_make_them(self):
        Article.objects.filter(pk=self.article.pk).update(status=Article.Status.DRAFT)
        self.assertEntriesExact()
        Article.objects.update(published_at=timezone.now() - datetime.timedelta(days=400))
        self.assertEntriesExact()

    def test_topics_added_removed_and_replaced(self):
        self.article.tags.add("Elections")
        self.assertEntriesExact()
        self.article.tags.remove("Ceasefire")
        self.assertEntriesExact()
        self.article.tags.set(["Trade"])
        self.assertEntriesExact()
        self.article.tags.clear()
        self.assertEntriesExact()
        self.assertFalse(TopicEntry.objects.filter(article=self.article).exists())

    def test_a_topic_row_moved_to_another_topic_or_article(self):
        item = TaggedItem.objects.filter(object_id=self.article.pk).first()
        item.tag = Tag.objects.create(name="Drought", slug="drought")
        item.save()
        self.assertEntriesExact()
        TaggedItem.objects.filter(pk=item.pk).update(object_id=self.other.pk)
        self.assertEntriesExact()

    def test_topic_rows_of_other_models_are_not_articles(self):
        # A topic row of another model, whose id is an article's: not that article's topic.
        TaggedItem.objects.create(
            content_type=ContentType.objects.get_for_model(Section),
            object_id=self.other.pk,
            tag=Tag.objects.get(name="Ceasefire"),
        )
        self.assertFalse(
            TopicEntry.objects.filter(article=self.other, tag__name="Ceasefire").exists()
        )
        self.assertEntriesExact()

    def test_bulk_created_rows(self):
        tag = Tag.objects.create(name="Drought", slug="drought")
        TaggedItem.objects.bulk_create(
            [TaggedItem(content_object=article, tag=tag) for article in [self.article, self.other]]
        )
        Byline.objects.bulk_create([Byline(article=self.other, author=self.ana)])
        self.assertEntriesExact()

    def test_rows_written_before_their_article_in_one_transaction(self):
        # Foreign keys are checked at commit, so an import may write the bylines and
        # topic rows first: the article's insert picks them up.
        with transaction.atomic():
            TaggedItem.objects.create(
                content_type=ContentType.objects.get_for_model(Article),
                object_id=999_999,
                tag=Tag.objects.get(name="Energy"),
            )
            Byline.objects.bulk_create([Byline(article_id=999_999, author=self.ben)])
            self.assertFalse(TopicEntry.objects.filter(article_id=999_999).exists())
            make_article(pk=999_999)
        self.assertEqual(TopicEntry.objects.filter(article_id=999_999).count(), 1)
        self.assertEntriesExact()

    def test_bylines_changed_and_an_author_with_two_roles(self):
        photos = Byline.objects.create(
            article=self.article, author=self.ana, role=Byline.Role.PHOTOS
        )
        self.assertEntriesExact()
        # One of two roles removed: still listed under the author.
        photos.delete()
        self.assertTrue(AuthorEntry.objects.filter(article=self.article, author=self.ana).exists())
        self.assertEntriesExact()
        byline = Byline.objects.get(article=self.article)
        byline.author = self.ben
        byline.save()
        self.assertFalse(AuthorEntry.objects.filter(article=self.article, author=self.ana).exists())
        self.assertEntriesExact()
        Byline.objects.filter(article=self.article).delete()
        self.assertEntriesExact()

    def test_deleting_an_article_or_a_topic(self):
        self.article.delete()
        self.assertEntriesExact()
        Tag.objects.get(name="Energy").delete()
        self.assertEntriesExact()
        self.assertFalse(TopicEntry.objects.exists())


class ListingPageTests(QueryCountMixin, TemporaryMediaTestCase):
    """Topic and author pages: live articles only, newest first, ties by id, Newer/Older."""

    @classmethod
    def setUpTestData(cls):
        make_site()
        cls.ana = make_author("Ana Ruiz")
        cls.old = make_article(
            headline="An old story",
            authors=[cls.ana],
            tags=["Ceasefire"],
            published_at=timezone.now() - datetime.timedelta(days=30),
        )
        cls.recent = make_article(
            headline="A recent story",
            authors=[cls.ana],
            tags=["Ceasefire"],
            published_at=timezone.now() - datetime.timedelta(days=1),
        )
        cls.urls = ["/topic/ceasefire/", cls.ana.get_absolute_url()]

    def make(self, **fields):
        return make_article(authors=[self.ana], tags=["Ceasefire"], **fields)

    def test_newest_first(self):
        for url in self.urls:
            with self.subTest(url=url):
                content = self.client.get(url).content.decode()
                self.assertLess(content.index("A recent story"), content.index("An old story"))

    def test_drafts_never_and_scheduled_articles_at_their_time(self):
        publish_at = timezone.now() + datetime.timedelta(minutes=5)
        self.make(headline="Embargoed story", published_at=publish_at)
        self.make(headline="A draft story", status=Article.Status.DRAFT)
        self.make(
            headline="A draft whose time passed",
            status=Article.Status.DRAFT,
            published_at=timezone.now() - datetime.timedelta(hours=1),
        )
        for url in self.urls:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertContains(response, TEASER, count=2)
                self.assertNotContains(response, "Embargoed story")
                self.assertNotContains(response, "A draft")
        for number in range(11):
            self.make(
                headline=f"Filler {number}",
                published_at=timezone.now() - datetime.timedelta(days=60 + number),
            )
        for url in self.urls:
            with self.subTest(url=url, page="full"):
                # A full page of live articles, not a page of rows with the others left out.
                response = self.client.get(url)
                self.assertContains(response, TEASER, count=12)
                self.assertContains(response, "Filler 9")
                self.assertNotContains(response, "Filler 10")
        later = publish_at + datetime.timedelta(seconds=1)
        with clock_at(later):
            for url in self.urls:
                with self.subTest(url=url, at="publish time"):
                    response = self.client.get(url)
                    self.assertContains(response, TEASER, count=12)
                    self.assertNotContains(response, "Filler 9")
                    content = response.content.decode()
                    self.assertLess(content.index("Embargoed story"), content.index("A recent"))
                    self.assertNotContains(response, "A draft")

    def test_unpublished_by_the_admin_action_and_rescheduled_articles(self):
        Article.objects.filter(pk=self.recent.pk).update(status=Article.Status.DRAFT)
        for url in self.urls:
            with self.subTest(url=url):
                self.assertNotContains(self.client.get(url), "A recent story")
        Article.objects.filter(pk=self.recent.pk).update(status=Article.Status.PUBLISHED)
        self.old.published_at = timezone.now()
        self.old.save()
        for url in self.urls:
            with self.subTest(url=url):
                content = self.client.get(url).content.decode()
                self.assertLess(content.index("An old story"), content.index("A recent story"))

    def test_articles_published_at_the_same_moment_page_by_id_without_gaps(self):
        moment = timezone.now() - datetime.timedelta(days=2)
        same = [self.make(headline=f"Same moment {n:02}", published_at=moment) for n in range(14)]
        expected = [a.headline for a in sorted(same, key=lambda a: a.pk, reverse=True)]
        expected += ["An old story"]
        for url in self.urls:
            with self.subTest(url=url):
                page_one = self.client.get(url)
                page_two = self.client.get(url + older_link(page_one)[1:])
                shown = headlines(page_one) + headlines(page_two)
                self.assertEqual(shown, ["A recent story", *expected])
                self.assertEqual(len(headlines(page_one)), 12)
                back = self.client.get(url + newer_link(page_two)[1:])
                self.assertEqual(headlines(back), headlines(page_one))

    def test_feeds_list_the_newest_live_articles(self):
        self.make(
            headline="Embargoed story", published_at=timezone.now() + datetime.timedelta(hours=1)
        )
        self.make(headline="A draft story", status=Article.Status.DRAFT)
        for url in self.urls:
            with self.subTest(url=url):
                response = self.client.get(url + "feed/")
                titles = re.findall(r"<item><title>([^<]+)</title>", response.text)
                self.assertEqual(titles, ["A recent story", "An old story"])

    def test_deep_pages_query_budget(self):
        for number in range(13):
            self.make(
                headline=f"Filler {number}",
                published_at=timezone.now() - datetime.timedelta(days=2, hours=number),
            )
        for url in self.urls:
            with self.subTest(url=url):
                deep = url + older_link(self.client.get(url))[1:]

                def grow():
                    for _ in range(4):
                        self.make(published_at=timezone.now() - datetime.timedelta(days=60))

                self.assertQueriesDoNotGrow(deep, grow)
                # the page's article ids, from the entries (cards and subject are fragments)
                with self.assertNumQueries(1):
                    self.assertContains(self.client.get(deep), "An old story")


def headlines(response) -> list[str]:
    return re.findall(r'<h[23] class="teaser__headline">\s*<a[^>]*>([^<]+)</a>', response.text)


class ConcurrentWritesTests(TransactionTestCase):
    """A topic or byline added while another transaction reschedules the article."""

    def test_entries_added_meanwhile_take_the_committed_publish_time(self):
        author = make_author("Ana Ruiz")
        article = make_article(tags=["Ceasefire"])
        later = timezone.now() + datetime.timedelta(days=1)

        def add_topic_and_byline():
            try:
                article.tags.add("Energy")
                Byline.objects.create(article=article, author=author)
            finally:
                connection.close()

        editor = threading.Thread(target=add_topic_and_byline)
        with transaction.atomic():  # the admin's publish action, say
            Article.objects.filter(pk=article.pk).update(published_at=later)
            editor.start()
            # The editor's writes wait for this transaction (unless they copied the old time).
            editor.join(timeout=1)
        editor.join()
        self.assertEqual(
            set(TopicEntry.objects.filter(article=article).values_list("published_at", flat=True)),
            {later},
        )
        self.assertEqual(AuthorEntry.objects.get(article=article).published_at, later)
