"""Bringing a history: Cronometer exports and the CSV template, each layout written by hand; preview,
confirm, idempotence, undo, hostile files, and imported days in the summaries."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tracker.imports import parsers
from tracker.imports import services as imports
from tracker.imports.models import ImportBatch
from tracker.models import IntakeEntry, SupplementDose

pytestmark = pytest.mark.django_db

# Cronometer's "Food & Recipe Entries" (servings) export: a byte-order mark, µ in headers, a blank
# time, a renamed group, "Uncategorized", nutrient columns to ignore, a supplement, a bad row.
CRONOMETER = (
    "\ufeffDay,Time,Group,Food Name,Amount,Energy (kcal),Vitamin B12 (µg),Magnesium (mg),Zinc (mg),Category\n"
    '2026-10-01,07:30 AM,Breakfast,"Oats, Rolled, Dry",40.00 g,152.0,0.00,55.20,1.50,Breakfast Cereals\n'
    "2026-10-01,,Lunch,Spinach,150.00 g,35.0,0.00,118.50,0.80,Vegetables\n"
    "2026-10-01,07:15 PM,Evening meal,Salmon Fillet,3.00 oz,177.0,2.60,25.50,0.40,Fish\n"
    "2026-10-01,10:00 PM,Uncategorized,Magnesium Glycinate,1.00 capsule,0.0,0.00,120.00,0.00,Supplements\n"
    "2026-10-02,,Snacks,Chocolate Cake,1.00 full recipe,2800,0.10,340.00,4.0,Baked Products\n"
    "2026-10-02,08:00 AM,Breakfast,Magnesium Complex,1.00 tablet,0,0,100.00,0,Supplements\n"
    "2026-10-02,12:00 PM,Lunch,Mystery,2 cups,,,,,\n"
    "2026-13-02,12:00 PM,Lunch,Bad date,1.00 g,0,0,5,0,x\n"
)

# An older export: no Time, no Group.
CRONOMETER_OLD = (
    "Day,Food Name,Amount,Magnesium (mg),Category\n"
    "2026-09-01,Almonds,28.00 g,76.50,Nuts and Seeds\n"
    "2026-09-01,Almonds,28.00 g,76.50,Nuts and Seeds\n"  # the same serving twice: two entries
)

TEMPLATE = (
    "date,time,meal,food,amount,unit,magnesium_mg\n"
    "2026-10-05,07:45,breakfast,Oat bran,0.5,cup,96\n"
    "2026-10-05,19:30,,Pumpkin seeds,1,oz,156\n"
    "2026-10-05,21:00,,Magnesium citrate,1,tablet,200\n"
)

MYFITNESSPAL = (
    "Date,Meal,Time,Calories,Fat (g),Saturated Fat,Cholesterol,Sodium (mg),Carbohydrates (g),Protein (g),Note\n"
    "2026-10-01,Breakfast,7:30 AM,320,12,3,0,210,40,12,\n"
)


def upload(api, content, name="servings.csv", **extra):
    data = content.encode() if isinstance(content, str) else content
    return api.post(
        "/api/v1/imports/",
        {"file": SimpleUploadedFile(name, data, content_type="text/csv")},
        format="multipart",
        **extra,
    )


def test_a_cronometer_export_is_previewed_then_imported_with_its_magnesium(user, api):
    response = upload(api, CRONOMETER)
    assert response.status_code == 201, response.json()
    body = response.json()
    preview = body["preview"]
    assert (
        body["status"] == "preview" and body["source"] == "cronometer" and body["filename"] == "servings.csv"
    )
    assert (preview["rows_read"], preview["first_date"], preview["last_date"]) == (
        8,
        "2026-10-01",
        "2026-10-02",
    )
    assert (preview["entries"], preview["doses"], preview["to_review"]) == (5, 1, 1)
    assert preview["refused"] == [
        {"line": 8, "reason": "no magnesium value (importing it as 0 mg would understate the day)"},
        {"line": 9, "reason": "the date '2026-13-02' is not a date (YYYY-MM-DD)"},
    ]
    assert preview["magnesium_mg"] == "759.20"  # 55.2 + 118.5 + 25.5 + 120 + 340 + 100
    assert not IntakeEntry.objects.filter(user=user).exists()  # nothing before confirm
    done = api.post(f"/api/v1/imports/{body['id']}/confirm/").json()
    assert done["status"] == "done" and done["created"]["entries"] == 5 and done["created"]["doses"] == 1
    zone = user.profile.zone
    oats = IntakeEntry.objects.get(user=user, food__name="Oats, Rolled, Dry")
    assert (oats.magnesium_mg, oats.grams, oats.meal) == (Decimal("55.20"), Decimal("40.00"), "breakfast")
    assert oats.consumed_at == datetime(2026, 10, 1, 7, 30, tzinfo=zone) and oats.local_date == date(
        2026, 10, 1
    )
    spinach = IntakeEntry.objects.get(user=user, food__name="Spinach")  # no time: lunch's usual time
    assert spinach.consumed_at.astimezone(zone).time() == time(12, 30)
    salmon = IntakeEntry.objects.get(user=user, food__name="Salmon Fillet")  # renamed group: from its time
    assert (salmon.meal, salmon.grams) == ("dinner", Decimal("85.05"))  # 3 oz
    cake = IntakeEntry.objects.get(user=user, food__name="Chocolate Cake")  # no weight known
    assert (cake.grams, cake.magnesium_mg) == (Decimal(0), Decimal("340.00"))
    assert cake.note == "Imported from Cronometer: 1.00 full recipe"
    [dose] = SupplementDose.objects.filter(user=user)
    assert (dose.form.name, dose.elemental_mg, dose.local_date) == (
        "Glycinate (bisglycinate)",
        120,
        date(2026, 10, 1),
    )
    review = IntakeEntry.objects.get(user=user, food__name="Magnesium Complex")
    assert review.note.endswith(imports.REVIEW_NOTE)
    # imported foods are the account's, never in the shared catalogue nor in search
    assert oats.food.owner == user and oats.food.origin == "imported" and oats.food.retired
    assert api.get("/api/v1/foods/?search=Mystery").json()["results"] == []
    # imported days count like any other logged day
    day = api.get("/api/v1/summary/daily/?date=2026-10-01").json()
    assert Decimal(str(day["food_mg"])) == Decimal("199.20") and Decimal(str(day["supplement_mg"])) == 120
    period = api.get("/api/v1/summary/period/?end=2026-10-02&days=7").json()
    assert period["days_with_data"] == 2


def test_the_same_file_twice_creates_nothing_the_second_time_and_undo_removes_an_import(user, api):
    first = upload(api, CRONOMETER).json()
    api.post(f"/api/v1/imports/{first['id']}/confirm/")
    counts = (IntakeEntry.objects.filter(user=user).count(), SupplementDose.objects.filter(user=user).count())
    again = upload(api, CRONOMETER).json()
    assert again["preview"]["already_imported"] == 6
    assert (again["preview"]["entries"], again["preview"]["doses"]) == (0, 0)
    second = api.post(f"/api/v1/imports/{again['id']}/confirm/").json()
    assert second["created"] == {"entries": 0, "doses": 0, "foods": 0}
    assert (
        IntakeEntry.objects.filter(user=user).count(),
        SupplementDose.objects.filter(user=user).count(),
    ) == counts
    undone = api.delete(f"/api/v1/imports/{first['id']}/").json()
    assert undone["status"] == "undone"
    assert (
        not IntakeEntry.objects.filter(user=user).exists()
        and not SupplementDose.objects.filter(user=user).exists()
    )
    assert not user.own_foods.filter(origin="imported").exists()
    assert api.delete(f"/api/v1/imports/{first['id']}/").json()["status"] == "undone"  # again: nothing more
    # and after an undo, the file can be imported again
    third = upload(api, CRONOMETER).json()
    assert third["preview"]["entries"] == 5 and third["preview"]["already_imported"] == 0


def test_the_old_layout_and_two_identical_servings(user, api):
    batch = upload(api, CRONOMETER_OLD).json()
    assert batch["preview"]["entries"] == 2
    api.post(f"/api/v1/imports/{batch['id']}/confirm/")
    entries = IntakeEntry.objects.filter(user=user)
    assert entries.count() == 2 and {e.meal for e in entries} == {"snack"}
    assert sum(e.magnesium_mg for e in entries) == Decimal("153.00")


def test_the_csv_template_and_its_download(user, api, anon):
    template = anon.get("/api/v1/imports/template/")
    assert template.status_code == 200 and template["Content-Type"].startswith("text/csv")
    assert template.content.decode().splitlines()[0] == "date,time,meal,food,amount,unit,magnesium_mg"
    batch = upload(api, TEMPLATE, name="mine.csv").json()
    assert batch["source"] == "csv" and (batch["preview"]["entries"], batch["preview"]["doses"]) == (2, 1)
    api.post(f"/api/v1/imports/{batch['id']}/confirm/")
    seeds = IntakeEntry.objects.get(user=user, food__name="Pumpkin seeds")
    assert (seeds.grams, seeds.magnesium_mg, seeds.meal) == (Decimal("28.35"), Decimal(156), "dinner")
    assert SupplementDose.objects.get(user=user).form.name == "Citrate"
    # the template's own example imports too
    example = upload(api, template.content, name="template.csv").json()
    assert example["preview"]["refused"] == [] and example["preview"]["rows_read"] == 4


def test_a_myfitnesspal_export_is_refused_with_the_reason(user, api):
    response = upload(api, MYFITNESSPAL)
    assert response.status_code == 400
    assert "MyFitnessPal exports carry no magnesium" in response.json()["file"][0]
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize(
    "content, message",
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary data"),
        ("Day,Food Name,Magnesium (mg)\n2026-10-01,Café,5\n".encode("latin-1"), "not UTF-8"),
        (b"Day,Food Name,Magnesium (mg)\n" + b"x" * 30_000 + b"\n", "characters long"),
        (b'Day,Food Name,Magnesium (mg)\n2026-10-01,=HYPERLINK("http://x"),5\n', "spreadsheet formula"),
        (b"Day,Food Name,Magnesium (mg)\n2026-10-01,@SUM(A1),5\n", "spreadsheet formula"),
        (b"Day,Food Name,Magnesium (mg)\n", "no rows"),
        (b"", "empty"),
        (b"a,b\n1,2\n", "No magnesium column"),
        (
            b"Day,Food Name,Magnesium (mg)\n" + b"2026-10-01,Nuts,5\n" * (parsers.MAX_ROWS + 1),
            "More than 20,000 rows",
        ),
    ],
)
def test_a_hostile_file_is_a_clear_400_and_stores_nothing(user, api, content, message):
    response = upload(api, content)
    assert response.status_code == 400, response.content
    assert message in response.json()["file"][0]
    assert not ImportBatch.objects.exists() and not IntakeEntry.objects.exists()


def test_absurd_numbers_are_refused_lines_not_errors(user, api):
    content = (
        "Day,Food Name,Magnesium (mg)\n2026-10-01,A,1e999\n2026-10-01,B,NaN\n2026-10-01,C," + "9" * 40 + "\n"
    )
    response = upload(api, content)
    assert response.status_code == 201, response.content
    assert [r["line"] for r in response.json()["preview"]["refused"]] == [2, 3, 4]


def test_a_file_too_large_is_refused(user, api):
    big = b"Day,Food Name,Magnesium (mg)\n" + b"2026-10-01,Nuts,5," + b"x" * 900 + b"\n"
    response = upload(api, big * (parsers.MAX_BYTES // len(big) + 2))
    assert response.status_code == 400 and "larger than 5 MB" in response.json()["file"][0]


def test_a_file_sent_as_the_body_and_another_accounts_import(user, api, other_api):
    response = api.generic("POST", "/api/v1/imports/", TEMPLATE.encode(), content_type="text/csv")
    assert response.status_code == 201, response.content
    batch = response.json()["id"]
    assert other_api.get(f"/api/v1/imports/{batch}/").status_code == 404
    assert other_api.post(f"/api/v1/imports/{batch}/confirm/").status_code == 404
    assert other_api.delete(f"/api/v1/imports/{batch}/").status_code == 404
    assert api.post(f"/api/v1/imports/{batch}/confirm/").status_code == 200
    assert api.post(f"/api/v1/imports/{batch}/confirm/").status_code == 400  # done: nothing to confirm


def test_a_large_file_goes_to_the_worker_with_progress(user, api, django_capture_on_commit_callbacks):
    start = date(2026, 1, 1)
    lines = ["Day,Food Name,Amount,Magnesium (mg)"] + [
        f"{start + timedelta(days=n % 300)},Food {n % 50},100.00 g,{n % 90 + 1}.00" for n in range(3000)
    ]
    batch = upload(api, "\n".join(lines) + "\n").json()
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = api.post(f"/api/v1/imports/{batch['id']}/confirm/")
    assert response.status_code == 202 and response.json()["status"] == "queued"
    [callback] = queued
    assert callback.args == ("run_import", batch["id"])
    imports.import_run(batch_id=batch["id"])  # what the worker's task does
    done = api.get(f"/api/v1/imports/{batch['id']}/").json()
    assert done["status"] == "done" and done["progress"] == 3000 and done["created"]["entries"] == 3000
    assert IntakeEntry.objects.filter(user=user).count() == 3000
    imports.import_run(batch_id=batch["id"])  # a redelivered task: nothing more
    assert IntakeEntry.objects.filter(user=user).count() == 3000


def test_an_import_whose_worker_died_can_be_undone_after_an_hour(user, api):
    from datetime import UTC
    from datetime import datetime as dt

    batch = upload(api, CRONOMETER).json()
    api.post(f"/api/v1/imports/{batch['id']}/confirm/")
    ImportBatch.objects.filter(pk=batch["id"]).update(status="running")  # as a killed worker leaves it
    assert api.delete(f"/api/v1/imports/{batch['id']}/").status_code == 400  # still running, for now
    ImportBatch.objects.filter(pk=batch["id"]).update(created_at=dt(2026, 1, 1, tzinfo=UTC))
    assert api.delete(f"/api/v1/imports/{batch['id']}/").json()["status"] == "undone"
    assert not IntakeEntry.objects.filter(user=user).exists()
