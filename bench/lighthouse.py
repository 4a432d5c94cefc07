#!/usr/bin/env python
"""Lighthouse (mobile) on the signed-in Today and Week screens, served as in production: gunicorn with
DJANGO_DEBUG=false, collected (hashed, compressed) static files, a user with a week of entries.

    .venv/bin/python bench/lighthouse.py            # about a minute; installs Lighthouse with npm once

Lighthouse runs Debian's Chromium (/usr/bin/chromium) with its default mobile emulation (a mid-range
phone, slow 4G). The user is signed in by a token header on every request; the script checks that the
page read the user's day (a 200 from /api/v1/summary/daily/) so that a sign-in page is never scored
instead. The README's "Phone app" table holds the figures.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE_VERSION = "12.8.2"
TOOLS = ROOT / "var" / "lighthouse"
SCREENS = ("today", "week")
SEED = """
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework.authtoken.models import Token
from foods.models import Portion, SupplementForm
from tracker import services

user = get_user_model().objects.create_user("lighthouse", "lh@example.org", "a long unusual passphrase")
user.date_joined = timezone.now() - timedelta(days=30)
user.save()
services.profile_update(user=user, sex="female", birth_date=__import__("datetime").date(1990, 6, 15), time_zone="UTC")
almonds = Portion.objects.get(food__name="Almonds", label="1 oz")
bran = Portion.objects.get(food__name="Oat bran", label="½ cup")
citrate = SupplementForm.objects.get(name="Citrate")
for days_ago in range(8):
    moment = timezone.now() - timedelta(days=days_ago)
    services.intake_create(user=user, food=almonds.food, portion=almonds, quantity=2, consumed_at=moment)
    services.intake_create(user=user, food=bran.food, portion=bran, consumed_at=moment)
    if days_ago % 2:
        services.dose_create(user=user, form=citrate, elemental_mg=100, taken_at=moment)
print(Token.objects.create(user=user).key)
"""


def lighthouse_bin() -> Path:
    binary = TOOLS / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        TOOLS.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "npm",
                "install",
                "--prefix",
                str(TOOLS),
                "--no-audit",
                "--no-fund",
                f"lighthouse@{LIGHTHOUSE_VERSION}",
            ],
            check=True,
        )
    return binary


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    binary = lighthouse_bin()
    var = Path(tempfile.mkdtemp(prefix="lighthouse-"))
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="tracker.settings",
        TRACKER_VAR_DIR=str(var),
        DJANGO_DEBUG="false",
        SECRET_KEY="lighthouse-" + "k" * 40,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",  # plain http on localhost, which browsers treat as secure
        LOG_LEVEL="WARNING",
    )
    python = sys.executable
    for command in (
        ["migrate", "--noinput", "-v0"],
        ["loaddata", "foods", "-v0"],
        ["collectstatic", "--noinput", "-v0"],
    ):
        subprocess.run([python, "manage.py", *command], cwd=ROOT, env=env, check=True)
    token = subprocess.run(
        [python, "manage.py", "shell", "-c", SEED],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()[-1]
    port = free_port()
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "-c",
            "deploy/gunicorn.conf.py",
            "tracker.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://localhost:{port}"
    try:
        for _ in range(100):
            try:
                if requests.get(f"{url}/healthz", timeout=1).status_code in (200, 503):
                    break
            except requests.RequestException:
                time.sleep(0.1)
        rows = []
        for screen in SCREENS:
            report = var / f"{screen}.json"
            subprocess.run(
                [
                    str(binary),
                    f"{url}/#/{screen}",
                    "--quiet",
                    "--output=json",
                    f"--output-path={report}",
                    "--only-categories=performance,accessibility,best-practices",
                    "--chrome-flags=--headless=new --no-sandbox",
                    f"--extra-headers={json.dumps({'Authorization': f'Token {token}'})}",
                ],
                env={**os.environ, "CHROME_PATH": "/usr/bin/chromium"},
                check=True,
            )
            data = json.loads(report.read_text())
            requests_seen = data["audits"]["network-requests"]["details"]["items"]
            signed_in = any(
                "/api/v1/summary/" in r["url"] and r.get("statusCode") == 200 for r in requests_seen
            )
            if not signed_in:
                sys.exit(f"{screen}: the page did not read the user's summary: not signed in, not scored")
            scores = {key: round(cat["score"] * 100) for key, cat in data["categories"].items()}
            metrics = data["audits"]
            rows.append(
                (
                    screen,
                    scores["performance"],
                    scores["accessibility"],
                    scores["best-practices"],
                    metrics["first-contentful-paint"]["displayValue"],
                    metrics["largest-contentful-paint"]["displayValue"],
                    metrics["total-blocking-time"]["displayValue"],
                    metrics["cumulative-layout-shift"]["displayValue"],
                )
            )
            failed = [
                f"{a['id']}: {a['title']}"
                for cat in ("accessibility", "best-practices")
                for ref in data["categories"][cat]["auditRefs"]
                if (a := metrics[ref["id"]])["score"] is not None and a["score"] < 1 and ref["weight"] > 0
            ]
            if failed:
                print(f"{screen}: " + "; ".join(failed))
        print(
            f"Lighthouse {data['lighthouseVersion']}, {data['configSettings']['formFactor']}, Chromium at {url}"
        )
        print("| Screen | Performance | Accessibility | Best practices | FCP | LCP | TBT | CLS |")
        print("|---|---|---|---|---|---|---|---|")
        for row in rows:
            print("| " + " | ".join(str(cell) for cell in row) + " |")
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    main()
