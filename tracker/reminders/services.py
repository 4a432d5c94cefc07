"""Reminder reads and writes, the dispatcher, and the delivery of one occurrence.

Exactly once: the dispatcher locks due reminders (SELECT … FOR UPDATE SKIP LOCKED), inserts one
delivery per reminder, local date and slot under a unique constraint, advances next_fire_at and enqueues
the sends after commit. A delivery is claimed by a conditional UPDATE before anything is sent, so a
retried or redelivered task finds it taken or finished. Channels already done are not sent again.
"""

import logging
import smtplib
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from tracker.models import zone_named
from tracker.reminders import content, links, push, schedule
from tracker.reminders.models import (
    Channel,
    DeliveryStatus,
    PushSubscription,
    Reminder,
    ReminderDelivery,
    ReminderKind,
)
from tracker.work import queue_task

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
LEASE = timedelta(minutes=2)  # longer than a push (10 s) and an email (10 s) time-out together
DISPATCH_BATCH = 1000
SEND_BATCH = 100
MAX_REMINDERS_PER_USER = 50
CLOCK_SKEW = timedelta(seconds=5)  # between the machine that dispatched a delivery and the worker


class RetryLater(Exception):
    def __init__(self, countdown: int):
        super().__init__(f"retry in {countdown} s")
        self.countdown = countdown


# --- Reminders ------------------------------------------------------------------------------------------


def _zone_of(user) -> ZoneInfo:
    try:
        return zone_named(user.profile.time_zone)
    except Exception:  # noqa: BLE001 - no profile yet: UTC
        return zone_named("UTC")


def _check(kind, local_time, weekdays, channels) -> dict:
    errors = {}
    if kind is not None and kind not in ReminderKind.values:
        errors["kind"] = [f"Choose one of: {', '.join(ReminderKind.values)}."]
    if local_time is not None and not isinstance(local_time, time):
        errors["local_time"] = ["Enter a time of day, e.g. 08:00."]
    if weekdays is not None:
        if not weekdays or any(
            not isinstance(d, int) or isinstance(d, bool) or not 0 <= d <= 6 for d in weekdays
        ):
            errors["weekdays"] = ["Give one or more days, 0 (Monday) to 6 (Sunday)."]
    if channels is not None:
        if not channels or any(c not in Channel.values for c in channels):
            errors["channels"] = [f"Give one or more of: {', '.join(Channel.values)}."]
    return errors


def _mask(weekdays: list[int]) -> int:
    return sum(1 << day for day in set(weekdays))


def _schedule(reminder: Reminder, *, now: datetime | None = None) -> None:
    reminder.next_fire_at = (
        schedule.next_fire_at(
            local_time=reminder.local_time,
            weekdays=reminder.weekdays,
            zone=_zone_of(reminder.user),
            after=now or timezone.now(),
        )
        if reminder.enabled
        else None
    )


def reminder_create(
    *,
    user,
    kind: str,
    local_time: time,
    weekdays: list[int] | None = None,
    channels: list[str] | None = None,
    enabled: bool = True,
    email_fallback: bool = True,
) -> Reminder:
    weekdays = list(range(7)) if weekdays is None else weekdays
    channels = [Channel.WEB_PUSH, Channel.EMAIL] if channels is None else channels
    errors = _check(kind, local_time, weekdays, channels)
    if Reminder.objects.filter(user=user).count() >= MAX_REMINDERS_PER_USER:
        errors["non_field_errors"] = [f"At most {MAX_REMINDERS_PER_USER} reminders."]
    if errors:
        raise ValidationError(errors)
    reminder = Reminder(
        user=user,
        kind=kind,
        local_time=local_time.replace(second=0, microsecond=0),
        weekdays=_mask(weekdays),
        channels=sorted(set(channels)),
        enabled=enabled,
        email_fallback=email_fallback,
    )
    _schedule(reminder)
    reminder.save()
    return reminder


