"""Full-text search: the stored vector, accent folding, queries and highlighted snippets.

The embedded PostgreSQL has no `unaccent` extension, so accents are folded here, in
Python, both when the stored vector is built and when a reader's query is parsed. The
folding maps each character to exactly one character, so a snippet highlighted in the
folded text can be mapped back, offset for offset, onto the original words.
"""

import bisect
import datetime
import functools
import html
import operator
import re
import unicodedata

from django.apps import apps
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection, connections, router
from django.db.models import F, Value
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from publication.db import Statement, statement
from publication.text import typed_text

CONFIG = "english"
# Longer queries are cut, not refused: nobody types more, and the parser stays cheap.
MAX_QUERY_LENGTH = 200
# Letters that Unicode does not decompose into a base letter and an accent.
EXTRA_FOLDS = str.maketrans("øØłŁđĐħĦıŀĿ", "oOlLdDhHilL")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
WHITESPACE = re.compile(r"\s+")
# A phone keyboard's "smart" punctuation types a phrase as “…” or „…“: websearch syntax
# reads only straight quotes as a phrase.
PHRASE_QUOTES = str.maketrans("“”„‟", '""""')
TAG = re.compile(r"""<[^>"']*(?:(?:"[^"]*"|'[^']*')[^>"']*)*>""")
BLOCK = re.compile(r"</?(?:p|br|h\d|li|blockquote|figcaption)\b")
# Characters of a body ts_headline reads, from a little before the first likely hit: room
# for its two 30-word fragments (~400 characters). Its cost grows faster than the text it
# is given: 10 windows of 2,000 characters took 3-4.5 ms, of 1,000 characters 1-1.3 ms.
SNIPPET_WINDOW, SNIPPET_LEAD = 1000, 300
# ts_headline wraps hits in these; control characters never occur in our plain text.
START, STOP, GAP = "\x02", "\x03", "\x04"
MARKS = re.compile(f"([{START}{STOP}])")


def fold_char(char: str) -> str:
    decomposed = unicodedata.normalize("NFD", char)
    if len(decomposed) > 1 and all(unicodedata.combining(mark) for mark in decomposed[1:]):
        return decomposed[0]
    return char


class FoldTable(dict):
    """str.translate table that works out each character's fold once per process."""

    def __missing__(self, code: int) -> str:
        self[code] = fold_char(chr(code))
        return self[code]


FOLDS = FoldTable()


def fold(text: str) -> str:
    """Drop accents, one character for one: "Zürich" → "Zurich", "Malmö" → "Malmo"."""
    text = unicodedata.normalize("NFC", text).translate(EXTRA_FOLDS)
    if text.isascii():
        return text
    return text.translate(FOLDS)


def tag_gap(tag: re.Match) -> str:
    return " " if BLOCK.match(tag.group()) else ""


def plain_text(body_html: str) -> str:
    """The readable text of stored body HTML, on one line."""
    # A space before block ends, so "</p><p>" never glues two words together. The body is
    # sanitized HTML (no comments, scripts or stray "<"), so a pattern can drop its tags:
    # Django's strip_tags, made for any input, takes ~1 ms per 7 KB body.
    text = html.unescape(TAG.sub(tag_gap, body_html or ""))
    # split() breaks at exactly what WHITESPACE matches, without a substitution per space
    # (~0.6 ms of a 7 KB body).
    return " ".join(CONTROL.sub(" ", unicodedata.normalize("NFC", text)).split())


def clean_query(text: str) -> str:
    """What a reader typed, safe to parse: no control characters (NUL), bounded length,
    phrases in straight quotes."""
    text = unicodedata.normalize("NFC", CONTROL.sub(" ", text or "")).translate(PHRASE_QUOTES)
    return WHITESPACE.sub(" ", text).strip()[:MAX_QUERY_LENGTH]


