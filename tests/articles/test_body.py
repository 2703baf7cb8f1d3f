from django.test import SimpleTestCase

from articles.body import comparable_body
from articles.models import Article
from tests.factories import TemporaryMediaTestCase, make_article, make_creator, make_photo


def figure(src, *, alt="", caption=""):
    caption_html = f"<figcaption>{caption}</figcaption>" if caption else ""
    return f'<figure class="image"><img src="{src}" alt="{alt}">{caption_html}</figure>'


class BodyFigureTests(TemporaryMediaTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.photo = make_photo(
            alt_text="Soldiers unload aid at a border crossing",
            caption="Stored caption",
            creator=make_creator("Jane Doe"),
            source=make_creator("stockagency.example"),
        )

    def test_editor_figure_renders_as_our_figure_with_photo_alt_caption_and_credit(self):
        article = make_article(
            body="<p>Intro.</p>" + figure(self.photo.image.url, caption="Typed <em>caption</em>")
        )
        response = self.client.get(article.get_absolute_url())

        self.assertContains(response, '<figure class="body-figure">')
        self.assertNotContains(response, '<figure class="image">')
        self.assertContains(response, 'alt="Soldiers unload aid at a border crossing"')
        self.assertContains(response, f'width="{self.photo.width}"')
        self.assertContains(response, "<figcaption>Typed <em>caption</em>")
        self.assertContains(
            response,
            '<p class="photo-credit">Photo credit: <a href="/credits/jane-doe/">Jane Doe</a> / '
            '<a href="/credits/stockagencyexample/">stockagency.example</a></p>',
            html=True,
        )

    def test_alt_text_typed_in_the_editor_is_kept(self):
        article = make_article(body=figure(self.photo.image.url, alt="Typed alt"))
        self.assertEqual(article.body_html().count('alt="Typed alt"'), 1)

    def test_stored_caption_is_used_when_the_editor_has_none(self):
        article = make_article(body=figure(self.photo.image.url))
        self.assertIn("Stored caption", article.body_html())

    def test_figure_of_an_uncredited_photo_has_no_credit_label(self):
        photo = make_photo(caption="")
        article = make_article(body=figure(photo.image.url, caption="Just a caption"))
        html = article.body_html()
        self.assertIn('<figure class="body-figure">', html)
        self.assertNotIn("Photo credit", html)
        self.assertNotIn(": :", html)

    def test_figure_of_an_unknown_image_still_renders(self):
        article = make_article(body=figure("https://example.com/a.jpg", alt="Elsewhere"))
        html = article.body_html()
        self.assertIn('<img src="https://example.com/a.jpg" alt="Elsewhere"', html)
        self.assertNotIn("<figcaption>", html)


class BodyPhotoSyncTests(TemporaryMediaTestCase):
    def test_saving_links_the_photos_used_in_the_body(self):
        used = make_photo()
        make_photo()  # not in the body
        article = make_article(body=figure(used.image.url, alt="Alt"))
        self.assertQuerySetEqual(article.body_photos.all(), [used])

        article.body = "<p>No images any more.</p>"
        article.save()
        self.assertQuerySetEqual(article.body_photos.all(), [])

    def test_saving_fills_an_empty_photo_alt_text_from_the_image_alt(self):
        photo = make_photo(alt_text="")
        make_article(body=figure(photo.image.url, alt="Crowds at the summit"))
        photo.refresh_from_db()
        self.assertEqual(photo.alt_text, "Crowds at the summit")

    def test_saving_keeps_an_existing_photo_alt_text(self):
        photo = make_photo(alt_text="Written by the photo desk")
        make_article(body=figure(photo.image.url, alt="Typed in the editor"))
        photo.refresh_from_db()
        self.assertEqual(photo.alt_text, "Written by the photo desk")

    def test_photo_lists_the_articles_using_it_in_the_body(self):
        photo = make_photo()
        article = make_article(body=figure(photo.image.url))
        self.assertQuerySetEqual(photo.body_articles.all(), [article])
        self.assertEqual(Article.objects.filter(body_photos=photo).count(), 1)


class TrailingEmptyParagraphTests(TemporaryMediaTestCase):
    def test_every_kind_of_pasted_empty_last_paragraph_is_dropped_on_save(self):
        for ending in [
            "<p>&nbsp;</p>",
            "<p><br></p>",
            "<p>&#160;</p>\n<p>&nbsp;</p>",
            '<p style="margin:0">&nbsp;</p>',
            "<p><strong>&nbsp;</strong></p>",
            "<p><b><br></b></p>",
            "<p>&nbsp;<em> </em></p>",
            "<p>\u200b</p>",
        ]:
            with self.subTest(ending=ending):
                article = make_article(body="<p>Text.</p>" + ending)
                self.assertEqual(article.body, "<p>Text.</p>")

    def test_paragraphs_with_words_or_an_image_stay(self):
        for body in ["<p>Text.</p><p><strong>Bold end.</strong></p>", "<p>a</p><p>b</p>"]:
            with self.subTest(body=body):
                self.assertEqual(make_article(body=body).body, body)


class ComparableBodyTests(SimpleTestCase):
    def test_what_ckeditor_rewrites_on_load_compares_equal(self):
        # As stored by a factory or an import, and as CKEditor posts it back untouched
        # (read from Chromium).
        stored = (
            "<p>A <em>treaty</em>  was <b>signed</b>&nbsp;in <strong><em>Oslo</em></strong>.</p>\n"
            '<p>See <a href="https://example.org">the text</a>.<br/>Signed.</p>'
        )
        posted = (
            "<p>A <i>treaty</i> was <strong>signed</strong>&nbsp;in "
            "<i><strong>Oslo</strong></i>.</p>"
            '<p>See <a href="https://example.org">the text</a>.<br>Signed.</p>'
        )
        self.assertEqual(comparable_body(stored), comparable_body(posted))

    def test_changes_readers_would_see_compare_unequal(self):
        for before, after in [
            ("<p>A <i>treaty</i></p>", "<p>A treaty</p>"),
            ("<p>A <i>treaty</i></p>", "<p>A <strong>treaty</strong></p>"),
            ("<p>Oslo accord</p>", "<p>Osloaccord</p>"),
            ("<p>Oslo&nbsp;accord</p>", "<p>Oslo accord</p>"),
            ("<h2>Oslo</h2>", "<h3>Oslo</h3>"),
            (
                '<p><a href="https://a.example">Oslo</a></p>',
                '<p><a href="https://b.example">Oslo</a></p>',
            ),
            ("<p>Oslo</p><p>accord</p>", "<p>Oslo accord</p>"),
        ]:
            with self.subTest(before=before, after=after):
                self.assertNotEqual(comparable_body(before), comparable_body(after))