def reminder_update(*, reminder: Reminder, **fields) -> Reminder:
    errors = _check(
        fields.get("kind"), fields.get("local_time"), fields.get("weekdays"), fields.get("channels")
    )
    if errors:
        raise ValidationError(errors)
    if "kind" in fields:
        reminder.kind = fields["kind"]
    if "local_time" in fields:
        reminder.local_time = fields["local_time"].replace(second=0, microsecond=0)
    if "weekdays" in fields:
        reminder.weekdays = _mask(fields["weekdays"])
    if "channels" in fields:
        reminder.channels = sorted(set(fields["channels"]))
    if "enabled" in fields:
        reminder.enabled = fields["enabled"]
    if "email_fallback" in fields:
        reminder.email_fallback = fields["email_fallback"]
    if reminder.enabled and not reminder.channels:  # its email was unsubscribed and nothing is left
        raise ValidationError({"channels": ["Choose push, email or both to turn this reminder on."]})
    _schedule(reminder)
    reminder.save()
    return reminder


def reminders_reschedule(*, user) -> int:
    """After a change of time zone: every reminder fires at its local time in the new zone."""
    reminders = list(Reminder.objects.filter(user=user, enabled=True).select_related("user__profile"))
    for reminder in reminders:
        _schedule(reminder)
    Reminder.objects.bulk_update(reminders, ["next_fire_at"])
    return len(reminders)


# --- Push subscriptions ---------------------------------------------------------------------------------


def subscription_save(*, user, endpoint: str, p256dh: str, auth: str) -> tuple[PushSubscription, bool]:
    """Store a browser's subscription. The same endpoint again updates it (and moves it to this user:
    an endpoint belongs to one browser profile, and the last account signed in there owns it)."""
    subscription, created = PushSubscription.objects.update_or_create(
        endpoint=endpoint, defaults={"user": user, "p256dh": p256dh, "auth": auth}
    )
    return subscription, created


def subscription_delete(*, user, endpoint: str) -> bool:
    deleted, _ = PushSubscription.objects.filter(user=user, endpoint=endpoint).delete()
    return bool(deleted)


# --- The dispatcher ---------------------------------------------------------------------------------------


@dataclass
class DispatchResult:
    due: int = 0
    queued: int = 0
    stale: int = 0
    batches: int = 0
    requeued: int = 0


def dispatch_due(*, now: datetime | None = None, batch_size: int = DISPATCH_BATCH) -> DispatchResult:
    """Turn every reminder due by ``now`` into one delivery and enqueue the sends, in batches.

    The cost follows the number of due reminders: the partial index on next_fire_at finds them
    directly, and each batch of up to ``batch_size`` costs a handful of queries whatever the number of
    users (5.1 on average in bench/dispatch_bench.py: lock, insert, the next times, the requeue).
    """
    now = now or timezone.now()
    result = DispatchResult()
    while True:
        with transaction.atomic():
            due = list(
                Reminder.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(enabled=True, next_fire_at__lte=now)
                .select_related("user__profile")
                .only(
                    "id",
                    "user_id",
                    "local_time",
                    "weekdays",
                    "next_fire_at",
                    "channels",
                    "email_fallback",
                    "user__id",
                    "user__profile__time_zone",
                )
                .order_by("next_fire_at", "user_id")[:batch_size]
            )
            if not due:
                break
            result.batches += 1
            result.due += len(due)
            deliveries = []
            for reminder in due:
                zone = _zone_of(reminder.user)
                scheduled = reminder.next_fire_at
                stale = schedule.is_stale(scheduled, now)
                deliveries.append(
                    ReminderDelivery(
                        id=uuid.uuid4(),
                        reminder=reminder,
                        user_id=reminder.user_id,
                        local_date=scheduled.astimezone(zone).date(),
                        slot=schedule.slot_of(reminder.local_time),
                        scheduled_for=scheduled,
                        status=DeliveryStatus.SKIPPED if stale else DeliveryStatus.PENDING,
                        reason=(
                            f"stale: due {int((now - scheduled).total_seconds() // 60)} minutes ago, while the "
                            f"workers were down (missed reminders are sent up to "
                            f"{int(schedule.CATCH_UP_WINDOW.total_seconds() // 60)} minutes late)"
                            if stale
                            else ""
                        ),
                        finished_at=now if stale else None,
                    )
                )
                result.stale += stale
                reminder.next_fire_at = schedule.next_fire_at(
                    local_time=reminder.local_time,
                    weekdays=reminder.weekdays,
                    zone=zone,
                    after=max(scheduled, now),
                )
            _group(deliveries, {reminder.pk: reminder for reminder in due})
            inserted = _insert_deliveries(deliveries)
            _save_next_fire_times(due)
            # a group goes out through its leader; a member whose leader was not inserted goes alone
            queued = [
                str(d.id)
                for d in deliveries
                if d.status == DeliveryStatus.PENDING
                and d.id in inserted
                and (d.group_leader in (None, d.id) or d.group_leader not in inserted)
            ]
            result.queued += len(queued)
            _enqueue_on_commit(queued)
    result.requeued = _requeue_abandoned(now)
    return result