def quoted_query(query: str) -> str:
    """A cleaned query as a page quotes it: “black sea”, whether or not it was typed as a
    phrase; a query with phrases in it keeps them as typed, in curly quotes: “black sea” -nato."""
    pieces = query.split('"')
    if len(pieces) % 2 == 0:  # an unclosed phrase, as websearch reads it, runs to the end
        pieces.append("")
    if not any(phrase.strip() for phrase in pieces[1::2]):
        return f"“{query}”"
    return "".join(
        piece if position % 2 == 0 else f"“{piece}”" for position, piece in enumerate(pieces)
    )


# Letters joined by hyphens: "black-sea", "Indo-Pacific" (not "covid-19", "2024-25").
HYPHENATED = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)+")
# Minus signs in a row, spaced or not: PostgreSQL nests a NOT for each, and from 33 on its
# parser fails ("tsquery stack too small"); a reader typing them means one minus.
MINUS_RUN = re.compile(r"-(?:\s*-)+")


def query_text(text: str) -> str:
    """What websearch_to_tsquery is given for a reader's query: cleaned and folded, and
    each hyphenated word outside a phrase made a phrase of its parts ("black-sea" →
    "black sea" in quotes). PostgreSQL reads "black-sea" as the compound followed by its
    parts, which a text saying "Black Sea" does not hold; the phrase of the parts matches
    both spellings, and "-black-sea" leaves out either. Minus signs in a row are one."""
    pieces = MINUS_RUN.sub("-", fold(clean_query(text))).split('"')
    pieces[::2] = [
        HYPHENATED.sub(lambda word: f'"{word.group().replace("-", " ")}" ', piece)
        for piece in pieces[::2]
    ]
    return '"'.join(pieces)


def search_query(text: str) -> SearchQuery:
    """Web-search syntax: "exact phrase", or, -word."""
    return SearchQuery(query_text(text), search_type="websearch", config=CONFIG)


# The headline's words as typed (no stemming, no stop words): what the admin's search
# matches the start of, so "Canber" finds "Canberra". Indexed as this exact expression
# (article_headline_words_idx); the embedded PostgreSQL has no pg_trgm for trigrams.
HEADLINE_WORDS = SearchVector("headline", config="simple")
WORD = re.compile(r"\w+")
# Shorter pieces match whole words only: a one- or two-letter prefix matches most headlines.
MIN_PREFIX = 3


def headline_prefix_query(text: str) -> SearchQuery | None:
    """Every word typed is the start of a word in the headline: "canber talks" matches
    "Canberra talks stall". Built from word characters only, so no input can break the
    tsquery syntax; None when nothing word-like was typed."""
    words = WORD.findall(clean_query(text).lower())[:10]
    if not words:
        return None
    terms = [f"{word}:*" if len(word) >= MIN_PREFIX else word for word in words]
    return SearchQuery(" & ".join(terms), search_type="raw", config="simple")


def weighted_texts(*, headline: str, dek: str, author_names: list[str], body: str = ""):
    """The folded texts an article's vectors weigh A (headline), B (dek), C (body) and D
    (author names): one home for what is indexed, for one article (search_fields) or many
    (vectors_sql).

    Each text is cleaned by the rule save() stores text by (publication.text.typed_text):
    a row written past save() (update(), an import) is indexed as if it had been saved: a
    control character inside "harbour" is dropped, a vertical tab stays a word break."""
    return (
        fold(typed_text(headline, multiline=False)),
        fold(typed_text(dek, multiline=True)),
        body_text(body),
        names_text(author_names),
    )


def body_text(body: str) -> str:
    return fold(plain_text(typed_text(body, multiline=True)))


def names_text(author_names: list[str]) -> str:
    # Cleaned one by one, then joined, as store_names() joins them.
    return " ".join(fold(typed_text(name, multiline=False)) for name in author_names)


# The names are weight D and come last in both vectors, so a rename rewrites only that
# part (store_names). For ranking they count as much as the dek: ts_rank's weights are
# {D, C, B, A}, and PostgreSQL's default gives D 0.1.
RANK_WEIGHTS = [0.4, 0.2, 0.4, 1.0]


