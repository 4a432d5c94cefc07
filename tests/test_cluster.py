"""Several machines' worth of processes on one: two gunicorn web nodes behind Caddy's load balancer
(deploy/Caddyfile.cluster), two Celery workers with different node names, one beat, one PostgreSQL and
one Redis, each started with the command deploy/compose.yaml gives it. Through the balancer, what a
user does on one node holds on the other: the session, the throttles and the lockout; a web node
killed during logging loses and doubles nothing; a worker killed while sending leaves every reminder
sent once."""

import re
import shutil
import signal
import subprocess
import sys
import uuid
from datetime import time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import redis as redis_client
import requests
import yaml
from django.db.models import F, Sum
from django.utils import timezone

from tests import processes
from tests.test_load_and_faults import log_concurrently
from tracker.models import IntakeEntry

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.caddy,
]

DEPLOY = processes.ROOT / "deploy"
COMPOSE = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "SECRET_KEY": "cluster-test-" + "k" * 40,  # the same on every node, as in .env
    "ALLOWED_HOSTS": "localhost",
    "NUM_PROXIES": "1",
}


def compose_command(service: str) -> list[str]:
    """The service's command in deploy/compose.yaml, run from this virtualenv."""
    command = COMPOSE["services"][service]["command"]
    return [str(processes.BIN / command[0]), *command[1:]]


def compose_environment(service: str) -> dict:
    """What compose.yaml sets beyond the addresses of its own containers (those are the test's)."""
    environment = COMPOSE["services"][service]["environment"]
    return {
        k: str(v)
        for k, v in environment.items()
        if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL", "GUNICORN_BIND")
    }


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """The shared services (a private Redis that this module alone uses) and the collected static files."""
    var_dir = tmp_path_factory.mktemp("cluster")
    redis, port = processes.redis_server(var_dir)
    env = {
        **PRODUCTION,
        "CELERY_BROKER_URL": f"redis://127.0.0.1:{port}/0",
        "CACHE_URL": f"redis://127.0.0.1:{port}/1",
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=processes.ROOT,
        env=processes.app_env(var_dir, **env),
        check=True,
        timeout=120,
    )
    yield {"var_dir": var_dir, "env": env, "redis_port": port}
    redis.stop()


class Node:
    """A web node: gunicorn as compose.yaml runs it, with an access log that tells who answered what."""

    def __init__(self, stack, name: str):
        self.name, self.port = name, processes.free_port()
        log = stack["var_dir"] / f"{name}.log"
        env = processes.app_env(
            stack["var_dir"],
            **{
                **compose_environment("web"),
                **stack["env"],
                "GUNICORN_BIND": f"127.0.0.1:{self.port}",
                "GUNICORN_WORKERS": 1,
                "GUNICORN_CMD_ARGS": "--access-logfile -",
            },
        )
        self.process = processes.Process(compose_command("web"), env, log)
        processes.wait_until(
            lambda: requests.get(f"http://127.0.0.1:{self.port}/healthz", timeout=2).ok,
            timeout=60,
            what=f"{name} up",
        )

    def answered(self, method: str, path: str, status: int) -> int:
        return len(re.findall(rf'"{method} {re.escape(path)} HTTP/1\.1" {status} ', self.process.output()))


def answered(nodes: list[Node], method: str, path: str, status: int, expected=None) -> list[int]:
    """How many such requests each node answered (its access log line follows the answer by a moment:
    with ``expected``, wait up to 5 s for it)."""

    def counts():
        return [node.answered(method, path, status) for node in nodes]

    if expected is not None:
        try:
            processes.wait_until(lambda: expected(counts()), timeout=5, what="logged")
        except TimeoutError:
            pass
    return counts()


# The test's own global options (its ports, no admin endpoint, Caddy's internal CA, no system trust
# store) in front of deploy/Caddyfile.cluster's site block, which is used as it is.
TEST_GLOBALS = """{
\tadmin off
\thttp_port HTTP_PORT
\thttps_port HTTPS_PORT
\tauto_https disable_redirects
\tskip_install_trust
\tstorage file_system STORAGE
}
"""


def balancer(stack, nodes: list[Node]) -> tuple[processes.Process, str, str]:
    var_dir = stack["var_dir"]
    cluster = (DEPLOY / "Caddyfile.cluster").read_text()
    site = cluster[cluster.index("{$TRACKER_SITE}") :]
    port = processes.free_port()
    config = var_dir / "Caddyfile"
    config.write_text(
        TEST_GLOBALS.replace("HTTP_PORT", str(processes.free_port()))
        .replace("HTTPS_PORT", str(port))
        .replace("STORAGE", str(var_dir / "caddy-data"))
        + "\n"
        + site
    )
    url = f"https://localhost:{port}"
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(var_dir),
        "XDG_CONFIG_HOME": str(var_dir / "cfg"),
        "XDG_DATA_HOME": str(var_dir),
        "TRACKER_SITE": url,
        "TRACKER_BACKENDS": "to " + " ".join(f"127.0.0.1:{node.port}" for node in nodes),
    }
    process = processes.Process(
        [shutil.which("caddy") or "caddy", "run", "--config", str(config), "--adapter", "caddyfile"],
        env,
        var_dir / "caddy.log",
    )
    root = str(var_dir / "caddy-data/pki/authorities/local/root.crt")
    processes.wait_until(
        lambda: requests.get(f"{url}/healthz", verify=root, timeout=2).ok, timeout=60, what="caddy up"
    )
    return process, url, root


