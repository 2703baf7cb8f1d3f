import datetime
import io

from django.test import SimpleTestCase, TestCase

from newsletter import subscriber_csv
from newsletter.models import ExportLog, Subscriber
from newsletter.subscriber_csv import neutralize, unneutralize
from tests.newsletter.helpers import make_subscriber


class NeutraliseTests(SimpleTestCase):
    def test_every_cell_a_spreadsheet_would_run_gets_a_quote(self):
        for cell in [
            "=1+1",
            "+1",
            "-1",
            "@cmd",
            " =1+1",  # spreadsheets skip leading spaces
            "  @cmd",
            "\u00a0=1",
            "\t=1",
            "\tplain",  # a leading tab, carriage return or line feed, whatever follows
            "\rplain",
            "\n=SUM(1)",
            "\nplain",
            "\uff1d1+1",  # fullwidth, small and superscript forms of the four triggers
            " \uff0b1",
            "\u3000\uff20cmd",
            "\uff0d1",
            "\ufe66SUM(1)",
            "\u207c1",
        ]:
            with self.subTest(repr(cell)):
                self.assertEqual(neutralize(cell), f"'{cell}")

    def test_harmless_cells_are_left_alone(self):
        for cell in [
            "Ada",
            "a=b",
            "a\uff1db",
            "ada@example.com",
            "",
            "x\n=1",
            "'",
            "'quoted",
            "1-2",
            "\u22121",
        ]:
            with self.subTest(repr(cell)):
                self.assertEqual(neutralize(cell), cell)

    def test_import_undoes_exactly_what_export_did(self):
        for cell in ["=1", "'=1", "''=1", "'", "'quoted", " @x", "\n", "plain", "''", "'\uff1d1"]:
            with self.subTest(repr(cell)):
                self.assertEqual(unneutralize(neutralize(cell)), cell)


class ExportTests(TestCase):
    def test_rows_come_in_chunks_and_the_log_gets_the_count_at_the_end(self):
        for _ in range(3):
            make_subscriber()
        log = subscriber_csv.export_log_start(user=None, via=ExportLog.Via.COMMAND, filters={})
        chunks = subscriber_csv.subscribers_export_csv(
            Subscriber.objects.for_export(), log=log, chunk_rows=2
        )

        self.assertEqual([chunk.count("\r\n") for chunk in chunks], [1, 2, 1])
        log.refresh_from_db()
        self.assertEqual(log.row_count, 3)
        self.assertIsNotNone(log.finished_at)


class ReadTests(TestCase):
    def test_an_empty_file_has_no_rows_and_blank_lines_are_skipped(self):
        self.assertEqual(list(subscriber_csv.read_rows(io.StringIO(""))), [])
        rows = subscriber_csv.read_rows(io.StringIO("Email Address\n , \na@example.com\n"))
        self.assertEqual(list(rows), [(3, {"email": "a@example.com"})])

    def test_dates_without_a_zone_are_utc_and_impossible_dates_are_row_errors(self):
        self.assertEqual(
            subscriber_csv.parse_when("2024-03-01", "signed_up_at"),
            datetime.datetime(2024, 3, 1, tzinfo=datetime.UTC),
        )
        # PostgreSQL stores a moment before year 1 and Python cannot read it back: the
        # subscriber list answered 500 after such a row was imported.
        before_year_one = "0001-01-01T00:00:00+14:00"
        for value in ["2024-13-45 10:00", "yesterday", before_year_one, "9999-12-31T23:00-05:00"]:
            with (
                self.subTest(value=value),
                self.assertRaisesMessage(subscriber_csv.RowError, "signed_up_at"),
            ):
                subscriber_csv.parse_when(value, "signed_up_at")


class ImportTests(TestCase):
    def test_an_imported_confirmation_upgrades_a_pending_address(self):
        make_subscriber("waiting@example.com", status=Subscriber.Status.PENDING)
        rows = [(2, {"email": "Waiting@example.com", "status": "subscribed"})]

        report = subscriber_csv.subscribers_import(rows=rows)

        self.assertEqual((report.created, report.updated), (0, 1))
        subscriber = Subscriber.objects.get()
        self.assertEqual(subscriber.status, Subscriber.Status.CONFIRMED)
        self.assertIsNotNone(subscriber.confirmed_at)
