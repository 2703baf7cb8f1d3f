"""Plain text typed by editors, shared by every app."""

import re
import unicodedata

from django.db import models

# Browsers send textarea line breaks as \r\n, and a "blank" line may hold spaces.
BLANK_LINE = re.compile(r"\n\s*\n")

# A word processor writes a line break inside a paragraph as a vertical tab and a page
# break as a form feed; Unicode's line and paragraph separators (U+2028, U+2029) come
# from pasted PDFs and other programs. Pasted, they are all meant as breaks.
PASTED_BREAK = re.compile("[\x0b\x0c\u2028]")
PASTED_PARAGRAPH = "\u2029"
# In a one-line field (a headline, a name) every break is a space: an input cannot hold a
# line break, and one in a name or subject made the email header that carries it invalid.
LINE_BREAK = re.compile("\r\n|[\t\n\r\x0b\x0c\u2028\u2029]")
# What else no one types on purpose: the other C0 controls (tab, line feed and carriage
# return stay), DEL, the C1 controls, lone surrogates and the noncharacters U+FFFE/U+FFFF.
# None shows on a page, and XML 1.0 (feeds, sitemaps) refuses most of them. Also the
# invisible format characters that have no use in text people read: zero-width space
# (browsers break Thai and other unspaced scripts by dictionary; a pasted one only makes
# a look-alike of another name), word joiner, the invisible maths operators, the
# deprecated format controls, the byte order mark and interlinear annotations.
UNTYPEABLE = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff"
    "\u200b\u2060-\u2064\u206a-\u206f\ufeff\ufff9-\ufffb]"
)

# Invisible characters that some scripts need, kept only where they can do their job.
# Zero-width non-joiner and joiner (Persian, Indic scripts, emoji sequences) and the
# Mongolian vowel separator act between two visible characters; elsewhere they are dropped.
JOINERS = "\u200c\u200d\u180e"
# Direction embeddings (LRE, RLE, closed by PDF) and isolates (LRI, RLI, FSI, closed by
# PDI) set the direction of a quoted span, e.g. a Hebrew name in an English headline.
# Kept only in pairs closed on the same line: an unclosed one carries on into whatever
# the text is shown beside (the page title after a headline, the next name in a byline).
# Overrides (LRO, RLO) force letters into the wrong order, the tool of reversed-text
# spoofing ("moc.elgoog" shown as "google.com"); no prose needs them, so they are dropped
# with their PDF. Direction marks (LRM, RLM, ALM) have no span and stay.
EMBEDDINGS = "\u202a\u202b"
OVERRIDES = "\u202d\u202e"
POP_DIRECTIONAL_FORMATTING = "\u202c"
ISOLATES = "\u2066\u2067\u2068"
POP_DIRECTIONAL_ISOLATE = "\u2069"
DIRECTIONAL = EMBEDDINGS + OVERRIDES + POP_DIRECTIONAL_FORMATTING + ISOLATES
DIRECTIONAL += POP_DIRECTIONAL_ISOLATE
# Emoji variation selectors pick one form of the character before them: one is enough, a
# run of them is data hidden in text. Tag characters spell subdivision flags after a black
# flag (England, Scotland); anywhere else they are hidden ASCII.
VARIATION_SELECTORS = "\ufe00-\ufe0f\U000e0100-\U000e01ef"
EXTRA_SELECTORS = re.compile(f"(?:(?<=[{VARIATION_SELECTORS}])|(?<=\\s)|^)[{VARIATION_SELECTORS}]+")
TAGS = re.compile("(\U0001f3f4[\U000e0020-\U000e007e]{1,32}\U000e007f)|[\U000e0000-\U000e007f]")
NEEDS_CONTEXT = re.compile(f"[{JOINERS}{DIRECTIONAL}{VARIATION_SELECTORS}\U000e0000-\U000e007f]")


