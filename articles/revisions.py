"""What each saved revision of an article held, and what changed between two of them."""

import difflib
import html
from collections import defaultdict
from dataclasses import dataclass, field
from operator import attrgetter, itemgetter

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, transaction
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from reversion.errors import RevertError
from reversion.models import Version

# What reversion itself follows from an object when it reverts a revision (private API,
# version pinned in constraints.txt).
from reversion.revisions import _follow_relations_recursive
from taggit.models import Tag, TaggedItem

from articles.body import plain_text
from articles.models import (
    LEAD_PHOTO_TEXT_FIELDS,
    Article,
    ArticleRevision,
    Byline,
    Correction,
    Kind,
)
from publication.models import Author, Photo, Section


@dataclass
class Snapshot:
    """An article revision in the words an editor reads in History."""

    headline: str = ""
    dek: str = ""
    body: str = ""
    label: str = ""
    sections: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    bylines: list[str] = field(default_factory=list)
    lead_photo: str = ""
    lead_photo_caption: str = ""
    status: str = ""

    LABELS = {
        "headline": "Headline",
        "dek": "Dek",
        "label": "Kind | section",
        "sections": "Also in sections",
        "topics": "Topics",
        "bylines": "Authors (in order, with roles)",
        "lead_photo": "Lead photo and credit",
        "lead_photo_caption": "Lead photo caption",
        "status": "Status",
        "body": "Body",
    }


def article_versions(article: Article) -> list[Version]:
    """The article's own versions, oldest first, with their revisions."""
    return list(
        Version.objects.get_for_object(article).select_related("revision__user").order_by("pk")
    )


def snapshots(article: Article, versions: list[Version]) -> list[Snapshot]:
    """One Snapshot per article version, in a fixed number of queries.

    A revision may hold several articles (a bulk action), so rows are matched to this one.
    """
    if not versions:
        return []
    revision_ids = [version.revision_id for version in versions]
    byline_type = ContentType.objects.get_for_model(Byline)
    tagged_type = ContentType.objects.get_for_model(TaggedItem)
    article_type = ContentType.objects.get_for_model(Article)
    photo_type = ContentType.objects.get_for_model(Photo)
    bylines, tagged, kept_photos = {}, {}, {}
    related = Version.objects.filter(
        revision_id__in=revision_ids, content_type__in=[byline_type, tagged_type, photo_type]
    )
    for version in related:
        data = version.field_dict
        if version.content_type_id == photo_type.pk:
            kept_photos[version.revision_id, int(version.object_id)] = data
        elif version.content_type_id == byline_type.pk and data["article_id"] == article.pk:
            bylines.setdefault(version.revision_id, []).append(data)
        elif (
            version.content_type_id == tagged_type.pk
            and data["content_type_id"] == article_type.pk
            and str(data["object_id"]) == str(article.pk)
        ):
            tagged.setdefault(version.revision_id, []).append(data["tag_id"])
    credits = dict(
        ArticleRevision.objects.filter(article=article, revision_id__in=revision_ids).values_list(
            "revision_id", "lead_photo_credit"
        )
    )
    tag_names = dict(
        Tag.objects.filter(pk__in={pk for pks in tagged.values() for pk in pks}).values_list(
            "pk", "name"
        )
    )
    fields = [version.field_dict for version in versions]
    authors = dict(
        Author.objects.filter(
            pk__in={row["author_id"] for rows in bylines.values() for row in rows}
        ).values_list("pk", "name")
    )
    sections = dict(Section.objects.values_list("pk", "name"))
    kinds = dict(Kind.objects.values_list("pk", "name"))
    photos = {
        photo.pk: photo
        for photo in Photo.objects.filter(pk__in={data["lead_photo_id"] for data in fields})
    }
    roles = dict(Byline.Role.choices)
    result = []
    for version, data in zip(versions, fields, strict=True):
        credit = credits.get(version.revision_id, "")
        photo = photos.get(data["lead_photo_id"])
        # The photo's alt text (its name) and caption then; revisions saved before photos
        # were kept in them show today's.
        kept = kept_photos.get((version.revision_id, data["lead_photo_id"]))
        if kept is None and photo is not None:
            kept = {"alt_text": photo.alt_text, "caption": photo.caption}
        name = (kept["alt_text"] or str(photo)) if photo else ""
        rows = sorted(bylines.get(version.revision_id, []), key=itemgetter("order", "id"))
        kind, section = kinds.get(data["kind_id"], "—"), sections.get(data["section_id"], "—")
        topic_ids = tagged.get(version.revision_id, [])
        result.append(
            Snapshot(
                headline=data["headline"],
                dek=data["dek"],
                body=plain_text(data["body"]).strip(),
                label=f"{kind} | {section}",
                sections=sorted(sections.get(pk, "?") for pk in data.get("other_sections", [])),
                topics=sorted(tag_names.get(pk, "?") for pk in topic_ids),
                bylines=[f"{roles[row['role']]} {authors.get(row['author_id'])}" for row in rows],
                lead_photo=f"{name} ({credit or 'no credit'})" if photo else "",
                lead_photo_caption=kept["caption"] if photo else "",
                status=dict(Article.Status.choices)[data["status"]],
            )
        )
    return result


