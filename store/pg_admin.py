"""Administration of a floor database: ``floor db init|grant|migrate``, ``floor store copy``
(issue #32). Run by the database's owner (init, migrate) or a role that may grant."""

from __future__ import annotations

import re
from typing import Any

from store import pg_schema
from store.errors import StoreError
from store.migrations import SCHEMA_VERSION
from store.pg import _psycopg, check_site, connect, db_problem, redact

_LOGIN = re.compile(r"^[a-z_][a-z0-9_.-]{0,62}$")


def init(address: str) -> list[str]:
    """Create or bring up to date the schema, the group roles and their grants. Idempotent."""
    psycopg = _psycopg()
    conn = connect(address)
    try:
        with conn.transaction():
            for sql, params in pg_schema.schema_statements(SCHEMA_VERSION):
                conn.execute(sql, params)
    except psycopg.Error as exc:
        raise db_problem(exc, f"{redact(address)}: cannot set up the floor schema") from None
    finally:
        conn.close()
    return [f"schema floor and floor_pay ready in {redact(address)} "
            f"(database schema {pg_schema.PG_SCHEMA_VERSION}, data schema {SCHEMA_VERSION})",
            "group roles: " + ", ".join(pg_schema.GROUP_ROLES)]


def grant(address: str, login: str, role: str, site: str = "*") -> str:
    """Give ``login`` (created when missing, a LOGIN role without password: peer or the
    operator's means) a floor role at ``site`` (``*``: every site). ``pay`` is the pay group:
    not per site."""
    if not _LOGIN.match(login):
        raise StoreError(f"not a login name: {login!r}")
    if role not in pg_schema.FLOOR_ROLES:
        raise StoreError(f"not a floor role: {role!r} (one of "
                         f"{', '.join(pg_schema.FLOOR_ROLES)})")
    if site != "*":
        check_site(site)
    psycopg = _psycopg()
    from psycopg import sql

    conn = connect(address)
    try:
        with conn.transaction():
            conn.execute(sql.SQL(
                "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = {name}) "
                "THEN CREATE ROLE {ident} LOGIN; END IF; END $$").format(
                    name=sql.Literal(login), ident=sql.Identifier(login)))
            conn.execute(sql.SQL("GRANT {group} TO {ident}").format(
                group=sql.Identifier(pg_schema.FLOOR_ROLES[role]),
                ident=sql.Identifier(login)))
            if role != "pay":
                conn.execute("INSERT INTO floor.grants (login, site, role) VALUES (%s, %s, %s) "
                             "ON CONFLICT DO NOTHING", (login, site, role))
    except psycopg.Error as exc:
        raise db_problem(exc, f"{redact(address)}: cannot grant {role} to {login}") from None
    finally:
        conn.close()
    where = "every site" if site == "*" or role == "pay" else f"site {site}"
    return f"{login}: {role} at {where}"


def copy(source: Any, target: Any) -> int:
    """Copy every version of every record of ``source`` into the empty ``target`` (either
    store kind), the audit's entries as the target records them. Returns the versions copied.
    The copy is one transaction of the target: all or nothing."""
    if target.records("ref", "staff", include_retired=True) or target.day_partitions():
        raise StoreError(f"{_name(target)} already holds a floor; copy into an empty store")
    partitions = ["ref", "pay"] + source.day_partitions() + _rosters(source)
    copied = 0
    with target.transaction() as tx:
        for partition in partitions:
            tables = source.read_partition(partition)
            for table, docs in tables.items():
                if table == "_audit":
                    continue
                ordered = sorted(docs.values(), key=lambda d: (d["key"], d["v"]))
                copied += _copy_table(tx, partition, table, ordered)
    return copied


def _copy_table(tx: Any, partition: str, table: str, docs: list[dict[str, Any]]) -> int:
    """Each version as it was (number, stamp, retired), one bulk audit entry for the table."""
    for doc in docs:
        version = {"key": doc["key"], "v": doc["v"], "at": doc["at"], "by": doc["by"],
                   "data": doc["data"]}
        if doc.get("retired"):
            version["retired"] = True
        tx._insert(partition, table, version)
    if docs:
        keys = sorted({d["key"] for d in docs})
        tx._audit(partition, {"op": "bulk", "table": table, "keys": keys,
                              "note": "floor store copy"})
    return len(docs)


def _rosters(store: Any) -> list[str]:
    if hasattr(store, "roster_partitions"):
        return store.roster_partitions()
    return store._roster_partitions()


def _name(store: Any) -> str:
    return store.describe() if hasattr(store, "describe") else str(store.root)
