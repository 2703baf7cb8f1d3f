"""Add N realistic subscribers in one statement, for benchmarks (seed_benchmark --subscribers)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

# Nine in ten confirmed, the rest pending or unsubscribed, signed up over the past years.
INSERT = """
INSERT INTO newsletter_subscriber
    (email, name, mailbox_key, status, source, signup_page, consent_text,
     signed_up_at, confirmed_at, unsubscribed_at, updated_at, resubscribe_name,
     resubscribe_source, resubscribe_page, resubscribe_consent_text)
SELECT 'reader' || i || '.' || %(run)s || '@example.com', 'Reader ' || i,
       'reader' || i || '.' || %(run)s || '@example.com',
       CASE WHEN i %% 10 = 0 THEN 'unsubscribed' WHEN i %% 10 = 1 THEN 'pending'
            ELSE 'confirmed' END,
       CASE WHEN i %% 3 = 0 THEN 'newsletter page' ELSE 'footer' END,
       '/articles/a-story/', 'Send me the weekly round-up by email.',
       now() - make_interval(mins => i %% 3000000),
       CASE WHEN i %% 10 <> 1 THEN now() - make_interval(mins => i %% 3000000) END,
       CASE WHEN i %% 10 = 0 THEN now() END, now(), '', '', '', ''
FROM generate_series(1, %(count)s) AS i
"""


class Command(BaseCommand):
    help = "Add N subscribers (mostly confirmed) with one bulk insert, for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("count", type=int)

    def handle(self, *args, count, verbosity=1, **options):
        if count < 1:
            raise CommandError("count must be at least 1.")
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM newsletter_subscriber")
            run = str(cursor.fetchone()[0])  # keeps addresses unique across runs
            cursor.execute(INSERT, {"count": count, "run": run})
            cursor.execute("ANALYZE newsletter_subscriber")
        if verbosity:
            self.stdout.write(f"Added {count} subscribers.")