@pytest.fixture
def cluster(stack):
    nodes, proxy = [], None
    try:
        nodes = [Node(stack, "web1"), Node(stack, "web2")]
        proxy, url, root = balancer(stack, nodes)
        yield {"nodes": nodes, "url": url, "root": root}
    finally:
        if proxy:
            proxy.stop()
        for node in nodes:
            node.process.stop()
        # every test starts with no throttle counts (the cache is this module's own Redis)
        redis_client.Redis(port=stack["redis_port"], db=1).flushdb()


def browser(cluster) -> requests.Session:
    session = requests.Session()
    session.verify, session.trust_env = cluster["root"], False
    return session


def test_a_session_started_on_one_node_works_on_the_other(cluster):
    url, nodes = cluster["url"], cluster["nodes"]
    with browser(cluster) as phone:
        signed_up = phone.post(
            f"{url}/api/v1/auth/register/",
            json={"username": "two-nodes", "email": "n@example.org", "password": "a long unusual passphrase"},
            headers={"Origin": url},
        )
        assert signed_up.status_code == 201, signed_up.text
        assert {"sessionid", "csrftoken"} <= set(phone.cookies.keys())
        # round robin: consecutive requests go to each node in turn, with the session cookie alone
        answers = [phone.get(f"{url}/api/v1/auth/session/").json() for _ in range(4)]
        assert all(a["authenticated"] and a["profile"]["username"] == "two-nodes" for a in answers), answers
        assert answered(nodes, "GET", "/api/v1/auth/session/", 200, lambda c: c == [2, 2]) == [2, 2]
        # an unsafe request with the session needs the CSRF token, which each node accepts (one SECRET_KEY)
        food = phone.get(f"{url}/api/v1/foods/?q=almonds").json()["results"][0]
        csrf = {"X-CSRFToken": phone.cookies["csrftoken"], "Referer": f"{url}/"}
        for n in range(2):
            logged = phone.post(
                f"{url}/api/v1/intakes/",
                json={"id": str(uuid.uuid4()), "food": food["id"], "portion": food["portions"][0]["id"]},
                headers=csrf,
            )
            assert logged.status_code == 201, logged.text
            assert logged.json()["day"]["total_mg"] == 78 * (n + 1)
        assert answered(nodes, "POST", "/api/v1/intakes/", 201, lambda c: c == [1, 1]) == [1, 1]
        # the node that signed the browser in goes away: the other still knows the session
        first = nodes[answered(nodes, "POST", "/api/v1/auth/register/", 201).index(1)]
        first.process.kill()
        after = phone.get(f"{url}/api/v1/auth/session/")
        assert after.status_code == 200 and after.json()["authenticated"], after.text
        # signing out on one node ends the session everywhere
        assert phone.post(f"{url}/api/v1/auth/logout/", headers=csrf).status_code == 204
        assert phone.get(f"{url}/api/v1/auth/session/").json() == {"authenticated": False, "profile": None}


def test_throttles_and_the_lockout_count_across_nodes(cluster, user):
    url, nodes = cluster["url"], cluster["nodes"]
    user.set_password("the right passphrase here")
    user.save()
    with browser(cluster) as client:

        def sign_in(password, username=user.username):
            return client.post(f"{url}/api/v1/auth/login/", json={"username": username, "password": password})

        # the lockout (in PostgreSQL): ten wrong passwords, alternately on each node, lock the account
        # (the tenth attempt is the one that locks it)
        wrong = [sign_in("not it").status_code for _ in range(10)]
        assert wrong == [400] * 9 + [429], wrong
        assert sorted(answered(nodes, "POST", "/api/v1/auth/login/", 400, lambda c: sum(c) == 9)) == [4, 5]
        for _ in range(2):  # on either node, the right password is now refused
            locked = sign_in("the right passphrase here")
            assert locked.status_code == 429 and "locked" in locked.json()["detail"], locked.text
        # the address throttle (in Redis): 20 sign-in attempts a minute in all, not per node; each node
        # alone has seen only half of the 20 when the 21st is refused
        others = [sign_in("nope", username=f"someone{n}").status_code for n in range(10)]
        assert others == [400] * 8 + [429, 429], others
        assert sorted(answered(nodes, "POST", "/api/v1/auth/login/", 429, lambda c: sum(c) == 5)) == [2, 3]


