"""Celery tasks: thin wrappers that take ids and call the reminder services."""

import logging

from celery import shared_task

from tracker.reminders import services

log = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def dispatch_reminders() -> None:
    """Beat runs this every minute. Running it twice, or from two beats at once, is safe: due rows are
    locked with SKIP LOCKED and advanced in the same transaction, and a delivery is unique per
    reminder, local date and slot."""
    result = services.dispatch_due()
    if result.due or result.requeued:
        log.info(
            "reminders: %s due, %s queued, %s stale, %s requeued in %s batches",
            result.due,
            result.queued,
            result.stale,
            result.requeued,
            result.batches,
        )


@shared_task(ignore_result=True)
def send_reminder_batch(delivery_ids: list[str]) -> None:
    """Send a batch. Safe to run twice: each delivery is claimed before it is sent. One delivery's
    failure never holds up the others: it is logged, and its expired lease brings it back to the
    dispatcher's requeue (tracker/reminders/services.py)."""
    for delivery_id in delivery_ids:
        try:
            services.deliver(delivery_id)
        except services.RetryLater as retry:
            try:
                send_reminder.apply_async((delivery_id,), countdown=retry.countdown)
            except Exception:  # noqa: BLE001 - broker down: the requeue picks it up after its countdown
                log.exception("reminder delivery %s: could not schedule its retry", delivery_id)
        except Exception:  # noqa: BLE001 - see the docstring
            log.exception("reminder delivery %s failed; the rest of its batch goes on", delivery_id)


@shared_task(bind=True, ignore_result=True, max_retries=services.MAX_ATTEMPTS)
def send_reminder(self, delivery_id: str) -> None:
    """Send one delivery, retrying transient failures with backoff. Safe to run twice: the claim lets
    one run send, and channels already done are skipped."""
    try:
        services.deliver(delivery_id)
    except services.RetryLater as retry:
        raise self.retry(countdown=retry.countdown) from None


@shared_task(ignore_result=True)
def run_import(batch_id: str) -> None:
    """Import a large file's rows (tracker/imports/services.py). Safe to run twice: every row's id is
    its own, so a row already written is not written again."""
    from tracker.imports.services import import_run

    import_run(batch_id=batch_id)
