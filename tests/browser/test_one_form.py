"""Issue 11 goal 1 (one form) and goal 11's credit in two actions, counted in Chromium."""

import datetime
import re

from django.utils import timezone

from articles.models import Article, WorkingCopy
from publication.models import Author, Creator, Photo
from tests.browser.actions import CountedActions
from tests.browser.test_article_admin import EditorsAdminTestCase
from tests.factories import (
    article_change_url,
    image_bytes,
    make_article,
    make_author,
    make_kind,
    make_photo,
    make_section,
)


class PhotoCreditTests(EditorsAdminTestCase):
    def test_a_credit_name_is_typed_and_picked_or_created_in_two_actions(self):
        writer = make_author("Dimitrije Ostojic")
        self.log_in(self.editor)
        page = self.page
        page.goto(self.live_server_url + "/admin/publication/photo/add/")
        page.set_input_files(
            "#id_image",
            {"name": "border.jpg", "mimeType": "image/jpeg", "buffer": image_bytes("JPEG")},
        )
        page.fill("#id_alt_text", "Soldiers at a border crossing")

        creator = CountedActions(page)
        creator.fill(page.locator("#id_creator"), "Dimitr")
        creator.click(page.get_by_role("option", name="Dimitrije Ostojic (author)"))
        source = CountedActions(page)
        source.fill(page.locator("#id_source"), "Shutterstock.com")
        source.click(page.get_by_role("option", name="Create “Shutterstock.com”"))
        page.wait_for_function("() => document.querySelector('#id_source-value').value !== ''")
        page.click("input[name=_save]")
        page.get_by_text("was added successfully").wait_for()

        self.assertEqual((creator.count, source.count), (2, 2))
        self.assertEqual(len(self.context.pages), 1)  # no popup window
        photo = Photo.objects.with_credit().get()
        self.assertEqual(photo.credit, "Dimitrije Ostojic / Shutterstock.com")
        self.assertEqual(photo.creator.author, writer)
        self.assertEqual(Creator.objects.count(), 2)

    def test_a_bad_name_shows_the_servers_reason_in_the_box(self):
        self.log_in(self.editor)
        page = self.page
        page.goto(self.live_server_url + "/admin/publication/photo/add/")
        page.fill("#id_source", "x" * 300)
        page.get_by_role("option", name="Create").click()
        page.get_by_text("Names may be at most 200 characters; this one has 300.").wait_for()
        self.assertFalse(Creator.objects.exists())


WORDS = [
    "The",
    "coalition",
    "that",
    "imposed",
    "the",
    "sanctions",
    "has",
    "held",
    "for",
    "three",
    "winters,",
    "but",
    "its",
    "members",
    "now",
    "weigh",
    "energy",
    "prices,",
    "elections",
    "and",
    "the",
    "war's",
    "uncertain",
    "course",
    "very",
    "differently",
]


def body_paragraphs(word_count=900, per_paragraph=75):
    words = [WORDS[index % len(WORDS)] for index in range(word_count)]
    return [
        " ".join(words[start : start + per_paragraph]).capitalize() + "."
        for start in range(0, word_count, per_paragraph)
    ]


