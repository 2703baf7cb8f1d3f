"""manage.py backup and restore: the database and the media, and nothing else touched."""

import io
import shutil
import tempfile
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import SimpleTestCase, TransactionTestCase, override_settings

from articles.models import Article
from publication.backups import backups_in, rotate
from tests.factories import make_article


class TemporaryFoldersMixin:
    def folder(self) -> Path:
        path = Path(tempfile.mkdtemp(prefix="test-backup-"))
        self.addCleanup(shutil.rmtree, path, ignore_errors=True)
        return path


class BackupRestoreTests(TemporaryFoldersMixin, TransactionTestCase):
    def test_a_restore_brings_back_the_rows_and_files_of_the_backup(self):
        media, backups = self.folder(), self.folder()
        withdrawn = {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": self.folder()},
        }
        with override_settings(
            MEDIA_ROOT=media, STORAGES={**settings.STORAGES, "withdrawn": withdrawn}
        ):
            kept = make_article(headline="As it was at the backup")
            default_storage.save("photos/lead.jpg", ContentFile(b"the photo at the backup"))
            # A withdrawn photo's original, kept outside the public media.
            storages["withdrawn"].save("0a1b/photos/gone.jpg", ContentFile(b"withdrawn"))
            out = io.StringIO()
            call_command("backup", dir=backups, stdout=out)
            [backup] = backups_in(backups)
            self.assertIn(f"Backed up to {backup}", out.getvalue())

            # The work an editor did after the backup, and a file damaged meanwhile.
            Article.objects.filter(pk=kept.pk).update(headline="Changed after the backup")
            make_article(headline="Written after the backup")
            default_storage.delete("photos/lead.jpg")
            default_storage.save("photos/lead.jpg", ContentFile(b"damaged"))
            storages["withdrawn"].delete("0a1b/photos/gone.jpg")

            out = io.StringIO()
            call_command("restore", str(backup), interactive=False, stdout=out)

            self.assertEqual(
                list(Article.objects.values_list("pk", "headline")),
                [(kept.pk, "As it was at the backup")],
            )
            with default_storage.open("photos/lead.jpg") as photo:
                self.assertEqual(photo.read(), b"the photo at the backup")
            with storages["withdrawn"].open("0a1b/photos/gone.jpg") as photo:
                self.assertEqual(photo.read(), b"withdrawn")
            self.assertIn("the database and 2 media files", out.getvalue())
            # Restoring did not write a second copy beside the file under another name.
            self.assertEqual(sorted(p.name for p in (media / "photos").iterdir()), ["lead.jpg"])

    def test_a_damaged_backup_is_refused_and_the_database_stays_as_it_was(self):
        backup = self.folder() / "meridian-20260101T000000000000Z"
        backup.mkdir()
        (backup / "database.dump").write_bytes(b"not a dump")
        article = make_article(headline="Still here")
        with self.assertRaisesMessage(CommandError, "pg_restore failed"):
            call_command("restore", str(backup), interactive=False, stdout=io.StringIO())
        self.assertEqual(Article.objects.get().headline, article.headline)


class BackupFoldersTests(TemporaryFoldersMixin, SimpleTestCase):
    def test_rotation_keeps_the_newest_and_ignores_unfinished_backups(self):
        backups = self.folder()
        names = [f"meridian-2026120{day}T000000000000Z" for day in range(1, 5)]
        for name in [*names, "meridian-20261209T000000000000Z.partial", "notes"]:
            (backups / name).mkdir()
        deleted = rotate(backups, keep=2)
        self.assertEqual([path.name for path in deleted], names[:2])
        self.assertEqual([path.name for path in backups_in(backups)], names[2:])
        self.assertTrue((backups / "notes").exists())
        self.assertEqual(rotate(backups, keep=0), [])

    def test_restore_asks_before_replacing_the_database(self):
        with (
            mock.patch("builtins.input", return_value="no"),
            self.assertRaisesMessage(CommandError, "Nothing restored"),
        ):
            call_command("restore", str(self.folder()), stdout=io.StringIO())

    def test_a_folder_without_a_dump_is_not_a_backup(self):
        with self.assertRaisesMessage(CommandError, "has no database.dump"):
            call_command("restore", str(self.folder()), interactive=False)

    def test_missing_client_programs_are_named(self):
        with self.assertRaisesMessage(CommandError, "name the PostgreSQL client programs"):
            call_command("backup", dir=self.folder(), bin_dir=self.folder())