def search_head(*, headline: str, dek: str, author_names: list[str]):
    """The small vector results are ranked by: headline A, dek B, authors D."""
    a, b, _, d = weighted_texts(headline=headline, dek=dek, author_names=author_names)
    return (
        SearchVector(Value(a), weight="A", config=CONFIG)
        + SearchVector(Value(b), weight="B", config=CONFIG)
        + SearchVector(Value(d), weight="D", config=CONFIG)
    )


def search_vector(*, headline: str, dek: str, author_names: list[str], body: str):
    """The expression stored on an article and matched: headline A, dek B, body C, authors D."""
    a, b, c, d = weighted_texts(headline=headline, dek=dek, author_names=author_names, body=body)
    return (
        SearchVector(Value(a), weight="A", config=CONFIG)
        + SearchVector(Value(b), weight="B", config=CONFIG)
        + SearchVector(Value(c), weight="C", config=CONFIG)
        + SearchVector(Value(d), weight="D", config=CONFIG)
    )


def weighted(text_sql: str, weight: str) -> str:
    return f"setweight(to_tsvector('{CONFIG}'::regconfig, {text_sql}), '{weight}')"


def vectors_sql(a: str, b: str, c: str, d: str) -> tuple[str, str]:
    """search_head and search_vector as SQL expressions over four text columns holding an
    article's weighted_texts(): the SQL form of search_fields(), for writes in bulk
    (store_vectors, seed_benchmark's insert). A test compares both forms."""
    a, b, c, d = weighted(a, "A"), weighted(b, "B"), weighted(c, "C"), weighted(d, "D")
    return f"{a} || {b} || {d}", f"{a} || {b} || {c} || {d}"


def store_vectors(table: str, rows: list[tuple[int, str, str, str, str]]) -> None:
    """Write some articles' vectors in one statement, from (id, A, B, C, D) weighted_texts.

    Django's bulk_update writes them as a CASE with one branch per row, which PostgreSQL
    tests row by row: rebuilding 20,000 articles took over a minute; joined to arrays
    of the texts it takes seconds.
    """
    ids, a, b, c, d = map(list, zip(*rows, strict=True))
    head, vector = vectors_sql("new.a", "new.b", "new.c", "new.d")
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {connection.ops.quote_name(table)} AS article
            SET search_head = {head}, search_vector = {vector}
            FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[])
                AS new (id, a, b, c, d)
            WHERE article.id = new.id
            """,
            [ids, a, b, c, d],
        )


def store_names(article_table: str, byline_table: str, articles_sql, authors) -> int:
    """Write the author names part (D, last) of some articles' vectors again from their
    bylines, in one statement: after a rename or a byline change. articles_sql: (sql,
    params) selecting the articles' distinct ids; authors: (id, name) of every author on
    them. Nothing else of an article is read or parsed again, so renaming an author of
    2,000 articles is one UPDATE instead of ~2,000 bodies through to_tsvector.

    ts_filter keeps the other weights' lexemes at their positions, and || places the names
    after the last of them: the result is what search_fields() stores (a test compares)."""
    sql, params = articles_sql
    ids, names = map(list, zip(*authors, strict=True)) if authors else ([], [])
    quote = connection.ops.quote_name
    names_part = weighted("coalesce(names.d, '')", "D")
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {quote(article_table)} AS article
            SET search_head = ts_filter(article.search_head, '{{a,b}}') || {names_part},
                search_vector = ts_filter(article.search_vector, '{{a,b,c}}') || {names_part}
            FROM (
                SELECT target.id,
                    string_agg(author.name, ' ' ORDER BY byline."order", byline.id) AS d
                FROM ({sql}) AS target (id)
                LEFT JOIN {quote(byline_table)} AS byline ON byline.article_id = target.id
                LEFT JOIN unnest(%s::bigint[], %s::text[]) AS author (id, name)
                    ON author.id = byline.author_id
                GROUP BY target.id
            ) AS names
            WHERE article.id = names.id
            """,
            [*params, ids, [names_text([name]) for name in names]],
        )
        return cursor.rowcount


def search_fields(*, headline: str, dek: str, author_names: list[str], body: str) -> dict:
    """Both stored vectors of an article, by field name."""
    return {
        "search_vector": search_vector(
            headline=headline, dek=dek, author_names=author_names, body=body
        ),
        "search_head": search_head(headline=headline, dek=dek, author_names=author_names),
    }


