"""Reads and writes of the tracking domain, by concern. Views, serializers, commands and tasks call
these; the rules live here so that every way in gets the same answers."""

from tracker.services.batch import (  # noqa: F401, E402
    BATCH_ID_REQUIRED,
    DOSE,
    INTAKE,
    BatchConflict,
    BatchInvalid,
    entries_create_batch,
)
from tracker.services.entries import (  # noqa: F401
    RECENT_FOODS_SQL,
    IdConflict,
    dose_create,
    dose_update,
    intake_create,
    intake_update,
)
from tracker.services.meals import (  # noqa: F401, E402
    entry_log_again,
    meal_copy,
    saved_meal_create,
    saved_meal_delete,
    saved_meal_log,
    saved_meal_magnesium,
    saved_meal_update,
)
from tracker.services.own_foods import own_food_create, own_food_delete, own_food_update  # noqa: F401, E402
from tracker.services.profile import local_today, profile_get, profile_update, target_on  # noqa: F401
from tracker.services.summaries import (  # noqa: F401
    DaySummary,
    daily_summaries,
    has_data,
    period_summary,
    top_foods,
)
