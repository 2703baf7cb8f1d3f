import datetime
from unittest import mock

from django.conf import settings
from django.contrib.auth.models import User
from django.core import signing
from django.db import connection, transaction
from django.db.models.sql.compiler import SQLCompiler
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from procrastinate.contrib.django.models import ProcrastinateJob

from newsletter import services
from newsletter.forms import CONSENT_TEXT
from newsletter.models import Delivery, RateCounter, Subscriber
from tests.factories import make_article, make_site
from tests.newsletter.helpers import make_subscriber, signup


def row_of(subscriber) -> dict:
    return {f.attname: getattr(subscriber, f.attname) for f in Subscriber._meta.concrete_fields}


class NewsletterTestCase(TestCase):
    def setUp(self):
        RateCounter.objects.all().delete()


class SignupTests(NewsletterTestCase):
    def test_every_public_page_has_a_cookie_free_signup_form(self):
        response = self.client.get(reverse("articles:home"))
        self.assertContains(response, f'action="{reverse("newsletter:signup")}"')
        self.assertContains(response, 'name="token"')
        self.assertNotContains(response, "csrfmiddlewaretoken")
        self.assertEqual(response.cookies, {})

    def test_the_signup_page_is_shared_and_found_with_the_newsletter_blurb(self):
        make_site(tagline="Foreign policy", newsletter_blurb="Our Friday round-up of analysis.")
        response = self.client.get(reverse("newsletter:signup"))
        for tag in ('name="description"', 'property="og:description"'):
            self.assertContains(
                response, f'<meta {tag} content="Our Friday round-up of analysis.">'
            )
        self.assertContains(response, '<meta property="og:title" content="Newsletter">')

    def test_the_form_is_identical_for_every_reader(self):
        first = self.client.get(reverse("newsletter:signup")).content
        second = self.client_class().get(reverse("newsletter:signup")).content
        self.assertEqual(first, second)

    def test_signup_stores_a_pending_subscriber_with_the_consent_record(self):
        response = signup(self.client, "  Reader+news@EXAMPLE.com ", name="Ada")

        self.assertRedirects(response, reverse("newsletter:signup-done"))
        self.assertEqual(response.cookies, {})
        subscriber = Subscriber.objects.get()
        self.assertEqual(subscriber.email, "Reader+news@example.com")
        self.assertEqual(subscriber.mailbox_key, "reader@example.com")
        self.assertEqual(subscriber.status, Subscriber.Status.PENDING)
        self.assertEqual(subscriber.name, "Ada")
        self.assertEqual(subscriber.source, "footer")
        self.assertEqual(subscriber.signup_page, "/articles/some-story/")
        self.assertEqual(subscriber.consent_text, CONSENT_TEXT)
        self.assertEqual(Delivery.objects.get().kind, Delivery.Kind.CONFIRMATION)
        self.assertTrue(
            ProcrastinateJob.objects.filter(task_name="newsletter.send_delivery").exists()
        )

    def test_a_new_address_costs_eight_queries(self):
        # Readers wait for the POST: two counts (the address, the mailbox), the mailbox's
        # lock, the lookup, the row, the day's confirmations, the delivery and its job.
        # Savepoints of the test's transaction (the view's own would be BEGIN and COMMIT)
        # are left out of the count.
        with CaptureQueriesContext(connection) as queries:
            response = signup(self.client, "reader@example.com")
        self.assertEqual(response.status_code, 302)
        statements = [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]
        self.assertEqual(len(statements), 8, "\n".join(statements))

    def test_a_signup_compiles_no_select_once_its_lookups_are_compiled(self):
        # The subscriber lookup and the mailbox's recent confirmations are compiled once per
        # process (services.locked_subscriber, recent_confirmations); only the inserts are
        # built per POST.
        signup(self.client, "first@example.com")
        counted = mock.patch.object(
            SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql
        )
        with counted as compiling:
            response = signup(self.client, "second@example.com")
        self.assertEqual(response.status_code, 302)
        compiling.assert_not_called()
        self.assertEqual(Delivery.objects.filter(to_email="second@example.com").count(), 1)

    def test_the_compiled_lookups_answer_as_their_querysets(self):
        now = timezone.now()
        ada = make_subscriber("Ada@Example.com", status=Subscriber.Status.PENDING)
        make_subscriber("bob@example.com", status=Subscriber.Status.UNSUBSCRIBED)
        for email in ("ada@example.com", "ADA@EXAMPLE.COM", "bob@Example.com", "cy@example.com"):
            with self.subTest(email=email), transaction.atomic():
                compiled = services.locked_subscriber(email)
                expected = Subscriber.objects.with_email(email).select_for_update().first()
                if expected is None:
                    self.assertIsNone(compiled)
                else:
                    self.assertEqual(row_of(compiled), row_of(expected))
                    self.assertEqual(compiled._state.db, "default")
                    self.assertFalse(compiled._state.adding)
        for days, status in ((3, "sent"), (0.5, "failed"), (0.1, "queued")):
            Delivery.objects.create(
                kind=Delivery.Kind.CONFIRMATION,
                subscriber=ada,
                to_email=ada.email,
                mailbox_key=ada.mailbox_key,
                status=status,
                created_at=now - datetime.timedelta(days=days),
            )
        for key, since in (
            (ada.mailbox_key, now - datetime.timedelta(days=1)),
            (ada.mailbox_key, now - datetime.timedelta(days=5)),
            ("bob@example.com", now - datetime.timedelta(days=5)),
        ):
            with self.subTest(key=key, since=since):
                expected = Delivery.objects.filter(
                    kind=Delivery.Kind.CONFIRMATION, mailbox_key=key, created_at__gte=since
                ).values_list("created_at", "subscriber_id", "status")
                self.assertEqual(services.recent_confirmations(key, since), list(expected))

    def test_an_address_differing_only_in_case_is_the_same_subscriber(self):
        signup(self.client, "reader@example.com")
        signup(self.client, "READER@Example.com")
        self.assertEqual(Subscriber.objects.count(), 1)

    def test_an_invalid_address_gets_an_inline_error_and_nothing_is_stored(self):
        response = signup(self.client, "reader@localhost")
        self.assertContains(response, "The domain needs a dot", status_code=400)
        self.assertContains(response, 'value="reader@localhost"', status_code=400)
        self.assertFalse(Subscriber.objects.exists())

    def test_an_address_with_an_invisible_character_in_the_domain_is_refused(self):
        response = signup(self.client, "reader@exam\u00adple.com")  # a soft hyphen
        self.assertContains(response, "invisible or control characters", status_code=400)
        self.assertFalse(Subscriber.objects.exists())

    def test_names_keep_the_joiners_their_script_needs_and_lose_hidden_controls(self):
        # Refused before as "invisible characters": the zero-width non-joiner is part of
        # Persian spelling, the joiner of an emoji family.
        for number, (typed, stored) in enumerate(
            [
                ("مریم می\u200cخواهد", "مریم می\u200cخواهد"),
                ("Ana 👩\u200d👩\u200d👧", "Ana 👩\u200d👩\u200d👧"),
                ("\u202eAna Ruiz", "Ana Ruiz"),
                ("Ana\u200b Ruiz\ufeff", "Ana Ruiz"),
            ]
        ):
            with self.subTest(typed=ascii(typed)):
                email = f"name{number}@example.com"
                self.assertEqual(signup(self.client, email, name=typed).status_code, 302)
                self.assertEqual(Subscriber.objects.get(email=email).name, stored)
        response = signup(self.client, "tab@example.com", name="Ana\nRuiz")
        self.assertContains(response, "invisible or control characters", status_code=400)

    def test_a_name_is_stored_by_the_name_rule_and_checked_as_stored(self):
        self.assertEqual(
            signup(self.client, "nfd@example.com", name="Rene\u0301e  Ruiz").status_code, 302
        )
        self.assertEqual(Subscriber.objects.get().name, "Renée Ruiz")
        # 100 characters typed, 200 once stored (NFC): a form error, never the column's 500.
        response = signup(self.client, "long@example.com", name="\u0958" * 100)
        self.assertContains(response, "at most 100 characters", status_code=400)

    def test_overlong_fields_are_refused(self):
        response = signup(self.client, f"{'a' * 250}@example.com", name="x" * 101)
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Subscriber.objects.exists())

    def test_the_honeypot_stores_nothing_but_looks_like_success(self):
        response = signup(self.client, "bot@example.com", website="http://spam.example")
        self.assertRedirects(response, reverse("newsletter:signup-done"))
        self.assertFalse(Subscriber.objects.exists())

    def test_a_post_from_another_site_is_refused(self):
        response = signup(
            self.client, "reader@example.com", headers={"Origin": "https://evil.example"}
        )
        self.assertEqual(response.status_code, 403)
        response = signup(self.client, "reader@example.com", headers={"Origin": "null"})
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Subscriber.objects.exists())

    def test_a_post_without_origin_or_referer_is_refused(self):
        response = self.client.post(reverse("newsletter:signup"), {"email": "reader@example.com"})
        self.assertEqual(response.status_code, 403)

    def test_a_referer_from_our_site_is_enough_when_origin_is_missing(self):
        response = signup(self.client, "reader@example.com", headers={"Origin": ""})
        self.assertEqual(response.status_code, 302)

    @override_settings(SITE_URL="https://www.magazine.example")
    def test_the_site_url_origin_is_accepted(self):
        response = signup(
            self.client, "reader@example.com", headers={"Origin": "https://www.magazine.example"}
        )
        self.assertEqual(response.status_code, 302)

    def test_a_forged_form_token_is_refused(self):
        response = signup(self.client, "reader@example.com", token="signup:abc:forged")
        self.assertContains(response, "This form had expired", status_code=400)
        self.assertFalse(Subscriber.objects.exists())

    @override_settings(NEWSLETTER_FORM_TOKEN_MAX_AGE=-1)
    def test_an_expired_form_token_is_refused_with_a_fresh_form(self):
        response = signup(self.client, "reader@example.com")
        self.assertContains(response, "This form had expired", status_code=400)
        self.assertContains(response, 'value="reader@example.com"', status_code=400)
        self.assertFalse(Subscriber.objects.exists())

    def test_the_page_after_signup_is_the_same_whatever_the_address_state(self):
        make_subscriber("pending@example.com", status=Subscriber.Status.PENDING)
        make_subscriber("confirmed@example.com")
        make_subscriber("gone@example.com", status=Subscriber.Status.UNSUBSCRIBED)
        responses = [
            signup(self.client, f"{state}@example.com")
            for state in ["new", "pending", "confirmed", "gone"]
        ]
        self.assertEqual(
            {(r.status_code, r["Location"]) for r in responses}, {(302, "/newsletter/thanks/")}
        )
        self.assertEqual({r.content for r in responses}, {b""})

    def test_a_confirmed_subscriber_signing_up_again_gets_no_email(self):
        make_subscriber("confirmed@example.com")
        signup(self.client, "confirmed@example.com")
        self.assertFalse(Delivery.objects.exists())


