import io

from django.core.management import call_command
from procrastinate.contrib.django.models import ProcrastinateJob

from publication.models import Photo
from tests.factories import TemporaryMediaTestCase, make_photo


def make_renditions(*args) -> str:
    out = io.StringIO()
    call_command("make_renditions", *args, stdout=out)
    return out.getvalue().strip()


class MakeRenditionsCommandTests(TemporaryMediaTestCase):
    def test_queues_or_makes_renditions_for_photos_not_ready_and_all_when_asked(self):
        photo = make_photo()
        jobs = ProcrastinateJob.objects.filter(task_name="publication.photo_renditions")
        # Saving the photo queued its job: the command does not queue a second one.
        self.assertEqual(make_renditions(), "Queued renditions for 0 photos.")
        jobs.delete()  # as if uploaded before renditions existed

        self.assertEqual(make_renditions(), "Queued renditions for 1 photos.")
        self.assertEqual(jobs.count(), 1)

        self.assertEqual(make_renditions("--now"), "Made renditions for 1 photos.")
        photo.refresh_from_db()
        self.assertEqual(photo.renditions_status, Photo.RenditionsStatus.READY)
        self.assertEqual(make_renditions("--now"), "Made renditions for 0 photos.")
        self.assertEqual(make_renditions("--all", "--now"), "Made renditions for 1 photos.")
