"""Small helpers that build the records tests need; every default can be overridden."""

import contextlib
import datetime
import functools
import io
import itertools
import shutil
import struct
import tempfile
import threading
import zlib
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.contrib.auth.models import Group, Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client, TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image

from articles.models import Article, Byline, Kind, ShareLink
from publication.models import Author, Creator, Photo, Section, SiteSettings, SocialLink

_numbers = itertools.count(1)

BODY = (
    "<p>Opening paragraph of the piece.</p>"
    "<p>Second paragraph, with <em>emphasis</em>.</p>"
    "<p>Third paragraph closes the argument.</p>"
    "<p>Fourth paragraph, never in the teaser.</p>"
)


@contextlib.contextmanager
def clock_at(moment):
    """The site's clocks at moment: Django's now() and the one the page cache's versions
    and lifetimes are counted on."""
    with (
        mock.patch("django.utils.timezone.now", return_value=moment),
        mock.patch("publication.page_cache.time.time", return_value=moment.timestamp()),
    ):
        yield


def next_midnight():
    """The start of tomorrow, in the site's time zone: when a licence of today runs out."""
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time.min))


def make_section(name="Europe", **overrides):
    section, _ = Section.objects.get_or_create(
        slug=overrides.pop("slug", slugify(name)), defaults={"name": name, **overrides}
    )
    return section


def make_kind(name="Analysis", **overrides):
    kind, _ = Kind.objects.get_or_create(
        slug=overrides.pop("slug", slugify(name)), defaults={"name": name, **overrides}
    )
    return kind


def make_author(name=None, **overrides):
    name = name or f"Author {next(_numbers)}"
    return Author.objects.create(name=name, slug=overrides.pop("slug", slugify(name)), **overrides)


def make_creator(name=None, **overrides):
    name = name or f"Creator {next(_numbers)}"
    return Creator.objects.create(name=name, slug=overrides.pop("slug", slugify(name)), **overrides)


