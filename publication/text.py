"""Plain text typed by editors, shared by every app."""

import re

# Browsers send textarea line breaks as \r\n, and a "blank" line may hold spaces.
BLANK_LINE = re.compile(r"\n\s*\n")


def paragraphs(text: str) -> list[str]:
    """The paragraphs of plain text separated by blank lines, without surrounding spaces."""
    return [part.strip() for part in BLANK_LINE.split(text or "") if part.strip()]
