"""Stopping a real job worker (SIGTERM, as `serve` and systemd do) in the middle of a round-up."""

import collections
import signal
import socketserver
import subprocess
import sys
import tempfile
import threading
import time

from django.conf import settings
from django.core import mail
from procrastinate.contrib.django.models import ProcrastinateJob

from newsletter import services
from newsletter.models import Delivery, Roundup, RoundupItem
from tests.factories import make_article
from tests.newsletter.helpers import JobsTestCase, make_subscriber, run_jobs
from tests.production.helpers import MANAGE, production_env


class SlowMailServer(socketserver.ThreadingTCPServer):
    """An SMTP server taking `delay` seconds per message (a busy provider), counting them."""

    daemon_threads = True

    def __init__(self, delay):
        self.delay, self.received = delay, 0
        super().__init__(("127.0.0.1", 0), SmtpHandler)


class SmtpHandler(socketserver.StreamRequestHandler):
    def reply(self, line):
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        self.reply("220 slow.example")
        in_data = False
        for raw in self.rfile:
            line = raw.rstrip(b"\r\n")
            if in_data:
                if line == b".":
                    in_data = False
                    time.sleep(self.server.delay)
                    self.server.received += 1
                    self.reply("250 queued")
                continue
            command = line[:4].upper()
            if command == b"DATA":
                in_data = True
                self.reply("354 go on")
            elif command == b"QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 ok")


class WorkerStopTests(JobsTestCase):
    def test_a_stopped_worker_hands_the_rest_of_a_round_up_to_the_next_job(self):
        readers = 10
        for _ in range(readers):
            make_subscriber()
        roundup = Roundup.objects.create(subject="The week")
        RoundupItem.objects.create(roundup=roundup, article=make_article())
        server = SlowMailServer(delay=0.3)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        env = production_env(
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(server.server_address[1]),
            NEWSLETTER_BATCH_SIZE=str(readers),  # one batch: the stop comes in its middle
        )
        output = self.enterContext(tempfile.TemporaryFile("w+"))
        worker = subprocess.Popen(
            [sys.executable, MANAGE, "procrastinate", "worker", "--queues", "mail"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            cwd=settings.BASE_DIR,
        )
        try:
            services.roundup_send(roundup=roundup)
            deadline = time.monotonic() + 60
            while server.received < 2 and time.monotonic() < deadline:
                time.sleep(0.05)
            self.assertGreaterEqual(server.received, 2, "the worker sent nothing")
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=30)
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
        output.seek(0)
        self.assertEqual(worker.returncode, 0, output.read())

        statuses = collections.Counter(
            Delivery.objects.filter(kind=Delivery.Kind.ROUNDUP).values_list("status", flat=True)
        )
        # Every copy the mail server took is marked sent, none is left half-way, and the
        # rest wait for the next batch job (before, the whole batch ran on past the stop).
        self.assertEqual(statuses["sent"], server.received)
        self.assertEqual(statuses["queued"], readers - server.received)
        self.assertGreater(statuses["queued"], 0)
        batches = ProcrastinateJob.objects.filter(task_name="newsletter.roundup_send_batch")
        self.assertEqual(sorted(batches.values_list("status", flat=True)), ["succeeded", "todo"])

        # The next worker sends the rest, to nobody twice.
        run_jobs()
        self.assertEqual(len(mail.outbox), readers - server.received)
        roundup.refresh_from_db()
        self.assertEqual(roundup.status, Roundup.Status.SENT)