def read_connection():
    """The connection search's own SQL reads through: where the querysets would read (the
    replica for a public page when there is one, publication.routers)."""
    return connections[router.db_for_read(apps.get_model("articles", "SearchHead"))]


def ranked_ids(text: str, filters: dict, *, limit: int) -> list[int]:
    """The ids of the best `limit` matches among the live articles the filters leave
    (SearchForm.filters: kind, author, section ids), best first: articles whose headline,
    dek or authors match, ranked (a headline hit above a dek hit), then articles that
    match in the body only, newest first.

    Why not ts_rank over the stored vector of every match: a common word matches nearly
    every article, and ranking reads each one's whole vector (kilobytes, compressed in
    TOAST) — 150-500 ms at 20,000 articles. The headline/dek vector is a few hundred bytes,
    so ranking every headline match is cheap. Body-only matches need no rank: PostgreSQL
    walks the newest articles by the publish-time index and stops after the few it needs
    (or, for a rare word, reads its matches from the GIN index), and it is asked only when
    the headline matches do not fill the list.

    The headline matches are ranked in the narrow SearchHead table, filters included (it
    copies each article's kind and section): in the article table each match costs a
    page read of its own (the rows are wide), ~3,400 pages for "security" at 20,000
    articles, 10-20 ms; there ~700 pages, 3-8 ms; a section filter read 2-6 times more
    there too. Only a "-word" needs the article's own row (its whole vector).

    The walk runs in each part of the filters apart (ArticleFilters.search_parts), and the
    newest of all are kept (one UNION): a filter with an OR (a section's own articles or
    those also listed in it) can use no index of its own, so PostgreSQL walked every live
    article newest first and tested each one's vector — ~9,000 rows, 30-60 ms, for a
    phrase in one section of seven at 20,000 articles. Each part walks its own index (the
    section's, ~1,300 rows) or its few rows. Reading the phrase's GIN matches first is no
    better: PostgreSQL cannot check word order in the index, so it reads every article
    holding both words (at 20,000 seeded articles, all of them; 14 % hold the phrase).

    Both statements are compiled once per process for each combination of filters
    (ranked_statements): building and compiling the querysets cost ~1.7 ms of Python per
    search, more than PostgreSQL's part for most words."""
    filters = {name: value for name, value in filters.items() if value is not None}
    text = query_text(text)
    in_head, walk = ranked_statements(tuple(sorted(filters)), "-" in text, limit)
    values = {
        **filters,
        "text": text,
        # now: as live() would, once for both statements.
        "now": timezone.now(),
    }
    with read_connection().cursor() as cursor:
        cursor.execute(in_head.sql, in_head.values(values))
        ids = [row[0] for row in cursor.fetchall()]
        if len(ids) < limit:
            cursor.execute(walk.sql, walk.values({**values, "walk_limit": limit - len(ids)}))
            ids += [row[0] for row in cursor.fetchall()]
    return ids


# Stand-ins the statements are compiled with; each becomes a named placeholder. Values no
# real search has: negative ids, a word query_text() leaves as it is.
STAND_INS = {
    "text": "rankedidsstandin",
    "now": datetime.datetime(1901, 2, 3, 4, 5, 6, 789, tzinfo=datetime.UTC),
    "kind": -7_100_001,
    "author": -7_100_002,
    "section": -7_100_003,
    "walk_limit": 7_100_004,
}


