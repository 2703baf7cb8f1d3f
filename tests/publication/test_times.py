import datetime

from django.template import Context, Template
from django.test import SimpleTestCase, override_settings

from publication.times import date_listed, machine_time, zoned_text, zoned_time, zoned_time_listed

# Saved by "Publish now": timezone.now() has microseconds.
MOMENT = datetime.datetime(2026, 12, 2, 10, 25, 43, 887063, tzinfo=datetime.UTC)


@override_settings(TIME_ZONE="Europe/Berlin")
class TimesTests(SimpleTestCase):
    def test_machine_time_is_to_the_second_in_the_sites_zone(self):
        self.assertEqual(machine_time(MOMENT), "2026-12-02T11:25:43+01:00")

    def test_the_filter_writes_the_same_and_nothing_for_no_time(self):
        template = Template("{% load times %}[{{ moment|machine_time }}]")
        self.assertEqual(
            template.render(Context({"moment": MOMENT})), "[2026-12-02T11:25:43+01:00]"
        )
        self.assertEqual(template.render(Context({"moment": None})), "[]")

    def test_staff_read_the_time_in_the_sites_zone_with_the_zone_named(self):
        self.assertEqual(zoned_text(MOMENT), "Wed 2 Dec 2026, 11:25 (Europe/Berlin)")
        self.assertEqual(
            zoned_time(MOMENT),
            '<time datetime="2026-12-02T11:25:43+01:00">Wed 2 Dec 2026, 11:25</time>'
            " (Europe/Berlin)",
        )
        self.assertEqual(zoned_time(None), "—")

    def test_a_listed_date_is_written_as_a_listed_times_day(self):
        self.assertEqual(
            date_listed(datetime.date(2026, 11, 20)),
            '<time datetime="2026-11-20">20 Nov 2026</time>',
        )
        self.assertIn('<span class="day">2 Dec 2026</span>', zoned_time_listed(MOMENT))
        self.assertEqual(date_listed(None), "—")
