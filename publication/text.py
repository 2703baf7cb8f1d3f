"""Plain text typed by editors, shared by every app."""

import re
import unicodedata

from django.core.exceptions import FieldDoesNotExist
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
# deprecated format controls, the byte order mark and interlinear annotations. And the
# letters that draw as nothing: the Hangul fillers (U+115F, U+1160, U+3164, U+FFA0) exist
# only to round-trip old Korean encodings (modern Hangul is written in whole syllables),
# the Khmer inherent vowels (U+17B4, U+17B5) Unicode asks no one to use; a name made of
# them showed as a blank section, topic or byline.
UNTYPEABLE = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff"
    "\u200b\u2060-\u2064\u206a-\u206f\ufeff\ufff9-\ufffb"
    "\u115f\u1160\u3164\uffa0\u17b4\u17b5]"
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


# What shows nothing by itself although typed_text keeps it, where it has a job between
# letters: the joiners, direction marks and embeddings, variation selectors, the
# combining grapheme joiner, Mongolian variation selectors and the blank braille cell.
SHOWS_NOTHING = set(f"{JOINERS}{DIRECTIONAL}\u034f\u180b\u180c\u180d\u180f\u2800")


def shows_nothing(character: str) -> bool:
    return (
        character.isspace()
        or character in SHOWS_NOTHING
        or "\ufe00" <= character <= "\ufe0f"
        or "\U000e0100" <= character <= "\U000e01ef"
        or unicodedata.category(character) in {"Cc", "Cf", "Zs", "Zl", "Zp"}
    )


def stored_name(text: str) -> str:
    """A name (of a section, topic, person …) as it is stored and compared: as any typed
    text, in one form of each letter (NFC: "é" typed as e and an accent is the same
    name), one space between words and nothing that shows nothing at either end. Empty
    when nothing in it shows, so a name of fillers is refused as a blank one is.

    NFC here and not in typed_text: it may lengthen a few letters, and a headline's
    length is checked before it is stored; names are checked after (clean_name, the
    model's own validation in the admin).
    """
    name = " ".join(unicodedata.normalize("NFC", typed_text(text, multiline=False)).split())
    start, end = 0, len(name)
    while start < end and shows_nothing(name[start]):
        start += 1
    while end > start and shows_nothing(name[end - 1]):
        end -= 1
    return name[start:end]


# The name fields of records readers find by name (sections, kinds, topics, authors,
# creators), each registered by the app that owns its model (AppConfig.ready): they are
# stored by stored_name, and where marked unique no two may differ only in case (their
# table's unique index on upper(name), the comparison Django's iexact makes).
NAME_FIELDS: dict = {}


def register_name_field(model, *, unique: bool, field: str = "name") -> None:
    NAME_FIELDS[model._meta.get_field(field)] = unique


def has_unique_names(model) -> bool:
    try:
        return NAME_FIELDS.get(model._meta.get_field("name"), False)
    except FieldDoesNotExist:
        return False


def same_name(queryset, name: str, *, exclude_pk=None):
    """The row of queryset whose name is name in any case, or None (the oldest, should a
    table written before the unique index hold two)."""
    return queryset.filter(name__iexact=name).exclude(pk=exclude_pk).order_by("pk").first()


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
    if field in NAME_FIELDS:
        return stored_name(value)
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


