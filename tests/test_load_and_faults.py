"""Load and faults, quick versions (bench/fault_bench.py runs the long ones): real gunicorn, real
Caddy, workers killed with SIGKILL. Figures are printed (pytest -s) and the README's table comes from
the bench; what is asserted is what must always hold: nothing lost, nothing stored twice."""

import json
import os
import re
import signal
import subprocess
import sys
import threading
import uuid
from datetime import time, timedelta
from decimal import Decimal

import pytest
import requests
from django.db.models import Count, F, Sum
from django.utils import timezone
from rest_framework.authtoken.models import Token

from tests import processes
from tracker.account import account_delete
from tracker.models import IntakeEntry

pytestmark = pytest.mark.django_db(transaction=True)
SCALE = int(os.environ.get("FAULT_SCALE", "1"))  # bench/fault_bench.py runs these at a larger scale


@pytest.fixture
def var_dir(tmp_path):
    return tmp_path


def token_for(user) -> dict:
    return {"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}"}


def post_until_answered(session, url, body, headers, attempts=50):
    """What the PWA's outbox does: send again on a broken connection or a 5xx until the server answers."""
    for _ in range(attempts):
        try:
            response = session.post(url, json=body, headers=headers, timeout=30)
        except (requests.ConnectionError, requests.Timeout):
            continue
        if response.status_code < 500:
            return response
    raise AssertionError(f"no answer for {body.get('id')}")


def log_concurrently(url, headers, portion, *, clients, per_client, fault, new_session=requests.Session):
    """``clients`` threads each log ``per_client`` entries of ``portion`` with new client ids, resending
    as the PWA's outbox does; ``fault()`` runs once the load is under way. Returns {entry id: status}."""
    answered, lock, started = {}, threading.Lock(), threading.Event()

    def client(n):
        with new_session() as session:
            for i in range(per_client):
                entry_id = str(uuid.uuid4())
                body = {"id": entry_id, "food": portion.food_id, "portion": portion.pk}
                response = post_until_answered(session, f"{url}/api/v1/intakes/", body, headers)
                with lock:
                    answered[entry_id] = response.status_code
                if n == 0 and i == 5:
                    started.set()

    pool = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in pool:
        thread.start()
    assert started.wait(60)
    fault()
    for thread in pool:
        thread.join(180)
    assert not any(thread.is_alive() for thread in pool)
    return answered


def test_concurrent_logging_while_a_gunicorn_worker_is_killed(var_dir, user, almonds_oz):
    server, url = processes.gunicorn(var_dir, workers=2)
    threads, per_thread = 8, 25 * SCALE
    killed = []

    def kill_a_worker():  # mid-load; the master starts a new worker
        killed.append(processes.worker_pids(server)[0])
        os.kill(killed[0], signal.SIGKILL)

    try:
        answered = log_concurrently(
            url, token_for(user), almonds_oz, clients=threads, per_client=per_thread, fault=kill_a_worker
        )
        assert server.alive() and killed[0] not in processes.worker_pids(server)
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
    replays = 12 * SCALE
    codes, barrier = [], threading.Barrier(replays)

    def replay():
        with requests.Session() as session:
            barrier.wait()
            codes.append(
                post_until_answered(session, f"{url}/api/v1/entries/batch/", batch, headers).status_code
            )

    try:
        pool = [threading.Thread(target=replay) for _ in range(replays)]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join(60)
    finally:
        server.stop()
    assert len(codes) == replays and set(codes) <= {200, 201}, codes
    assert IntakeEntry.objects.filter(user=user).count() == 20
    assert user.supplement_doses.count() == 1
    print(
        f"\none batch of 21 entries replayed {replays} times at once: stored once ({codes.count(201)} answered 201)"
    )


@pytest.mark.caddy
def test_the_app_works_through_caddy_with_https(var_dir):
    """deploy/gunicorn.conf.py in production mode behind Caddy with its internal CA (the home-network
    set-up): the page, sign-up, logging, the day's total; X-Forwarded-For cannot be forged through it."""
    # as "Deploying" says: static files are collected before the server starts (WhiteNoise indexes
    # them at start-up)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=processes.ROOT,
        env=processes.app_env(var_dir, DJANGO_DEBUG="false", SECRET_KEY="x" * 50, ALLOWED_HOSTS="localhost"),
        check=True,
        timeout=120,
    )
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
        proxy, url, root = processes.caddy(var_dir, backend)
        with requests.Session() as browser:
            browser.verify, browser.trust_env = root, False
            page = browser.get(f"{url}/")
            assert page.status_code == 200 and "Server" not in page.headers
            assert "script-src 'self'" in page.headers["Content-Security-Policy"]
            assert page.headers["Strict-Transport-Security"].startswith("max-age=31536000")
            # static files: hashed names, compressed, cached for a year; the modules import each other
            # by hashed name, and the service worker's shell lists those same names
            app_js = re.search(r'src="(/static/pwa/app\.[0-9a-f]{12}\.js)"', page.text).group(1)
            script = browser.get(f"{url}{app_js}", headers={"Accept-Encoding": "gzip"})
            assert script.status_code == 200 and script.headers["Content-Encoding"] == "gzip"
            raw = browser.get(f"{url}{app_js}", headers={"Accept-Encoding": "br"}, stream=True)
            assert raw.headers["Content-Encoding"] == "br"  # Brotli where the browser takes it
            raw.close()
            assert (
                "max-age=31536000" in script.headers["Cache-Control"]
                and "immutable" in script.headers["Cache-Control"]
            )
            assert re.search(r'from "\./api\.[0-9a-f]{12}\.js"', script.text)
            worker = browser.get(f"{url}/sw.js")
            assert worker.status_code == 200 and app_js in worker.text
            shell = json.loads(re.search(r"const SHELL_FILES = (\[.*?\]);", worker.text).group(1))
            for shell_url in [u for u in shell if u.startswith("/static/")]:
                assert re.search(r"\.[0-9a-f]{12}\.", shell_url), shell_url
                assert browser.get(f"{url}{shell_url}").status_code == 200, shell_url
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


