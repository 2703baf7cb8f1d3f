"""Subscribers as CSV: the logged, streamed export; import from ours, Mailchimp's, Ghost's."""

import csv
import datetime
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TextIO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from newsletter.models import ExportLog, Subscriber
from newsletter.services import lock_mailbox
from newsletter.validators import mailbox_key, normalize_email, validate_mailing_address
from publication.db import validate_storable_moment
from publication.text import stored_name

EXPORT_HEADER = [
    "email",
    "name",
    "status",
    "signed_up_at",
    "confirmed_at",
    "unsubscribed_at",
    "source",
]
EXPORT_FIELDS = EXPORT_HEADER
# A spreadsheet runs a cell as a formula (CSV injection) when its first character other
# than spaces is one of these, or when it starts with a tab, carriage return or line feed.
# Compared in compatibility form (NFKC): spreadsheets set up for Japanese, Chinese or
# Korean input read a fullwidth "＝" or "＋" typed at the start of a cell as the ASCII
# one, and the small and superscript forms ("﹦", "⁺") fold to the same characters.
FORMULA_TRIGGERS = ("=", "+", "-", "@")
CONTROL_STARTS = ("\t", "\r", "\n")

# Column names, lower-cased, as our export, Mailchimp and Ghost spell them.
COLUMN_ALIASES = {
    "email": ["email", "email address", "e-mail", "e-mail address"],
    "name": ["name", "full name"],
    "first_name": ["first name", "fname"],
    "last_name": ["last name", "lname"],
    "status": ["status"],
    "subscribed_to_emails": ["subscribed_to_emails", "subscribed"],
    "signed_up_at": ["signed_up_at", "signed up", "optin_time", "created_at", "timestamp_opt"],
    "confirmed_at": ["confirmed_at", "confirmed", "confirm_time"],
    "unsubscribed_at": ["unsubscribed_at", "unsubscribed", "unsub_time", "clean_time"],
    "source": ["source"],
}
STATUS_ALIASES = {
    "confirmed": Subscriber.Status.CONFIRMED,
    "subscribed": Subscriber.Status.CONFIRMED,
    "active": Subscriber.Status.CONFIRMED,
    "pending": Subscriber.Status.PENDING,
    "unsubscribed": Subscriber.Status.UNSUBSCRIBED,
    "cleaned": Subscriber.Status.UNSUBSCRIBED,
    "bounced": Subscriber.Status.UNSUBSCRIBED,
}


class RowError(ValueError):
    pass


class FileError(ValueError):
    """The file as a whole cannot be read, so none of it may be imported."""


# Export ----------------------------------------------------------------------------------


def export_log_start(*, user, via: str, filters: dict) -> ExportLog:
    return ExportLog.objects.create(user=user, via=via, filters=filters)


class _Echo:
    def write(self, value):
        return value


def subscribers_export_csv(queryset, *, log: ExportLog, chunk_rows: int = 1000) -> Iterator[str]:
    """CSV text in chunks, read through a server-side cursor: memory stays flat.

    The export log gets its row count when the last row has been produced.
    """
    writer = csv.writer(_Echo())
    yield writer.writerow(EXPORT_HEADER)
    rows = queryset.order_by("pk").values_list(*EXPORT_FIELDS).iterator(chunk_size=2000)
    count, lines = 0, []
    for row in rows:
        lines.append(writer.writerow(export_cells(row)))
        count += 1
        if len(lines) >= chunk_rows:
            yield "".join(lines)
            lines = []
    if lines:
        yield "".join(lines)
    ExportLog.objects.filter(pk=log.pk).update(row_count=count, finished_at=timezone.now())


def export_cells(row) -> list[str]:
    return [neutralize(format_cell(value)) for value in row]


def format_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat()
    return str(value)


def needs_quote(cell: str) -> bool:
    """Would a spreadsheet run this cell, or is it already a quoted cell (so that the
    quote we add and the one import removes always pair up)?"""
    if cell.startswith(CONTROL_STARTS) or starts_a_formula(cell.lstrip()):
        return True
    return cell.startswith("'") and needs_quote(cell[1:])


def starts_a_formula(cell: str) -> bool:
    return unicodedata.normalize("NFKC", cell[:1]).startswith(FORMULA_TRIGGERS)


def neutralize(cell: str) -> str:
    """Prefix a single quote; unneutralize() undoes exactly this, whatever the cell holds."""
    return f"'{cell}" if needs_quote(cell) else cell


# Import ----------------------------------------------------------------------------------


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[int, str, str]] = field(default_factory=list)
    # Imported with values cut to fit their columns: (line, email, which columns).
    shortened: list[tuple[int, str, str]] = field(default_factory=list)


def subscribers_import(
    *, rows: Iterable[tuple[int, dict]], default_source: str = "import"
) -> ImportReport:
    """Create or update subscribers from exported rows (ours, Mailchimp's, Ghost's).

    Idempotent: an address already here is matched case-insensitively and never
    duplicated. An unsubscribed address stays unsubscribed; an imported unsubscribe
    suppresses an address we have; a pending address may be upgraded to confirmed.
    """
    report = ImportReport()
    for line_number, raw in rows:
        email = raw_email(raw)
        try:
            record, cut = import_record(raw)
            record["email"] = normalize_email(record["email"])
            validate_mailing_address(record["email"])
        except RowError as exc:
            report.rejected.append((line_number, email, str(exc)))
            continue
        except ValidationError as exc:
            report.rejected.append((line_number, email, " ".join(exc.messages)))
            continue
        if "source" not in raw:  # Mailchimp and Ghost exports have no such column
            record["source"] = default_source
        if cut:
            report.shortened.append((line_number, record["email"], cut))
        outcome = subscriber_import_one(record)
        setattr(report, outcome, getattr(report, outcome) + 1)
    return report


