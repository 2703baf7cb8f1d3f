"""Image jobs, run by `manage.py procrastinate worker` (queue "images")."""

import contextlib
import datetime
import functools

from django.db import close_old_connections, connections
from django.utils import timezone
from procrastinate import RetryStrategy
from procrastinate.contrib.django import app
from procrastinate.exceptions import AlreadyEnqueued

from publication.models import LAPSE_TASK, RENDITIONS_TASK, WITHDRAWAL_PRIORITY, Photo

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


# Within this of the lapse by our clock, the job waits for it rather than giving up.
CLOCK_SKEW = datetime.timedelta(minutes=1)


class NotYetLapsed(Exception):
    """The job started before the licence ran out by this machine's clock (the database's
    runs ahead): it is retried a few seconds later."""


@app.task(name=LAPSE_TASK, queue="images", retry=RENDITIONS_RETRY, priority=WITHDRAWAL_PRIORITY)
@with_fresh_connection
def withdraw_photo_at_lapse(*, photo_id: int) -> None:
    """Planned by Photo.plan_withdrawal for the midnight the licence runs out."""
    photo = Photo.objects.filter(pk=photo_id).first()
    if photo is None:
        return
    if not photo.is_withdrawn:
        if photo.lapses_at and photo.lapses_at - timezone.now() < CLOCK_SKEW:
            raise NotYetLapsed
        return  # renewed since: the job for the new date was planned with it
    photo.withdraw_files()


# Licences run out at midnight, when a job planned for each photo takes its files down.
# This also fires then (every time zone's midnight is on a quarter hour) and catches a
# photo whose job was lost, or a licence date written past Photo.save().
WITHDRAWN_FILES_CRON = "*/15 * * * *"


@app.periodic(cron=WITHDRAWN_FILES_CRON)
@app.task(name="publication.sweep_withdrawn_photos", queue="images", queueing_lock="sweep-photos")
@with_fresh_connection
def sweep_withdrawn_photos(*, timestamp: int) -> None:
    for photo in Photo.objects.files_out_of_step():
        # One job per photo, retried on its own; not a second one while one waits.
        first = {"priority": WITHDRAWAL_PRIORITY} if photo.is_withdrawn else {}
        with contextlib.suppress(AlreadyEnqueued):
            photo_renditions.configure(queueing_lock=f"photo-files-{photo.pk}", **first).defer(
                photo_id=photo.pk
            )
