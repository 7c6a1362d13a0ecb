"""What the database store keeps of its own reading (issue #32): digests and finished
reports, per login in ``floor.digests`` (row security makes each login's rows its own), under
the change counters of the partitions they were worked out from: never stale, as the file
store's ``.cache`` (store.digests, store.memo). A mixin of store.pg.PgStore.

May import: TinyDB, psycopg and the standard library; nothing of floorapp or screens.
"""

from __future__ import annotations

from typing import Any

from store.digests import DIGESTS_KEPT
from store.errors import StoreError
from store.lru import _keep

MEMO_PART = "memo"  # floor.digests rows holding finished reports (no partition is so named)


class KeptFigures:
    """Digests and the memo of finished reports of a PgStore."""

    def digest(self, partition: str, name: str) -> Any:
        """The figures ``add_digest(name, …)`` works out from a partition, kept in memory
        under its change counter (never stale)."""
        hit = self._derived.get((partition, name))
        if hit is not None:
            signature = self.signature(partition)
            if hit[0] == signature and signature is not None:
                return hit[1]
            kept = self._kept_digest(partition, name, signature)
        elif partition in ("ref", "pay"):
            signature, kept = self.signature(partition), None
        else:
            signature, kept = self._signature_and_kept(partition, name)
        if kept is not None:
            value = kept[0]
        else:
            compute, _stands_for = self._digesters[name]
            value = compute(self._read(partition, signature))
            self._keep_digest(partition, name, signature, value)
        _keep(self._derived, (partition, name), (signature, value), DIGESTS_KEPT,
              self._lru_lock)
        return value

    def _signature_and_kept(self, partition: str, name: str) -> tuple[int | None, Any]:
        """The partition's change counter and this login's ``name`` figures kept for it (a
        1-tuple, None when there are none), in one round trip: a month report's first look at
        each of its days reads only the figures it asks for."""
        try:
            row = self._one(
                "SELECT c.changes, d.name IS NOT NULL, d.value FROM floor.changes c "
                "LEFT JOIN floor.digests d ON d.login = session_user AND d.site = c.site "
                "AND d.part = c.part AND d.name = %s AND d.changes = c.changes "
                "WHERE c.site = %s AND c.part = %s", (name, self.site, partition))
        except StoreError:  # the figures are a cache: the counter alone
            return self.signature(partition), None
        signature = row[0] if row else None
        if self._watchers:
            self._saw(("part", partition), signature)
        if signature is None or not row[1]:
            return signature, None
        return signature, (row[2],)

    def _kept_digest(self, partition: str, name: str, signature: int | None) -> Any:
        """This login's ``name`` figures of the partition at ``signature`` (floor.digests),
        as a 1-tuple; None when there are none."""
        if signature is None or partition in ("ref", "pay"):
            return None
        try:
            rows = self._rows("SELECT value FROM floor.digests WHERE login = session_user "
                              "AND site = %s AND part = %s AND name = %s AND changes = %s",
                              (self.site, partition, name, signature))
        except StoreError:
            rows = []  # a cache: worked out again
        return (rows[0][0],) if rows else None

    def _keep_digest(self, partition: str, name: str, signature: int | None,
                     value: Any) -> None:
        """Keep a figure for this login and this version of the partition; never from a
        partition with damaged records (each reader names them), never of ref or pay."""
        if signature is None or partition in ("ref", "pay") or self.read_only_reason \
                or partition in self._damaged_parts \
                or signature != self.signature(partition):
            return
        from psycopg.types.json import Jsonb

        try:
            self._rows("INSERT INTO floor.digests (site, part, name, changes, value) "
                       "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (login, site, part, name) "
                       "DO UPDATE SET changes = EXCLUDED.changes, value = EXCLUDED.value "
                       "RETURNING 1", (self.site, partition, name, signature, Jsonb(value)))
        except StoreError:
            pass  # a cache: the next reader works the figures out again

    # ------------------------------------------------------------------ memo
    # Finished periods' reports (issue #30), as on the file store: kept per login in
    # floor.digests (part MEMO_PART, name the slot; row security makes each login's its own)
    # with the change counter of every partition and the listings they were worked out from.
    def memo(self, slot: str, key: list[Any]) -> Any:
        """What ``keep_memo(slot, key, …)`` kept, if every partition and listing it was
        worked out from is as it was then (one look at the site's change counters); else
        None. Only this login's own rows are read."""
        try:  # one round trip: the kept report and the site's change counters
            row = self._one("SELECT (SELECT value FROM floor.digests WHERE login = session_user "
                            "AND site = %s AND part = %s AND name = %s), "
                            "(SELECT jsonb_object_agg(part, changes) FROM floor.changes "
                            "WHERE site = %s)", (self.site, MEMO_PART, slot, self.site))
        except StoreError:
            return None
        data, counters = row if row else (None, None)
        if not isinstance(data, dict) or data.get("key") != key or "value" not in data \
                or not isinstance(data.get("reads"), list):
            return None
        counters = counters or {}
        for entry in data["reads"]:
            if not (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], list)
                    and entry[0]):
                return None
            what, found = entry
            if what[0] == "part" and len(what) == 2:
                now: Any = counters.get(what[1])
            elif what[0] == "days" and len(what) == 3:
                first, last = what[1], what[2]
                now = sorted(p for p in counters if p.startswith("day/")
                             and (first is None or p >= "day/" + first)
                             and (last is None or p <= "day/" + last))
            elif what[0] == "rosters":
                now = sorted(p for p in counters if p.startswith("roster/"))
            else:
                return None
            if now != found:
                return None
        return data["value"]

    def keep_memo(self, slot: str, key: list[Any], seen: dict[tuple, Any], value: Any) -> None:
        """Keep ``value`` for ``memo(slot, key)`` while every read in ``seen`` finds the same;
        not when a partition moved during the reads, a record was damaged or the store is
        read-only."""
        if self.read_only_reason or seen.get(("moved",)) or self.problems \
                or self._damaged_parts:
            return
        from psycopg.types.json import Jsonb

        reads = [[list(what), found] for what, found in seen.items()]
        try:
            self._rows("INSERT INTO floor.digests (site, part, name, changes, value) "
                       "VALUES (%s, %s, %s, 0, %s) ON CONFLICT (login, site, part, name) "
                       "DO UPDATE SET value = EXCLUDED.value RETURNING 1",
                       (self.site, MEMO_PART, slot,
                        Jsonb({"key": key, "reads": reads, "value": value})))
        except StoreError:
            pass  # a cache: worked out again next time

    def prune_cache(self) -> list[str]:
        """This login's kept figures of digests this program no longer registers."""
        if self.read_only_reason or not self._digesters:
            return []
        rows = self._rows("DELETE FROM floor.digests WHERE login = session_user AND site = %s "
                          "AND part <> %s AND NOT (name = ANY(%s)) RETURNING name",
                          (self.site, MEMO_PART, list(self._digesters)))
        return sorted({row[0] for row in rows})