def word_diff(old: str, new: str) -> str:
    """Old and new text with removed words in <del> and added words in <ins>."""
    old_words, new_words = old.split(), new.split()
    parts = []
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    for tag, a1, a2, b1, b2 in matcher.get_opcodes():
        if tag == "equal":
            words = old_words[a1:a2]
            # Long unchanged stretches are shortened to their ends.
            if len(words) > 16:
                words = [*words[:6], "…", *words[-6:]]
            parts.append(html.escape(" ".join(words)))
            continue
        if a2 > a1:
            parts.append(format_html("<del>{}</del>", " ".join(old_words[a1:a2])))
        if b2 > b1:
            parts.append(format_html("<ins>{}</ins>", " ".join(new_words[b1:b2])))
    return mark_safe(" ".join(parts))


def list_diff(old: list[str], new: list[str]) -> str:
    if old == new:
        return ""
    return format_html(
        "<del>{}</del> <ins>{}</ins>", "; ".join(old) or "none", "; ".join(new) or "none"
    )


def changes(old: Snapshot | None, new: Snapshot) -> list[tuple[str, str]]:
    """(label, HTML) for each field that differs; every filled field for the first revision."""
    old = old or Snapshot()
    rows = []
    for name, label in Snapshot.LABELS.items():
        before, after = getattr(old, name), getattr(new, name)
        if before == after:
            continue
        if isinstance(after, list):
            rows.append((label, list_diff(before, after)))
        else:
            rows.append((label, word_diff(before, after)))
    return rows


def changes_html(rows) -> str:
    return format_html_join("", "<dt>{}</dt><dd>{}</dd>", rows)


def belongs_to_article(version: Version, article_pk: int, article_type: ContentType) -> bool:
    """Whether a version in a revision is the article or a row it follows (a byline, a
    correction, a topic)."""
    if version.content_type_id == article_type.pk:
        return version.object_id == str(article_pk)
    data = version.field_dict
    if data.get("article_id") == article_pk:
        return True
    return data.get("content_type_id") == article_type.pk and str(data.get("object_id")) == str(
        article_pk
    )


def existing_links(rows) -> set[tuple[type, object]]:
    """(model, pk) of every row the foreign keys of these rows (from a revision) point at that
    still exists: one query per model linked."""
    wanted = defaultdict(set)
    for row in rows:
        for key in row._meta.concrete_fields:
            if key.many_to_one and getattr(row, key.attname) is not None:
                wanted[key.related_model].add(getattr(row, key.attname))
    return {
        (model, pk)
        for model, pks in wanted.items()
        for pk in model._base_manager.filter(pk__in=pks).values_list("pk", flat=True)
    }


def deleted_links(row, existing=None) -> list:
    """The foreign keys of a row from a revision that point at rows deleted since. Foreign
    keys are checked when the transaction commits, so saving such a row would fail the whole
    restore there, not where it could be skipped."""
    existing = existing_links([row]) if existing is None else existing
    return [
        key
        for key in row._meta.concrete_fields
        if key.many_to_one
        and getattr(row, key.attname) is not None
        and (key.related_model, getattr(row, key.attname)) not in existing
    ]