@functools.lru_cache(maxsize=64)
def ranked_statements(filters: tuple, minus: bool, limit: int) -> tuple[Statement, Statement]:
    """ranked_ids' two statements for these filters (names), compiled from the querysets
    with stand-ins: the headline matches ranked, and the walk of the body-only matches."""
    # articles.models imports this module, so the models are looked up, not imported.
    article_model = apps.get_model("articles", "Article")
    stand_ins = {name: STAND_INS[name] for name in filters}
    now, query = STAND_INS["now"], search_query(STAND_INS["text"])
    parts = article_model.objects.search_parts(**stand_ins)
    rank = SearchRank(F("search_head"), query, weights=RANK_WEIGHTS)
    if minus:
        # "busan -engineers": the headline can match while the body has the excluded
        # word. Without a minus, whatever matches the headline and dek matches the
        # whole article.
        in_head = functools.reduce(operator.or_, parts).live(now).filter(search_head=query)
        in_head = in_head.filter(search_vector=query)
        in_head = in_head.annotate(rank=rank).order_by("-rank", "-published_at", "-id")
        in_head = in_head.values_list("id", flat=True)[:limit]
    else:
        heads = apps.get_model("articles", "SearchHead").objects.search_parts(**stand_ins)
        in_head = functools.reduce(operator.or_, heads).live(now).filter(search_head=query)
        in_head = in_head.annotate(rank=rank).order_by("-rank", "-published_at", "-article_id")
        in_head = in_head.values_list("article_id", flat=True)[:limit]
    walk_limit = STAND_INS["walk_limit"]
    walks = [
        part.live(now)
        .filter(search_vector=query)
        .exclude(search_head=query)
        .order_by("-published_at", "-id")
        .values_list("id", "published_at")[:walk_limit]
        for part in parts
    ]
    walk = walks[0]
    if len(walks) > 1:
        walk = walk.union(*walks[1:]).order_by("-published_at", "-id")[:walk_limit]
    names = {"text", "now", *filters}
    return (
        statement(in_head, {name: STAND_INS[name] for name in names}),
        statement(walk, {name: STAND_INS[name] for name in names | {"walk_limit"}}),
    )


def snippets(texts: list[str], query: str) -> list[SafeString]:
    """Highlighted excerpts of each text for one query, in a single query to PostgreSQL."""
    if not texts:
        return []
    folded_query = query_text(query)
    # ShortWord=0: ts_headline's default drops words of up to three letters at each end of
    # an excerpt, so a text's own start "For most of..." read "most of...".
    options = (
        f"StartSel={START}, StopSel={STOP}, FragmentDelimiter={GAP}, "
        "MaxFragments=2, MaxWords=30, MinWords=12, ShortWord=0"
    )
    anchors = anchor_patterns(folded_query)
    windows = []
    for text in texts:
        folded = fold(text)
        start, end = snippet_window(folded, anchors)
        windows.append((text, folded, start, end))
    # ts_headline reads no table, but parsing and stemming is CPU the primary can spare.
    # Where no passage holds every word of the query (the body says "ships" of a search
    # for "shipping"), ts_headline marks nothing and shows the text's start: that excerpt
    # is asked again for any one of the words.
    any_word = " or ".join(query_words(folded_query)) or folded_query
    with read_connection().cursor() as cursor:
        cursor.execute(
            "SELECT CASE WHEN strpos(h, %(start)s) > 0 THEN h ELSE ts_headline("
            "%(config)s::regconfig, t, websearch_to_tsquery(%(config)s::regconfig, %(any)s),"
            " %(options)s) END FROM (SELECT n, t, ts_headline(%(config)s::regconfig, t, "
            "websearch_to_tsquery(%(config)s::regconfig, %(query)s), %(options)s) AS h "
            "FROM unnest(%(texts)s::text[]) WITH ORDINALITY AS u(t, n)) AS excerpts ORDER BY n",
            {
                "start": START,
                "config": CONFIG,
                "any": any_word,
                "query": folded_query,
                "options": options,
                "texts": [folded[start:end] for _, folded, start, end in windows],
            },
        )
        headlines = [row[0] for row in cursor.fetchall()]
    return [
        unfold_headline(text, headline, folded=folded, window=(start, end))
        for (text, folded, start, end), headline in zip(windows, headlines, strict=True)
    ]


# A word of a query that a text found need not hold: after a minus, or when "or" joins words.
NEGATED = re.compile(r'(?:^|\s)-(?:"[^"]*"?|\S+)')


