"""The catalogue changes rarely and is read on every search: API pages of it are cached, keyed by a
catalogue version that every save or delete of a food, portion or supplement form moves on."""

import hashlib
import uuid

from django.core.cache import cache

VERSION_KEY = "catalogue:version"
TIMEOUT = 60 * 60
# The version itself expires: with a per-process cache (no CACHE_URL) an edit made through one process
# reaches the others within this time; with a shared cache (Redis) it reaches them at once.
VERSION_TIMEOUT = 60


def catalogue_version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        cache.add(VERSION_KEY, version, VERSION_TIMEOUT)
        version = cache.get(VERSION_KEY, version)
    return version


def bump_catalogue_version(**_signal_kwargs) -> None:
    cache.set(VERSION_KEY, uuid.uuid4().hex, VERSION_TIMEOUT)


def cached_catalogue(key: str, build):
    """The value for ``key`` in the current catalogue version, built and stored when missing."""
    digest = hashlib.sha256(key.encode()).hexdigest()  # any text, any length: a safe cache key
    full_key = f"catalogue:{catalogue_version()}:{digest}"
    value = cache.get(full_key)
    if value is None:
        value = build()
        cache.set(full_key, value, TIMEOUT)
    return value


class _Rows:
    """Catalogue rows this process has read, for the catalogue version they were read in."""

    version: str | None = None
    rows: dict = {}


def catalogue_row(model, pk):
    """The food, portion or supplement form with this primary key, or None. Rows are kept in this
    process until the catalogue version moves on: logging a meal then reads no catalogue row from the
    database. Misses are not kept, so unknown ids cannot grow the memory."""
    version = catalogue_version()
    if _Rows.version != version:
        _Rows.version, _Rows.rows = version, {}
    key = (model._meta.label, pk)
    row = _Rows.rows.get(key)
    if row is None:
        query = model.objects.filter(pk=pk)
        if model._meta.label == "foods.Portion":
            query = query.select_related("food")
        row = query.first()
        if row is not None:
            _Rows.rows[key] = row
    return row
