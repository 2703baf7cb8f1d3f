from django.core.management.base import BaseCommand
from django.db.models import Q
from procrastinate.contrib.django.models import ProcrastinateJob

from publication.models import RENDITIONS_TASK, Photo
from publication.renditions import SHAPES


class Command(BaseCommand):
    help = (
        "Queue rendition jobs for photos whose renditions are missing, failed or lack a "
        "shape (e.g. photos uploaded before renditions or that shape existed), or make "
        "them right away."
    )

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="Every photo, even if ready.")
        parser.add_argument(
            "--now", action="store_true", help="Make them in this process instead of queueing."
        )

    def handle(self, *, all, now, **options):
        photos = Photo.objects.with_credit().order_by("pk")
        if not all:
            # Also those made before a shape was added to publication.renditions.SHAPES.
            photos = photos.filter(
                ~Q(renditions_status=Photo.RenditionsStatus.READY)
                | ~Q(renditions__has_keys=list(SHAPES))
            )
        if not now:
            queued = ProcrastinateJob.objects.filter(
                task_name=RENDITIONS_TASK, status__in=["todo", "doing"]
            ).values_list("args__photo_id", flat=True)
            photos = photos.exclude(pk__in=[photo_id for photo_id in queued if photo_id])
        count = 0
        for photo in photos.iterator(chunk_size=200):
            if now:
                photo.renditions_status = Photo.RenditionsStatus.PENDING
                photo.update_files()  # a withdrawn photo's files are taken down instead
            else:
                photo.request_renditions(force=True)
            count += 1
        verb = "Made" if now else "Queued"
        self.stdout.write(f"{verb} renditions for {count} photos.")