def merge_same_names(model, *, url_name: str, redirect_model, versions=None) -> None:
    """For data migrations, before a name becomes unique in any case: rows of model whose
    names are the same once stored by stored_name and compared as the unique index
    compares them (upper()) become one, the oldest. What pointed at the others points at
    it, their public addresses redirect to its, and every name is stored as stored_name
    makes it. (Merged rather than refused: two "Europe" sections were one section to
    readers and editors alike.) versions: reversion's Version and ContentType models,
    whose saved revisions are pointed at the oldest row too, so restoring one made before
    the merge does not name a row that is gone."""
    from django.db import connection
    from django.urls import NoReverseMatch, reverse
    from django.utils.encoding import uri_to_iri

    rows = list(model._base_manager.order_by("pk").values_list("pk", "name", "slug"))
    if not rows:
        return
    # A name that is only fillers stays as it was: it has no stored form to merge by.
    names = [stored_name(name) or name for _, name, _ in rows]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT upper(name) FROM unnest(%s::text[]) WITH ORDINALITY AS t(name, n) ORDER BY n",
            [names],
        )
        keys = [key for (key,) in cursor.fetchall()]
    keepers, moved = {}, {}
    for (pk, _, slug), key in zip(rows, keys, strict=True):
        keeper_pk, keeper_slug = keepers.setdefault(key, (pk, slug))
        if keeper_pk == pk:
            continue
        moved[pk] = keeper_pk
        move_references(model, pk, keeper_pk)
        model._base_manager.filter(pk=pk).delete()
        try:
            old, new = (uri_to_iri(reverse(url_name, args=[s])) for s in (slug, keeper_slug))
        except NoReverseMatch:
            continue
        redirect_model._base_manager.filter(new_path=old).update(new_path=new)
        redirect_model._base_manager.update_or_create(
            old_path=old, defaults={"new_path": new, "automatic": True}
        )
    if versions and moved:
        move_saved_versions(model, moved, *versions)
    kept = {pk for pk, _ in keepers.values()}
    for (pk, name, _), stored in zip(rows, names, strict=True):
        if pk in kept and stored != name:
            model._base_manager.filter(pk=pk).update(name=stored)
    with connection.cursor() as cursor:
        # The moved rows' foreign keys are checked now, not at commit: PostgreSQL will not
        # alter a table (the constraint the migration adds next) while checks are pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def move_references(model, old_pk, new_pk) -> None:
    """Every row pointing at model's row old_pk points at new_pk instead; a link row that
    would then repeat one the new row has (an article tagged with both) is deleted."""
    from django.db.models import Exists, OuterRef, UniqueConstraint

    for relation in model._meta.get_fields(include_hidden=True):
        # Foreign keys to model, the hidden ones of many-to-many link tables included.
        if not (relation.auto_created and (relation.one_to_many or relation.one_to_one)):
            continue
        field, related = relation.field.name, relation.related_model
        pointing = related._base_manager.filter(**{field: old_pk})
        meta = related._meta
        unique_sets = [*meta.unique_together]
        unique_sets += [
            constraint.fields
            for constraint in meta.constraints
            if isinstance(constraint, UniqueConstraint) and constraint.condition is None
        ]
        for fields in unique_sets:
            others = [name for name in fields if name != field]
            if field in fields and others:
                repeats = related._base_manager.filter(
                    **{field: new_pk}, **{name: OuterRef(name) for name in others}
                )
                pointing.filter(Exists(repeats)).delete()
        pointing.update(**{field: new_pk})


def move_saved_versions(model, moved: dict, version_model, content_type_model) -> None:
    """Saved revisions (django-reversion, JSON) of rows pointing at model: each key of
    moved becomes its value, in foreign keys and many-to-many lists alike."""
    import json

    pointing = [  # (model whose revisions are saved, field pointing at model)
        (relation.related_model, relation.field.name)
        for relation in model._meta.related_objects
        if not relation.related_model._meta.auto_created
    ]
    for related, field in pointing:
        content_type = content_type_model.objects.filter(
            app_label=related._meta.app_label, model=related._meta.model_name
        ).first()
        saved = version_model.objects.filter(content_type=content_type, format="json")
        for pk, data in saved.values_list("pk", "serialized_data").iterator():
            objects, changed = json.loads(data), False
            for fields in (obj.get("fields", {}) for obj in objects):
                value = fields.get(field)
                if isinstance(value, list) and set(value) & moved.keys():
                    fields[field] = list(dict.fromkeys(moved.get(item, item) for item in value))
                    changed = True
                elif not isinstance(value, list) and value in moved:
                    fields[field], changed = moved[value], True
            if changed:
                saved.filter(pk=pk).update(serialized_data=json.dumps(objects))
