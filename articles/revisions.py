"""What each saved revision of an article held, and what changed between two of them."""

import difflib
import html
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


def deleted_links(row) -> list:
    """The foreign keys of a row from a revision that point at rows deleted since. Foreign
    keys are checked when the transaction commits, so saving such a row would fail the whole
    restore there, not where it could be skipped."""
    return [
        key
        for key in row._meta.concrete_fields
        if key.many_to_one
        and getattr(row, key.attname) is not None
        and not key.related_model._base_manager.filter(pk=getattr(row, key.attname)).exists()
    ]


def restore_article_row(version: Version, current: Article | None):
    """Revert the article's own row: a section, kind or lead photo deleted since keeps the
    article's current one, and deleted rows drop out of its many-to-many lists."""
    saved = version._object_version  # what reversion's Version.revert() saves
    for key in deleted_links(saved.object):
        setattr(saved.object, key.attname, getattr(current, key.attname, None))
    for name, pks in saved.m2m_data.items():
        related = Article._meta.get_field(name).related_model._base_manager
        saved.m2m_data[name] = list(related.filter(pk__in=pks).values_list("pk", flat=True))
    saved.save(using=version.db)


def kept_photo_version(revision, photo_pk) -> Version | None:
    """The photo's in-place fields (alt text, caption, credit) as a revision kept them."""
    if photo_pk is None:
        return None
    return revision.version_set.filter(
        content_type=ContentType.objects.get_for_model(Photo), object_id=str(photo_pk)
    ).first()


def photo_restored_by(version: Version) -> Photo | None:
    """The photo whose alt text, caption and credit restoring this article version writes
    back (restore_lead_photo_text): its lead photo, when the revision kept its fields."""
    photo_pk = version.field_dict["lead_photo_id"]
    if kept_photo_version(version.revision, photo_pk) is None:
        return None
    return Photo.objects.filter(pk=photo_pk).first()


def restore_lead_photo_text(revision, article_pk: int):
    """The restored lead photo's alt text, caption and credit as the revision kept them.

    The article form edits them in place, so restoring the article's text brings them back
    too, in the form and (once Restore is pressed) on the photo, as a save of the form would
    write them. Only the in-place fields: the image, focal point and licence are the photo's
    own. A creator or source deleted since stays as it is now. (A plain update: the
    article's save on Restore ends cached pages, and a mere look at the old version must not.)
    """
    photo_pk = Article.objects.filter(pk=article_pk).values_list("lead_photo_id", flat=True)
    kept = kept_photo_version(revision, photo_pk.first())
    if kept is None:
        return  # saved before revisions kept the photo, or a version without one
    row = kept._object_version.object
    gone = {key.attname for key in deleted_links(row)}
    attnames = [Photo._meta.get_field(name).attname for name in LEAD_PHOTO_TEXT_FIELDS]
    fields = {name: getattr(row, name) for name in attnames if name not in gone}
    Photo._base_manager.filter(pk=row.pk).update(**fields)


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


def revert_one_article(revision, article_pk: int, delete: bool = False):
    """Revision.revert() for one article and its bylines, topics and corrections only.

    A bulk action ("Publish now", "Unpublish") keeps every article it touched in one
    revision; reverting all of it to restore one article would silently take the others
    back to their text and status of that moment.
    """
    versions = article_rows(revision, article_pk)
    with transaction.atomic():
        article = Article.objects.filter(pk=article_pk).first()
        if delete:
            # Rows added to the article since the revision go, as reversion's revert does.
            kept = {(version.content_type_id, version.object_id) for version in versions}
            for row in _follow_relations_recursive(article) if article else ():
                key = (ContentType.objects.get_for_model(row).pk, str(row.pk))
                if row is not article and key not in kept:
                    row.delete()
        own, *followers = versions
        restore_article_row(own, article)
        restore_lead_photo_text(revision, article_pk)
        for version in followers:
            row = version._object_version
            if deleted_links(row.object):
                continue  # e.g. a byline whose author, or a topic row whose topic, is gone
            try:
                with transaction.atomic():
                    row.save(using=version.db)
            except (IntegrityError, ObjectDoesNotExist):
                continue  # e.g. a byline for an author the article has again since
        # Reverting writes the row past save(), and body photos are no part of a version:
        # link the photos the restored body shows (the share page draws their credits).
        Article.relink_body_photos(Article.objects.filter(pk=article_pk))


def article_as_saved(revision, article_pk: int) -> Article | None:
    """The article as the revision held it, with what its page shows (bylines, topics,
    corrections, the lead photo's text, the body's photos), built in memory: what
    revert_one_article() would write, read instead. None when the article is gone.

    A share link's page reverted the article in a transaction it rolled back; the row locks
    of that revert made simultaneous opens of links to one article wait for each other's
    page to render (30 at once took 9.7 s), and an editor's save wait for them.
    """
    own, *followers = article_rows(revision, article_pk)
    # The rows its page joins (kind, section, lead photo and credit); the rows it
    # prefetches are the revision's.
    current = Article.objects.for_page().prefetch_related(None).filter(pk=article_pk).first()
    if current is None:
        return None
    article = own._object_version.object
    # As restore_article_row(): a row deleted since keeps the article's current one.
    for key in deleted_links(article):
        setattr(article, key.attname, getattr(current, key.attname))
    article._state.adding, article._state.db = False, current._state.db
    for name in ("kind", "section", "lead_photo"):  # the others are read when first used
        if getattr(article, f"{name}_id") == getattr(current, f"{name}_id"):
            setattr(article, name, getattr(current, name))
    if article.lead_photo_id != current.lead_photo_id and article.lead_photo_id is not None:
        # None if deleted since the check above: the page shows no lead photo, never a 500.
        article.lead_photo = Photo.objects.with_credit().filter(pk=article.lead_photo_id).first()
    kept = kept_photo_version(revision, article.lead_photo_id)
    if article.lead_photo is not None and kept is not None:
        # As restore_lead_photo_text(): the text the article form edits in place.
        row = kept._object_version.object
        gone = {key.attname for key in deleted_links(row)}
        for name in LEAD_PHOTO_TEXT_FIELDS:
            attname = Photo._meta.get_field(name).attname
            if attname not in gone:
                setattr(article.lead_photo, attname, getattr(row, attname))
    rows = {}
    for version in followers:
        rows.setdefault(version.content_type_id, []).append(version._object_version.object)
    type_of = ContentType.objects.get_for_model
    bylines = rows.get(type_of(Byline).pk, [])
    authors = Author.objects.in_bulk({byline.author_id for byline in bylines})
    tagged = rows.get(type_of(TaggedItem).pk, [])
    tags = Tag.objects.in_bulk({item.tag_id for item in tagged})
    # Rows pointing at an author or topic deleted since are left out, as a revert skips them.
    bylines = [byline for byline in bylines if byline.author_id in authors]
    for byline in bylines:
        byline.author = authors[byline.author_id]
    tagged = [item for item in tagged if item.tag_id in tags]
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
    return article


def prefetched(instance, name: str, rows: list) -> None:
    """Hand rows to instance as prefetch_related(name) would: instance.name.all() is them."""
    queryset = getattr(instance, name).all()
    queryset._result_cache, queryset._prefetch_done = rows, True
    instance._prefetched_objects_cache[name] = queryset
