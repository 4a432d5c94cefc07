"""Everyday foods (a common name each), how often each shared food is logged on this server, and the
search text with a leading food-group word moved to the end (foods.text.food_words)."""

import django.db.models.deletion
from django.db import migrations, models


def refresh_search_text(apps, schema_editor):
    from foods.text import search_text_for

    Food = apps.get_model("foods", "Food")
    changed = []
    for food in Food.objects.only("id", "name", "brand", "search_text").iterator(chunk_size=2000):
        text = search_text_for(food.name, food.brand)
        if text != food.search_text:
            food.search_text = text
            changed.append(food)
        if len(changed) >= 2000:
            Food.objects.bulk_update(changed, ["search_text"])
            changed = []
    Food.objects.bulk_update(changed, ["search_text"])


class Migration(migrations.Migration):
    dependencies = [
        ("foods", "0006_portion_order"),
    ]

    operations = [
        migrations.CreateModel(
            name="FoodUse",
            fields=[
                (
                    "food",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="use",
                        serialize=False,
                        to="foods.food",
                    ),
                ),
                ("uses", models.PositiveIntegerField(default=0)),
            ],
        ),
        migrations.AddField(
            model_name="food",
            name="common_name",
            field=models.CharField(
                blank=True,
                help_text="What people call it, for one of the everyday foods (fixtures/everyday_foods.csv): found by that name and ranked before other matches.",
                max_length=60,
            ),
        ),
        migrations.RunPython(refresh_search_text, migrations.RunPython.noop),
    ]
