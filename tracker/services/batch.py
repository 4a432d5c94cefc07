"""Several entries in one request, all or nothing: the offline outbox sends its backlog this way.

Each entry must carry its own client id, so the batch is idempotent as a whole: replaying it returns the
stored entries and stores nothing new. One bad entry stores nothing, and the error names it by its
position and id.
"""

import logging

from django.core.exceptions import ValidationError
from django.db import OperationalError, connection, transaction

from tracker.services.entries import IdConflict, dose_create, intake_create

MAX_ENTRIES = 100
INTAKE, DOSE = "intake", "supplement_dose"
BATCH_ID_REQUIRED = (
    "Each entry of a batch needs its own id (a UUID the app chooses), so that a replay stores nothing."
)
# A transaction PostgreSQL chose as a deadlock's victim (40P01) or a serialization failure (40001) is
# retried whole: nothing of it was stored.
RETRIED_SQLSTATES = {"40P01", "40001"}
ATTEMPTS = 4

logger = logging.getLogger(__name__)


class BatchConflict(IdConflict):
    def __init__(self, position: int, entry_id, message: str):
        super().__init__(message)
        self.position, self.entry_id = position, entry_id


class BatchInvalid(ValueError):
    """One entry broke a rule; ``errors`` are its messages per field."""

    def __init__(self, position: int, errors: dict, message: str):
        super().__init__(message)
        self.position, self.errors = position, errors


def _where(position: int, fields: dict) -> str:
    entry_id = fields.get("id")
    return f"entry {position + 1}" + (f" (id {entry_id})" if entry_id else "")


def entries_create_batch(*, user, entries: list[tuple[str, dict]]) -> list[tuple[str, object, bool]]:
    """``entries``: (kind, fields) pairs as the intake and dose services take them, each with its client
    ``id``. Returns (kind, row, created) in the order given. Raises BatchInvalid or BatchConflict naming
    the entry.

    Rows are inserted in the order of their ids, whatever the order sent: two batches sharing ids (an
    outbox replayed from two tabs, a retry racing the original) then wait for each other instead of
    each holding an id the other needs. A transaction that still loses a deadlock is retried."""
    order = sorted(range(len(entries)), key=lambda position: str(entries[position][1].get("id") or ""))
    if connection.in_atomic_block:  # a caller's transaction: a retry is the caller's to make
        with transaction.atomic():
            return _create_in_order(user, entries, order)
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with transaction.atomic():
                return _create_in_order(user, entries, order)
        except OperationalError as exc:
            if attempt == ATTEMPTS or not _retryable(exc):
                raise
            logger.warning("batch transaction lost a deadlock; retrying (attempt %d)", attempt + 1)
    raise AssertionError("unreachable")


def _retryable(exc: OperationalError) -> bool:
    cause = exc.__cause__
    return (getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)) in RETRIED_SQLSTATES


def _create_in_order(user, entries, order) -> list[tuple[str, object, bool]]:
    results: list = [None] * len(entries)
    for position in order:
        kind, fields = entries[position]
        create = intake_create if kind == INTAKE else dose_create
        try:
            row, created = create(user=user, **fields)
        except ValidationError as exc:
            detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
            message = f"{_where(position, fields)} is invalid: nothing was stored."
            raise BatchInvalid(position, detail, message) from exc
        except IdConflict as exc:
            raise BatchConflict(position, fields.get("id"), f"{_where(position, fields)}: {exc}") from exc
        results[position] = (kind, row, created)
    return results
