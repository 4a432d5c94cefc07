"""Search columns for the foods already stored, and the search indexes of each database
(foods/search.py explains them)."""

from django.db import migrations


def fill_search_columns(apps, schema_editor):
    from foods.text import search_text_for

    Food = apps.get_model("foods", "Food")
    for food in Food.objects.only("id", "name", "brand").iterator(chunk_size=2000):
        Food.objects.filter(pk=food.pk).update(search_text=search_text_for(food.name, food.brand))


def create_indexes(apps, schema_editor):
    from foods.search import POSTGRES_INDEXES, ensure_sqlite_fts

    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRES_INDEXES:
            schema_editor.execute(statement)
    else:
        ensure_sqlite_fts(schema_editor.connection)


def drop_indexes(apps, schema_editor):
    from foods.search import POSTGRES_DROP

    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRES_DROP:
            schema_editor.execute(statement)
    else:
        for name in ("insert", "delete", "update"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS foods_food_fts_{name}")
        schema_editor.execute("DROP TABLE IF EXISTS foods_food_fts")


class Migration(migrations.Migration):
    dependencies = [("foods", "0002_imported_and_own_foods")]

    operations = [
        migrations.RunPython(fill_search_columns, migrations.RunPython.noop),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
