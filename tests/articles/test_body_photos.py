import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db.models import ProtectedError
from django.test import override_settings

from articles.models import Article
from publication.renditions import rendition_folder
from tests.factories import (
    AdminTestCase,
    TemporaryMediaTestCase,
    image_bytes,
    make_article,
    make_photo,
)


class BodyPhotoTests(AdminTestCase):
    def test_a_photo_used_only_in_a_body_cannot_be_deleted_until_it_is_taken_out(self):
        photo = make_photo(credit_text="Jane Doe / stockagency.example")
        article = make_article(
            headline="Harbour walls",
            status=Article.Status.DRAFT,
            body=f'<figure class="image"><img src="{photo.image.url}" alt="A harbour"></figure>',
        )
        self.assertEqual(list(article.body_photos.all()), [photo])
        with self.assertRaises(ProtectedError):
            photo.delete()

        response = self.client.get(f"/admin/publication/photo/{photo.pk}/delete/")
        self.assertContains(response, "would require deleting the following protected")
        # The article is named by its headline, not its number.
        self.assertContains(response, "Body photo: in the body of “Harbour walls”")

        article.body = "<p>No image any more.</p>"
        article.save()
        photo.delete()
        self.assertFalse(article.body_photos.exists())


def figure(src: str) -> str:
    return f'<p>Before.</p><figure class="image"><img src="{src}" alt="A harbour"></figure>'


@override_settings(
    SITE_URL="https://news.example.org",
    # The admin is reached under another name than the public site.
    ALLOWED_HOSTS=["news.example.org", ".admin.example.org"],
)
class BodyImageAddressTests(TemporaryMediaTestCase):
    """Every address an editor may paste for one of our photos links the body to it."""

    @classmethod
    def setUpTestData(cls):
        cls.photo = make_photo(credit_text="Jane Doe / stockagency.example")
        cls.photo.make_renditions()
        cls.url = cls.photo.image.url  # "/media/photos/…/photo-N.png"

    def assert_linked(self, src):
        article = make_article(status=Article.Status.DRAFT, body=figure(src))
        self.assertEqual(list(article.body_photos.all()), [self.photo])
        # The src is the photo's own: drawn with its credit and renditions, like a picked one.
        self.assertEqual(article.body, figure(self.url))
        article.refresh_from_db()
        self.assertEqual(article.body, figure(self.url))
        with self.assertRaises(ProtectedError):
            self.photo.delete()
        return article

    def test_an_absolute_address_on_the_site(self):
        article = self.assert_linked(f"https://news.example.org{self.url}")
        self.assertIn("Jane Doe / stockagency.example", article.body_html())

    def test_an_absolute_address_with_the_admins_host_and_port(self):
        self.assert_linked(f"http://cms.admin.example.org:8201{self.url}")

    def test_a_protocol_relative_address(self):
        self.assert_linked(f"//news.example.org{self.url}")

    def test_a_query_string_and_a_fragment(self):
        self.assert_linked(f"{self.url}?width=640&amp;v=2#top")

    def test_a_rendition_file_copied_from_the_public_page(self):
        self.assert_linked(self.photo.renditions["full"]["src"])
        self.assert_linked(f"https://news.example.org{self.photo.renditions['card']['src']}")

    def test_a_rendition_from_before_the_photo_was_cropped_again(self):
        old = rendition_folder(self.photo.image.name, "0123456789abcdef")
        self.assert_linked(f"/media/{old}/full-640.webp")

    def test_a_percent_encoded_address(self):
        self.photo = make_photo(
            image=SimpleUploadedFile("Straße-Kyjiw.png", image_bytes("PNG", size=(4, 4)))
        )
        self.url = self.photo.image.url
        self.assertIn("%C3%9F", self.url)
        self.assert_linked(self.url)
        self.assert_linked(self.url.replace("%C3%9F", "ß"))

    def test_a_dotted_path_to_the_same_file(self):
        self.assert_linked(self.url.replace("/media/photos/", "/media/photos/../photos/"))

    def test_images_from_elsewhere_are_kept_as_they_are_and_link_nothing(self):
        for src in [
            f"https://images.example.com{self.url}",  # another site with the same path
            "https://news.example.org/media/photos/2020/01/gone.png",  # no such photo
            "https://news.example.org/static/img/logo.png",
            f"https://news.example.org/elsewhere{self.url}",
        ]:
            with self.subTest(src):
                article = make_article(status=Article.Status.DRAFT, body=figure(src))
                self.assertEqual(article.body, figure(src))
                self.assertFalse(article.body_photos.exists())


@override_settings(SITE_URL="https://news.example.org")
class RelinkBodyPhotosTests(TemporaryMediaTestCase):
    def relink(self) -> str:
        out = io.StringIO()
        call_command("link_body_photos", stdout=out)
        return out.getvalue()

    def test_rows_written_without_save_are_linked_by_the_command(self):
        photo, other = make_photo(), make_photo()
        pasted = make_article(status=Article.Status.DRAFT, body="<p>Soon a photo.</p>")
        Article.objects.filter(pk=pasted.pk).update(
            body=figure(f"https://news.example.org{photo.image.url}")
        )
        emptied = make_article(status=Article.Status.DRAFT, body=figure(other.image.url))
        Article.objects.filter(pk=emptied.pk).update(body="<p>No image any more.</p>")
        make_article(status=Article.Status.DRAFT, body=figure(photo.image.url))  # as saved

        self.assertEqual(self.relink(), "Relinked the body photos of 2 articles.\n")
        pasted.refresh_from_db()
        self.assertEqual(pasted.body, figure(photo.image.url))
        self.assertEqual(list(pasted.body_photos.all()), [photo])
        self.assertFalse(emptied.body_photos.exists())
        other.delete()  # used nowhere now
        with self.assertRaises(ProtectedError):
            photo.delete()
        self.assertEqual(self.relink(), "Relinked the body photos of 0 articles.\n")
