import datetime

from django.test import TestCase, override_settings
from django.utils import timezone
from taggit.models import Tag

from publication.context_processors import render_site_chrome
from publication.models import Creator, Photo, SiteSettings, clean_credit_text
from tests.factories import TemporaryMediaTestCase, make_creator, make_photo, make_site


class PhotoCreditTests(TemporaryMediaTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.jane = make_creator("Jane Doe")
        cls.agency = make_creator("stockagency.example", kind=Creator.Kind.ORGANISATION)

    def test_creator_and_source_are_joined_with_a_slash(self):
        photo = make_photo(creator=self.jane, source=self.agency)
        self.assertEqual(photo.credit, "Jane Doe / stockagency.example")

    def test_creator_alone(self):
        self.assertEqual(make_photo(creator=self.jane).credit, "Jane Doe")

    def test_source_alone(self):
        self.assertEqual(make_photo(source=self.agency).credit, "stockagency.example")

    def test_credit_type_other_than_photo_is_added_as_a_suffix(self):
        expected = {
            Photo.CreditType.FILE_PHOTO: "Jane Doe / stockagency.example (file photo)",
            Photo.CreditType.PHOTO_ILLUSTRATION: (
                "Jane Doe / stockagency.example (photo illustration)"
            ),
            Photo.CreditType.SCREENSHOT: "Jane Doe / stockagency.example (screenshot)",
            Photo.CreditType.HANDOUT: "Jane Doe / stockagency.example (handout)",
            Photo.CreditType.VIDEO_STILL: "Jane Doe / stockagency.example (video still)",
        }
        for credit_type, credit in expected.items():
            with self.subTest(credit_type=credit_type):
                photo = make_photo(creator=self.jane, source=self.agency, credit_type=credit_type)
                self.assertEqual(photo.credit, credit)

    def test_free_form_credit_text_wins_over_creator_and_source(self):
        photo = make_photo(
            creator=self.jane,
            source=self.agency,
            credit_type=Photo.CreditType.SCREENSHOT,
            credit_text="Ana Ruiz (Channel 4 screenshot) and Ben Okafor (AP/Jane Doe)",
        )
        self.assertEqual(
            photo.credit, "Ana Ruiz (Channel 4 screenshot) and Ben Okafor (AP/Jane Doe)"
        )
        self.assertEqual(
            photo.credit_html, "Ana Ruiz (Channel 4 screenshot) and Ben Okafor (AP/Jane Doe)"
        )

    def test_pasted_label_and_stray_colons_are_removed_on_save(self):
        for pasted in [
            "Photo credit: : Jane Doe / stockagency.example",
            "Top photo credit: Jane Doe / stockagency.example",
            "  : Jane Doe / stockagency.example",
            "CREDIT: Jane Doe / stockagency.example",
        ]:
            with self.subTest(pasted=pasted):
                photo = make_photo(credit_text=pasted)
                photo.refresh_from_db()
                self.assertEqual(photo.credit_text, "Jane Doe / stockagency.example")
                self.assertEqual(photo.credit, "Jane Doe / stockagency.example")

    def test_any_pasted_photo_image_or_illustration_label_is_removed_on_save(self):
        for label in ["photo credit", "image credit", "illustration credit"]:
            for pasted in [
                f"{label.capitalize()}: https://youtube.example/@channel",
                f"Top {label}: https://youtube.example/@channel",
                f"TOP  {label.upper()} :https://youtube.example/@channel",
                f"Photo credit: Top {label}: : https://youtube.example/@channel",
            ]:
                with self.subTest(pasted=pasted):
                    self.assertEqual(clean_credit_text(pasted), "https://youtube.example/@channel")
        photo = make_photo(credit_text="Top image credit: https://youtube.example/@channel")
        photo.refresh_from_db()
        self.assertEqual(photo.credit_text, "https://youtube.example/@channel")

    def test_credit_label_follows_the_credit_type(self):
        expected = {
            Photo.CreditType.PHOTO: "photo credit",
            Photo.CreditType.FILE_PHOTO: "photo credit",
            Photo.CreditType.HANDOUT: "photo credit",
            Photo.CreditType.SCREENSHOT: "image credit",
            Photo.CreditType.VIDEO_STILL: "image credit",
            Photo.CreditType.PHOTO_ILLUSTRATION: "illustration credit",
        }
        self.assertCountEqual(expected, Photo.CreditType.values)
        for credit_type, label in expected.items():
            with self.subTest(credit_type=credit_type):
                self.assertEqual(Photo(credit_type=credit_type).credit_label, label)

    def test_a_name_that_starts_with_credit_is_not_taken_for_a_label(self):
        photo = make_photo(credit_text="Credit Suisse (handout)")
        photo.refresh_from_db()
        self.assertEqual(photo.credit, "Credit Suisse (handout)")

    def test_a_label_alone_is_no_credit(self):
        self.assertEqual(clean_credit_text("Photo credit: :"), "")
        self.assertFalse(make_photo(credit_text="Photo credit:").has_credit)

    def test_no_credit_is_an_empty_string(self):
        photo = make_photo()
        self.assertEqual(photo.credit, "")
        self.assertEqual(photo.credit_html, "")
        self.assertFalse(photo.has_credit)

    def test_credit_html_links_each_creator_to_their_page(self):
        photo = make_photo(
            creator=self.jane, source=self.agency, credit_type=Photo.CreditType.HANDOUT
        )
        self.assertHTMLEqual(
            photo.credit_html,
            '<a href="/credits/jane-doe/">Jane Doe</a> / '
            '<a href="/credits/stockagencyexample/">stockagency.example</a> (handout)',
        )

    def test_credit_html_escapes_free_form_credit(self):
        photo = make_photo(credit_text="<b>Jane</b> & co")
        self.assertEqual(photo.credit_html, "&lt;b&gt;Jane&lt;/b&gt; &amp; co")


class PhotoLicenseTests(TemporaryMediaTestCase):
    @classmethod
    def setUpTestData(cls):
        today = timezone.localdate()
        cls.expired = make_photo(license_expires_on=today - datetime.timedelta(days=1))
        cls.expires_today = make_photo(license_expires_on=today)
        cls.expiring = make_photo(license_expires_on=today + datetime.timedelta(days=30))
        cls.later = make_photo(license_expires_on=today + datetime.timedelta(days=31))
        cls.forever = make_photo(license_expires_on=None)

    def test_expired_licences(self):
        self.assertQuerySetEqual(Photo.objects.license_expired(), [self.expired])

    def test_licences_expiring_within_thirty_days(self):
        self.assertCountEqual(Photo.objects.license_expiring(), [self.expires_today, self.expiring])

    @override_settings(PHOTO_LICENSE_WARNING_DAYS=0)
    def test_the_warning_window_is_one_setting(self):
        self.assertCountEqual(Photo.objects.license_expiring(), [self.expires_today])
        self.assertEqual(self.expiring.license_status, "")
        self.assertEqual(self.expires_today.license_status, "expiring")

    def test_license_status_matches_the_querysets(self):
        self.assertEqual(
            [
                photo.license_status
                for photo in [
                    self.expired,
                    self.expires_today,
                    self.expiring,
                    self.later,
                    self.forever,
                ]
            ],
            ["expired", "expiring", "expiring", "", ""],
        )

    def test_without_credit(self):
        credited = make_photo(creator=make_creator())
        by_text = make_photo(credit_text="Jane Doe")
        uncredited = Photo.objects.without_credit()
        self.assertIn(self.forever, uncredited)
        self.assertNotIn(credited, uncredited)
        self.assertNotIn(by_text, uncredited)


class SiteSettingsTests(TestCase):
    def test_there_is_only_ever_one_row(self):
        first = SiteSettings.load()
        SiteSettings(name="Another").save()
        self.assertEqual(SiteSettings.objects.count(), 1)
        first.refresh_from_db()
        self.assertEqual(first.name, "Another")

    def test_page_chrome_is_loaded_with_the_settings_so_templates_never_query(self):
        site = make_site()
        site.nav_topics.set([Tag.objects.create(name="Black Sea security", slug="black-sea")])
        # settings (+nav topics, social links), sections; its templates query nothing
        with self.assertNumQueries(4):
            chrome = render_site_chrome()
        html = chrome["header"] + chrome["follow_us"]
        self.assertInHTML('<a href="/topic/black-sea/">Black Sea security</a>', html)
        self.assertInHTML(
            '<a href="https://bsky.app/profile/meridian.example" rel="me noopener">Bluesky</a>',
            html,
        )
