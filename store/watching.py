"""What a ``watching`` block has read: the one record, shared by the file store and the database
store, of every file or partition and listing a result was worked out from.

May import: TinyDB, psycopg and the standard library; nothing of floorapp or screens.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class Watching:
    """Knowing what a finished report was worked out from, so its memo is given again only
    while all of that is unchanged. The store sets ``_watchers`` (an empty list) when made.

    A part of both stores: ``Store`` (store/db.py) and ``PgStore`` (store/pg.py)."""

    _watchers: list[dict[tuple, Any]]

    def _saw(self, what: tuple, found: Any) -> None:
        """Note for every ``watching`` block what a read found; a file or partition that
        changed while the block read it (seen twice, different) makes the block's result
        unkeepable."""
        for seen in self._watchers:
            if seen.setdefault(what, found) != found:
                seen[("moved",)] = True

    @contextmanager
    def watching(self) -> Iterator[dict[tuple, Any]]:
        """Every file or partition (its signature, or its change counter) and listing read
        inside the block, for ``keep_memo``. Every read goes through ``signature``,
        ``read_partition`` or a listing, so a result worked out inside the block depends on
        the store through these only."""
        seen: dict[tuple, Any] = {}
        self._watchers.append(seen)
        try:
            yield seen
        finally:
            self._watchers.remove(seen)
