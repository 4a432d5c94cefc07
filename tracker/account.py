"""Deleting an account: everything that belongs to it goes, whatever else is running. Above the
services and the reminders (it locks the reminders the dispatcher may hold), so that neither needs
the other."""

import logging

from django.contrib.auth import get_user_model
from django.db import IntegrityError, OperationalError, transaction

from tracker.reminders.models import Reminder

log = logging.getLogger(__name__)


def account_delete(*, user_id: int, attempts: int = 3) -> None:
    """Delete the user and, by cascade, every row of theirs (profile, entries, doses, own foods, saved
    meals, reminders, deliveries, push subscriptions, tokens).

    The reminder dispatcher may be inserting a delivery for one of their reminders at this moment: the
    reminders are locked first (the dispatcher's own lock, which it skips when taken), so the cascade
    sees every delivery that exists. Should a row still slip in, the deletion runs again.
    """
    user_model = get_user_model()
    for attempt in range(1, attempts + 1):
        try:
            with transaction.atomic():
                user = user_model.objects.select_for_update().filter(pk=user_id).first()
                if user is None:
                    return
                list(
                    Reminder.objects.select_for_update().filter(user_id=user_id).values_list("pk", flat=True)
                )
                from axes.models import AccessAttempt, AccessFailureLog, AccessLog

                for model in (AccessAttempt, AccessFailureLog, AccessLog):  # addresses, user agents
                    model.objects.filter(username=user.username).delete()
                user.delete()
            return
        except (IntegrityError, OperationalError):
            if attempt == attempts:
                raise
            log.warning("account deletion raced with a writer; trying again (attempt %s)", attempt + 1)
