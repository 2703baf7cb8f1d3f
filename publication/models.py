"""Site-wide records: sections, authors, photos with their credits, site settings."""

import datetime
import logging
import re
import unicodedata

from django.conf import settings
from django.conf.locale import LANG_INFO
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Upper
from django.templatetags.static import static
from django.urls import reverse
from django.urls.converters import SlugConverter
from django.utils import timezone
from django.utils.encoding import uri_to_iri
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.text import slugify
from procrastinate.contrib.django import app
from procrastinate.contrib.django.models import ProcrastinateJob

from publication import cdn
from publication import renditions as rendition_files
from publication.db import hold_unique_checks
from publication.images import SafeImageFormField, image_checksum
from publication.media import media_name
from publication.page_cache import ContentQuerySet
from publication.text import free_slug, same_name, stored_name

withdrawal_logger = logging.getLogger("publication.withdrawals")


class SafeImageField(models.ImageField):
    """An ImageField whose form field decodes and re-encodes the upload."""

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": SafeImageFormField, **kwargs})

    def update_dimension_fields(self, instance, force=False, *args, **kwargs):
        # Django measures the image again whenever the field is assigned (a form's save,
        # refresh_from_db), even the file the row already holds: a storage read each time
        # (a GET on S3), and an error for a withdrawn photo, whose original is elsewhere.
        file = instance.__dict__.get(self.attname)
        stored = file and getattr(file, "name", file) == getattr(instance, "_stored_image", None)
        measured = instance.__dict__.get(self.width_field) and instance.__dict__.get(
            self.height_field
        )
        if force and stored and measured:
            return
        super().update_dimension_fields(instance, force, *args, **kwargs)


class RedirectQuerySet(models.QuerySet):
    def target_for(self, path: str, *, slash_appended: bool = False) -> str | None:
        """Where a missing address has moved to, or None. An exact match wins; otherwise
        the longest old address it lies under, so an old section's feed follows it.

        slash_appended: the address lacks the trailing slash Django would add next
        (APPEND_SLASH); it is then looked up with the slash too (after itself), so a
        reader goes to the new address in one hop instead of two."""
        parts = path.rstrip("/").split("/")
        parents = ["/".join(parts[:end]) + "/" for end in range(len(parts) - 1, 1, -1)]
        exact = [path, path + "/"] if slash_appended else [path]
        redirects = {r.old_path: r for r in self.filter(old_path__in=exact + parents)}
        for candidate in exact:
            if candidate in redirects:
                return redirects[candidate].new_path
        redirect = max(
            (redirects[parent] for parent in parents if parent in redirects),
            key=lambda redirect: len(redirect.old_path),
            default=None,
        )
        if redirect is None:
            return None
        path = exact[-1]
        rest = path.removeprefix(redirect.old_path)
        # Only plain sub-paths follow: after a doubled slash ("/old//evil.example/"), a
        # redirect to "/" would answer with "//evil.example/", another site; browsers read
        # a backslash as a slash, so "/old/\\evil.example" is the same trick.
        if not redirect.new_path.endswith("/") or rest.startswith(("/", "\\")):
            return None
        # A new address under the old one ("/europe/" → "/europe/news/"): an address already
        # under the new one is where this redirect sends readers; followed again, each
        # missing page sent them one level deeper for ever ("/europe/news/news/news/…").
        if redirect.new_path.startswith(redirect.old_path) and path.startswith(redirect.new_path):
            return None
        return redirect.new_path + rest

    def leads_back(self, old_path: str, new_path: str, *, hops: int = 10) -> bool:
        """Whether readers sent from old_path to new_path would be sent round in a circle
        by the other redirects (assuming the addresses on the way show no page).

        A redirect away from new_path itself does not count: saving deletes it
        (collapse_chains). Redirects by prefix are what can still loop: "/a/" → "/b/"
        and then "/b/x/" → "/a/x/".
        """
        others = self.exclude(old_path__in=[old_path, new_path.split("?", 1)[0]])
        path = new_path
        for _ in range(hops):
            path = path.split("?", 1)[0]
            if path == old_path or (old_path.endswith("/") and path.startswith(old_path)):
                return True
            if not path.startswith("/"):
                return False  # another site
            path = others.target_for(path)
            if path is None:
                return False
        return True

    def record(self, old_path: str, new_path: str, *, automatic: bool) -> "Redirect | None":
        """Send old_path to new_path, and keep every redirect one hop long."""
        # Stored as request.path gives them: "/topic/zürich/", not "/topic/z%C3%BCrich/".
        old_path, new_path = uri_to_iri(old_path), uri_to_iri(new_path)
        if old_path == new_path:
            return None
        with transaction.atomic():
            redirect, _ = self.update_or_create(
                old_path=old_path, defaults={"new_path": new_path, "automatic": automatic}
            )
            redirect.collapse_chains()
        return redirect


