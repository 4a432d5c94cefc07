"""Create (or reset) the demo account that `make run` prints, with a completed profile."""

import secrets
from datetime import date

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from tracker import services


class Command(BaseCommand):
    help = "Create the demo user (or give it a new password) and print its login."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="demo")
        parser.add_argument("--time-zone", default=None, help="IANA zone; default: this machine's zone")

    def handle(self, *args, username: str, time_zone: str | None, **options):
        user, created = get_user_model().objects.get_or_create(
            username=username, defaults={"email": f"{username}@example.com"}
        )
        password = secrets.token_urlsafe(9)
        user.set_password(password)
        user.save()
        if created:
            services.profile_update(
                user=user,
                sex="female",
                birth_date=date(1990, 6, 15),
                time_zone=time_zone or _machine_zone(),
            )
        self.stdout.write(self.style.SUCCESS(f"Demo login: username {username!r}, password {password!r}"))


def _machine_zone() -> str:
    try:
        import tzlocal

        zone = tzlocal.get_localzone_name()
    except Exception:  # noqa: BLE001 - any failure falls back to UTC
        zone = None
    from tracker.models import available_time_zones

    return zone if zone in available_time_zones() else "UTC"
