"""Who may do what: every role against every admin page, action and staff-only view.

The roles are the groups the data migrations create (Editors, Newsletter staff), plus an
anonymous visitor, a signed-in reader without the staff flag, and a superuser.
"""

import reversion
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import User
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version
from taggit.models import Tag

from newsletter.models import Delivery, ExportLog, Roundup
from publication.models import Redirect
from tests.factories import (
    TemporaryMediaTestCase,
    article_form_data,
    image_upload,
    make_article,
    make_author,
    make_creator,
    make_photo,
    make_share_link,
    make_site,
    make_user,
)
from tests.newsletter.helpers import make_subscriber

ROLES = ("anonymous", "reader", "editor", "newsletter", "superuser")

# Admin actions each staff role is offered, per model; everything else is refused.
EXPECTED_ACTIONS = {
    "editor": {
        "articles.article": {"publish_now", "unpublish", "delete_selected"},
        "articles.sharelink": {"revoke"},
        "publication.photo": {"make_renditions_again"},
        "publication.redirect": {"delete_selected"},
        "taggit.tag": {"render_tag_form"},
    },
    "newsletter": {
        "newsletter.subscriber": {"export_selected", "unsubscribe_selected"},
    },
}
# Admin pages each staff role may open, per model: "view" is the list and the change page,
# "add" the add page; every other model's pages answer 403 (the superuser opens them all).
# Written out, not read from the groups: a data migration granting too much fails here.
EXPECTED_PAGES = {
    "editor": {
        "view": {
            "articles.article",
            "articles.kind",
            "articles.sharelink",
            "publication.author",
            "publication.creator",
            "publication.photo",
            "publication.redirect",
            "publication.section",
            "taggit.tag",
        },
        "add": {
            "articles.article",
            "articles.kind",
            "articles.sharelink",
            "publication.author",
            "publication.creator",
            "publication.photo",
            "publication.redirect",
            "taggit.tag",
        },
    },
    "newsletter": {
        "view": {
            "newsletter.delivery",
            "newsletter.exportlog",
            "newsletter.roundup",
            "newsletter.subscriber",
        },
        "add": {"newsletter.roundup"},
    },
}


# The admin's own views beyond the list, add and change pages (ModelAdmin.get_urls()), by
# URL name: the staff roles that may use them (the superuser may use all). Every other
# role is sent to the login page (not staff) or refused with 403, by GET and by POST.
ADMIN_VIEWS = {
    "articles_article_tag_suggest": {"editor"},
    "articles_article_checks": {"editor"},
    "articles_article_photo_fields": {"editor"},
    "articles_article_session": {"editor"},
    "articles_article_lock": {"editor"},
    "articles_article_take_over": {"editor"},
    "articles_article_keep": {"editor"},
    "articles_article_add_preview": {"editor"},
    "articles_article_preview": {"editor"},
    "articles_article_autosave": {"editor"},
    "articles_article_share": {"editor"},
    "articles_article_release": {"editor"},
    "articles_article_recoverlist": {"editor"},
    "articles_article_recover": {"editor"},
    "articles_article_revision": {"editor"},
    "articles_sharelink_revoke_one": {"editor"},
    "publication_photo_withdrawn_original": {"editor"},
    "taggit_tag_merge_tags": {"editor"},
    "newsletter_subscriber_export": {"newsletter"},
    "newsletter_roundup_preview": {"newsletter"},
    "newsletter_roundup_send_test": {"newsletter"},
    "newsletter_roundup_send": {"newsletter"},
    "newsletter_roundup_resume": {"newsletter"},
    "newsletter_roundup_requeue_interrupted": {"newsletter"},
}
# Past the permission check, these answer 404 for the objects here (the photo is not
# withdrawn: it has no withdrawn original to show).
NOTHING_THERE = {"publication_photo_withdrawn_original"}
STANDARD_VIEWS = ("changelist", "add", "history", "delete", "change", "autocomplete")


