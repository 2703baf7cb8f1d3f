"""Odd or crafted input to the article form and its helpers: a clear answer, never a 500."""

from articles.models import Article, WorkingCopy
from tests.factories import (
    AdminTestCase,
    article_change_url,
    article_form_data,
    make_article,
    make_author,
)


class CraftedArticleFormTests(AdminTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.article = make_article(
            headline="Original", status=Article.Status.DRAFT, authors=[make_author("Ana Ruiz")]
        )

    def test_a_value_that_is_no_id_in_an_autocomplete_box_is_a_form_error(self):
        for field in ["lead_photo", "bylines-0-author", "photo_creator", "photo_source"]:
            with self.subTest(field=field):
                data = article_form_data(self.article, headline="Changed")
                data[field] = "abc"
                response = self.client.post(article_change_url(self.article), data)
                self.assertContains(response, "Select a valid choice")
        self.article.refresh_from_db()
        self.assertEqual(self.article.headline, "Original")

    def test_autosave_keeps_typed_text_without_nul_characters(self):
        response = self.client.post(
            f"/admin/articles/article/{self.article.pk}/autosave/",
            {"headline": "Typed\x00 headline", "dek\x00": "x"},
        )
        self.assertEqual(response.status_code, 200)
        fields = WorkingCopy.objects.get().data["fields"]
        self.assertEqual((fields["headline"], fields["dek"]), (["Typed headline"], ["x"]))

    def test_schedule_with_a_time_already_past_is_refused_and_nothing_changes(self):
        data = article_form_data(
            self.article, published_at_0="2020-01-14", published_at_1="09:00:00", _schedule="1"
        )
        response = self.client.post(article_change_url(self.article), data)
        self.assertContains(response, "Choose a publish time in the future to schedule")
        self.article.refresh_from_db()
        self.assertEqual(self.article.status, Article.Status.DRAFT)

    def test_a_value_that_is_no_id_on_the_author_and_creator_pages_is_a_form_error(self):
        author = make_author("Dimitrije Ostojic")
        for url, data in [
            (
                f"/admin/publication/author/{author.pk}/change/",
                {"name": author.name, "photo": "abc"},
            ),
            (
                "/admin/publication/creator/add/",
                {"name": "Lena Marsh", "kind": "person", "author": "abc"},
            ),
        ]:
            with self.subTest(url=url):
                response = self.client.post(url, data)
                self.assertContains(response, "Select a valid choice")


class EveryAutocompleteBoxTests(AdminTestCase):
    def test_every_autocomplete_box_draws_a_crafted_value_as_a_form_error(self):
        """A box left out of this rule answers 500 when a crafted id is posted to it."""
        from django.contrib import admin
        from django.test import RequestFactory

        from publication.admin import KnownValuesOnlyMixin

        request = RequestFactory().get("/admin/")
        request.user = self.superuser
        boxes = []
        ours = {"publication", "articles", "newsletter", "taggit"}
        for model_admin in admin.site._registry.values():
            if model_admin.opts.app_label not in ours:
                continue
            inlines = model_admin.get_inline_instances(request)
            owners = [(model_admin, model_admin.get_form(request))]
            owners += [(inline, inline.get_formset(request).form) for inline in inlines]
            for owner, form in owners:
                for name in owner.get_autocomplete_fields(request):
                    if name in form.base_fields:
                        boxes.append((type(owner).__name__, name, form.base_fields[name].widget))
        self.assertIn("SiteSettingsAdmin", {owner for owner, _, _ in boxes})
        for owner, name, widget in boxes:
            with self.subTest(admin=owner, field=name):
                self.assertIsInstance(getattr(widget, "widget", widget), KnownValuesOnlyMixin)