class RateLimitTests(NewsletterTestCase):
    @override_settings(NEWSLETTER_RATE_LIMIT_PER_IP=(3, 3600))
    def test_too_many_signups_from_one_ip_get_429_with_retry_after(self):
        for number in range(3):
            self.assertEqual(signup(self.client, f"r{number}@example.com").status_code, 302)
        response = signup(self.client, "r4@example.com")
        self.assertEqual(response.status_code, 429)
        self.assertTrue(1 <= int(response["Retry-After"]) <= 3600)
        # Another client address is not affected.
        response = signup(self.client, "r5@example.com", ip="10.0.0.9")
        self.assertEqual(response.status_code, 302)

    @override_settings(NEWSLETTER_RATE_LIMIT_PER_MAILBOX=(2, 3600))
    def test_the_per_mailbox_limit_is_silent_however_the_address_is_varied(self):
        first = signup(self.client, "victim@example.com")
        signup(self.client, "Victim+1@example.com", ip="10.0.0.2")
        over = signup(self.client, "VICTIM+2@Example.com", ip="10.0.0.3")
        # The same answer as a first signup: nobody learns the mailbox signed up lately.
        self.assertEqual(over.status_code, first.status_code)
        self.assertEqual(over["Location"], first["Location"])
        self.assertNotIn("Retry-After", over)
        self.assertFalse(Subscriber.objects.filter(email="VICTIM+2@example.com").exists())

    @override_settings(
        CACHES={
            "default": {
                "BACKEND": "django.core.cache.backends.db.DatabaseCache",
                "LOCATION": "no_such_cache_table",
            }
        }
    )
    def test_a_missing_cache_table_never_fails_a_signup(self):
        response = signup(self.client, "reader@example.com")
        self.assertRedirects(response, "/newsletter/thanks/", fetch_redirect_response=False)
        self.assertTrue(Subscriber.objects.filter(email="reader@example.com").exists())


