import io
import tempfile
from pathlib import Path

from django.core.management import CommandError, call_command
from django.test import TestCase

from newsletter.models import ExportLog, Subscriber
from tests.newsletter.helpers import make_subscriber

DATA = Path(__file__).parent / "data"
MAILCHIMP = (DATA / "mailchimp-subscribed.csv").read_text(encoding="utf-8")
GHOST = (DATA / "ghost-members.csv").read_text(encoding="utf-8")


class CommandTestCase(TestCase):
    def setUp(self):
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        self.dir = Path(directory.name)

    def export(self, *args) -> str:
        path = self.dir / "export.csv"
        call_command("export_subscribers", "--output", str(path), *args, stderr=io.StringIO())
        return path.read_text(encoding="utf-8")

    def import_(self, text: str, *args) -> tuple[str, str]:
        path = self.dir / "import.csv"
        path.write_text(text, encoding="utf-8")
        out, err = io.StringIO(), io.StringIO()
        call_command("import_subscribers", str(path), *args, stdout=out, stderr=err)
        return out.getvalue(), err.getvalue()


class ExportCommandTests(CommandTestCase):
    def test_export_filters_by_status_and_date_and_is_logged(self):
        make_subscriber("a@example.com")
        make_subscriber("p@example.com", status=Subscriber.Status.PENDING)
        make_subscriber("u@example.com", status=Subscriber.Status.UNSUBSCRIBED)

        self.assertEqual(len(self.export().splitlines()), 3)  # header + a + p
        only_gone = self.export("--status", "unsubscribed").splitlines()
        self.assertEqual([line.split(",")[0] for line in only_gone[1:]], ["u@example.com"])
        self.assertEqual(len(self.export("--status", "all").splitlines()), 4)
        self.assertEqual(len(self.export("--since", "2999-01-01").splitlines()), 1)
        log = ExportLog.objects.filter(via="command").first()
        self.assertEqual((log.row_count, log.filters["since"][:4]), (0, "2999"))

    def test_a_since_that_is_not_a_date_is_refused(self):
        with self.assertRaisesMessage(CommandError, "--since: 'last week' is not a date."):
            self.export("--since", "last week")
        self.assertFalse(ExportLog.objects.exists())


HEADER = b"email,name,status,signed_up_at,confirmed_at,unsubscribed_at,source\n"
GOOD_ROW = b"first@example.com,First,confirmed,,,,\n"


