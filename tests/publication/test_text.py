from django.test import SimpleTestCase

from publication.text import paragraphs


class ParagraphsTests(SimpleTestCase):
    def test_blank_lines_separate_paragraphs(self):
        self.assertEqual(
            paragraphs("One.\n\nTwo,\nstill two.\n\n\nThree."),
            ["One.", "Two,\nstill two.", "Three."],
        )

    def test_browser_line_breaks_split_too(self):
        self.assertEqual(paragraphs("One.\r\n\r\nTwo.\r\n"), ["One.", "Two."])

    def test_a_line_of_spaces_is_a_blank_line(self):
        self.assertEqual(paragraphs("One.\n \t\nTwo.\r\n  \r\nThree."), ["One.", "Two.", "Three."])

    def test_empty_and_whitespace_only_text_has_no_paragraphs(self):
        for text in ["", "  \r\n \n", None]:
            with self.subTest(text=text):
                self.assertEqual(paragraphs(text), [])
