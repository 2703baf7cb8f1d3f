"""Full-text search: the stored vector, accent folding, queries and highlighted snippets.

The embedded PostgreSQL has no `unaccent` extension, so accents are folded here, in
Python, both when the stored vector is built and when a reader's query is parsed. The
folding maps each character to exactly one character, so a snippet highlighted in the
folded text can be mapped back, offset for offset, onto the original words.
"""

import html
import re
import unicodedata

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Value
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe

CONFIG = "english"
# Longer queries are cut, not refused: nobody types more, and the parser stays cheap.
MAX_QUERY_LENGTH = 200
# Letters that Unicode does not decompose into a base letter and an accent.
EXTRA_FOLDS = str.maketrans("øØłŁđĐħĦıŀĿ", "oOlLdDhHilL")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
WHITESPACE = re.compile(r"\s+")
BLOCK_END = re.compile(r"</?(?:p|br|h\d|li|blockquote|figcaption)\b")
# ts_headline wraps hits in these; control characters never occur in our plain text.
START, STOP, GAP = "\x02", "\x03", "\x04"


def fold_char(char: str) -> str:
    decomposed = unicodedata.normalize("NFD", char)
    if len(decomposed) > 1 and all(unicodedata.combining(mark) for mark in decomposed[1:]):
        return decomposed[0]
    return char


def fold(text: str) -> str:
    """Drop accents, one character for one: "Zürich" → "Zurich", "Malmö" → "Malmo"."""
    text = unicodedata.normalize("NFC", text).translate(EXTRA_FOLDS)
    if text.isascii():
        return text
    return "".join(fold_char(char) for char in text)


def plain_text(body_html: str) -> str:
    """The readable text of stored body HTML, on one line."""
    # A space before block ends, so "</p><p>" never glues two words together.
    text = html.unescape(strip_tags(BLOCK_END.sub(r" \g<0>", body_html or "")))
    return WHITESPACE.sub(" ", CONTROL.sub(" ", unicodedata.normalize("NFC", text))).strip()


def clean_query(text: str) -> str:
    """What a reader typed, safe to parse: no control characters (NUL), bounded length."""
    text = unicodedata.normalize("NFC", CONTROL.sub(" ", text or ""))
    return WHITESPACE.sub(" ", text).strip()[:MAX_QUERY_LENGTH]


def search_query(text: str) -> SearchQuery:
    """Web-search syntax: "exact phrase", or, -word."""
    return SearchQuery(fold(clean_query(text)), search_type="websearch", config=CONFIG)


def search_vector(*, headline: str, dek: str, author_names: list[str], body: str):
    """The expression stored on an article: headline A, dek and authors B, body C."""
    return (
        SearchVector(Value(fold(headline)), weight="A", config=CONFIG)
        + SearchVector(Value(fold(" ".join([dek, *author_names]))), weight="B", config=CONFIG)
        + SearchVector(Value(fold(plain_text(body))), weight="C", config=CONFIG)
    )


def snippets(texts: list[str], query: str) -> list[SafeString]:
    """Highlighted excerpts of each text for one query, in a single query to PostgreSQL."""
    if not texts:
        return []
    folded_query = fold(clean_query(query))
    options = (
        f"StartSel={START}, StopSel={STOP}, FragmentDelimiter={GAP}, "
        "MaxFragments=2, MaxWords=30, MinWords=12"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ts_headline(%s::regconfig, t, websearch_to_tsquery(%s::regconfig, %s), %s) "
            "FROM unnest(%s::text[]) WITH ORDINALITY AS u(t, n) ORDER BY n",
            [CONFIG, CONFIG, folded_query, options, [fold(text) for text in texts]],
        )
        headlines = [row[0] for row in cursor.fetchall()]
    return [
        unfold_headline(text, headline) for text, headline in zip(texts, headlines, strict=True)
    ]


def unfold_headline(original: str, headline: str) -> SafeString:
    """Map a headline made from the folded text back onto the original words, as HTML."""
    folded = fold(original)
    parts, position = [], 0
    for fragment in headline.split(GAP):
        bare = fragment.replace(START, "").replace(STOP, "")
        start = folded.find(bare, position)
        if not bare.strip() or start < 0:
            continue
        position = start + len(bare)
        html_parts, offset = [], start
        for piece in re.split(f"([{START}{STOP}])", fragment):
            if piece == START:
                html_parts.append("<mark>")
            elif piece == STOP:
                html_parts.append("</mark>")
            else:
                html_parts.append(escape(original[offset : offset + len(piece)]))
                offset += len(piece)
        parts.append("".join(html_parts))
    return mark_safe(" … ".join(parts))  # noqa: S308 - every piece of text is escaped above
