#!/usr/bin/env python
"""Benchmark the hot API endpoints against a floor, side by side in one run.

gunicorn serves the app (production settings, DEBUG off) on PostgreSQL; wrk loads one endpoint at a
time over keep-alive connections on loopback. The floor is an authenticated DRF view returning a
constant, served the same way (bench/urls.py), so each ratio says how much of the framework's
throughput an endpoint keeps. The user has five years of history (4 meals and 1 supplement a day).

    .venv/bin/python bench/api_bench.py                  # about 2 minutes
    .venv/bin/python bench/api_bench.py --duration 5     # a quick look

Needs PostgreSQL (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/tracker_bench, created
if missing) and wrk (installed with apt-get when missing and run as root).
"""

import argparse
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tracker_bench")
SERVER_ENV = {
    "DJANGO_SETTINGS_MODULE": "bench.settings",
    "DATABASE_URL": DATABASE_URL,
    "DJANGO_DEBUG": "false",
    "SECRET_KEY": "bench-" + "k" * 40,
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "false",
    "LOG_LEVEL": "WARNING",
    "AUTH_THROTTLE_RATE": "100000/min",
}
YEARS = 5


def ensure_wrk() -> str:
    wrk = shutil.which("wrk")
    if wrk:
        return wrk
    print("wrk is missing: installing it with apt-get", flush=True)
    subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True, stdout=subprocess.DEVNULL)
    return shutil.which("wrk")


def ensure_database() -> None:
    import psycopg

    url = urlparse(DATABASE_URL)
    name = url.path.lstrip("/")
    admin = url._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def prepare() -> str:
    """Migrate, load the catalogue, and give the bench user five years of history. Returns a token."""
    os.environ.update(SERVER_ENV)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    from foods.models import Portion, SupplementForm
    from tracker import services
    from tracker.models import IntakeEntry, SupplementDose

    call_command("migrate", verbosity=0)
    call_command("loaddata", "foods", verbosity=0)
    User = get_user_model()
    User.objects.filter(username__in=["bench", "bench-writer"]).delete()
    user = User.objects.create_user("bench", "bench@example.com", "bench-password-123")
    services.profile_update(
        user=user, sex="female", birth_date=datetime(1985, 4, 2).date(), time_zone="Europe/Berlin"
    )
    portions = list(
        Portion.objects.filter(food__origin="curated").select_related("food").exclude(label="100 g")[:40]
    )
    citrate = SupplementForm.objects.get(name="Citrate")
    today = datetime.now(UTC).replace(hour=6, minute=0, second=0, microsecond=0)
    intakes, doses = [], []
    for day in range(YEARS * 365):
        start = today - timedelta(days=day)
        for meal in range(4):
            portion = portions[(day + meal) % len(portions)]
            at = start + timedelta(hours=4 * meal)
            intakes.append(
                IntakeEntry(
                    user=user,
                    food=portion.food,
                    portion=portion,
                    quantity=1,
                    grams=portion.grams,
                    magnesium_mg=portion.magnesium_mg,
                    consumed_at=at,
                    local_date=at.date(),
                    meal=("breakfast", "lunch", "snack", "dinner")[meal],
                )
            )
        doses.append(
            SupplementDose(
                user=user, form=citrate, elemental_mg=Decimal(200), taken_at=start, local_date=start.date()
            )
        )
    IntakeEntry.objects.bulk_create(intakes, batch_size=5000)
    SupplementDose.objects.bulk_create(doses, batch_size=5000)
    print(f"history: {len(intakes)} food entries and {len(doses)} doses over {YEARS} years", flush=True)
    from django.db import connection

    with connection.cursor() as cursor:  # what autovacuum does to a long-lived database's tables
        for table in (IntakeEntry._meta.db_table, SupplementDose._meta.db_table):
            cursor.execute(f"VACUUM ANALYZE {table}")
    almonds = Portion.objects.get(food__name="Almonds", label="1 oz")
    os.environ["BENCH_ALMONDS"] = json.dumps([almonds.food_id, almonds.pk])
    from django.db import connections

    connections.close_all()
    # The POSTs log as another user, so that the summaries keep reading a realistic history.
    writer = User.objects.create_user("bench-writer", "writer@example.com", "bench-password-123")
    services.profile_update(
        user=writer, sex="male", birth_date=datetime(1979, 9, 9).date(), time_zone="Asia/Tokyo"
    )
    os.environ["BENCH_WRITER_TOKEN"] = Token.objects.create(user=writer).key
    return Token.objects.create(user=user).key


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int, workers: int, settings: str = "bench.settings") -> subprocess.Popen:
    env = {**os.environ, **SERVER_ENV, "DJANGO_SETTINGS_MODULE": settings}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "tracker.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("gunicorn did not start")


