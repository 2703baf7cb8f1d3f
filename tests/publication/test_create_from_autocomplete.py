"""Names typed into an autocomplete box and created there: authors, creators, sources."""

import functools

from django.core.exceptions import ValidationError
from django.test import Client, TestCase, TransactionTestCase

from publication.models import Author, Creator, clean_name
from tests.factories import (
    AdminTestCase,
    make_author,
    make_creator,
    make_user,
    simultaneously,
)

CREATOR_URL = "/admin/publication/creator/create-from-autocomplete/"
AUTHOR_URL = "/admin/publication/author/create-from-autocomplete/"


class CleanNameTests(TestCase):
    def test_spaces_are_tidied_and_unusable_names_are_refused_with_a_reason(self):
        self.assertEqual(clean_name("  Dimitrije \u00a0 Ostojic "), "Dimitrije Ostojic")
        self.assertEqual(clean_name("Jose\u0301"), "José")  # one form of each letter
        refused = {
            "": "blank",
            " \t ": "blank",  # stray whitespace around a name is only trimmed
            "   ": "blank",
            "\u3164\u3164": "blank",  # Hangul fillers, a blank braille cell: nothing shows
            "\u2800": "blank",
            "Ana\nRuiz": "control_characters",
            "Ana\x00": "control_characters",
            "\u202eAna": "control_characters",
            "A" * 201: "too_long",
        }
        for typed, code in refused.items():
            with self.subTest(typed=typed[:20]), self.assertRaises(ValidationError) as caught:
                clean_name(typed)
            self.assertEqual(caught.exception.code, code)


class CreateFromAutocompleteTests(AdminTestCase):
    def test_a_creator_is_created_once_whatever_the_case_and_spacing(self):
        first = self.client.post(CREATOR_URL, {"name": " Shutterstock.com "})
        self.assertEqual(first.status_code, 200)
        self.assertEqual(first.json()["text"], "Shutterstock.com")
        self.assertTrue(first.json()["created"])
        again = self.client.post(CREATOR_URL, {"name": "shutterstock.COM"})
        self.assertEqual(again.json(), {**first.json(), "created": False})
        self.assertEqual(Creator.objects.get().slug, "shutterstockcom")

    def test_authors_are_created_the_same_way_with_a_free_slug(self):
        make_author("Ana Ruiz", slug="ana-ruiz")
        Author.objects.filter(name="Ana Ruiz").update(name="Ana Ruiz (old)")
        response = self.client.post(AUTHOR_URL, {"name": "Ana  Ruiz"})
        author = Author.objects.get(pk=response.json()["id"])
        self.assertEqual((author.name, author.slug), ("Ana Ruiz", "ana-ruiz-2"))

    def test_bad_names_get_a_clear_error_and_nothing_is_created(self):
        for name, message in [
            ("", "Type a name."),
            ("Line\nbreak", "Names cannot contain control characters"),
            ("x" * 5000, "Names may be at most 200 characters; this one has 5000."),
        ]:
            with self.subTest(name=name[:10]):
                response = self.client.post(CREATOR_URL, {"name": name})
                self.assertEqual(response.status_code, 400)
                self.assertIn(message, response.json()["error"])
        self.assertFalse(Creator.objects.exists())

    def test_creating_needs_the_add_permission_and_a_csrf_token(self):
        viewer = make_user("viewer", is_staff=True, perms=["publication.view_creator"])
        self.client.force_login(viewer)
        self.assertEqual(self.client.post(CREATOR_URL, {"name": "Someone"}).status_code, 403)
        self.assertEqual(self.client.get(CREATOR_URL, {"term": "Some"}).status_code, 403)
        strict = Client(enforce_csrf_checks=True)
        strict.force_login(self.superuser)
        self.assertEqual(strict.post(CREATOR_URL, {"name": "Someone"}).status_code, 403)
        self.client.logout()
        self.assertEqual(self.client.post(CREATOR_URL, {"name": "Someone"}).status_code, 302)
        self.assertFalse(Creator.objects.exists())

    def test_the_creator_box_offers_authors_and_picking_one_links_them(self):
        writer = make_author("Dimitrije Ostojic")
        make_author("Ana Ruiz")
        offers = self.client.get(CREATOR_URL, {"term": "dimit"}).json()["offers"]
        self.assertEqual(offers, [{"author": str(writer.pk), "text": "Dimitrije Ostojic (author)"}])
        picked = self.client.post(CREATOR_URL, {"author": writer.pk}).json()
        creator = Creator.objects.get(pk=picked["id"])
        self.assertEqual((creator.name, creator.author), ("Dimitrije Ostojic", writer))
        # Picked again (or typed by name), it is the same person, and no longer offered.
        self.assertEqual(
            self.client.post(CREATOR_URL, {"author": writer.pk}).json()["id"], picked["id"]
        )
        self.assertEqual(self.client.get(CREATOR_URL, {"term": "dimit"}).json()["offers"], [])
        self.assertEqual(
            self.client.post(CREATOR_URL, {"name": "dimitrije ostojic"}).json()["id"], picked["id"]
        )
        self.assertEqual(Creator.objects.count(), 1)
        missing = self.client.post(CREATOR_URL, {"author": "999999"})
        self.assertEqual(missing.status_code, 400)

    def test_a_picked_id_that_is_no_id_is_a_clear_error(self):
        """Superscript and circled digits ("²", "①") pass str.isdigit() and int() refuses
        them (a 500); an id past bigint made PostgreSQL refuse the query."""
        for value in ["²", "①", "9" * 25, "0", "-1", " 1", "1.0"]:
            for url, field in [(CREATOR_URL, "author"), (AUTHOR_URL, "creator")]:
                with self.subTest(value=value, field=field):
                    self.assertEqual(self.client.post(url, {field: value}).status_code, 400)

    def test_an_existing_creator_of_the_same_name_is_linked_not_copied(self):
        photographer = make_creator("Ana Ruiz")
        writer = make_author("Ana Ruiz")
        self.assertEqual(Creator.objects.for_author(writer), photographer)
        photographer.refresh_from_db()
        self.assertEqual(photographer.author, writer)
        namesake = Author.objects.create(name="Ana Ruiz", slug="ana-ruiz-2")
        with self.assertRaises(ValidationError):
            Creator.objects.for_author(namesake)

    def test_a_linked_creator_keeps_its_public_page(self):
        creator = Creator.objects.for_author(make_author("Dimitrije Ostojic"))
        response = self.client.get(creator.get_absolute_url())
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Dimitrije Ostojic")

    def test_the_photo_form_types_to_pick_creator_and_source_without_popup_links(self):
        response = self.client.get("/admin/publication/photo/add/")
        self.assertContains(response, 'class="type-to-pick"', count=2)
        self.assertContains(response, f'data-create-url="{CREATOR_URL}"', count=2)
        self.assertNotContains(response, "add_id_creator")
        self.assertNotContains(response, "add_id_source")
        self.client.force_login(
            make_user(
                "reader", is_staff=True, perms=["publication.add_photo", "publication.view_creator"]
            )
        )
        response = self.client.get("/admin/publication/photo/add/")
        self.assertContains(response, 'class="type-to-pick"', count=2)
        self.assertNotContains(response, "data-create-url")


