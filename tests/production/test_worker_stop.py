"""A job worker told to stop (SIGTERM, as `serve` and systemd send) in the middle of a round-up."""

import collections

from django.conf import settings
from django.core import mail
from django.test import override_settings
from procrastinate.contrib.django import app
from procrastinate.contrib.django.models import ProcrastinateJob
from procrastinate.job_context import AbortReason

from newsletter import services, tasks
from newsletter.models import Delivery, Roundup, RoundupItem
from tests.factories import make_article
from tests.newsletter.helpers import JobsTestCase, make_subscriber, run_jobs


class StoppingWorker:
    """What procrastinate tells a running job once its worker is stopping: with
    PROCRASTINATE_WORKER_DEFAULTS' shutdown_graceful_timeout of 0, at once on SIGTERM.
    Here the stop comes after the mail server took `after` copies."""

    def __init__(self, after):
        self.after = after

    def abort_reason(self):
        return AbortReason.SHUTDOWN if len(mail.outbox) >= self.after else None


@override_settings(NEWSLETTER_BATCH_SIZE=10)
class WorkerStopTests(JobsTestCase):
    def test_a_stopped_worker_hands_the_rest_of_a_round_up_to_the_next_job(self):
        for _ in range(10):
            make_subscriber()
        roundup = Roundup.objects.create(subject="The week")
        RoundupItem.objects.create(roundup=roundup, article=make_article())
        services.roundup_send(roundup=roundup)
        Roundup.objects.filter(pk=roundup.pk).update(status=Roundup.Status.SENDING)
        tasks.roundup_deliveries_create(roundup_id=roundup.pk)

        # The batch (all ten copies) ran on to its end after the stop: with a slow mail
        # server, past serve's 30 s, which then killed it mid-copy.
        tasks.roundup_send_batch(StoppingWorker(after=2), roundup_id=roundup.pk)

        statuses = collections.Counter(
            Delivery.objects.filter(kind=Delivery.Kind.ROUNDUP).values_list("status", flat=True)
        )
        self.assertEqual(statuses, {"sent": 2, "queued": 8})
        next_batch = ProcrastinateJob.objects.filter(
            task_name="newsletter.roundup_send_batch", status="todo"
        )
        self.assertEqual(next_batch.count(), 1)

        # The next worker sends the rest, to nobody twice.
        ProcrastinateJob.objects.filter(task_name="newsletter.roundup_prepare").delete()
        run_jobs()
        self.assertEqual(len(mail.outbox), 10)
        self.assertEqual(len({message.to[0] for message in mail.outbox}), 10)
        roundup.refresh_from_db()
        self.assertEqual(roundup.status, Roundup.Status.SENT)

    def test_workers_ask_running_jobs_to_stop_as_soon_as_they_are_stopped(self):
        self.assertEqual(settings.PROCRASTINATE_WORKER_DEFAULTS["shutdown_graceful_timeout"], 0)
        self.assertEqual(app.worker_defaults["shutdown_graceful_timeout"], 0)
