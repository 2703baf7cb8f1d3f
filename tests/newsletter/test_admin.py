import csv
import datetime
import io

from django.contrib.auth.models import Group, User
from django.core import mail
from django.db import connection
from django.test import TestCase, TransactionTestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from procrastinate.contrib.django.models import ProcrastinateJob

from newsletter import tasks
from newsletter.models import Delivery, ExportLog, Roundup, RoundupItem, Subscriber
from tests.factories import at_once, make_article
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

    def test_a_name_edited_in_the_admin_is_checked_as_stored(self):
        self.client.force_login(self.staff)
        url = f"/admin/newsletter/subscriber/{self.ada.pk}/change/"
        response = self.client.post(url, {"name": "\u0958" * 100})
        self.assertContains(response, "at most 100 characters")
        self.assertEqual(self.client.post(url, {"name": "Ada  Love\u0301"}).status_code, 302)
        self.ada.refresh_from_db()
        self.assertEqual(self.ada.name, "Ada Lové")

    def test_changelist_query_budget(self):
        self.client.force_login(self.staff)
        # session, user, totals per status (one query), user and group permissions,
        # count, page, date hierarchy range and days, source filter choices
        with self.assertNumQueries(10):
            self.client.get(CHANGELIST_URL)

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

    def test_invalid_filters_redirect_to_the_list_with_an_error_and_export_nothing(self):
        self.client.force_login(self.staff)
        for query in ["bogus=1", "signed_up_at__gte=x"]:
            with self.subTest(query):
                response = self.client.post(f"{EXPORT_URL}?{query}", follow=True)
                self.assertRedirects(response, CHANGELIST_URL)
                self.assertContains(response, "filters are not valid")
        self.assertFalse(ExportLog.objects.exists())

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

    def test_the_unsubscribe_action_suppresses_the_selected_addresses_in_one_update(self):
        self.client.force_login(self.staff)
        selected = [self.ada, self.pending, self.gone]
        with CaptureQueriesContext(connection) as queries:
            response = self.client.post(
                CHANGELIST_URL,
                {"action": "unsubscribe_selected", "_selected_action": [s.pk for s in selected]},
                follow=True,
            )
        self.assertContains(response, "(2 changed)")
        updates = [q for q in queries if q["sql"].startswith('UPDATE "newsletter_subscriber"')]
        self.assertEqual(len(updates), 1)
        rows = Subscriber.objects.filter(pk__in=[s.pk for s in selected])
        self.assertEqual(set(rows.values_list("status", flat=True)), {"unsubscribed"})
        self.assertEqual(rows.get(pk=self.gone.pk).unsubscribed_at, self.gone.unsubscribed_at)
        self.assertEqual(Subscriber.objects.get(pk=self.formula.pk).status, "confirmed")

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

    def test_a_test_copy_goes_once_to_the_staff_members_own_address(self):
        roundup = Roundup.objects.create(subject="The week", intro="Dear reader.")
        RoundupItem.objects.create(roundup=roundup, article=self.latest)
        url = reverse("admin:newsletter_roundup_send_test", args=[roundup.pk])
        self.assertEqual(self.client.get(url).status_code, 405)

        self.client.post(url)
        delivery = Delivery.objects.get(kind=Delivery.Kind.TEST)
        tasks.delivery_send(delivery_id=delivery.pk)
        tasks.delivery_send(delivery_id=delivery.pk)  # a retried job after success

        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, ["newsdesk@magazine.example"])
        self.assertEqual(mail.outbox[0].subject, "[Test] The week")
        self.assertIn("Latest story", mail.outbox[0].body)

    def test_a_test_copy_needs_an_address_on_the_account(self):
        User.objects.filter(pk=self.staff.pk).update(email="")
        roundup = Roundup.objects.create(subject="The week")
        response = self.client.post(
            reverse("admin:newsletter_roundup_send_test", args=[roundup.pk]), follow=True
        )
        self.assertContains(response, "Add an email address to your account")
        self.assertFalse(Delivery.objects.exists())

    def test_resuming_queues_the_failed_copies_again_but_not_for_a_draft(self):
        readers = [make_subscriber() for _ in range(3)]
        roundup = make_sent_roundup("Sent", readers, statuses=["sent", "failed", "failed"])
        Roundup.objects.filter(pk=roundup.pk).update(status=Roundup.Status.SENT)
        url = reverse("admin:newsletter_roundup_resume", args=[roundup.pk])

        self.assertEqual(self.client.get(url).status_code, 405)
        response = self.client.post(url, follow=True)

        self.assertContains(response, "2 failed copies queued again")
        roundup.refresh_from_db()
        self.assertEqual(roundup.status, Roundup.Status.SENDING)
        self.assertEqual(roundup.progress()["queued"], 2)
        job = ProcrastinateJob.objects.get(task_name="newsletter.roundup_send_batch")
        self.assertEqual(job.args, {"roundup_id": roundup.pk})
        draft = Roundup.objects.create(subject="Draft")
        resume_draft = reverse("admin:newsletter_roundup_resume", args=[draft.pk])
        self.assertEqual(self.client.post(resume_draft).status_code, 403)

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

    def test_the_changelist_shows_each_roundups_progress_without_a_query_per_row(self):
        def changelist_queries():
            with CaptureQueriesContext(connection) as queries:
                response = self.client.get(reverse("admin:newsletter_roundup_changelist"))
            return response, len(queries)

        readers = [make_subscriber() for _ in range(3)]
        make_sent_roundup("First", readers, statuses=["sent", "failed", "queued"])
        _, one_row = changelist_queries()
        make_sent_roundup("Second", readers, statuses=["sent", "sent", "skipped"])
        make_sent_roundup("Third", readers, statuses=["sending", "sent", "sent"])
        response, three_rows = changelist_queries()

        self.assertEqual(three_rows, one_row)
        self.assertContains(response, "1 of 3 sent · 1 queued · 1 failed · 0 skipped")
        self.assertContains(response, "2 of 3 sent · 0 queued · 0 failed · 1 skipped")
        self.assertContains(response, "1 interrupted</a>")

    def test_the_article_menus_share_one_query_and_offer_recent_and_chosen_articles(self):
        def change_page(roundup):
            url = reverse("admin:newsletter_roundup_change", args=[roundup.pk])
            with CaptureQueriesContext(connection) as queries:
                response = self.client.get(url)
            return response, len(queries)

        ancient = make_article(
            headline="Ancient story", published_at=timezone.now() - datetime.timedelta(days=90)
        )
        small = Roundup.objects.create(subject="Small")
        RoundupItem.objects.create(roundup=small, article=self.recent)
        large = Roundup.objects.create(subject="Large")
        for order, article in enumerate([self.recent, self.latest, self.old, ancient]):
            RoundupItem.objects.create(roundup=large, article=article, order=order)

        _, small_queries = change_page(small)
        response, large_queries = change_page(large)

        self.assertEqual(large_queries, small_queries)
        menu = response.context["inline_admin_formsets"][0].formset.forms[0].fields["article"]
        self.assertEqual(
            [label for _, label in menu.choices][1:],
            ["Latest story", "This week's story", "Old story", "Ancient story"],
        )
        response, _ = change_page(small)
        menu = response.context["inline_admin_formsets"][0].formset.forms[0].fields["article"]
        self.assertNotIn("Ancient story", [label for _, label in menu.choices])

    def test_a_draft_roundup_saves_its_articles_and_refuses_an_old_one(self):
        roundup = Roundup.objects.create(subject="The week")
        item = RoundupItem.objects.create(roundup=roundup, article=self.recent, order=1)
        ancient = make_article(
            headline="Ancient story", published_at=timezone.now() - datetime.timedelta(days=90)
        )
        url = reverse("admin:newsletter_roundup_change", args=[roundup.pk])

        def post(article):
            return self.client.post(
                url,
                {
                    "subject": "The week",
                    "intro": "",
                    "items-TOTAL_FORMS": 2,
                    "items-INITIAL_FORMS": 1,
                    "items-0-id": item.pk,
                    "items-0-roundup": roundup.pk,
                    "items-0-order": 2,
                    "items-0-article": self.recent.pk,
                    "items-1-roundup": roundup.pk,
                    "items-1-order": 1,
                    "items-1-article": article.pk,
                },
            )

        self.assertContains(post(ancient), "Select a valid choice")
        self.assertRedirects(post(self.latest), reverse("admin:newsletter_roundup_changelist"))
        self.assertEqual([i.article for i in roundup.items.all()], [self.latest, self.recent])

    def test_a_sent_roundup_shows_its_articles_read_only(self):
        roundup = make_sent_roundup("Sent", [], statuses=[])
        Roundup.objects.filter(pk=roundup.pk).update(status=Roundup.Status.SENT)
        RoundupItem.objects.create(roundup=roundup, article=self.old)
        response = self.client.get(reverse("admin:newsletter_roundup_change", args=[roundup.pk]))
        self.assertContains(response, "Old story")
        self.assertNotContains(response, 'name="items-0-article"')


