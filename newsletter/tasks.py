"""Jobs run by `manage.py procrastinate worker`; deferred in the transaction that needs them."""

import functools

from django.db import close_old_connections, connections
from procrastinate import RetryStrategy
from procrastinate.contrib.django import app

from newsletter import services
from newsletter.models import Roundup

# Procrastinate waits exponential_wait ** (attempts + 1) seconds: 8 retries waiting 4 s,
# 16 s, 64 s … 4.6 h and 18 h, so the last try comes about a day after the first. That
# outlasts a mail-server outage while a confirmation link (valid a week) is still useful.
MAIL_RETRY = RetryStrategy(max_attempts=8, exponential_wait=4)


def with_fresh_connection(func):
    """Sync jobs run in the worker's threads, each with its own Django connection:
    close it when the job ends so none is left open (or in a broken state)."""

    @functools.wraps(func)
    def wrapper(**kwargs):
        close_old_connections()
        try:
            return func(**kwargs)
        finally:
            connections.close_all()

    return wrapper


@app.task(name="newsletter.send_delivery", queue="mail", retry=MAIL_RETRY)
@with_fresh_connection
def send_delivery(*, delivery_id: int) -> None:
    """A confirmation email or a round-up test copy."""
    services.delivery_send(delivery_id=delivery_id)


@app.task(name="newsletter.roundup_prepare", queue="mail", retry=MAIL_RETRY)
@with_fresh_connection
def roundup_prepare(*, roundup_id: int) -> None:
    services.roundup_prepare(roundup_id=roundup_id)
    services.roundup_continue(roundup=Roundup.objects.get(pk=roundup_id))


@app.task(name="newsletter.roundup_send_batch", queue="mail", retry=MAIL_RETRY)
@with_fresh_connection
def roundup_send_batch(*, roundup_id: int) -> None:
    if services.roundup_send_batch(roundup_id=roundup_id):
        services.roundup_continue(roundup=Roundup.objects.get(pk=roundup_id))


@app.periodic(cron="*/5 * * * *")
@app.task(
    name="newsletter.retry_stalled_jobs", queueing_lock="retry_stalled_jobs", pass_context=True
)
async def retry_stalled_jobs(context, timestamp):
    """Put back jobs whose worker died (no heartbeat), so a crash only delays sending."""
    for job in await context.app.job_manager.get_stalled_jobs():
        await context.app.job_manager.retry_job(job)
