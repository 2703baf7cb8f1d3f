"""The production server: migrate, collect static files, then gunicorn and the job worker."""

import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from publication import cdn
from publication.processes import Child, run_together

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
        base = settings.BASE_DIR
        children = [
            Child(
                "gunicorn",
                [sys.executable, "-m", "gunicorn", "-c", str(base / "gunicorn.conf.py")]
                + ["publication.wsgi"],
            )
        ]
        if not no_worker:
            worker = [sys.executable, str(base / "manage.py"), "procrastinate", "worker"]
            children.append(Child("procrastinate worker", worker))
        failed = run_together(children, cwd=base)
        # A child that did not stop cleanly makes serve fail, so a service manager sees it.
        if failed:
            raise CommandError("; ".join(failed))
