"""Reminders, browsers' push subscriptions, and the record of every delivery."""

import uuid

from django.conf import settings
from django.db import models


class ReminderKind(models.TextChoices):
    LOG_MEALS = "log_meals", "Log meals"
    TAKE_SUPPLEMENT = "take_supplement", "Take supplement"
    WEEKLY_SUMMARY = "weekly_summary", "Weekly summary"


class Channel(models.TextChoices):
    WEB_PUSH = "web_push", "Web Push"
    EMAIL = "email", "Email"


ALL_WEEKDAYS = 0b1111111  # bit 0 is Monday, as in date.weekday()


class Reminder(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=32, choices=ReminderKind.choices)
    local_time = models.TimeField(help_text="Time of day on the user's own clock.")
    weekdays = models.PositiveSmallIntegerField(
        default=ALL_WEEKDAYS, help_text="Bit 0 = Monday … bit 6 = Sunday."
    )
    channels = models.JSONField(default=list, help_text='Any of "web_push" and "email".')
    enabled = models.BooleanField(default=True)
    email_fallback = models.BooleanField(
        default=True,
        help_text="Email when push reached no browser; turned off by the email's one-click unsubscribe.",
    )
    next_fire_at = models.DateTimeField(
        null=True, blank=True, help_text="The next time it is due, in UTC; null while disabled."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["local_time", "id"]
        indexes = [
            # The dispatcher's only query: due rows, found directly, whatever the number of users.
            models.Index(fields=["next_fire_at"], condition=models.Q(enabled=True), name="reminder_due"),
        ]

    def __str__(self) -> str:
        return f"Reminder {self.pk} ({self.kind})"

    @property
    def weekday_list(self) -> list[int]:
        return [day for day in range(7) if self.weekdays & (1 << day)]


class PushSubscription(models.Model):
    """A browser's Web Push subscription (PushSubscription.toJSON() of the PWA)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = models.URLField(max_length=2000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Push subscription {self.pk}"

    def as_subscription_info(self) -> dict:
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    RETRYING = "retrying", "Waiting to retry"
    SENT = "sent", "Sent"
    SKIPPED = "skipped", "Skipped"
    FAILED = "failed", "Failed"
    # The worker stopped while an email was being sent: the mail server may or may not have it. Never
    # sent again (that could be a second copy).
    UNCERTAIN = "uncertain", "May have been sent"


class Answer(models.TextChoices):
    """What the user did with a delivered reminder (from the notification, the email or the app)."""

    TAKEN = "taken", "Taken"
    SNOOZED = "snoozed", "Snoozed"
    SKIPPED = "skipped", "Skipped"
    # from an evening meal reminder: "I've logged everything today" (the day marked complete)
    COMPLETED = "completed", "Day complete"


class ReminderDelivery(models.Model):
    """One occurrence of a reminder: at most one per reminder, local date and slot (the unique
    constraint is what makes a second dispatcher, a retry or a redelivered task harmless)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reminder = models.ForeignKey(Reminder, on_delete=models.CASCADE, related_name="deliveries")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    local_date = models.DateField()
    slot = models.CharField(max_length=32, help_text='The local time it was due ("08:00"), or "test-…".')
    scheduled_for = models.DateTimeField()
    status = models.CharField(max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    reason = models.CharField(max_length=300, blank=True, help_text="Why it was skipped or failed.")
    title = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    channel_results = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The dose a supplement reminder names ({"form": id, "form_name": …, "elemental_mg": "200.00"}), which
    # "Taken" logs; empty when it names none (no usual dose yet, or it would pass the upper limit).
    offer = models.JSONField(default=dict, blank=True)
    answer = models.CharField(max_length=9, choices=Answer.choices, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_via = models.CharField(max_length=8, blank=True, help_text='"push", "email" or "app".')
    dose = models.ForeignKey(
        "tracker.SupplementDose",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # the partial index delivery_dose
    )
    # Reminders of one user due at the same moment on the same channels go out as one notification and
    # one email: each keeps its own delivery (its answers, its adherence), all carry the id of the one
    # that sends for the group (its leader, whose own id is the group's). Null: not grouped.
    group_leader = models.UUIDField(null=True, blank=True)
    snooze_of = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="snoozes",
        db_index=False,  # the partial index delivery_snooze_of
        help_text="The delivery whose Snooze made this one.",
    )

    class Meta:
        ordering = ["-scheduled_for"]
        verbose_name_plural = "reminder deliveries"
        constraints = [
            models.UniqueConstraint(fields=["reminder", "local_date", "slot"], name="one_delivery_per_slot"),
        ]
        indexes = [
            models.Index(fields=["user", "-scheduled_for"], name="delivery_user_recent"),
            models.Index(
                fields=["group_leader"], condition=models.Q(group_leader__isnull=False), name="delivery_group"
            ),
            models.Index(fields=["dose"], condition=models.Q(dose__isnull=False), name="delivery_dose"),
            models.Index(
                fields=["snooze_of"], condition=models.Q(snooze_of__isnull=False), name="delivery_snooze_of"
            ),
        ]

    def __str__(self) -> str:
        return f"Delivery {self.pk} ({self.status})"
