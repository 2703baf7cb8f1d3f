import datetime

from django.utils import timezone

from publication.models import Photo
from tests.factories import AdminTestCase, QueryCountMixin, make_article, make_creator, make_photo

CHANGELIST = "/admin/publication/photo/"


class PhotoAdminTests(QueryCountMixin, AdminTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        today = timezone.localdate()
        cls.uncredited = make_photo(alt_text="Uncredited photo")
        cls.credited = make_photo(
            alt_text="Credited photo",
            creator=make_creator("Jane Doe"),
            license_expires_on=today + datetime.timedelta(days=400),
        )
        cls.expired = make_photo(
            alt_text="Expired photo",
            credit_text="Agency archive",
            license_expires_on=today - datetime.timedelta(days=1),
        )
        cls.expiring = make_photo(
            alt_text="Expiring photo",
            credit_text="Agency archive",
            license_expires_on=today + datetime.timedelta(days=10),
        )
        cls.no_alt = make_photo(alt_text="", credit_text="Agency archive")

    def alt_texts(self, query=""):
        response = self.client.get(CHANGELIST + query)
        self.assertEqual(response.status_code, 200, query)
        return sorted(photo.alt_text for photo in response.context["cl"].result_list)

    def test_changelist_shows_credit_and_licence_state(self):
        response = self.client.get(CHANGELIST)
        self.assertContains(response, '<strong class="no-credit">No credit</strong>', count=1)
        self.assertContains(response, "Jane Doe")
        # The licence's day as lists write days, its state under it (beside the credit, it
        # made a long credit three lines high).
        for photo, state in [(self.expired, "expired"), (self.expiring, "expiring")]:
            self.assertContains(
                response,
                f'<td class="field-licence"><time datetime="{photo.license_expires_on}">'
                f"{photo.license_expires_on:%-d %b %Y}</time> "
                f'<small class="licence-{state}">{state}</small></td>',
                html=True,
            )
        self.assertContains(
            response,
            '<td class="field-credit_display">'
            '<span class="credit-text" title="Agency archive">Agency archive</span></td>',
            count=3,
            html=True,
        )

    def test_changelist_query_count_does_not_grow_with_photos(self):
        def grow():
            for _ in range(5):
                make_photo(creator=make_creator(), source=make_creator())

        self.assertQueriesDoNotGrow(CHANGELIST, grow)

    def test_filters(self):
        expected = {
            "?credit=missing": ["Uncredited photo"],
            "?credit=alt-missing": [""],
            "?licence=expired": ["Expired photo"],
            "?licence=expiring": ["Expiring photo"],
            "?credit_type__exact=photo": sorted(
                ["", "Credited photo", "Expired photo", "Expiring photo", "Uncredited photo"]
            ),
            "?q=jane": ["Credited photo"],
        }
        for query, alt_texts in expected.items():
            with self.subTest(query=query):
                self.assertEqual(self.alt_texts(query), alt_texts)

    def test_filter_sidebar_offers_credit_and_licence(self):
        response = self.client.get(CHANGELIST)
        for choice in ["No credit", "No alt text", "Expired", "Expires within 30 days"]:
            self.assertContains(response, choice)

    def test_add_form_renders(self):
        response = self.client.get(f"{CHANGELIST}add/")
        self.assertContains(response, 'name="image"')
        self.assertContains(response, 'data-field-name="creator"')

    def test_editing_credit_without_replacing_the_image(self):
        response = self.client.post(
            f"{CHANGELIST}{self.uncredited.pk}/change/",
            {
                "alt_text": "Uncredited photo",
                "credit_type": Photo.CreditType.HANDOUT,
                "credit_text": "Photo credit: : Ministry of Defence",
            },
        )
        self.assertRedirects(response, CHANGELIST)
        self.uncredited.refresh_from_db()
        self.assertEqual(self.uncredited.credit, "Ministry of Defence")


class OtherAdminPagesTests(AdminTestCase):
    def test_every_changelist_and_add_form_renders(self):
        make_article()
        for model in [
            "articles/article",
            "articles/kind",
            "articles/sharelink",
            "publication/section",
            "publication/creator",
            "publication/author",
            "publication/photo",
            "publication/sitesettings",
        ]:
            with self.subTest(model=model):
                self.assertEqual(self.client.get(f"/admin/{model}/").status_code, 200)
        for model in ["articles/kind", "publication/section", "publication/author"]:
            with self.subTest(add=model):
                self.assertEqual(self.client.get(f"/admin/{model}/add/").status_code, 200)