def _group(deliveries: list[ReminderDelivery], reminders: dict) -> None:
    """Reminders of one user due at the same moment on the same channels become one group: one
    notification and one email, sent by the first (the leader), each keeping its own delivery."""
    groups: dict[tuple, list[ReminderDelivery]] = {}
    for delivery in deliveries:
        if delivery.status != DeliveryStatus.PENDING:
            continue
        reminder = reminders[delivery.reminder_id]
        key = (delivery.user_id, delivery.scheduled_for, tuple(reminder.channels), reminder.email_fallback)
        groups.setdefault(key, []).append(delivery)
    for members in groups.values():
        if len(members) > 1:
            members.sort(key=lambda d: d.reminder_id)  # the leader: the reminder made first
            for member in members:
                member.group_leader = members[0].id


_DELIVERY_COLUMNS = (
    ("id", "uuid"),
    ("reminder_id", "bigint"),
    ("user_id", "integer"),
    ("local_date", "date"),
    ("slot", "text"),
    ("scheduled_for", "timestamptz"),
    ("status", "text"),
    ("reason", "text"),
    ("finished_at", "timestamptz"),
    ("group_leader", "uuid"),
)


def _insert_deliveries(deliveries: list[ReminderDelivery]) -> set:
    """Insert a batch of deliveries, skipping any that exists already (a slot is delivered once);
    returns the ids inserted. On PostgreSQL one INSERT from arrays (unnest) with RETURNING: Django's
    bulk_create prepared 15 values per row in Python and needed a SELECT after it to learn which rows
    went in, a third of the dispatcher's time."""
    if connection.vendor != "postgresql":
        ReminderDelivery.objects.bulk_create(deliveries, ignore_conflicts=True)
        ids = [d.id for d in deliveries]
        return set(ReminderDelivery.objects.filter(id__in=ids).values_list("id", flat=True))
    table = ReminderDelivery._meta.db_table
    names = ", ".join(name for name, _ in _DELIVERY_COLUMNS)
    arrays = ", ".join(f"%s::{kind}[]" for _, kind in _DELIVERY_COLUMNS)
    columns = [[getattr(d, name) for d in deliveries] for name, _ in _DELIVERY_COLUMNS]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({names}, title, body, channel_results, attempts, created_at, "
            "offer, answer, answered_via) "
            f"SELECT *, '', '', '{{}}'::jsonb, 0, now(), '{{}}'::jsonb, '', '' FROM unnest({arrays}) "
            "ON CONFLICT DO NOTHING RETURNING id",
            columns,
        )
        return {row[0] for row in cursor.fetchall()}


def _save_next_fire_times(reminders: list[Reminder]) -> None:
    """One UPDATE per distinct next time: reminders due in the same minute mostly move on to the same
    instant (the same time tomorrow), so a batch of 1,000 usually takes one or a few statements."""
    by_time: dict[datetime | None, list[int]] = {}
    for reminder in reminders:
        by_time.setdefault(reminder.next_fire_at, []).append(reminder.pk)
    for next_time, ids in by_time.items():
        Reminder.objects.filter(pk__in=ids).update(next_fire_at=next_time)


def _enqueue_on_commit(delivery_ids: list[str]) -> None:
    for start in range(0, len(delivery_ids), SEND_BATCH):
        # robust: a broker outage must not undo the committed deliveries (they are requeued later)
        transaction.on_commit(
            partial(queue_task, "send_reminder_batch", delivery_ids[start : start + SEND_BATCH]), robust=True
        )


def _requeue_abandoned(now: datetime) -> int:
    """Deliveries whose worker died (lease expired) or whose message was lost (pending for minutes),
    still within the catch-up window, are enqueued again; the claim makes a duplicate harmless. A
    snooze (made pending for later) is enqueued here too, on the first run after it is due."""
    window_start = now - schedule.CATCH_UP_WINDOW
    abandoned = list(
        ReminderDelivery.objects.filter(scheduled_for__gte=window_start)
        .filter(
            Q(status=DeliveryStatus.SENDING, claimed_until__lt=now)
            | Q(status=DeliveryStatus.PENDING, created_at__lt=now - LEASE, scheduled_for__lte=now)
            | Q(status=DeliveryStatus.RETRYING, claimed_until__lt=now - LEASE)
        )
        # a group goes through its leader; a member whose leader is gone (not inserted, or its reminder
        # deleted) goes alone
        .filter(Q(group_leader__isnull=True) | Q(group_leader=F("id")) | ~Exists(_leader_row()))
        .values_list("id", flat=True)[: SEND_BATCH * 10]
    )
    with transaction.atomic():
        _enqueue_on_commit([str(pk) for pk in abandoned])
    _close_expired(now, window_start)
    return len(abandoned)