class ImportCommandTests(CommandTestCase):
    def import_bytes(self, content: bytes) -> tuple[str, str]:
        path = self.dir / "import.csv"
        path.write_bytes(content)
        out, err = io.StringIO(), io.StringIO()
        call_command("import_subscribers", str(path), stdout=out, stderr=err)
        return out.getvalue(), err.getvalue()

    def test_a_file_that_cannot_be_read_whole_is_refused_before_anything_is_stored(self):
        for bad_line, message in [
            ("caf\xe9@example.com,Caf\xe9,confirmed,,,,\n".encode("latin-1"), "not UTF-8"),
            (b"nul@example.com,N\x00L,confirmed,,,,\n", "contains a NUL byte"),
            (b'big@example.com,"' + b"x" * 200_000 + b'",confirmed,,,,\n', "field larger"),
        ]:
            with (
                self.subTest(message),
                self.assertRaisesMessage(CommandError, f"line 3: {message}"),
            ):
                self.import_bytes(HEADER + GOOD_ROW + bad_line)
            self.assertFalse(Subscriber.objects.exists())

    def test_utf8_with_a_byte_order_mark_is_accepted(self):
        out, _ = self.import_bytes(
            "\ufeff".encode() + HEADER + "juergen@bücher.de,Jürgen,,,,,\n".encode()
        )
        self.assertIn("1 created", out)
        self.assertEqual(Subscriber.objects.get().name, "Jürgen")

    def test_an_export_imported_into_an_empty_database_exports_the_same_rows(self):
        make_subscriber("ada@example.com", name="Ada", source="footer")
        make_subscriber("-dash@example.com", name="=1+1", source="newsletter page")
        make_subscriber("p@example.com", status=Subscriber.Status.PENDING, source="")
        make_subscriber("u@bücher.de", status=Subscriber.Status.UNSUBSCRIBED, source="import")
        before = self.export("--status", "all")
        Subscriber.objects.all().delete()

        out, err = self.import_(before)

        self.assertIn("4 created, 0 updated, 0 unchanged, 0 rejected", out)
        self.assertEqual(self.export("--status", "all"), before)

    def test_hostile_values_in_every_column_survive_the_round_trip_byte_for_byte(self):
        hostile = [
            "=SUM(1)",
            "+1",
            "-1",
            "@cmd",
            " =1+1",
            "  @cmd",
            "\t=1",
            "\r=1",
            "\n=SUM(1)",
            "'",
            "'=x",
            "''=x",
            "'hello",
            'a,b"c',
            "x\ny",
            "=",
            "\u3000=1",
            "\uff1dSUM(1)",
            "'\uff0b1",
            "Jürgen 中文",
        ]
        for number, value in enumerate(hostile):
            make_subscriber(
                f"{'=-+'[number % 3]}r{number}@example.com",
                # Names are trimmed wherever they come from; sources are kept as given.
                name=value,
                source=value,
                status=list(Subscriber.Status)[number % 3],
            )
        before = self.export("--status", "all")
        Subscriber.objects.all().delete()

        out, _ = self.import_(before)

        self.assertIn(f"{len(hostile)} created, 0 updated, 0 unchanged, 0 rejected", out)
        self.assertEqual(self.export("--status", "all"), before)

    def test_names_are_trimmed_the_same_way_on_signup_admin_and_import(self):
        out, _ = self.import_(
            "email,name,status\n"
            'tab@example.com,"\tTabbed ",confirmed\n'
            'space@example.com,"  Spaced",confirmed\n'
        )
        self.assertIn("2 created", out)
        names = sorted(Subscriber.objects.values_list("name", flat=True))
        self.assertEqual(names, ["Spaced", "Tabbed"])
        subscriber = make_subscriber("direct@example.com", name="  Direct\t")
        self.assertEqual(subscriber.name, "Direct")

    def test_imported_names_follow_the_invisible_character_rule(self):
        out, _ = self.import_(
            "email,name,status\n"
            "rlo@example.com,\u202eAna Ruiz,confirmed\n"
            "zwnj@example.com,می\u200cخواهد\u200b,confirmed\n"
        )
        self.assertIn("2 created", out)
        self.assertEqual(Subscriber.objects.get(email="rlo@example.com").name, "Ana Ruiz")
        self.assertEqual(Subscriber.objects.get(email="zwnj@example.com").name, "می\u200cخواهد")

    def test_names_are_stored_by_the_name_rule_of_every_other_name(self):
        """Subscriber names were only trimmed: a decomposed "é" and runs of spaces were kept
        as typed, unlike authors', sections' and topics' names (publication.text)."""
        lengthened = "\u0958" * 100  # NFC writes each as two characters
        out, _ = self.import_(
            "email,name,status\n"
            "nfd@example.com,Rene\u0301e   Ruiz\u3164,confirmed\n"
            f"long@example.com,{lengthened},confirmed\n"
        )
        self.assertIn("2 created", out)
        self.assertEqual(Subscriber.objects.get(email="nfd@example.com").name, "Renée Ruiz")
        self.assertEqual(len(Subscriber.objects.get(email="long@example.com").name), 100)
        direct = make_subscriber("direct@example.com", name="Rene\u0301e  Ruiz")
        self.assertEqual(direct.name, "Renée Ruiz")
        direct.resubscribe_name = " Cafe\u0301 "
        direct.save()
        self.assertEqual(direct.resubscribe_name, "Café")

    def test_values_cut_to_fit_are_imported_and_reported(self):
        """A name or source longer than its column is imported shortened, and the operator
        is told which rows lost what; it was cut silently."""
        out, err = self.import_(
            "email,name,status,source\n"
            f"long@example.com,{'Ana ' * 40},confirmed,{'s' * 120}\n"
            "short@example.com,Ana,confirmed,footer\n"
        )
        self.assertIn("2 created", out)
        self.assertEqual(
            err,
            "line 2: long@example.com: imported, name cut to 100 characters; "
            "source cut to 100 characters.\n",
        )
        long = Subscriber.objects.get(email="long@example.com")
        self.assertEqual((len(long.name), long.name[-3:], long.source), (99, "Ana", "s" * 100))

    def test_import_is_idempotent(self):
        self.import_(MAILCHIMP)
        out, _ = self.import_(MAILCHIMP)
        self.assertIn("0 created, 0 updated, 2 unchanged, 1 rejected", out)
        self.assertEqual(Subscriber.objects.count(), 2)

    def test_mailchimp_export(self):
        out, err = self.import_(MAILCHIMP, "--source", "mailchimp")
        self.assertIn("2 created", out)
        self.assertIn("line 4: not-an-address:", err)
        mary = Subscriber.objects.get(email="mc@example.com")
        self.assertEqual(
            (mary.name, mary.status, mary.source), ("Mary Chimp", "confirmed", "mailchimp")
        )
        self.assertEqual(mary.signed_up_at.isoformat(), "2023-01-05T10:20:30+00:00")
        self.assertEqual(mary.confirmed_at.isoformat(), "2023-01-05T10:25:00+00:00")
        gone = Subscriber.objects.get(email="mcgone@example.com")
        self.assertEqual(gone.status, Subscriber.Status.UNSUBSCRIBED)

    def test_ghost_export(self):
        out, err = self.import_(GHOST)
        self.assertIn("2 created, 0 updated, 0 unchanged, 1 rejected", out)
        self.assertIn("line 4: spooky@[10.0.0.1]: Addresses at an IP address", err)
        casper = Subscriber.objects.get(email="ghost@example.com")
        self.assertEqual((casper.name, casper.status), ("Casper", "confirmed"))
        self.assertEqual(casper.signed_up_at.isoformat(), "2024-02-03T04:05:06+00:00")
        self.assertEqual(
            Subscriber.objects.get(email="ghostgone@example.com").status, "unsubscribed"
        )

    def test_import_never_resurrects_an_unsubscribed_address_or_duplicates_one(self):
        make_subscriber("GHOST@example.com", status=Subscriber.Status.UNSUBSCRIBED)
        make_subscriber("mc@example.com", status=Subscriber.Status.PENDING)
        out, _ = self.import_(GHOST)
        self.assertIn("1 created, 0 updated, 1 unchanged", out)
        self.assertEqual(Subscriber.objects.get(email="GHOST@example.com").status, "unsubscribed")
        self.assertEqual(Subscriber.objects.filter(email__iexact="ghost@example.com").count(), 1)
        # A confirmation from the other system upgrades a pending address.
        out, _ = self.import_(MAILCHIMP)
        self.assertIn("1 created, 1 updated", out)
        self.assertEqual(Subscriber.objects.get(email="mc@example.com").status, "confirmed")

    def test_rows_with_unknown_status_or_bad_dates_are_rejected_with_reasons(self):
        text = (
            "email,name,status,signed_up_at,confirmed_at,unsubscribed_at,source\n"
            "a@example.com,,maybe,,,,\n"
            "b@example.com,,confirmed,yesterday,,,\n"
            ",,confirmed,,,,\n"
        )
        out, err = self.import_(text)
        self.assertIn("0 created", out)
        self.assertIn("line 2: a@example.com: Unknown status 'maybe'.", err)
        self.assertIn("line 3: b@example.com: signed_up_at: 'yesterday' is not a date.", err)
        self.assertIn("line 4: (no address): No email address.", err)
