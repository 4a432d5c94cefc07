"""Several entries in one request, all or nothing: the offline outbox sends its backlog this way.

Each entry carries its own client id, so the batch is idempotent as a whole: replaying it returns the
stored entries and stores nothing new. One bad entry stores nothing, and the error names it by its
position and id.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from tracker.services.entries import IdConflict, dose_create, intake_create

MAX_ENTRIES = 100
INTAKE, DOSE = "intake", "supplement_dose"


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


@transaction.atomic
def entries_create_batch(*, user, entries: list[tuple[str, dict]]) -> list[tuple[str, object, bool]]:
    """``entries``: (kind, fields) pairs as the intake and dose services take them. Returns
    (kind, row, created) in order. Raises BatchInvalid or BatchConflict naming the entry."""
    results = []
    for position, (kind, fields) in enumerate(entries):
        create = intake_create if kind == INTAKE else dose_create
        try:
            row, created = create(user=user, **fields)
        except ValidationError as exc:
            detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
            message = f"{_where(position, fields)} is invalid: nothing was stored."
            raise BatchInvalid(position, detail, message) from exc
        except IdConflict as exc:
            raise BatchConflict(position, fields.get("id"), f"{_where(position, fields)}: {exc}") from exc
        results.append((kind, row, created))
    return results
