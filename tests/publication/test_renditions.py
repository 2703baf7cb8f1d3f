"""Renditions: made once by the real job worker, credited in their metadata, cropped
around the focal point, and used by every page with srcset; the original until then."""

import importlib
import io
import re
import shutil
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import SimpleTestCase, TransactionTestCase, override_settings
from django.utils import timezone
from PIL import Image, IptcImagePlugin, features
from procrastinate.contrib.django import app
from procrastinate.contrib.django.models import ProcrastinateJob

from publication.admin import PhotoForm
from publication.models import Photo
from publication.renditions import SHAPES, crop_box, rendition_widths
from tests.factories import (
    TemporaryMediaTestCase,
    make_article,
    make_creator,
    make_photo,
    make_site,
    make_user,
)

NS = {
    "dc": "http://purl.org/dc/elements/1.1/",
    "photoshop": "http://ns.adobe.com/photoshop/1.0/",
    "xmpRights": "http://ns.adobe.com/xap/1.0/rights/",
    "plus": "http://ns.useplus.org/ldf/xmp/1.0/",
}
FORMATS = ["avif", "webp", "jpg"] if features.check("avif") else ["webp", "jpg"]


def run_image_jobs():
    """Run every due image job for real, against the test database, then return."""
    with app.replace_connector(app.connector.get_worker_connector()):
        app.run_worker(
            queues=["images"], wait=False, install_signal_handlers=False, listen_notify=False
        )


