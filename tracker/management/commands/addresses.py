"""Print where the development server can be opened: this machine, and a phone on the same network."""

from django.conf import settings
from django.core.management.base import BaseCommand

from tracker.network import lan_addresses


class Command(BaseCommand):
    help = "Print the addresses `make run` serves the app on."

    def handle(self, *args, **options):
        port = settings.PORT
        self.stdout.write(
            f"Open http://127.0.0.1:{port}/ (API docs: /api/v1/docs/). Ctrl-C stops everything."
        )
        for address in lan_addresses():
            self.stdout.write(f"On a phone on the same network: http://{address}:{port}/")
        self.stdout.write(
            "This is a development server: anyone on the same network can reach it (and the demo login "
            "above), so run it on a network you trust. "
            "Over plain http a phone can use the app but not install it, work offline or get push "
            "notifications: browsers allow those on https (or localhost) only. See the README, "
            '"Deploying" (at home, with Caddy\'s own certificate).'
        )
