"""Every time the editors' admin shows is in the site's zone, with the zone named."""

import datetime
import re

from django.utils import timezone
from reversion.models import Version

from articles.models import Article, EditLock
from publication.models import Redirect
from tests.factories import (
    AdminTestCase,
    article_change_url,
    article_form_data,
    make_article,
    make_author,
    make_photo,
    make_share_link,
    make_user,
)

ZONE = "Europe/Berlin"


class TimeZoneNamedTests(AdminTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.article = make_article(
            headline="Original", status=Article.Status.DRAFT, authors=[make_author("Ana Ruiz")]
        )
        cls.link = make_share_link(cls.article)
        cls.other = make_user("bo", is_staff=True, is_superuser=True)

    def test_zone_setting_is_the_one_these_tests_expect(self):
        self.assertEqual(timezone.get_current_timezone_name(), ZONE)

    def local(self, moment):
        return f"{timezone.localtime(moment):%a %-d %b %Y, %H:%M}</time> ({ZONE})"

    def test_the_article_form_names_the_zone_of_its_saved_and_share_link_times(self):
        self.article.shown_updated_at = timezone.now() - datetime.timedelta(days=1)
        self.article.save()
        response = self.client.get(article_change_url(self.article))
        for moment in [
            self.article.created_at,
            self.article.updated_at,
            self.article.shown_updated_at,
            self.link.expires_at,
        ]:
            self.assertContains(response, self.local(moment))

    def listed(self, moment):
        local = timezone.localtime(moment)
        return f'<span class="day">{local:%-d %b %Y}</span> {local:%H:%M}</time> <small>{ZONE}'

    def test_the_share_link_list_names_the_zone(self):
        response = self.client.get("/admin/articles/sharelink/")
        self.assertContains(response, self.listed(self.link.created_at))
        self.assertContains(response, self.listed(self.link.expires_at))
        page = self.client.get(f"/admin/articles/sharelink/{self.link.pk}/change/")
        self.assertContains(page, self.local(self.link.expires_at))
        self.assertContains(page, f"In {ZONE} time.")

    def test_the_photo_and_redirect_lists_name_the_zone(self):
        photo = make_photo()
        redirect = Redirect.objects.create(old_path="/old/", new_path="/new/")
        self.assertContains(
            self.client.get("/admin/publication/photo/"), self.listed(photo.created_at)
        )
        self.assertContains(
            self.client.get("/admin/publication/redirect/"), self.local(redirect.created_at)
        )

    def test_a_save_refused_for_the_lock_names_the_zone(self):
        lock = EditLock.claim(self.article, self.other)
        response = self.client.post(
            article_change_url(self.article), article_form_data(self.article, headline="Mine")
        )
        since = f"{timezone.localtime(lock.since):%H:%M}"
        self.assertContains(response, f"bo is editing this article (since {since}, {ZONE})")

    def test_autosave_answers_its_time_with_the_zone(self):
        response = self.client.post(
            f"/admin/articles/article/{self.article.pk}/autosave/", {"headline": "Typed"}
        )
        answer = response.json()
        self.assertRegex(answer["saved_at"], re.compile(r"^\d\d:\d\d:\d\d$"))
        self.assertEqual(answer["time_zone"], ZONE)

    def test_the_restore_page_names_the_zone_of_the_version(self):
        self.client.post(article_change_url(self.article), article_form_data(self.article))
        version = Version.objects.get_for_object(self.article).get()
        page = self.client.get(f"/admin/articles/article/{self.article.pk}/history/{version.pk}/")
        local = timezone.localtime(version.revision.date_created)
        self.assertContains(page, f"This is the version of {local:%a %-d %b %Y, %H:%M} ({ZONE}).")
        # The restore form signs in again in place, as the change form does.
        self.assertContains(page, 'id="reauth"')
