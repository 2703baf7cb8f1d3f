"""Save the demo magazine described in `content`; running it again changes nothing.

`make run` runs it every time, so it finds the records it made by what editors leave alone
or what records their edits: a slug, and after a change of slug the redirect from the old
address (`find`); a photo by its alt text, and after a reworded one by its image (the drawing
gives the same bytes each time). Drafts and scheduled articles leave no redirect: one whose
slug was changed is made again.
"""

import datetime
import re
from collections import Counter

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.html import escape
from taggit.models import Tag

from articles.demo import content
from articles.demo.drawing import draw_scene
from articles.models import Article, Byline, Kind
from publication.images import image_checksum, sanitize_image
from publication.models import (
    Author,
    AuthorLink,
    Creator,
    Photo,
    Redirect,
    Section,
    SiteSettings,
    SocialLink,
)
from publication.text import paragraphs

FIGURE = re.compile(r"\[\[figure:(\w+)\|(.*)\]\]", re.DOTALL)


def find(model, slug):
    """The row of model (one with a page at its slug) the demo made with slug, also after an
    editor changed its slug: through the redirect the change left (one hop: chains collapse)."""
    if row := model.objects.filter(slug=slug).first():
        return row
    old_address = model(slug=slug).get_absolute_url()
    new_address = Redirect.objects.target_for(old_address)
    try:
        match = resolve(new_address or "")
    except Resolver404:
        return None
    if match.view_name != resolve(old_address).view_name:
        return None  # an editor's redirect to another kind of page: not this row
    return model.objects.filter(slug=match.kwargs["slug"]).first()


