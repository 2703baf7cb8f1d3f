"""Text is stored without the characters no one types on purpose (publication.text)."""

from articles.models import Article
from publication.models import Photo, Section
from tests.factories import AdminTestCase, article_form_data, inline_data, make_photo

# Word's line break and page break, ESC, DEL, a C1 control, a noncharacter. (Django's form
# fields already refuse NUL with a field error; saves outside forms drop it, see below.)
HOSTILE = "\x0b\x0c\x1b\x7f\x85\ufffe"


class TypedTextTests(AdminTestCase):
    def test_the_article_form_and_its_inlines_store_no_control_characters(self):
        data = article_form_data(
            headline=f"Soft{HOSTILE}break",
            dek=f"Line\x0bbreak{HOSTILE}",
            body=f"<p>Body\x0btext{HOSTILE}</p>",
            tags=f"Ports{HOSTILE}and harbours, Docks",
        )
        data.update(
            inline_data(
                "corrections",
                [{"kind": "correction", "text": f"Fixed\x0c{HOSTILE}", "date": "2026-12-01"}],
            )
        )
        response = self.client.post("/admin/articles/article/add/", data)
        self.assertEqual(response.status_code, 302)

        article = Article.objects.get()
        # Single-line fields: a pasted break becomes a space; the rest are dropped.
        self.assertEqual(article.headline, "Soft  break")
        # Multi-line fields keep it as a line break.
        self.assertEqual(article.dek, "Line\nbreak\n\n")
        self.assertEqual(article.body, "<p>Body\ntext\n\n</p>")
        # A name's spaces are folded to one (publication.text.stored_name).
        self.assertEqual(
            sorted(tag.name for tag in article.tags.all()), ["Docks", "Ports and harbours"]
        )
        self.assertEqual(article.corrections.get().text, "Fixed\n\n\n")

    def test_photo_text_and_plain_saves_are_cleaned_too(self):
        photo = make_photo(
            alt_text=f"A harbour{HOSTILE}",
            caption=f"Boats\x0bat dawn{HOSTILE}",
            credit_text=f"Ida{HOSTILE}\x00 Berg",
        )
        photo = Photo.objects.get(pk=photo.pk)
        self.assertEqual(photo.alt_text, "A harbour  ")
        self.assertEqual(photo.caption, "Boats\nat dawn\n\n")
        self.assertNotIn("\x0b", photo.credit_text)
        self.assertNotIn("\x00", photo.credit_text)

    def test_tab_and_line_breaks_typed_into_a_text_area_stay(self):
        section = Section.objects.create(
            name="Asia", slug="asia", description="One\tcolumn\r\nTwo\n"
        )
        section.refresh_from_db()
        self.assertEqual(section.description, "One\tcolumn\r\nTwo\n")

    def test_invisible_characters_follow_one_rule_in_every_field_of_the_form(self):
        """Reversed text, unclosed direction spans and zero-width spaces are dropped; a
        closed span (a Hebrew quote) and the joiners words need are kept."""
        quote = "\u2067שלום\u2069"
        data = article_form_data(
            headline=f"Sanctions\u202e talks{quote}",
            dek=f"Dek\u200b with \u2067open span\nand\u2029a {quote}",
            tags="Ener\u200bgy, می\u200cخواهم",
        )
        response = self.client.post("/admin/articles/article/add/", data)
        self.assertEqual(response.status_code, 302)
        article = Article.objects.get()
        self.assertEqual(article.headline, f"Sanctions talks{quote}")
        self.assertEqual(article.dek, f"Dek with open span\nand\n\na {quote}")
        self.assertCountEqual(
            article.tags.values_list("name", flat=True), ["Energy", "می\u200cخواهم"]
        )

    def test_photo_captions_and_credits_lose_direction_overrides(self):
        photo = make_photo(caption="Boats\u202e at dawn", credit_text="\u2066Ida Berg")
        photo.refresh_from_db()
        self.assertEqual((photo.caption, photo.credit_text), ("Boats at dawn", "Ida Berg"))