def kept_photo_version(revision, photo_pk) -> Version | None:
    """The photo's in-place fields (alt text, caption, credit) as a revision kept them."""
    if photo_pk is None:
        return None
    return revision.version_set.filter(
        content_type=ContentType.objects.get_for_model(Photo), object_id=str(photo_pk)
    ).first()


def photo_restored_by(version: Version) -> Photo | None:
    """The photo whose alt text, caption and credit restoring this article version writes
    back (see Restored.photo_text): its lead photo, when the revision kept its fields."""
    photo_pk = version.field_dict["lead_photo_id"]
    if kept_photo_version(version.revision, photo_pk) is None:
        return None
    return Photo.objects.filter(pk=photo_pk).first()


def article_rows(revision, article_pk: int) -> list[Version]:
    """The revision's versions of the article and of the rows it follows, the article's first."""
    article_type = ContentType.objects.get_for_model(Article)
    versions = sorted(
        (v for v in revision.version_set.all() if belongs_to_article(v, article_pk, article_type)),
        key=lambda version: version.content_type_id != article_type.pk,  # the article first
    )
    if not versions or versions[0].content_type_id != article_type.pk:
        raise RevertError("This revision holds nothing of the article.")
    return versions


@dataclass
class Restored:
    """What restoring an article's revision brings back: the one description that the
    restore (revert_one_article, which writes it) and the revision's page and share links
    (article_as_saved, which builds the article from it in memory) both read.

    - the article's row as saved, except a kind, section or lead photo deleted since keeps
      the article's current one, and its many-to-many lists without rows deleted since;
    - the lead photo's in-place fields (alt text, caption, credit) as the revision kept
      them, but a creator or source deleted since: the article form edits them in place;
    - the bylines, topics and corrections the revision holds, but those pointing at an
      author or topic deleted since; rows added to the article since go.
    """

    versions: list[Version]  # every version of the article's part, the article's first
    article: Article
    many_to_many: dict[str, list]
    photo_text: dict[str, object]
    rows: list[Version]  # the followers to write back

    @classmethod
    def read(cls, revision, article_pk: int, current: Article | None) -> "Restored":
        versions = article_rows(revision, article_pk)
        own, *followers = versions
        saved = own._object_version
        article = saved.object
        for key in deleted_links(article):
            setattr(article, key.attname, getattr(current, key.attname, None))
        many_to_many = {
            name: list(
                Article._meta.get_field(name)
                .related_model._base_manager.filter(pk__in=pks)
                .values_list("pk", flat=True)
            )
            for name, pks in saved.m2m_data.items()
        }
        photo_text = {}
        kept = kept_photo_version(revision, article.lead_photo_id)
        if kept is not None:
            photo = kept._object_version.object
            gone = {key.attname for key in deleted_links(photo)}
            attnames = [Photo._meta.get_field(name).attname for name in LEAD_PHOTO_TEXT_FIELDS]
            photo_text = {name: getattr(photo, name) for name in attnames if name not in gone}
        # The article's row is written first, also when it is recovered after a delete.
        existing = existing_links(version._object_version.object for version in followers)
        existing.add((Article, article_pk))
        rows = [
            version
            for version in followers
            if not deleted_links(version._object_version.object, existing)
        ]
        return cls(versions, article, many_to_many, photo_text, rows)


def revert_one_article(revision, article_pk: int, delete: bool = False):
    """Revision.revert() for one article and its bylines, topics and corrections only,
    writing what Restored describes.

    A bulk action ("Publish now", "Unpublish") keeps every article it touched in one
    revision; reverting all of it to restore one article would silently take the others
    back to their text and status of that moment.
    """
    article_rows(revision, article_pk)  # nothing of the article: refused before any write
    with transaction.atomic():
        article = Article.objects.filter(pk=article_pk).first()
        restored = Restored.read(revision, article_pk, article)
        if delete:
            # Rows added to the article since the revision go, as reversion's revert does.
            kept = {(version.content_type_id, version.object_id) for version in restored.versions}
            for row in _follow_relations_recursive(article) if article else ():
                key = (ContentType.objects.get_for_model(row).pk, str(row.pk))
                if row is not article and key not in kept:
                    row.delete()
        own = restored.versions[0]
        saved = own._object_version  # what reversion's Version.revert() saves
        saved.m2m_data = restored.many_to_many
        saved.save(using=own.db)
        if restored.photo_text:
            # A plain update: the article's save on Restore ends cached pages, and a mere
            # look at the old version must not.
            Photo._base_manager.filter(pk=restored.article.lead_photo_id).update(
                **restored.photo_text
            )
        for version in restored.rows:
            try:
                with transaction.atomic():
                    version._object_version.save(using=version.db)
            except (IntegrityError, ObjectDoesNotExist):
                continue  # e.g. a byline for an author the article has again since
        # Reverting writes the row past save(), and body photos are no part of a version:
        # link the photos the restored body shows (the share page draws their credits).
        Article.relink_body_photos(Article.objects.filter(pk=article_pk))


