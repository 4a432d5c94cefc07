"""Load and faults, quick versions (bench/fault_bench.py runs the long ones): real gunicorn, real
Caddy, workers killed with SIGKILL. Figures are printed (pytest -s) and the README's table comes from
the bench; what is asserted is what must always hold: nothing lost, nothing stored twice."""

import os
import signal
import threading
import uuid
from decimal import Decimal

import pytest
import requests
from django.db.models import Count, Sum
from rest_framework.authtoken.models import Token

from tests import processes
from tracker.models import IntakeEntry

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def var_dir(tmp_path):
    return tmp_path


def token_for(user) -> dict:
    return {"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}"}


def post_until_answered(session, url, body, headers, attempts=50):
    """What the PWA's outbox does: send again on a broken connection or a 5xx until the server answers."""
    for _ in range(attempts):
        try:
            response = session.post(url, json=body, headers=headers, timeout=10)
        except requests.ConnectionError:
            continue
        if response.status_code < 500:
            return response
    raise AssertionError(f"no answer for {body.get('id')}")


def test_concurrent_logging_while_a_gunicorn_worker_is_killed(var_dir, user, almonds_oz):
    server, url = processes.gunicorn(var_dir, workers=2)
    headers = token_for(user)
    threads, per_thread = 8, 25
    answered, started = {}, threading.Event()
    lock = threading.Lock()

    def client(n):
        with requests.Session() as session:
            for i in range(per_thread):
                entry_id = str(uuid.uuid4())
                body = {"id": entry_id, "food": almonds_oz.food_id, "portion": almonds_oz.pk}
                response = post_until_answered(session, f"{url}/api/v1/intakes/", body, headers)
                with lock:
                    answered[entry_id] = response.status_code
                if n == 0 and i == 5:
                    started.set()

    try:
        pool = [threading.Thread(target=client, args=(n,)) for n in range(threads)]
        for thread in pool:
            thread.start()
        assert started.wait(30)
        killed = processes.worker_pids(server)[0]
        os.kill(killed, signal.SIGKILL)  # mid-load; the master starts a new worker
        for thread in pool:
            thread.join(120)
        assert server.alive() and killed not in processes.worker_pids(server)
    finally:
        server.stop()

    rows = IntakeEntry.objects.filter(user=user)
    assert len(answered) == threads * per_thread
    assert set(answered.values()) <= {200, 201}
    stored = {str(pk) for pk in rows.values_list("id", flat=True)}
    assert stored == set(answered)  # every answered entry stored, and nothing else: 0 lost
    assert not rows.values("id").annotate(n=Count("id")).filter(n__gt=1).exists()  # 0 duplicated
    assert rows.aggregate(total=Sum("magnesium_mg"))["total"] == Decimal(78) * len(answered)
    print(
        f"\n{len(answered)} entries from {threads} clients, one gunicorn worker killed: 0 lost, 0 duplicated"
    )


def test_an_offline_batch_replayed_concurrently_is_stored_once(var_dir, user, almonds_oz, citrate):
    server, url = processes.gunicorn(var_dir, workers=2)
    headers = token_for(user)
    batch = {
        "entries": [
            {"type": "intake", "id": str(uuid.uuid4()), "food": almonds_oz.food_id, "portion": almonds_oz.pk}
            for _ in range(20)
        ]
        + [{"type": "supplement_dose", "id": str(uuid.uuid4()), "form": citrate.pk, "elemental_mg": 100}]
    }
    codes, barrier = [], threading.Barrier(12)

    def replay():
        with requests.Session() as session:
            barrier.wait()
            codes.append(
                post_until_answered(session, f"{url}/api/v1/entries/batch/", batch, headers).status_code
            )

    try:
        pool = [threading.Thread(target=replay) for _ in range(12)]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join(60)
    finally:
        server.stop()
    assert len(codes) == 12 and set(codes) <= {200, 201}, codes
    assert IntakeEntry.objects.filter(user=user).count() == 20
    assert user.supplement_doses.count() == 1


@pytest.mark.caddy
def test_the_app_works_through_caddy_with_https(var_dir):
    """deploy/gunicorn.conf.py in production mode behind Caddy with its internal CA (the home-network
    set-up): the page, sign-up, logging, the day's total; X-Forwarded-For cannot be forged through it."""
    server, backend = processes.gunicorn(
        var_dir,
        workers=1,  # one process: its throttle counts hold without a shared cache
        DJANGO_DEBUG="false",
        SECRET_KEY="caddy-test-" + "k" * 40,
        ALLOWED_HOSTS="localhost",
        NUM_PROXIES=1,
        AUTH_THROTTLE_RATE="20/min",
    )
    proxy = None
    try:
        subprocess_env = processes.app_env(
            var_dir, DJANGO_DEBUG="false", SECRET_KEY="x" * 50, ALLOWED_HOSTS="localhost"
        )
        import subprocess
        import sys

        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=processes.ROOT,
            env=subprocess_env,
            check=True,
            timeout=120,
        )
        proxy, url, root = processes.caddy(var_dir, backend)
        with requests.Session() as browser:
            browser.verify, browser.trust_env = root, False
            page = browser.get(f"{url}/")
            assert page.status_code == 200 and "Server" not in page.headers
            assert "script-src 'self'" in page.headers["Content-Security-Policy"]
            assert page.headers["Strict-Transport-Security"].startswith("max-age=31536000")
            assert browser.get(f"{url}/sw.js").status_code == 200
            origin = {"Origin": url}
            account = browser.post(
                f"{url}/api/v1/auth/register/",
                json={
                    "username": "caddy",
                    "email": "caddy@example.org",
                    "password": "a long unusual passphrase",
                },
                headers=origin,
            )
            assert account.status_code == 201, account.text
            assert "secure" in account.headers["Set-Cookie"].lower()
            token = {"Authorization": f"Token {account.json()['token']}"}
            food = browser.get(f"{url}/api/v1/foods/?q=almonds", headers=token).json()["results"][0]
            logged = browser.post(
                f"{url}/api/v1/intakes/",
                json={"food": food["id"], "portion": food["portions"][0]["id"]},
                headers=token,
            )
            assert logged.status_code == 201 and logged.json()["day"]["total_mg"] == 78
            assert logged.headers["Cache-Control"] == "no-store, private"
            too_long = browser.get(f"{url}/api/v1/foods/?q={'a' * 9000}", headers=token)
            assert too_long.status_code == 414 and too_long.json()["detail"].startswith("The URL is longer")
            # a forged X-Forwarded-For per request does not make a new client: the 21st attempt is throttled
            codes = [
                browser.post(
                    f"{url}/api/v1/auth/login/",
                    json={"username": f"x{n}", "password": "nope"},
                    headers={"X-Forwarded-For": f"203.0.113.{n}"},
                ).status_code
                for n in range(21)
            ]
            assert codes == [400] * 19 + [429, 429], codes  # the sign-up was the first of the 20
    finally:
        if proxy:
            proxy.stop()
        server.stop()
