"""deploy/: the Compose file, the systemd units and the Caddyfiles say the same thing, and what the
cluster test runs (tests/test_cluster.py takes its commands from compose.yaml) is what they run."""

import configparser
import json
import re
import shlex
import subprocess

import pytest
import yaml

from tests.processes import ROOT

DEPLOY = ROOT / "deploy"
COMPOSE = yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def unit(name: str) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str
    parser.read_string((DEPLOY / "systemd" / name).read_text())
    return parser["Service"]


def test_the_systemd_units_run_the_commands_of_the_compose_file():
    for service, unit_name in [
        ("web", "tracker-web.service"),
        ("worker", "tracker-worker@.service"),
        ("beat", "tracker-beat.service"),
    ]:
        argv = shlex.split(unit(unit_name)["ExecStart"])
        assert argv[0] == f"/srv/tracker/.venv/bin/{COMPOSE['services'][service]['command'][0]}"
        compose = COMPOSE["services"][service]["command"][1:]
        if service == "worker":  # each unit instance names its node; compose's replicas differ by host
            assert argv[argv.index("-n") + 1] == "worker%i@%H"
            compose = [arg for arg in compose if arg != "worker@%h"]
            argv = [arg for arg in argv if arg != "worker%i@%H"]
        assert argv[1:] == compose, unit_name


def test_the_compose_file_has_one_beat_and_several_of_the_rest():
    services = COMPOSE["services"]
    assert services["beat"]["deploy"]["replicas"] == 1
    assert services["web"]["deploy"]["replicas"] >= 2 and services["worker"]["deploy"]["replicas"] >= 2
    for name in ("web", "worker", "beat"):
        environment = services[name]["environment"]
        assert environment["DJANGO_DEBUG"] == "false" and environment["NUM_PROXIES"] == "1"
        assert environment["CACHE_URL"].startswith("redis://redis:")  # throttles shared by every node
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["caddy"]["environment"]["TRACKER_BACKENDS"] == "dynamic a web 8000"
    assert "Caddyfile.cluster" in services["caddy"]["volumes"][0]
    # every variable the Compose file requires is in the example it tells you to copy
    required = set(re.findall(r"\$\{(\w+):\?", (DEPLOY / "compose.yaml").read_text()))
    example = {
        line.split("=", 1)[0]
        for line in (DEPLOY / "compose.env.example").read_text().splitlines()
        if "=" in line
    }
    assert required <= example, required - example


@pytest.mark.caddy
def test_the_cluster_caddyfile_is_valid_with_either_kind_of_backends(tmp_path):
    for backends in ("to 127.0.0.1:8001 127.0.0.1:8002", "dynamic a web 8000"):
        result = subprocess.run(
            ["caddy", "adapt", "--config", str(DEPLOY / "Caddyfile.cluster"), "--adapter", "caddyfile"],
            env={
                "PATH": "/usr/bin:/bin",
                "HOME": str(tmp_path),
                "ACME_EMAIL": "a@example.org",
                "TRACKER_SITE": "mg.example.org",
                "TRACKER_BACKENDS": backends,
            },
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert result.returncode == 0, result.stderr
        site = json.loads(result.stdout)["apps"]["http"]["servers"]["srv0"]["routes"][0]["handle"][0]
        proxy = next(h for h in site["routes"][0]["handle"] if h["handler"] == "reverse_proxy")
        assert proxy["load_balancing"]["try_duration"] == 5_000_000_000  # 5 s, in nanoseconds
        assert proxy["health_checks"]["passive"]["fail_duration"] == 10_000_000_000
        if backends.startswith("to"):
            assert [u["dial"] for u in proxy["upstreams"]] == ["127.0.0.1:8001", "127.0.0.1:8002"]
        else:
            assert proxy["dynamic_upstreams"] == {"name": "web", "port": "8000", "source": "a"}
