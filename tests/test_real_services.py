"""Behaviour that only a real PostgreSQL or Redis can show. Marked: skipped only where none is set up."""

import threading
import uuid
from decimal import Decimal

import pytest
from django.db import connection

from tracker import services
from tracker.models import IntakeEntry


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_replays_of_one_client_id_store_one_row(user, almonds_oz):
    client_id = uuid.uuid4()
    barrier = threading.Barrier(8)
    outcomes, errors = [], []

    def replay():
        try:
            barrier.wait()
            outcomes.append(
                services.intake_create(user=user, food=almonds_oz.food, portion=almonds_oz, id=client_id)
            )
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=replay) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(created for _, created in outcomes) == [False] * 7 + [True]
    assert IntakeEntry.objects.filter(user=user).count() == 1
    assert IntakeEntry.objects.get().magnesium_mg == Decimal(78)


@pytest.mark.redis
def test_messages_round_trip_through_the_configured_redis_broker():
    from tracker.celery import app

    queue_name = f"test-{uuid.uuid4()}"
    with app.connection_for_write() as conn:
        queue = conn.SimpleQueue(queue_name)
        queue.put({"hello": "broker"})
        message = queue.get(timeout=5)
        message.ack()
        assert message.payload == {"hello": "broker"}
        queue.queue.delete()
        queue.close()