class ConfirmationCapTests(NewsletterTestCase):
    """List-bombing: the cap comes from the delivery table, not the cache."""

    def sends(self):
        return Delivery.objects.filter(
            kind=Delivery.Kind.CONFIRMATION, mailbox_key="victim@example.com"
        )

    def age_sends(self, minutes):
        for delivery in self.sends():
            Delivery.objects.filter(pk=delivery.pk).update(
                created_at=delivery.created_at - datetime.timedelta(minutes=minutes)
            )

    def test_a_mailbox_gets_one_email_per_ten_minutes_deferred_not_dropped_and_three_a_day(self):
        start = timezone.now()
        variants = ["victim@example.com", "Victim+a@example.com", "victim+b@EXAMPLE.com"]
        for number, variant in enumerate(variants):
            signup(self.client, variant, ip=f"10.0.0.{number}")
        signup(self.client, "victim+a@example.com", ip="10.0.0.9")  # already waiting
        sends = list(self.sends().order_by("created_at"))
        self.assertEqual(len(sends), 3)
        self.assertEqual(Subscriber.objects.count(), 3)
        # The first goes now; the others when each ten-minute gap ends, never dropped.
        for number, delivery in enumerate(sends):
            due = start + datetime.timedelta(minutes=10 * number)
            self.assertAlmostEqual(delivery.created_at, due, delta=datetime.timedelta(seconds=30))
            job = ProcrastinateJob.objects.get(args={"delivery_id": delivery.pk})
            if number:
                self.assertAlmostEqual(job.scheduled_at, due, delta=datetime.timedelta(seconds=30))
            else:
                self.assertIsNone(job.scheduled_at)

        # The daily cap holds: a fourth variant gets nothing today.
        signup(self.client, "victim+c@example.com")
        self.assertEqual(self.sends().count(), 3)

        self.age_sends(24 * 60 + 30)  # a day later the mailbox may get mail again
        RateCounter.objects.all().delete()
        signup(self.client, "victim@example.com")
        self.assertEqual(self.sends().count(), 4)


