from django.test import SimpleTestCase, override_settings

from publication.media import media_name


@override_settings(
    SITE_URL="https://news.example.org", ALLOWED_HOSTS=["news.example.org", "[::1]", "*"]
)
class MediaNameTests(SimpleTestCase):
    def test_addresses_of_our_media_name_the_stored_file(self):
        for url in [
            "/media/photos/a.jpg",
            " https://news.example.org/media/photos/a.jpg ",
            "HTTP://NEWS.EXAMPLE.ORG/media/photos/a.jpg",
            "http://[::1]:8000/media/photos/a.jpg",
            "/media/photos/a.jpg?x=1#y",
            "/media/photos/%61.jpg",
        ]:
            with self.subTest(url):
                self.assertEqual(media_name(url), "photos/a.jpg")

    def test_anything_else_names_nothing(self):
        for url in [
            "",
            "a.jpg",
            "/media/",
            "/media",
            "/static/a.jpg",
            "/media/../etc/passwd",
            "javascript:/media/a.jpg",
            "data:image/png;base64,AAAA",
            "ftp://news.example.org/media/a.jpg",
            # "*" in ALLOWED_HOSTS would make every host ours: it counts for nothing here.
            "https://elsewhere.example.com/media/a.jpg",
            "http://[::1/media/a.jpg",
            "http://news.example.org:port/media/a.jpg",
        ]:
            with self.subTest(url):
                self.assertIsNone(media_name(url))

    @override_settings(MEDIA_URL="https://cdn.example.net/bucket/")
    def test_with_object_storage_only_its_own_addresses(self):
        self.assertEqual(media_name("https://cdn.example.net/bucket/photos/a.jpg"), "photos/a.jpg")
        self.assertIsNone(media_name("https://news.example.org/bucket/photos/a.jpg"))
        self.assertIsNone(media_name("/bucket/photos/a.jpg"))
