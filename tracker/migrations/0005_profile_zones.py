"""Profiles stored before "localtime", "Factory" and "posixrules" were refused as time zones (they are
files of the system's zone folder, not places) are moved to UTC, so that their owners can still save
their profile; they can then choose their real zone."""

from django.db import migrations

NOT_PLACES = ["localtime", "Factory", "posixrules"]


def to_utc(apps, schema_editor):
    Profile = apps.get_model("tracker", "Profile")
    Profile.objects.filter(time_zone__in=NOT_PLACES).update(time_zone="UTC")
    Profile.objects.filter(time_zone__startswith="posix/").update(time_zone="UTC")
    Profile.objects.filter(time_zone__startswith="right/").update(time_zone="UTC")


class Migration(migrations.Migration):
    dependencies = [("tracker", "0004_unique_email")]

    operations = [migrations.RunPython(to_utc, migrations.RunPython.noop)]
