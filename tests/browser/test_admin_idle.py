"""The article admin in Chromium: opening a form writes nothing; share links; two tabs of
one editor; the article list's autocomplete filters; every list editors use fits 1,280 px."""

import datetime
import re

from django.conf import settings
from django.utils import timezone
from reversion.models import Version

from articles.demo.content import PHOTOS
from articles.models import Article, ArticleRevision, ShareLink, WorkingCopy
from tests.browser.test_article_admin import EditorsAdminTestCase
from tests.factories import (
    article_change_url,
    make_article,
    make_author,
    make_creator,
    make_kind,
    make_photo,
    make_section,
    make_share_link,
)

# The lines of text in each row of an admin list: its tallest cell's text over the
# cell's line height (Django's lists: 1rem).
# Text cut off by its element (a clamped alt text) counts as the lines it shows.
ROW_LINES = """() => Array.from(document.querySelectorAll('#result_list tbody tr')).map(row =>
  Math.max(...Array.from(row.cells).map(cell => {
    const range = document.createRange();
    range.selectNodeContents(cell);
    let height = range.getBoundingClientRect().height;
    const text = cell.textContent.trim();
    for (const element of cell.querySelectorAll('*')) {
      if (getComputedStyle(element).overflow === 'hidden' && element.textContent.trim() === text) {
        height = Math.min(height, element.getBoundingClientRect().height);
      }
    }
    return Math.round(height / parseFloat(getComputedStyle(cell).lineHeight));
  })))"""