def subscriber_import_one(record: dict) -> str:
    key = mailbox_key(record["email"])
    with transaction.atomic():
        lock_mailbox(key)
        subscriber = Subscriber.objects.with_email(record["email"]).select_for_update().first()
        if subscriber is None:
            Subscriber.objects.create(
                mailbox_key=key,
                signed_up_at=record.get("signed_up_at") or timezone.now(),
                **{k: v for k, v in record.items() if k != "signed_up_at"},
            )
            return "created"
        statuses = Subscriber.Status
        if record["status"] == statuses.UNSUBSCRIBED and subscriber.status != statuses.UNSUBSCRIBED:
            subscriber.status = statuses.UNSUBSCRIBED
            subscriber.unsubscribed_at = record.get("unsubscribed_at") or timezone.now()
        elif record["status"] == statuses.CONFIRMED and subscriber.status == statuses.PENDING:
            subscriber.status = statuses.CONFIRMED
            subscriber.confirmed_at = record.get("confirmed_at") or timezone.now()
        else:
            return "unchanged"
        subscriber.save()
        return "updated"


def check_file(path) -> None:
    """Decode and parse the whole file before anything of it is stored, or raise FileError.

    UTF-8, with or without a byte-order mark; no NUL bytes (PostgreSQL text cannot
    hold them); every field within the csv module's size limit.
    """
    with open(path, "rb") as binary:
        for number, line in enumerate(binary, 1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise FileError(
                    f"line {number}: not UTF-8 text (byte {line[exc.start]:#04x}); "
                    "save the file as CSV UTF-8."
                ) from exc
            if b"\0" in line:
                raise FileError(f"line {number}: contains a NUL byte.")
    with open(path, encoding="utf-8-sig", newline="") as stream:
        reader = csv.reader(stream)
        try:
            for _row in reader:
                pass
        except csv.Error as exc:
            raise FileError(f"line {reader.line_num}: {exc}.") from exc


def read_rows(stream: TextIO) -> Iterator[tuple[int, dict]]:
    """(line number, row) with headers mapped to our field names and values un-neutralised.

    Cells are not trimmed here: each field's own rule (normalize_email, stored_name)
    does that, exactly as a signup would, so export and import agree.
    """
    reader = csv.reader(stream)
    header = next(reader, None)
    if header is None:
        return
    names = [column_name(cell) for cell in header]
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        values = {}
        for name, cell in zip(names, row, strict=False):
            if name and name not in values:
                values[name] = unneutralize(cell)
        yield reader.line_num, values


def column_name(header_cell: str) -> str | None:
    label = header_cell.strip().lstrip("\ufeff").lower()
    for name, aliases in COLUMN_ALIASES.items():
        if label in aliases:
            return name
    return None


def unneutralize(cell: str) -> str:
    return cell[1:] if cell.startswith("'") and needs_quote(cell[1:]) else cell


def raw_email(values: dict) -> str:
    return values.get("email", "")


def import_record(values: dict) -> tuple[dict, str]:
    """Our model's fields from one row and what had to be cut to fit them (the operator is
    told, to fix it at the source), or RowError with the reason."""
    if not values.get("email", "").strip():
        raise RowError("No email address.")
    name = values.get("name") or " ".join(
        part for part in (values.get("first_name"), values.get("last_name")) if part
    )
    fitted = {
        column: fit(column, value)
        for column, value in [("name", stored_name(name)), ("source", values.get("source") or "")]
    }
    record = {
        "email": values["email"],
        "signed_up_at": parse_when(values.get("signed_up_at"), "signed_up_at"),
        "confirmed_at": parse_when(values.get("confirmed_at"), "confirmed_at"),
        "unsubscribed_at": parse_when(values.get("unsubscribed_at"), "unsubscribed_at"),
        **{column: value for column, (value, _) in fitted.items()},
    }
    record["status"] = import_status(values, record)
    cut = [
        f"{column} cut to {length} characters" for column, (_, length) in fitted.items() if length
    ]
    return record, "; ".join(cut)


def fit(column: str, value: str) -> tuple[str, int | None]:
    """The value cut to its column's length (tidied again: a cut may end in a space), and
    that length when it had to be cut."""
    length = Subscriber._meta.get_field(column).max_length
    if len(value) <= length:
        return value, None
    return stored_name(value[:length]), length


def import_status(values: dict, record: dict) -> str:
    if values.get("status"):
        status = STATUS_ALIASES.get(values["status"].strip().lower())
        if status is None:
            raise RowError(f"Unknown status {values['status']!r}.")
        return status
    if values.get("subscribed_to_emails"):  # Ghost
        subscribed = values["subscribed_to_emails"].strip().lower() in {"true", "1", "yes"}
        return Subscriber.Status.CONFIRMED if subscribed else Subscriber.Status.UNSUBSCRIBED
    # Mailchimp exports one file per audience state: unsubscribed rows carry UNSUB_TIME.
    if record["unsubscribed_at"]:
        return Subscriber.Status.UNSUBSCRIBED
    return Subscriber.Status.CONFIRMED


def parse_when(value: str | None, column: str) -> datetime.datetime | None:
    """ISO dates and times; without a zone they are taken as UTC (as Mailchimp writes them)."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        parsed = parse_datetime(value)
        if parsed is None and (day := parse_date(value)):
            parsed = datetime.datetime.combine(day, datetime.time())
    except ValueError:
        parsed = None
    if parsed is None:
        raise RowError(f"{column}: {value!r} is not a date.")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.UTC)
    try:
        validate_storable_moment(parsed)
    except ValidationError as error:
        raise RowError(f"{column}: {value!r}: {' '.join(error.messages)}") from None
    return parsed