def make_sent_roundup(subject, readers, *, statuses):
    roundup = Roundup.objects.create(subject=subject, status=Roundup.Status.SENDING)
    for reader, status in zip(readers, statuses, strict=True):
        Delivery.objects.create(
            kind=Delivery.Kind.ROUNDUP,
            status=status,
            roundup=roundup,
            subscriber=reader,
            to_email=reader.email,
            mailbox_key=reader.mailbox_key,
        )
    return roundup


class SimultaneousTestCopyTests(TransactionTestCase):
    def test_presses_of_send_a_test_at_once_send_one_copy(self):
        boss = User.objects.create_user(
            "boss", "boss@magazine.example", is_staff=True, is_superuser=True
        )
        roundup = Roundup.objects.create(subject="The week")
        url = reverse("admin:newsletter_roundup_send_test", args=[roundup.pk])

        def press(client):
            client.force_login(boss)
            return client.post(url)

        self.assertEqual(at_once(6, press), [302] * 6)
        delivery = Delivery.objects.get(kind=Delivery.Kind.TEST)
        # Pressed again once that copy has gone: a new one, with the round-up as it is then.
        tasks.delivery_send(delivery_id=delivery.pk)
        self.assertEqual(len(mail.outbox), 1)
        press(self.client)
        self.assertEqual(Delivery.objects.filter(kind=Delivery.Kind.TEST).count(), 2)
