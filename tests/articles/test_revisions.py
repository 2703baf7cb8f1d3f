import reversion
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from reversion.models import Version
from taggit.models import Tag

from articles import revisions
from articles.models import Article, Byline, Correction, EditLock
from publication.models import Author, Photo, Section
from publication.page_cache import current_version
from publication.times import zoned_text
from tests.factories import (
    AdminTestCase,
    article_change_url,
    article_form_data,
    inline_data,
    make_article,
    make_author,
    make_creator,
    make_photo,
    make_section,
    make_share_link,
    make_user,
)
from tests.test_invalidation import ChangeFormValues


def writes_and_locks(queries) -> list[str]:
    return [
        query["sql"]
        for query in queries
        if query["sql"].split(None, 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}
        or "FOR UPDATE" in query["sql"]
        or "SAVEPOINT" in query["sql"]
    ]


class RevisionTests(AdminTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ana = make_author("Ana Ruiz")
        cls.ben = make_author("Ben Okafor")
        cls.photo = make_photo(credit_text="Dimitrije Ostojic / Shutterstock.com")

    def save(self, article, **fields):
        response = self.client.post(
            article_change_url(article), article_form_data(article, **fields)
        )
        self.assertEqual(response.status_code, 302, response.content[:3000])
        article.refresh_from_db()

    def test_each_save_is_a_revision_with_bylines_and_topics_and_history_shows_the_diff(self):
        article = make_article(
            headline="First headline", status=Article.Status.DRAFT, authors=[self.ana]
        )
        self.save(article, tags="Energy")
        self.save(
            article,
            headline="Second headline",
            tags="Energy, Sanctions",
            lead_photo=self.photo.pk,
            bylines=[(self.ben, Byline.Role.PHOTOS)],
            dek="A new dek.",
            body="<p>A body rewritten.</p>",
            other_sections=[make_section("Europe").pk],
        )
        self.assertEqual(Version.objects.get_for_object(article).count(), 2)
        history = self.client.get(article_change_url(article).replace("change/", "history/"))
        self.assertContains(history, "<del>First</del> <ins>Second</ins> headline", html=True)
        self.assertContains(
            history,
            "<del>By Ana Ruiz</del> <ins>By Ana Ruiz; Photos by Ben Okafor</ins>",
            html=True,
        )
        self.assertContains(history, "<del>Energy</del> <ins>Energy; Sanctions</ins>", html=True)
        newest = history.context["revisions"][0]["changes"]
        self.assertIn("<dt>Dek</dt>", newest)
        self.assertIn("<ins>A new dek.</ins>", newest)
        self.assertIn("<ins>A body rewritten.</ins>", newest)
        self.assertIn("<dt>Also in sections</dt><dd><del>none</del> <ins>Europe</ins></dd>", newest)
        self.assertContains(history, "Dimitrije Ostojic / Shutterstock.com")
        self.assertContains(history, "Restore this version", count=1)

    def test_restoring_brings_back_bylines_and_topics_exactly_as_a_new_revision(self):
        article = make_article(
            headline="Old headline", status=Article.Status.DRAFT, authors=[self.ana]
        )
        self.save(article, tags="Energy")
        first = Version.objects.get_for_object(article).get()
        self.save(
            article,
            headline="New headline",
            tags="Sanctions",
            bylines=[(self.ben, Byline.Role.BY)],
        )
        restore_url = f"/admin/articles/article/{article.pk}/history/{first.pk}/"
        with CaptureQueriesContext(connection) as queries:
            form = self.client.get(restore_url)
        self.assertContains(form, 'value="Old headline"')
        self.assertContains(form, 'value="Energy"')
        self.assertEqual(form.context["inline_admin_formsets"][0].formset.initial_form_count(), 1)
        # Built in memory from the revision: reverting it in a transaction rolled back
        # after rendering held the article's rows (and wrote) for a look.
        self.assertEqual(writes_and_locks(queries), [])
        self.assertContains(form, 'value="Restore"')
        # Showing the old version changed nothing.
        article.refresh_from_db()
        self.assertEqual(article.headline, "New headline")

        data = article_form_data(article, headline="Old headline", tags="Energy")
        data.update(
            {
                "bylines-TOTAL_FORMS": 1,
                "bylines-INITIAL_FORMS": 1,
                "bylines-0-id": article.bylines.get(author=self.ana).pk,
                "bylines-0-author": self.ana.pk,
                "bylines-0-role": "by",
                "bylines-0-order": 0,
            }
        )
        for key in [k for k in data if k.startswith("bylines-1-")]:
            del data[key]
        response = self.client.post(restore_url, data)
        # Back on the article, not on the old version's form with its Restore button.
        self.assertRedirects(response, article_change_url(article), fetch_redirect_response=False)
        article.refresh_from_db()
        self.assertEqual(article.headline, "Old headline")
        self.assertEqual(article.byline_text, "By Ana Ruiz")
        self.assertEqual(list(article.tags.names()), ["Energy"])
        self.assertEqual(Version.objects.get_for_object(article).count(), 3)
        # Worded as every admin time, in the site's zone, named.
        saved = timezone.localtime(first.revision.date_created)
        self.assertEqual(
            Version.objects.get_for_object(article).first().revision.comment,
            f"Restored the version saved on {saved:%a %-d %b %Y, %H:%M} (Europe/Berlin).",
        )

    def test_restoring_writes_exactly_the_article_its_revision_page_and_share_links_show(self):
        """Restore (revert_one_article) writes a revision back; the revision's page and share
        links build it in memory (article_as_saved). Both read revisions.Restored; here a
        revision touching every field and relation is restored both ways and compared."""
        europe, asia, africa = make_section("Europe"), make_section("Asia"), make_section("Africa")
        jane, omar = make_creator("Jane Doe"), make_creator("Omar Haddad")
        cara = make_author("Cara Gone")
        body_photo = make_photo(alt_text="")
        figure = (
            f'<figure class="image"><img src="{body_photo.image.url}" alt="A harbour"></figure>'
        )
        article = make_article(
            headline="As saved",
            status=Article.Status.DRAFT,
            section=europe,
            authors=[self.ben, (self.ana, Byline.Role.PHOTOS), cara],
        )
        Correction.objects.create(article=article, text="An earlier version misspelt it.")
        self.save(
            article,
            dek="The dek then",
            body=f"<p>Words then.</p>{figure}",
            other_sections=[asia.pk],
            tags="Energy, Sanctions",
            lead_photo=self.photo.pk,
            photo_for=self.photo.pk,
            photo_alt_text="Tanks at the border",
            photo_caption="Near Kharkiv.",
            photo_creator=jane.pk,
            photo_credit_type=Photo.CreditType.PHOTO,
            show_as_updated="on",
        )
        saved = Version.objects.get_for_object(article).get()
        # Every field and relation changed since, and an author the revision names deleted.
        data = article_form_data(
            article,
            headline="Changed since",
            dek="The dek now",
            body="<p>Other words.</p>",
            section=africa.pk,
            other_sections=[europe.pk],
            tags="Climate",
            lead_photo=self.photo.pk,
            photo_for=self.photo.pk,
            photo_alt_text="Tanks at the frontier",
            photo_caption="Near Kupiansk.",
            photo_creator=omar.pk,
            photo_credit_type=Photo.CreditType.PHOTO,
        )
        rows = [
            {"id": byline.pk, "author": byline.author_id, "role": "by", "order": 2 - byline.order}
            for byline in article.bylines.all()
        ]
        rows[-1]["DELETE"] = "on"  # Cara's byline
        data.update(inline_data("bylines", rows, initial=3))
        note = article.corrections.get()
        data.update(
            inline_data(
                "corrections",
                [
                    {"id": note.pk, "kind": "update", "text": "Rewritten.", "date": "2026-01-02"},
                    {"kind": "clarification", "text": "A new note.", "date": "2026-01-03"},
                ],
                initial=1,
            )
        )
        self.assertEqual(self.client.post(article_change_url(article), data).status_code, 302)
        cara.delete()

        def described(article):
            photo = article.lead_photo
            return {
                "row": {
                    field.attname: getattr(article, field.attname)
                    for field in Article._meta.concrete_fields
                    if field.name not in {"search_vector", "search_head"}
                },
                "other_sections": sorted(section.pk for section in article.other_sections.all()),
                "bylines": [
                    (byline.author.name, byline.role, byline.order)
                    for byline in sorted(article.bylines.all(), key=lambda row: row.order)
                ],
                "topics": [item.tag.name for item in article.tagged_items.all()],
                "corrections": [
                    (note.kind, note.text, note.date) for note in article.corrections.all()
                ],
                "lead_photo": {
                    name: getattr(photo, Photo._meta.get_field(name).attname)
                    for name in ["alt_text", "caption", "creator", "source", "credit_type"]
                },
                "body_photos": sorted(photo.pk for photo in article.body_photos.all()),
            }

        in_memory = described(revisions.article_as_saved(saved.revision, article.pk))
        with transaction.atomic():
            revisions.revert_one_article(saved.revision, article.pk, delete=True)
            written = described(Article.objects.for_page().get(pk=article.pk))
            transaction.set_rollback(True)
        self.assertEqual(in_memory, written)
        # And it is the revision's, not today's.
        self.assertEqual(written["row"]["headline"], "As saved")
        self.assertEqual(written["other_sections"], [asia.pk])
        self.assertEqual(written["bylines"], [("Ben Okafor", "by", 0), ("Ana Ruiz", "photos", 1)])
        self.assertEqual(written["topics"], ["Energy", "Sanctions"])
        self.assertEqual(written["corrections"][0][1], "An earlier version misspelt it.")
        self.assertEqual(written["lead_photo"]["caption"], "Near Kharkiv.")
        self.assertEqual(written["body_photos"], [body_photo.pk])

    def test_a_version_of_something_else_under_the_articles_number_is_no_restore_page(self):
        """The restore address names a version by its number and the article's: another
        model's version with the same object id is not the article's (it was a 500)."""
        article = make_article(headline="Old headline", status=Article.Status.DRAFT)
        with reversion.create_revision():
            reversion.add_to_revision(self.photo)
        Version.objects.filter(object_id=str(self.photo.pk)).update(object_id=str(article.pk))
        version = Version.objects.get(object_id=str(article.pk))
        url = f"/admin/articles/article/{article.pk}/history/{version.pk}/"
        self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(self.client.post(url, article_form_data(article)).status_code, 404)

    def test_an_in_place_edit_of_the_lead_photo_is_a_diff_row_and_restored_with_the_version(
        self,
    ):
        jane, omar = make_creator("Jane Doe"), make_creator("Omar Haddad")
        photo = make_photo(alt_text="Tanks at the border", caption="Near Kharkiv.", creator=jane)
        article = make_article(
            headline="With a photo", status=Article.Status.DRAFT, authors=[self.ana]
        )

        def in_place(alt_text, caption, creator):
            return {
                "lead_photo": photo.pk,
                "photo_for": photo.pk,
                "photo_alt_text": alt_text,
                "photo_caption": caption,
                "photo_creator": creator.pk,
                "photo_credit_type": Photo.CreditType.PHOTO,
            }

        self.save(article, **in_place("Tanks at the border", "Near Kharkiv.", jane))
        first = Version.objects.get_for_object(article).get()
        self.save(article, **in_place("Tanks at the frontier", "Near Kupiansk.", omar))
        photo.refresh_from_db()
        self.assertEqual((photo.caption, photo.creator), ("Near Kupiansk.", omar))

        history = self.client.get(article_change_url(article).replace("change/", "history/"))
        newest = history.context["revisions"][0]["changes"]
        self.assertIn(
            "<dt>Lead photo caption</dt><dd>Near <del>Kharkiv.</del> <ins>Kupiansk.</ins></dd>",
            newest,
        )
        self.assertIn(
            "<dt>Lead photo and credit</dt><dd>Tanks at the <del>border (Jane Doe)</del> "
            "<ins>frontier (Omar Haddad)</ins></dd>",
            newest,
        )

        # Restore: the form shows the photo's fields as the version kept them; looking
        # changes nothing, pressing Restore writes them to the photo as a save would.
        restore_url = f"/admin/articles/article/{article.pk}/history/{first.pk}/"
        form = self.client.get(restore_url).context["adminform"].form
        self.assertEqual(
            [form[name].value() for name in ["photo_alt_text", "photo_caption", "photo_creator"]],
            ["Tanks at the border", "Near Kharkiv.", jane.pk],
        )
        photo.refresh_from_db()
        self.assertEqual(photo.caption, "Near Kupiansk.")
        response = self.client.post(
            restore_url,
            article_form_data(article, **in_place("Tanks at the border", "Near Kharkiv.", jane)),
        )
        self.assertEqual(response.status_code, 302)
        photo.refresh_from_db()
        self.assertEqual(
            (photo.alt_text, photo.caption, photo.creator),
            ("Tanks at the border", "Near Kharkiv.", jane),
        )

        # A credit deleted since: the photo keeps today's, the rest comes back.
        self.save(article, **in_place("Tanks at the border", "Near Kupiansk.", omar))
        jane.delete()
        form = self.client.get(restore_url).context["adminform"].form
        self.assertEqual(
            [form[name].value() for name in ["photo_caption", "photo_creator"]],
            ["Near Kharkiv.", omar.pk],
        )
        self.client.post(
            restore_url,
            article_form_data(article, **in_place("Tanks at the border", "Near Kharkiv.", omar)),
        )
        photo.refresh_from_db()
        self.assertEqual((photo.caption, photo.creator), ("Near Kharkiv.", omar))

    def test_an_untouched_body_with_a_link_is_not_named_as_changed(self):
        article = make_article(
            status=Article.Status.DRAFT,
            authors=[self.ana],
            body='<p>See <a href="https://example.org/report">the report</a>.</p>',
        )
        self.assertIn('rel="noopener noreferrer"', article.body)
        # As the editor sends it back: without the rel the stored body gained.
        self.save(
            article,
            headline="A new headline",
            body='<p>See <a href="https://example.org/report">the report</a>.</p>',
        )
        comment = Version.objects.get_for_object(article).first().revision.comment
        self.assertIn("Headline", comment)
        self.assertNotIn("Body", comment)

    def test_restoring_on_a_live_article_keeps_it_live_and_asks_to_publish(self):
        article = make_article(headline="Live text", authors=[self.ana], lead_photo=self.photo)
        self.save(article, dek="First dek")
        first = Version.objects.get_for_object(article).get()
        self.save(article, dek="Second dek")
        form = self.client.get(f"/admin/articles/article/{article.pk}/history/{first.pk}/")
        self.assertContains(form, 'value="Restore and publish"')
        self.assertContains(form, "readers keep seeing the current text")
        article.refresh_from_db()
        self.assertEqual(article.dek, "Second dek")
        self.assertTrue(article.is_live)

        published_at = article.published_at
        response = self.client.post(
            f"/admin/articles/article/{article.pk}/history/{first.pk}/",
            article_form_data(article, dek="First dek"),
        )
        self.assertEqual(response.status_code, 302)
        article.refresh_from_db()
        self.assertEqual((article.dek, article.published_at), ("First dek", published_at))
        self.assertTrue(article.is_live)
        self.assertEqual(Version.objects.get_for_object(article).count(), 3)

    def test_restoring_a_version_whose_sections_photo_or_topic_were_deleted_since(self):
        article = make_article(
            headline="Old headline",
            status=Article.Status.DRAFT,
            authors=[self.ana],
            section=make_section("Arctic"),
        )
        self.save(
            article,
            tags="Energy",
            other_sections=[make_section("Baltic").pk],
            lead_photo=make_photo(alt_text="A photo deleted later").pk,
            bylines=[(make_author("Cai Long"), Byline.Role.PHOTOS)],
        )
        first = Version.objects.get_for_object(article).get()
        kept = make_section("Europe")
        self.save(
            article,
            headline="New headline",
            section=kept.pk,
            other_sections=[],
            tags="Sanctions",
            lead_photo=self.photo.pk,
        )
        gone = ["Arctic", "Baltic"]
        Section.objects.filter(name__in=gone).delete()
        Tag.objects.filter(name="Energy").delete()
        Photo.objects.filter(alt_text="A photo deleted later").delete()
        Byline.objects.filter(author__name="Cai Long").delete()
        Author.objects.filter(name="Cai Long").delete()

        restore_url = f"/admin/articles/article/{article.pk}/history/{first.pk}/"
        form = self.client.get(restore_url)
        self.assertContains(form, 'value="Old headline"')
        revisions.revert_one_article(first.revision, article.pk, delete=True)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # as the commit would check
        article.refresh_from_db()
        # What still exists comes back; what was deleted since keeps the current value.
        self.assertEqual(article.headline, "Old headline")
        self.assertEqual(article.section, kept)
        self.assertEqual(article.lead_photo, self.photo)
        self.assertEqual(list(article.other_sections.all()), [])
        self.assertEqual(list(article.tags.names()), [])
        self.assertEqual(article.byline_text, "By Ana Ruiz")

    def test_publish_now_is_a_revision(self):
        article = make_article(
            status=Article.Status.DRAFT, authors=[self.ana], lead_photo=self.photo
        )
        self.client.post(
            "/admin/articles/article/",
            {"action": "publish_now", "_selected_action": [article.pk]},
        )
        version = Version.objects.get_for_object(article).get()
        self.assertEqual(version.field_dict["status"], "published")
        self.assertEqual(version.revision.comment, "Published with “Publish now”.")

    def test_restoring_a_version_from_a_bulk_action_leaves_the_other_articles_alone(self):
        # "Publish now" on several articles keeps them all in one revision; restoring one
        # article to it must not take the others back to their text of that moment.
        first = make_article(
            headline="First then",
            status=Article.Status.DRAFT,
            authors=[self.ana],
            lead_photo=self.photo,
        )
        other = make_article(
            headline="Other then",
            status=Article.Status.DRAFT,
            authors=[self.ana],
            lead_photo=self.photo,
            tags=["Energy"],
        )
        self.client.post(
            "/admin/articles/article/",
            {"action": "publish_now", "_selected_action": [first.pk, other.pk]},
        )
        bulk = Version.objects.get_for_object(first).get()
        other.refresh_from_db()
        self.save(other, headline="Other now", tags="Sanctions", bylines=[(self.ben, "photos")])
        first.refresh_from_db()
        self.save(first, headline="First now")

        restore_url = f"/admin/articles/article/{first.pk}/history/{bulk.pk}/"
        response = self.client.post(restore_url, article_form_data(first, headline="First then"))
        self.assertEqual(response.status_code, 302)
        first.refresh_from_db()
        other.refresh_from_db()
        self.assertEqual(first.headline, "First then")
        self.assertEqual(other.headline, "Other now")
        self.assertEqual(other.byline_text, "By Ana Ruiz; photos by Ben Okafor")
        self.assertEqual(list(other.tags.names()), ["Sanctions"])

    def test_a_deleted_article_is_recovered_with_its_bylines_and_topics(self):
        article = make_article(
            headline="Deleted by mistake", status=Article.Status.DRAFT, authors=[self.ana]
        )
        self.save(article, tags="Energy")
        pk, byline_pk = article.pk, article.bylines.get().pk
        data = article_form_data(article)
        data.update(
            inline_data(
                "bylines",
                [{"id": byline_pk, "author": self.ana.pk, "role": "by", "order": 0}],
                initial=1,
            )
        )
        self.client.post(f"/admin/articles/article/{pk}/delete/", {"post": "yes"})
        self.assertFalse(Article.objects.filter(pk=pk).exists())
        version = Version.objects.get_deleted(Article).get(object_id=str(pk))
        recover_url = f"/admin/articles/article/recover/{version.pk}/"
        self.assertContains(self.client.get(recover_url), 'value="Deleted by mistake"')
        response = self.client.post(recover_url, data)
        self.assertEqual(response.status_code, 302)
        recovered = Article.objects.get(pk=pk)
        self.assertEqual(
            (recovered.headline, recovered.byline_text), ("Deleted by mistake", "By Ana Ruiz")
        )
        self.assertEqual(list(recovered.tags.names()), ["Energy"])

    def test_a_share_link_shows_the_saved_version_never_changes_kept_but_not_applied(self):
        article = make_article(
            headline="Saved headline", status=Article.Status.DRAFT, authors=[self.ana]
        )
        self.save(article)
        # Another editor takes over; this editor's unsaved text is kept, not applied.
        EditLock.claim(article, self.superuser, "tab-a")
        EditLock.take_over(article, make_user("bo", is_staff=True, is_superuser=True), "tab-b")
        response = self.client.post(
            f"/admin/articles/article/{article.pk}/lock/keep/",
            article_form_data(article, headline="Typed but never saved"),
        )
        self.assertEqual(response.json(), {"kept": True})
        page = self.client.get(make_share_link(article).get_absolute_url())
        self.assertContains(page, "Saved headline")
        self.assertNotContains(page, "Typed but never saved")

    def test_a_share_link_shows_the_photos_of_its_version_with_their_credit(self):
        photo = make_photo(credit_text="Jane Doe / stockagency.example")
        figure = f'<figure class="image"><img src="{photo.image.url}" alt="A harbour"></figure>'
        article = make_article(headline="With a photo", status=Article.Status.DRAFT)
        self.save(article, body=f"<p>Words.</p>{figure}")
        link = make_share_link(article)
        self.save(article, body="<p>Words, and the photo taken out.</p>")

        page = self.client.get(link.get_absolute_url())
        self.assertContains(page, "Jane Doe / stockagency.example")
        self.assertFalse(article.body_photos.exists())  # the page's changes are rolled back

    def test_a_share_link_shows_its_version_built_in_memory_writing_and_locking_nothing(self):
        ben = make_author("Ben Gone")
        with reversion.create_revision():
            article = make_article(
                headline="As shared",
                status=Article.Status.DRAFT,
                authors=[self.ana, (ben, Byline.Role.PHOTOS)],
                tags=["Energy"],
                lead_photo=self.photo,
            )
            Correction.objects.create(article=article, text="An earlier version misspelt it.")
            Photo.objects.filter(pk=self.photo.pk).update(caption="The caption then")
            self.photo.refresh_from_db()
            reversion.add_to_revision(self.photo)
        link = make_share_link(article)
        # Edits after the link, saved without a revision; an author deleted since.
        Article.objects.filter(pk=article.pk).update(headline="Edited since")
        article.bylines.filter(author=ben).delete()
        ben.delete()
        article.bylines.create(author=self.ben, order=5)
        article.tags.set(["Sanctions"])
        article.corrections.all().delete()
        Photo.objects.filter(pk=self.photo.pk).update(caption="The caption now")

        with CaptureQueriesContext(connection) as queries:
            page = self.client.get(link.get_absolute_url())
        for text in ("As shared", "Ana Ruiz", "Energy", "misspelt it", "The caption then"):
            self.assertContains(page, text)
        for text in ("Edited since", "Ben Okafor", "Ben Gone", "Sanctions", "The caption now"):
            self.assertNotContains(page, text)
        # Simultaneous opens of links to one article waited for each other on the row
        # locks of a revert rolled back after rendering (30 opens: 9.7 s).
        self.assertEqual(writes_and_locks(queries), [])
        # The site chrome is read once (it was twice: the page's head, then base.html).
        chrome = [q for q in queries if 'FROM "publication_sitesettings" ' in q["sql"]]
        self.assertEqual(len(chrome), 1)
        article.refresh_from_db()
        self.assertEqual(article.headline, "Edited since")

    def test_viewing_a_share_link_leaves_cached_pages_current(self):
        article = make_article(headline="First", status=Article.Status.DRAFT)
        self.save(article)
        link = make_share_link(article)
        self.save(article, headline="Second")
        before = current_version()

        page = self.client.get(link.get_absolute_url())
        self.assertContains(page, "First")  # the linked version, reverted and rolled back
        self.assertEqual(current_version(), before)

    def test_history_compares_each_save_with_the_last_applied_version(self):
        article = make_article(
            headline="Saved headline", status=Article.Status.DRAFT, authors=[self.ana]
        )
        self.save(article)
        EditLock.claim(article, self.superuser, "tab-a")
        EditLock.take_over(article, make_user("bo", is_staff=True, is_superuser=True), "tab-b")
        self.client.post(
            f"/admin/articles/article/{article.pk}/lock/keep/",
            article_form_data(article, headline="Typed but never saved"),
        )
        EditLock.objects.all().delete()
        self.save(article, dek="A new dek")
        history = self.client.get(article_change_url(article).replace("change/", "history/"))
        newest = history.context["revisions"][0]
        self.assertIn("A new dek", newest["changes"])
        # The kept text never reached the article: the save after it did not undo it.
        self.assertNotIn("Typed but never saved", newest["changes"])
        self.assertNotIn("Headline", newest["changes"])

    def test_pressing_restore_twice_restores_once_and_says_so(self):
        article = make_article(
            headline="Old headline", status=Article.Status.DRAFT, authors=[self.ana]
        )
        self.save(article, tags="Energy")
        first = Version.objects.get_for_object(article).get()
        self.save(article, headline="New headline", tags="Sanctions")
        restore_url = f"/admin/articles/article/{article.pk}/history/{first.pk}/"
        form = ChangeFormValues()
        form.feed(self.client.get(restore_url).content.decode())

        response = self.client.post(restore_url, form.data, follow=True)
        self.assertRedirects(response, article_change_url(article))
        self.assertContains(response, "was changed successfully")
        article.refresh_from_db()
        saved = (article.headline, article.updated_at)
        self.assertEqual(saved[0], "Old headline")
        restore = Version.objects.get_for_object(article).first().revision
        # A double click or a resend: the same form again.
        again = self.client.post(restore_url, form.data, follow=True)
        self.assertRedirects(again, article_change_url(article))
        self.assertContains(
            again,
            f"This version was restored once, on {zoned_text(restore.date_created)}; pressing "
            "Restore again changed nothing.",
        )
        self.assertNotContains(again, "was changed successfully")
        article.refresh_from_db()
        self.assertEqual((article.headline, article.updated_at), saved)
        self.assertEqual(Version.objects.get_for_object(article).count(), 3)

        # The version opened again and edited before Restore: the edit is saved, not dropped.
        form = ChangeFormValues()
        form.feed(self.client.get(restore_url).content.decode())
        form.data["dek"] = ["A dek typed on the restore page."]
        self.client.post(restore_url, form.data)
        article.refresh_from_db()
        self.assertEqual(article.dek, "A dek typed on the restore page.")
        self.assertEqual(Version.objects.get_for_object(article).count(), 4)

    def test_the_restore_page_names_the_other_articles_showing_the_lead_photo(self):
        photo = make_photo(alt_text="Tanks at the border", caption="Near Kharkiv.")
        article = make_article(
            headline="With a photo", status=Article.Status.DRAFT, authors=[self.ana]
        )
        fields = {"lead_photo": photo.pk, "photo_for": photo.pk, "photo_alt_text": "Tanks"}
        self.save(article, **fields)
        first = Version.objects.get_for_object(article).get()
        self.save(article, **fields, photo_caption="Near Kupiansk.")
        restore_url = f"/admin/articles/article/{article.pk}/history/{first.pk}/"
        self.assertNotContains(self.client.get(restore_url), "The lead photo is shared.")

        lead = make_article(headline="Same lead photo", lead_photo=photo)
        in_body = make_article(
            headline="Same photo in the body",
            body=f'<figure class="image"><img src="{photo.image.url}" alt="x"></figure>',
        )
        make_article(headline="Another photo", lead_photo=make_photo())
        page = self.client.get(restore_url)
        self.assertContains(page, "The lead photo is shared.")
        self.assertContains(page, "2 other articles show this photo and will show them too.")
        for other in [lead, in_body]:
            self.assertContains(
                page, f'<a href="{article_change_url(other)}">{other.headline}</a>', html=True
            )
        self.assertNotContains(page, "Another photo")
        self.assertNotContains(page, "articles using this photo")

    def test_the_change_message_names_only_fields_editors_see(self):
        article = make_article(headline="Old", status=Article.Status.DRAFT, authors=[self.ana])
        # Without base_version (the form's hidden field), and with a made-up photo_for.
        self.save(
            article,
            headline="New",
            photo_for="12345",
            photo_chosen="x.jpg",
            photo_credit_type="photo",
        )
        comment = Version.objects.get_for_object(article).first().revision.comment
        self.assertEqual(comment, "Changed Headline.")
