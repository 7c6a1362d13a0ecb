"""This OS user's own cache in a file store (``.cache/<uid>/``): opening it safely and pruning
what this program no longer uses.

May import: TinyDB, psycopg and the standard library; nothing of floorapp or screens.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
from pathlib import Path

from store import files
from store.errors import StoreError
from store.files import CACHE_DIR
from store.memo import MEMO_DIR

class UserCache:
    """The per-user cache the digests and memos live in: a place nobody else can write, so a
    planted figure never changes a report; pruned daily so it does not grow for good.

    A part of ``Store`` (store/db.py), which holds the directory, its caches and the lock."""

    def cache_dir(self) -> Path:
        """This OS user's own cache: ``.cache/<uid>/``, ``0700``; nobody else can put a figure
        in it, so a planted value can never change a report (SPEC §3 rev. 12-2026b)."""
        return self.root / CACHE_DIR / str(os.geteuid())

    def _cache_dir(self, create: bool = False) -> int | None:
        """A descriptor of ``cache_dir()`` when it is a real directory owned by this user and
        closed to everyone else; None otherwise (then no cache is read or written)."""
        uid = os.geteuid()
        try:
            shared = files.open_dir(self.root, [CACHE_DIR], create=create)
        except (OSError, StoreError):
            return None
        try:
            fd = files.open_dir(shared, [str(uid)], create=create, private=True)
        except (OSError, StoreError):
            return None
        finally:
            os.close(shared)
        st = os.fstat(fd)
        if st.st_uid != uid or stat.S_IMODE(st.st_mode) & 0o077:
            os.close(fd)
            return None
        return fd

    def prune_cache(self) -> list[str]:
        """Remove the ``.cache/`` figures of digests this program no longer registers (an
        older version's ``quota.campaign_sums.v1`` after its ``v2``) and the shared cache of
        versions before caches were kept per user: a cache only, never data, which otherwise
        grows by a copy a year on a shared disk. Returns their names; nothing is done in a
        read-only store. Nothing is followed: a ``.cache`` that is a link is left alone."""
        if self.read_only_reason:
            return []
        removed = []
        try:
            shared = files.open_dir(self.root, [CACHE_DIR])
        except (OSError, StoreError):
            return []
        try:
            for entry in sorted(os.scandir(shared), key=lambda e: e.name):
                if not entry.is_dir(follow_symlinks=False):
                    continue
                if re.fullmatch(r"[a-z][a-z0-9._-]*", entry.name):  # the old shared layout
                    shutil.rmtree(entry.name, dir_fd=shared, ignore_errors=True)
                    removed.append(entry.name)
        finally:
            os.close(shared)
        mine = self._cache_dir()
        if mine is None:
            return removed
        try:
            if self._prune_memos(mine):
                removed.append(MEMO_DIR)
            for entry in sorted(os.scandir(mine), key=lambda e: e.name):
                if entry.name in self._digesters or entry.name == MEMO_DIR \
                        or not entry.is_dir(follow_symlinks=False):
                    continue
                if not re.fullmatch(r"[a-z][a-z0-9._-]*", entry.name):
                    continue  # not one of ours: left alone
                shutil.rmtree(entry.name, dir_fd=mine, ignore_errors=True)
                removed.append(entry.name)
        finally:
            os.close(mine)
        return sorted(set(removed))
