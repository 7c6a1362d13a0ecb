"""Data migrations of a database store (issue #32): the file store's path (store.migrations)
run by ``floor db migrate`` over every site of a database, in one transaction.

May import: TinyDB, psycopg and the standard library; nothing of floorapp or screens.

A database keeps its data schema in ``floor.meta`` (``data_schema``, one for every site). When
it is older than this floor's, each site's partitions are read in the file store's shape (every
version, and its audit as ``_audit`` entries), the same steps run on them as on a store
directory, and what they changed goes back: a new version is inserted (the trigger audits it,
with the step's own entry when it wrote one), a version whose data a step rewrote is updated in
place and an audit row says so, an audit entry a step rewrote or added is written as such. The
partitions' change counters move, so no kept figure or report outlives the migration. All under
every site's lock, all or nothing; run again it finds the schema current and changes nothing.
A database newer than this floor is refused, never touched.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from store.errors import StoreError
from store.migrations import (
    MIGRATIONS,
    SCHEMA_VERSION,
    STORE_MIGRATIONS,
    Migration,
    StoreMigration,
    migration_notes,
)
from store.pg import _psycopg, connect, db_problem, redact
from store.pg_tx import versions_table

AUDIT = "_audit"


def newer_problem(found: Any, where: str, schema_version: int = SCHEMA_VERSION) -> str | None:
    """Why a database at data schema ``found`` is not one this floor may write, or None."""
    if type(found) is not int or found < 1:
        return f"{where}: no valid data schema ({found!r})"
    if found > schema_version:
        return (f"{where}: data schema {found} is newer than this floor (schema "
                f"{schema_version}); upgrade floor before writing")
    return None


def data_schema(conn, lock: bool = False) -> Any:
    row = conn.execute("SELECT value FROM floor.meta WHERE name = 'data_schema'"
                       + (" FOR UPDATE" if lock else "")).fetchone()
    return row[0] if row else None


def refuse_newer(address: str) -> None:
    """Refuse (a StoreError) a database whose data is newer than this floor, before anything
    is changed; a database without the schema is for ``init`` to set up."""
    psycopg = _psycopg()
    conn = connect(address)
    try:
        try:
            found = data_schema(conn)
        except psycopg.Error:
            return
        if found is not None and type(found) is int and found > SCHEMA_VERSION:
            raise StoreError(newer_problem(found, redact(address)))
    finally:
        conn.close()


def migrate_data(address: str, *, schema_version: int = SCHEMA_VERSION,
                 migrations: dict[int, Migration] | None = None,
                 store_migrations: dict[int, StoreMigration] | None = None) -> list[str]:
    """Bring every site's records to ``schema_version``; the lines to print."""
    psycopg = _psycopg()
    steps = MIGRATIONS if migrations is None else migrations
    whole_steps = STORE_MIGRATIONS if store_migrations is None else store_migrations
    where = redact(address)
    conn = connect(address)
    lines: list[str] = []
    try:
        with conn.transaction():
            found = data_schema(conn, lock=True)
            problem = newer_problem(found, where, schema_version)
            if problem:
                raise StoreError(problem)
            if found == schema_version:
                return [f"data schema {schema_version}: up to date"]
            for version in range(found, schema_version):
                if steps.get(version) is None and whole_steps.get(version) is None:
                    raise StoreError(f"{where}: no migration from data schema {version}")
            sites = [row[0] for row in conn.execute(
                "SELECT site FROM floor.versions UNION SELECT site FROM floor_pay.versions "
                "ORDER BY 1").fetchall()]
            for site in sites:
                conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", ("floor site " + site,))
            step_name = f"{found}-{schema_version}"
            for site in sites:
                after = _load(conn, site)
                before = _fingerprints(after)  # what each was, compact (a year: 600k versions)
                for version in range(found, schema_version):
                    if steps.get(version) is not None:
                        after = {name: steps[version](name, data) for name, data in after.items()}
                    else:
                        after = whole_steps[version](after)
                changed = _write(conn, site, before, after, step_name)
                lines.append(f"site {site}: data schema {found} → {schema_version}, "
                             f"{changed} change(s)")
                lines.extend(f"site {site}: {note}"
                             for note in migration_notes(after.get("ref") or {}))
            stamp = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
            conn.execute("UPDATE floor.meta SET value = to_jsonb(%s::int) "
                         "WHERE name = 'data_schema'", (schema_version,))
            conn.execute("INSERT INTO floor.meta (name, value) VALUES ('data_migrated', "
                         "to_jsonb(%s::text)) ON CONFLICT (name) DO UPDATE "
                         "SET value = EXCLUDED.value", (f"{step_name} {stamp}",))
    except psycopg.Error as exc:
        raise db_problem(exc, f"{where}: cannot migrate the data") from None
    finally:
        conn.close()
    return lines + [f"data schema {schema_version}: migrated"]


