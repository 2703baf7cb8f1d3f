"""The database refuses a slug its public URL cannot hold, however the row is written."""

import importlib

from django.apps import apps
from django.db import IntegrityError, connection, transaction
from django.forms import modelform_factory
from django.test import TestCase
from taggit.models import Tag

from articles.models import Article, Kind
from publication.models import Author, Creator, Section
from tests.factories import make_article, make_author, make_creator, make_kind, make_section

# Each is refused by the <slug:> converter, so reversing the URL of a card failed.
BAD_SLUGS = ["two words", "a/b", "tab\there", "bell\x07", "line\nbreak", "zürich", "", "a.b"]
# Names the app's own slug making must turn into a slug the constraint accepts.
HOSTILE_NAMES = ["!!!", "€", "中国", "Ελλάδα", "हिन्दी", "C++", "Zürich / Genève", "  ", "Ça va?"]


def migration(app: str, name: str):
    return importlib.import_module(f"{app}.migrations.{name}")


class SlugConstraintTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.rows = [
            make_section("Europe"),
            make_creator("Ana Lens"),
            make_author("Ben Writer"),
            make_kind("Analysis"),
        ]
        cls.rows.append(make_article(section=cls.rows[0], kind=cls.rows[3]))

    def test_update_with_a_slug_no_url_can_hold_is_refused(self):
        for row in self.rows:
            for slug in BAD_SLUGS:
                with (
                    self.subTest(model=type(row).__name__, slug=slug),
                    self.assertRaises(IntegrityError),
                    transaction.atomic(),
                ):
                    type(row).objects.filter(pk=row.pk).update(slug=slug)

    def test_topic_slug_with_a_slash_or_empty_is_refused(self):
        tag = Tag.objects.create(name="Climate")
        for slug in ["a/b", "/", ""]:
            with self.subTest(slug=slug), self.assertRaises(IntegrityError), transaction.atomic():
                Tag.objects.filter(pk=tag.pk).update(slug=slug)

    def test_topic_route_slugs_are_accepted_in_any_script(self):
        # The topic route is <str:>, so non-Latin slugs (and anything but "/") reverse.
        tag = Tag.objects.create(name="Climate")
        for slug in ["zürich", "中国", "ελλάδα", "c-sharp"]:
            with self.subTest(slug=slug):
                Tag.objects.filter(pk=tag.pk).update(slug=slug)
                tag.refresh_from_db()
                self.assertEqual(tag.slug, slug)

    def test_slugs_the_app_makes_pass(self):
        for name in HOSTILE_NAMES:
            with self.subTest(name=name):
                # named() refuses a blank name; every other name gets a row.
                if name.strip():
                    for model in (Creator, Author):
                        row, _ = model.objects.named(name)
                        self.assertRegex(row.slug, r"^[-a-zA-Z0-9_]+$")
                    tag = Tag.objects.create(name=name)
                    self.assertNotIn("/", tag.slug)
                    self.assertTrue(tag.slug)
                article = Article.objects.create(headline=name)
                self.assertRegex(article.slug, r"^[-a-zA-Z0-9_]+$")

    def test_article_form_with_an_empty_slug_is_valid_and_save_makes_one(self):
        form_class = modelform_factory(Article, fields=["headline", "slug", "status"])
        form = form_class({"headline": "Ελλάδα: what next?", "slug": "", "status": "draft"})
        self.assertTrue(form.is_valid(), form.errors)
        self.assertEqual(form.save().slug, "what-next")

    def test_kind_form_reports_a_bad_slug_as_a_form_error(self):
        form = modelform_factory(Kind, fields=["name", "slug", "order"])(
            {"name": "Review", "slug": "two words", "order": 0}
        )
        self.assertFalse(form.is_valid())
        self.assertIn("slug", form.errors)


class RepairBeforeConstraintTests(TestCase):
    """The migrations' repair step: rows stored before the constraint get a usable slug."""

    def without_constraint(self, table: str, constraint: str):
        with connection.cursor() as cursor:
            # Deferred foreign-key checks must run before the table can be altered.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {constraint}")

    def restore(self, table: str, constraint: str, check: str):
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            # Fails if the repair left a bad row behind.
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {constraint} CHECK ({check})")

    def test_publication_repair(self):
        taken = make_section("Two words", slug="two-words")
        bad = make_section("Europe", slug="europe")
        empty = make_section("Asia", slug="asia")
        tag = Tag.objects.create(name="Zürich")
        self.without_constraint("publication_section", "section_slug_fits_url")
        self.without_constraint("taggit_tag", "taggit_tag_slug_fits_url")
        Section.objects.filter(pk=bad.pk).update(slug="two words")
        Section.objects.filter(pk=empty.pk).update(slug="")
        Tag.objects.filter(pk=tag.pk).update(slug="zü/rich")

        migration("publication", "0011_slug_check_constraints").repair(apps, None)

        self.restore("publication_section", "section_slug_fits_url", r"slug ~ '^[-a-zA-Z0-9_]+$'")
        self.restore("taggit_tag", "taggit_tag_slug_fits_url", "slug ~ '^[^/]+$'")
        bad.refresh_from_db()
        empty.refresh_from_db()
        tag.refresh_from_db()
        taken.refresh_from_db()
        self.assertEqual(taken.slug, "two-words")
        self.assertEqual(bad.slug, "two-words-2")  # unique: another section had "two-words"
        self.assertEqual(empty.slug, "asia")
        self.assertEqual(tag.slug, "zürich")

    def test_articles_repair(self):
        article = make_article(headline="Ελλάδα: what next?")
        self.without_constraint("articles_article", "article_slug_fits_url")
        Article.objects.filter(pk=article.pk).update(slug="what next/now")

        migration("articles", "0020_slug_check_constraints").repair(apps, None)

        self.restore("articles_article", "article_slug_fits_url", r"slug ~ '^[-a-zA-Z0-9_]+$'")
        article.refresh_from_db()
        self.assertEqual(article.slug, "what-nextnow")