def at_once(count: int, work, timeout: float = 120) -> list:
    """Run ``work(n)`` for n in 0..count-1 in threads released together (a barrier), each on its own
    database connection; returns the exceptions raised."""
    barrier = threading.Barrier(count)
    errors = []

    def run(n):
        try:
            barrier.wait()
            work(n)
        except Exception as exc:  # noqa: BLE001 - returned to the test, which asserts on them
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    return errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_batches_of_the_same_foods_in_different_orders_count_every_use_without_deadlock(user):
    """What this server logs most (FoodUse) is counted after each batch commits, one food at a time:
    12 batches of the same five foods, each in its own order, all at once, store every entry, raise
    nothing (no deadlock) and count each food 12 times."""
    import random

    from foods.models import Food, FoodUse
    from tracker.services.batch import entries_create_batch

    foods = [
        Food.objects.get(name=name, owner=None)
        for name in ("Almonds", "Oat bran", "Banana", "Milk", "Spinach, raw")
    ]
    batches = 12

    def send(seed):
        order = foods[:]
        random.Random(seed).shuffle(order)
        entries = [
            ("intake", {"id": uuid.uuid4(), "food": food, "portion": food.portions.first()}) for food in order
        ]
        entries_create_batch(user=user, entries=entries)

    assert at_once(batches, send, timeout=60) == []
    assert IntakeEntry.objects.filter(user=user).count() == batches * len(foods)
    assert {use.food_id: use.uses for use in FoodUse.objects.all()} == {food.pk: batches for food in foods}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_overlapping_batches_sent_at_once_never_answer_a_server_error(user, almonds_oz, citrate):
    """30 phones' outboxes at once, each a different subset of the same 40 entries in its own order
    (before: 7 of 30 answered 500, PostgreSQL "deadlock detected"). Every answer is a 2xx and every
    entry is stored once."""
    import random

    from rest_framework.test import APIClient

    from tracker.models import SupplementDose

    entries = [
        {"type": "intake", "id": str(uuid.uuid4()), "food": almonds_oz.food_id, "portion": almonds_oz.pk}
        for _ in range(30)
    ]
    entries += [
        {"type": "supplement_dose", "id": str(uuid.uuid4()), "form": citrate.pk, "elemental_mg": 50}
        for _ in range(10)
    ]
    clients = 30
    statuses, sent_ids = [], set()
    rngs = [random.Random(seed) for seed in range(clients)]
    subsets = [rng.sample(entries, rng.randint(15, 40)) for rng in rngs]  # each its own subset and order

    def send(n):
        sent_ids.update(entry["id"] for entry in subsets[n])
        api = APIClient()
        api.force_authenticate(user)
        statuses.append(
            api.post("/api/v1/entries/batch/", {"entries": subsets[n]}, format="json").status_code
        )

    assert at_once(clients, send) == [] and len(statuses) == clients
    assert all(code in (200, 201) for code in statuses), sorted(statuses)
    stored = {str(pk) for pk in IntakeEntry.objects.filter(user=user).values_list("id", flat=True)}
    stored |= {str(pk) for pk in SupplementDose.objects.filter(user=user).values_list("id", flat=True)}
    assert stored == sent_ids


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_logging_an_intake_stores_it_counts_its_use_and_sums_its_day_in_one_statement(
    user, almonds_oz, oat_bran_half_cup, citrate
):
    """The hot path on PostgreSQL: one INSERT … RETURNING feeding the day's grouped SUM (and the food's
    use count), the answer's day equal to the daily summary read afterwards; replays and conflicts as
    on every other path."""
    from django.test.utils import CaptureQueriesContext
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from foods.models import FoodUse

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    today = services.local_today(profile=services.profile_get(user=user))
    # a history on the day and the day before: a breakfast, a citrate dose, yesterday's dinner
    api.post(
        "/api/v1/intakes/",
        {"food": oat_bran_half_cup.food_id, "portion": oat_bran_half_cup.pk, "meal": "breakfast"},
        format="json",
    )
    assert (
        api.post(
            "/api/v1/supplement-doses/", {"form": citrate.pk, "elemental_mg": 150}, format="json"
        ).status_code
        == 201
    )
    yesterday = f"{today.fromordinal(today.toordinal() - 1)}T19:00:00"
    api.post(
        "/api/v1/intakes/",
        {"food": almonds_oz.food_id, "portion": almonds_oz.pk, "consumed_at": yesterday},
        format="json",
    )
    uses_before = FoodUse.objects.get(food_id=almonds_oz.food_id).uses

    body = {
        "id": str(uuid.uuid4()),
        "food": almonds_oz.food_id,
        "portion": almonds_oz.pk,
        "quantity": "2",
        "meal": "snack",
    }
    with CaptureQueriesContext(connection) as queries:
        created = api.post("/api/v1/intakes/", body, format="json")
    assert created.status_code == 201, created.json()
    statements = [q["sql"] for q in queries.captured_queries]
    assert len(statements) == 2, statements  # the token with the profile, then the one statement
    assert "INSERT INTO" in statements[1] and "SUM(" in statements[1] and "foods_fooduse" in statements[1]
    day = created.json()["day"]
    assert day["meals"] == {"breakfast": 96.0, "lunch": 0.0, "dinner": 0.0, "snack": 156.0}
    assert (day["food_mg"], day["supplement_mg"], day["total_mg"]) == (252.0, 150.0, 402.0)
    summary = api.get(f"/api/v1/summary/daily/?date={today}").json()
    assert {k: summary[k] for k in day} == day
    stored = IntakeEntry.objects.get(pk=body["id"])
    assert (stored.magnesium_mg, stored.meal, stored.local_date, stored.user_id) == (
        Decimal(156),
        "snack",
        today,
        user.pk,
    )
    assert stored.created_at is not None and stored.updated_at is not None
    assert FoodUse.objects.get(food_id=almonds_oz.food_id).uses == uses_before + 1

    replay = api.post("/api/v1/intakes/", body, format="json")  # the outbox sends it again
    assert replay.status_code == 200 and replay.json()["id"] == body["id"]
    assert replay.json()["day"]["total_mg"] == 402.0
    assert IntakeEntry.objects.filter(user=user).count() == 3
    assert FoodUse.objects.get(food_id=almonds_oz.food_id).uses == uses_before + 1  # counted once
    changed = api.post("/api/v1/intakes/", {**body, "quantity": "3"}, format="json")
    assert changed.status_code == 409
    assert IntakeEntry.objects.get(pk=body["id"]).magnesium_mg == Decimal(156)
