"""Backups of the database and the uploaded media, and putting one back.

A backup is one folder, `<dir>/meridian-<UTC time>/`, holding `database.dump` (pg_dump's
custom format), `media.tar` (every file in the default storage: the media folder, or
the S3 bucket) and `withdrawn.tar` (the originals of withdrawn photos, kept apart). It
is written under a `.partial` name and renamed when complete, so a backup cut off
half-way is never restored or counted by the rotation.

The PostgreSQL client programs are the embedded server's own (pgserver ships pg_dump,
pg_restore and psql 16); `--bin-dir` names others, e.g. for a newer managed server.
"""

import hashlib
import importlib.util
import os
import shutil
import subprocess
import tarfile
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.core.exceptions import SuspiciousFileOperation
from django.core.files import File
from django.core.files.storage import storages
from django.core.files.utils import validate_file_name
from django.core.management.base import CommandError
from django.db import connections

PREFIX = "meridian-"
PARTIAL = ".partial"
DATABASE_FILE = "database.dump"
MEDIA_FILE = "media.tar"
# Originals of withdrawn photos, kept outside the public media for a reinstatement.
WITHDRAWN_FILE = "withdrawn.tar"
ARCHIVES = {MEDIA_FILE: "default", WITHDRAWN_FILE: "withdrawn"}


def default_bin_dir() -> Path:
    """The embedded server's binaries (pgserver is always installed with the project),
    found without importing pgserver, whose import warns about XDG_RUNTIME_DIR."""
    [package] = importlib.util.find_spec("pgserver").submodule_search_locations
    return Path(package) / "pginstall" / "bin"


def client_env(alias="default") -> dict:
    """libpq's variables for the database Django uses (the test database in tests)."""
    db = connections[alias].settings_dict
    options = db.get("OPTIONS", {})
    env = dict(os.environ)
    env.update(
        PGHOST=db["HOST"] or "",
        PGPORT=str(db["PORT"] or ""),
        PGUSER=db["USER"] or "",
        PGPASSWORD=db["PASSWORD"] or "",
        PGDATABASE=db["NAME"],
        PGCONNECT_TIMEOUT=str(options.get("connect_timeout", 5)),
    )
    if "sslmode" in options:
        env["PGSSLMODE"] = options["sslmode"]
    return {key: value for key, value in env.items() if value != "" or not key.startswith("PG")}


def run(program: Path, *args, env, **kwargs) -> subprocess.CompletedProcess:
    if not program.exists():
        raise CommandError(
            f"{program} not found: name the PostgreSQL client programs with --bin-dir."
        )
    result = subprocess.run([str(program), *args], env=env, capture_output=True, **kwargs)
    if result.returncode != 0:
        error = result.stderr.decode(errors="replace").strip()
        raise CommandError(f"{program.name} failed: {error}")
    return result


def backups_in(directory: Path) -> list[Path]:
    """Complete backups, oldest first (their names sort by time)."""
    if not directory.is_dir():
        return []
    return sorted(
        path
        for path in directory.iterdir()
        if path.is_dir() and path.name.startswith(PREFIX) and not path.name.endswith(PARTIAL)
    )


def storage_files(storage, folder="") -> list[str]:
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:  # a folder not made yet (no photo withdrawn so far)
        return []
    names = [f"{folder}{name}" for name in files]
    for name in folders:
        names += storage_files(storage, f"{folder}{name}/")
    return names


def make_backup(directory: Path, *, media=True, bin_dir: Path | None = None) -> Path:
    bin_dir = bin_dir or default_bin_dir()
    directory.mkdir(parents=True, exist_ok=True)
    name = PREFIX + datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    partial = directory / (name + PARTIAL)
    # Subscribers' addresses and password hashes: readable by the site's own user only,
    # whatever the umask (docs/deploy.md says how to encrypt the copies kept elsewhere).
    partial.mkdir(mode=0o700)
    try:
        # The database first: every file a row of the dump names already exists when the
        # media are read next (a photo uploaded meanwhile is an extra file, never a gap).
        run(
            bin_dir / "pg_dump",
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            # Cached pages: rendered again from the data on demand.
            "--exclude-table-data=django_cache",
            f"--file={partial / DATABASE_FILE}",
            env=client_env(),
        )
        for archive_name, alias in ARCHIVES.items() if media else ():
            storage = storages[alias]
            with tarfile.open(partial / archive_name, "w") as archive:
                for file_name in storage_files(storage):
                    with storage.open(file_name) as source:
                        info = tarfile.TarInfo(file_name)
                        info.size = storage.size(file_name)
                        archive.addfile(info, source)
        for path in partial.iterdir():
            path.chmod(0o600)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    final = directory / name
    partial.rename(final)
    return final


