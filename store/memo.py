"""The memo of a file store: finished results (a report's text) kept under this user's
``.cache/<uid>/`` with the signature of every file and listing they were worked out from.

May import: TinyDB, psycopg and the standard library; nothing of floorapp or screens.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from typing import Any

from store import atomic, files
from store.errors import StoreError
from store.files import orjson_loads

# A memo: a finished result (a report's text) kept under .cache/<uid>/ with the signature of
# every file and listing it was worked out from (``watching``); the name carries its format.
MEMO_DIR = "memo.v1"
# ... at most this much of them: a 1,000-seat floor's attendance day is ~150 KB, a month's
# report text ~1 MB; past this the memos written longest ago go at the daily prune
MEMO_BYTES_KEPT = 64 * 2**20


def _memo_file(slot: str) -> str:
    """A memo's file: one per slot (a report, its month, format, language …), replaced
    when the slot is worked out again, so the cache does not grow day by day."""
    return hashlib.sha256(slot.encode("utf-8")).hexdigest()[:40] + ".json"


class Memo:
    """Finished reports of past periods, given again without working them out while nothing
    they were worked out from has changed (never stale, as the digests).

    A part of ``Store`` (store/db.py), which holds the directory, its caches and the lock."""

    def _still(self, what: tuple, found: Any) -> bool:
        if what[0] == "file":
            return self.signature(what[1]) == found
        if what[0] == "listing":
            return found is not None and tuple(self._listing(list(what[1]), what[2],
                                                             what[3])) == found
        return False

    def memo(self, slot: str, key: list[Any]) -> Any:
        """What ``keep_memo(slot, key, …)`` kept, if every file and listing it was worked
        out from is as it was then (never stale, as the digests); else None. Read only from
        this user's own ``.cache/<uid>/`` and only when its checksum holds."""
        fd = self._cache_dir()
        if fd is None:
            return None
        try:
            opened = files.read_in_store(fd, f"{MEMO_DIR}/{_memo_file(slot)}")
            data = orjson_loads(opened.data) if opened else None
        except (OSError, ValueError, StoreError):
            return None
        finally:
            os.close(fd)
        if not isinstance(data, dict) or not isinstance(data.get("reads"), list) \
                or "value" not in data:
            return None
        try:
            body = files.dumps([key, data["reads"], data["value"]])
        except StoreError:
            return None
        if data.get("check") != hashlib.sha256(body).hexdigest() or data.get("key") != key:
            return None
        for entry in data["reads"]:
            if not (isinstance(entry, list) and len(entry) == 2
                    and isinstance(entry[0], list) and entry[0]):
                return None
            what = tuple(tuple(part) if isinstance(part, list) else part for part in entry[0])
            found = entry[1]
            found = tuple(found) if isinstance(found, list) else found
            if not self._still(what, found):
                return None
        return data["value"]

    def keep_memo(self, slot: str, key: list[Any], seen: dict[tuple, Any], value: Any) -> None:
        """Keep ``value`` (JSON-able) for ``memo(slot, key)`` while every read in ``seen``
        (a ``watching`` block's) finds the same. Not kept when a file moved during the
        reads, a record was damaged (each reader names it), or the store is read-only."""
        if self.read_only_reason or seen.get(("moved",)) or self._damaged or self.problems:
            return
        reads = [[list(what), list(found) if isinstance(found, tuple) else found]
                 for what, found in seen.items()]
        fd = self._cache_dir(create=True)
        if fd is None:
            return
        try:
            body = files.dumps([key, reads, value])
            atomic.write_in_store(fd, f"{MEMO_DIR}/{_memo_file(slot)}", files.dumps(
                {"key": key, "reads": reads, "check": hashlib.sha256(body).hexdigest(),
                 "value": value}), fsync=False, mode=files.PRIVATE_FILE_MODE, private=True)
        except (OSError, StoreError):
            pass  # a cache: worked out again next time
        finally:
            os.close(fd)

    @staticmethod
    def _prune_memos(mine: int) -> int:
        """Keep this user's memos under MEMO_BYTES_KEPT, the newest written first: a memo is
        one file per slot, but a slot per past day visited adds up over a year. Returns how
        many went. Only regular files named as memos; nothing followed."""
        try:
            memos = os.open(MEMO_DIR, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=mine)
        except OSError:
            return 0
        gone = 0
        try:
            found = []
            for entry in os.scandir(memos):
                if not re.fullmatch(r"[0-9a-f]{40}\.json", entry.name):
                    continue
                st = entry.stat(follow_symlinks=False)
                if stat.S_ISREG(st.st_mode):
                    found.append((st.st_mtime_ns, entry.name, st.st_size))
            total = 0
            for _mtime, name, size in sorted(found, reverse=True):
                total += size
                if total > MEMO_BYTES_KEPT:
                    try:
                        os.unlink(name, dir_fd=memos)
                        gone += 1
                    except OSError:
                        pass
        finally:
            os.close(memos)
        return gone