class Redirect(models.Model):
    """An old address that answers 301 with a new one, once it no longer answers itself."""

    old_path = models.CharField(
        "old address",
        max_length=400,
        unique=True,
        help_text="The address readers used, starting with a slash, e.g. "
        "“/articles/old-headline/”. Addresses under it (such as its feed) move with it. "
        "Used only when the old address no longer shows a page.",
    )
    new_path = models.CharField(
        "new address",
        max_length=400,
        help_text="Where readers go instead: an address on this site such as "
        "“/articles/new-headline/”, or a full https:// address.",
    )
    automatic = models.BooleanField(
        default=False, editable=False, help_text="Made when a slug changed."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RedirectQuerySet.as_manager()

    class Meta:
        ordering = ["old_path"]

    def __str__(self):
        return f"{self.old_path} → {self.new_path}"

    def collapse_chains(self):
        """Whatever led to the old address now leads straight to the new one, and
        nothing leads away from the new address, which is live (or the editor's choice)."""
        Redirect.objects.filter(old_path=self.new_path).delete()
        pointing_here = Redirect.objects.exclude(pk=self.pk).filter(
            new_path__startswith=self.old_path
        )
        for redirect in pointing_here:
            rest = redirect.new_path.removeprefix(self.old_path)
            if rest and not self.old_path.endswith("/"):
                continue  # "/a" is not a folder of "/ab"
            redirect.new_path = self.new_path + rest
            if redirect.new_path == redirect.old_path:
                redirect.delete()
            else:
                redirect.save(update_fields=["new_path"])


# What <slug:> in the URL patterns accepts. A slug written past save() (update(), loaddata,
# an import, a data migration) with a space, slash or control character made every page
# linking the row fail to reverse its URL (a 500), so the database refuses it.
URL_SLUG = rf"^{SlugConverter.regex}$"


def slug_fits_url(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=Q(slug__regex=URL_SLUG), name=name)


def name_unique_in_any_case(name: str) -> models.UniqueConstraint:
    """No two rows whose names differ only in case (see publication.text.NAME_FIELDS)."""
    return models.UniqueConstraint(
        Upper("name"),
        name=name,
        violation_error_message="A record with this name in another case already exists.",
    )


class RedirectsWhenMoved(models.Model):
    """For models whose public address holds their slug: changing the slug of one
    readers have seen leaves a redirect from the old address."""

    # Fields remembered as loaded, to know what the address was before an edit.
    watched_fields = ("slug",)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        old_url = self.url_before_edit()
        with transaction.atomic():
            super().save(*args, **kwargs)
            if old_url:
                Redirect.objects.record(old_url, self.get_absolute_url(), automatic=True)
        self.remember_saved_values()

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance.remember_saved_values()
        return instance

    def remember_saved_values(self):
        self._saved_values = {
            name: self.__dict__[name] for name in self.watched_fields if name in self.__dict__
        }

    def url_before_edit(self) -> str | None:
        saved = getattr(self, "_saved_values", None)
        if saved is None:
            # Not loaded from the database (e.g. a revision being restored): ask it.
            saved = {}
            if self.pk is not None:
                rows = type(self)._base_manager.filter(pk=self.pk).values(*self.watched_fields)
                saved = rows.first() or {}
        if saved.get("slug") in (None, self.slug) or not self.was_public(saved):
            return None
        new_slug, self.slug = self.slug, saved["slug"]
        try:
            return self.get_absolute_url()
        finally:
            self.slug = new_slug

    def was_public(self, saved: dict) -> bool:
        """Whether readers could have seen the old address (drafts never had one)."""
        return True


class Listing(RedirectsWhenMoved):
    """A browsable list of articles ordered in the navigation by number, then name
    (sections, kinds); its page is url_name with its slug."""

    url_name: str

    objects = ContentQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["order", "name"]
        constraints = [
            slug_fits_url("%(class)s_slug_fits_url"),
            name_unique_in_any_case("%(class)s_name_unique_in_any_case"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse(self.url_name, args=[self.slug])


class Section(Listing):
    # Unique in any case (Meta): one "Europe" section, however it is typed.
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(
        default=0, help_text="Sections are listed in the navigation by this number, lowest first."
    )

    url_name = "articles:section"


NAME_MAX_LENGTH = 200
# What social networks show as a large card (renditions.SHAPES["social"]).
SOCIAL_CARD_SIZE = (1200, 630)
# Direction overrides and isolates can make a name display as something else.
BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def clean_name(typed: str) -> str:
    """A person's or organisation's name as typed, tidied; ValidationError when unusable.

    The one rule for names created from an autocomplete (authors, creators, sources).
    """
    if any(
        unicodedata.category(character) in {"Cc", "Cs"} or character in BIDI_CONTROLS
        for character in (typed or "").strip()
    ):
        raise ValidationError(
            "Names cannot contain control characters (line breaks, tabs, direction marks).",
            code="control_characters",
        )
    # As stored, so the same-name check sees what is stored: "Ana" with a zero-width
    # space is "Ana", not a second Ana.
    name = stored_name(typed or "")
    if not name:
        raise ValidationError("Type a name.", code="blank")
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError(
            "Names may be at most %(limit)s characters; this one has %(length)s.",
            code="too_long",
            params={"limit": NAME_MAX_LENGTH, "length": len(name)},
        )
    return name


class NamedQuerySet(ContentQuerySet):
    """Rows found or created by name, case-insensitively, never twice."""

    def lock_names(self) -> None:
        """Serialise, until the transaction ends, everyone adding a name to this table.

        Two editors (or a double click) creating the same name at once: the second waits,
        then finds the first one's row instead of adding another. The lock the admin's
        forms take (hold_unique_checks), so "Create …" in a box and the Add form of one
        name at once wait for each other too.
        """
        hold_unique_checks(self.model)

    def named(self, typed: str, **defaults):
        """(row, created) for a typed name: the row of that name in any case, or a new one."""
        name = clean_name(typed)
        with transaction.atomic():
            self.lock_names()
            existing = same_name(self, name)
            if existing is not None:
                return existing, False
            slug = free_slug(self.model.objects, slugify_name(name, self.model))
            return self.create(name=name, slug=slug, **defaults), True


def slugify_name(name: str, model) -> str:
    return slugify(name)[: NAME_MAX_LENGTH - 10] or model._meta.model_name


class CreatorQuerySet(NamedQuerySet):
    def for_author(self, author: "Author") -> "Creator":
        """The credit name of a writer who also made images: one person, linked once."""
        with transaction.atomic():
            self.lock_names()
            linked = self.filter(author=author).first()
            if linked is not None:
                return linked
            named = same_name(self, author.name)
            if named is None:
                slug = free_slug(Creator.objects, slugify_name(author.name, Creator))
                return self.create(name=author.name, slug=slug, author=author)
            if named.author_id is not None:
                raise ValidationError(
                    "“%(name)s” is already credited as another author's images.",
                    code="taken",
                    params={"name": named.name},
                )
            named.author = author
            named.save(update_fields=["author"])
            return named


class Creator(RedirectsWhenMoved):
    """Who made or supplied an image: a photographer, an agency, a TV channel."""

    class Kind(models.TextChoices):
        PERSON = "person", "Person"
        ORGANISATION = "organisation", "Organisation"

    # Unique in any case (Meta): a credit line names one photographer or agency.
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PERSON)
    website = models.URLField(blank=True)
    author = models.OneToOneField(
        "Author",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="creator",
        help_text="The same person as this author, for writers who also take pictures.",
    )

    objects = CreatorQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            slug_fits_url("creator_slug_fits_url"),
            name_unique_in_any_case("creator_name_unique_in_any_case"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        with transaction.atomic():
            super().save(*args, **kwargs)
            # The credit is written into the rendition files: renamed, they need new ones.
            for photo in self.photos_credited().with_credit():
                photo.request_renditions()

    def get_absolute_url(self):
        return reverse("articles:creator", args=[self.slug])

    def schema_org(self) -> dict:
        """This creator in structured data: a Person or an Organization, with its page."""
        return {
            "@type": "Person" if self.kind == self.Kind.PERSON else "Organization",
            "name": self.name,
            "url": settings.SITE_URL + self.get_absolute_url(),
        }

    def photos_credited(self):
        return Photo.objects.filter(Q(creator=self) | Q(source=self))


def license_warning_window() -> tuple[datetime.date, datetime.date]:
    """Today and the last day on which an expiring licence is flagged to editors."""
    today = timezone.localdate()
    return today, today + datetime.timedelta(days=settings.PHOTO_LICENSE_WARNING_DAYS)


def stored_size(file) -> int | None:
    """A file field's length in bytes: an upload's from memory, a stored file's from the
    storage (one request); None when the storage has no such file."""
    try:
        return file.size
    except OSError:
        return None


class PhotoQuerySet(ContentQuerySet):
    def with_credit(self):
        return self.select_related("creator", "source")

    def without_credit(self):
        return self.filter(credit_text="", creator__isnull=True, source__isnull=True)

    def license_expired(self, *, on=None):
        """Photos withdrawn from public pages on this day (today): see Photo.is_withdrawn."""
        return self.filter(license_expires_on__lt=on or timezone.localdate())

    def request_renditions(self):
        """Queue new renditions for each photo, e.g. from the admin after a failure."""
        for photo in self.with_credit():
            photo.request_renditions(force=True)

    def files_out_of_step(self, *, on=None):
        """Photos whose public files do not match whether readers may see them: withdrawn
        (licence run out) with their files still public, or shown again with files taken
        down. Licences run out by the calendar, so a periodic job sweeps these."""
        expired = Q(license_expires_on__lt=on or timezone.localdate())
        taken_down = Q(renditions_status=Photo.RenditionsStatus.WITHDRAWN)
        return self.filter((expired & ~taken_down) | (~expired & taken_down))

    def showing_file(self, name: str):
        """The photo whose original or current rendition file has this storage name."""
        if stem := rendition_files.original_stem(name):
            return self.filter(image__startswith=f"{stem}.", rendition_files__contains=[name])
        return self.filter(image=name)

    def license_expiring(self):
        return self.filter(license_expires_on__range=license_warning_window())

    def same_image(self, image):
        """The photo of this image, if the library has it: uploads are matched by checksum."""
        return self.filter(checksum=image_checksum(image))

    def library_copy(self, image) -> "Photo | None":
        """The library's photo of an uploaded image, to use instead of a second copy; None
        when it has none. ValidationError when that photo is withdrawn: handing it back
        made the new figure vanish from the page at once, with no word to the editor."""
        photo = self.same_image(image).first()
        if photo is not None and photo.is_withdrawn:
            raise ValidationError(photo.reupload_refusal(), code="withdrawn")
        return photo

    def delete(self):
        """Delete the rows, then their files (original, renditions, a withdrawn original)
        once the deletion commits: a rolled-back deletion keeps them."""
        with transaction.atomic():
            # Read under the rows' locks: a job taking the files down (or making new ones)
            # finishes first, so these are the names the rows hold as they go.
            files = list(
                Photo.objects.filter(pk__in=self.values("pk"))
                .select_for_update()
                .values_list("image", "rendition_files", "withdrawn_file")
            )
            deleted = super().delete()
            transaction.on_commit(lambda: delete_stored_files(files), robust=True)
        return deleted

    def by_url(self, urls) -> dict[str, "Photo"]:
        """{address: photo} for the addresses that show one of these photos: its original
        or any of its rendition files (current or older), in any form media_name() reads.
        One query, none when no address points into our media."""
        originals, renditions = {}, {}
        for url in set(urls):
            name = media_name(url)
            stem = rendition_files.original_stem(name) if name else None
            if stem:
                renditions[url] = (name, stem)
            elif name:
                originals[url] = name
        if not originals and not renditions:
            return {}
        query = Q(image__in=originals.values())
        for stem in {stem for _, stem in renditions.values()}:
            query |= Q(image__startswith=f"{stem}.")
        photos = list(self.filter(query))
        found = {}
        for url, name in originals.items():
            found[url] = next((photo for photo in photos if photo.image.name == name), None)
        for url, (name, stem) in renditions.items():
            # "a.jpg" and "a.png" share a stem; the file lists tell their current files apart.
            same_stem = [photo for photo in photos if photo.image.name.rsplit(".", 1)[0] == stem]
            found[url] = next(
                (photo for photo in same_stem if name in photo.rendition_files),
                same_stem[0] if same_stem else None,
            )
        return {url: photo for url, photo in found.items() if photo}


def delete_stored_files(files) -> None:
    """Delete deleted photos' files: [(image, rendition_files, withdrawn_file), ...]."""
    public, private = Photo._meta.get_field("image").storage, storages["withdrawn"]
    for image, renditions, withdrawn_file in files:
        rendition_files.delete_files(public, [image, *renditions])
        if withdrawn_file:
            private.delete(withdrawn_file)


def next_license_expiry() -> datetime.datetime | None:
    """When the next photo licence runs out: every public place withdraws a photo from the
    day after its last licensed day (Photo.is_withdrawn), so cached pages and fragments
    must end at that midnight."""
    last_day = (
        Photo.objects.filter(license_expires_on__gte=timezone.localdate())
        .order_by("license_expires_on")
        .values_list("license_expires_on", flat=True)
        .first()
    )
    return license_lapse(last_day)


def license_lapse(last_day: datetime.date | None) -> datetime.datetime | None:
    """The moment a licence whose last day this is runs out: the next midnight in the
    site's time zone (Photo.is_withdrawn from then on)."""
    if last_day is None:
        return None
    day_after = last_day + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day_after, datetime.time.min))


# The jobs (publication/tasks.py) that make a photo's renditions, and that take its files
# down at the moment its licence lapses, deferred by these names.
RENDITIONS_TASK = "publication.photo_renditions"
LAPSE_TASK = "publication.withdraw_photo_at_lapse"
# Taking a withdrawn photo's files down goes before every other job: behind a backlog of
# renditions (`make_renditions --all` on a library: hours), readers kept getting them.
WITHDRAWAL_PRIORITY = 1


class Photo(models.Model):
    """An image with everything needed to publish it: alt text, caption, credit, licence."""

    class CreditType(models.TextChoices):
        PHOTO = "photo", "Photo"
        PHOTO_ILLUSTRATION = "photo_illustration", "Photo illustration"
        FILE_PHOTO = "file_photo", "File photo"
        SCREENSHOT = "screenshot", "Screenshot"
        HANDOUT = "handout", "Handout"
        VIDEO_STILL = "video_still", "Video still"

    class RenditionsStatus(models.TextChoices):
        PENDING = "pending", "Being made"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed (retrying)"
        WITHDRAWN = "withdrawn", "Withdrawn (files taken down)"

    image = SafeImageField(
        upload_to="photos/%Y/%m/",
        width_field="width",
        height_field="height",
        help_text="JPEG, PNG, GIF or WebP. Large images are scaled down; metadata is removed.",
    )
    width = models.PositiveIntegerField(editable=False, null=True)
    height = models.PositiveIntegerField(editable=False, null=True)
    # The stored file's length, recorded when it is written: feeds state it for each
    # enclosure, and asking the storage (a request per item on S3) would cost every feed.
    image_bytes = models.PositiveBigIntegerField(editable=False, null=True)
    alt_text = models.CharField(
        max_length=300,
        help_text="What the image shows, for readers who cannot see it. Not the file name.",
    )
    caption = models.TextField(blank=True)
    creator = models.ForeignKey(
        Creator,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="photos",
        help_text="The photographer or artist.",
    )
    source = models.ForeignKey(
        Creator,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supplied_photos",
        help_text="The agency, channel or organisation the image comes from.",
    )
    credit_type = models.CharField(
        max_length=20, choices=CreditType.choices, default=CreditType.PHOTO
    )
    credit_text = models.CharField(
        max_length=300,
        blank=True,
        help_text="Overrides the credit built from creator and source, e.g. "
        "“Jane Doe (Channel 4 screenshot)” or two images credited together.",
    )
    license_url = models.URLField(
        "source or licence URL",
        blank=True,
        help_text="The licence's terms, or the page the image comes from.",
    )
    # Apart from license_url: a source page offers no licence, and search engines show an
    # image as licensable ("License this image") only where acquireLicensePage leads.
    license_page_url = models.URLField(
        "licence page",
        blank=True,
        help_text="Where others can license this image (the agency's page for it), if they "
        "can. Search engines link to it as “License this image”.",
    )
    license_reference = models.CharField("licence reference", max_length=200, blank=True)
    may_redistribute = models.BooleanField(
        default=False, help_text="May the image go into newsletters and feeds sent to others?"
    )
    license_expires_on = models.DateField(
        "licence expires on", null=True, blank=True, db_index=True
    )
    checksum = models.CharField(max_length=64, blank=True, editable=False)
    focal_x = models.FloatField(
        "focal point across",
        default=0.5,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="Where the subject is, from 0 (left edge) to 1 (right edge). "
        "Cropped versions, such as teaser cards, keep this point in view.",
    )
    focal_y = models.FloatField(
        "focal point down",
        default=0.5,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="Where the subject is, from 0 (top) to 1 (bottom).",
    )
    # Smaller copies made by a job (publication.tasks), with their srcset strings stored
    # here so a page never builds them: {"card": {"width", "height", "src", "srcset",
    # "sources": [{"type", "srcset"}]}, "full": …, "square": …, "social": …}.
    renditions = models.JSONField(default=dict, blank=True, editable=False)
    rendition_files = models.JSONField(default=list, blank=True, editable=False)
    renditions_key = models.CharField(max_length=16, blank=True, editable=False)
    renditions_status = models.CharField(
        "renditions",
        max_length=10,
        choices=RenditionsStatus.choices,
        default=RenditionsStatus.PENDING,
        editable=False,
    )
    renditions_error = models.TextField(blank=True, editable=False)
    # While withdrawn, the original sits in the "withdrawn" storage under this name (the row
    # keeps its public name, which article bodies point at, for a reinstatement).
    withdrawn_file = models.CharField(max_length=200, blank=True, editable=False)
    withdrawals = models.PositiveSmallIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PhotoQuerySet.as_manager()

    JOB_FIELDS = [
        "renditions",
        "rendition_files",
        "renditions_key",
        "renditions_status",
        "renditions_error",
        "withdrawn_file",
        "withdrawals",
    ]

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["-created_at"], name="photo_created_idx"),
            # Saving an article finds the photos its body shows by file name, or by a
            # rendition's name prefix (LIKE 'stem.%'): pattern_ops serves both.
            models.Index(
                fields=["image"], name="photo_image_idx", opclasses=["varchar_pattern_ops"]
            ),
        ]
        constraints = [
            # Uploading the same image twice (a double click) never makes a second record.
            models.UniqueConstraint(
                fields=["checksum"], condition=~Q(checksum=""), name="photo_unique_image"
            ),
            models.CheckConstraint(
                condition=Q(focal_x__gte=0, focal_x__lte=1, focal_y__gte=0, focal_y__lte=1),
                name="photo_focal_point_inside",
            ),
        ]

    def __str__(self):
        return self.alt_text or self.image.name

    def save(self, *args, **kwargs):
        self.credit_text = clean_credit_text(self.credit_text)
        if self.image and not self.image._committed:
            self.checksum = image_checksum(self.image)
        if self.image and (
            not self.image._committed
            or self.image_bytes is None
            or self.image.name != getattr(self, "_stored_image", None)
        ):
            self.image_bytes = stored_size(self.image)
        updating = not self._state.adding and not args and "update_fields" not in kwargs
        if updating:
            # The job writes these (with update()): an edit loaded before the job finished
            # must not put back what it replaced, e.g. files it has just deleted.
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name not in self.JOB_FIELDS
            ]
        replan = self.license_expires_on != getattr(self, "_saved_license", None)
        with transaction.atomic():
            super().save(*args, **kwargs)
            self._stored_image = self.image.name
            if updating:  # the row is locked now: read what the job last wrote
                self.refresh_from_db(fields=self.JOB_FIELDS)
            self.request_renditions()
            if replan:
                self.plan_withdrawal()
        self._saved_license = self.license_expires_on

    def delete(self, using=None, keep_parents=False):
        # Through the queryset, which deletes the files too once the deletion commits.
        deleted = Photo.objects.filter(pk=self.pk).delete()
        self.pk = None
        return deleted

    @classmethod
    def from_db(cls, db, field_names, values):
        photo = super().from_db(db, field_names, values)
        # Which file the row holds, so save() knows when another one was put in its place.
        photo._stored_image = photo.__dict__.get("image")
        # The licence date its withdrawal job is planned for (plan_withdrawal).
        photo._saved_license = photo.__dict__.get("license_expires_on")
        return photo

    def request_renditions(self, *, force=False):
        """Queue a job to make renditions when what they are made from has changed:
        the image, the focal point or the credit written into them. For a withdrawn
        photo, the job takes its files down instead (once)."""
        if not self.image:
            return
        if self.is_withdrawn:
            key = "withdrawn"
            done = self.renditions_status == self.RenditionsStatus.WITHDRAWN
        else:
            key = rendition_files.renditions_key(self)
            done = key == self.renditions_key
        if not force and (done or key == getattr(self, "_requested_key", None)):
            return
        if not self.is_withdrawn and self.renditions_status != self.RenditionsStatus.PENDING:
            self.renditions_status = self.RenditionsStatus.PENDING
            Photo.objects.filter(pk=self.pk).update(renditions_status=self.renditions_status)
        # By name, so models need not import the tasks module that imports them.
        first = {"priority": WITHDRAWAL_PRIORITY} if self.is_withdrawn else {}
        app.configure_task(RENDITIONS_TASK, allow_unknown=False, **first).defer(photo_id=self.pk)
        self._requested_key = key

    @property
    def lapses_at(self) -> datetime.datetime | None:
        """When readers stop seeing the photo (see license_lapse); None without a date."""
        return license_lapse(self.license_expires_on)

    def plan_withdrawal(self) -> None:
        """Queue the job that takes the files down at the very moment the licence lapses,
        in place of one planned for another date. The quarter-hourly sweep is the
        safety net (a job lost, a worker down at midnight)."""
        lock = f"photo-lapse-{self.pk}"
        planned = ProcrastinateJob.objects.filter(queueing_lock=lock, status="todo")
        for job_id in planned.values_list("id", flat=True):
            app.job_manager.cancel_job_by_id(job_id, delete_job=True)
        if self.lapses_at is not None and self.lapses_at > timezone.now():
            app.configure_task(
                LAPSE_TASK, allow_unknown=False, schedule_at=self.lapses_at, queueing_lock=lock
            ).defer(photo_id=self.pk)

    @property
    def thumbnail_url(self) -> str:
        """A small square for lists in the admin; the original until renditions exist."""
        square = self.renditions.get("square")
        return square["src"] if square else self.image.url

    def update_files(self) -> bool:
        """What the renditions job does: take the public files down while the photo is
        withdrawn, else make its renditions. False when there was nothing to do."""
        return self.withdraw_files() if self.is_withdrawn else self.make_renditions()

    def withdraw_files(self) -> bool:
        """Make a withdrawn photo unreachable by any address it had: delete its renditions
        and move the original to the withdrawn storage. Under the row's lock, so a
        reinstatement saved meanwhile waits and then finds the files where the row says.
        """
        public, private = self.image.storage, storages["withdrawn"]
        try:
            with transaction.atomic():
                current = Photo.objects.select_for_update().filter(pk=self.pk).first()
                if current is None:
                    return False  # deleted meanwhile, with its files
                taken_down = current.renditions_status == self.RenditionsStatus.WITHDRAWN
                if taken_down or not current.is_withdrawn:
                    return False
                kept = current.withdrawn_file or rendition_files.withdrawn_name(self.image.name)
                names = [current.image.name, *current.rendition_files]
                addresses = [public.url(name) for name in names]
                rendition_files.move(public, current.image.name, private, kept)
                rendition_files.delete_files(public, current.rendition_files)
                Photo.objects.filter(pk=self.pk).update(
                    renditions={},
                    rendition_files=[],
                    renditions_key="",
                    renditions_status=self.RenditionsStatus.WITHDRAWN,
                    renditions_error="",
                    withdrawn_file=kept,
                    withdrawals=current.withdrawals + 1,
                )
        except Exception as error:
            self.record_failure(error)
            raise
        # A warning, as someone must act: CDN caches keep the files until purged.
        withdrawal_logger.warning(
            "Photo %s withdrawn: its files are taken down; purge them from CDN caches: %s",
            self.pk,
            " ".join(addresses),
        )
        cdn.purge_addresses(addresses)  # when a CDN purge API is configured
        self.refresh_from_db()
        return True

    def restore_original(self) -> None:
        """Put a reinstated photo's original back at its public name (see withdraw_files)."""
        with transaction.atomic():
            current = Photo.objects.select_for_update().filter(pk=self.pk).first()
            if current is None or current.is_withdrawn or not current.withdrawn_file:
                return
            rendition_files.move(
                storages["withdrawn"], current.withdrawn_file, self.image.storage, self.image.name
            )
            Photo.objects.filter(pk=self.pk).update(withdrawn_file="")
        self.withdrawn_file = ""

    def record_failure(self, error: Exception) -> None:
        """For the admin; the job raises the error again, so it is retried."""
        Photo.objects.filter(pk=self.pk).update(
            renditions_status=self.RenditionsStatus.FAILED,
            renditions_error=f"{type(error).__name__}: {error}",
        )

    def make_renditions(self) -> bool:
        """Make this photo's rendition files unless they are current; False if they were.

        A failure is recorded for the admin and raised again, so the job is retried.
        """
        key = rendition_files.renditions_key(self)
        if key == self.renditions_key and self.renditions_status == self.RenditionsStatus.READY:
            return False
        try:
            self.restore_original()
            renditions, names = rendition_files.make_renditions(self, key=key)
        except Exception as error:
            self.record_failure(error)
            raise
        storage = self.image.storage
        with transaction.atomic():
            current = (
                Photo.objects.with_credit().select_for_update(of=("self",)).filter(pk=self.pk)
            ).first()
            if current is None:  # deleted while we worked: its files went, and these go
                transaction.on_commit(lambda: rendition_files.delete_files(storage, names))
                return False
            if current.is_withdrawn or rendition_files.renditions_key(current) != key:
                # Edited while we worked: the job queued by that edit makes the right files
                # (or takes them down).
                transaction.on_commit(
                    lambda: rendition_files.delete_files(
                        storage, [name for name in names if name not in current.rendition_files]
                    )
                )
                return False
            Photo.objects.filter(pk=self.pk).update(
                renditions=renditions,
                rendition_files=names,
                renditions_key=key,
                renditions_status=self.RenditionsStatus.READY,
                renditions_error="",
            )
        rendition_files.delete_files(
            storage, [name for name in current.rendition_files if name not in names]
        )
        self.renditions, self.rendition_files, self.renditions_key = renditions, names, key
        self.renditions_status, self.renditions_error = self.RenditionsStatus.READY, ""
        return True

    @cached_property
    def credit_names(self) -> list[Creator]:
        return [creator for creator in (self.creator, self.source) if creator]

    @property
    def credit_suffix(self) -> str:
        if self.credit_type == self.CreditType.PHOTO:
            return ""
        return self.get_credit_type_display().lower()

    @property
    def credit_label(self) -> str:
        """What kind of credit this is, for the line under the image ("image credit")."""
        if self.credit_type in {self.CreditType.SCREENSHOT, self.CreditType.VIDEO_STILL}:
            return "image credit"
        if self.credit_type == self.CreditType.PHOTO_ILLUSTRATION:
            return "illustration credit"
        return "photo credit"

    @property
    def credit(self) -> str:
        """The credit as plain text; empty when nobody is credited."""
        if self.credit_text:
            return self.credit_text
        if not self.credit_names:
            return ""
        text = " / ".join(creator.name for creator in self.credit_names)
        return f"{text} ({self.credit_suffix})" if self.credit_suffix else text

    @property
    def credit_html(self) -> str:
        """The credit with each creator linked to their page."""
        if self.credit_text or not self.credit_names:
            return format_html("{}", self.credit)
        names = format_html_join(
            " / ",
            '<a href="{}">{}</a>',
            ((creator.get_absolute_url(), creator.name) for creator in self.credit_names),
        )
        if self.credit_suffix:
            return format_html("{} ({})", names, self.credit_suffix)
        return names

    @property
    def has_credit(self) -> bool:
        return bool(self.credit)

    @property
    def copyright_notice(self) -> str:
        """ "© holder": the source (agency) if any, else the creator, else the credit as
        typed. The same notice goes into the files (renditions) and structured data."""
        holder = self.source or self.creator
        holder = holder.name if holder else self.credit_text
        return f"© {holder}" if holder else ""

    def social_image(self) -> dict:
        """The one image social cards, feeds, sitemaps and structured data point to.

        The 1200-pixel social rendition (the original until renditions exist), as an
        absolute URL with its size and alt text.
        """
        social = self.renditions.get("social")
        url = self.social_image_url(social and social["src"], self.image.name)
        width, height = (social["width"], social["height"]) if social else (self.width, self.height)
        return {"url": url, "width": width, "height": height, "alt": self.alt_text}

    @classmethod
    def social_image_url(cls, social_src: str | None, image_name: str) -> str:
        """social_image()'s URL from the social rendition's src (None until it exists)
        and the original's name: for long lists (sitemaps) that read just these two
        rather than each photo's whole renditions record (~4 KB of JSON)."""
        url = social_src or cls._meta.get_field("image").storage.url(image_name)
        if not url.startswith(("http://", "https://")):
            url = settings.SITE_URL + url
        return url

    def social_image_bytes(self) -> int | None:
        """The length of social_image()'s file, recorded when it was written (None if it
        was missing from storage then): feeds state it with no storage request."""
        social = self.renditions.get("social")
        return social.get("bytes") if social else self.image_bytes

    def image_object(self) -> dict:
        """schema.org ImageObject carrying the credit record: who made it, how to license it."""
        image = self.social_image()
        data = {
            "@type": "ImageObject",
            "contentUrl": image["url"],
            "url": image["url"],
            "width": image["width"],
            "height": image["height"],
        }
        if self.caption or self.alt_text:
            data["caption"] = self.caption or self.alt_text
        if self.credit:
            data["creditText"] = self.credit
        if self.copyright_notice:
            data["copyrightNotice"] = self.copyright_notice
        # Who made it: the photographer (schema.org and Google: "usually the photographer"),
        # else the source (a channel's screenshot, a press office's handout); the source
        # holds the copyright, as copyright_notice says.
        if maker := self.creator or self.source:
            data["creator"] = maker.schema_org()
        if holder := self.source or self.creator:
            data["copyrightHolder"] = holder.schema_org()
        if self.license_url:
            data["license"] = self.license_url
        if self.license_page_url:
            data["acquireLicensePage"] = self.license_page_url
        return data

    def social_card_problems(self) -> list[str]:
        """Why this photo cannot be a large social card (the default share image), if so.

        Networks show a large card for 1200 × 630 (1.91:1); the social rendition is cut
        from the photo at that shape and never enlarged, so a smaller or upright photo
        gives a small or blurred card, or most of the picture cut away.
        """
        problems = []
        width, height = self.width or 0, self.height or 0
        card_width, card_height = SOCIAL_CARD_SIZE
        if width < card_width or height < card_height:
            problems.append(
                f"The image is {width} × {height} pixels; a share image needs at least "
                f"{card_width:,} × {card_height} so networks show it as a large card."
            )
        elif width <= height:
            problems.append(
                f"The image is upright ({width} × {height}); a share image must be landscape, "
                "or a 1.91:1 card cuts most of it away."
            )
        if self.is_withdrawn:
            problems.append(
                f"Its licence expired on {self.license_last_day}; "
                "choose an image we may still show."
            )
        if not self.alt_text.strip():
            problems.append("It needs alt text: networks read it to people who cannot see it.")
        return problems

    @staticmethod
    def license_lapsed(expires_on: datetime.date | None, *, on=None) -> bool:
        """The one rule for showing a photo to readers: it is withdrawn from the day after
        its licence's last day (`on` defaults to today). PhotoQuerySet.license_expired() is
        the same rule in SQL; this form serves rows already loaded, or just the date read
        beside an article (the image sitemap)."""
        return expires_on is not None and expires_on < (on or timezone.localdate())

    @property
    def is_withdrawn(self) -> bool:
        """Readers may no longer see the photo: its licence has expired. Every public place
        (pages, cards, share images, structured data, sitemaps, feeds) leaves it out."""
        return self.license_lapsed(self.license_expires_on)

    def withdrawn_on(self, moment: datetime.datetime) -> bool:
        """Whether the photo will be withdrawn at this moment (a scheduled publish time)."""
        return self.license_lapsed(self.license_expires_on, on=timezone.localdate(moment))

    @property
    def license_note(self) -> str:
        """For editors: "withdrawn: its licence expired on …", or "withdrawn after …" while
        it expires within PHOTO_LICENSE_WARNING_DAYS; "" otherwise."""
        status = self.license_status
        if not status:
            return ""
        if status == "expired":
            return f"withdrawn: its licence expired on {self.license_last_day}"
        return f"withdrawn after {self.license_last_day}, when its licence runs out"

    def reupload_refusal(self) -> str:
        """Why an upload of this withdrawn photo's image is refused, and what to do."""
        return (
            f"This image is already in the library as “{self}” (photo {self.pk}), "
            f"{self.license_note}. If its licence was renewed, enter the new end date on "
            "that photo and use it again; otherwise choose another image."
        )

    @property
    def license_last_day(self) -> str:
        """The licence's last day as editors read it ("14 January 2027"); "" without one."""
        return date_format(self.license_expires_on, "j F Y") if self.license_expires_on else ""

    @property
    def license_status(self) -> str:
        if not self.license_expires_on:
            return ""
        today, last_warned = license_warning_window()
        if self.license_lapsed(self.license_expires_on, on=today):
            return "expired"
        if self.license_expires_on <= last_warned:
            return "expiring"
        return ""


