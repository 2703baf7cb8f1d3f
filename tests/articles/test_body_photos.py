from django.db.models import ProtectedError

from articles.models import Article
from tests.factories import AdminTestCase, make_article, make_photo


class BodyPhotoTests(AdminTestCase):
    def test_a_photo_used_only_in_a_body_cannot_be_deleted_until_it_is_taken_out(self):
        photo = make_photo(credit_text="Jane Doe / stockagency.example")
        article = make_article(
            status=Article.Status.DRAFT,
            body=f'<figure class="image"><img src="{photo.image.url}" alt="A harbour"></figure>',
        )
        self.assertEqual(list(article.body_photos.all()), [photo])
        with self.assertRaises(ProtectedError):
            photo.delete()

        response = self.client.get(f"/admin/publication/photo/{photo.pk}/delete/")
        self.assertContains(response, "would require deleting the following protected")

        article.body = "<p>No image any more.</p>"
        article.save()
        photo.delete()
        self.assertFalse(article.body_photos.exists())
