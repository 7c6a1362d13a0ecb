"""The bounded in-memory keep (an LRU under a lock) of what a store has read and worked out.

May import: TinyDB, psycopg and the standard library; nothing of floorapp or screens.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

def _keep(kept: OrderedDict, key: Any, value: Any, most: int, lock: threading.Lock) -> None:
    """Put ``key`` last in an LRU of at most ``most`` entries. The app reads from a worker
    thread too (the month view), so the order and the evictions change under a lock."""
    with lock:
        kept[key] = value
        kept.move_to_end(key)
        while len(kept) > most:
            kept.popitem(last=False)


def _touch(kept: OrderedDict, key: Any, lock: threading.Lock) -> None:
    with lock:
        if key in kept:
            kept.move_to_end(key)
