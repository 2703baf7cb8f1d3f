import csv
import datetime
import io

from django.contrib.auth.models import Group, User
from django.core import mail
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from procrastinate.contrib.django.models import ProcrastinateJob

from newsletter.models import ExportLog, Roundup, RoundupItem, Subscriber
from tests.factories import make_article
from tests.newsletter.helpers import make_subscriber

EXPORT_URL = reverse("admin:newsletter_subscriber_export")
CHANGELIST_URL = reverse("admin:newsletter_subscriber_changelist")


def make_staff(username, group):
    user = User.objects.create_user(username, f"{username}@magazine.example", "pw", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


def read_csv(response) -> list[list[str]]:
    content = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(content.removeprefix("\ufeff"))))


class SubscriberExportTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.staff = make_staff("newsdesk", "Newsletter staff")
        cls.editor = make_staff("editor", "Editors")
        cls.ada = make_subscriber("ada@example.com", name="Ada", source="footer")
        cls.pending = make_subscriber(
            "pending@example.com", status=Subscriber.Status.PENDING, source="newsletter page"
        )
        cls.gone = make_subscriber("gone@example.com", status=Subscriber.Status.UNSUBSCRIBED)
        cls.formula = make_subscriber(
            "-cmd@example.com", name='=HYPERLINK("http://evil")', source="@import"
        )

    def test_changelist_shows_totals_and_the_export_button(self):
        self.client.force_login(self.staff)
        response = self.client.get(CHANGELIST_URL)
        self.assertContains(response, "Confirmed <strong>2</strong>")
        self.assertContains(response, "Unsubscribed <strong>1</strong>")
        self.assertContains(response, EXPORT_URL)

    def test_export_streams_the_list_without_unsubscribed_addresses_by_default(self):
        self.client.force_login(self.staff)
        response = self.client.post(EXPORT_URL)
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        self.assertTrue(response.streaming)
        rows = read_csv(response)
        self.assertEqual(
            rows[0],
            [
                "email",
                "name",
                "status",
                "signed_up_at",
                "confirmed_at",
                "unsubscribed_at",
                "source",
            ],
        )
        self.assertEqual(
            sorted(row[0] for row in rows[1:]),
            ["'-cmd@example.com", "ada@example.com", "pending@example.com"],
        )
        ada = next(row for row in rows if row[0] == "ada@example.com")
        self.assertEqual(ada[1:3], ["Ada", "confirmed"])
        self.assertEqual(ada[3], self.ada.signed_up_at.astimezone(datetime.UTC).isoformat())
        self.assertEqual(ada[6], "footer")

    def test_cells_a_spreadsheet_would_run_are_neutralised(self):
        self.client.force_login(self.staff)
        rows = read_csv(self.client.post(EXPORT_URL))
        formula = next(row for row in rows if "cmd" in row[0])
        self.assertEqual(formula[0], "'-cmd@example.com")
        self.assertEqual(formula[1], '\'=HYPERLINK("http://evil")')
        self.assertEqual(formula[6], "'@import")

    def test_export_follows_the_changelist_filters_and_search(self):
        self.client.force_login(self.staff)
        rows = read_csv(self.client.post(f"{EXPORT_URL}?status__exact=unsubscribed"))
        self.assertEqual([row[0] for row in rows[1:]], ["gone@example.com"])
        rows = read_csv(self.client.post(f"{EXPORT_URL}?q=ada"))
        self.assertEqual([row[0] for row in rows[1:]], ["ada@example.com"])
        rows = read_csv(self.client.post(f"{EXPORT_URL}?source=newsletter+page"))
        self.assertEqual([row[0] for row in rows[1:]], ["pending@example.com"])

    def test_every_export_is_logged_with_who_filters_and_row_count(self):
        self.client.force_login(self.staff)
        read_csv(self.client.post(f"{EXPORT_URL}?status__exact=confirmed"))
        log = ExportLog.objects.get()
        self.assertEqual(log.user, self.staff)
        self.assertEqual(log.filters, {"status__exact": "confirmed"})
        self.assertEqual(log.row_count, 2)
        self.assertIsNotNone(log.finished_at)
        # Read-only in the admin.
        response = self.client.get(reverse("admin:newsletter_exportlog_change", args=[log.pk]))
        self.assertNotContains(response, 'name="_save"')

    def test_the_admin_action_exports_the_selected_rows(self):
        self.client.force_login(self.staff)
        response = self.client.post(
            CHANGELIST_URL,
            {"action": "export_selected", "_selected_action": [self.ada.pk, self.gone.pk]},
        )
        rows = read_csv(response)
        self.assertEqual(
            sorted(row[0] for row in rows[1:]), ["ada@example.com", "gone@example.com"]
        )

    def test_staff_without_the_export_permission_cannot_export(self):
        viewer = User.objects.create_user("viewer", password="pw", is_staff=True)
        viewer.user_permissions.add(
            *Group.objects.get(name="Newsletter staff").permissions.exclude(
                codename="export_subscribers"
            )
        )
        self.client.force_login(viewer)
        self.assertEqual(self.client.post(EXPORT_URL).status_code, 403)
        self.assertNotContains(self.client.get(CHANGELIST_URL), EXPORT_URL)
        self.assertFalse(ExportLog.objects.exists())

    def test_editors_cannot_see_subscriber_data_at_all(self):
        self.assertFalse(
            Group.objects.get(name="Editors").permissions.filter(
                content_type__app_label="newsletter"
            )
        )
        self.client.force_login(self.editor)
        self.assertEqual(self.client.get(CHANGELIST_URL).status_code, 403)
        self.assertEqual(self.client.post(EXPORT_URL).status_code, 403)
        self.assertNotContains(self.client.get(reverse("admin:index")), "Subscribers")


class RoundupAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.staff = make_staff("newsdesk", "Newsletter staff")
        now = timezone.now()
        cls.recent = make_article(
            headline="This week's story", published_at=now - datetime.timedelta(days=2)
        )
        cls.latest = make_article(
            headline="Latest story", published_at=now - datetime.timedelta(hours=1)
        )
        cls.old = make_article(headline="Old story", published_at=now - datetime.timedelta(days=20))

    def setUp(self):
        self.client.force_login(self.staff)

    def test_a_new_roundup_is_prefilled_with_the_weeks_articles(self):
        response = self.client.get(reverse("admin:newsletter_roundup_add"))
        formset = response.context["inline_admin_formsets"][0].formset
        initial = [form.initial for form in formset.forms if form.initial]
        self.assertEqual([item["article"] for item in initial], [self.latest.pk, self.recent.pk])
        self.assertEqual([item["order"] for item in initial], [10, 20])

    def test_preview_html_and_text_and_send_a_test(self):
        roundup = Roundup.objects.create(subject="The week", intro="Dear reader.")
        RoundupItem.objects.create(roundup=roundup, article=self.recent, order=2)
        RoundupItem.objects.create(roundup=roundup, article=self.latest, order=1)
        html = self.client.get(
            reverse("admin:newsletter_roundup_preview", args=[roundup.pk, "html"])
        )
        self.assertContains(html, "Dear reader.")
        content = html.content.decode()
        self.assertLess(content.index("Latest story"), content.index("This week&#x27;s story"))
        text = self.client.get(
            reverse("admin:newsletter_roundup_preview", args=[roundup.pk, "text"])
        )
        self.assertEqual(text["Content-Type"], "text/plain; charset=utf-8")
        self.assertContains(text, "This week's story")

        self.client.post(reverse("admin:newsletter_roundup_send_test", args=[roundup.pk]))
        self.assertTrue(
            ProcrastinateJob.objects.filter(task_name="newsletter.send_delivery").exists()
        )
        self.assertEqual(mail.outbox, [])  # sent by the worker, not the request

    def test_sending_asks_first_then_starts_once(self):
        make_subscriber()
        roundup = Roundup.objects.create(subject="The week")
        url = reverse("admin:newsletter_roundup_send", args=[roundup.pk])
        self.assertContains(self.client.get(url), "<strong>1</strong> confirmed subscribers")
        self.client.post(url)
        self.client.post(url)
        roundup.refresh_from_db()
        self.assertEqual(roundup.status, Roundup.Status.SENDING)
        self.assertEqual(
            ProcrastinateJob.objects.filter(task_name="newsletter.roundup_prepare").count(), 1
        )
        response = self.client.get(reverse("admin:newsletter_roundup_change", args=[roundup.pk]))
        self.assertContains(response, "0 of 0 sent")