def rotate(directory: Path, *, keep: int) -> list[Path]:
    """Delete all but the newest `keep` backups; returns the deleted ones."""
    old = backups_in(directory)[:-keep] if keep > 0 else []
    for path in old:
        shutil.rmtree(path)
    return old


def check_archives(backup: Path) -> None:
    """Before anything is replaced: each media archive reads to its end and names only
    files inside its storage. A damaged archive, or a member named "../x" or "/etc/x",
    was found only after the database had been replaced: the restore stopped half-way,
    with the new rows, part of the media and no migrate."""
    for archive_name in ARCHIVES:
        path = backup / archive_name
        if not path.is_file():
            continue
        try:
            with tarfile.open(path) as archive:
                names = [member.name for member in archive if member.isfile()]
        except (tarfile.TarError, OSError) as error:
            raise CommandError(f"{path} cannot be read ({error}): nothing restored.") from None
        for name in names:
            if not storable_name(name):
                raise CommandError(
                    f"{path} holds a file named {name!r}, outside the media: nothing restored."
                )


def storable_name(name: str) -> bool:
    """A relative name inside a storage's folder, as our uploads and renditions have."""
    try:
        validate_file_name(name, allow_relative_path=True)
    except SuspiciousFileOperation:
        return False
    return not any(unicodedata.category(character) == "Cc" for character in name)


def same_content(storage, name: str, size: int, source) -> bool:
    """Whether the stored file already holds the archive member's bytes: the size first
    (one stat, or one HEAD on S3), then a SHA-256 of both, read in chunks."""
    if not storage.exists(name) or storage.size(name) != size:
        return False
    with storage.open(name) as stored:
        same = digest(stored) == digest(source)
    source.seek(0)
    return same


def digest(file) -> bytes:
    checksum = hashlib.sha256()
    for chunk in iter(lambda: file.read(1024 * 1024), b""):
        checksum.update(chunk)
    return checksum.digest()


@dataclass
class RestoredMedia:
    written: int = 0  # missing or different: written from the backup
    unchanged: int = 0  # already the backup's bytes: left alone

    @property
    def total(self) -> int:
        return self.written + self.unchanged


def restore_backup(backup: Path, *, media=True, bin_dir: Path | None = None) -> RestoredMedia:
    """Replace the database with the backup's, then put back its media; returns how many
    media files were written and how many were already as in the backup.

    The database is replaced in one transaction: psql runs "drop every table" and the
    dump's SQL together, so a failure leaves the database as it was. Tables made by a
    migration newer than the backup go too, so `migrate` afterwards runs cleanly.

    Media files are written only when missing or different (size, then checksum): most of
    a library is unchanged since the backup, and rewriting it costs time and, on S3, a
    PUT per file. Files not in the backup (uploaded since) are left in place.
    """
    bin_dir = bin_dir or default_bin_dir()
    dump = backup / DATABASE_FILE
    if not dump.is_file():
        raise CommandError(f"{backup} is not a backup: it has no {DATABASE_FILE}.")
    if media:
        check_archives(backup)
    env = client_env()
    sql = run(
        bin_dir / "pg_restore", "--no-owner", "--no-privileges", "--file=-", str(dump), env=env
    ).stdout
    for connection in connections.all():
        # An open connection of ours would wait on the locks the drop takes.
        connection.close()
    reset = b"DROP SCHEMA public CASCADE;\nCREATE SCHEMA public;\n"
    run(
        bin_dir / "psql",
        "--no-psqlrc",
        "--quiet",
        "--single-transaction",
        "--set=ON_ERROR_STOP=1",
        "--file=-",
        env=env,
        input=reset + sql,
    )
    restored = RestoredMedia()
    for archive_name, alias in ARCHIVES.items() if media else ():
        archive_path, storage = backup / archive_name, storages[alias]
        if not archive_path.is_file():
            continue  # a backup from before withdrawn files were kept apart
        with tarfile.open(archive_path) as archive:
            for member in archive:
                if not member.isfile():
                    continue
                with archive.extractfile(member) as source:
                    # Through the storage, whose own checks refuse names outside its folder
                    # ("../") as for any upload; under the same name, which the restored
                    # rows hold.
                    if same_content(storage, member.name, member.size, source):
                        restored.unchanged += 1
                        continue
                    if storage.exists(member.name):
                        storage.delete(member.name)
                    storage.save(member.name, File(source, name=member.name))
                restored.written += 1
    return restored