def _leader_row():
    return ReminderDelivery.objects.filter(pk=OuterRef("group_leader"))


def _close_expired(now: datetime, window_start: datetime) -> int:
    """Deliveries left unfinished past the catch-up window (their worker died late in it, or a retry
    message was lost) are closed for good: `uncertain` when an email may have gone out, `sent` when a
    channel reached the user, else `failed`. Nothing stays "sending" or "retrying" forever."""
    stale = list(
        ReminderDelivery.objects.filter(scheduled_for__lt=window_start)
        .filter(
            Q(status=DeliveryStatus.PENDING)
            | Q(status__in=[DeliveryStatus.SENDING, DeliveryStatus.RETRYING], claimed_until__lt=now)
        )
        # a member ends as its leader does (below), unless its leader is gone
        .filter(Q(group_leader__isnull=True) | Q(group_leader=F("id")) | ~Exists(_leader_row()))
        .only("id", "status", "attempts", "channel_results", "title", "body", "group_leader")[
            : SEND_BATCH * 10
        ]
    )
    window = int(schedule.CATCH_UP_WINDOW.total_seconds() // 60)
    for delivery in stale:
        results = dict(delivery.channel_results)
        if results.get("email") == "sending":
            results["email"] = "uncertain"
            status, reason = DeliveryStatus.UNCERTAIN, IN_DOUBT_EMAIL
        elif results.get("push_sent_to") or results.get("email") == "sent":
            status, reason = DeliveryStatus.SENT, ""
        else:
            status, reason = DeliveryStatus.FAILED, f"not sent within the {window}-minute catch-up window"
        closed = ReminderDelivery.objects.filter(
            pk=delivery.pk, status=delivery.status, attempts=delivery.attempts
        ).update(
            status=status, reason=reason[:300], channel_results=results, finished_at=now, claimed_until=None
        )
        if closed and delivery.group_leader == delivery.pk:
            ReminderDelivery.objects.filter(group_leader=delivery.pk, status=DeliveryStatus.PENDING).exclude(
                pk=delivery.pk
            ).update(status=status, reason=reason[:300], channel_results=results, finished_at=now)
    return len(stale)


def test_send(*, reminder: Reminder) -> ReminderDelivery:
    """Send a reminder now, whatever its schedule (the PWA's "test" button)."""
    now = timezone.now()
    zone = _zone_of(reminder.user)
    with transaction.atomic():
        delivery = ReminderDelivery.objects.create(
            reminder=reminder,
            user_id=reminder.user_id,
            local_date=now.astimezone(zone).date(),
            slot=f"test-{now:%H%M%S%f}",
            scheduled_for=now,
        )
        transaction.on_commit(partial(queue_task, "send_reminder", str(delivery.pk)), robust=True)
    return delivery


# --- Delivery ---------------------------------------------------------------------------------------------
#
# What a recipient gets (the README's "Reminders: what is guaranteed" says the same):
# - A delivery is sent by one worker at a time: the claim is a conditional UPDATE with a lease.
# - Each channel's attempt is written down (committed) before the message leaves, and its outcome after.
# - Email: sent again only after an attempt that ended in an error we saw (connection refused or reset,
#   time-out, a 4xx answer). An attempt whose outcome nobody saw (the worker died between "sending"
#   and the result) is never repeated: the delivery ends "uncertain", because the mail server may have
#   accepted it. Every attempt of one delivery carries the same Message-ID, so a mail client that sees
#   a copy after an error-and-retry recognises it.
# - Web Push: a send whose outcome nobody saw is repeated, with the same Topic header (a push service
#   replaces a message it still holds with the same topic) and the same notification tag (the phone
#   replaces the notification instead of adding one): at most one notification per reminder is shown.

_TRANSIENT_MAIL_ERRORS = (
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    socket.timeout,
    ConnectionError,
)
IN_DOUBT_EMAIL = (
    "email: the worker stopped while sending, so it is not known whether the mail server accepted it; "
    "not sent again, to never send it twice"
)


def _claim(delivery_id, now: datetime) -> bool:
    """Take a delivery for this worker. Not before it is due (a snooze is made 30 minutes ahead)."""
    return bool(
        ReminderDelivery.objects.filter(pk=delivery_id)
        .filter(
            Q(
                status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING],
                scheduled_for__lte=now + CLOCK_SKEW,
            )
            | Q(status=DeliveryStatus.SENDING, claimed_until__lt=now)
        )
        .update(status=DeliveryStatus.SENDING, claimed_until=now + LEASE, attempts=F("attempts") + 1)
    )


