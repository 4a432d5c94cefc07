"""Bring a history: upload → preview → confirm (run here, or by the worker for a large file) → undo.

Each row becomes an entry under an id derived from the account and the row (its content and how many
identical rows came before it in the file), so the same file, or another export overlapping it, adds
nothing the second time. Foods are named as imported, per account, never in the shared catalogue and
never offered in search (they carry the export's magnesium, not a value per 100 g the app can trust).
A magnesium supplement of a form the catalogue knows becomes a dose with the export's elemental
magnesium; one whose form is not recognisable is a food entry marked for review.
"""

import hashlib
import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from foods.models import Food, FoodCategory, Origin, SearchTier, SupplementForm
from tracker.imports import parsers
from tracker.imports.models import ImportBatch, ImportStatus
from tracker.models import IntakeEntry, SupplementDose
from tracker.nutrition import meal_for_local_time
from tracker.services.profile import local_today, profile_get
from tracker.work import queue_task

SYNC_ROWS = 2_000  # larger files are imported by the worker, with progress
STALLED = timedelta(hours=1)  # a run not done by then lost its worker: it may be undone
CHUNK = 1_000
MAX_REFUSALS_SHOWN = 200
_NAMESPACE = uuid.UUID("0c6f3f2e-7a31-4e55-9d0b-2f4f9b1c5a77")
REVIEW_NOTE = "review: looks like a magnesium supplement, but its form is not recognised"
SOURCES = {parsers.CRONOMETER: "Cronometer", parsers.TEMPLATE: "CSV"}


def _entry_id(user_id: int, key: str) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, f"{user_id}:{key}")


def _read(batch_or_data, *, user, today) -> parsers.ParsedFile:
    try:
        return parsers.read(batch_or_data, today=today)
    except parsers.ImportRefused as exc:
        raise ValidationError({"file": [str(exc)]}) from None


def import_preview(*, user, data: bytes, filename: str = "") -> ImportBatch:
    """Read an upload and say what it would do; nothing is imported yet. A file refused whole is a
    ValidationError with the reason."""
    profile = profile_get(user=user)
    parsed = _read(data, user=user, today=local_today(profile=profile))
    keys = parsed.keys()
    forms = _forms()
    ids = [_entry_id(user.pk, key) for key in keys]
    stored = _stored(ids)
    refused = list(parsed.refused)
    rows = []
    for row, pk in zip(parsed.rows, ids, strict=True):
        if row.kind == "dose" and (row.form not in forms or row.magnesium_mg <= 0):
            refused.append(
                (row.line, "a supplement dose of 0 mg" if row.magnesium_mg <= 0 else "unknown form")
            )
            continue
        rows.append((row, pk in stored))
    new = [row for row, already in rows if not already]
    days = sorted({row.day for row, _ in rows})
    preview = {
        "layout": parsed.layout,
        "source": SOURCES[parsed.layout],
        "rows_read": parsed.lines,
        "first_date": days[0].isoformat() if days else None,
        "last_date": days[-1].isoformat() if days else None,
        "days": len(days),
        "entries": sum(1 for row in new if row.kind != "dose"),
        "doses": sum(1 for row in new if row.kind == "dose"),
        "to_review": sum(1 for row in new if row.kind == "review"),
        "magnesium_mg": f"{sum((row.magnesium_mg for row in new), Decimal(0)):f}",
        "already_imported": sum(1 for _, already in rows if already),
        "refused_count": len(refused),
        "refused": [
            {"line": line, "reason": reason} for line, reason in sorted(refused)[:MAX_REFUSALS_SHOWN]
        ],
        "weight_unknown": sum(1 for row in new if row.kind != "dose" and row.grams is None),
    }
    return ImportBatch.objects.create(
        user=user,
        source=parsed.layout,
        filename=filename[:200],
        sha256=hashlib.sha256(data).hexdigest(),
        content=data,
        preview=preview,
    )


