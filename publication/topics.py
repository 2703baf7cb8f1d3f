"""Topic (taggit Tag) names and slugs: every topic has a usable name and address.

taggit slugifies a name down to its letters and digits, so a name made only of
punctuation or symbols ("!!!", a backslash, "€") got an empty slug, and every page
linking it failed to reverse its URL. Tags are taggit's model, so the slug rule
runs on its pre_save signal (connected in PublicationConfig.ready) and the name
rule is taggit's TAGGIT_TAGS_FROM_STRING parser.
"""

import re
import unicodedata

from django import forms
from django.utils.text import slugify
from taggit.utils import _parse_tags

from publication.text import free_slug, shows_nothing, stored_name

SLUG_LENGTH = 90  # taggit's slug column holds 100; room for a "-123" suffix
QUOTED = re.compile(r'"([^"]*)"')
BLANK_NAME = "A topic needs at least one visible character; this one is only spaces."
NAME_LENGTH = 100  # taggit's name column
LONG_NAME = (
    "A topic name can be at most {limit} characters; “{start}…” has {length}. Separate "
    "topics with commas."
)
# Running topics are a handful per article. A pasted list of 2,000 names made 2,000
# topics, each with its page, in one save of 200 seconds (past any server's timeout).
MAX_TOPICS = 30
MANY_TOPICS = "An article takes at most {limit} topics; this list has {count}."


def parse_topics(text: str) -> list[str]:
    """Topic names separated by commas (quotes may hold commas), refusing blank names.

    taggit would drop a quoted blank ('" "') silently and keep a zero-width space
    as a name; both are mistakes the editor should see.
    """
    text = text or ""
    # Without a comma taggit splits on spaces, and "Trump transition" became two topics.
    # Topics are phrases: only commas (and quotes) separate them.
    names = [stored_name(name) for name in _parse_tags(text if "," in text else text + ",")]
    quoted_blank = any(not stored_name(quoted) for quoted in QUOTED.findall(text))
    if "" in names or quoted_blank or (not names and stored_name(text).strip(",")):
        raise forms.ValidationError(BLANK_NAME, code="blank_topic")
    if len(names) > MAX_TOPICS:
        raise forms.ValidationError(
            MANY_TOPICS.format(limit=MAX_TOPICS, count=len(names)), code="many_topics"
        )
    for name in names:
        if len(name) > NAME_LENGTH:
            # Longer than the column: the save failed with a database error (a 500).
            raise forms.ValidationError(
                LONG_NAME.format(limit=NAME_LENGTH, start=name[:40], length=len(name)),
                code="long_topic",
            )
    return names


def topic_slug_base(name: str) -> str:
    """A URL-safe, non-empty slug for any name."""
    slug = slugify(name, allow_unicode=True)[:SLUG_LENGTH].strip("-_")
    if any(character.isalnum() for character in slug):
        return slug
    # Only punctuation or symbols: spell them out ("€" -> "euro-sign").
    spelled = " ".join(unicodedata.name(c, "") for c in name if not shows_nothing(c))
    return slugify(spelled)[:SLUG_LENGTH].strip("-") or "topic"


def unique_topic_slug(model, name: str, *, exclude_pk=None) -> str:
    return free_slug(model._default_manager.all(), topic_slug_base(name), exclude_pk=exclude_pk)


def is_usable_slug(slug: str) -> bool:
    return bool(slug) and len(slug) <= 100 and any(c.isalnum() for c in slug)


def give_topic_a_slug(sender, instance, **kwargs):
    """pre_save for taggit's Tag: replace an empty or symbol-only slug before it is stored."""
    if not is_usable_slug(instance.slug):
        instance.slug = unique_topic_slug(sender, instance.name, exclude_pk=instance.pk)