class ClaimLost(Exception):
    """Another worker claimed this delivery (this one was too slow for its lease), or it is gone."""


def _record(delivery: ReminderDelivery, results: dict, **fields) -> None:
    """Write the channel results (and any other fields) now, committed, whatever happens next, and
    extend the lease. Only while this worker's claim holds (the attempt number it claimed): if another
    worker has claimed the delivery since, or the account was deleted, raise ClaimLost and send nothing
    more."""
    delivery.channel_results = results
    fields.setdefault("claimed_until", timezone.now() + LEASE)
    if not ReminderDelivery.objects.filter(pk=delivery.pk, attempts=delivery.attempts).update(
        channel_results=results, **fields
    ):
        raise ClaimLost(str(delivery.pk))


def _finish(delivery: ReminderDelivery, status: str, reason: str = "") -> str:
    delivery.status, delivery.reason = status, reason[:300]
    delivery.finished_at = timezone.now()
    delivery.claimed_until = None
    ReminderDelivery.objects.filter(pk=delivery.pk, attempts=delivery.attempts).update(
        status=delivery.status,
        reason=delivery.reason,
        finished_at=delivery.finished_at,
        claimed_until=None,
        title=delivery.title,
        body=delivery.body,
        channel_results=delivery.channel_results,
    )
    log.info("reminder delivery %s %s", delivery.pk, status)
    return status


def _finish_members(leader: ReminderDelivery, status: str, reason: str) -> None:
    """The members of a leader's group that went out with it end as it did."""
    if leader.group_leader != leader.pk:
        return
    ReminderDelivery.objects.filter(group_leader=leader.pk, status=DeliveryStatus.PENDING).exclude(
        pk=leader.pk
    ).update(
        status=status, reason=reason[:300], finished_at=timezone.now(), channel_results=leader.channel_results
    )


def _members(leader: ReminderDelivery) -> list[ReminderDelivery]:
    """The other deliveries of a leader's group still to send, their messages built (once) and
    recorded; one with nothing to send (turned off, goal met, …) ends skipped, with its reason."""
    if leader.group_leader != leader.pk:
        return []
    live = []
    members = (
        ReminderDelivery.objects.filter(group_leader=leader.pk, status=DeliveryStatus.PENDING)
        .exclude(pk=leader.pk)
        .select_related("reminder", "user__profile")
        .order_by("reminder__local_time", "reminder_id")
    )
    for member in members:
        skip = "the reminder was turned off" if not member.reminder.enabled else ""
        if not skip and not member.body:
            message = content.build_message(
                kind=member.reminder.kind,
                user=member.user,
                day=member.local_date,
                at=member.reminder.local_time,
            )
            skip = message.skip_reason
            if not skip:
                member.title, member.body, member.offer = message.title, message.body, message.offer
                member.channel_results = {"url": message.url}
                ReminderDelivery.objects.filter(pk=member.pk).update(
                    title=member.title,
                    body=member.body,
                    offer=member.offer,
                    channel_results=member.channel_results,
                )
        if skip:
            ReminderDelivery.objects.filter(pk=member.pk, status=DeliveryStatus.PENDING).update(
                status=DeliveryStatus.SKIPPED, reason=skip[:300], finished_at=timezone.now()
            )
            continue
        live.append(member)
    return live


