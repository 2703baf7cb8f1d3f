from django.test import SimpleTestCase

from newsletter.subscriber_csv import neutralize, unneutralize


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
        ]:
            with self.subTest(repr(cell)):
                self.assertEqual(neutralize(cell), f"'{cell}")

    def test_harmless_cells_are_left_alone(self):
        for cell in ["Ada", "a=b", "ada@example.com", "", "x\n=1", "'", "'quoted", "1-2"]:
            with self.subTest(repr(cell)):
                self.assertEqual(neutralize(cell), cell)

    def test_import_undoes_exactly_what_export_did(self):
        for cell in ["=1", "'=1", "''=1", "'", "'quoted", " @x", "\n", "plain", "''"]:
            with self.subTest(repr(cell)):
                self.assertEqual(unneutralize(neutralize(cell)), cell)