class EditorsDayTests(EditorsAdminTestCase):
    """One Chromium for these: opening, sharing, two tabs, the list's filters."""

    def test_an_untouched_change_page_neither_autosaves_nor_asks_and_typing_autosaves(self):
        live = make_article(
            headline="A live article",
            authors=[make_author("Ana Ruiz")],
            lead_photo=make_photo(credit_text="Dimitrije Ostojic / Shutterstock.com"),
            tags=["Energy"],
        )
        draft = make_article(headline="A draft", status=Article.Status.DRAFT)
        self.log_in(self.editor)
        for article in [live, draft]:
            with self.subTest(article.headline):
                page = self.context.new_page()
                page.goto(self.live_server_url + article_change_url(article))
                page.locator(".ck-editor__editable").first.wait_for()
                # Past the autosave delay (1.5 s) and the backup's (0.3 s), with room to spare.
                page.wait_for_timeout(3000)
                self.assertIsNone(page.evaluate("localStorage.getItem(articleBackup.key)"))
                self.assertEqual(page.locator(".autosave-status").inner_text(), "")
                self.assertFalse(WorkingCopy.objects.filter(article=article).exists())
                dialogs = []
                page.on(
                    "dialog",
                    lambda dialog, seen=dialogs: (seen.append(dialog.type), dialog.dismiss()),
                )
                # Leaving asks first only when something changed.
                page.close(run_before_unload=True)
                self.page.wait_for_timeout(300)
                self.assertEqual(dialogs, [])

        page = self.context.new_page()
        page.goto(self.live_server_url + article_change_url(draft))
        page.locator(".ck-editor__editable").first.wait_for()
        page.wait_for_timeout(2000)
        page.fill("#id_dek", "A dek typed now.")
        # Written within 3 s of typing (the delay is 1.5 s after the last keystroke).
        page.get_by_text("Autosaved to your working copy at").wait_for(timeout=3000)
        copy = WorkingCopy.objects.get(article=draft, user=self.editor)
        self.assertEqual(copy.data["fields"]["dek"], ["A dek typed now."])

    def test_a_link_in_one_click_copied_in_another_and_revoked_in_one(self):
        article = make_article(headline="Draft for the lawyer", status=Article.Status.DRAFT)
        self.context.grant_permissions(["clipboard-read", "clipboard-write"])
        self.log_in(self.editor)
        page = self.page
        page.goto(self.live_server_url + article_change_url(article))
        clicks = 0

        page.get_by_role("button", name="Create share link").click()
        clicks += 1
        link = page.locator(".share-created .share-link a")
        url = link.inner_text()
        self.assertTrue(url.startswith(f"{settings.SITE_URL}/share/"), url)
        page.locator(".share-created").get_by_role("button", name="Copy").click()
        clicks += 1
        self.assertEqual(page.evaluate("navigator.clipboard.readText()"), url)
        self.assertEqual(clicks, 2)
        share = ShareLink.objects.get()
        self.assertEqual(round((share.expires_at - share.created_at).total_seconds() / 86400), 7)
        self.assertEqual(share.created_by, self.editor)

        reviewer = self.browser.new_context()
        self.addCleanup(reviewer.close)
        shared = reviewer.new_page()
        response = shared.goto(url.replace(settings.SITE_URL, self.live_server_url))
        self.assertEqual(response.headers["x-robots-tag"], "noindex, nofollow")
        self.assertEqual(
            shared.locator("h1.article__headline").inner_text(), "Draft for the lawyer"
        )

        # Signed out meanwhile: the login page the request is sent to is no "Revoked".
        self.context.clear_cookies(name=settings.SESSION_COOKIE_NAME)
        page.locator(".share-created").get_by_role("button", name="Revoke").click()
        page.get_by_role("alert").get_by_text("Not revoked: the link still works.").wait_for()
        self.assertNotIn("Revoked", page.locator(".share-created").inner_text())
        self.assertEqual(shared.reload().status, 200)

        self.log_in(self.editor)
        page.locator(".share-created").get_by_role("button", name="Revoke").click()
        page.locator(".share-created", has_text=re.compile("^Revoked$")).wait_for()
        self.assertEqual(shared.reload().status, 404)
        # The form itself was neither saved nor left.
        self.assertEqual(page.url, self.live_server_url + article_change_url(article))

    def test_the_same_editors_second_tab_is_read_only_until_it_takes_over(self):
        article = make_article(headline="The first headline", status=Article.Status.DRAFT)
        url = self.live_server_url + article_change_url(article)
        self.log_in(self.editor)
        tab_a, tab_b = self.page, self.context.new_page()
        tab_a.goto(url)
        tab_a.locator(".ck-editor__editable").first.wait_for()
        tab_a.fill("#id_headline", "Typed in tab A")

        tab_b.goto(url)
        banner = tab_b.locator(".edit-lock")
        banner.get_by_text("You are editing this in another tab").wait_for(timeout=10_000)
        self.assertRegex(banner.inner_text(), r"\(since \d\d:\d\d, Europe/Berlin\)")
        tab_b.locator("#id_headline:disabled").wait_for()
        self.assertFalse(tab_a.locator("#id_headline").is_disabled())

        banner.get_by_role("button", name="Take over").click()
        tab_b.wait_for_load_state()
        tab_b.locator("#id_headline:enabled").wait_for()
        tab_a.get_by_text("Your changes so far were kept as a revision").wait_for(timeout=10_000)
        self.assertIn(
            "You took over editing in another tab", tab_a.locator(".edit-lock").inner_text()
        )
        self.assertTrue(tab_a.locator("#id_headline").is_disabled())
        kept = ArticleRevision.objects.get(article=article, applied=False)
        self.assertEqual(
            Version.objects.get_for_object(article)
            .get(revision=kept.revision)
            .field_dict["headline"],
            "Typed in tab A",
        )

        tab_b.fill("#id_headline", "Saved from tab B")
        tab_b.click("input[name=_continue]")
        tab_b.get_by_text("was changed successfully").wait_for()
        article.refresh_from_db()
        self.assertEqual(article.headline, "Saved from tab B")

    def test_the_author_filter_is_an_autocomplete_box(self):
        ana, ben = make_author("Ana Ruiz"), make_author("Ben Okafor")
        make_article(headline="By Ana", authors=[ana])
        make_article(headline="By Ben", authors=[ben])
        self.log_in(self.editor)
        page = self.page
        page.goto(self.live_server_url + "/admin/articles/article/")
        box = page.locator("details[data-filter-title=author]")
        box.locator(".select2-selection").click()
        page.locator(".select2-container--open .select2-search__field").fill("Oka")
        page.locator(".select2-results__option", has_text="Ben Okafor").click()
        page.wait_for_url(re.compile(rf"\?bylines__author__id__exact={ben.pk}$"))
        self.assertEqual(page.locator("#result_list .field-headline").all_inner_texts(), ["By Ben"])

    def test_every_list_editors_use_fits_a_1280_pixel_screen(self):
        # Long values where editors have them: alt text, credits, headlines, notes.
        photographer = make_creator(
            "Dimitrije Ostojic", website="https://www.dimitrije-ostojic-photography.example/"
        )
        photo = make_photo(
            # The demo's longest: four lines in the photo list's column.
            alt_text="Mirela Dobre speaking at a lectern in a television studio, with a news "
            "ticker running along the bottom of the frame",
            creator=photographer,
            source=make_creator("Shutterstock.com", kind="organisation"),
            license_expires_on=datetime.date(2031, 1, 14),
        )
        # The demo's two-person credit (three lines beside its licence state), licence
        # running out: the state is a line of the licence column.
        two_people = make_photo(
            alt_text=PHOTOS["two_negotiators"]["alt_text"],
            credit_text=PHOTOS["two_negotiators"]["credit_text"],
            license_expires_on=timezone.localdate() + datetime.timedelta(days=5),
        )
        authors = [make_author("Anastasia Ruiz-Okafor"), make_author("Ben Okafor")]
        article = make_article(
            headline="Can the alliance hold together through a winter of hard negotiations?",
            authors=authors,
            lead_photo=photo,
        )
        make_share_link(article, note="For the fact-checker and the lawyer at the agency")
        make_share_link(
            article,
            note="For the ambassador's office, sent with the draft",
            created_by=self.editor,
            revoked_at=timezone.now(),
        )
        # Scheduled beyond a week: its status "Scheduled · Tue 14 Jan 2031, 09:00
        # (Europe/Berlin)" made the row four lines high.
        make_article(
            headline="Can the alliance hold together through a winter of hard negotiations?",
            authors=authors,
            lead_photo=photo,
            published_at=timezone.now() + datetime.timedelta(days=400),
            # The demo's longest kind and section.
            kind=make_kind("Interview"),
            section=make_section("Global Crises"),
        )
        self.log_in(self.editor)
        page = self.page
        page.set_viewport_size({"width": 1280, "height": 800})
        for model in [
            "articles/article",
            "publication/photo",
            "publication/author",
            "publication/creator",
            "publication/section",
            "articles/sharelink",
        ]:
            with self.subTest(model):
                page.goto(f"{self.live_server_url}/admin/{model}/")
                widths = page.evaluate(
                    "() => { const r = document.querySelector('#changelist .results');"
                    " const page = document.documentElement.scrollWidth;"
                    " return [r.scrollWidth, r.clientWidth, page]; }"
                )
                self.assertLessEqual(widths[0], widths[1], f"{model}: the results table overflows")
                self.assertLessEqual(widths[2], 1280, f"{model}: the page scrolls sideways")
                last = page.locator("#result_list thead th").last.bounding_box()
                self.assertLessEqual(last["x"] + last["width"], 1280, model)
                if model in ["articles/article", "publication/photo", "articles/sharelink"]:
                    # Each row at most two lines high: its tallest cell's text, in lines.
                    lines = page.evaluate(ROW_LINES)
                    self.assertTrue(lines)
                    self.assertLessEqual(max(lines), 2, f"rows of {lines} lines")
                if model == "publication/photo":
                    row = page.locator(f"#result_list tr:has(input[value='{two_people.pk}'])")
                    # The two-person credit shows in full, not cut to two lines.
                    self.assertTrue(
                        row.locator(".credit-text").evaluate(
                            "text => text.scrollHeight <= text.clientHeight"
                        )
                    )
                    # The licence's day as the Added column writes its day, its state under it.
                    self.assertEqual(
                        row.locator("td.field-licence").inner_text().splitlines(),
                        [f"{two_people.license_expires_on:%-d %b %Y}", "expiring"],
                    )
