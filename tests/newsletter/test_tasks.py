import datetime
import itertools
import smtplib

from asgiref.sync import async_to_sync
from croniter import croniter
from django.contrib.auth.models import User
from django.core import mail
from django.db import connection
from django.test import TestCase, override_settings
from django.utils import timezone
from procrastinate.contrib.django import app
from procrastinate.contrib.django.models import ProcrastinateJob

from newsletter import mail as newsletter_mail
from newsletter import services, tasks
from newsletter.models import Delivery, Roundup, RoundupItem, Subscriber
from publication.models import SiteSettings
from tests.factories import make_article, simultaneously
from tests.newsletter.helpers import (
    JobsTestCase,
    confirm_token_in,
    make_subscriber,
    run_jobs,
    signup,
)

FAILING_BACKEND = "tests.newsletter.helpers.FailingEmailBackend"
REFUSING_BACKEND = "tests.newsletter.helpers.RefusingEmailBackend"


class ConfirmationEmailTests(JobsTestCase):
    @override_settings(SITE_URL="https://news.example")
    def test_signup_sends_a_confirmation_email_with_unsubscribe_headers(self):
        signup(self.client, "Reader+news@Example.COM", name="Ada")
        run_jobs()

        self.assertEqual(len(mail.outbox), 1)
        message = mail.outbox[0]
        subscriber = Subscriber.objects.get()
        self.assertEqual(message.to, ["Reader+news@example.com"])
        html = message.alternatives[0][0]
        for text in (message.body, html):
            self.assertIn("https://news.example/newsletter/confirm/", text)
            self.assertEqual(Subscriber.from_confirm_token(confirm_token_in(text)), subscriber)
        self.assertEqual(
            message.extra_headers["List-Unsubscribe"], f"<{subscriber.get_unsubscribe_url()}>"
        )
        self.assertTrue(subscriber.get_unsubscribe_url().startswith("https://news.example/"))
        self.assertEqual(
            message.extra_headers["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click"
        )
        self.assertEqual(Delivery.objects.get().status, Delivery.Status.SENT)

    @override_settings(EMAIL_BACKEND=FAILING_BACKEND)
    def test_a_failing_mail_server_loses_no_signup_and_the_job_is_retried(self):
        response = signup(self.client, "reader@example.com")
        self.assertEqual(response.status_code, 302)
        run_jobs()

        self.assertEqual(Subscriber.objects.get().status, Subscriber.Status.PENDING)
        delivery = Delivery.objects.get()
        self.assertEqual(delivery.status, Delivery.Status.FAILED)
        self.assertIn("SMTPConnectError", delivery.error)
        job = ProcrastinateJob.objects.get(task_name="newsletter.send_delivery")
        self.assertEqual((job.status, job.attempts), ("todo", 1))
        self.assertGreater(job.scheduled_at, timezone.now())

        # The server is back and the back-off has elapsed: the retry sends it.
        ProcrastinateJob.objects.filter(pk=job.pk).update(scheduled_at=timezone.now())
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            run_jobs()
        delivery.refresh_from_db()
        self.assertEqual((delivery.status, delivery.attempts, delivery.error), ("sent", 2, ""))
        self.assertEqual(len(mail.outbox), 1)


class ResubscribeEmailTests(TestCase):
    def test_an_unsubscribed_address_that_signs_up_again_gets_a_new_confirmation_link(self):
        gone = make_subscriber("gone@example.com", status=Subscriber.Status.UNSUBSCRIBED)
        old_confirm_token = gone.confirm_token
        services.subscriber_signup(email="gone@example.com", source="footer", consent_text="Yes")
        delivery = Delivery.objects.get()

        tasks.delivery_send(delivery_id=delivery.pk)

        message = mail.outbox[0]
        gone.refresh_from_db()
        self.assertEqual(gone.status, Subscriber.Status.UNSUBSCRIBED)
        self.assertEqual(Subscriber.from_confirm_token(confirm_token_in(message.body)), gone)
        self.assertIsNone(Subscriber.from_confirm_token(old_confirm_token))
        self.assertIn("stays unsubscribed unless you confirm", message.body)
        self.assertIn("stays unsubscribed unless you confirm", message.alternatives[0][0])
        delivery.refresh_from_db()
        self.assertEqual(delivery.status, Delivery.Status.SENT)

    def test_the_confirmation_email_reads_the_site_settings_once(self):
        SiteSettings.load()
        subscriber = make_subscriber(status=Subscriber.Status.PENDING)
        with self.assertNumQueries(1):
            newsletter_mail.confirmation_message(subscriber)


class DeliverySendTests(TestCase):
    def test_a_confirmation_for_an_address_confirmed_meanwhile_is_skipped(self):
        services.subscriber_signup(email="quick@example.com", source="footer", consent_text="Yes")
        Subscriber.objects.update(status=Subscriber.Status.CONFIRMED)
        delivery = Delivery.objects.get()

        tasks.delivery_send(delivery_id=delivery.pk)

        self.assertEqual(mail.outbox, [])
        delivery.refresh_from_db()
        self.assertEqual(delivery.status, Delivery.Status.SKIPPED)


class SignupRaceTests(JobsTestCase):
    def test_two_identical_signups_at_the_same_moment_make_one_row(self):
        def submit():
            return signup(self.client_class(), "racer@example.com").status_code

        self.assertEqual(simultaneously(submit, submit), [302, 302])
        self.assertEqual(Subscriber.objects.count(), 1)
        self.assertEqual(Delivery.objects.count(), 1)


@override_settings(NEWSLETTER_BATCH_SIZE=2)
class RoundupSendingTests(JobsTestCase):
    def setUp(self):
        super().setUp()
        self.readers = [make_subscriber() for _ in range(5)]
        make_subscriber(status=Subscriber.Status.PENDING)
        make_subscriber(status=Subscriber.Status.UNSUBSCRIBED)
        self.roundup = Roundup.objects.create(subject="The week", intro="Hello.\n\nMore.")
        self.article = make_article(headline="Alliance holds")
        RoundupItem.objects.create(roundup=self.roundup, article=self.article)

    def test_roundup_goes_to_each_confirmed_subscriber_once_in_batches(self):
        services.roundup_send(roundup=self.roundup)
        run_jobs()

        self.assertEqual(
            sorted(m.to[0] for m in mail.outbox), sorted(r.email for r in self.readers)
        )
        message = mail.outbox[0]
        self.assertEqual(message.subject, "The week")
        self.assertIn("Alliance holds", message.body)
        self.assertIn("Alliance holds", message.alternatives[0][0])
        recipient = Subscriber.objects.get(email=message.to[0])
        self.assertIn(recipient.get_unsubscribe_url(), message.body)
        self.assertIn(recipient.get_unsubscribe_url(), message.extra_headers["List-Unsubscribe"])
        self.roundup.refresh_from_db()
        self.assertEqual(self.roundup.status, Roundup.Status.SENT)
        self.assertEqual(self.roundup.progress()["sent"], 5)
        # Three batch jobs of at most two copies each.
        self.assertEqual(
            ProcrastinateJob.objects.filter(task_name="newsletter.roundup_send_batch").count(), 3
        )

        # Preparing or resuming again mails nobody twice.
        tasks.roundup_deliveries_create(roundup_id=self.roundup.pk)
        tasks.roundup_continue(roundup=self.roundup)
        run_jobs()
        self.assertEqual(len(mail.outbox), 5)
        self.assertEqual(Delivery.objects.filter(kind="roundup").count(), 5)

        # A failed copy retried later: the issue keeps the date readers got it.
        first_sent = Roundup.objects.get(pk=self.roundup.pk).sent_at
        Delivery.objects.filter(pk=Delivery.objects.filter(kind="roundup")[0].pk).update(
            status=Delivery.Status.FAILED
        )
        services.roundup_retry_failed(roundup=self.roundup)
        run_jobs()
        self.roundup.refresh_from_db()
        self.assertEqual((self.roundup.status, self.roundup.sent_at), ("sent", first_sent))

    def test_sending_resumes_after_a_crash_without_mailing_anyone_twice(self):
        Roundup.objects.filter(pk=self.roundup.pk).update(status=Roundup.Status.SENDING)
        tasks.roundup_deliveries_create(roundup_id=self.roundup.pk)
        deliveries = list(Delivery.objects.filter(kind="roundup").order_by("pk"))
        # The worker died after sending two copies, while handing over the third.
        Delivery.objects.filter(pk__in=[d.pk for d in deliveries[:2]]).update(status="sent")
        Delivery.objects.filter(pk=deliveries[2].pk).update(status="sending")

        tasks.roundup_continue(roundup=self.roundup)
        run_jobs()

        self.assertEqual(
            sorted(m.to[0] for m in mail.outbox), sorted(d.to_email for d in deliveries[3:])
        )
        self.assertEqual(self.roundup.progress()["sending"], 1)  # shown as interrupted

    def test_an_interrupted_copy_keeps_the_roundup_unsent_until_staff_send_it_again(self):
        Roundup.objects.filter(pk=self.roundup.pk).update(status=Roundup.Status.SENDING)
        tasks.roundup_deliveries_create(roundup_id=self.roundup.pk)
        interrupted = Delivery.objects.filter(kind="roundup").order_by("pk").first()
        Delivery.objects.filter(pk=interrupted.pk).update(status="sending")
        tasks.roundup_continue(roundup=self.roundup)
        run_jobs()
        self.roundup.refresh_from_db()
        self.assertEqual(self.roundup.status, Roundup.Status.SENDING)  # not "sent"
        self.assertNotIn(interrupted.to_email, [m.to[0] for m in mail.outbox])

        # Staff see it listed, with the warning, and queue it again.
        staff = User.objects.create_superuser("chief", "chief@example.com", "x")
        self.client.force_login(staff)
        page = self.client.get(f"/admin/newsletter/roundup/{self.roundup.pk}/change/")
        self.assertContains(page, "1 interrupted</a>")
        self.assertContains(page, "may duplicate")
        listed = self.client.get(
            f"/admin/newsletter/delivery/?roundup__id__exact={self.roundup.pk}"
            "&status__exact=sending"
        )
        self.assertEqual(list(listed.context["cl"].result_list), [interrupted])
        response = self.client.post(
            f"/admin/newsletter/roundup/{self.roundup.pk}/requeue-interrupted/", follow=True
        )
        self.assertContains(response, "1 interrupted copies queued again")
        run_jobs()

        self.assertIn(interrupted.to_email, [m.to[0] for m in mail.outbox])
        self.roundup.refresh_from_db()
        self.assertEqual(self.roundup.status, Roundup.Status.SENT)
        self.assertEqual(self.roundup.progress()["sent"], 5)

    def test_copies_are_not_queued_again_while_a_batch_is_being_sent(self):
        Roundup.objects.filter(pk=self.roundup.pk).update(status=Roundup.Status.SENDING)
        tasks.roundup_deliveries_create(roundup_id=self.roundup.pk)
        Delivery.objects.filter(kind="roundup").update(status="sending")
        tasks.roundup_continue(roundup=self.roundup)
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE procrastinate_jobs SET status = 'doing' "
                "WHERE task_name = 'newsletter.roundup_send_batch'"
            )
        self.assertIsNone(services.roundup_requeue_interrupted(roundup=self.roundup))
        self.assertEqual(self.roundup.progress()["sending"], 5)

    def test_jobs_of_a_dead_worker_are_found_by_heartbeat_and_checked_often(self):
        services.roundup_send(roundup=self.roundup)
        with connection.cursor() as cursor:
            # A worker that stopped sending heartbeats 40 seconds ago, holding the job.
            cursor.execute(
                "INSERT INTO procrastinate_workers (last_heartbeat) "
                "VALUES (now() - interval '40 seconds') RETURNING id"
            )
            (worker_id,) = cursor.fetchone()
            cursor.execute(
                "UPDATE procrastinate_jobs SET status = 'doing', worker_id = %s", [worker_id]
            )
        stalled = async_to_sync(app.job_manager.get_stalled_jobs)(
            seconds_since_heartbeat=tasks.STALLED_AFTER_SECONDS
        )
        self.assertEqual([job.task_name for job in stalled], ["newsletter.roundup_prepare"])
        # The check runs at least every 20 seconds, so the job runs again within a minute.
        runs = croniter(tasks.STALLED_CHECK_CRON, timezone.now())
        times = [runs.get_next(datetime.datetime) for _ in range(10)]
        gaps = {(later - earlier).total_seconds() for earlier, later in itertools.pairwise(times)}
        self.assertLessEqual(max(gaps), 20)

    @override_settings(EMAIL_BACKEND=FAILING_BACKEND)
    def test_a_mail_server_outage_leaves_copies_queued_for_the_retry(self):
        services.roundup_send(roundup=self.roundup)
        run_jobs()
        self.assertEqual(self.roundup.progress()["queued"], 5)
        job = ProcrastinateJob.objects.get(task_name="newsletter.roundup_send_batch")
        self.assertEqual((job.status, job.attempts), ("todo", 1))

    @override_settings(EMAIL_BACKEND=REFUSING_BACKEND, NEWSLETTER_BATCH_SIZE=10)
    def test_copies_refused_five_times_in_a_row_stop_the_batch_for_a_retry(self):
        make_subscriber()  # six confirmed readers: the sixth copy is never tried
        tasks.roundup_deliveries_create(roundup_id=self.roundup.pk)

        with self.assertRaises(smtplib.SMTPRecipientsRefused):
            tasks.roundup_batch_send(roundup_id=self.roundup.pk)

        progress = self.roundup.progress()
        self.assertEqual((progress["failed"], progress["queued"]), (5, 1))
        self.assertIn("SMTPRecipientsRefused", Delivery.objects.filter(status="failed")[0].error)

    def test_unsubscribing_before_the_batch_skips_the_copy(self):
        services.roundup_send(roundup=self.roundup)
        tasks.roundup_deliveries_create(roundup_id=self.roundup.pk)
        services.subscriber_unsubscribe(subscriber=self.readers[0])
        run_jobs()
        self.assertEqual(len(mail.outbox), 4)
        self.assertEqual(self.roundup.progress()["skipped"], 1)