class ConfirmTests(NewsletterTestCase):
    def setUp(self):
        super().setUp()
        self.subscriber = make_subscriber("reader@example.com", status=Subscriber.Status.PENDING)
        self.url = reverse("newsletter:confirm", args=[self.subscriber.confirm_token])

    def test_get_shows_a_button_and_does_not_confirm(self):
        response = self.client.get(self.url)
        self.assertContains(response, "Confirm my subscription")
        self.assertEqual(response["Cache-Control"].count("no-store"), 1)
        self.subscriber.refresh_from_db()
        self.assertEqual(self.subscriber.status, Subscriber.Status.PENDING)

    def test_post_confirms_and_confirming_twice_is_fine(self):
        for _ in range(2):
            response = self.client.post(self.url)
            self.assertContains(response, "You are subscribed")
        self.subscriber.refresh_from_db()
        self.assertEqual(self.subscriber.status, Subscriber.Status.CONFIRMED)
        self.assertIsNotNone(self.subscriber.confirmed_at)

    @override_settings(NEWSLETTER_CONFIRM_MAX_AGE=-1)
    def test_an_expired_link_does_not_confirm(self):
        response = self.client.post(self.url)
        self.assertContains(response, "This link is not valid", status_code=400)
        self.subscriber.refresh_from_db()
        self.assertEqual(self.subscriber.status, Subscriber.Status.PENDING)

    def test_a_forged_link_does_not_confirm(self):
        forged = signing.dumps({"id": self.subscriber.pk}, salt="wrong")
        response = self.client.post(reverse("newsletter:confirm", args=[forged]))
        self.assertEqual(response.status_code, 400)
        response = self.client.post(
            reverse("newsletter:confirm", args=[self.url.split("/")[-2] + "x"])
        )
        self.assertEqual(response.status_code, 400)

    def test_an_old_link_does_not_resubscribe_after_unsubscribing(self):
        self.client.post(self.url)
        self.client.post(
            reverse("newsletter:unsubscribe", args=[self.subscriber.unsubscribe_token])
        )
        response = self.client.post(self.url)
        self.assertContains(response, "Not subscribed")
        self.subscriber.refresh_from_db()
        self.assertEqual(self.subscriber.status, Subscriber.Status.UNSUBSCRIBED)