def replan_withdrawals(sender, pks, fields, **kwargs) -> None:
    """Licence dates written by update() or bulk_update() (an import, a script) get what
    Photo.save() gives them: the job for the new lapse, and the files taken down now when
    the date has passed (or put back when it was renewed). Left to the quarter-hourly sweep,
    files stayed public up to 15 minutes. Raw SQL and fixtures still rely on the sweep."""
    for photo in Photo.objects.filter(pk__in=pks):
        photo.plan_withdrawal()
        photo.request_renditions()


def shown(photo: Photo | None) -> Photo | None:
    """The photo if readers may see it today, else None (see Photo.is_withdrawn)."""
    return photo if photo is not None and not photo.is_withdrawn else None


# Only a label followed by a colon: "Credit Suisse" is a name, not a label.
CREDIT_LABEL = re.compile(
    r"^\s*(?:(?:top\s+)?(?:photo|image|illustration)\s+)?credit\s*:[\s:]*", re.IGNORECASE
)


def clean_credit_text(text: str) -> str:
    """Drop pasted labels ("Top image credit:") and stray colons, so labels never double."""
    text = (text or "").strip()
    # Pasted twice, as in "Photo credit: Top image credit: …".
    while (stripped := CREDIT_LABEL.sub("", text)) != text:
        text = stripped
    # Colons and spaces mixed, as in "Photo credit: : Jane Doe".
    return text.lstrip(": \t\r\n").strip()


