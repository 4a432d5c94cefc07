#!/usr/bin/env python
"""Benchmark the reminder dispatcher: 100,000 users in 12 time zones, each with a reminder due in the
same minute, on PostgreSQL with Redis as the broker. Measures the seconds and SQL queries the
dispatcher takes to create every delivery and enqueue every send.

    .venv/bin/python bench/dispatch_bench.py                 # 100,000 users, about 2 minutes
    .venv/bin/python bench/dispatch_bench.py --users 10000   # a quick look

Needs PostgreSQL (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/tracker_bench) and
Redis (BENCH_BROKER_URL, default redis://127.0.0.1:6379/15: the queued sends are purged afterwards).
"""

import argparse
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

ZONES = [
    "UTC",
    "Europe/Paris",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Tokyo",
    "Asia/Kolkata",
    "Australia/Sydney",
    "Pacific/Auckland",
    "Europe/London",
    "America/Sao_Paulo",
    "Africa/Lagos",
    "Asia/Kathmandu",
]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument(
        "--batch", type=int, default=1000, help="reminders per dispatcher batch (default 1000)"
    )
    parser.add_argument("--profile", action="store_true", help="print where the seconds go (cProfile)")
    args = parser.parse_args()

    from api_bench import DATABASE_URL, ensure_database

    ensure_database()
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "tracker.settings",
            "DATABASE_URL": DATABASE_URL,
            "CELERY_BROKER_URL": os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/15"),
            "DJANGO_DEBUG": "false",
            "SECRET_KEY": "bench-" + "k" * 40,
            "ALLOWED_HOSTS": "localhost",
            "LOG_LEVEL": "WARNING",
        }
    )
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tracker.celery import app
    from tracker.models import Profile
    from tracker.reminders import services
    from tracker.reminders.models import Reminder, ReminderDelivery

    call_command("migrate", verbosity=0)
    User = get_user_model()
    print(f"creating {args.users:,} users with a reminder due in the same minute…", flush=True)
    started = time.perf_counter()
    User.objects.filter(username__startswith="dispatch-").delete()
    due_at = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
    users = User.objects.bulk_create(
        [User(username=f"dispatch-{i}", email=f"d{i}@example.com", password="!") for i in range(args.users)],
        batch_size=5000,
    )
    Profile.objects.bulk_create(
        [Profile(user=u, sex="female", time_zone=ZONES[i % len(ZONES)]) for i, u in enumerate(users)],
        batch_size=5000,
    )
    Reminder.objects.bulk_create(
        [
            Reminder(
                user=u,
                kind="log_meals",
                local_time=due_at.astimezone(ZoneInfo(ZONES[i % len(ZONES)])).time(),
                channels=["web_push", "email"],
                next_fire_at=due_at,
            )
            for i, u in enumerate(users)
        ],
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE tracker_reminder; ANALYZE tracker_reminderdelivery; ANALYZE auth_user;")
    print(f"set up in {time.perf_counter() - started:.0f} s", flush=True)

    app.control.purge()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        if args.profile:  # where the seconds go, by function (cProfile, cumulative)
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            result = profiler.runcall(services.dispatch_due, now=due_at, batch_size=args.batch)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
        else:
            result = services.dispatch_due(now=due_at, batch_size=args.batch)
        seconds = time.perf_counter() - started
    with app.connection_for_write() as conn:
        waiting = conn.default_channel.queue_declare("celery", passive=True).message_count
    app.control.purge()

    per_batch = len(queries.captured_queries) / max(result.batches, 1)
    print()
    print(
        f"| Users with a reminder due | Deliveries created | Send tasks queued | Seconds | SQL queries | "
        f"Queries per batch of {args.batch} |"
    )
    print("|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {args.users:,} | {result.queued:,} | {waiting:,} | {seconds:.1f} | {len(queries.captured_queries)} | "
        f"{per_batch:.1f} |"
    )
    assert result.queued == args.users, result
    assert (
        ReminderDelivery.objects.filter(reminder__user__username__startswith="dispatch-").count()
        == args.users
    )
    User.objects.filter(username__startswith="dispatch-").delete()


if __name__ == "__main__":
    main()