class UnsubscribeTests(NewsletterTestCase):
    def setUp(self):
        super().setUp()
        self.subscriber = make_subscriber("reader@example.com")
        self.url = reverse("newsletter:unsubscribe", args=[self.subscriber.unsubscribe_token])

    def test_one_click_post_unsubscribes_without_cookies_and_repeats_harmlessly(self):
        client = self.client_class(enforce_csrf_checks=True)
        for _ in range(2):
            response = client.post(
                self.url,
                "List-Unsubscribe=One-Click",
                content_type="application/x-www-form-urlencoded",
            )
            self.assertEqual(response.status_code, 200)
            self.assertEqual(response.cookies, {})
        self.subscriber.refresh_from_db()
        self.assertEqual(self.subscriber.status, Subscriber.Status.UNSUBSCRIBED)
        self.assertIsNotNone(self.subscriber.unsubscribed_at)

    def test_get_asks_before_unsubscribing(self):
        response = self.client.get(self.url)
        self.assertContains(response, "Stop sending the newsletter")
        self.subscriber.refresh_from_db()
        self.assertEqual(self.subscriber.status, Subscriber.Status.CONFIRMED)

    def test_a_forged_link_changes_nothing(self):
        response = self.client.post(
            reverse("newsletter:unsubscribe", args=[f"{self.subscriber.pk}:forged"])
        )
        self.assertEqual(response.status_code, 400)

    def test_a_signup_for_an_unsubscribed_address_changes_nothing_until_confirmed(self):
        self.client.post(self.url)
        before = Subscriber.objects.get()
        old_confirm_token = before.confirm_token

        signup(self.client, "reader@example.com", name="Ada", source="page")

        subscriber = Subscriber.objects.get()
        self.assertEqual(subscriber.status, Subscriber.Status.UNSUBSCRIBED)
        self.assertEqual(subscriber.unsubscribed_at, before.unsubscribed_at)
        self.assertEqual(
            (subscriber.signed_up_at, subscriber.signup_page, subscriber.consent_text),
            (before.signed_up_at, before.signup_page, before.consent_text),
        )
        requested_at = subscriber.resubscribe_requested_at
        self.assertGreater(requested_at, before.signed_up_at)
        self.assertEqual(
            (subscriber.resubscribe_page, subscriber.resubscribe_consent_text),
            ("/articles/some-story/", CONSENT_TEXT),
        )
        self.assertFalse(Subscriber.objects.for_export().exists())
        self.assertEqual(Delivery.objects.filter(kind="confirmation").count(), 1)
        # Links from before the unsubscribe never resubscribe; only the new one does.
        old_url = reverse("newsletter:confirm", args=[old_confirm_token])
        self.assertEqual(self.client.post(old_url).status_code, 400)
        new_url = reverse("newsletter:confirm", args=[subscriber.confirm_token])
        self.assertContains(self.client.get(new_url), "Confirm my subscription")
        self.assertEqual(Subscriber.objects.get().status, Subscriber.Status.UNSUBSCRIBED)

        for _ in range(2):
            self.assertContains(self.client.post(new_url), "You are subscribed")
        subscriber = Subscriber.objects.get()
        self.assertEqual(subscriber.status, Subscriber.Status.CONFIRMED)
        self.assertIsNone(subscriber.unsubscribed_at)
        self.assertEqual(subscriber.signed_up_at, requested_at)
        self.assertGreater(subscriber.confirmed_at, subscriber.signed_up_at)
        self.assertEqual(
            (subscriber.name, subscriber.source, subscriber.signup_page),
            ("Ada", "newsletter page", "/articles/some-story/"),
        )
        self.assertIsNone(subscriber.resubscribe_requested_at)
        self.assertEqual(Subscriber.from_confirm_token(old_confirm_token), None)

    def test_signing_up_again_keeps_the_request_to_resubscribe_and_its_link(self):
        self.client.post(self.url)
        signup(self.client, "reader@example.com")
        first_token = Subscriber.objects.get().confirm_token
        signup(self.client, "reader@example.com")
        self.assertEqual(Subscriber.from_confirm_token(first_token), Subscriber.objects.get())

    def test_unsubscribing_withdraws_a_request_to_resubscribe(self):
        self.client.post(self.url)
        unsubscribed_at = Subscriber.objects.get().unsubscribed_at
        signup(self.client, "reader@example.com")
        confirm_url = reverse("newsletter:confirm", args=[Subscriber.objects.get().confirm_token])

        self.client.post(self.url)  # the unsubscribe link in the confirmation email

        subscriber = Subscriber.objects.get()
        self.assertIsNone(subscriber.resubscribe_requested_at)
        self.assertEqual(subscriber.unsubscribed_at, unsubscribed_at)
        self.assertEqual(self.client.post(confirm_url).status_code, 400)
        self.assertEqual(Subscriber.objects.get().status, Subscriber.Status.UNSUBSCRIBED)

    def test_a_pending_address_that_unsubscribes_gets_no_more_confirmation_emails(self):
        pending = make_subscriber("victim@example.com", status=Subscriber.Status.PENDING)
        self.client.post(reverse("newsletter:unsubscribe", args=[pending.unsubscribe_token]))
        pending.refresh_from_db()
        self.assertEqual(pending.status, Subscriber.Status.UNSUBSCRIBED)
        self.assertGreater(timezone.now(), pending.unsubscribed_at)


