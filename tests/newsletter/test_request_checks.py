import functools
from datetime import timedelta

from django.test import (
    RequestFactory,
    SimpleTestCase,
    TestCase,
    TransactionTestCase,
    override_settings,
)
from django.utils import timezone

from newsletter.models import RateCounter
from newsletter.request_checks import client_ip, is_same_origin, rate_limit, referer_path
from tests.factories import simultaneously


class ClientIpTests(SimpleTestCase):
    def test_without_a_proxy_the_connecting_address_is_used(self):
        request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.7")
        self.assertEqual(client_ip(request), "203.0.113.7")

    @override_settings(NEWSLETTER_CLIENT_IP_HEADER="HTTP_X_FORWARDED_FOR")
    def test_behind_a_proxy_the_address_our_proxy_added_wins_over_spoofed_ones(self):
        request = RequestFactory().post(
            "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.1.1.1, 198.51.100.4"
        )
        self.assertEqual(client_ip(request), "198.51.100.4")

    @override_settings(NEWSLETTER_CLIENT_IP_HEADER="HTTP_X_FORWARDED_FOR", CLIENT_IP_PROXY_COUNT=2)
    def test_behind_a_cdn_and_a_load_balancer_the_address_the_cdn_saw_wins(self):
        def address(forwarded_for):
            request = RequestFactory().post("/", HTTP_X_FORWARDED_FOR=forwarded_for)
            return client_ip(request)

        # The reader's own claim, then what the CDN saw, then the CDN edge (from the LB).
        self.assertEqual(address("1.1.1.1, 198.51.100.4, 203.0.113.80"), "198.51.100.4")
        self.assertEqual(address("198.51.100.5, 203.0.113.80"), "198.51.100.5")
        self.assertEqual(address("198.51.100.6"), "198.51.100.6")

    def test_the_admin_lockout_and_the_signup_limits_count_the_same_address(self):
        from publication import security

        self.assertIs(client_ip, security.client_ip)

    @override_settings(NEWSLETTER_CLIENT_IP_HEADER="HTTP_X_REAL_IP")
    def test_a_missing_proxy_header_falls_back_to_the_connecting_address(self):
        request = RequestFactory().post("/", REMOTE_ADDR="10.0.0.1")
        self.assertEqual(client_ip(request), "10.0.0.1")


@override_settings(SITE_URL="https://news.example", ALLOWED_HOSTS=["testserver"])
class OriginTests(SimpleTestCase):
    def test_origin_must_be_ours_and_case_does_not_matter(self):
        ours = RequestFactory().post("/", HTTP_ORIGIN="HTTPS://News.Example")
        theirs = RequestFactory().post("/", HTTP_ORIGIN="https://news.example.evil")
        self.assertTrue(is_same_origin(ours))
        self.assertFalse(is_same_origin(theirs))

    def test_a_null_origin_is_refused_even_with_our_referer(self):
        request = RequestFactory().post(
            "/", HTTP_ORIGIN="null", HTTP_REFERER="https://news.example/articles/x/"
        )
        self.assertFalse(is_same_origin(request))

    def test_only_a_referer_of_ours_is_recorded_as_the_signup_page(self):
        ours = RequestFactory().post("/", HTTP_REFERER="https://news.example/articles/x/?q=1")
        theirs = RequestFactory().post("/", HTTP_REFERER="https://elsewhere.example/page/")
        self.assertEqual(referer_path(ours), "/articles/x/")
        self.assertEqual(referer_path(theirs), "")


class RateLimitTests(TestCase):
    def test_hits_over_the_limit_get_the_seconds_left_in_the_window(self):
        results = [rate_limit("test", "key", (2, 3600)) for _ in range(3)]
        self.assertEqual(results[:2], [0, 0])
        self.assertTrue(0 < results[2] <= 3600)

    def test_each_scope_and_value_has_its_own_count(self):
        rate_limit("test", "a", (1, 3600))
        self.assertEqual(rate_limit("test", "b", (1, 3600)), 0)
        self.assertEqual(rate_limit("other", "a", (1, 3600)), 0)

    def test_a_new_window_forgets_the_finished_ones_in_the_same_statement(self):
        now = timezone.now()
        RateCounter.objects.create(key="finished", count=3, expires_at=now - timedelta(seconds=1))
        RateCounter.objects.create(key="running", count=3, expires_at=now + timedelta(hours=1))
        with self.assertNumQueries(1):
            rate_limit("test", "new", (1, 3600))
        self.assertFalse(RateCounter.objects.filter(key="finished").exists())
        self.assertTrue(RateCounter.objects.filter(key="running").exists())
        self.assertEqual(RateCounter.objects.count(), 2)  # with the new window's

    def test_a_window_already_counting_leaves_the_table_alone(self):
        rate_limit("test", "again", (5, 3600))
        finished = RateCounter.objects.create(
            key="finished", count=3, expires_at=timezone.now() - timedelta(seconds=1)
        )
        rate_limit("test", "again", (5, 3600))
        self.assertTrue(RateCounter.objects.filter(pk=finished.pk).exists())


class ConcurrentRateLimitTests(TransactionTestCase):
    # The production default: the database cache, whose incr() is a read and a write.
    @override_settings(
        CACHES={
            "default": {
                "BACKEND": "django.core.cache.backends.db.DatabaseCache",
                "LOCATION": "django_cache",
            }
        }
    )
    def test_simultaneous_hits_let_exactly_the_limit_through(self):
        hit = functools.partial(rate_limit, "ip", "203.0.113.9", (5, 3600))
        results = simultaneously(*[hit] * 20)
        self.assertEqual(len(results), 20)
        self.assertEqual(results.count(0), 5)