class RoleMatrixTests(TemporaryMediaTestCase):
    @classmethod
    def setUpTestData(cls):
        make_site()
        cls.article = make_article(
            authors=[make_author()],
            tags=["Trade"],
            lead_photo=make_photo(creator=make_creator()),
            status="draft",
        )
        make_share_link(cls.article)
        Redirect.objects.create(old_path="/old-address/", new_path=cls.article.get_absolute_url())
        subscriber = make_subscriber("reader@example.org")
        roundup = Roundup.objects.create(subject="This week")
        Delivery.objects.create(subscriber=subscriber, kind="confirmation")
        ExportLog.objects.create(row_count=1)
        now = timezone.now()
        AccessAttempt.objects.create(username="x", ip_address="192.0.2.1", failures_since_start=1)
        AccessLog.objects.create(username="x", ip_address="192.0.2.1", attempt_time=now)
        AccessFailureLog.objects.create(username="x", ip_address="192.0.2.1", attempt_time=now)
        cls.roundup = roundup
        cls.users = {
            "anonymous": None,
            "reader": make_user("reader"),
            "editor": make_user("editor", is_staff=True, groups=["Editors"]),
            "newsletter": make_user("letters", is_staff=True, groups=["Newsletter staff"]),
            "superuser": User.objects.create_superuser("boss", "boss@magazine.example", "pw"),
        }

    def setUp(self):
        super().setUp()
        self.clients = {}
        for role, user in self.users.items():
            client = self.client_class()
            if user is not None:
                client.force_login(user)
            self.clients[role] = client

    def admin_pages(self):
        """(model label, page, url) for every changelist, add and change page."""
        for model in admin.site._registry:
            prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
            label = model._meta.label_lower
            yield label, "view", reverse(f"{prefix}_changelist")
            yield label, "add", reverse(f"{prefix}_add")
            instance = model._default_manager.first()
            self.assertIsNotNone(instance, f"make a {label} so its change page is checked")
            yield label, "view", reverse(f"{prefix}_change", args=[instance.pk])

    def superuser_can(self, url):
        return self.clients["superuser"].get(url).status_code == 200

    def test_every_admin_page_for_every_role(self):
        checked = 0
        for label, page, url in self.admin_pages():
            ceiling = self.superuser_can(url)  # pages no one may open (e.g. adding a log)
            for role in ROLES:
                with self.subTest(role=role, url=url):
                    response = self.clients[role].get(url)
                    user = self.users[role]
                    if user is None or not user.is_staff:
                        self.assertEqual(response.status_code, 302)
                        self.assertTrue(response["Location"].startswith("/admin/login/"))
                        continue
                    allowed = role == "superuser" or label in EXPECTED_PAGES[role][page]
                    expected = 200 if allowed and ceiling else 403
                    self.assertEqual(response.status_code, expected)
                    checked += 1
        self.assertGreater(checked, 150)
        registered = {model._meta.label_lower for model in admin.site._registry}
        for pages in EXPECTED_PAGES.values():
            self.assertLessEqual(pages["view"] | pages["add"], registered)

    def test_the_roles_themselves(self):
        editor, letters = self.users["editor"], self.users["newsletter"]
        for perm in (
            "newsletter.view_subscriber",
            "auth.view_user",
            "publication.change_sitesettings",
        ):
            self.assertFalse(editor.has_perm(perm), perm)
        for perm in ("articles.change_article", "publication.add_photo", "articles.add_sharelink"):
            self.assertTrue(editor.has_perm(perm), perm)
        for perm in ("articles.change_article", "articles.view_article", "auth.view_user"):
            self.assertFalse(letters.has_perm(perm), perm)
        self.assertTrue(letters.has_perm("newsletter.export_subscribers"))

    def test_admin_actions_offered_to_each_role(self):
        factory = RequestFactory()
        for model, model_admin in admin.site._registry.items():
            label = model._meta.label_lower
            for role in ("editor", "newsletter"):
                request = factory.get("/admin/")
                request.user = self.users[role]
                offered = set(model_admin.get_actions(request))
                if not model_admin.has_view_or_change_permission(request):
                    offered = set()
                with self.subTest(role=role, model=label):
                    self.assertEqual(offered, EXPECTED_ACTIONS[role].get(label, set()))

    def test_a_refused_action_changes_nothing(self):
        url = reverse("admin:articles_article_changelist")
        for role in ("reader", "newsletter"):
            response = self.clients[role].post(
                url, {"action": "publish_now", "_selected_action": [self.article.pk]}
            )
            self.assertIn(response.status_code, {302, 403})
        self.article.refresh_from_db()
        self.assertEqual(self.article.status, "draft")

    def admin_views(self):
        """(URL name, url) for every view a ModelAdmin adds to the standard pages."""
        for model, model_admin in admin.site._registry.items():
            for pattern in model_admin.get_urls():
                name = pattern.name or ""
                if not name or name.endswith(STANDARD_VIEWS):
                    continue
                instance = model._default_manager.order_by("pk").first()
                if name == "articles_article_revision":
                    version = Version.objects.get_for_object(self.article).first()
                    args = [self.article.pk, version.pk]
                elif name == "articles_article_photo_fields":  # a photo's, for the form
                    args = [self.article.lead_photo.pk]
                elif name == "articles_article_recover":
                    args = [Version.objects.first().pk]
                elif "<str:fmt>" in str(pattern.pattern):
                    args = [instance.pk, "html"]
                elif "<int:pk>" in str(pattern.pattern):
                    args = [instance.pk]
                else:
                    args = []
                yield name, reverse(f"admin:{name}", args=args)

    def test_every_admin_view_for_every_role(self):
        # A version of the article, and one of a deleted one, for django-reversion's views.
        with reversion.create_revision():
            self.article.save()
        gone = make_article(status="draft")
        with reversion.create_revision():
            gone.save()
        gone.delete()
        seen = set()
        for name, url in self.admin_views():
            seen.add(name)
            allowed = {"superuser", *ADMIN_VIEWS.get(name, ())}
            for role in ROLES:
                for method in ("get", "post"):
                    if role in allowed and method == "post":
                        continue  # a permitted POST would act (send a round-up, take a lock)
                    with self.subTest(role=role, url=url, method=method):
                        response = getattr(self.clients[role], method)(url)
                        user = self.users[role]
                        if role in allowed:
                            # Past the permission checks: anything but a refusal (a view
                            # that takes only POST answers GET with 405).
                            self.assertNotEqual(response.status_code, 403)
                            location = response.get("Location", "")
                            self.assertFalse(location.startswith("/admin/login/"))
                            if name not in NOTHING_THERE:
                                self.assertNotEqual(response.status_code, 404)
                        elif user is None or not user.is_staff:
                            self.assertEqual(response.status_code, 302)
                            self.assertTrue(response["Location"].startswith("/admin/login/"))
                        elif method == "get":  # refused, or a view that takes only POST
                            self.assertIn(response.status_code, {403, 405})
                        else:
                            self.assertEqual(response.status_code, 403)
        # A new view is added here with the roles that may use it.
        self.assertEqual(seen, set(ADMIN_VIEWS))

    def test_subscriber_export(self):
        url = reverse("admin:newsletter_subscriber_export")
        expected = {"anonymous": 302, "reader": 302, "editor": 403, "newsletter": 200}
        expected["superuser"] = 200
        for role, status in expected.items():
            with self.subTest(role=role):
                response = self.clients[role].post(url)
                self.assertEqual(response.status_code, status)
                if status == 200:
                    self.assertIn(
                        "reader@example.org", b"".join(response.streaming_content).decode()
                    )

    def test_editor_image_upload(self):
        expected = {"anonymous": 403, "reader": 403, "newsletter": 403, "editor": 200}
        expected["superuser"] = 200
        for role, status in expected.items():
            with self.subTest(role=role):
                response = self.clients[role].post("/editor/images/", {"upload": image_upload()})
                self.assertEqual(response.status_code, status)

    def test_preview(self):
        url = reverse("articles:preview", args=[self.article.pk])
        expected = {"anonymous": 302, "reader": 302, "newsletter": 403, "editor": 200}
        expected["superuser"] = 200
        for role, status in expected.items():
            with self.subTest(role=role):
                self.assertEqual(self.clients[role].get(url).status_code, status)

    def test_share_link_creation(self):
        """Share links are made from the article form's inline; only those who edit articles."""
        url = reverse("admin:articles_article_change", args=[self.article.pk])
        data = article_form_data(
            self.article, share_links=[(None, {"note": "check", "valid_for": 3})]
        )
        for role in ("anonymous", "reader", "newsletter"):
            with self.subTest(role=role):
                response = self.clients[role].post(url, data)
                self.assertIn(response.status_code, {302, 403})
                self.assertFalse(self.article.share_links.filter(note="check").exists())
        response = self.clients["editor"].post(url, data)
        self.assertEqual(response.status_code, 302)
        link = self.article.share_links.get(note="check")
        self.assertEqual(link.created_by, self.users["editor"])


