from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from publication.backups import make_backup, rotate


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump) and the uploaded media into a new folder "
        "<dir>/meridian-<UTC time>/, then delete all but the newest --keep backups."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dir",
            type=Path,
            default=Path(settings.BASE_DIR) / "var" / "backups",
            help="Where backups live (default var/backups). Copy it off the machine too.",
        )
        parser.add_argument(
            "--keep", type=int, default=14, help="Backups to keep, newest first (0: keep all)."
        )
        parser.add_argument(
            "--no-media", action="store_true", help="The database only (e.g. a versioned bucket)."
        )
        parser.add_argument(
            "--bin-dir", type=Path, help="Folder of pg_dump (default: the embedded server's)."
        )

    def handle(self, *, dir, keep, no_media, bin_dir, **options):
        if keep < 0:
            raise CommandError("--keep is how many backups to keep: 0 (all) or more.")
        try:
            backup = make_backup(dir, media=not no_media, bin_dir=bin_dir)
        except OSError as error:  # --dir is a file, or a folder this user cannot write
            raise CommandError(f"Cannot back up into {dir}: {error.strerror}.") from None
        size = sum(path.stat().st_size for path in backup.iterdir())
        self.stdout.write(f"Backed up to {backup} ({size / 1e6:.1f} MB).")
        for old in rotate(dir, keep=keep):
            self.stdout.write(f"Deleted the old backup {old.name}.")
