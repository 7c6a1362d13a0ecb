"""Administration of a floor database: ``floor db init|grant|migrate``, ``floor store copy``
(issue #32). Run by the database's owner (init, migrate) or a role that may grant.

May import: TinyDB, psycopg and the standard library; nothing of floorapp or screens.
"""

from __future__ import annotations

import re
from typing import Any

from store import pg_schema
from store.errors import StoreError
from store.migrations import SCHEMA_VERSION
from store.pg import _psycopg, check_site, connect, db_problem, redact

_LOGIN = re.compile(r"^[a-z_][a-z0-9_.-]{0,62}$")


def init(address: str, migrating: bool = False) -> list[str]:
    """Create or bring up to date the schema, the group roles and their grants. Idempotent.
    Says the data schema found, and what to do when it is not this floor's."""
    psycopg = _psycopg()
    conn = connect(address)
    from store.pg_migrate import data_schema

    try:
        with conn.transaction():
            for sql, params in pg_schema.schema_statements(SCHEMA_VERSION):
                conn.execute(sql, params)
            found = data_schema(conn)
    except psycopg.Error as exc:
        raise db_problem(exc, f"{redact(address)}: cannot set up the floor schema") from None
    finally:
        conn.close()
    data = f"data schema {found}" + ("" if found == SCHEMA_VERSION or migrating else
                                     f" (this floor's is {SCHEMA_VERSION}: `floor db migrate`)")
    return [f"schema floor and floor_pay ready in {redact(address)} "
            f"(database schema {pg_schema.PG_SCHEMA_VERSION}, {data})",
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


def migrate(address: str) -> list[str]:
    """Bring the schema, roles, grants and triggers up to date (``init`` again), then every
    site's data to this floor's data schema (store.pg_migrate); a newer database is refused
    before anything is changed."""
    from store import pg_migrate

    pg_migrate.refuse_newer(address)
    return init(address, migrating=True) + pg_migrate.migrate_data(address)


def examine(address: str, site: str, record_shapes: Any = None) -> list:
    """``floor doctor`` on a database store: the schema and its version, the audit triggers,
    row-level security, grants nobody may widen, damaged records of ``site``. Only reads."""
    from store.doctor import Finding
    from store.pg import PgStore

    where = redact(address)
    psycopg = _psycopg()
    try:
        conn = connect(address)
    except StoreError as exc:
        return [Finding(where, "error", str(exc))]
    findings: list[Finding] = []
    try:
        meta = dict(conn.execute("SELECT name, value FROM floor.meta").fetchall())
    except psycopg.Error:
        conn.close()
        return [Finding(where, "error", "no floor schema (or no right to read it): run "
                                        "`floor db init` as the database's owner")]
    try:
        if meta.get("schema") != pg_schema.PG_SCHEMA_VERSION:
            findings.append(Finding(where, "error", f"database schema {meta.get('schema')!r}, "
                                    f"expected {pg_schema.PG_SCHEMA_VERSION}: `floor db migrate`"))
        found = meta.get("data_schema")
        if found != SCHEMA_VERSION:
            newer = type(found) is int and found > SCHEMA_VERSION
            findings.append(Finding(where, "error", f"data schema {found!r}, expected "
                                    f"{SCHEMA_VERSION}: " + ("upgrade floor" if newer else
                                                             "`floor db migrate`")))
        triggers = {(schema, name): enabled for schema, name, enabled in conn.execute(
            "SELECT n.nspname, t.tgname, t.tgenabled FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relname = 'versions' AND n.nspname IN ('floor', 'floor_pay')").fetchall()}
        for schema, name in pg_schema.EXPECTED_TRIGGERS:
            state = triggers.get((schema, name))
            if state is None:
                findings.append(Finding(f"{where} {schema}.versions", "error",
                                        f"trigger {name} is missing: `floor db init`"))
            elif state == "D":
                findings.append(Finding(f"{where} {schema}.versions", "error",
                                        f"trigger {name} is disabled"))
        rls = conn.execute("SELECT relrowsecurity FROM pg_class WHERE oid = "
                           "'floor.versions'::regclass").fetchone()
        if not rls or not rls[0]:
            findings.append(Finding(f"{where} floor.versions", "error",
                                    "row-level security is off: every member may write "
                                    "everything"))
        findings += _rights_findings(conn, where)
        for table, grantee, privilege in conn.execute(_WIDE_GRANTS).fetchall():
            findings.append(Finding(f"{where} {table}", "error",
                                    f"{grantee} may {privilege}: only the owner may"))
    except psycopg.Error as exc:
        findings.append(Finding(where, "error", f"cannot check the schema: {exc}"))
    finally:
        conn.close()
    store = PgStore(address, site=site, strict=False).open()
    try:
        if record_shapes:
            for (kind, table), check in record_shapes.items():
                store.add_shape(kind, table, check)
        partitions = ["ref"] + (["pay"] if store.readable("pay") else []) \
            + store.day_partitions() + store.roster_partitions()
        for partition in partitions:
            store.read_partition(partition)
        for place, reason in store.problems.items():
            findings.append(Finding(place, "error", reason))
        findings.append(Finding(store.describe(), "ok",
                                f"{len(partitions)} partitions read, schema, triggers and "
                                f"grants checked"))
    finally:
        store.close()
    return findings


def _rights_findings(conn: Any, where: str) -> list:
    """The row-level security policies of floor.versions, the functions they call and the
    table of rights per table, as ``floor db init`` makes them (issue #32)."""
    from store.doctor import Finding

    found = []
    place = f"{where} floor.versions"
    policies = {name: (cmd, check or "") for name, cmd, check in conn.execute(
        "SELECT polname, polcmd, pg_get_expr(polwithcheck, polrelid) FROM pg_policy "
        "WHERE polrelid = 'floor.versions'::regclass").fetchall()}
    for name, cmd in pg_schema.EXPECTED_POLICIES.items():
        if name not in policies or policies[name][0] != cmd:
            found.append(Finding(place, "error", f"row-level security policy {name} is "
                                                 f"missing: `floor db migrate`"))
    if "floor_write" in policies and "may_write" not in policies["floor_write"][1]:
        found.append(Finding(place, "error", "row-level security policy floor_write does not "
                                             "check floor.may_write: `floor db migrate`"))
    functions = {row[0] for row in conn.execute(
        "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
        "WHERE n.nspname = 'floor'").fetchall()}
    for name in pg_schema.EXPECTED_FUNCTIONS:
        if name not in functions:
            found.append(Finding(f"{where} floor.{name}", "error",
                                 "function missing: `floor db migrate`"))
    tables, defaults = pg_schema.rights_rows()
    for table, expected, sql in (
            ("floor.table_rights", tables, "SELECT kind, tbl, action FROM floor.table_rights"),
            ("floor.default_rights", defaults, "SELECT role, action FROM floor.default_rights")):
        if conn.execute("SELECT to_regclass(%s)", (table,)).fetchone()[0] is None:
            found.append(Finding(f"{where} {table}", "error", "missing: `floor db migrate`"))
            continue
        held = sorted(tuple(row) for row in conn.execute(sql).fetchall())
        if held != expected:
            wrong = sorted(set(held) ^ set(expected))[:3]
            found.append(Finding(f"{where} {table}", "error",
                                 f"not the rights of this floor (e.g. "
                                 f"{', '.join('/'.join(row) for row in wrong)}): "
                                 f"`floor db migrate`"))
    return found


# Privileges on the versions and the audit that nobody but their owner may hold (a member
# with one of these could rewrite history), and pay's tables readable by floor_pay only.
_WIDE_GRANTS = """
SELECT n.nspname || '.' || c.relname, coalesce(r.rolname, 'PUBLIC'), a.privilege_type
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
CROSS JOIN LATERAL aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) a
LEFT JOIN pg_roles r ON r.oid = a.grantee
WHERE n.nspname IN ('floor', 'floor_pay') AND c.relname IN ('versions', 'audit')
  AND a.grantee <> c.relowner
  AND (a.privilege_type IN ('UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER')
       OR (c.relname = 'audit' AND a.privilege_type = 'INSERT')
       OR (n.nspname = 'floor_pay' AND coalesce(r.rolname, '') <> 'floor_pay'))
ORDER BY 1, 2, 3
"""


def pg_tool(name: str) -> str:
    """The newest ``pg_dump``/``pg_restore`` of the machine (Debian keeps one per version
    under /usr/lib/postgresql; a dump's tool must be as new as the server)."""
    import glob
    import shutil

    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                   key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    tool = found[-1] if found else shutil.which(name)
    if not tool:
        raise StoreError(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return tool


def dump(address: str, target: Any) -> None:
    """``floor backup`` of a database store: ``pg_dump`` in its custom format of the floor
    schemas (every site; the roles are the cluster's and not in it). Run by the owner: only
    it may read every table."""
    import subprocess

    run = subprocess.run([pg_tool("pg_dump"), "-Fc", "-n", "floor", "-n", "floor_pay",
                          "-f", str(target), "-d", address], capture_output=True, text=True)
    if run.returncode != 0:
        raise StoreError(f"{redact(address)}: pg_dump failed: {_last_line(run.stderr)}")


def restore(archive: Any, address: str) -> None:
    """``floor restore`` into a database without floor's schema: the group roles made when
    missing, then ``pg_restore`` in one transaction (all or nothing)."""
    import subprocess

    psycopg = _psycopg()
    conn = connect(address)
    try:
        if conn.execute("SELECT 1 FROM pg_namespace WHERE nspname IN ('floor', 'floor_pay')") \
                .fetchone():
            raise StoreError(f"{redact(address)} already holds floor's schema: restore into a "
                             f"new database")
        with conn.transaction():
            conn.execute(pg_schema._ROLES)
    except psycopg.Error as exc:
        raise db_problem(exc, f"{redact(address)}: cannot prepare the restore") from None
    finally:
        conn.close()
    run = subprocess.run([pg_tool("pg_restore"), "--exit-on-error", "--single-transaction",
                          "-d", address, str(archive)], capture_output=True, text=True)
    if run.returncode != 0:
        raise StoreError(f"{archive}: pg_restore failed, nothing restored: "
                         f"{_last_line(run.stderr)}")


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no reason given"