class TopicMergeTests(TemporaryMediaTestCase):
    """taggit's merge page, which reads the topics chosen in the list from the session."""

    def test_no_topic_chosen_or_one_deleted_meanwhile_says_so(self):
        make_article(tags=["Trade"])
        self.client.force_login(make_user("editor", is_staff=True, groups=["Editors"]))
        url = reverse("admin:taggit_tag_merge_tags")
        for chosen in (None, "999999", "x,"):
            with self.subTest(chosen=chosen):
                if chosen is not None:
                    session = self.client.session
                    session["selected_tag_ids"] = chosen
                    session.save()
                response = self.client.post(url, {"new_tag_name": "Trade policy"}, follow=True)
                self.assertRedirects(response, reverse("admin:taggit_tag_changelist"))
                self.assertContains(response, "Choose the topics to merge in the list first.")
        self.assertFalse(Tag.objects.filter(name="Trade policy").exists())

    def test_a_name_that_differs_only_in_case_merges_into_that_topic(self):
        article = make_article(tags=["Trade", "Tariffs"])
        self.client.force_login(make_user("editor", is_staff=True, groups=["Editors"]))
        session = self.client.session
        session["selected_tag_ids"] = str(Tag.objects.get(name="Tariffs").pk)
        session.save()
        url = reverse("admin:taggit_tag_merge_tags")
        response = self.client.post(url, {"new_tag_name": " trade "})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(list(article.tags.names()), ["Trade"])
        self.assertFalse(Tag.objects.filter(name="trade").exists())
        # Only spaces: taggit's form refuses it, and nothing changes.
        session = self.client.session
        session["selected_tag_ids"] = str(Tag.objects.get(name="Trade").pk)
        session.save()
        response = self.client.post(url, {"new_tag_name": "   "}, follow=True)
        self.assertContains(response, "Form is invalid.")
        self.assertEqual(list(article.tags.names()), ["Trade"])
