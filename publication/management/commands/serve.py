"""The production server: migrate, collect static files, then gunicorn and the job worker."""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from publication import cdn

MIGRATE_LOCK = "serve:migrate"


class Command(BaseCommand):
    help = (
        "Serve the site with production settings: gunicorn (gunicorn.conf.py) plus the "
        "procrastinate job worker, after migrate and collectstatic. Stops both together."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-worker", action="store_true", help="Run the job worker elsewhere."
        )

    def handle(self, *args, no_worker=False, **options):
        if settings.DEBUG:
            raise CommandError("serve runs production settings: set DJANGO_DEBUG=false.")
        # App servers starting together would each apply the same migrations (and create the
        # cache table) at once, and all but one fail: the first migrates, the others wait for
        # it and find nothing left to do.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(hashtextextended(%s, 0))", [MIGRATE_LOCK])
            try:
                call_command("migrate", interactive=False, verbosity=0)
            finally:
                cursor.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", [MIGRATE_LOCK])
        call_command("collectstatic", interactive=False, verbosity=0)
        # A new release renders pages differently without a content change, and a CDN keeps
        # the old ones for PAGE_CACHE_S_MAXAGE: a purge of everything is queued for the job
        # worker (one for a burst of app servers starting, as for a burst of saves).
        cdn.purge_everything_soon()
        # This process holds the embedded PostgreSQL (when DATABASE_URL is unset) for as
        # long as its children run; they join the same server.
        base = settings.BASE_DIR
        commands = [[sys.executable, "-m", "gunicorn", "-c", str(base / "gunicorn.conf.py")]]
        commands[0].append("publication.wsgi")
        if not no_worker:
            commands.append([sys.executable, str(base / "manage.py"), "procrastinate", "worker"])
        # Each child in a session of its own, so only this process forwards the stop: a
        # terminal's Ctrl-C or a service manager signals the whole group, and a second
        # signal kills the job worker at once (procrastinate stops gracefully on the first
        # and restores the default handler), mid-job and without its clean-up.
        children = [
            subprocess.Popen(command, cwd=base, env=os.environ, start_new_session=True)
            for command in commands
        ]

        signalled = set()

        def stop(*_):
            # Once per child: a signal here and the loop below ending would send two.
            for child in children:
                if child.poll() is None and child.pid not in signalled:
                    signalled.add(child.pid)
                    child.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        # When either process ends, stop the other: a site without its worker is not running.
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        stop()
        for child in children:
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        # A child that did not stop cleanly makes serve fail, so a service manager sees it.
        failed = [
            f"{' '.join(child.args[-2:])} ended with {child.returncode}"
            for child in children
            if child.returncode != 0
        ]
        if failed:
            raise CommandError("; ".join(failed))
