"""The article form as one form: lead photo in place, Publish now, ordered co-authors."""

from articles.models import Article
from publication.models import Photo
from tests.factories import (
    AdminTestCase,
    article_change_url,
    article_form_data,
    exif_jpeg_bytes,
    image_upload,
    make_article,
    make_author,
    make_creator,
    make_photo,
    truncated_jpeg_bytes,
)

ADD_URL = "/admin/articles/article/add/"


class LeadPhotoInPlaceTests(AdminTestCase):
    def test_an_uploaded_photo_is_checked_re_encoded_and_becomes_the_lead_photo(self):
        creator, source = make_creator("Dimitrije Ostojic"), make_creator("Shutterstock.com")
        data = article_form_data(
            headline="Who holds the line?",
            photo_alt_text="Soldiers at a border crossing",
            photo_caption="The crossing at dawn.",
            photo_creator=creator.pk,
            photo_source=source.pk,
            photo_credit_type=Photo.CreditType.PHOTO,
            photo_image=image_upload(content=exif_jpeg_bytes()),
        )
        response = self.client.post(ADD_URL, data)
        self.assertEqual(
            response.status_code,
            302,
            getattr(response, "context", None) and response.context["errors"],
        )
        article = Article.objects.get()
        photo = article.lead_photo
        self.assertEqual(photo.alt_text, "Soldiers at a border crossing")
        self.assertEqual(photo.caption, "The crossing at dawn.")
        self.assertEqual(photo.credit, "Dimitrije Ostojic / Shutterstock.com")
        with photo.image.open("rb") as stored:
            self.assertNotIn(b"SecretCam", stored.read())  # re-encoded, metadata gone

    def test_a_hostile_upload_gets_a_field_error_and_nothing_is_stored(self):
        for content in [
            b"%!PS-Adobe-3.0 EPSF-3.0\nshowpage\n",
            truncated_jpeg_bytes(),
            b"GIF89a" + b"\0" * 40,
        ]:
            with self.subTest(content=content[:10]):
                response = self.client.post(
                    ADD_URL,
                    article_form_data(
                        headline="Typed headline stays",
                        photo_alt_text="Alt text stays",
                        photo_image=image_upload("evil.jpg", content),
                    ),
                )
                self.assertEqual(response.status_code, 200)
                errors = response.context["adminform"].form.errors
                self.assertIn("photo_image", errors)
                self.assertContains(response, 'value="Typed headline stays"')
                self.assertContains(response, 'value="Alt text stays"')
        self.assertFalse(Article.objects.exists())
        self.assertFalse(Photo.objects.exists())
        self.assertEqual(self.stored_files(), [])

    def test_the_picked_lead_photo_is_edited_in_place_only_when_the_fields_are_its_own(self):
        photo = make_photo(alt_text="Old alt", caption="Old caption")
        other = make_photo(alt_text="Other photo")
        article = make_article(
            headline="With a photo", lead_photo=photo, status=Article.Status.DRAFT
        )
        page = self.client.get(article_change_url(article))
        self.assertContains(page, 'value="Old alt"')
        credit = make_creator("Jane Doe")
        self.client.post(
            article_change_url(article),
            article_form_data(
                article,
                photo_for=str(photo.pk),
                photo_alt_text="New alt",
                photo_caption="Old caption",
                photo_creator=credit.pk,
                photo_credit_type=Photo.CreditType.HANDOUT,
            ),
        )
        photo = Photo.objects.with_credit().get(pk=photo.pk)
        self.assertEqual((photo.alt_text, photo.credit), ("New alt", "Jane Doe (handout)"))
        # Another photo picked while the fields still describe the first: nothing is copied.
        article.refresh_from_db()
        self.client.post(
            article_change_url(article),
            article_form_data(
                article, lead_photo=other.pk, photo_for=str(photo.pk), photo_alt_text="Stale"
            ),
        )
        other.refresh_from_db()
        article.refresh_from_db()
        self.assertEqual((article.lead_photo, other.alt_text), (other, "Other photo"))

    def test_photo_fields_endpoint_gives_a_library_photos_details(self):
        photo = make_photo(alt_text="A bridge", creator=make_creator("Jane Doe"))
        data = self.client.get(f"/admin/articles/article/photo-fields/{photo.pk}/").json()
        self.assertEqual(data["photo_alt_text"], "A bridge")
        self.assertEqual(data["photo_creator"], {"id": str(photo.creator_id), "text": "Jane Doe"})
        self.assertIsNone(data["photo_source"])


class PublishNowTests(AdminTestCase):
    def test_publish_now_puts_a_complete_article_live_and_refuses_an_incomplete_one(self):
        photo = make_photo(alt_text="A bridge", credit_text="Jane Doe / Agency")
        article = make_article(
            headline="Ready",
            lead_photo=photo,
            status=Article.Status.DRAFT,
            authors=[make_author("Ana")],
        )
        response = self.client.post(
            article_change_url(article), article_form_data(article, _publish="1")
        )
        self.assertEqual(response.status_code, 302)
        article.refresh_from_db()
        self.assertTrue(article.is_live)
        bare = make_article(headline="Bare", status=Article.Status.DRAFT)
        response = self.client.post(article_change_url(bare), article_form_data(bare, _publish="1"))
        self.assertContains(
            response, "Not published: it needs at least one author and a lead photo."
        )
        bare.refresh_from_db()
        self.assertEqual(bare.status, Article.Status.DRAFT)


class BylineOrderTests(AdminTestCase):
    def test_the_posted_order_is_what_readers_see_and_new_rows_come_last(self):
        ana, ben = make_author("Ana Ruiz"), make_author("Ben Okafor")
        article = make_article(
            headline="Two writers", status=Article.Status.DRAFT, authors=[ana, ben]
        )
        first, second = article.bylines.all()
        data = article_form_data(article)
        data.update({"bylines-0-order": 1, "bylines-1-order": 0})
        self.client.post(article_change_url(article), data)
        self.assertEqual(article.byline_text, "By Ben Okafor and Ana Ruiz")
        form = (
            self.client.get(article_change_url(article)).context["inline_admin_formsets"][0].formset
        )
        self.assertEqual([f.initial.get("order") for f in form.forms], [0, 1, 2])
        self.assertEqual(len(form.forms), 3)  # the saved rows and one empty row
        self.assertEqual(
            len(self.client.get(ADD_URL).context["inline_admin_formsets"][0].formset.forms), 2
        )


class OversizedLeadPhotoTests(AdminTestCase):
    def test_a_file_over_the_limit_is_cut_off_and_named_on_the_photo_field(self):
        with self.settings(IMAGE_UPLOAD_MAX_BYTES=1000):
            response = self.client.post(
                ADD_URL,
                article_form_data(
                    headline="Big photo",
                    photo_image=image_upload(content=b"\xff\xd8" + b"\0" * 5000),
                ),
            )
        self.assertEqual(response.status_code, 200)
        self.assertIn("larger than", str(response.context["adminform"].form.errors["photo_image"]))
        self.assertFalse(Photo.objects.exists())


class LiveChecksTests(AdminTestCase):
    def test_the_checks_judge_a_chosen_photo_by_the_fields_typed_for_it(self):
        data = article_form_data(headline="Checks", photo_chosen="border.jpg")
        panel = self.client.post("/admin/articles/article/checks/", data).json()["html"]
        self.assertIn("alt text for the lead photo and a credit for the lead photo", panel)
        data.update(photo_alt_text="A border crossing", photo_creator=make_creator("Jane Doe").pk)
        panel = self.client.post("/admin/articles/article/checks/", data).json()["html"]
        self.assertNotIn("lead photo", panel)