class Author(RedirectsWhenMoved):
    """A person who writes for the magazine; not a login account."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    bio = models.TextField("short bio", blank=True)
    photo = models.ForeignKey(
        Photo, on_delete=models.SET_NULL, null=True, blank=True, related_name="portrait_of"
    )

    objects = NamedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [slug_fits_url("author_slug_fits_url")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:author", args=[self.slug])

    @property
    def portrait(self) -> Photo | None:
        """The photo readers see on the author's page: none once its licence has expired."""
        return shown(self.photo)


class Link(models.Model):
    """A web address in a list editors order: an author's profiles, the site's accounts.

    The text field keeps its name in each table (an author link's `label`, a social
    link's `name`), so the base adds no migration.
    """

    url = models.URLField()
    order = models.PositiveSmallIntegerField(default=0)

    objects = ContentQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["order", "pk"]


class AuthorLink(Link):
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="links")
    label = models.CharField(max_length=50, help_text="E.g. “Website”, “Mastodon”, “Bluesky”.")

    def __str__(self):
        return self.label


# A language subtag (ISO 639, as Google News asks), optionally a region: "en", "pt-br".
LANGUAGE_TAG = re.compile(r"([a-z]{2,3})(?:-([a-z]{2}))?", re.IGNORECASE)
# Google News takes the bare language, except Chinese: zh-cn (Simplified), zh-tw (Traditional).
TRADITIONAL_CHINESE_REGIONS = {"tw", "hk", "mo"}


