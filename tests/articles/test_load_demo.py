"""`manage.py load_demo` fills an empty database with a browsable magazine, once."""

from io import StringIO
from pathlib import Path

from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.test import RequestFactory, override_settings
from taggit.models import Tag, TaggedItem

from articles import seo
from articles.models import Article, Byline, Kind
from publication.models import (
    Author,
    AuthorLink,
    Creator,
    Photo,
    Section,
    SiteSettings,
    SocialLink,
)
from tests.factories import TemporaryMediaTestCase

# django-axes checks every login against the request it came with.
LOGIN_REQUEST = RequestFactory().post("/admin/login/")

COUNTED = [
    Section,
    Kind,
    Creator,
    Photo,
    Author,
    AuthorLink,
    Article,
    Byline,
    Tag,
    TaggedItem,
    SocialLink,
    User,
]
LEAD_ARTICLE = "can-europe-keep-black-sea-shipping-safe-without-washingtons-help"


def counts():
    return {model.__name__: model.objects.count() for model in COUNTED}


def file_sizes(media_root):
    return {str(path): path.stat().st_size for path in Path(media_root).rglob("*.*")}


@override_settings(DEBUG=True)
class LoadDemoTests(TemporaryMediaTestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("load_demo", stdout=StringIO())
        cls.first_counts = counts()
        cls.first_files = file_sizes(cls.media_root)
        cls.first_times = dict(Article.objects.values_list("slug", "published_at"))
        cls.second_output = StringIO()
        call_command("load_demo", stdout=cls.second_output)

    def test_creates_a_whole_magazine(self):
        self.assertGreaterEqual(Section.objects.count(), 3)
        self.assertGreaterEqual(Kind.objects.count(), 3)
        self.assertGreaterEqual(Author.objects.count(), 4)
        self.assertGreaterEqual(Article.objects.live().count(), 15)
        self.assertEqual(Article.objects.scheduled().count(), 1)
        self.assertEqual(Article.objects.drafts().count(), 1)
        self.assertEqual(Article.objects.live().filter(featured=True).count(), 2)
        self.assertGreaterEqual(Author.objects.filter(photo__isnull=False).count(), 2)
        self.assertTrue(Article.objects.filter(body_photos__isnull=False).exists())

    def test_site_settings_have_name_blurb_links_and_topics(self):
        site = SiteSettings.load()
        self.assertEqual(site.name, "The Meridian")
        self.assertTrue(30 <= len(site.newsletter_blurb.split()) <= 40)
        self.assertGreaterEqual(site.social_links.count(), 3)
        self.assertIn("Trump transition", [tag.name for tag in site.nav_topics.all()])

    def test_every_credit_shape_from_the_seed_page_exists(self):
        credits = [photo.credit for photo in Photo.objects.with_credit()]
        shapes = {
            "photographer / agency site": "Lena Marsh / stockfoto.example",
            "TV screenshot": "Mirela Dobre (Danube TV screenshot)",
            "video channel address": "video.example/@straitwatch (video still)",
            "two images together": "Ilse Vandermeer (stockfoto.example/Pieter Claes) and "
            "Rafael Ortiz (stockfoto.example/Nadia Haddad)",
            "handout": "Council of Ministers Press Office (handout)",
            "file photo": "Tomasz Wierzba / Northlight Images (file photo)",
            "photo illustration": "Hana Sato (photo illustration)",
        }
        for shape, credit in shapes.items():
            with self.subTest(shape):
                self.assertIn(credit, credits)
        self.assertTrue(Photo.objects.without_credit().exists())

    def test_some_licences_have_expired_or_expire_soon(self):
        self.assertEqual(Photo.objects.license_expired().count(), 1)
        self.assertEqual(Photo.objects.license_expiring().count(), 1)

    def test_bylines_show_co_authors_photographers_and_reporting(self):
        texts = {article.byline_text for article in Article.objects.all()}
        self.assertIn("By Clara Weiss and Ruben Akopyan", texts)
        self.assertIn("By Daniel Okafor; photos by Amara Osei", texts)
        self.assertIn("By Clara Weiss; reporting by Jonas Lindqvist", texts)

    def test_the_photographer_who_writes_is_one_person(self):
        amara = Author.objects.get(name="Amara Osei")
        self.assertEqual(Creator.objects.get(name="Amara Osei").author, amara)

    def test_articles_are_found_by_their_authors_names(self):
        # The loader writes bylines in bulk, after each article's own save.
        bylined = Article.objects.filter(bylines__author__name="Amara Osei")
        self.assertTrue(bylined.live().exists())
        response = self.client.get("/search/?q=osei")
        for article in bylined.live():
            self.assertContains(response, article.headline)

    def test_most_teasers_have_more_to_read(self):
        articles = list(Article.objects.live())
        with_more = [article for article in articles if article.teaser_more]
        self.assertGreater(len(with_more), len(articles) * 3 / 4)
        self.assertTrue(Article.objects.live().exclude(teaser="").exists())

    def test_every_long_headline_has_a_search_title_that_fits(self):
        for headline, title in Article.objects.values_list("headline", "seo_title"):
            with self.subTest(headline):
                if len(headline) > seo.TITLE_MAX_LENGTH:
                    self.assertTrue(0 < len(title) <= seo.TITLE_MAX_LENGTH, title)
                else:
                    self.assertEqual(title, "")

    def test_second_run_changes_nothing(self):
        self.assertEqual(len(self.first_files), Photo.objects.count())
        self.assertEqual(counts(), self.first_counts)
        self.assertEqual(file_sizes(self.media_root), self.first_files)
        self.assertEqual(
            dict(Article.objects.values_list("slug", "published_at")), self.first_times
        )
        self.assertIn("nothing was changed", self.second_output.getvalue())

    def test_editor_and_admin_can_log_in(self):
        self.assertTrue(
            self.client.login(request=LOGIN_REQUEST, username="editor", password="editor")
        )
        editor = User.objects.get(username="editor")
        self.assertTrue(editor.is_staff)
        self.assertFalse(editor.is_superuser)
        self.assertTrue(editor.groups.filter(name="Editors").exists())
        self.assertTrue(User.objects.get(username="admin").is_superuser)
        self.assertTrue(
            self.client.login(request=LOGIN_REQUEST, username="admin", password="admin")
        )

    def test_home_page_shows_teaser_cards_with_credits(self):
        response = self.client.get("/")
        self.assertContains(response, "Can Europe keep Black Sea shipping safe")
        self.assertContains(response, "Top image credit: Mirela Dobre (Danube TV screenshot)")
        self.assertContains(response, "keep reading")
        self.assertNotContains(response, "credit: :")
        self.assertNotContains(response, "credit: </p>")

    def test_lead_article_page_renders_body_figure_and_credit(self):
        response = self.client.get(Article.objects.get(slug=LEAD_ARTICLE).get_absolute_url())
        self.assertContains(response, "Can Europe keep Black Sea shipping safe")
        self.assertContains(response, '<figure class="body-figure">')
        self.assertContains(response, 'Photo credit: <a href="/credits/lena-marsh/">Lena Marsh</a>')
        self.assertContains(response, "<blockquote>")


@override_settings(DEBUG=True)
class LoadDemoIntoExistingDataTests(TemporaryMediaTestCase):
    def test_reuses_existing_sections_and_fills_in_their_blanks(self):
        Section.objects.create(name="Global Crises", slug="global-crises")
        Kind.objects.create(name="Analysis", slug="analysis")
        call_command("load_demo", stdout=StringIO())
        section = Section.objects.get(slug="global-crises")
        self.assertTrue(section.description)
        self.assertTrue(section.articles.exists())
        self.assertEqual(Kind.objects.filter(slug="analysis").count(), 1)

    def test_failed_run_leaves_no_rows_and_no_image_files(self):
        Group.objects.filter(name="Editors").delete()
        with self.assertRaises(Group.DoesNotExist):
            call_command("load_demo", stdout=StringIO())
        self.assertFalse(Photo.objects.exists())
        self.assertFalse(Article.objects.exists())
        self.assertEqual(file_sizes(self.media_root), {})


class LoadDemoInProductionTests(TemporaryMediaTestCase):
    def test_no_logins_with_known_passwords_are_created_without_debug(self):
        output = StringIO()
        call_command("load_demo", stdout=output)
        self.assertFalse(User.objects.exists())
        self.assertIn("no demo logins were created", output.getvalue())
        self.assertTrue(Article.objects.exists())


@override_settings(DEBUG=True)
class LoadDemoAfterEditsTests(TemporaryMediaTestCase):
    """Editors change the demo's records (a photo's alt text, an address): `make demo`, run
    by every `make run`, finds them still and adds no second copy."""

    @classmethod
    def setUpTestData(cls):
        call_command("load_demo", stdout=StringIO())
        photo = Article.objects.get(slug=LEAD_ARTICLE).lead_photo
        photo.alt_text = "Tankers wait in the Bosphorus (alt text reworded by an editor)"
        photo.save()
        for instance in (
            Article.objects.get(slug=LEAD_ARTICLE),
            Section.objects.get(slug="global-crises"),
            Kind.objects.get(slug="analysis"),
            Author.objects.order_by("pk").first(),
            Creator.objects.get(slug="lena-marsh"),
        ):
            instance.slug += "-renamed"
            instance.save()
        cls.edited_counts = counts()
        cls.edited_files = file_sizes(cls.media_root)
        call_command("load_demo", stdout=StringIO())

    def test_nothing_is_created_again(self):
        self.assertEqual(counts(), self.edited_counts)
        self.assertEqual(file_sizes(self.media_root), self.edited_files)

    def test_old_addresses_still_lead_to_the_edited_records(self):
        response = self.client.get(f"/articles/{LEAD_ARTICLE}/")
        self.assertRedirects(response, f"/articles/{LEAD_ARTICLE}-renamed/", 301)

    def test_an_article_made_again_reuses_its_photo_though_its_alt_text_was_reworded(self):
        article = Article.objects.filter(lead_photo__isnull=False).exclude(
            lead_photo=Article.objects.get(slug=f"{LEAD_ARTICLE}-renamed").lead_photo
        )[0]
        photo = article.lead_photo
        photo.alt_text = "Reworded by an editor"
        photo.save()
        article.delete()  # an editor deleted it: the demo makes it again
        photos = Photo.objects.count()
        call_command("load_demo", stdout=StringIO())
        self.assertEqual(Article.objects.get(slug=article.slug).lead_photo, photo)
        self.assertEqual(Photo.objects.count(), photos)
