"""Digests of a file store: figures worked out from one day file, kept in memory and in this
user's ``.cache/`` for as long as the file is unchanged.

May import: TinyDB, psycopg and the standard library; nothing of floorapp or screens.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from store import atomic, files
from store.errors import StoreError
from store.files import orjson_loads
from store.lru import _keep, _touch
from store.records import _current

DIGESTS_KEPT = 2048  # a month report holds ~500 (62 days × 8); an app open for weeks stays bounded


def _records_digest(table: str) -> str:
    """The digest name of a table's current records (its format's version in the name)."""
    return f"records.v1.{table}"


def _versions_digest(table: str) -> str:
    """The digest name of every version of a table's records (``keep_versions``)."""
    return f"versions.v1.{table}"


class Digests:
    """Figures worked out once from each day file (a month report's sums, a table's current
    records, every version of one), so a reader of a month of days does not parse them again.

    A part of ``Store`` (store/db.py), which holds the directory, its caches and the lock."""

    def add_digest(self, name: str, compute: Callable[[dict[str, Any]], Any],
                   stands_for: tuple[str, ...] = ()) -> None:
        """Register figures worked out from one day file's tables (its raw versioned tables
        in, JSON-able figures out). They are worked out when the file is read and kept, in
        memory and under ``.cache/``, for as long as the file is unchanged; ``stands_for``
        names tables whose records a month-long reader takes from these figures instead."""
        if not re.fullmatch(r"[a-z][a-z0-9._-]*", name):
            raise StoreError(f"not a digest name: {name!r}")
        self._digesters[name] = (compute, tuple(stands_for))

    def keep_versions(self, table: str) -> None:
        """Keep every version of a day-file table's records as a digest (``versions.<table>``):
        its history and its retired records are then read without parsing the day file (the
        detail of a person's punches on a past day of a 1,000-seat floor; issue #30)."""
        self.add_digest(_versions_digest(table),
                        lambda tables: list((tables.get(table) or {}).values()))

    def keep_records(self, table: str) -> None:
        """Keep the current records of a day-file table as a digest (``records.<table>``), so a
        month-long reader of that table does not parse the day files again."""
        self.add_digest(_records_digest(table),
                        lambda tables: _current((tables.get(table) or {}).values()))

    def digest(self, partition: str, name: str) -> Any:
        """The figures ``add_digest(name, …)`` works out from a day partition, never stale:
        kept under the file's signature (a changed file is worked out again). A month report
        asks for a month of them; once worked out they are read from this user's own
        ``.cache/<uid>/`` without parsing the day files again (nobody else can write there; a
        cache file that is damaged, edited, or from another version of the day file is
        ignored and worked out again)."""
        path = self.path(partition)
        known = self._known_digest(partition, name, self.signature(partition))
        if known is not None:
            return known[0]
        data = self.read_partition(partition)  # works out and keeps every digest of the file
        cached = self._cache.get(path)
        signature = cached[0] if cached else None
        known = self._known_digest(partition, name, signature)
        if known is not None:
            return known[0]
        return self._work_out(partition, name, data, signature)

    def _known_digest(self, partition: str, name: str,
                      signature: tuple[int, ...] | None) -> tuple[Any] | None:
        """(the digest,) for this version of the file, from memory or the cache, else None."""
        if signature is None:
            return None
        key = (self.path(partition), name)
        hit = self._derived.get(key)
        if hit is not None and hit[0] == signature:
            _touch(self._derived, key, self._lru_lock)
            return (hit[1],)
        stored = self._cached_digest(partition, name, signature)
        if stored is not None:
            self._keep_digest(key, (signature, stored[0]))
        return stored

    def _work_out(self, partition: str, name: str, data: dict[str, Any],
                  signature: tuple[int, ...] | None) -> Any:
        compute, _stands_for = self._digesters[name]
        value = compute(data)
        path = self.path(partition)
        self._keep_digest((path, name), (signature, value))
        if signature is not None:
            self._store_digest(partition, name, signature, value)
        return value

    def _keep_digest(self, key: tuple[Path, str], hit: tuple[Any, Any]) -> None:
        _keep(self._derived, key, hit, DIGESTS_KEPT, self._lru_lock)

    def _cached_digest(self, partition: str, name: str,
                       signature: tuple[int, ...]) -> tuple[Any] | None:
        """A digest from this user's cache, if it is whole, for this version of the file and
        matches its checksum; else None (worked out again: a cache problem is never an
        error)."""
        fd = self._cache_dir()
        if fd is None:
            return None
        try:
            opened = files.read_in_store(fd, f"{name}/{partition.split('/')[-1]}.json")
            data = orjson_loads(opened.data) if opened else None
        except (OSError, ValueError, StoreError):
            return None
        finally:
            os.close(fd)
        if not isinstance(data, dict) or data.get("signature") != list(signature) \
                or "value" not in data \
                or not isinstance(data.get("value"), (dict, list)):
            return None  # every digest is an object or a list: anything else is not ours
        try:
            check = hashlib.sha256(files.dumps(data["value"])).hexdigest()
        except StoreError:
            return None
        if data.get("check") != check:
            return None
        return (data["value"],)

    def _store_digest(self, partition: str, name: str, signature: tuple[int, ...],
                      value: Any) -> None:
        if self.read_only_reason or partition in ("ref", "pay") \
                or self.path(partition) in self._damaged:
            return  # a file with damaged records is read again, so each reader names them
        fd = self._cache_dir(create=True)
        if fd is None:
            return
        try:
            raw = files.dumps(value)
            atomic.write_in_store(fd, f"{name}/{partition.split('/')[-1]}.json", files.dumps(
                {"signature": list(signature), "check": hashlib.sha256(raw).hexdigest(),
                 "value": value}), fsync=False, mode=files.PRIVATE_FILE_MODE, private=True)
        except (OSError, StoreError):
            pass  # a cache: the next reader works the figures out again
        finally:
            os.close(fd)
