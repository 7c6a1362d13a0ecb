"""Persistence for floor: TinyDB partitions behind a small API.

May import: TinyDB, psycopg and the standard library; nothing of floorapp or screens.

Only this package imports TinyDB. See SPEC §3: partitioned files, an OS file lock around every
read-modify-write, atomic writes, a schema version with migrations, per-change audit, backups.
"""

from store.db import Store, open_store
from store.errors import (
    CorruptFileError,
    StoreError,
    StoreLockedError,
    StoreReadOnlyError,
    StoreWriteError,
)
from store.tx import Tx

__all__ = [
    "CorruptFileError",
    "Store",
    "StoreError",
    "StoreLockedError",
    "StoreReadOnlyError",
    "StoreWriteError",
    "Tx",
    "open_store",
]