class SimultaneousCreationTests(TransactionTestCase):
    def test_two_requests_creating_one_name_at_once_make_one_row(self):
        def create(typed):
            return Creator.objects.named(typed)[0].pk

        typings = ["Shutterstock.com", "shutterstock.com", " Shutterstock.com", "SHUTTERSTOCK.COM"]
        ids = simultaneously(*(functools.partial(create, typed) for typed in typings))
        self.assertEqual(len(set(ids)), 1)
        self.assertEqual(Creator.objects.count(), 1)


class AuthorFromPhotoCreditTests(AdminTestCase):
    def test_the_byline_box_offers_photographers_and_picking_one_links_them(self):
        photographer = make_creator("Dimitrije Ostojic")
        make_creator("Dimitrov Agency", kind=Creator.Kind.ORGANISATION)
        offers = self.client.get(AUTHOR_URL, {"term": "dimit"}).json()["offers"]
        self.assertEqual(
            offers, [{"creator": str(photographer.pk), "text": "Dimitrije Ostojic (photo credit)"}]
        )
        picked = self.client.post(AUTHOR_URL, {"creator": photographer.pk}).json()
        photographer.refresh_from_db()
        self.assertEqual(photographer.author_id, int(picked["id"]))
        self.assertEqual(self.client.get(AUTHOR_URL, {"term": "dimit"}).json()["offers"], [])
        self.assertEqual(Author.objects.count(), 1)
        self.assertEqual(self.client.post(AUTHOR_URL, {"creator": "x"}).status_code, 400)

    def test_a_photographer_named_exactly_as_an_author_is_not_a_second_entry(self):
        """The demo's "Amara Osei" and "Amara Osei (photo credit)": one person, one entry."""
        make_author("Amara Osei")
        make_creator("Amara Osei")
        namesake = make_creator("Amara Osei-Mensah")
        # The box lists the author from Django's autocomplete, then these offers.
        offers = self.client.get(AUTHOR_URL, {"term": "amara"}).json()["offers"]
        self.assertEqual(
            offers, [{"creator": str(namesake.pk), "text": "Amara Osei-Mensah (photo credit)"}]
        )
