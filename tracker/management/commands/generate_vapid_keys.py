"""Generate a VAPID key pair for Web Push."""

import json

from django.conf import settings
from django.core.management.base import BaseCommand

from tracker.reminders.push import generate_vapid_keys


class Command(BaseCommand):
    help = "Generate a VAPID key pair: print it as environment variables, or --write var/vapid.json."

    def add_arguments(self, parser):
        parser.add_argument(
            "--write",
            action="store_true",
            help="store the pair in var/vapid.json (only if that file does not exist)",
        )

    def handle(self, *args, write: bool, **options):
        path = settings.VAR_DIR / "vapid.json"
        if write and (path.exists() or settings.VAPID_PRIVATE_KEY):
            self.stdout.write("VAPID keys already configured; nothing changed.")
            return
        public_key, private_key = generate_vapid_keys()
        if write:
            path.write_text(json.dumps({"public_key": public_key, "private_key": private_key}))
            path.chmod(0o600)
            self.stdout.write(self.style.SUCCESS(f"VAPID keys written to {path}"))
        else:
            self.stdout.write(f"VAPID_PUBLIC_KEY={public_key}\nVAPID_PRIVATE_KEY={private_key}")
