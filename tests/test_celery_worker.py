"""A real Celery worker, on the configured broker (Redis in CI), delivers a reminder end to end."""

import time as clock
from datetime import time, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from tracker.reminders import services as reminders
from tracker.reminders.models import DeliveryStatus, Reminder, ReminderDelivery


@pytest.fixture
def celery_worker_on_broker():
    from celery.contrib.testing.worker import start_worker

    from tracker.celery import app

    app.control.purge()  # nothing left over from other runs
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield app


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_worker_on_redis_dispatches_and_sends_a_reminder(user, celery_worker_on_broker):
    from tracker.tasks import dispatch_reminders

    reminder = reminders.reminder_create(user=user, kind="log_meals", local_time=time(8), channels=["email"])
    Reminder.objects.filter(pk=reminder.pk).update(next_fire_at=timezone.now() - timedelta(seconds=2))

    dispatch_reminders.delay()  # what beat sends every minute

    deadline = clock.monotonic() + 30
    while clock.monotonic() < deadline:
        delivery = ReminderDelivery.objects.filter(reminder=reminder).first()
        if delivery and delivery.status == DeliveryStatus.SENT:
            break
        clock.sleep(0.2)
    assert delivery is not None and delivery.status == DeliveryStatus.SENT, delivery and delivery.status
    assert [m.subject for m in mail.outbox] == ["Time to log your meals"]
    assert "320 mg to go today" in mail.outbox[0].body