class DemoLoader:
    """Creates what is missing and counts it: `created` and `filled` per model."""

    def __init__(self):
        self.now = timezone.now().replace(second=0, microsecond=0)
        self.created = Counter()
        self.filled = Counter()
        self.photos = {}
        self.new_files = []
        self.logins_created = {}

    def load(self):
        try:
            with transaction.atomic():
                self.load_all()
        except BaseException:
            # The rows were rolled back; don't leave their image files behind.
            for name in self.new_files:
                default_storage.delete(name)
            raise

    def load_all(self):
        self.load_site()
        self.sections = {spec["slug"]: self.load_section(spec) for spec in content.SECTIONS}
        self.kinds = {
            slug: self.get_or_create(Kind, slug=slug, defaults={"name": name, "order": order})
            for order, (slug, name) in enumerate(content.KINDS, start=1)
        }
        self.creators = {spec["slug"]: self.load_creator(spec) for spec in content.CREATORS}
        self.authors = {spec["slug"]: self.load_author(spec) for spec in content.AUTHORS}
        for spec in content.CREATORS:
            self.link_creator(spec)
        for spec in content.ARTICLES:
            self.load_article(spec)
        self.load_users()

    def get_or_create(self, model, defaults=None, **lookup):
        """Get (by slug, `find`) or create a row; in an existing one, fill in only the text
        fields left blank."""
        if "slug" in lookup:
            instance = find(model, lookup["slug"])
        else:
            instance = model.objects.filter(**lookup).first()
        if instance is None:
            self.created[model] += 1
            return model.objects.create(**lookup, **(defaults or {}))
        blank = [
            field
            for field, value in (defaults or {}).items()
            if isinstance(value, str) and value and not getattr(instance, field)
        ]
        if blank:
            for field in blank:
                setattr(instance, field, defaults[field])
            instance.save(update_fields=blank)
            self.filled[model] += 1
        return instance

    def load_site(self):
        site = SiteSettings.load()
        # Fill in what is blank; an editor's changes to the settings stay.
        blank = [
            field for field in ("name", "tagline", "newsletter_blurb") if not getattr(site, field)
        ]
        if blank:
            for field in blank:
                setattr(site, field, content.SITE[field])
            site.save(update_fields=blank)
            self.filled[SiteSettings] += 1
        if not site.social_links.exists():
            for order, (name, url) in enumerate(content.SOCIAL_LINKS):
                site.social_links.create(name=name, url=url, order=order)
                self.created[SocialLink] += 1
        if not site.nav_topics.exists():
            site.nav_topics.set(self.tag(name) for name in content.SITE["nav_topics"])

    def tag(self, name):
        # Taggit matches tag names case-insensitively here (TAGGIT_CASE_INSENSITIVE).
        tag = Tag.objects.filter(name__iexact=name).first()
        return tag or self.get_or_create(Tag, name=name)

    def load_section(self, spec):
        order = content.SECTIONS.index(spec) + 1
        defaults = {"name": spec["name"], "description": spec["description"], "order": order}
        return self.get_or_create(Section, slug=spec["slug"], defaults=defaults)

    def load_creator(self, spec):
        defaults = {
            "name": spec["name"],
            "kind": spec["kind"],
            "website": spec.get("website", ""),
        }
        return self.get_or_create(Creator, slug=spec["slug"], defaults=defaults)

    def link_creator(self, spec):
        """A photographer who also writes is one person: the credit points at the author
        (also in a database loaded before the link was in the demo)."""
        creator, author = self.creators[spec["slug"]], self.authors.get(spec.get("author"))
        if (
            author
            and creator.author_id is None
            and not Creator.objects.filter(author=author).exists()
        ):
            creator.author = author
            creator.save(update_fields=["author"])

    def load_author(self, spec):
        author = find(Author, spec["slug"])
        if author:
            return author
        author = Author.objects.create(
            slug=spec["slug"],
            name=spec["name"],
            bio=spec["bio"],
            photo=self.photo(spec["photo"]) if spec.get("photo") else None,
        )
        for order, (label, url) in enumerate(spec.get("links", [])):
            author.links.create(label=label, url=url, order=order)
            self.created[AuthorLink] += 1
        self.created[Author] += 1
        return author

    def photo(self, key):
        """The photo for a key in PHOTOS, drawing its image only if it does not exist yet."""
        if key in self.photos:
            return self.photos[key]
        spec = content.PHOTOS[key]
        photo = Photo.objects.filter(alt_text=spec["alt_text"]).first()
        if photo is None:  # not made yet, or an editor reworded its alt text
            image = sanitize_image(
                SimpleUploadedFile(f"{key}.jpg", draw_scene(key, spec), "image/jpeg")
            )
            photo = Photo.objects.filter(checksum=image_checksum(image)).first()
        if photo is None:
            expires_in = spec.get("license_expires_in_days")
            photo = Photo.objects.create(
                image=image,
                alt_text=spec["alt_text"],
                caption=spec.get("caption", ""),
                creator=self.creators.get(spec.get("creator")),
                source=self.creators.get(spec.get("source")),
                credit_type=spec.get("credit_type", Photo.CreditType.PHOTO),
                credit_text=spec.get("credit_text", ""),
                license_url=spec.get("license_url", ""),
                license_page_url=spec.get("license_page_url", ""),
                license_reference=spec.get("license_reference", ""),
                may_redistribute=spec.get("may_redistribute", False),
                license_expires_on=(
                    None
                    if expires_in is None
                    else timezone.localdate() + datetime.timedelta(days=expires_in)
                ),
            )
            self.created[Photo] += 1
            self.new_files.append(photo.image.name)
        self.photos[key] = photo
        return photo

    def load_article(self, spec):
        if find(Article, spec["slug"]):
            return
        status = spec.get("status", Article.Status.PUBLISHED)
        if status == Article.Status.DRAFT:
            published_at = None
        elif "scheduled_in_days" in spec:
            published_at = self.now + datetime.timedelta(days=spec["scheduled_in_days"])
        else:
            days, hours, minutes = spec["age"]
            published_at = self.now - datetime.timedelta(days=days, hours=hours, minutes=minutes)
        article = Article.objects.create(
            slug=spec["slug"],
            headline=spec["headline"],
            seo_title=spec.get("seo_title", ""),
            dek=spec["dek"],
            kind=self.kinds[spec["kind"]],
            section=self.sections[spec["section"]],
            lead_photo=self.photo(spec["lead_photo"]) if spec.get("lead_photo") else None,
            body=self.body_html(spec["body"]),
            teaser="\n\n".join(
                " ".join(paragraph.split()) for paragraph in paragraphs(spec.get("teaser", ""))
            ),
            status=status,
            published_at=published_at,
            featured=spec.get("featured", False),
        )
        article.other_sections.set(self.sections[slug] for slug in spec.get("other_sections", []))
        article.tags.set(spec["tags"])
        Byline.objects.bulk_create(
            Byline(article=article, author=self.authors[slug], role=role, order=order)
            for order, (slug, role) in enumerate(spec["bylines"])
        )
        self.created[Article] += 1

    def body_html(self, text):
        """Turn the notation described in `content` into the HTML CKEditor 5 writes."""
        blocks = []
        for block in paragraphs(text):
            block = " ".join(block.split())
            if figure := FIGURE.fullmatch(block):
                photo = self.photo(figure[1])
                blocks.append(
                    f'<figure class="image"><img src="{photo.image.url}" '
                    f'alt="{escape(photo.alt_text)}"><figcaption>{figure[2]}</figcaption></figure>'
                )
            elif block.startswith("## "):
                blocks.append(f"<h2>{block[3:]}</h2>")
            elif block.startswith("> "):
                blocks.append(f"<blockquote><p>{block[2:]}</p></blockquote>")
            else:
                blocks.append(f"<p>{block}</p>")
        return "".join(blocks)

    def load_users(self):
        """The demo logins, only in development: known passwords are for a local demo."""
        if not settings.DEBUG:
            return
        User = get_user_model()
        self.logins_created["editor"] = not User.objects.filter(username="editor").exists()
        if self.logins_created["editor"]:
            editor = User.objects.create_user("editor", password="editor", is_staff=True)
            editor.groups.add(Group.objects.get(name="Editors"))
        self.logins_created["admin"] = not User.objects.filter(username="admin").exists()
        if self.logins_created["admin"]:
            User.objects.create_superuser("admin", password="admin")