# --- Reminders under faults ---------------------------------------------------------------------------


def run_dispatcher(var_dir, env) -> subprocess.Popen:
    """One beat tick in its own process: dispatch what is due, requeue what was abandoned."""
    code = (
        "import django; django.setup()\nfrom tracker.tasks import dispatch_reminders\ndispatch_reminders()\n"
    )
    return subprocess.Popen(
        [sys.executable, "-c", code], cwd=processes.ROOT, env=processes.app_env(var_dir, **env)
    )


@pytest.mark.redis
def test_reminders_survive_a_killed_worker_a_redis_restart_two_beats_and_deletions(var_dir):
    """Every surviving recipient gets one email, or none when its delivery is recorded "uncertain"
    (the worker died between "sending" and the answer); nobody gets two. Deleted accounts get at most
    the one that was already on its way."""
    from django.contrib.auth import get_user_model

    from tests.factories import UserFactory
    from tests.servers import MailServer
    from tracker.reminders import services as reminders
    from tracker.reminders.models import Reminder, ReminderDelivery

    count = 40 * SCALE
    users = [UserFactory(email=f"r{n}@example.org") for n in range(count)]
    scheduled = timezone.now() - timedelta(seconds=10)
    for user in users:
        reminder = reminders.reminder_create(
            user=user, kind="log_meals", local_time=time(8), channels=["email"]
        )
        Reminder.objects.filter(pk=reminder.pk).update(next_fire_at=scheduled)
    mail_server = MailServer(delay=0.05)
    redis, port = processes.redis_server(var_dir)
    env = {
        "CELERY_BROKER_URL": f"redis://127.0.0.1:{port}/0",
        "CACHE_URL": f"redis://127.0.0.1:{port}/1",
        "EMAIL_URL": f"smtp://127.0.0.1:{mail_server.port}",
    }
    workers = [processes.celery_worker(var_dir, "first", **env)]
    try:
        beats = [run_dispatcher(var_dir, env) for _ in range(2)]  # two beats in the same minute
        assert [beat.wait(60) for beat in beats] == [0, 0]
        processes.wait_until(lambda: len(mail_server.arrivals) >= count // 4, timeout=60, what="sending")
        workers[0].kill()  # SIGKILL, mid-send
        arrived = {recipient for _, recipient in mail_server.arrivals}
        doomed = [u for u in users if u.email not in arrived][: max(2, count // 10)]
        for user in doomed:  # accounts deleted while their reminders wait in the queue
            account_delete(user_id=user.pk)
        redis.kill()  # Redis restarts empty: every queued send is lost
        redis, _ = processes.redis_server(var_dir, port)
        workers.append(processes.celery_worker(var_dir, "second", **env))
        # Three minutes pass (the dead worker's 2-minute leases run out), then the next tick requeues.
        gone_by = timedelta(minutes=3)
        ReminderDelivery.objects.update(
            created_at=F("created_at") - gone_by, claimed_until=F("claimed_until") - gone_by
        )
        assert run_dispatcher(var_dir, env).wait(60) == 0

        def all_finished():
            return not ReminderDelivery.objects.exclude(
                status__in=["sent", "uncertain", "failed", "skipped"]
            ).exists()

        processes.wait_until(all_finished, timeout=90, interval=0.2, what="all deliveries finished")
    finally:
        for worker in workers:
            worker.stop()
        redis.stop()
        mail_server.close()

    survivors = {u.email for u in get_user_model().objects.filter(email__endswith="@example.org")}
    received: dict[str, int] = {}
    for _, recipient in mail_server.arrivals:
        received[recipient] = received.get(recipient, 0) + 1
    statuses = dict(ReminderDelivery.objects.values_list("user__email", "status"))
    histogram = {n: sum(1 for email in survivors if received.get(email, 0) == n) for n in (0, 1)}
    twice = sorted(email for email, n in received.items() if n > 1)
    late = max(t for t, _ in mail_server.arrivals) - scheduled.timestamp()
    print(
        f"\nreminders: {len(survivors)} recipients: {histogram[1]} got 1, {histogram[0]} got 0, "
        f"{len(twice)} got 2+; {len(doomed)} deleted accounts got {sum(received.get(u.email, 0) for u in doomed)}; "
        f"uncertain: {sum(1 for s in statuses.values() if s == 'uncertain')}; last arrival {late:.1f} s after due"
    )
    assert twice == []
    assert set(statuses) == survivors and set(statuses.values()) <= {"sent", "uncertain"}
    for email in survivors:
        assert received.get(email, 0) == 1 or statuses[email] == "uncertain", email
    assert all(received.get(u.email, 0) <= 1 for u in doomed)
