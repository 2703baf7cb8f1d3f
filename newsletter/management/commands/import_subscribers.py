from django.core.management.base import BaseCommand, CommandError

from newsletter import subscriber_csv


class Command(BaseCommand):
    help = (
        "Import subscribers from a CSV file: our own export, or a Mailchimp or Ghost "
        "members export. Safe to run twice; never resubscribes an unsubscribed address."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--source", default="import", help="Source for rows without one (default: import)."
        )

    def handle(self, *args, file, source, **options):
        try:
            subscriber_csv.check_file(file)
            with open(file, encoding="utf-8-sig", newline="") as stream:
                report = subscriber_csv.subscribers_import(
                    rows=subscriber_csv.read_rows(stream), default_source=source
                )
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from exc
        except subscriber_csv.FileError as exc:
            raise CommandError(f"{file}: {exc} Nothing was imported.") from exc
        self.stdout.write(
            f"{report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged, {len(report.rejected)} rejected."
        )
        for line, email, reason in report.rejected:
            self.stderr.write(f"line {line}: {email or '(no address)'}: {reason}")
        for line, email, cut in report.shortened:
            self.stderr.write(f"line {line}: {email}: imported, {cut}.")