def query_words(folded_query: str) -> list[str]:
    """The words of a query a text found may hold: outside a minus, without "or"."""
    words = re.findall(r"\w+", NEGATED.sub(" ", folded_query).lower())
    return [word for word in words if word != "or"]


def anchor_patterns(folded_query: str) -> list[re.Pattern]:
    """Where a query's words probably are in a text: each word's stem-like beginning
    ("secur" for "security"), at the start of a word. One pattern per word a text found
    holds (every word of an AND query outside a minus), or a single pattern matching any
    word when the query says "or"."""
    words = query_words(folded_query)
    if not words:
        return []
    stems = sorted({word[: max(4, len(word) - 3)] for word in words})
    if re.search(r"\bor\b", folded_query.lower()):
        return [re.compile(r"\b(?:" + "|".join(map(re.escape, stems)) + ")", re.IGNORECASE)]
    return [re.compile(r"\b" + re.escape(stem), re.IGNORECASE) for stem in stems]


def snippet_window(folded: str, anchors: list[re.Pattern]) -> tuple[int, int]:
    """The part of a text that ts_headline reads: from a little before the first place
    where every word of the query is likely found (within the window), else before the
    first likely hit of any, to ~1,000 characters after it. ts_headline parses and stems
    every word it is given, ~1-2 ms for a 7 KB body; the excerpt shows 2 × 30 words
    anyway, and it highlights nothing in a window where the query does not match."""
    if len(folded) <= SNIPPET_WINDOW:
        return 0, len(folded)
    hits = [[match.start() for match in anchor.finditer(folded)] for anchor in anchors]
    reach = SNIPPET_WINDOW - SNIPPET_LEAD
    every = sorted(position for positions in hits for position in positions)
    together = (
        position
        for position in every
        if all(
            (index := bisect.bisect_left(positions, position)) < len(positions)
            and positions[index] < position + reach
            for positions in hits
        )
    )
    hit = next(together, every[0] if every else None)
    start = max(0, hit - SNIPPET_LEAD) if hit is not None else 0
    start = folded.rfind(" ", 0, start) + 1 if start else 0  # never cut a word
    end = folded.find(" ", start + SNIPPET_WINDOW)
    return start, len(folded) if end < 0 else end


# Hits next to each other ("Black Sea") are marked as one.
ADJACENT_MARKS = re.compile(f"{STOP}(\\s+){START}")


def unfold_headline(
    original: str,
    headline: str,
    *,
    folded: str | None = None,
    window: tuple[int, int] | None = None,
) -> SafeString:
    """Map a headline made from the folded text (or from its window[0]:window[1] part) back
    onto the original words, as HTML. Each fragment is widened to whole words (PostgreSQL
    starts one at "risk" of "war-risk"), and an ellipsis says where the text goes on."""
    folded = fold(original) if folded is None else folded
    start_at, end_at = window or (0, len(folded))
    parts, position = [], start_at
    first = last = None
    for fragment in ADJACENT_MARKS.sub(r"\1", headline).split(GAP):
        bare = fragment.replace(START, "").replace(STOP, "")
        start = folded.find(bare, position, end_at)
        if not bare.strip() or start < 0:
            continue
        end = after = start + len(bare)
        before = start
        while before > position and not original[before - 1].isspace():
            before -= 1
        while after < len(original) and not original[after].isspace():
            after += 1
        html_parts, offset = [html.escape(original[before:start])], start
        for piece in MARKS.split(fragment):
            if piece == START:
                html_parts.append("<mark>")
            elif piece == STOP:
                html_parts.append("</mark>")
            else:
                # The standard library's escape: Django's, made to accept lazy strings,
                # took longer than the rest of the mapping.
                html_parts.append(html.escape(original[offset : offset + len(piece)]))
                offset += len(piece)
        html_parts.append(html.escape(original[end:after]))
        parts.append("".join(html_parts).strip())
        first = before if first is None else first
        last, position = after, after
    if not parts:
        return mark_safe("")
    lead = "… " if original[:first].strip() else ""
    tail = " …" if original[last:].strip() else ""
    return mark_safe(lead + " … ".join(parts) + tail)  # noqa: S308 - every piece of text is escaped above