def default_language() -> str:
    """LANGUAGE_CODE, with Django's script subtags for Chinese as regions (zh-hant: zh-tw)."""
    code = settings.LANGUAGE_CODE.lower()
    code = {"zh-hans": "zh-cn", "zh-hant": "zh-tw"}.get(code, code)
    return code if LANGUAGE_TAG.fullmatch(code) else code.split("-")[0]


def validate_language(value: str) -> None:
    match = LANGUAGE_TAG.fullmatch(value)
    if not match or match[1].lower() not in {code.split("-")[0] for code in LANG_INFO}:
        raise ValidationError(
            "Use a language code, optionally with a region: e.g. “en”, “de”, “pt-br”, “zh-cn”.",
            code="invalid_language",
        )


class SiteSettings(models.Model):
    """The single row of publication-wide settings editors can change."""

    name = models.CharField("publication name", max_length=100, default="The Meridian")
    tagline = models.CharField(max_length=200, blank=True)
    newsletter_blurb = models.TextField(blank=True)
    language = models.CharField(
        max_length=6,
        default=default_language,
        validators=[validate_language],
        help_text="The language the magazine is written in, for browsers, social networks and "
        "Google News: e.g. “en”, “en-gb”, “de”, “zh-cn”.",
    )
    share_photo = models.ForeignKey(
        "Photo",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="default share image",
        help_text="Shown when a page is shared and has no picture of its own (e.g. the home "
        "page before any article has a lead photo). Landscape, at least 1,200 pixels wide.",
    )
    nav_topics = models.ManyToManyField(
        "taggit.Tag",
        blank=True,
        related_name="+",
        help_text="Running topics shown in the site navigation.",
    )

    objects = ContentQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "site settings"
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="site_settings_single_row")]

    def __str__(self):
        return "Site settings"

    def save(self, *args, **kwargs):
        self.pk = 1
        self.language = self.language.lower()
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> "SiteSettings":
        settings_row = cls.objects.select_related("share_photo")
        try:
            # A read first: get_or_create() reads where writes go (the primary), and the
            # router then keeps the rest of the request there (publication.routers).
            return settings_row.get(pk=1)
        except cls.DoesNotExist:
            return settings_row.get_or_create(pk=1)[0]

    @property
    def news_language(self) -> str:
        """The language as the Google News sitemap names it."""
        language, region = self.language.lower().partition("-")[::2]
        if language == "zh":
            return "zh-tw" if region in TRADITIONAL_CHINESE_REGIONS else "zh-cn"
        return language

    @property
    def og_locale(self) -> str:
        """OpenGraph's language_TERRITORY (e.g. en_GB), or "" without a region."""
        language, region = self.language.lower().partition("-")[::2]
        return f"{language}_{region.upper()}" if region else ""

    def clean(self):
        super().clean()
        if self.share_photo_id and (problems := self.share_photo.social_card_problems()):
            raise ValidationError({"share_photo": problems})

    @property
    def share_image(self) -> dict | None:
        """The image a page without a picture of its own is shared with (Photo.social_image),
        unless its licence has run out since it was chosen (pages end at that midnight)."""
        photo = shown(self.share_photo)
        return photo.social_image() if photo else None

    @property
    def logo_image(self) -> dict:
        """The magazine's logo (static/img/logo.png, 512 × 512) as structured data's publisher
        logo and as the image of a page shared without any other: a small square card
        ("summary"), where networks otherwise show no picture or one they guess from the page."""
        return {
            "url": settings.SITE_URL + static("img/logo.png"),
            "width": 512,
            "height": 512,
            "alt": f"{self.name} logo",
            "card": "summary",
        }

    @classmethod
    def for_pages(cls) -> "SiteSettings":
        """The settings with the page chrome (navigation topics, social links) prefetched,
        so a page's queries are set here and templates never query."""
        site = cls.load()
        models.prefetch_related_objects([site], "nav_topics", "social_links")
        return site


class SocialLink(Link):
    site = models.ForeignKey(SiteSettings, on_delete=models.CASCADE, related_name="social_links")
    name = models.CharField(max_length=50, help_text="E.g. “Bluesky”, “Mastodon”, “YouTube”.")

    def __str__(self):
        return self.name