def run_wrk(
    wrk: str, url: str, token: str, *, duration: int, connections: int, method="GET", body=None, paths=None
) -> dict:
    """wrk with bench/wrk_report.lua against ``url`` (or, given ``paths``, a file of one path a line,
    each request the next path under ``url``)."""
    if method == "POST":
        token = os.environ["BENCH_WRITER_TOKEN"]
    env = {**os.environ, "BENCH_TOKEN": token, "BENCH_METHOD": method}
    env.pop("BENCH_BODY", None)
    env.pop("BENCH_PATHS", None)
    if body:
        env["BENCH_BODY"] = body
    if paths:
        env["BENCH_PATHS"] = str(paths)
    out = subprocess.run(
        [wrk, "-t1", f"-c{connections}", f"-d{duration}s", "-s", str(ROOT / "bench" / "wrk_report.lua"), url],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return wrk_result(out)


def wrk_result(out: str) -> dict:
    """The one-line JSON report of bench/wrk_report.lua, with requests per second."""
    line = next(line for line in out.splitlines() if line.startswith("BENCH "))
    result = json.loads(line[len("BENCH ") :])
    result["rps"] = result["requests"] / result["seconds"]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=15, help="seconds per endpoint (default 15)")
    parser.add_argument("--connections", type=int, default=4, help="concurrent connections (default 4)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument(
        "--only", help="measure only the endpoints whose name holds this text (the floors always run)"
    )
    args = parser.parse_args()

    wrk = ensure_wrk()
    ensure_database()
    token = prepare()
    food_id, portion_id = json.loads(os.environ["BENCH_ALMONDS"])
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    endpoints = [
        ("floor: authenticated constant", "GET", "/bench/floor/", None),
        (
            "log an intake (POST /intakes/)",
            "POST",
            "/api/v1/intakes/",
            json.dumps({"id": "{uuid}", "food": food_id, "portion": portion_id, "consumed_at": "{moment}"}),
        ),
        ("daily summary", "GET", "/api/v1/summary/daily/", None),
        ("weekly summary, 5 years of history", "GET", "/api/v1/summary/weekly/", None),
        (
            "period, 90 days (chart, rolling average, top foods)",
            "GET",
            "/api/v1/summary/period/?days=90",
            None,
        ),
        ("insights, 4 weeks of history", "GET", "/api/v1/insights/?weeks=4", None),
        ("food search (?search=almond)", "GET", "/api/v1/foods/?search=almond", None),
    ]
    if args.only:
        endpoints = [e for e in endpoints if e[0].startswith("floor") or args.only in e[0]]
    # The bare floor first, on its own server: the same view and database with nothing this project
    # adds (bench/bare_settings.py).
    bare_port = free_port()
    bare = start_server(bare_port, args.workers, "bench.bare_settings")
    try:
        url = f"http://127.0.0.1:{bare_port}/bench/floor/"
        run_wrk(wrk, url, token, duration=2, connections=args.connections)
        bare_result = run_wrk(wrk, url, token, duration=args.duration, connections=args.connections)
        print(f"bare floor: {bare_result['rps']:.0f} req/s, errors {bare_result['errors']}", flush=True)
    finally:
        bare.terminate()
        bare.wait(timeout=10)
    server = start_server(port, args.workers)
    try:
        for _, method, path, body in endpoints:  # warm up every worker and connection
            run_wrk(
                wrk, base + path, token, duration=2, connections=args.connections, method=method, body=body
            )
        results = []
        for name, method, path, body in endpoints:
            result = run_wrk(
                wrk,
                base + path,
                token,
                duration=args.duration,
                connections=args.connections,
                method=method,
                body=body,
            )
            results.append((name, method, path, result))
            print(f"{name}: {result['rps']:.0f} req/s, errors {result['errors']}", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=10)

    floor = results[0][3]["rps"]
    print()
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"gunicorn {args.workers} sync workers; wrk 1 thread, {args.connections} connections, "
        f"{args.duration} s per endpoint; PostgreSQL; {datetime.now(UTC):%Y-%m-%d}"
    )
    print()
    print("| Endpoint | Requests/s | Median ms | p95 ms | Ratio to floor | Ratio to bare floor |")
    print("|---|---:|---:|---:|---:|---:|")
    bare_rps = bare_result["rps"]
    print(
        f"| bare floor: the same view, Django's and DRF's defaults | {bare_rps:.0f} | "
        f"{bare_result['p50_ms']:.1f} | {bare_result['p95_ms']:.1f} | | 1.00 |"
    )
    for name, _method, _path, result in results:
        print(
            f"| {name} | {result['rps']:.0f} | {result['p50_ms']:.1f} | {result['p95_ms']:.1f} | "
            f"{result['rps'] / floor:.2f} | {result['rps'] / bare_rps:.2f} |"
        )
    if bare_result["errors"] or any(result["errors"] for *_, result in results):
        raise SystemExit("some requests failed (non-2xx or socket errors): the figures are not valid")


if __name__ == "__main__":
    main()
