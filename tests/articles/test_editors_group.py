"""The "Editors" group created by articles/migrations/0002_editors_group.py and 0004."""

from django.contrib.auth.models import Group

from articles.models import Article, Byline, Kind
from publication.models import Photo, SiteSettings
from tests.factories import (
    TemporaryMediaTestCase,
    article_form_data,
    image_upload,
    make_author,
    make_editor,
    make_photo,
    make_section,
    make_site,
)


class EditorsGroupTests(TemporaryMediaTestCase):
    @classmethod
    def setUpTestData(cls):
        make_site()
        cls.editor = make_editor("editor")
        cls.author = make_author("Ana Ruiz")

    def setUp(self):
        self.client.force_login(self.editor)

    def test_group_exists_after_migrations(self):
        group = Group.objects.get(name="Editors")
        self.assertTrue(group.permissions.filter(codename="add_article").exists())
        self.assertFalse(group.permissions.filter(codename="change_user").exists())

    def test_editor_can_open_the_admin(self):
        response = self.client.get("/admin/")
        self.assertContains(response, "Articles")
        self.assertContains(response, "Photos")
        self.assertNotContains(response, "/admin/auth/user/")

    def test_editor_can_add_a_kind_without_a_code_change(self):
        response = self.client.post(
            "/admin/articles/kind/add/", {"name": "Explainer", "slug": "explainer", "order": 5}
        )
        self.assertEqual(response.status_code, 302)
        self.assertTrue(Kind.objects.filter(slug="explainer").exists())

    def test_editor_can_write_and_publish_an_article_with_a_byline(self):
        response = self.client.post(
            "/admin/articles/article/add/",
            article_form_data(
                headline="Written by an editor",
                slug="written-by-an-editor",
                status=Article.Status.PUBLISHED,
                lead_photo=make_photo(credit_text="Jane Doe / stockagency.example").pk,
                tags="Trump transition, Energy",
                bylines=[(self.author, Byline.Role.BY)],
            ),
        )
        self.assertRedirects(response, "/admin/articles/article/")
        page = self.client.get("/articles/written-by-an-editor/")
        self.assertContains(page, "Written by an editor")
        self.assertContains(page, '<a href="/authors/ana-ruiz/">Ana Ruiz</a>', html=True)

    def test_editor_can_pick_authors_and_photos_with_autocomplete(self):
        make_photo(alt_text="Tanks at the border")
        for field, model, term, expected in [
            ("author", "byline", "ruiz", "Ana Ruiz"),
            ("lead_photo", "article", "tanks", "Tanks at the border"),
        ]:
            with self.subTest(field=field):
                response = self.client.get(
                    "/admin/autocomplete/",
                    {
                        "app_label": "articles",
                        "model_name": model,
                        "field_name": field,
                        "term": term,
                    },
                )
                self.assertEqual([r["text"] for r in response.json()["results"]], [expected])

    def test_editor_can_upload_a_photo(self):
        response = self.client.post(
            "/admin/publication/photo/add/",
            {
                "image": image_upload(),
                "alt_text": "Delegates arrive at the summit",
                "credit_type": Photo.CreditType.PHOTO,
                "credit_text": "Jane Doe / stockagency.example",
            },
        )
        self.assertRedirects(response, "/admin/publication/photo/")
        self.assertEqual(Photo.objects.get().alt_text, "Delegates arrive at the summit")

    def test_editor_can_upload_from_the_rich_text_editor(self):
        response = self.client.post("/editor/images/", {"upload": image_upload()})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(Photo.objects.count(), 1)

    def test_editor_cannot_manage_users_or_groups(self):
        for url in [
            "/admin/auth/user/",
            "/admin/auth/user/add/",
            f"/admin/auth/user/{self.editor.pk}/change/",
            "/admin/auth/group/",
        ]:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 403)

    def test_editor_cannot_change_site_settings(self):
        site = SiteSettings.load()
        url = f"/admin/publication/sitesettings/{site.pk}/change/"
        self.assertEqual(self.client.get("/admin/publication/sitesettings/").status_code, 403)
        self.assertEqual(self.client.get(url).status_code, 403)
        self.assertEqual(self.client.post(url, {"name": "Taken over"}).status_code, 403)
        site.refresh_from_db()
        self.assertEqual(site.name, "The Meridian")

    def test_editor_may_view_but_not_change_sections_or_delete_photos(self):
        section = make_section("Europe")
        photo = make_photo()
        response = self.client.post(
            f"/admin/publication/section/{section.pk}/change/",
            {"name": "Renamed", "slug": "renamed", "order": 0},
        )
        self.assertEqual(response.status_code, 403)
        self.assertEqual(
            self.client.post(
                f"/admin/publication/photo/{photo.pk}/delete/", {"post": "yes"}
            ).status_code,
            403,
        )
        self.assertTrue(Photo.objects.filter(pk=photo.pk).exists())

    def test_editors_can_write_correction_notes(self):
        group = Group.objects.get(name="Editors")
        self.assertTrue(group.permissions.filter(codename="add_correction").exists())
