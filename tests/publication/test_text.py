from django.test import SimpleTestCase

from publication.text import paragraphs, stored_name, typed_text


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


class InvisibleCharacterTests(SimpleTestCase):
    """The one rule for invisible characters in typed text (publication.text.typed_text)."""

    def one_line(self, text):
        return typed_text(text, multiline=False)

    def test_direction_overrides_are_dropped_with_their_closer(self):
        # Reversed-text spoofing: shown as "txt.exe", or spilling into the page title.
        self.assertEqual(self.one_line("Report\u202etxt.exe"), "Reporttxt.exe")
        self.assertEqual(self.one_line("a\u202dbc\u202cd"), "abcd")

    def test_embeddings_and_isolates_stay_only_when_closed_on_the_line(self):
        quoted = "Says \u2067שלום\u2069 and \u202bעברית\u202c today"
        self.assertEqual(self.one_line(quoted), quoted)
        self.assertEqual(self.one_line("Says \u2067שלום today"), "Says שלום today")
        self.assertEqual(self.one_line("a\u2069b\u202cc"), "abc")  # closers closing nothing
        # A PDI closes its isolate and drops an embedding left open inside it.
        self.assertEqual(self.one_line("\u2067a\u202bb\u2069c"), "\u2067ab\u2069c")
        # A line break ends every embedding: an opener carried past it is dropped.
        lines = typed_text("\u2067one\n\u2069two\n\u2068x\u2069", multiline=True)
        self.assertEqual(lines, "one\ntwo\n\u2068x\u2069")

    def test_zero_width_space_byte_order_mark_and_word_joiner_are_dropped(self):
        self.assertEqual(self.one_line("\ufeffEu\u200bro\u2060pe\u2062"), "Europe")

    def test_letters_that_draw_as_nothing_are_dropped(self):
        # Hangul fillers (compatibility, halfwidth, choseong, jungseong) and the Khmer
        # inherent vowels: a name of them showed as a blank section or byline.
        self.assertEqual(self.one_line("\u3164Eu\uffa0ro\u115f\u1160pe\u17b4\u17b5"), "Europe")
        self.assertEqual(self.one_line("한국\u3164"), "한국")  # Hangul itself stays

    def test_a_name_of_characters_that_show_nothing_is_empty(self):
        for text in ["\u3164", "\uffa0\u115f", "\u2800\u2800", "\u200e", "\u034f", " \ufe0f "]:
            with self.subTest(text=ascii(text)):
                self.assertEqual(stored_name(text), "")
        self.assertEqual(stored_name("\u2800Ana\u00a0 Ruiz\u200e"), "Ana Ruiz")
        self.assertEqual(stored_name("Jose\u0301"), "José")
        self.assertEqual(stored_name("שלום!\u200f x"), "שלום!\u200f x")  # marks inside stay

    def test_joiners_stay_between_visible_characters_only(self):
        persian = "می\u200cخواهم"  # "I want": the non-joiner keeps the two parts apart
        family = "👨\u200d👩\u200d👧"
        self.assertEqual(self.one_line(persian), persian)
        self.assertEqual(self.one_line(family), family)
        self.assertEqual(self.one_line("\u200dAna \u200c Ruiz\u200c"), "Ana  Ruiz")

    def test_line_and_paragraph_separators_are_breaks(self):
        self.assertEqual(typed_text("a\u2028b\u2029c", multiline=True), "a\nb\n\nc")
        self.assertEqual(self.one_line("a\u2028b\u2029c\r\nd\te"), "a b c d e")

    def test_hidden_data_in_selectors_and_tags_is_dropped_but_flags_stay(self):
        scotland = "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"
        self.assertEqual(self.one_line(f"Go {scotland}"), f"Go {scotland}")
        self.assertEqual(self.one_line("hi\U000e0041\U000e0042\U000e007f"), "hi")
        self.assertEqual(self.one_line("❤\ufe0f\ufe0f\U000e0100\U000e0101"), "❤\ufe0f")
        self.assertEqual(self.one_line("\ufe0fx \ufe0e"), "x ")

    def test_marks_and_soft_hyphens_that_do_a_job_stay(self):
        for text in ["שלום!\u200f", "Donau\u00addampf", "x\u200ey", "Jürgen 中文"]:
            with self.subTest(text=text):
                self.assertEqual(self.one_line(text), text)
