import contextlib
import datetime
import sys

from django.core.management.base import BaseCommand, CommandError

from newsletter import subscriber_csv
from newsletter.models import ExportLog, Subscriber


def parse_since(value: str) -> datetime.datetime | None:
    try:
        return subscriber_csv.parse_when(value, "--since")
    except subscriber_csv.RowError as exc:
        raise CommandError(f"{exc} Use YYYY-MM-DD.") from exc


class Command(BaseCommand):
    help = (
        "Write subscribers as CSV (email, name, status, dates, source). Unsubscribed "
        "addresses are left out unless asked for with --status. Every export is logged."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--status",
            action="append",
            choices=[*Subscriber.Status.values, "all"],
            help="Repeatable; default: pending and confirmed.",
        )
        parser.add_argument("--since", type=parse_since, help="Signed up on or after this date.")
        parser.add_argument("--output", "-o", help="File to write; default: standard output.")

    def handle(self, *args, status=None, since=None, output=None, **options):
        statuses = Subscriber.Status.values if status and "all" in status else status
        queryset = Subscriber.objects.for_export(statuses=statuses, since=since)
        log = subscriber_csv.export_log_start(
            user=None,
            via=ExportLog.Via.COMMAND,
            filters={
                "status": statuses or "default",
                "since": since.isoformat() if since else None,
                "output": output or "-",
            },
        )
        with contextlib.ExitStack() as stack:
            stream = (
                stack.enter_context(open(output, "w", encoding="utf-8", newline=""))
                if output
                else sys.stdout
            )
            for chunk in subscriber_csv.subscribers_export_csv(queryset, log=log):
                stream.write(chunk)
        log.refresh_from_db()
        self.stderr.write(f"Exported {log.row_count} subscribers.")