def halves_jpeg(size=(900, 300), *, left="red", right="blue", exif=True) -> bytes:
    """A JPEG, left half one colour, right half another, with camera EXIF as uploads have."""
    image = Image.new("RGB", size, left)
    image.paste(Image.new("RGB", (size[0] // 2, size[1]), right), (size[0] // 2, 0))
    options = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "SecretCam 3000"  # Make
        data[0x013B] = "Somebody Else"  # Artist
        options["exif"] = data.tobytes()
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=95, **options)
    return buffer.getvalue()


def xmp_fields(image) -> dict[str, str]:
    root = ET.fromstring(image.info["xmp"])
    return {
        "creator": root.findtext(".//dc:creator//rdf:li", namespaces={**NS, "rdf": RDF}),
        "credit": root.findtext(".//photoshop:Credit", namespaces=NS),
        "rights": root.findtext(".//dc:rights//rdf:li", namespaces={**NS, "rdf": RDF}),
        "statement": root.findtext(".//xmpRights:WebStatement", namespaces=NS),
        "licensor": root.findtext(".//plus:LicensorURL", namespaces=NS),
    }


RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


class JobsMediaTestCase(TransactionTestCase):
    """The worker reads committed rows on its own connections, so no wrapping transaction;
    procrastinate's tables are not flushed between tests, so empty them here."""

    def setUp(self):
        media_root = tempfile.mkdtemp(prefix="test-media-")
        self.addCleanup(shutil.rmtree, media_root, ignore_errors=True)
        settings_override = override_settings(MEDIA_ROOT=media_root)
        settings_override.enable()
        self.addCleanup(settings_override.disable)
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE procrastinate_jobs, procrastinate_periodic_defers CASCADE")

    def make_uploaded_photo(self, content=None, **fields):
        fields.setdefault("alt_text", "Delegates outside the summit hall")
        image = SimpleUploadedFile("upload.jpg", content or halves_jpeg(), "image/jpeg")
        return Photo.objects.create(image=image, **fields)

    def image_jobs(self):
        # The worker also queues the newsletter's periodic job; only ours count here.
        return ProcrastinateJob.objects.filter(task_name="publication.photo_renditions")

    def files(self, photo):
        return {name.rsplit("/", 1)[-1] for name in photo.rendition_files}


class RenditionJobTests(JobsMediaTestCase):
    def setUp(self):
        super().setUp()
        self.photo = self.make_uploaded_photo(
            content=halves_jpeg((700, 400)),
            creator=make_creator("Jane Doe"),
            source=make_creator("Example Images", kind="organisation"),
            license_url="https://images.example/licence/123",
            license_page_url="https://images.example/buy/123",
        )

    def test_the_job_worker_makes_every_rendition_once_with_deterministic_names(self):
        self.assertEqual(self.photo.renditions_status, Photo.RenditionsStatus.PENDING)
        self.assertEqual(self.photo.renditions, {})
        self.assertEqual(self.image_jobs().count(), 1)

        run_image_jobs()

        self.photo.refresh_from_db()
        self.assertEqual(self.photo.renditions_status, Photo.RenditionsStatus.READY)
        folder = f"renditions/{self.photo.image.name.rsplit('.', 1)[0]}/{self.photo.renditions_key}"
        # Never upscaled: the 700-pixel original gives 320, 640 and 700.
        expected = {
            f"{shape}-{width}.{extension}"
            for shape, widths in {
                "full": (320, 640, 700),
                "card": (320, 600),
                "square": (160, 320),
            }.items()
            for width in widths
            for extension in FORMATS
        } | {"social-700.jpg", "16x9-700.jpg", "4x3-533.jpg", "1x1-400.jpg"}
        self.assertEqual(self.files(self.photo), expected)
        for name in self.photo.rendition_files:
            self.assertTrue(name.startswith(folder + "/"), name)
            self.assertTrue(default_storage.exists(name), name)
        for name, size in {
            "card-600.jpg": (600, 400),
            # The shapes search engines ask of an article's image (articles.seo).
            "16x9-700.jpg": (700, 394),
            "4x3-533.jpg": (533, 400),
            "1x1-400.jpg": (400, 400),
        }.items():
            with default_storage.open(f"{folder}/{name}") as file, Image.open(file) as image:
                self.assertEqual(image.size, size, name)

        card = self.photo.renditions["card"]
        self.assertEqual((card["width"], card["height"]), (600, 400))
        self.assertEqual(
            card["srcset"],
            f"/media/{folder}/card-320.jpg 320w, /media/{folder}/card-600.jpg 600w",
        )
        self.assertEqual(card["sources"][-1]["type"], "image/webp")
        self.assertIn(f"/media/{folder}/card-600.webp 600w", card["sources"][-1]["srcset"])
        if features.check("avif"):
            self.assertEqual(card["sources"][0]["type"], "image/avif")

        # Saving without changing the image, credit or focal point queues nothing more.
        self.photo.caption = "A new caption"
        self.photo.save()
        self.assertFalse(self.image_jobs().filter(status="todo").exists())

    def test_every_rendition_carries_the_credit_and_nothing_from_the_upload(self):
        run_image_jobs()
        self.photo.refresh_from_db()

        for name in self.photo.rendition_files:
            with default_storage.open(name) as file, Image.open(file) as image:
                image.load()
                self.assertEqual(
                    xmp_fields(image),
                    {
                        "creator": "Jane Doe",
                        "credit": "Jane Doe / Example Images",
                        "rights": "© Example Images",
                        "statement": "https://images.example/licence/123",
                        "licensor": "https://images.example/buy/123",
                    },
                    name,
                )
                self.assertEqual(dict(image.getexif()), {}, name)
                self.assertNotIn(b"SecretCam", image.info["xmp"])
                if image.format == "JPEG":
                    iptc = IptcImagePlugin.getiptcinfo(image)
                    self.assertEqual(iptc[(2, 80)], b"Jane Doe")
                    self.assertEqual(iptc[(2, 110)], b"Jane Doe / Example Images")
                    self.assertEqual(iptc[(2, 116)], "© Example Images".encode())
        with default_storage.open(self.photo.rendition_files[0], "rb") as file:
            self.assertNotIn(b"SecretCam", file.read())

    def test_a_new_credit_makes_new_renditions_and_removes_the_old_files(self):
        run_image_jobs()
        self.photo.refresh_from_db()
        old_files, old_key = self.photo.rendition_files, self.photo.renditions_key

        agency = self.photo.source
        agency.name = "Example Images Ltd"
        agency.save()
        self.photo.refresh_from_db()
        self.assertEqual(self.photo.renditions_status, Photo.RenditionsStatus.PENDING)
        # Until the new files exist, pages keep the old ones rather than the original.
        self.assertEqual(self.photo.rendition_files, old_files)
        run_image_jobs()

        self.photo.refresh_from_db()
        self.assertEqual(self.photo.renditions_status, Photo.RenditionsStatus.READY)
        self.assertNotEqual(self.photo.renditions_key, old_key)
        self.assertFalse(any(default_storage.exists(name) for name in old_files))
        with default_storage.open(self.photo.rendition_files[0]) as file, Image.open(file) as image:
            self.assertEqual(xmp_fields(image)["credit"], "Jane Doe / Example Images Ltd")

    def test_a_failed_job_is_visible_in_the_admin_and_retried(self):
        original = self.photo.image.name
        with default_storage.open(original, "rb") as file:
            content = file.read()
        default_storage.delete(original)  # storage lost the file for a while

        run_image_jobs()

        status, error = Photo.objects.values_list("renditions_status", "renditions_error").get()
        self.assertEqual(status, Photo.RenditionsStatus.FAILED)
        self.assertIn("FileNotFoundError", error)
        job = self.image_jobs().get()
        self.assertEqual((job.status, job.attempts), ("todo", 1))
        self.assertGreater(job.scheduled_at, timezone.now())

        make_site()
        self.client.force_login(make_user("chief", is_staff=True, is_superuser=True))
        response = self.client.get("/admin/publication/photo/?renditions_status__exact=failed")
        self.assertEqual(list(response.context["cl"].result_list), [self.photo])
        response = self.client.get(f"/admin/publication/photo/{self.photo.pk}/change/")
        self.assertContains(response, "Failed (retrying)")
        self.assertContains(response, "FileNotFoundError")

        # The file is back and the back-off has elapsed: the retry makes the renditions.
        default_storage.save(original, ContentFile(content))
        ProcrastinateJob.objects.filter(pk=job.pk).update(scheduled_at=timezone.now())
        run_image_jobs()
        self.photo.refresh_from_db()
        self.assertEqual(self.photo.renditions_status, Photo.RenditionsStatus.READY)
        self.assertEqual(self.photo.renditions_error, "")

    def test_editors_can_queue_renditions_again_from_the_admin(self):
        run_image_jobs()
        make_site()
        self.client.force_login(make_user("chief", is_staff=True, is_superuser=True))
        self.photo.refresh_from_db()
        # The photo list shows a small square, not the original.
        response = self.client.get("/admin/publication/photo/")
        self.assertContains(response, self.photo.renditions["square"]["src"])
        self.assertNotContains(response, self.photo.image.url)
        response = self.client.post(
            "/admin/publication/photo/",
            {"action": "make_renditions_again", "_selected_action": [self.photo.pk]},
            follow=True,
        )
        self.assertContains(response, "Renditions queued for 1 photos.")
        self.assertEqual(self.image_jobs().filter(status="todo").count(), 1)


class FocalPointTests(JobsMediaTestCase):
    def card_corners(self, photo, file_name="card-320.jpg"):
        photo.refresh_from_db()
        name = next(name for name in photo.rendition_files if name.endswith(file_name))
        with default_storage.open(name) as file, Image.open(file) as image:
            image = image.convert("RGB")
            return image.getpixel((2, 100)), image.getpixel((image.width - 3, 100))

    def test_card_crops_keep_the_focal_point_in_view(self):
        # 900×300, red on the left and blue on the right; a 3:2 card shows 450×300 of it.
        left = self.make_uploaded_photo(halves_jpeg(), focal_x=0.1)
        right = self.make_uploaded_photo(halves_jpeg(exif=False), focal_x=0.9)
        centre = self.make_uploaded_photo(halves_jpeg(left="#f00000"))
        run_image_jobs()

        def colour(pixel):
            return "red" if pixel[0] > 200 and pixel[2] < 60 else "blue" if pixel[2] > 200 else "?"

        # The square for search engines (300×300 of it) too.
        for file_name in ["card-320.jpg", "1x1-300.jpg"]:
            with self.subTest(file_name):
                for photo, colours in [
                    (left, ["red", "red"]),
                    (right, ["blue", "blue"]),
                    (centre, ["red", "blue"]),
                ]:
                    corners = self.card_corners(photo, file_name)
                    self.assertEqual([colour(p) for p in corners], colours)

    def test_moving_the_focal_point_makes_new_crops(self):
        photo = self.make_uploaded_photo(focal_x=0.1)
        run_image_jobs()
        photo.refresh_from_db()
        photo.focal_x = 0.9
        photo.save()
        run_image_jobs()
        corners = self.card_corners(photo)
        self.assertTrue(all(pixel[2] > 200 for pixel in corners), corners)


class PagesUseRenditionsTests(JobsMediaTestCase):
    def test_pages_show_the_original_until_the_renditions_exist_then_only_renditions(self):
        make_site()
        photo = self.make_uploaded_photo(halves_jpeg((1000, 600)))
        article = make_article(lead_photo=photo, featured=True)
        original = photo.image.url

        home = self.client.get("/").content.decode()
        self.assertIn(f'src="{original}"', home)
        self.assertNotIn("srcset", home)

        run_image_jobs()
        photo.refresh_from_db()
        for url in ["/", article.get_absolute_url(), article.section.get_absolute_url()]:
            page = self.client.get(url).content.decode()
            self.assertNotIn(original, page, url)
            self.assertIn('<source type="image/webp" srcset="', page, url)
            self.assertIn('sizes="', page, url)
        card = photo.renditions["card"]
        home = self.client.get("/").content.decode()
        self.assertIn(f'srcset="{card["srcset"]}"', home)
        self.assertIn(f'width="{card["width"]}" height="{card["height"]}"', home)
        page = self.client.get(article.get_absolute_url()).content.decode()
        self.assertIn(f'srcset="{photo.renditions["full"]["srcset"]}"', page)

    @override_settings(PAGE_CACHE_ENABLED=True)
    def test_cached_pages_switch_to_renditions_once_they_exist(self):
        make_site()
        photo = self.make_uploaded_photo(halves_jpeg((1000, 600)))
        make_article(lead_photo=photo, featured=True)
        self.client.get("/")
        self.assertEqual(self.client.get("/")["X-Page-Cache"], "hit")

        run_image_jobs()  # stores renditions with update(), which sends no signal

        response = self.client.get("/")
        self.assertEqual(response["X-Page-Cache"], "miss")
        self.assertNotContains(response, photo.image.url)


class EagerImageTests(TemporaryMediaTestCase):
    """Only the first image above the fold loads eagerly, with high priority."""

    @classmethod
    def setUpTestData(cls):
        make_site()
        cls.articles = [make_article(lead_photo=make_photo()) for _ in range(4)]

    def images(self, url):
        return re.findall(r"<img [^>]*>", self.client.get(url).content.decode())

    def assertOnlyFirstImageEager(self, images):
        self.assertGreater(len(images), 1)
        self.assertIn('fetchpriority="high"', images[0])
        self.assertNotIn('loading="lazy"', images[0])
        for image in images[1:]:
            self.assertIn('loading="lazy"', image)
            self.assertNotIn("fetchpriority", image)

    def test_home_without_and_with_featured_articles(self):
        self.assertOnlyFirstImageEager(self.images("/"))
        self.articles[0].featured = self.articles[1].featured = True
        self.articles[0].save()
        self.articles[1].save()
        self.assertOnlyFirstImageEager(self.images("/"))

    def test_section_and_article_pages(self):
        self.assertOnlyFirstImageEager(self.images(self.articles[0].section.get_absolute_url()))
        self.assertOnlyFirstImageEager(self.images(self.articles[0].get_absolute_url()))


class FocalPointFormTests(SimpleTestCase):
    def test_a_focal_point_outside_the_image_is_a_form_error(self):
        form = PhotoForm(data={"alt_text": "A", "credit_type": "photo", "focal_x": "1.5"})
        form.is_valid()
        self.assertIn("focal_x", form.errors)
        self.assertIn("less than or equal to 1", form.errors["focal_x"][0])


class CropArithmeticTests(SimpleTestCase):
    def test_crop_box_is_centred_on_the_focal_point_but_stays_inside(self):
        self.assertEqual(crop_box((900, 300), 3 / 2, (0.5, 0.5)), (225, 0, 675, 300))
        self.assertEqual(crop_box((900, 300), 3 / 2, (0.0, 0.5)), (0, 0, 450, 300))
        self.assertEqual(crop_box((900, 300), 3 / 2, (1.0, 0.5)), (450, 0, 900, 300))
        self.assertEqual(crop_box((300, 900), 1, (0.5, 0.2)), (0, 30, 300, 330))

    def test_widths_are_never_upscaled(self):
        self.assertEqual(rendition_widths(SHAPES["full"], 2560), [320, 640, 960, 1280, 1920])
        self.assertEqual(rendition_widths(SHAPES["full"], 1000), [320, 640, 960, 1000])
        self.assertEqual(rendition_widths(SHAPES["full"], 12), [12])
        for shape in ["16x9", "4x3", "1x1"]:  # search engines ask for 1200 px
            self.assertEqual(rendition_widths(SHAPES[shape], 4000), [1200])


class MakeRenditionsCommandTests(JobsMediaTestCase):
    def test_queues_photos_without_renditions_once_and_can_make_them_at_once(self):
        queued = self.make_uploaded_photo()
        # As if uploaded before renditions existed: pending, with no job.
        older = self.make_uploaded_photo(halves_jpeg(exif=False))
        self.image_jobs().filter(args__photo_id=older.pk).delete()

        out = io.StringIO()
        call_command("make_renditions", stdout=out)
        self.assertEqual(out.getvalue().strip(), "Queued renditions for 1 photos.")
        self.assertEqual(self.image_jobs().filter(args__photo_id=older.pk).count(), 1)
        self.assertEqual(self.image_jobs().filter(args__photo_id=queued.pk).count(), 1)

        call_command("make_renditions", "--now", stdout=out)
        statuses = set(Photo.objects.values_list("renditions_status", flat=True))
        self.assertEqual(statuses, {Photo.RenditionsStatus.READY})

        # Made before a shape was added (the article images for search engines): again.
        self.image_jobs().delete()
        older.refresh_from_db()
        older.renditions.pop("1x1")
        Photo.objects.filter(pk=older.pk).update(renditions=older.renditions)
        out = io.StringIO()
        call_command("make_renditions", stdout=out)
        self.assertEqual(out.getvalue().strip(), "Queued renditions for 1 photos.")
        self.assertEqual(self.image_jobs().get().args, {"photo_id": older.pk})


class StoredLengthTests(TemporaryMediaTestCase):
    """Feeds state each enclosure's length; it is recorded as files are written."""

    def test_lengths_are_recorded_as_files_are_written_and_by_the_migration(self):
        media = Path(self.media_root)
        photo = make_photo()
        self.assertEqual(photo.image_bytes, (media / photo.image.name).stat().st_size)
        photo.make_renditions()
        lengths = {
            shape: (media / rendition["src"].removeprefix(settings.MEDIA_URL)).stat().st_size
            for shape, rendition in photo.renditions.items()
        }
        self.assertEqual(
            {shape: rendition["bytes"] for shape, rendition in photo.renditions.items()}, lengths
        )
        # Rows from before the field: the migration asks the storage once for each file.
        migration = importlib.import_module("publication.migrations.0010_photo_image_bytes")
        migration.forget_rendition_lengths(apps, None)
        Photo.objects.filter(pk=photo.pk).update(image_bytes=None)
        photo.refresh_from_db()
        self.assertFalse(any("bytes" in rendition for rendition in photo.renditions.values()))
        migration.record_lengths(apps, None)
        photo.refresh_from_db()
        self.assertEqual(photo.image_bytes, (media / photo.image.name).stat().st_size)
        self.assertEqual(
            {shape: rendition["bytes"] for shape, rendition in photo.renditions.items()}, lengths
        )

    def test_a_file_put_in_place_by_name_is_measured_again(self):
        photo = make_photo()
        name = default_storage.save("photos/other.png", ContentFile(b"x" * 1234))
        photo = Photo.objects.get(pk=photo.pk)
        photo.image = name
        photo.save()
        self.assertEqual(Photo.objects.get(pk=photo.pk).image_bytes, 1234)
