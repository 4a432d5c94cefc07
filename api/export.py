"""Export of everything a user has stored, as JSON (complete) or CSV (one row per entry)."""

import csv
import io

from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from rest_framework.utils.encoders import JSONEncoder

from api.entries import IntakeEntrySerializer, SupplementDoseSerializer
from api.meals import SavedMealSerializer
from api.own_foods import OwnFoodSerializer
from api.profile import ProfileSerializer
from api.reminders import DeliverySerializer, ReminderSerializer
from foods.models import Food
from tracker import services
from tracker.imports.models import ImportBatch
from tracker.models import (
    DailyContext,
    IntakeEntry,
    LabResult,
    RedFlagDismissal,
    SavedMeal,
    ShareLink,
    SupplementDose,
    SymptomEntry,
)
from tracker.reminders.models import PushSubscription, Reminder, ReminderDelivery

CSV_COLUMNS = [
    "type",
    "id",
    "at",
    "local_date",
    "meal",
    "item",
    "portion",
    "quantity",
    "grams",
    "compound_mg",
    "magnesium_mg",
    "note",
]


def export_data(user) -> dict:
    from api.guidance import DailyContextSerializer
    from api.labs import LabResultSerializer
    from api.symptoms import SymptomSerializer

    profile = services.profile_get(user=user)
    intakes = IntakeEntry.objects.filter(user=user).select_related("food", "portion").order_by("consumed_at")
    doses = SupplementDose.objects.filter(user=user).select_related("form").order_by("taken_at")
    return {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "username": user.username,
            "email": user.email,
            "date_joined": user.date_joined.isoformat(),
        },
        "profile": ProfileSerializer(profile).data,
        "intakes": IntakeEntrySerializer(intakes, many=True).data,
        "supplement_doses": SupplementDoseSerializer(doses, many=True).data,
        "own_foods": OwnFoodSerializer(
            Food.objects.filter(owner=user).prefetch_related("portions").order_by("id"), many=True
        ).data,
        "saved_meals": SavedMealSerializer(
            SavedMeal.objects.filter(user=user).prefetch_related("items__food", "items__portion"), many=True
        ).data,
        "reminders": ReminderSerializer(Reminder.objects.filter(user=user), many=True).data,
        "reminder_deliveries": DeliverySerializer(
            ReminderDelivery.objects.filter(user=user).select_related("reminder"), many=True
        ).data,
        "symptoms": SymptomSerializer(
            SymptomEntry.objects.filter(user=user).order_by("occurred_at"), many=True
        ).data,
        "daily_context": DailyContextSerializer(
            DailyContext.objects.filter(user=user).order_by("date"), many=True
        ).data,
        "lab_results": LabResultSerializer(
            LabResult.objects.filter(user=user).order_by("taken_on", "id"), many=True
        ).data,
        "red_flag_dismissals": [
            {"code": row.code, "dismissed_at": row.dismissed_at.isoformat()}
            for row in RedFlagDismissal.objects.filter(user=user).order_by("code")
        ],
        "imports": [
            {
                "id": str(batch.pk),
                "source": batch.source,
                "filename": batch.filename,
                "status": batch.status,
                "created": batch.created,
                "created_at": batch.created_at.isoformat(),
                "undone_at": batch.undone_at.isoformat() if batch.undone_at else None,
            }
            for batch in ImportBatch.objects.filter(user=user).defer("content").order_by("created_at")
        ],
        # the links, never their tokens (only a hash is stored)
        "share_links": [
            {
                "start": link.start.isoformat(),
                "end": link.end.isoformat(),
                "created_at": link.created_at.isoformat(),
                "expires_at": link.expires_at.isoformat(),
                "revoked_at": link.revoked_at.isoformat() if link.revoked_at else None,
                "last_opened_at": link.last_opened_at.isoformat() if link.last_opened_at else None,
                "open_count": link.open_count,
            }
            for link in ShareLink.objects.filter(user=user).order_by("created_at")
        ],
        "push_subscriptions": [
            {"endpoint": sub.endpoint, "created_at": sub.created_at.isoformat()}
            for sub in PushSubscription.objects.filter(user=user)
        ],
    }


def _filename(extension: str) -> str:
    return f'attachment; filename="magnesium-{timezone.now().date().isoformat()}.{extension}"'


def export_json(user) -> JsonResponse:
    response = JsonResponse(
        export_data(user), encoder=JSONEncoder, json_dumps_params={"ensure_ascii": False, "indent": 1}
    )
    response["Content-Disposition"] = _filename("json")
    return response


# A cell a spreadsheet would run as a formula (CSV injection): "=HYPERLINK(…)" as a food name or a note.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Text that starts like a formula gets a leading apostrophe, which spreadsheets show as text
    (OWASP's advice); numbers and dates are written as they are."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


class _SafeWriter:
    def __init__(self, buffer):
        self._writer = csv.writer(buffer)

    def writerow(self, row):
        self._writer.writerow([safe_cell(value) for value in row])


def export_csv(user) -> HttpResponse:
    buffer = io.StringIO()
    writer = _SafeWriter(buffer)
    writer.writerow(CSV_COLUMNS)
    for entry in (
        IntakeEntry.objects.filter(user=user).select_related("food", "portion").order_by("consumed_at")
    ):
        writer.writerow(
            [
                "food",
                entry.id,
                entry.consumed_at.isoformat(),
                entry.local_date,
                entry.meal,
                entry.food.name,
                entry.portion.label if entry.portion else "",
                entry.quantity or "",
                entry.grams,
                "",
                entry.magnesium_mg,
                entry.note,
            ]
        )
    for dose in SupplementDose.objects.filter(user=user).select_related("form").order_by("taken_at"):
        writer.writerow(
            [
                "supplement",
                dose.id,
                dose.taken_at.isoformat(),
                dose.local_date,
                "",
                dose.form.name,
                "",
                "",
                "",
                dose.compound_mg or "",
                dose.elemental_mg,
                dose.note,
            ]
        )
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = _filename("csv")
    return response