def make_photo(**overrides):
    """A Photo with a real (tiny) image file; use it inside a TemporaryMediaTestCase."""
    media_root = Path(settings.MEDIA_ROOT).resolve()
    if not media_root.is_relative_to(Path(tempfile.gettempdir()).resolve()):
        raise RuntimeError("make_photo() writes files: use TemporaryMediaTestCase.")
    number = next(_numbers)
    fields = {
        # A different colour each time: the library refuses the same image twice.
        # PNG keeps the colours exact, so no two photos have the same bytes.
        "image": SimpleUploadedFile(
            f"photo-{number}.png",
            image_bytes("PNG", size=(12, 8), color=(number % 256, number // 256 % 256, 90)),
        ),
        "alt_text": f"Photo number {number}",
        **overrides,
    }
    return Photo.objects.create(**fields)


def make_article(*, authors=(), tags=(), **overrides):
    """A live article unless overridden; authors are Authors or (Author, role) pairs."""
    number = next(_numbers)
    fields = {
        "headline": f"Article {number}: can the alliance hold together?",
        "dek": f"Dek of article {number}.",
        "kind": overrides.pop("kind", None) or make_kind(),
        "section": overrides.pop("section", None) or make_section(),
        "status": Article.Status.PUBLISHED,
        "body": BODY,
        **overrides,
    }
    article = Article.objects.create(**fields)
    for order, author in enumerate(authors):
        author, role = author if isinstance(author, tuple) else (author, Byline.Role.BY)
        Byline.objects.create(article=article, author=author, role=role, order=order)
    if tags:
        article.tags.add(*tags)
    return article


def listing_urls(article, author) -> list[str]:
    """The home page, the article's page and each listing that shows it: its section,
    kind, topics and the author's page."""
    return [
        "/",
        article.get_absolute_url(),
        article.section.get_absolute_url(),
        article.kind.get_absolute_url(),
        *(reverse("articles:tag", args=[topic.slug]) for topic in article.topics),
        author.get_absolute_url(),
    ]


def make_share_link(article, *, days=3, **overrides):
    return ShareLink.objects.create(
        article=article, expires_at=ShareLink.expiry_after(days), **overrides
    )


def tampered(token):
    """The token with its last character changed, as a guessing reader would."""
    return token[:-1] + ("B" if token[-1] == "A" else "A")


def make_site(**overrides):
    """The site settings row (with a social link), so pages don't create it mid-request."""
    site = SiteSettings.load()
    for name, value in {"name": "The Meridian", **overrides}.items():
        setattr(site, name, value)
    site.save()
    SocialLink.objects.get_or_create(
        site=site, name="Bluesky", defaults={"url": "https://bsky.app/profile/meridian.example"}
    )
    return site


def make_user(username=None, *, groups=(), perms=(), **overrides):
    """A user without a usable password: tests log in with force_login."""
    user = User.objects.create_user(username or f"user{next(_numbers)}", **overrides)
    user.groups.add(*(Group.objects.get(name=name) for name in groups))
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return user


def make_editor(username=None):
    return make_user(username, is_staff=True, groups=["Editors"])


# Images, made in memory with Pillow.


def image_bytes(image_format="JPEG", *, size=(8, 6), color="teal", **save_options):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, image_format, **save_options)
    return buffer.getvalue()


def image_upload(name="holiday-snap.jpg", content=None, content_type="image/jpeg"):
    return SimpleUploadedFile(name, image_bytes() if content is None else content, content_type)


def exif_jpeg_bytes(*, camera="SecretCam 3000", size=(8, 6)):
    exif = Image.Exif()
    exif[0x010F] = camera  # Make
    exif[0x013B] = "Jane Photographer"  # Artist
    return image_bytes("JPEG", size=size, exif=exif.tobytes())


def mpo_bytes():
    """A multi-picture JPEG, as some cameras write: two pictures in one file."""
    buffer = io.BytesIO()
    first, second = Image.new("RGB", (8, 6), "teal"), Image.new("RGB", (8, 6), "red")
    first.save(buffer, "MPO", save_all=True, append_images=[second])
    return buffer.getvalue()


def rotated_jpeg_bytes():
    """An 8×6 JPEG whose EXIF says "rotate 90° to display", as phones write them."""
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise
    return image_bytes("JPEG", size=(8, 6), exif=exif.tobytes())


def truncated_jpeg_bytes():
    buffer = io.BytesIO()
    Image.effect_noise((64, 64), 60).convert("RGB").save(buffer, "JPEG")
    data = buffer.getvalue()
    return data[: len(data) // 2]


def png_bomb_bytes(width=20_000, height=20_000):
    """A tiny PNG whose header declares width×height pixels."""
    data = bytearray(image_bytes("PNG", size=(1, 1)))
    # Signature (8 bytes), IHDR length (4) and type (4), then width and height.
    struct.pack_into(">II", data, 16, width, height)
    crc = zlib.crc32(bytes(data[12:29]))
    struct.pack_into(">I", data, 29, crc)
    return bytes(data)


EPS_BYTES = (
    b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 8 8\n"
    b"(/etc/passwd) (r) file pop\nshowpage\n%%EOF\n"
)


class QueryCountMixin:
    """Query budgets that must not depend on how much is in the database."""

    def count_queries(self, url):
        with CaptureQueriesContext(connection) as context:
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200, url)
        return [query["sql"] for query in context.captured_queries]

    def assertQueriesDoNotGrow(self, urls, grow):
        """Same number of queries before and after grow() adds articles; returns it.

        urls: one URL, or several, checked around a single grow() (making the articles is
        the slow part).
        """
        urls = [urls] if isinstance(urls, str) else list(urls)
        small = {}
        for url in urls:
            self.client.get(url)  # warm process-wide caches (content types)
            small[url] = self.count_queries(url)
        grow()
        for url in urls:
            with self.subTest(url=url):
                # Saving bumped the content version: warm the shared fragments again, so
                # both counts are of the steady state a reader meets.
                self.client.get(url)
                large = self.count_queries(url)
                self.assertEqual(
                    len(small[url]),
                    len(large),
                    "Queries grew with the data:\n" + "\n".join(large[len(small[url]) :] or large),
                )
        return len(large)


class TemporaryMediaTestCase(TestCase):
    """A TestCase whose uploads go to a temporary MEDIA_ROOT, removed afterwards."""

    @classmethod
    def setUpClass(cls):
        cls.media_root = tempfile.mkdtemp(prefix="test-media-")
        cls.addClassCleanup(shutil.rmtree, cls.media_root, ignore_errors=True)
        cls.enterClassContext(override_settings(MEDIA_ROOT=cls.media_root))
        super().setUpClass()

    def stored_files(self):
        return sorted(path for path in Path(self.media_root).rglob("*") if path.is_file())


# The admin.


def article_change_url(article):
    return f"/admin/articles/article/{article.pk}/change/"


def inline_data(prefix, rows, *, initial=0):
    data = {
        f"{prefix}-TOTAL_FORMS": len(rows),
        f"{prefix}-INITIAL_FORMS": initial,
        f"{prefix}-MIN_NUM_FORMS": 0,
        f"{prefix}-MAX_NUM_FORMS": 1000,
    }
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{name}": value for name, value in row.items()})
    return data


def article_form_data(article=None, *, bylines=(), share_links=(), **fields):
    """What the admin article form POSTs; an article's existing inline rows are kept as they are.

    bylines: (author, role) pairs to add. share_links: (index, changes) pairs, where index
    is an existing link's row or None for a new row.
    """
    existing_bylines = list(article.bylines.all()) if article else []
    existing_links = list(article.share_links.all()) if article else []
    data = {
        "headline": article.headline if article else "A new article",
        "slug": article.slug if article else "a-new-article",
        "dek": article.dek if article else "",
        "kind": article.kind_id if article else make_kind().pk,
        "section": article.section_id if article else make_section().pk,
        "lead_photo": (article.lead_photo_id or "") if article else "",
        "body": article.body if article else "<p>Body.</p>",
        "teaser": article.teaser if article else "",
        "tags": ", ".join(tag.name for tag in article.tags.all()) if article else "",
        "status": article.status if article else Article.Status.DRAFT,
        "published_at_0": "",
        "published_at_1": "",
        **fields,
    }
    if article and article.published_at and "published_at_0" not in fields:
        local = timezone.localtime(article.published_at)
        data["published_at_0"] = local.strftime("%Y-%m-%d")
        data["published_at_1"] = local.strftime("%H:%M:%S")
    byline_rows = [
        {"id": byline.pk, "author": byline.author_id, "role": byline.role, "order": byline.order}
        for byline in existing_bylines
    ] + [
        {"author": author.pk, "role": role, "order": order}
        for order, (author, role) in enumerate(bylines, start=len(existing_bylines))
    ]
    link_rows = [
        {"id": link.pk, "article": link.article_id, "note": link.note, "valid_for": 3}
        for link in existing_links
    ]
    for index, changes in share_links:
        if index is None:
            link_rows.append(changes)
        else:
            link_rows[index].update(changes)
    data.update(inline_data("bylines", byline_rows, initial=len(existing_bylines)))
    data.update(inline_data("share_links", link_rows, initial=len(existing_links)))
    existing_notes = list(article.corrections.all()) if article else []
    note_rows = [
        {"id": note.pk, "kind": note.kind, "text": note.text, "date": note.date.isoformat()}
        for note in existing_notes
    ]
    data.update(inline_data("corrections", note_rows, initial=len(existing_notes)))
    return data


class AdminTestCase(TemporaryMediaTestCase):
    @classmethod
    def setUpTestData(cls):
        make_site()
        cls.superuser = make_user("chief", is_staff=True, is_superuser=True)

    def setUp(self):
        self.client.force_login(self.superuser)


class EditorSignedIn:
    """For a TestCase: the site and an editor (the Editors group), signed in for each test."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        make_site()
        cls.editor = make_editor()

    def setUp(self):
        super().setUp()
        self.client.force_login(self.editor)


def simultaneously(*calls) -> list:
    """Run each call in a thread of its own, all released together, each with its own
    database connection, as gunicorn's workers would answer simultaneous requests.
    Returns what the calls returned, in the order they finished."""
    barrier = threading.Barrier(len(calls))
    results, errors = [], []

    def run(call):
        try:
            barrier.wait()
            results.append(call())
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:  # pragma: no cover - the failure's own message
        raise errors[0]
    return results


def at_once(count, request):
    """request(client) from count simultaneous callers, each with a client of its own, as
    simultaneous requests from one browser session would be; their status codes."""
    responses = simultaneously(*(functools.partial(request, Client()) for _ in range(count)))
    return [response.status_code for response in responses]
