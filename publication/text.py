"""Plain text typed by editors, shared by every app."""

import re

from django.db import models

# Browsers send textarea line breaks as \r\n, and a "blank" line may hold spaces.
BLANK_LINE = re.compile(r"\n\s*\n")

# A word processor writes a line break inside a paragraph as a vertical tab and a page
# break as a form feed; pasted, they are meant as breaks.
PASTED_BREAK = re.compile("[\x0b\x0c]")
# What else no one types on purpose: the other C0 controls (tab, line feed and carriage
# return stay), DEL, the C1 controls, lone surrogates and the noncharacters U+FFFE/U+FFFF.
# None shows on a page, and XML 1.0 (feeds, sitemaps) refuses most of them.
UNTYPEABLE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def typed_text(text: str, *, multiline: bool) -> str:
    """text as it should be stored: pasted breaks become a line break (multiline) or a
    space, the characters no one types on purpose are dropped."""
    return UNTYPEABLE.sub("", PASTED_BREAK.sub("\n" if multiline else " ", text))


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
        # By internal type: CKEditor's body field is a Field stored as a TextField.
        multiline = field.get_internal_type() == "TextField"
        if multiline or isinstance(field, models.CharField):
            value = getattr(instance, field.attname)
            if isinstance(value, str):
                setattr(instance, field.attname, typed_text(value, multiline=multiline))


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
