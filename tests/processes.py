"""Real processes for the load and fault tests: gunicorn with deploy/gunicorn.conf.py, a private
redis-server that a test may restart empty, a Celery worker, Caddy. They all use the test database, so
the tests that start them are transactional (what a process writes is committed and visible)."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_database_url() -> str:
    """The URL of the database the test runs on (the test database, not the configured one)."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or "postgres"
    return f"postgres://{user}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def app_env(var_dir: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_ALLOW_ASYNC"))}
    env.update(
        DJANGO_SETTINGS_MODULE="tracker.settings",
        TRACKER_VAR_DIR=str(var_dir),
        DATABASE_URL=test_database_url(),
        CONN_MAX_AGE="0",
        LOG_LEVEL="WARNING",
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


def wait_until(check, timeout: float = 20, interval: float = 0.05, what: str = "ready"):
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
            if result:
                return result
        except (OSError, requests.RequestException):
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"not {what} after {timeout} s")
        time.sleep(interval)


class Process:
    def __init__(self, args, env, log_path: Path, cwd=ROOT):
        self.log_path = log_path
        self.log = open(log_path, "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            args, cwd=cwd, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def alive(self) -> bool:
        return self.proc.poll() is None

    def output(self) -> str:
        if not self.log.closed:
            self.log.flush()
        return self.log_path.read_text()

    def kill(self, sig=signal.SIGKILL) -> None:
        """The whole process group: a gunicorn master or a Celery worker with its children."""
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            pass
        self.proc.wait(15)

    def stop(self) -> None:
        if self.alive():
            self.kill(signal.SIGTERM)
        self.log.close()


def gunicorn(var_dir: Path, workers: int = 2, **env) -> tuple[Process, str]:
    port = free_port()
    process = Process(
        [
            str(BIN / "gunicorn"),
            "-c",
            "deploy/gunicorn.conf.py",
            "tracker.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
        ],
        app_env(var_dir, **env),
        var_dir / "gunicorn.log",
    )
    url = f"http://127.0.0.1:{port}"
    wait_until(
        lambda: requests.get(f"{url}/healthz", timeout=2).status_code in (200, 503),
        timeout=60,
        what="gunicorn up",
    )
    return process, url


def worker_pids(master: Process) -> list[int]:
    """The gunicorn master's worker processes."""
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(master.proc.pid)], capture_output=True, text=True)
    return [int(pid) for pid in out.stdout.split()]


def redis_server(var_dir: Path, port: int | None = None) -> tuple[Process, int]:
    """A private Redis that keeps nothing on disk: stopping it loses every queued message."""
    port = port or free_port()
    process = Process(
        [
            shutil.which("redis-server") or "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(var_dir),
        ],
        os.environ.copy(),
        var_dir / f"redis-{port}.log",
    )

    def answers():
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")

    wait_until(answers, what="redis up")
    return process, port


def celery_worker(var_dir: Path, name: str, concurrency: int = 2, **env) -> Process:
    process = Process(
        [
            str(BIN / "celery"),
            "-A",
            "tracker",
            "worker",
            "--pool=prefork",
            f"--concurrency={concurrency}",
            "--loglevel=WARNING",
            "-n",
            f"{name}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        app_env(var_dir, **env),
        var_dir / f"celery-{name}.log",
    )
    return process


# deploy/Caddyfile.home's site, on free ports, with its state in the test's folder.
CADDYFILE = """{
\tadmin off
\thttp_port HTTP_PORT
\thttps_port HTTPS_PORT
\tauto_https disable_redirects
\tskip_install_trust
\tstorage file_system STORAGE
\tservers {
\t\tprotocols h1 h2
\t}
}
https://localhost:HTTPS_PORT {
\ttls internal
\tencode zstd gzip
\theader -Server
\treverse_proxy BACKEND
}
"""


def caddy(var_dir: Path, backend: str) -> tuple[Process, str, str]:
    """Caddy with its internal CA (deploy/Caddyfile.home's "tls internal") in front of ``backend``.
    Returns the process, the https URL and the root certificate to verify it with."""
    port = free_port()
    host_port = backend.split("//", 1)[1]
    config = var_dir / "Caddyfile"
    config.write_text(
        CADDYFILE.replace("HTTP_PORT", str(free_port()))
        .replace("HTTPS_PORT", str(port))
        .replace("STORAGE", str(var_dir / "caddy-data"))
        .replace("BACKEND", host_port)
    )
    env = dict(
        os.environ, HOME=str(var_dir), XDG_CONFIG_HOME=str(var_dir / "cfg"), XDG_DATA_HOME=str(var_dir)
    )
    process = Process(
        [shutil.which("caddy") or "caddy", "run", "--config", str(config), "--adapter", "caddyfile"],
        env,
        var_dir / "caddy.log",
    )
    url, root = f"https://localhost:{port}", str(var_dir / "caddy-data/pki/authorities/local/root.crt")
    wait_until(
        lambda: requests.get(f"{url}/healthz", verify=root, timeout=2).status_code in (200, 503),
        timeout=60,
        what="caddy up",
    )
    return process, url, root