def _load(conn, site: str) -> dict[str, dict[str, Any]]:
    """Every partition of ``site`` in the file store's shape; versions keyed ``key\\0v``,
    ref's and pay's audit entries ``a<id>``."""
    out: dict[str, dict[str, Any]] = {}
    for schema in ("floor", "floor_pay"):
        # streamed (a server-side cursor): a year's versions never wait whole in the client
        with conn.cursor(name=f"migrate_{schema}") as rows:
            rows.itersize = 5000
            rows.execute(f"SELECT part, tbl, key, v, at, by, retired, data FROM "
                         f"{schema}.versions WHERE site = %s ORDER BY part, tbl, key, v",
                         (site,))
            for part, tbl, key, v, at, by, retired, data in rows:
                doc = {"key": key, "v": v, "at": at, "by": by, "data": data}
                if retired:
                    doc["retired"] = True
                out.setdefault(part, {}).setdefault(tbl, {})[f"{key}\x00{v}"] = doc
        # the audit of ref and pay only: the one a step reads (schema 2 moved pay's entries
        # out of ref's); a day's or a roster's is append-only history no step rewrites
        for ident, part, entry, by, at in conn.execute(
                f"SELECT id, part, entry, by, at FROM {schema}.audit WHERE site = %s "
                f"AND part IN ('ref', 'pay') ORDER BY id", (site,)):
            audit = out.setdefault(part, {}).setdefault(AUDIT, {})
            audit[f"a{ident}"] = {**(entry or {}), "seq": len(audit) + 1,
                                  "at": at.isoformat(), "by": by}
    return out


def _fingerprint(doc: dict[str, Any]) -> bytes:
    import hashlib

    import orjson

    return hashlib.blake2b(orjson.dumps(doc, option=orjson.OPT_SORT_KEYS),
                           digest_size=16).digest()