def test_concurrent_logging_with_a_web_node_killed_loses_and_doubles_nothing(cluster, user, almonds_oz):
    from rest_framework.authtoken.models import Token

    url, nodes = cluster["url"], cluster["nodes"]
    headers = {"Authorization": f"Token {Token.objects.create(user=user).key}"}
    threads, per_thread = 6, 25
    stored = log_concurrently(
        url,
        headers,
        almonds_oz,
        clients=threads,
        per_client=per_thread,
        # the whole node: master and workers, mid-load
        fault=lambda: nodes[0].process.kill(signal.SIGKILL),
        new_session=lambda: browser(cluster),
    )
    assert all(answered(nodes, "POST", "/api/v1/intakes/", 201)), "both nodes took part"

    rows = IntakeEntry.objects.filter(user=user)
    assert len(stored) == threads * per_thread and set(stored.values()) <= {200, 201}
    assert {str(pk) for pk in rows.values_list("id", flat=True)} == set(stored)  # none lost
    assert rows.count() == len(stored)  # none doubled: one row per answered entry, no other
    assert rows.aggregate(total=Sum("magnesium_mg"))["total"] == Decimal(78) * len(stored)
    day = requests.get(f"{url}/api/v1/summary/daily/", headers=headers, verify=cluster["root"]).json()
    assert day["total_mg"] == 78 * len(stored)


def celery(stack, service: str, name: str, **env) -> processes.Process:
    command = compose_command(service)
    if "-n" in command:  # compose's replicas differ by host name (%h); here they share the host
        command[command.index("-n") + 1] = f"{name}@%h"
    return processes.Process(
        command,
        processes.app_env(stack["var_dir"], **{**compose_environment(service), **stack["env"], **env}),
        stack["var_dir"] / f"{name}.log",
    )


def test_reminders_through_two_workers_with_one_killed_are_sent_once_each(stack):
    from django.contrib.auth import get_user_model

    from tests.factories import UserFactory
    from tests.servers import MailServer
    from tracker.reminders import services as reminders
    from tracker.reminders.models import Reminder, ReminderDelivery

    count = 40
    users = [UserFactory(email=f"c{n}@example.org") for n in range(count)]
    due = timezone.now() - timedelta(seconds=5)
    for user in users:
        reminder = reminders.reminder_create(
            user=user, kind="log_meals", local_time=time(8), channels=["email"]
        )
        Reminder.objects.filter(pk=reminder.pk).update(next_fire_at=due)
    mail = MailServer(delay=0.1)
    env = {"EMAIL_URL": f"smtp://127.0.0.1:{mail.port}", "REMINDER_DISPATCH_SECONDS": 2}
    workers = [celery(stack, "worker", name, **env) for name in ("worker1", "worker2")]
    beat = celery(stack, "beat", "beat", **env)
    try:
        processes.wait_until(lambda: len(mail.arrivals) >= count // 4, timeout=90, what="sending")
        workers[0].kill()  # SIGKILL, mid-send
        # three minutes pass: the killed worker's leases (2 minutes) run out and what it had taken but not
        # begun counts as lost; the beat's next tick requeues both
        gone_by = timedelta(minutes=3)
        ReminderDelivery.objects.update(
            created_at=F("created_at") - gone_by, claimed_until=F("claimed_until") - gone_by
        )

        def all_finished():
            finished = ReminderDelivery.objects.filter(status__in=["sent", "uncertain", "failed", "skipped"])
            return finished.count() == count

        processes.wait_until(all_finished, timeout=120, interval=0.3, what="every reminder finished")
    finally:
        beat.stop()
        for worker in workers:
            worker.stop()
        mail.close()

    received: dict[str, int] = {}
    for _, recipient in mail.arrivals:
        received[recipient] = received.get(recipient, 0) + 1
    statuses = dict(ReminderDelivery.objects.values_list("user__email", "status"))
    emails = set(
        get_user_model().objects.filter(email__endswith="@example.org").values_list("email", flat=True)
    )
    assert set(statuses) == emails and set(statuses.values()) <= {"sent", "uncertain"}
    assert [email for email, n in received.items() if n > 1] == []  # nobody twice
    for email in emails:  # everybody once, or recorded "uncertain" (the worker died mid-send)
        assert received.get(email, 0) == 1 or statuses[email] == "uncertain", email
    sent_by = [len(re.findall(r"Task tracker\.tasks\.\w+\[[^\]]+\] succeeded", w.output())) for w in workers]
    print(
        f"\ncluster reminders: {len(emails)} recipients, {sum(received.values())} emails, "
        f"{sum(1 for s in statuses.values() if s == 'uncertain')} uncertain; send tasks done per worker: {sent_by}"
    )
    assert sent_by[1] > 0, "the surviving worker sent its share and the killed one's"
    assert "received" in workers[0].output(), "the killed worker had taken work before it died"
    assert Path(stack["var_dir"] / "beat.log").read_text().count("Scheduler: Sending due task") >= 2