class OneFormTests(EditorsAdminTestCase):
    def test_the_seed_article_goes_from_add_article_to_published_in_22_actions(self):
        make_kind("Analysis")
        make_section("Global Crises")
        make_section("Europe")
        make_author("Ana Ruiz")
        self.log_in(self.editor)
        page = self.page
        popups, navigations = [], []
        self.context.on("page", lambda new_page: popups.append(new_page.url))
        page.goto(self.live_server_url + "/admin/articles/article/add/")
        page.wait_for_function("() => window.articleBackup !== undefined")
        page.on(
            "framenavigated",
            lambda frame: frame == page.main_frame and navigations.append(frame.url),
        )
        paragraphs = body_paragraphs()

        act = CountedActions(page)
        act.fill(page.locator("#id_headline"), "Can Europe hold its sanctions coalition together?")
        act.fill(
            page.locator("#id_dek"), "Energy prices and elections test the unity of the winter."
        )
        act.select(page.locator("#id_kind"), label="Analysis")
        act.select(page.locator("#id_section"), label="Global Crises")
        act.check(page.get_by_role("checkbox", name="Europe"))
        act.fill(page.locator("#id_tags"), "Sanctions, Energy, Diplomacy")
        act.paste(
            page.locator(".ck-editor__editable").first,
            html="".join(f"<p>{paragraph}</p>" for paragraph in paragraphs),
            text="\n\n".join(paragraphs),
        )
        # Two co-authors with roles; the photographer is new, created from the box.
        act.fill(page.locator("#id_bylines-0-author"), "Dimitrije Ostojic")
        act.click(page.get_by_role("option", name="Create “Dimitrije Ostojic”"))
        act.select(page.locator("#id_bylines-0-role"), value="photos")
        act.fill(page.locator("#id_bylines-1-author"), "Ana")
        act.click(page.get_by_role("option", name="Ana Ruiz"))
        # The writer goes first: dragged above the photographer. A drag is mouse events at
        # points on the screen, so the rows must stay put while it lasts: the photographer
        # is created first (its answer changes the form), then the live checks, which sit
        # above the bylines and change height with their text, show the latest form.
        page.wait_for_function("() => document.querySelector('#id_bylines-0-author-value').value")
        page.locator("#publish-checks:not([aria-busy])").wait_for()
        act.drag(page.locator("#bylines-1 .byline-handle"), page.locator("#bylines-0"))
        page.get_by_text("Ana Ruiz moved to place 1 of").wait_for(state="attached")
        # A new lead photo, dropped in place, with alt text, caption and credit.
        act.drop_file(
            page.locator(".photo-drop"),
            name="Shutterstock_1068582437-1-scaled.jpg",
            data=image_bytes("JPEG", size=(1200, 800)),
            mime_type="image/jpeg",
        )
        act.fill(page.locator("#id_photo_alt_text"), "Ministers arrive at a summit in Brussels")
        act.fill(page.locator("#id_photo_caption"), "Ministers arrive for the December summit.")
        act.fill(page.locator("#id_photo_creator"), "Dimitrije")
        act.click(page.get_by_role("option", name="Dimitrije Ostojic (author)"))
        act.fill(page.locator("#id_photo_source"), "Shutterstock.com")
        act.click(page.get_by_role("option", name="Create “Shutterstock.com”"))
        page.wait_for_function("() => document.querySelector('#id_photo_source-value').value")
        # The live checks count the photo chosen but not yet uploaded, with its credit.
        page.locator("#publish-checks").get_by_text("Ready to publish.").wait_for()
        self.assertEqual((popups, navigations), ([], []))  # no popup, no page change so far
        act.click(page.get_by_role("button", name="Publish now"))
        page.get_by_text("was added successfully").wait_for()

        print(f"\nOne form: {act.count} actions from “Add article” to published.")
        self.assertLessEqual(act.count, 22, "\n".join(act.log))
        self.assertEqual(popups, [])
        article = Article.objects.select_related("lead_photo__creator__author").get()
        self.assertTrue(article.is_live)
        self.assertEqual(
            [(b.author.name, b.role) for b in article.bylines.all()],
            [("Ana Ruiz", "by"), ("Dimitrije Ostojic", "photos")],
        )
        photographer = Author.objects.get(name="Dimitrije Ostojic")
        self.assertEqual(article.lead_photo.creator.author, photographer)  # one person
        self.assertGreaterEqual(article.word_count, 900)

        page.goto(self.live_server_url + article.get_absolute_url())
        self.assertIn(
            "Photo credit: Dimitrije Ostojic / Shutterstock.com", page.locator("body").inner_text()
        )
        byline = page.locator(".byline").first.inner_text()
        self.assertRegex(byline, r"^By Ana Ruiz; [Pp]hotos by Dimitrije Ostojic$")
        label = page.locator(".label-line").first.text_content()
        self.assertIn("Analysis", label)
        self.assertIn("Global Crises", label)
        self.assertEqual(sorted(article.other_sections.values_list("name", flat=True)), ["Europe"])
        self.assertEqual(sorted(article.tags.names()), ["Diplomacy", "Energy", "Sanctions"])
        for topic in ["Diplomacy", "Energy", "Sanctions"]:
            self.assertTrue(page.get_by_role("link", name=topic).count())


