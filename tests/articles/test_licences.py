"""A photo whose licence has expired is withdrawn from every place readers, feed readers,
search engines and social networks see it; editors are told, and cannot publish it."""

import datetime
import json
import re
from unittest import mock

import feedparser
from django.core.cache import cache
from django.test import SimpleTestCase
from django.utils import timezone

from articles.models import Article
from newsletter.models import Roundup, RoundupItem
from publication.models import Photo
from publication.renditions import credit_record, xmp_packet
from tests.factories import (
    AdminTestCase,
    TemporaryMediaTestCase,
    article_change_url,
    article_form_data,
    make_article,
    make_author,
    make_creator,
    make_photo,
    make_share_link,
    make_site,
)

LD_JSON = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)
OG_IMAGE = re.compile(r'<meta property="og:image" content="([^"]*)">')
TWITTER_IMAGE = re.compile(r'<meta name="twitter:image" content="([^"]*)">')


def today():
    return timezone.localdate()


def days(number):
    return datetime.timedelta(days=number)


def body_with(expired, valid):
    return (
        "<p>Opening paragraph.</p>"
        f'<figure class="image"><img src="{expired.image.url}" alt="Expired body photo">'
        "<figcaption>Caption of the expired figure</figcaption></figure>"
        f'<figure class="image"><img src="{valid.image.url}" alt="Valid body photo"></figure>'
        f'<p>Inline <img src="{expired.image.url}" alt="Inline expired photo"> here.</p>'
        # Pasted HTML: figures whose image sits in a link, one without an image at all.
        f'<figure><a href="https://agency.example/story"><img src="{expired.image.url}" '
        'alt="Linked expired photo"></a><figcaption>Caption of the linked figure</figcaption>'
        f'</figure><figure><a href="https://valid.example/"><img src="{valid.image.url}" '
        'alt="Linked valid photo"></a><figcaption>Linked valid caption</figcaption></figure>'
        '<figure class="table"><table><tbody><tr><td>Table cell</td></tr></tbody></table>'
        f'</figure><p>A <a href="https://agency.example/inline"><img src="{expired.image.url}" '
        'alt="Inline linked expired photo"></a> link.</p>'
    )


