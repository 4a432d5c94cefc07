"""Settings for benchmarks: the production settings plus a floor endpoint (bench/urls.py)."""

from tracker.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