def _send_push(
    delivery: ReminderDelivery, results: dict, out: links.Outgoing
) -> tuple[int, list[str], list[str]]:
    """Push to every subscription not yet reached. Returns (reached now or before, transient, permanent)."""
    done = set(results.get("push_sent_to", []))
    transient, permanent = [], []
    payload = {
        "title": out.title,
        "body": out.body,
        "url": out.url,
        "tag": f"reminder-{delivery.reminder_id}",
        "delivery": str(out.delivery.pk),
        **out.push_extra,
    }
    subscriptions = list(PushSubscription.objects.filter(user_id=delivery.user_id))
    if not push.is_configured():
        results["web_push"] = "not configured on this server (no VAPID keys)"
        return len(done), transient, permanent
    for subscription in subscriptions:
        if subscription.pk in done:
            continue
        try:
            results["push_sending"] = subscription.pk
            _record(delivery, results)
            push.send(subscription.as_subscription_info(), payload, topic=push.topic_for(delivery.pk))
            done.add(subscription.pk)
        except push.PushGone as exc:
            PushSubscription.objects.filter(pk=subscription.pk).delete()
            permanent.append(f"push: subscription removed ({exc})")
        except push.PushTransient as exc:
            transient.append(f"push: {exc}")
            if exc.retry_after:
                results["retry_after"] = exc.retry_after
        except push.PushPermanent as exc:
            permanent.append(f"push: {exc}")
        finally:
            results.pop("push_sending", None)
            # recorded at once: a worker that dies later must not push to this browser again
            results["push_sent_to"] = sorted(done)
            _record(delivery, results)
    results["push_sent_to"] = sorted(done)
    results["web_push"] = f"sent to {len(done)} device(s)" if done else "no device reached"
    return len(done), transient, permanent


def message_id(delivery: ReminderDelivery) -> str:
    """The same Message-ID for every attempt of one delivery."""
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(" >") or "localhost"
    return f"<reminder-{delivery.pk}@{domain}>"