class BylineOrderTests(EditorsAdminTestCase):
    def test_move_buttons_reorder_by_keyboard_and_the_backup_keeps_the_order(self):
        ana, ben = make_author("Ana Ruiz"), make_author("Ben Okafor")
        article = make_article(
            headline="Two writers", status=Article.Status.DRAFT, authors=[ana, ben]
        )
        url = self.live_server_url + article_change_url(article)
        self.log_in(self.editor)
        page = self.page
        page.goto(url)
        page.wait_for_function("() => window.articleBackup !== undefined")
        move_down = page.locator("#bylines-0").get_by_role("button", name="Move down")
        move_down.focus()
        page.keyboard.press("Enter")
        page.get_by_text("Ana Ruiz moved to place 2 of 3.").wait_for(state="attached")
        self.assertEqual(
            page.evaluate("document.activeElement.getAttribute('aria-label')"), "Move down"
        )
        page.wait_for_function(
            "() => JSON.parse(localStorage.getItem(articleBackup.key) || '{}')"
            ".fields?.['bylines-0-order']?.[0] === '1'"
        )
        # The server's working copy (autosave) has the new order too.
        page.get_by_text("Autosaved to your working copy").wait_for()
        fields = WorkingCopy.objects.get(article=article).data["fields"]
        self.assertEqual((fields["bylines-0-order"], fields["bylines-1-order"]), (["1"], ["0"]))

        page.close()  # the tab is killed before saving
        page = self.context.new_page()
        page.goto(url)
        page.get_by_role("button", name=re.compile("Restore unsaved changes")).click()
        names = page.locator(
            "#bylines-group tbody tr.form-row:not(.empty-form) input[role=combobox]"
        )
        self.assertEqual(
            names.evaluate_all("inputs => inputs.map(i => i.value)")[:2], ["Ben Okafor", "Ana Ruiz"]
        )
        page.click("input[name=_continue]")
        page.get_by_text("was changed successfully").wait_for()
        self.assertEqual(article.byline_text, "By Ben Okafor and Ana Ruiz")

    def test_a_withdrawn_photo_is_offered_greyed_out_with_the_reason_and_not_picked(self):
        make_photo(
            alt_text="A bridge at dawn",
            license_expires_on=timezone.localdate() - datetime.timedelta(days=1),
        )
        article = make_article(headline="Needs a photo", status=Article.Status.DRAFT)
        self.log_in(self.editor)
        page = self.page
        page.goto(self.live_server_url + article_change_url(article))
        page.locator(".field-lead_photo .select2-selection").click()
        page.locator(".select2-container--open .select2-search__field").fill("bridge")
        option = page.locator(".select2-results__option", has_text="A bridge at dawn")
        self.assertIn("Withdrawn: its licence expired on", option.inner_text())
        self.assertEqual(option.get_attribute("aria-disabled"), "true")
        self.assertEqual(option.locator("img").count(), 0)  # its files are taken down
        option.click(force=True)  # Select2 ignores it: the list stays open, nothing picked
        self.assertTrue(option.is_visible())
        page.keyboard.press("Escape")
        self.assertEqual(page.input_value("#id_lead_photo"), "")
        self.assertEqual(page.input_value("#id_photo_alt_text"), "")

    def test_picking_a_library_photo_fills_its_fields_to_edit_in_place(self):
        photo = make_photo(alt_text="A bridge at night", credit_text="", caption="Old caption")
        article = make_article(headline="Needs a photo", status=Article.Status.DRAFT)
        self.log_in(self.editor)
        page = self.page
        page.goto(self.live_server_url + article_change_url(article))
        page.locator(".field-lead_photo .select2-selection").click()
        page.locator(".select2-container--open .select2-search__field").fill("bridge")
        option = page.locator(".select2-results__option", has_text="A bridge at night")
        # A thumbnail beside each photo offered, so the editor sees what they pick.
        thumbnail = option.locator("img.photo-option__thumbnail")
        self.assertEqual(thumbnail.get_attribute("src"), photo.thumbnail_url)
        # decode() waits for the image (on a loaded machine it may still be on its way) and
        # rejects a broken one.
        self.assertTrue(
            thumbnail.evaluate("img => img.decode().then(() => img.naturalWidth > 0, () => false)")
        )
        option.click()
        page.wait_for_function("() => document.querySelector('#id_photo_alt_text').value !== ''")
        self.assertEqual(page.input_value("#id_photo_caption"), "Old caption")
        page.fill("#id_photo_caption", "The bridge, lit for the summit.")
        page.click("input[name=_continue]")
        page.get_by_text("was changed successfully").wait_for()
        photo.refresh_from_db()
        article.refresh_from_db()
        self.assertEqual(article.lead_photo, photo)
        self.assertEqual(photo.caption, "The bridge, lit for the summit.")
