"""Topics (taggit tags) kept in the order the editor typed them.

taggit sorts the names it parses and adds tags from a set; the article page lists
topics in the editor's order, so parsing keeps that order and saving adds the tags one
by one, so their rows' ids follow it.
"""

import re

from taggit.managers import TaggableManager, _TaggableManager

from publication.text import stored_name
from publication.topics import parse_topics as parse_topic_names


def parse_topics(text: str) -> list[str]:
    """taggit's parsing (commas, quotes) and our name rules, in the order typed."""
    names = parse_topic_names(text)  # sorted and unique: used only to know the names
    positions = {}
    for name in names:
        # Whole names only: "Euro" must not be found inside "Europe".
        match = re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text)
        positions[name] = match.start() if match else len(text)
    return sorted(names, key=lambda name: (positions[name], name))


def topics_string(tags) -> str:
    names = [tag.name for tag in tags]
    return ", ".join(f'"{name}"' if "," in name or " " in name else name for name in names)


class TopicNames(_TaggableManager):
    """article.tags.add("cafe\u0301"): names given as text are looked up as they will be
    stored (one form of each letter, one space), so the topic "Café" is found; taggit
    looked up the name as given, found nothing and its insert hit the unique index."""

    def _to_tag_model_instances(self, tags, tag_kwargs):
        tags = [stored_name(tag) if isinstance(tag, str) else tag for tag in tags]
        return super()._to_tag_model_instances([tag for tag in tags if tag != ""], tag_kwargs)


class OrderedTaggableManager(TaggableManager):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, manager=TopicNames, **kwargs)

    def save_form_data(self, instance, value):
        manager = getattr(instance, self.name)
        names = [str(tag) for tag in value]
        current = [item.tag.name for item in self.ordered_items(instance)]
        if current == names:
            return
        manager.clear()
        for name in names:
            manager.add(name)

    def value_from_object(self, obj):
        if obj.pk is None:
            return []
        return [item.tag for item in self.ordered_items(obj)]

    def ordered_items(self, obj):
        prefetched = getattr(obj, "_prefetched_objects_cache", {}).get("tagged_items")
        if prefetched is not None:
            # In typed order as well (topics_in_order); an article built in memory from a
            # revision (articles.revisions.article_as_saved) has only these.
            return prefetched
        return (
            self.through.objects.select_related("tag")
            .filter(**self.through.lookup_kwargs(obj))
            .order_by("pk")
        )