def _send_email(
    delivery: ReminderDelivery, results: dict, address: str, out: links.Outgoing
) -> tuple[bool, list[str], list[str]]:
    if results.get("email") == "sent":
        return True, [], []
    unsubscribe = out.unsubscribe_url
    message = EmailMessage(
        out.title,
        out.email_text,
        settings.DEFAULT_FROM_EMAIL,
        [address],
        headers={
            "Message-ID": message_id(delivery),
            "Auto-Submitted": "auto-generated",
            # RFC 8058: the mail client's own "Unsubscribe" POSTs to the link, which turns this
            # reminder's email off; a human opening it gets a page with the same button
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    connection = get_connection(fail_silently=False)
    results["email"] = "sending"
    _record(delivery, results)
    outcome: tuple[bool, list[str], list[str]]
    try:
        connection.open()
        sent = connection.send_messages([message])
    except _TRANSIENT_MAIL_ERRORS as exc:
        results["email"], outcome = "retrying", (False, [f"email: {type(exc).__name__}"], [])
    except smtplib.SMTPResponseException as exc:
        transient = 400 <= exc.smtp_code < 500
        message_text = f"email: server answered {exc.smtp_code}"
        results["email"] = "retrying" if transient else "failed"
        outcome = (False, [message_text], []) if transient else (False, [], [message_text])
    except (smtplib.SMTPException, OSError) as exc:
        results["email"], outcome = "failed", (False, [], [f"email: {type(exc).__name__}"])
    else:
        if sent:
            results["email"], outcome = "sent", (True, [], [])
        else:
            results["email"], outcome = "failed", (False, [], ["email: the mail server refused the address"])
    finally:
        try:
            connection.close()  # the message was accepted (or not) before this: a failed QUIT changes nothing
        except (smtplib.SMTPException, OSError):
            pass
    _record(delivery, results)
    return outcome


def deliver(delivery_id, *, now: datetime | None = None) -> str:
    """Send one occurrence on its channels; record sent, skipped (and why) or failed (and why).

    Returns the status, or "taken" when another worker holds or finished it (or took it over from this
    one), or "gone" when the account was deleted. Raises RetryLater on a transient failure while
    attempts remain; channels already done are not repeated on the retry.
    """
    try:
        return _deliver(delivery_id, now=now or timezone.now())
    except ClaimLost:
        return "taken"


def _deliver(delivery_id, *, now: datetime) -> str:
    if not _claim(delivery_id, now):
        return "taken"
    delivery = (
        ReminderDelivery.objects.select_related("reminder", "user__profile").filter(pk=delivery_id).first()
    )
    if delivery is None:
        return "gone"
    reminder, user = delivery.reminder, delivery.user
    is_test = delivery.slot.startswith("test-")
    results = dict(delivery.channel_results)
    if results.get("email") == "sending":
        # the last worker wrote "sending" and died before the outcome: the mail server may have it
        results["email"] = "uncertain"
        _record(delivery, results)
    own_skip = results.get("own_skip", "")  # the leader of a group had nothing of its own to send
    if not reminder.enabled and not is_test:
        own_skip = "the reminder was turned off"
    elif not delivery.body and not own_skip:
        message = content.build_message(
            kind=reminder.kind, user=user, day=delivery.local_date, at=reminder.local_time
        )
        if message.skip_reason and not is_test:
            own_skip = message.skip_reason
        else:
            delivery.title = message.title or "Magnesium tracker"
            delivery.body = message.body or f"Test reminder: {message.skip_reason}."
            delivery.offer = message.offer
            results["url"] = message.url
            _record(delivery, results, title=delivery.title, body=delivery.body, offer=delivery.offer)
    members = _members(delivery)
    if own_skip and not members:
        if results.get("push_sent_to") or results.get("email") == "sent":
            return _finish(delivery, DeliveryStatus.SENT, f"{own_skip} after it was sent")
        if results.get("email") == "uncertain":
            return _finish(delivery, DeliveryStatus.UNCERTAIN, IN_DOUBT_EMAIL)
        return _finish(delivery, DeliveryStatus.SKIPPED, own_skip)
    if own_skip and not results.get("own_skip"):
        results["own_skip"] = own_skip
        _record(delivery, results)
    parts = ([] if own_skip else [delivery]) + members
    out = links.outgoing(parts, results.get("url") or parts[0].channel_results.get("url", "/"))

    attempts = delivery.attempts or 1
    last_attempt = attempts >= MAX_ATTEMPTS
    transient, permanent = [], []
    reached = 0
    if Channel.WEB_PUSH in reminder.channels:
        reached, push_transient, push_permanent = _send_push(delivery, results, out)
        transient += push_transient
        permanent += push_permanent
    # Email is the fallback when push reached no browser and will not (no retry left, or none pending).
    wants_email = Channel.EMAIL in reminder.channels or (
        Channel.WEB_PUSH in reminder.channels
        and reminder.email_fallback
        and not reached
        and (not transient or last_attempt)
    )
    uncertain = results.get("email") == "uncertain"
    if wants_email and user.email and not uncertain:
        if Channel.EMAIL not in reminder.channels:
            results["email_fallback"] = True
        sent, mail_transient, mail_permanent = _send_email(delivery, results, user.email, out)
        reached += sent
        transient += mail_transient
        permanent += mail_permanent
    delivery.channel_results = results

    retry_after = int(results.pop("retry_after", 0))
    if transient and not last_attempt:
        delivery.status, delivery.reason = DeliveryStatus.RETRYING, "; ".join(transient)[:300]
        # never past the catch-up window: a retry that late would not be sent anyway
        window_left = (delivery.scheduled_for + schedule.CATCH_UP_WINDOW - timezone.now()).total_seconds()
        countdown = max(1, min(retry_after or 30 * 2 ** (attempts - 1), 1800, int(window_left)))
        delivery.claimed_until = timezone.now() + timedelta(seconds=countdown)
        _record(
            delivery,
            results,
            status=delivery.status,
            reason=delivery.reason,
            claimed_until=delivery.claimed_until,
        )
        raise RetryLater(countdown)
    if reached:
        return _end(delivery, own_skip, DeliveryStatus.SENT, "; ".join(permanent + transient))
    if uncertain:
        return _end(
            delivery, own_skip, DeliveryStatus.UNCERTAIN, "; ".join([IN_DOUBT_EMAIL] + permanent + transient)
        )
    if not transient and not permanent:
        return _end(
            delivery,
            own_skip,
            DeliveryStatus.SKIPPED,
            "no channel available: no push subscription and no email address",
        )
    reason = "; ".join(permanent + transient)
    if transient:
        reason = f"gave up after {attempts} attempts: {reason}"
    return _end(delivery, own_skip, DeliveryStatus.FAILED, reason)


def _end(delivery: ReminderDelivery, own_skip: str, status: str, reason: str = "") -> str:
    """A delivery's last word, shared by the members of its group; a leader that carried only its
    members' messages ends skipped, with its own reason."""
    _finish_members(delivery, status, reason)
    if own_skip:
        _finish(delivery, DeliveryStatus.SKIPPED, own_skip)
        return status
    return _finish(delivery, status, reason)
