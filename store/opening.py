"""Opening a file store: creating it, finishing pending journals, migrating its schema, or
opening it read-only with the reason.

May import: TinyDB, psycopg and the standard library; nothing of floorapp or screens.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from store import atomic, files, journal, locking
from store.errors import CorruptFileError, StoreError, os_problem
from store.migrations import STORE_MIGRATIONS, migration_notes
from store.records import read_partition_file

if TYPE_CHECKING:
    from store.db import Store


class Opening:
    """Bringing a store directory up to date when a command or the console opens it (a new
    store, a killed writer's journal, an older schema), or saying why it can only be read.

    A part of ``Store`` (store/db.py), which holds the directory, its caches and the lock."""

    def open(self) -> Store:
        """Create the store if new, finish pending journals, run migrations.

        A store that cannot be brought up to date (meta.json lost, a committed change that
        cannot be finished, e.g. on a full disk) opens read-only with the reason, so every
        command can still read and `floor doctor` can say what is wrong.
        """
        meta_path = self.root / "meta.json"
        new = not os.path.lexists(meta_path)  # a link there is a damaged meta.json, not none
        try:
            atomic.ensure_dir(self.root)
        except OSError as exc:
            raise StoreError(f"{self.root}: cannot create the store ({exc.strerror})") from None
        if new and any(os.path.lexists(self.root / name)
                       for name in ("ref.json", "pay.json", "days", "rosters")):
            self.read_only_reason = (f"{meta_path} is missing but the store holds data; "
                                     f"restore it from a backup (see `floor doctor`)")
            return self
        if not os.access(self.root, os.W_OK):
            self.read_only_reason = f"{self.root} is not writable by {self.user}"
            return self
        if not new and self._settled():
            # nothing to finish or migrate: a reader never waits for a writer; the temp files
            # of killed writes go when the lock is free this instant, else at the next write
            try:
                with locking.locked(self.root, timeout=0):
                    atomic.remove_stale_temps(self.root)
            except (OSError, StoreError):
                pass
            return self
        with locking.locked(self.root):
            try:
                journal.recover_journals(self.root)
            except (OSError, StoreError) as exc:
                reason = f"{exc.filename}: {exc.strerror}" if isinstance(exc, OSError) else exc
                self.read_only_reason = (f"a committed change could not be finished ({reason}); "
                                         f"it is kept and finished by the next command once "
                                         f"that is fixed")
                return self
            atomic.remove_stale_temps(self.root)
            if new:
                try:
                    atomic.write_in_store(self.root, "meta.json", files.dumps(
                        {"schema": self.schema_version, "created": self.clock()}))
                except OSError as exc:
                    raise os_problem(meta_path, exc, "cannot create the store") from None
                return self
            try:
                self._migrate()
            except OSError as exc:
                raise os_problem(self.root, exc, "cannot migrate the store") from None
        return self

    def _settled(self) -> bool:
        """No journal to finish and the schema current: opening needs no lock (issue #31,
        `report day` waited for a writer). Files are replaced whole, so a reader sees each
        one old or new; a change in flight is finished under the lock by its writer, or by
        the next opener that finds its journal."""
        try:
            if journal.pending_journals(self.root):
                return False
        except (OSError, StoreError):
            return False
        try:
            meta = files.read_json(self.root, "meta.json") or {}
        except (CorruptFileError, OSError, StoreError):
            return False
        return type(meta.get("schema")) is int and meta["schema"] == self.schema_version

    def meta(self) -> dict[str, Any]:
        return files.read_json(self.root, "meta.json") or {}

    def _migrate(self) -> None:
        meta_path = self.root / "meta.json"
        try:
            meta = files.read_json(self.root, "meta.json") or {}
        except CorruptFileError as exc:
            self.read_only_reason = str(exc)
            self.problems[str(meta_path)] = exc.reason
            return
        found = meta.get("schema")
        if type(found) is not int or found < 1:
            self.read_only_reason = f"{meta_path}: no valid schema version ({found!r})"
            self.problems[str(meta_path)] = f"no valid schema version ({found!r})"
            return
        if found > self.schema_version:
            self.read_only_reason = (
                f"{meta_path}: store schema {found} is newer than this floor "
                f"(schema {self.schema_version}); upgrade floor before writing"
            )
            return
        if found == self.schema_version:
            return
        contents: dict[Path, bytes] = {}
        partitions = ["ref", "pay"] + self.day_partitions() + self._roster_partitions()
        loaded: dict[Path, dict[str, Any]] = {}
        for partition in partitions:
            path = self.path(partition)
            data = read_partition_file(self.root, path)
            if data is not None:
                loaded[path] = data
        version = found
        by_partition = {self._partition_of(path): data for path, data in loaded.items()}
        while version < self.schema_version:
            step = self.migrations.get(version)
            whole = STORE_MIGRATIONS.get(version)
            if step is not None:
                by_partition = {name: step(name, data) for name, data in by_partition.items()}
            elif whole is not None:
                by_partition = whole(by_partition)
            else:
                self.read_only_reason = f"{meta_path}: no migration from store schema {version}"
                return
            version += 1
        for partition, data in by_partition.items():
            contents[self.path(partition)] = files.dumps(data)
        contents[meta_path] = files.dumps(dict(meta, schema=version, migrated=self.clock()))
        journal.commit_files(self.root, contents)
        self._cache.clear()
        # what a data-moving step did, said once by the process that migrated
        self.migration_notices = migration_notes(by_partition.get("ref") or {})
        if found < 3:
            # backups from before the pay split (schema 1) hold everyone's base pay: the pay
            # group's from now on (a store past 1 may still keep them in backups/)
            from store.backup import secure_pre_split_backups

            secured = secure_pre_split_backups(self.root)
            if secured:
                self.migration_notices.append(
                    f"{len(secured)} backup(s) from before pay had its own file hold base pay: "
                    f"now readable by the pay group only")