def article_as_saved(revision, article_pk: int) -> Article | None:
    """The article as the revision held it, with what its page and its form show (bylines,
    topics, corrections, other sections, the lead photo's text, the body's photos), built in
    memory from Restored: what revert_one_article() would write, read instead. None when the
    article is gone.

    A share link's page reverted the article in a transaction it rolled back; the row locks
    of that revert made simultaneous opens of links to one article wait for each other's
    page to render (30 at once took 9.7 s), and an editor's save wait for them.
    """
    # The rows its page joins (kind, section, lead photo and credit); the rows it
    # prefetches are the revision's.
    current = Article.objects.for_page().prefetch_related(None).filter(pk=article_pk).first()
    if current is None:
        return None
    restored = Restored.read(revision, article_pk, current)
    article = restored.article
    article._state.adding, article._state.db = False, current._state.db
    for name in ("kind", "section", "lead_photo"):  # the others are read when first used
        if getattr(article, f"{name}_id") == getattr(current, f"{name}_id"):
            setattr(article, name, getattr(current, name))
    if article.lead_photo_id != current.lead_photo_id and article.lead_photo_id is not None:
        # None if deleted since the check above: the page shows no lead photo, never a 500.
        article.lead_photo = Photo.objects.with_credit().filter(pk=article.lead_photo_id).first()
    if article.lead_photo is not None:
        for attname, value in restored.photo_text.items():
            setattr(article.lead_photo, attname, value)
    rows = {}
    for version in restored.rows:
        rows.setdefault(version.content_type_id, []).append(version._object_version.object)
    type_of = ContentType.objects.get_for_model
    bylines = rows.get(type_of(Byline).pk, [])
    authors = Author.objects.in_bulk({byline.author_id for byline in bylines})
    tagged = rows.get(type_of(TaggedItem).pk, [])
    tags = Tag.objects.in_bulk({item.tag_id for item in tagged})
    for byline in bylines:
        byline.author = authors[byline.author_id]
    for item in tagged:
        item.tag = tags[item.tag_id]
    # What relink_body_photos() would link: the photos the body shows, their alt text
    # filled in from the body where they have none.
    photos = article.point_body_images_at_photos()
    alts = article.body_image_alts()
    body_photos = photos and list(Photo.objects.with_credit().filter(pk__in=[p.pk for p in photos]))
    for photo in body_photos:
        photo.alt_text = photo.alt_text or alts.get(photo.image.url, "")
    article._prefetched_objects_cache = {}
    corrections = rows.get(type_of(Correction).pk, [])
    prefetched(article, "bylines", sorted(bylines, key=attrgetter("order", "pk")))
    prefetched(article, "tagged_items", sorted(tagged, key=attrgetter("pk")))
    prefetched(article, "corrections", sorted(corrections, key=attrgetter("date", "pk")))
    prefetched(article, "body_photos", body_photos)
    for name, pks in restored.many_to_many.items():
        related = Article._meta.get_field(name).related_model
        prefetched(article, name, list(related._base_manager.filter(pk__in=pks)))
    return article


def prefetched(instance, name: str, rows: list) -> None:
    """Hand rows to instance as prefetch_related(name) would: instance.name.all() is them."""
    queryset = getattr(instance, name).all()
    queryset._result_cache, queryset._prefetch_done = rows, True
    instance._prefetched_objects_cache[name] = queryset
