"""Plain text typed by editors, shared by every app."""

import re

# Browsers send textarea line breaks as \r\n, and a "blank" line may hold spaces.
BLANK_LINE = re.compile(r"\n\s*\n")


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
