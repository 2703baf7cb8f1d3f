"""Image jobs, run by `manage.py procrastinate worker` (queue "images")."""

import contextlib
import functools

from django.db import close_old_connections, connections
from procrastinate import RetryStrategy
from procrastinate.contrib.django import app
from procrastinate.exceptions import AlreadyEnqueued

from publication.models import RENDITIONS_TASK, Photo

# Waits 5 s, 25 s, 2 min, 10 min, 52 min: a storage hiccup heals within the hour; a
# photo that still fails stays "Failed" in the admin, which can queue it again.
RENDITIONS_RETRY = RetryStrategy(max_attempts=6, exponential_wait=5)


def with_fresh_connection(func):
    """Sync jobs run in the worker's threads, each with its own Django connection:
    close it when the job ends so none is left open (or in a broken state)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        close_old_connections()
        try:
            return func(*args, **kwargs)
        finally:
            connections.close_all()

    return wrapper


# Below every other job (default priority 0): one worker runs the queues one job at a
# time, and a confirmation email waited behind every photo of an upload or of
# `make_renditions --all` (20 s behind the demo's 19 photos; hours behind a library).
RENDITIONS_PRIORITY = -1


@app.task(
    name=RENDITIONS_TASK, queue="images", retry=RENDITIONS_RETRY, priority=RENDITIONS_PRIORITY
)
@with_fresh_connection
def photo_renditions(*, photo_id: int) -> None:
    photo = Photo.objects.with_credit().filter(pk=photo_id).first()
    if photo is not None:  # deleted since: nothing to make
        photo.update_files()


# Licences run out at midnight: pages drop the photo then (Photo.is_withdrawn), and this
# takes its files down within the quarter hour. It also catches a photo whose job was lost.
WITHDRAWN_FILES_CRON = "*/15 * * * *"


@app.periodic(cron=WITHDRAWN_FILES_CRON)
@app.task(name="publication.sweep_withdrawn_photos", queue="images", queueing_lock="sweep-photos")
@with_fresh_connection
def sweep_withdrawn_photos(*, timestamp: int) -> None:
    for photo in Photo.objects.files_out_of_step():
        # One job per photo, retried on its own; not a second one while one waits.
        with contextlib.suppress(AlreadyEnqueued):
            photo_renditions.configure(queueing_lock=f"photo-files-{photo.pk}").defer(
                photo_id=photo.pk
            )