def _fingerprints(partitions: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """{part: {table: {(key, v): bytes}}, and {_audit: {id: bytes of its entry}}}."""
    out: dict[str, dict[str, Any]] = {}
    for part, tables in partitions.items():
        for tbl, docs in tables.items():
            if tbl == AUDIT:
                out.setdefault(part, {})[tbl] = {ident: _fingerprint(_entry(doc))
                                                 for ident, doc in docs.items()}
            else:
                out.setdefault(part, {})[tbl] = {(doc["key"], doc["v"]): _fingerprint(doc)
                                                 for doc in docs.values()}
    return out


def _entry(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k not in ("seq", "at", "by")}


def _write(conn, site: str, before: dict[str, dict[str, Any]],
           after: dict[str, dict[str, Any]], step: str) -> int:
    """Write what the steps changed; how many versions and audit entries that was."""
    from psycopg.types.json import Jsonb

    changed = 0
    for part in sorted(after):
        table = versions_table(part)
        schema = table.split(".")[0]
        old = before.get(part) or {}
        new = after[part]
        changed_here = 0
        inserted: dict[tuple[str, str, int], dict[str, Any]] = {}
        for tbl, docs in new.items():
            if tbl == AUDIT:
                continue
            had = old.get(tbl) or {}
            for doc in docs.values():
                was = had.get((doc["key"], doc["v"]))
                if was is None:
                    inserted[(tbl, doc["key"], doc["v"])] = doc
                elif was != _fingerprint(doc):
                    conn.execute(f"UPDATE {table} SET data = %s, retired = %s, at = %s "
                                 f"WHERE site = %s AND part = %s AND tbl = %s AND key = %s "
                                 f"AND v = %s", (Jsonb(doc["data"]), bool(doc.get("retired")),
                                                 doc["at"], site, part, tbl, doc["key"],
                                                 doc["v"]))
                    _audit_row(conn, schema, site, part, tbl, doc["key"], doc["v"],
                               {"op": "migrate", "table": tbl, "key": doc["key"],
                                "v": doc["v"], "note": f"schema {step}: rewritten"})
                    changed_here += 1
        whys: dict[tuple[str, str, int], dict[str, Any]] = {}
        old_audit = old.get(AUDIT) or {}
        for ident, entry in (new.get(AUDIT) or {}).items():
            if ident in old_audit:
                if _fingerprint(_entry(entry)) != old_audit[ident]:
                    conn.execute(f"UPDATE {schema}.audit SET entry = %s WHERE id = %s",
                                 (Jsonb(_entry(entry)), int(ident[1:])))
                    changed_here += 1
                continue
            named = (entry.get("table"), entry.get("key"), entry.get("v"))
            if named in inserted and named not in whys:
                whys[named] = _entry(entry)
            else:
                _audit_row(conn, schema, site, part, str(entry.get("table") or ""),
                           str(entry.get("key") or ""), int(entry.get("v") or 0),
                           _entry(entry))
                changed_here += 1
        if inserted:
            rows = [{"site": site, "part": part, "tbl": tbl, "key": key, "v": v,
                     "at": doc["at"], "by": doc["by"], "retired": bool(doc.get("retired")),
                     "data": doc["data"], "n": n,
                     "why": whys.get((tbl, key, v)) or {
                         "op": "migrate", "table": tbl, "key": key, "v": v,
                         "note": f"schema {step}"}}
                    for n, ((tbl, key, v), doc) in enumerate(sorted(inserted.items()))]
            conn.execute(
                f"INSERT INTO {table} (site, part, tbl, key, v, at, by, retired, data, why) "
                f"SELECT site, part, tbl, key, v, at, by, retired, data, why "
                f"FROM jsonb_to_recordset(%s) AS r(site text, part text, tbl text, key text, "
                f"v integer, at text, by text, retired boolean, data jsonb, why jsonb, "
                f"n integer) ORDER BY n", (Jsonb(rows),))
            changed_here += len(rows)
        changed += changed_here
        if changed_here:  # kept figures and reports of the partition are worked out again
            conn.execute("INSERT INTO floor.changes AS c (site, part, changes) "
                         "VALUES (%s, %s, 1) ON CONFLICT (site, part) "
                         "DO UPDATE SET changes = c.changes + 1", (site, part))
    for part in before:
        for tbl, docs in before[part].items():
            if tbl == AUDIT:
                continue
            kept = {(d["key"], d["v"]) for d in ((after.get(part) or {}).get(tbl) or {}).values()}
            for key, v in docs:
                if (key, v) not in kept:
                    raise StoreError(f"site {site} {part} {tbl} {key} v{v}: a migration step "
                                     f"dropped a version (never done)")
    return changed


def _audit_row(conn, schema: str, site: str, part: str, tbl: str, key: str, v: int,
               entry: dict[str, Any]) -> None:
    from psycopg.types.json import Jsonb

    conn.execute(f"INSERT INTO {schema}.audit (site, part, tbl, key, v, entry, by, at) "
                 f"VALUES (%s, %s, %s, %s, %s, %s, session_user, clock_timestamp())",
                 (site, part, tbl, key, v, Jsonb(entry)))