def import_confirm(*, batch: ImportBatch) -> ImportBatch:
    """Run a previewed import: here for a small file, by the worker (with progress) for a large one."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != ImportStatus.PREVIEW:
            raise ValidationError(
                {"status": [f"This import is {batch.get_status_display().lower()}: nothing to confirm."]}
            )
        if batch.preview.get("rows_read", 0) > SYNC_ROWS:
            batch.status = ImportStatus.QUEUED
            batch.save(update_fields=["status"])
            transaction.on_commit(partial(queue_task, "run_import", str(batch.pk)), robust=True)
            return batch
        batch.status = ImportStatus.RUNNING
        batch.save(update_fields=["status"])
    return import_run(batch_id=batch.pk)


def import_run(*, batch_id) -> ImportBatch:
    """Write an import's rows (the worker's task, or confirm's for a small file). Each chunk is its own
    transaction and every id is the row's own, so a run interrupted and run again adds each row once."""
    batch = ImportBatch.objects.select_related("user").get(pk=batch_id)
    if batch.status not in (ImportStatus.QUEUED, ImportStatus.RUNNING):
        return batch
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.RUNNING)
    user = batch.user
    profile = profile_get(user=user)
    try:
        parsed = _read(bytes(batch.content), user=user, today=local_today(profile=profile))
    except ValidationError as exc:
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportStatus.FAILED, error=" ".join(exc.messages)[:300], finished_at=timezone.now()
        )
        return ImportBatch.objects.get(pk=batch.pk)
    forms = _forms()
    keys = parsed.keys()
    pairs = list(zip(parsed.rows, keys, strict=True))
    foods: dict[str, Food] = {}
    written = 0
    for start in range(0, len(pairs), CHUNK):
        with transaction.atomic():
            chunk = pairs[start : start + CHUNK]
            _food_for(user, [row for row, _ in chunk if row.kind != "dose"], foods, parsed.layout)
            intakes, doses = [], []
            for row, key in chunk:
                moment, meal = _moment(row, profile.zone)
                note = f"Imported from {SOURCES[parsed.layout]}: {row.amount}"[:500]
                if row.kind == "dose":
                    if row.form not in forms or row.magnesium_mg <= 0:
                        continue
                    doses.append(
                        SupplementDose(
                            id=_entry_id(user.pk, key),
                            user=user,
                            form=forms[row.form],
                            elemental_mg=row.magnesium_mg,
                            taken_at=moment,
                            local_date=row.day,
                            note=note,
                            import_batch=batch,
                        )
                    )
                    continue
                intakes.append(
                    IntakeEntry(
                        id=_entry_id(user.pk, key),
                        user=user,
                        food=foods[row.name],
                        grams=row.grams or Decimal(0),
                        magnesium_mg=row.magnesium_mg,
                        consumed_at=moment,
                        local_date=row.day,
                        meal=meal,
                        note=f"{note} · {REVIEW_NOTE}" if row.kind == "review" else note,
                        import_batch=batch,
                    )
                )
            IntakeEntry.objects.bulk_create(intakes, ignore_conflicts=True)
            SupplementDose.objects.bulk_create(doses, ignore_conflicts=True)
            written += len(chunk)
            ImportBatch.objects.filter(pk=batch.pk).update(progress=written)
    created = {
        "entries": IntakeEntry.objects.filter(import_batch=batch).count(),
        "doses": SupplementDose.objects.filter(import_batch=batch).count(),
        "foods": len([f for f in foods.values() if getattr(f, "_created_by_import", False)]),
    }
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportStatus.DONE, created=created, content=b"", finished_at=timezone.now(), progress=written
    )
    return ImportBatch.objects.get(pk=batch.pk)


def import_undo(*, batch: ImportBatch) -> ImportBatch:
    """Remove everything an import added (entries, doses, and its foods no other entry uses)."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        # a run whose worker died (nothing moves for an hour) can be undone: its rows are removed as any
        stalled = batch.created_at < timezone.now() - STALLED
        if batch.status in (ImportStatus.QUEUED, ImportStatus.RUNNING) and not stalled:
            raise ValidationError({"status": ["This import is still running: undo it once it is done."]})
        if batch.status == ImportStatus.UNDONE:
            return batch
        food_ids = set(
            IntakeEntry.objects.filter(import_batch=batch).values_list("food_id", flat=True).distinct()
        )
        IntakeEntry.objects.filter(import_batch=batch).delete()
        SupplementDose.objects.filter(import_batch=batch).delete()
        unused = Food.objects.filter(pk__in=food_ids, owner=batch.user, origin=Origin.IMPORTED).exclude(
            pk__in=IntakeEntry.objects.filter(food_id__in=food_ids).values("food_id")
        )
        unused.delete()
        batch.status, batch.undone_at, batch.content = ImportStatus.UNDONE, timezone.now(), b""
        batch.save(update_fields=["status", "undone_at", "content"])
    return batch


def _forms() -> dict[str, SupplementForm]:
    return {form.name: form for form in SupplementForm.objects.all()}


def _stored(ids: list[uuid.UUID]) -> set:
    stored: set = set()
    for start in range(0, len(ids), CHUNK):
        part = ids[start : start + CHUNK]
        stored |= set(IntakeEntry.objects.filter(pk__in=part).values_list("pk", flat=True))
        stored |= set(SupplementDose.objects.filter(pk__in=part).values_list("pk", flat=True))
    return stored


def _moment(row: parsers.Row, zone) -> tuple[datetime, str]:
    meal = row.meal or (meal_for_local_time(row.at) if row.at else "snack")
    at = row.at or parsers.MEAL_TIMES[meal]
    return datetime.combine(row.day, at, tzinfo=zone), meal


def _food_for(user, rows: list[parsers.Row], foods: dict, layout: str) -> None:
    """The account's imported food of each name, made on first use (hidden from search)."""
    names = {row.name for row in rows} - foods.keys()
    if not names:
        return
    for food in Food.objects.filter(owner=user, origin=Origin.IMPORTED, name__in=names):
        foods.setdefault(food.name, food)
    new = []
    for name in sorted(names - foods.keys()):
        sample = next(row for row in rows if row.name == name)
        per_100g = (
            (sample.magnesium_mg * 100 / sample.grams).quantize(Decimal("0.0001")) if sample.grams else 0
        )
        new.append(
            Food(
                name=name[:255],
                category=FoodCategory.OTHER,
                magnesium_mg_per_100g=min(Decimal(per_100g), Decimal(10000)),
                source=f"Imported from {SOURCES[layout]} (its magnesium per entry)",
                origin=Origin.IMPORTED,
                owner=user,
                retired=True,  # never offered in search: the entry carries the export's magnesium
                search_tier=SearchTier.OWN,
            )
        )
    # bulk: no pre_save signal, so it stays "imported" rather than an own food from a label
    for food in Food.objects.bulk_create(new):
        food._created_by_import = True
        foods[food.name] = food