def typed_text(text: str, *, multiline: bool) -> str:
    """text as it should be stored: pasted breaks become a line break (multiline) or a
    space, the characters no one types on purpose are dropped, and the invisible ones
    some scripts need are kept only where they work (see JOINERS, EMBEDDINGS)."""
    if multiline:
        text = PASTED_BREAK.sub("\n", text).replace(PASTED_PARAGRAPH, "\n\n")
    else:
        text = LINE_BREAK.sub(" ", text)
    text = UNTYPEABLE.sub("", text)
    if NEEDS_CONTEXT.search(text):
        text = TAGS.sub(lambda match: match.group(1) or "", text)
        text = EXTRA_SELECTORS.sub("", text)
        text = "\n".join(_balanced_directions(line) for line in text.split("\n"))
        text = _joiners_in_words(text)
    return text


def _balanced_directions(line: str) -> str:
    """line with every direction override dropped, and every embedding or isolate that is
    not closed on the line dropped with any closer that closes nothing (Unicode's bidi
    algorithm: a PDF closes the innermost embedding, a PDI the innermost isolate and any
    embeddings opened inside it)."""
    if not any(character in DIRECTIONAL for character in line):
        return line
    dropped, open_ = set(), []  # open_: (index, character) of unclosed openers
    for index, character in enumerate(line):
        if character in EMBEDDINGS or character in OVERRIDES or character in ISOLATES:
            open_.append((index, character))
        elif character == POP_DIRECTIONAL_FORMATTING:
            if open_ and open_[-1][1] not in ISOLATES:
                opener, kind = open_.pop()
                if kind in OVERRIDES:
                    dropped.update((opener, index))
            else:
                dropped.add(index)
        elif character == POP_DIRECTIONAL_ISOLATE:
            if any(kind in ISOLATES for _, kind in open_):
                while open_[-1][1] not in ISOLATES:
                    dropped.add(open_.pop()[0])
                open_.pop()
            else:
                dropped.add(index)
    dropped.update(index for index, _ in open_)
    return "".join(character for index, character in enumerate(line) if index not in dropped)


def _visible(character: str) -> bool:
    return not (
        character.isspace() or character in JOINERS or character in DIRECTIONAL
    ) and unicodedata.category(character) not in {"Cc", "Cf", "Zl", "Zp"}


def _joiners_in_words(text: str) -> str:
    if not any(character in JOINERS for character in text):
        return text
    kept = []
    for index, character in enumerate(text):
        if character in JOINERS and not (
            kept and _visible(kept[-1]) and index + 1 < len(text) and _visible(text[index + 1])
        ):
            continue
        kept.append(character)
    return "".join(kept)


def clean_typed_text(sender, instance, raw=False, **kwargs):
    """pre_save, for every model: the one rule for what text may be stored (see typed_text).

    At save rather than in each form, so the admin's forms and inlines, public forms,
    CKEditor bodies, topics (taggit's own model), imports and commands all pass through
    it. Dropped rather than refused: the characters are invisible, so an editor told a
    pasted headline holds one could not see what to remove. TextFields are multi-line.
    Fixtures (raw) load as written; update() and bulk_create() skip signals.
    """
    if raw:
        return
    for field in sender._meta.concrete_fields:
        value = getattr(instance, field.attname)
        if isinstance(value, str):
            setattr(instance, field.attname, stored_text(field, value))


def stored_text(field, value: str) -> str:
    """value as a model field stores it: typed_text for char and text fields."""
    # By internal type: CKEditor's body field is a Field stored as a TextField.
    multiline = field.get_internal_type() == "TextField"
    if multiline or isinstance(field, models.CharField):
        return typed_text(value, multiline=multiline)
    return value


def free_slug(queryset, base: str, *, exclude_pk=None) -> str:
    """base, or base-2, base-3 … whichever no other row of queryset has taken."""
    taken = set(
        queryset.filter(slug__startswith=base).exclude(pk=exclude_pk).values_list("slug", flat=True)
    )
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


def paragraphs(text: str) -> list[str]:
    """The paragraphs of plain text separated by blank lines, without surrounding spaces."""
    return [part.strip() for part in BLANK_LINE.split(text or "") if part.strip()]


def repair_slugs(model, pattern: str, make_base) -> None:
    """For data migrations: every row whose slug does not match pattern (a regex) gets a
    free slug made from make_base(row), so a constraint on the pattern can be added."""
    rows = model._default_manager.all()
    for row in rows.exclude(slug__regex=pattern).order_by("pk"):
        slug = free_slug(rows, make_base(row), exclude_pk=row.pk)
        rows.filter(pk=row.pk).update(slug=slug)
