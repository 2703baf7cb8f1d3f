from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from publication import cdn
from publication.backups import restore_backup
from publication.page_cache import forget_content_version


class Command(BaseCommand):
    help = (
        "Replace the database with a backup made by `manage.py backup`, put its media back, "
        "then migrate and end cached pages. Stop the app servers and workers first."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "backup", type=Path, help="A backup folder, e.g. var/backups/meridian-…."
        )
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive")
        parser.add_argument("--no-media", action="store_true", help="The database only.")
        parser.add_argument(
            "--bin-dir",
            type=Path,
            help="Folder of pg_restore and psql (default: the embedded server's).",
        )

    def handle(self, *, backup, interactive, no_media, bin_dir, **options):
        name = connection.settings_dict["NAME"]
        if interactive:
            answer = input(
                f"Every row in the database {name!r} will be replaced by {backup.name}. "
                "Type 'yes' to go on: "
            )
            if answer != "yes":
                raise CommandError("Nothing restored.")
        media = restore_backup(backup, media=not no_media, bin_dir=bin_dir)
        # A backup from an older release lacks the newer migrations' tables and rows.
        call_command("migrate", interactive=False, verbosity=0)
        # The cache (Redis, or the restored cache table) still holds pages of the data
        # that was just replaced.
        forget_content_version()
        cdn.purge_everything_soon()  # a CDN in front holds them too (when configured)
        self.stdout.write(
            f"Restored {backup.name}: the database and {media.total} media files "
            f"({media.written} written, {media.unchanged} already as in the backup)."
        )