class WithdrawnPhotoTests(TemporaryMediaTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.share_photo = make_photo(alt_text="Site share picture")
        make_site(share_photo=cls.share_photo)
        cls.expired = make_photo(
            alt_text="Expired harbour",
            caption="Caption of the expired lead",
            creator=make_creator("Jane Lapsed"),
            license_url="https://agency.example/licences/1",
            license_expires_on=today() - days(1),
            may_redistribute=True,
        )
        # Its licence's last day is today: still shown.
        cls.valid = make_photo(
            alt_text="Licensed harbour",
            creator=make_creator("Tom Valid"),
            license_expires_on=today(),
            may_redistribute=True,
        )
        cls.body_expired = make_photo(
            alt_text="Expired body photo", license_expires_on=today() - days(1)
        )
        cls.author = make_author("Ana Ruiz")
        cls.portrait = make_photo(alt_text="Expired portrait", license_expires_on=today() - days(3))
        cls.portrayed = make_author("Bo Lind", photo=cls.portrait)
        cls.withdrawn = make_article(
            headline="Withdrawn story",
            lead_photo=cls.expired,
            body=body_with(cls.body_expired, cls.valid),
            authors=[cls.author, cls.portrayed],
            published_at=timezone.now() - datetime.timedelta(hours=1),
        )
        cls.pictured = make_article(
            headline="Pictured story",
            lead_photo=cls.valid,
            authors=[cls.author],
            published_at=timezone.now() - datetime.timedelta(hours=2),
        )

    def setUp(self):
        cache.clear()

    def assertWithdrawn(self, response, *photos):
        html = response.content.decode()
        for photo in photos:
            self.assertNotIn(photo.image.url, html)
            self.assertNotIn(photo.alt_text, html)

    def test_rule_in_python_and_in_sql_agree_on_the_boundary_day(self):
        for expires_on, withdrawn in [
            (None, False),
            (today() + days(1), False),
            (today(), False),  # the last licensed day
            (today() - days(1), True),
        ]:
            with self.subTest(expires_on=expires_on):
                photo = Photo(license_expires_on=expires_on)
                self.assertEqual(photo.is_withdrawn, withdrawn)
                Photo.objects.filter(pk=self.valid.pk).update(license_expires_on=expires_on)
                self.assertEqual(
                    Photo.objects.license_expired().filter(pk=self.valid.pk).exists(), withdrawn
                )

    def test_article_page_leaves_out_the_lead_and_body_figures(self):
        response = self.client.get(self.withdrawn.get_absolute_url())
        self.assertEqual(response.status_code, 200)
        self.assertWithdrawn(response, self.expired, self.body_expired)
        html = response.content.decode()
        for gone in [
            "Caption of the expired lead",
            "Jane Lapsed",
            "Caption of the expired figure",
            "Inline expired photo",
            'class="article__lead"',
            # The whole linked figure goes, not only its image; an emptied link too.
            "Caption of the linked figure",
            "agency.example/story",
            "agency.example/inline",
        ]:
            self.assertNotIn(gone, html)
        self.assertContains(response, "Opening paragraph.")
        self.assertContains(response, 'alt="Valid body photo"')
        self.assertContains(response, " here.</p>")
        self.assertContains(response, "<p>A  link.</p>", html=True)
        self.assertContains(response, 'href="https://valid.example/"')
        self.assertContains(response, "Linked valid caption")
        self.assertContains(response, "Table cell")

    def test_share_image_and_json_ld_fall_back_to_the_site_default(self):
        response = self.client.get(self.withdrawn.get_absolute_url())
        default = self.share_photo.social_image()["url"]
        self.assertEqual(OG_IMAGE.findall(response.content.decode()), [default])
        self.assertEqual(TWITTER_IMAGE.findall(response.content.decode()), [default])
        news, _ = json.loads(LD_JSON.search(response.content.decode())[1])
        self.assertNotIn("image", news)
        self.assertNotIn("acquireLicensePage", response.content.decode())

    def test_a_photo_is_shown_on_its_last_licensed_day_and_withdrawn_the_next(self):
        response = self.client.get(self.pictured.get_absolute_url())
        image = self.valid.social_image()["url"]
        self.assertContains(response, 'class="article__lead"')
        self.assertContains(response, "Tom Valid")
        self.assertEqual(OG_IMAGE.findall(response.content.decode()), [image])
        news, _ = json.loads(LD_JSON.search(response.content.decode())[1])
        self.assertEqual([shape["url"] for shape in news["image"]], [image])
        cache.clear()
        with mock.patch("django.utils.timezone.now", return_value=timezone.now() + days(1)):
            response = self.client.get(self.pictured.get_absolute_url())
        self.assertWithdrawn(response, self.valid)
        self.assertNotContains(response, 'class="article__lead"')

    def test_teaser_cards_show_no_image_and_the_page_is_shared_with_a_valid_one(self):
        response = self.client.get("/")
        self.assertContains(response, "Withdrawn story")
        self.assertContains(response, self.valid.image.url)
        self.assertWithdrawn(response, self.expired)
        # The newest article's lead is withdrawn: the next one's image shares the page.
        self.assertEqual(
            OG_IMAGE.findall(response.content.decode()), [self.valid.social_image()["url"]]
        )

    def test_search_results_are_not_shared_with_a_withdrawn_image(self):
        response = self.client.get("/search/", {"q": "withdrawn story"})
        self.assertContains(response, "Withdrawn story")
        self.assertEqual(
            OG_IMAGE.findall(response.content.decode()), [self.share_photo.social_image()["url"]]
        )

    def test_image_sitemap_lists_only_images_readers_may_see(self):
        response = self.client.get("/sitemap-articles.xml")
        self.assertContains(response, f"<image:loc>{self.valid.social_image()['url']}</image:loc>")
        self.assertContains(response, "<image:image>", count=1)

    def test_feeds_leave_the_photos_out_of_the_enclosure_and_the_content(self):
        feed = feedparser.parse(self.client.get("/feed/").content)
        entries = {entry.title: entry for entry in feed.entries}
        self.assertEqual(entries["Withdrawn story"].enclosures, [])
        self.assertEqual(len(entries["Pictured story"].enclosures), 1)
        content = entries["Withdrawn story"].content[0].value
        self.assertNotIn(self.body_expired.image.url, content)
        self.assertIn("Valid body photo", content)

    def test_author_portrait_is_withdrawn(self):
        response = self.client.get(self.portrayed.get_absolute_url())
        self.assertContains(response, "Bo Lind")
        self.assertWithdrawn(response, self.portrait)

    def test_newsletter_archive_page_is_shared_with_a_valid_image(self):
        roundup = Roundup.objects.create(
            subject="This week", status=Roundup.Status.SENT, sent_at=timezone.now()
        )
        RoundupItem.objects.create(roundup=roundup, article=self.withdrawn, order=0)
        RoundupItem.objects.create(roundup=roundup, article=self.pictured, order=1)
        response = self.client.get(roundup.get_absolute_url())
        self.assertEqual(
            OG_IMAGE.findall(response.content.decode()), [self.valid.social_image()["url"]]
        )

    def test_a_share_link_shows_what_readers_see(self):
        link = make_share_link(self.withdrawn)
        response = self.client.get(link.get_absolute_url())
        self.assertContains(response, "Withdrawn story")
        self.assertNotContains(response, self.expired.image.url)
        self.assertNotContains(response, self.body_expired.image.url)


class LicencePageTests(SimpleTestCase):
    """A source or licence URL is not an offer to license the image: only the licence page
    makes search engines show "License this image", in structured data and in the files."""

    def test_without_a_licence_page_the_image_is_not_offered_for_licensing(self):
        photo = Photo(alt_text="A quay", license_url="https://video.example/@channel/about")
        self.assertEqual(photo.image_object()["license"], photo.license_url)
        self.assertNotIn("acquireLicensePage", photo.image_object())
        self.assertNotIn(b"LicensorURL", xmp_packet(credit_record(photo)))

    def test_the_licence_page_is_where_to_acquire_a_licence(self):
        photo = Photo(
            alt_text="A quay",
            license_url="https://agency.example/licences/editorial",
            license_page_url="https://agency.example/photo/123/buy",
        )
        self.assertEqual(photo.image_object()["license"], photo.license_url)
        self.assertEqual(photo.image_object()["acquireLicensePage"], photo.license_page_url)
        packet = xmp_packet(credit_record(photo)).decode()
        self.assertIn("<plus:LicensorURL>https://agency.example/photo/123/buy<", packet)
        self.assertIn("<xmpRights:WebStatement>https://agency.example/licences/editorial<", packet)


class EditorTests(AdminTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.author = make_author("Ana Ruiz")
        cls.expired = make_photo(
            alt_text="Expired harbour",
            credit_text="Jane Lapsed / agency.example",
            license_expires_on=today() - days(1),
        )
        cls.expiring = make_photo(
            alt_text="Expiring harbour",
            credit_text="Tom Soon / agency.example",
            license_expires_on=today() + days(5),
        )
        cls.draft = make_article(
            headline="A draft", status=Article.Status.DRAFT, authors=[cls.author]
        )

    def assertRefused(self, response, reason):
        self.assertContains(response, reason)
        self.assertFalse(Article.objects.filter(pk=self.draft.pk, status="published").exists())

    def test_publishing_with_an_expired_lead_photo_is_refused(self):
        response = self.client.post(
            article_change_url(self.draft),
            article_form_data(self.draft, lead_photo=self.expired.pk, _publish="Publish now"),
        )
        ended = f"{self.expired.license_expires_on:%-d %B %Y}"
        self.assertRefused(
            response,
            "Not published: it needs a lead photo whose licence has not expired (this one’s "
            f"expired on {ended}).",
        )

    def schedule(self, publish_at):
        return self.client.post(
            article_change_url(self.draft),
            article_form_data(
                self.draft,
                lead_photo=self.expiring.pk,
                published_at_0=f"{publish_at:%Y-%m-%d}",
                published_at_1="09:00:00",
                _schedule="Schedule",
            ),
        )

    def test_scheduling_past_the_lead_photos_licence_is_refused(self):
        ends = f"{self.expiring.license_expires_on:%-d %B %Y}"
        self.assertRefused(
            self.schedule(timezone.localtime() + days(10)),
            f"a lead photo licensed on its publish date (this one’s licence ends on {ends})",
        )
        # Within the licence, the same photo may be scheduled.
        self.assertEqual(self.schedule(timezone.localtime() + days(2)).status_code, 302)
        self.assertTrue(Article.objects.scheduled().filter(pk=self.draft.pk).exists())

    def test_publish_now_action_refuses_an_expired_lead_photo(self):
        Article.objects.filter(pk=self.draft.pk).update(lead_photo=self.expired)
        response = self.client.post(
            "/admin/articles/article/",
            {"action": "publish_now", "_selected_action": [self.draft.pk]},
            follow=True,
        )
        self.assertRefused(response, "a lead photo whose licence has not expired")

    def test_article_list_filters_articles_whose_lead_photo_is_withdrawn(self):
        withdrawn = make_article(headline="Lead gone", lead_photo=self.expired)
        make_article(headline="Lead soon gone", lead_photo=self.expiring)
        response = self.client.get("/admin/articles/article/", {"lead_credit": "withdrawn"})
        self.assertEqual(list(response.context["cl"].result_list), [withdrawn])

    def test_change_form_warns_of_withdrawn_and_expiring_photos_of_a_live_article(self):
        body = f'<figure class="image"><img src="{self.expired.image.url}" alt="x"></figure>'
        live = make_article(lead_photo=self.expiring, body=body, authors=[self.author])
        response = self.client.get(article_change_url(live))
        ends = f"{self.expiring.license_expires_on:%-d %B %Y}"
        ended = f"{self.expired.license_expires_on:%-d %B %Y}"
        self.assertContains(
            response, f"The lead photo is withdrawn after {ends}, when its licence runs out."
        )
        self.assertContains(
            response,
            f"The photo “Expired harbour” in the body is withdrawn: its licence expired on "
            f"{ended}.",
        )

    def test_saving_a_past_licence_date_says_how_many_live_articles_lose_the_photo(self):
        photo = make_photo(alt_text="Quay at dusk", credit_text="Jane Doe / agency.example")
        make_article(lead_photo=photo)
        response = self.client.post(
            f"/admin/publication/photo/{photo.pk}/change/",
            {
                "alt_text": photo.alt_text,
                "credit_type": photo.credit_type,
                "credit_text": photo.credit_text,
                "focal_x": 0.5,
                "focal_y": 0.5,
                "license_expires_on": (today() - days(2)).isoformat(),
            },
            follow=True,
        )
        ended = f"{today() - days(2):%-d %B %Y}"
        self.assertContains(
            response,
            f"This photo is withdrawn: its licence expired on {ended}. 1 live article shows "
            "it: replace it there, or enter the renewed licence&#x27;s date.",
        )

    def test_preview_shows_what_readers_see_and_tells_the_editor_why(self):
        Article.objects.filter(pk=self.draft.pk).update(lead_photo=self.expired)
        response = self.client.get(f"/preview/{self.draft.pk}/")
        self.assertNotContains(response, self.expired.image.url)
        ended = f"{self.expired.license_expires_on:%-d %B %Y}"
        self.assertContains(
            response, f"The lead photo is withdrawn: its licence expired on {ended}."
        )
