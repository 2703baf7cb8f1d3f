"""With the whole-page cache off, pages are built from fragments cached under the content
version: what an editor saves shows on the next request, and a scheduled article at its
time, exactly as if nothing were cached."""

import datetime

from django.utils import timezone
from taggit.models import Tag

from articles.models import Article, Byline, Correction
from publication.models import AuthorLink, SiteSettings
from publication.page_cache import bump_content_version
from tests.factories import (
    TemporaryMediaTestCase,
    clock_at,
    make_article,
    make_author,
    make_creator,
    make_photo,
    make_section,
    make_site,
    make_user,
)


class ArticlePageFragmentTests(TemporaryMediaTestCase):
    @classmethod
    def setUpTestData(cls):
        make_site()
        cls.section = make_section("Europe")
        cls.creator = make_creator("Jane Doe")
        cls.photo = make_photo(creator=cls.creator)
        cls.body_photo = make_photo(caption="Delegates arrive")
        cls.article = make_article(
            headline="Ceasefire talks resume",
            body=(
                "<p>Talks resumed on Monday.</p>"
                f'<figure class="image"><img src="{cls.body_photo.image.url}" alt="Delegates">'
                "</figure>"
            ),
            section=cls.section,
            lead_photo=cls.photo,
            authors=[make_author("Ana Ruiz")],
            tags=["Truce"],
        )
        cls.other = make_article(headline="Winter offensive", section=cls.section)
        cls.url = cls.article.get_absolute_url()

    def assertChangeShows(self, change, text):
        self.client.get(self.url)  # the page's fragment is cached now
        self.assertNotContains(self.client.get(self.url), text)
        change()
        self.assertContains(self.client.get(self.url), text)

    def test_a_tracking_parameter_is_served_from_the_same_fragment(self):
        self.client.get(self.url)
        # Each shared link carries its own ?fbclid=: a new address for the whole-page cache,
        # the same fragment here.
        with self.assertNumQueries(1):
            response = self.client.get(self.url + "?fbclid=abc123")
        self.assertContains(response, "Talks resumed on Monday.")

    def test_body_edit(self):
        def change():
            self.article.body = "<p>Talks broke down at midnight.</p>"
            self.article.save()

        self.assertChangeShows(change, "Talks broke down at midnight.")

    def test_body_html_stored_past_save_is_cleaned_before_it_is_cached(self):
        # A row written by update() never passes save()'s cleaning.
        Article.objects.filter(pk=self.article.pk).update(
            body='<p>Hello</p><img src="x" onerror="alert(1)"><script>alert(2)</script>'
        )
        for _ in range(2):  # rendered, then from the fragment
            response = self.client.get(self.url)
            self.assertContains(response, "<p>Hello</p>")
            for fragment in ("onerror", "alert(", "<script>alert"):
                self.assertNotContains(response, fragment)

    def test_byline_and_correction(self):
        self.assertChangeShows(
            lambda: Byline.objects.create(article=self.article, author=make_author("Bo Li")),
            "Bo Li",
        )
        self.assertChangeShows(
            lambda: Correction.objects.create(article=self.article, text="An earlier version"),
            "An earlier version",
        )

    def test_photo_credit_in_the_body_and_under_the_lead_photo(self):
        def credit_body_photo():
            self.body_photo.creator = make_creator("Piotr Nowak")
            self.body_photo.save()

        self.assertChangeShows(credit_body_photo, "Piotr Nowak")

        def rename():
            self.creator.name = "Janet Doe"
            self.creator.save()

        self.assertChangeShows(rename, "Janet Doe")

    def test_another_article_in_the_rivers(self):
        def change():
            self.other.headline = "Spring offensive"
            self.other.save()

        self.assertChangeShows(change, "Spring offensive")

    def test_unpublishing_makes_the_page_go_away(self):
        self.client.get(self.url)
        Article.objects.filter(pk=self.article.pk).update(status=Article.Status.DRAFT)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_a_scheduled_article_joins_the_latest_river_at_its_time(self):
        publish_at = timezone.now() + datetime.timedelta(minutes=5)
        make_article(headline="Embargoed story", published_at=publish_at)
        self.assertNotContains(self.client.get(self.url), "Embargoed story")
        later = publish_at + datetime.timedelta(seconds=1)
        with clock_at(later):
            self.assertContains(self.client.get(self.url), "Embargoed story")


class ProcessCopyTests(TemporaryMediaTestCase):
    """The site chrome and the featured articles are also kept in each process, for the
    content version they were read under."""

    @classmethod
    def setUpTestData(cls):
        cls.site = make_site()
        cls.featured = make_article(headline="Ceasefire talks resume", featured=True)

    def test_a_change_made_by_another_process_shows_here_on_the_next_request(self):
        self.assertContains(self.client.get("/"), "The Meridian")
        # Another process saves: the rows change and the shared version moves on; this
        # process's own signals never fire.
        SiteSettings.objects.filter(pk=self.site.pk).update(name="The Southern Cross")
        Article.objects.filter(pk=self.featured.pk).update(featured=False)
        bump_content_version()
        response = self.client.get("/")
        self.assertContains(response, "The Southern Cross")
        self.assertNotContains(response, '<section class="featured"')

    def test_previews_never_use_the_process_copy(self):
        self.client.get("/")
        SiteSettings.objects.filter(pk=self.site.pk).update(name="The Southern Cross")
        staff = make_user(is_staff=True, is_superuser=True)
        self.client.force_login(staff)
        preview = self.client.get(f"/preview/{self.featured.pk}/")
        self.assertContains(preview, "The Southern Cross")


class ListingFragmentTests(TemporaryMediaTestCase):
    """A listing's subject (its header) and its cards are fragments: edits show at once."""

    @classmethod
    def setUpTestData(cls):
        make_site()
        cls.section = make_section("Europe", description="Our European desk.")
        cls.author = make_author("Ana Ruiz")
        cls.article = make_article(
            headline="Ceasefire talks resume",
            section=cls.section,
            authors=[cls.author],
            tags=["Truce"],
        )

    def test_section_description_author_link_and_topic_rename(self):
        url = self.section.get_absolute_url()
        self.client.get(url)
        self.section.description = "Reporting from Brussels."
        self.section.save()
        self.assertContains(self.client.get(url), "Reporting from Brussels.")

        url = self.author.get_absolute_url()
        self.client.get(url)
        AuthorLink.objects.create(author=self.author, url="https://example.org/", label="Blog")
        self.assertContains(self.client.get(url), ">Blog</a>")

        self.client.get("/topic/truce/")
        tag = Tag.objects.get(slug="truce")
        tag.name = "Armistice"
        tag.save()
        self.assertContains(self.client.get("/topic/truce/"), "Armistice")

    def test_a_card_follows_its_article(self):
        url = self.section.get_absolute_url()
        self.client.get(url)
        self.article.headline = "Talks collapse"
        self.article.save()
        self.assertContains(self.client.get(url), "Talks collapse")

    def test_unknown_subjects_of_any_spelling_are_not_found(self):
        for url in ["/section/nowhere/", "/topic/a b/", "/topic/ünknown/", "/authors/nobody/"]:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)
