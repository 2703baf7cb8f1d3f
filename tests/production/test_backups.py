"""manage.py backup and restore: the database and the media, and nothing else touched."""

import io
import os
import shutil
import stat
import tarfile
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

    def media_folders(self, media: Path) -> override_settings:
        """The public media in media and withdrawn originals in a folder of their own."""
        withdrawn = {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": self.folder()},
        }
        return override_settings(
            MEDIA_ROOT=media, STORAGES={**settings.STORAGES, "withdrawn": withdrawn}
        )


class BackupRestoreTests(TemporaryFoldersMixin, TransactionTestCase):
    def test_a_restore_brings_back_the_rows_and_files_of_the_backup(self):
        media, backups = self.folder(), self.folder()
        with self.media_folders(media):
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

    def test_a_restore_writes_only_the_files_that_differ_and_leaves_newer_ones(self):
        media, backups = self.folder(), self.folder()
        with self.media_folders(media):
            names = [f"photos/{n:02}.jpg" for n in range(12)]
            names += [f"renditions/ab12/{n:02}-640.webp" for n in range(8)]
            for number, name in enumerate(names):
                default_storage.save(name, ContentFile(b"photo %02d " % number * 50))
            call_command("backup", dir=backups, stdout=io.StringIO())
            [backup] = backups_in(backups)

            # Since the backup: one file damaged (same size), one lost, one uploaded.
            damaged, lost = names[0], names[-1]
            (media / damaged).write_bytes(b"X" * (media / damaged).stat().st_size)
            default_storage.delete(lost)
            default_storage.save("photos/uploaded-since.jpg", ContentFile(b"new"))
            untouched = {
                name: (media / name).stat() for name in names if name not in {damaged, lost}
            }

            out = io.StringIO()
            call_command("restore", str(backup), interactive=False, stdout=out)

            self.assertIn(
                "the database and 20 media files (2 written, 18 already as in the backup)",
                out.getvalue(),
            )
            for number, name in enumerate(names):
                self.assertEqual((media / name).read_bytes(), b"photo %02d " % number * 50)
            for name, before in untouched.items():  # not rewritten: the same file
                after = (media / name).stat()
                self.assertEqual(
                    (after.st_ino, after.st_mtime_ns), (before.st_ino, before.st_mtime_ns)
                )
            # Restore promises to leave files uploaded since in place.
            self.assertEqual(default_storage.open("photos/uploaded-since.jpg").read(), b"new")

    def test_a_backup_is_readable_by_the_sites_user_only(self):
        backups = self.folder()
        old_umask = os.umask(0o022)
        try:
            call_command("backup", dir=backups, stdout=io.StringIO())
        finally:
            os.umask(old_umask)
        [backup] = backups_in(backups)
        self.assertEqual(stat.S_IMODE(backup.stat().st_mode), 0o700)
        modes = {path.name: stat.S_IMODE(path.stat().st_mode) for path in backup.iterdir()}
        self.assertEqual(
            modes, {"database.dump": 0o600, "media.tar": 0o600, "withdrawn.tar": 0o600}
        )

    def test_a_damaged_backup_is_refused_and_the_database_stays_as_it_was(self):
        backup = self.folder() / "meridian-20260101T000000000000Z"
        backup.mkdir()
        (backup / "database.dump").write_bytes(b"not a dump")
        article = make_article(headline="Still here")
        with self.assertRaisesMessage(CommandError, "pg_restore failed"):
            call_command("restore", str(backup), interactive=False, stdout=io.StringIO())
        self.assertEqual(Article.objects.get().headline, article.headline)

    def test_a_hostile_or_damaged_media_archive_is_refused_before_anything_is_replaced(self):
        media, backups, outside = self.folder(), self.folder(), self.folder()
        with override_settings(MEDIA_ROOT=media / "media"):
            article = make_article(headline="At the backup")
            call_command("backup", dir=backups, stdout=io.StringIO())
            [backup] = backups_in(backups)
            Article.objects.update(headline="Written since")
            hostile = {
                "a parent folder": "../escaped.jpg",
                "an absolute name": str(outside / "absolute.jpg"),
                "a folder up inside": "photos/../../escaped.jpg",
                "a control character": "photos/a\nb.jpg",
            }
            for label, name in hostile.items():
                with self.subTest(label):
                    with tarfile.open(backup / "media.tar", "w") as archive:
                        info = tarfile.TarInfo(name)
                        info.size = 4
                        archive.addfile(info, io.BytesIO(b"evil"))
                    with self.assertRaisesMessage(CommandError, "nothing restored"):
                        call_command("restore", str(backup), interactive=False)
            (backup / "media.tar").write_bytes(b"not a tar archive")
            with self.assertRaisesMessage(CommandError, "cannot be read"):
                call_command("restore", str(backup), interactive=False)
        self.assertEqual(Article.objects.get(pk=article.pk).headline, "Written since")
        self.assertEqual([p for p in media.rglob("*") if p.is_file()], [])
        self.assertEqual(list(outside.iterdir()), [])


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

    def test_a_folder_that_cannot_hold_backups_or_a_negative_keep_is_a_clear_error(self):
        # Tracebacks (FileExistsError, FileNotFoundError) before; --keep -3 kept every backup.
        a_file = self.folder() / "a-file"
        a_file.write_text("")
        for folder in [a_file, a_file / "below-a-file"]:
            with self.subTest(folder=folder), self.assertRaisesMessage(CommandError, str(folder)):
                call_command("backup", dir=folder, no_media=True, stdout=io.StringIO())
        with self.assertRaisesMessage(CommandError, "--keep"):
            call_command("backup", dir=self.folder(), keep=-3, stdout=io.StringIO())

    def test_a_folder_without_a_dump_is_not_a_backup(self):
        with self.assertRaisesMessage(CommandError, "has no database.dump"):
            call_command("restore", str(self.folder()), interactive=False)

    def test_missing_client_programs_are_named(self):
        with self.assertRaisesMessage(CommandError, "name the PostgreSQL client programs"):
            call_command("backup", dir=self.folder(), bin_dir=self.folder())
