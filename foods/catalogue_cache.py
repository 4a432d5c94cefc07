"""The catalogue changes rarely and is read on every search: API pages of it are cached, keyed by a
catalogue version that every save or delete of a food, portion or supplement form moves on."""

import contextvars
import hashlib
import threading
import uuid
from collections import OrderedDict
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction

VERSION_KEY = "catalogue:version"
TIMEOUT = 60 * 60


def _version_timeout() -> int | None:
    """With a per-process cache (no CACHE_URL) the version expires after a minute, so that an edit
    made through one process reaches the others within it; a shared cache (Redis) sees every edit at
    once, and the version lives until the next edit or import."""
    backend = settings.CACHES["default"]["BACKEND"]
    return 60 if backend.endswith("LocMemCache") else None


# Inside ``one_catalogue_version()``: a one-item list holding the version once read, else None.
_pinned: contextvars.ContextVar[list | None] = contextvars.ContextVar("catalogue_version", default=None)


@contextmanager
def one_catalogue_version():
    """Within this block (one request's validation) the catalogue version is read from the cache at
    most once: a food with its portion, or a batch of entries, would otherwise ask for it per field,
    and each ask is a round trip to Redis."""
    token = _pinned.set([None])
    try:
        yield
    finally:
        _pinned.reset(token)


def catalogue_version() -> str:
    box = _pinned.get()
    if box is not None and box[0] is not None:
        return box[0]
    version = cache.get(VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        cache.add(VERSION_KEY, version, _version_timeout())
        version = cache.get(VERSION_KEY, version)
    if box is not None:
        box[0] = version
    return version


def bump_catalogue_version(instance=None, **_signal_kwargs) -> None:
    """The shared catalogue changed. A user's own food is no part of it (and never cached)."""
    if instance is not None and _is_own(instance):
        return
    _new_version()
    if connection.in_atomic_block:
        # A search between the change and its commit reads the new version with the old rows, and
        # would keep them under it: once committed, the version moves on again.
        transaction.on_commit(_new_version)


def _new_version() -> None:
    version = uuid.uuid4().hex
    cache.set(VERSION_KEY, version, _version_timeout())
    box = _pinned.get()
    if box is not None:
        box[0] = version


def owner_of(row) -> int | None:
    """The user whose own food this food or portion is; None for the shared catalogue."""
    label = row._meta.label
    if label == "foods.Food":
        return row.owner_id
    if label == "foods.Portion":
        return row.food.owner_id
    return None


def _is_own(row) -> bool:
    return owner_of(row) is not None


def cached_catalogue(key: str, build):
    """The value for ``key`` in the current catalogue version, built and stored when missing."""
    digest = hashlib.sha256(key.encode()).hexdigest()  # any text, any length: a safe cache key
    full_key = f"catalogue:{catalogue_version()}:{digest}"
    value = cache.get(full_key)
    if value is None:
        value = build()
        cache.set(full_key, value, TIMEOUT)
    return value


class _InProcess:
    """What this process has read of the catalogue, for the catalogue version it was read in: at most
    ``MAX_ITEMS``, the least recently used dropped first (the catalogue may hold 400,000 foods)."""

    MAX_ITEMS = 4096

    def __init__(self):
        self.version: str | None = None
        self.items: OrderedDict = OrderedDict()
        self.lock = threading.Lock()  # threaded servers share it

    def get(self, version: str, key):
        with self.lock:
            if self.version != version:
                self.version, self.items = version, OrderedDict()
            item = self.items.get(key)
            if item is not None:
                self.items.move_to_end(key)
            return item

    def put(self, version: str, key, item) -> None:
        with self.lock:
            if self.version != version:
                return  # the catalogue moved on while this was read
            self.items[key] = item
            while len(self.items) > self.MAX_ITEMS:
                self.items.popitem(last=False)


_rows = _InProcess()  # model instances (logging reads no catalogue row from the database)
_rendered = _InProcess()  # foods as the API renders them (a search page reads none from Redis)


def catalogue_row(model, pk):
    """The food, portion or supplement form with this primary key, or None. Shared rows are kept in
    this process until the catalogue version moves on: logging a meal then reads no catalogue row from
    the database. Misses and users' own foods are not kept (an own food's edit must show at once)."""
    version = catalogue_version()
    key = (model._meta.label, pk)
    row = _rows.get(version, key)
    if row is not None:
        return row
    query = model.objects.filter(pk=pk)
    if model._meta.label == "foods.Portion":
        query = query.select_related("food")
    row = query.first()
    if row is not None and not _is_own(row):
        _rows.put(version, key, row)
    return row


def catalogue_json(ids: list[int], render) -> list[dict]:
    """``render(food)`` for each food id, in order: shared foods from this process or the cache when
    this catalogue version already rendered them, the rest (and every user's own food) read with their
    portions. Callers must not change what they get (it is shared within the process)."""
    from django.db.models import prefetch_related_objects

    from foods.models import Food

    version = catalogue_version()
    found = {pk: data for pk in ids if (data := _rendered.get(version, pk)) is not None}
    keys = {pk: f"catalogue:{version}:food:{pk}" for pk in ids if pk not in found}
    if keys:
        shared = cache.get_many(list(keys.values()))
        found.update({pk: shared[key] for pk, key in keys.items() if key in shared})
    missing = [pk for pk in ids if pk not in found]
    if missing:
        foods = list(Food.objects.filter(pk__in=missing))
        prefetch_related_objects(foods, "portions")
        fresh = {food.pk: render(food) for food in foods}
        cache.set_many({keys[pk]: data for pk, data in fresh.items() if not data["own"]}, TIMEOUT)
        found.update(fresh)
    for pk, data in found.items():
        if not data["own"]:
            _rendered.put(version, pk, data)
    return [found[pk] for pk in ids if pk in found]
