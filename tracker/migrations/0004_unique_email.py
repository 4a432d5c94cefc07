"""One account per email address (case-insensitive), enforced by the database so that two
registrations at the same moment cannot both win. Accounts that already share an address keep it on the
oldest; the newer ones' address is cleared and their ids are printed (an admin can give them another
address in the admin; until then they get no email reminders)."""

from django.db import migrations
from django.db.models.functions import Lower

INDEX = "auth_user_email_ci_unique"


def clear_duplicates(apps, schema_editor):
    User = apps.get_model("auth", "User")
    seen, cleared = set(), []
    for pk, email in (
        User.objects.exclude(email="")
        .annotate(key=Lower("email"))
        .order_by("date_joined", "pk")
        .values_list("pk", "key")
    ):
        if email in seen:
            cleared.append(pk)
        seen.add(email)
    if cleared:
        User.objects.filter(pk__in=cleared).update(email="")
        print(f"\n  Cleared a duplicate email address on accounts {cleared} (the oldest account keeps it).")


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("tracker", "0003_delivery_uncertain"),
    ]

    operations = [
        migrations.RunPython(clear_duplicates, migrations.RunPython.noop),
        migrations.RunSQL(
            f"CREATE UNIQUE INDEX {INDEX} ON auth_user (lower(email)) WHERE email <> ''",
            f"DROP INDEX {INDEX}",
        ),
    ]