class HeadRequestTests(NewsletterTestCase):
    """Monitors, link checkers and mail scanners send HEAD: it works wherever GET does."""

    def test_head_answers_like_get_on_every_public_page(self):
        make_site()
        article = make_article(headline="Headed", tags=["Energy"])
        subscriber = make_subscriber(status=Subscriber.Status.PENDING)
        urls = [
            "/",
            article.get_absolute_url(),
            "/section/europe/",
            "/kind/analysis/",
            "/topic/energy/",
            "/newsletter/",
            "/newsletter/thanks/",
            subscriber.get_confirm_url().removeprefix(settings.SITE_URL),
            subscriber.get_unsubscribe_url().removeprefix(settings.SITE_URL),
        ]
        for url in urls:
            with self.subTest(url=url):
                get = self.client.get(url)
                head = self.client.head(url)
                self.assertEqual(get.status_code, 200)
                self.assertEqual(head.status_code, 200)
                self.assertEqual(head.content, b"")
        # HEAD never confirms or unsubscribes.
        subscriber.refresh_from_db()
        self.assertTrue(subscriber.is_pending)


class ThanksPageTests(NewsletterTestCase):
    def test_the_page_after_signing_up_stays_out_of_search_results(self):
        # "Check your inbox" says nothing to someone arriving from a search engine.
        make_site()
        response = self.client.get("/newsletter/thanks/")
        self.assertContains(response, '<meta name="robots" content="noindex">', html=True)
        self.assertNotContains(response, 'rel="canonical"')


class AddressSpellingTests(NewsletterTestCase):
    def test_a_look_alike_full_stop_never_merges_into_an_existing_subscriber(self):
        victim = make_subscriber("victim@example.com")
        for stop in ["\u3002", "\uff0e", "\uff61"]:
            with self.subTest(stop=hex(ord(stop))):
                response = signup(self.client, f"victim@example{stop}com")
                self.assertContains(response, "ordinary full stops", status_code=400)
        self.assertEqual(Subscriber.objects.get(), victim)
        self.assertFalse(Delivery.objects.exists())

    def test_international_domains_are_one_subscriber_stored_in_punycode(self):
        signup(self.client, "jurgen@bücher.de")
        signup(self.client, "jurgen@XN--BCHER-KVA.de", ip="10.0.0.2")
        subscriber = Subscriber.objects.get()
        self.assertEqual(subscriber.email, "jurgen@xn--bcher-kva.de")
        confirm_page = self.client.get(subscriber.get_confirm_url())
        self.assertContains(confirm_page, "jurgen@bücher.de")

    def test_staff_read_and_search_addresses_in_unicode(self):
        make_subscriber("jurgen@bücher.de", name="Jürgen")
        staff = User.objects.create_superuser("chief", "chief@example.com", "x")
        self.client.force_login(staff)
        for term in ["bücher", "jurgen@bücher.de", "Jürgen", "xn--bcher"]:
            with self.subTest(term=term):
                response = self.client.get("/admin/newsletter/subscriber/", {"q": term})
                self.assertEqual(len(response.context["cl"].result_list), 1)
                self.assertContains(response, "jurgen@bücher.de")
