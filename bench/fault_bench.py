#!/usr/bin/env python
"""The load and fault tests of tests/test_load_and_faults.py at a larger scale, on PostgreSQL and Redis,
with the figures the README's "Under load and faults" table reports.

    .venv/bin/python bench/fault_bench.py              # FAULT_SCALE=10: about 3 minutes
    .venv/bin/python bench/fault_bench.py --scale 3    # quicker

Scale 10: 2,000 entries from 8 clients while a gunicorn worker is SIGKILLed; one batch replayed by 120
clients at once; 400 users' reminders through a SIGKILLed Celery worker, a Redis restarted empty, two
beats and deleted accounts. Then schemathesis' three phases (tests/test_api_schema_fuzz.py) with 12 x
scale examples per operation, and the hostile inputs of tests/test_hardening.py.
"""

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=int, default=10)
    args = parser.parse_args()
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tracker")
    env.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
    env.setdefault("CACHE_URL", "redis://127.0.0.1:6379/1")
    env["FAULT_SCALE"] = str(args.scale)
    env.setdefault("FUZZ_EXAMPLES", str(12 * args.scale))
    started = time.monotonic()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-s",
            "-p",
            "no:randomly",
            "tests/test_load_and_faults.py",
            "tests/test_api_schema_fuzz.py",
            "tests/test_hardening.py",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    out = result.stdout + result.stderr
    for line in out.splitlines():
        if re.search(r"entries from|replayed|reminders:|passed|failed", line):
            print(line.strip())
    print(f"scale {args.scale}, {time.monotonic() - started:.0f} s, exit {result.returncode}")
    sys.exit(result.returncode)


if __name__ == "__main__":
    main()
