"""What `make run` starts: runserver and the job worker, stopped together."""

import signal
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from publication.processes import Child, run_together


class Command(BaseCommand):
    help = (
        "Develop: runserver (reloading on code changes) plus the procrastinate job worker, "
        "which sends newsletter mail. Ctrl-C, or SIGTERM to this process or to make, stops both."
    )

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, addrport, **options):
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        children = [
            Child("procrastinate worker", [*manage, "procrastinate", "worker"]),
            # SIGINT to the autoreloader and the server it runs, as a terminal's Ctrl-C
            # reaches them: the autoreloader then lets the server exit by itself, where
            # SIGTERM made it kill the server at once, which left the server in the
            # embedded PostgreSQL's list of users, so that the last to leave did not stop it.
            Child(
                "runserver",
                [*manage, "runserver", addrport],
                stop_signal=signal.SIGINT,
                whole_group=True,
            ),
        ]
        failed = run_together(children, cwd=settings.BASE_DIR)
        if failed:
            raise CommandError("; ".join(failed))