@override_settings(NEWSLETTER_BATCH_SIZE=3)
class RoundupBatchQueryTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        SiteSettings.load()
        cls.roundup = Roundup.objects.create(subject="The week", status=Roundup.Status.SENDING)
        RoundupItem.objects.create(roundup=cls.roundup, article=make_article())
        for _ in range(3):
            make_subscriber()
        tasks.roundup_deliveries_create(roundup_id=cls.roundup.pk)

    def test_a_batch_costs_two_queries_per_copy_and_no_more(self):
        # round-up, batch (+subscribers), articles, site settings; per copy: claim, mark
        # sent; queued count, any queued left, mark the round-up sent; the new content
        # version that shows it in the archive (next scheduled publish, licence expiry)
        with self.assertNumQueries(4 + 2 * 3 + 3 + 2):
            tasks.roundup_batch_send(roundup_id=self.roundup.pk)
        self.assertEqual(len(mail.outbox), 3)

    def test_a_copy_given_the_site_settings_does_not_query_them(self):
        articles = newsletter_mail.roundup_articles(self.roundup)
        site, reader = SiteSettings.load(), Subscriber.objects.first()
        with self.assertNumQueries(0):
            newsletter_mail.roundup_message(
                self.roundup, articles=articles, subscriber=reader, to=reader.email, site=site
            )
