"""The database store's schema, roles and grants (issue #32, SPEC §12).

May import: TinyDB, psycopg and the standard library; nothing of floorapp or screens.

Two schemas: ``floor`` holds every partition but pay, ``floor_pay`` holds pay and is usable by
the group role ``floor_pay`` only. In each, ``versions`` holds every version of every record
(keyed site, partition, table, key, version; never updated) and ``audit`` is filled by a
trigger on ``versions`` with ``session_user`` and the server's clock: nobody but the owner may
insert, change or delete an audit row, nor change or delete a version.

Group roles ``floor_monitor``, ``floor_lead``, ``floor_manager`` write through row-level
security that mirrors ``role_rights`` table by table: ``floor.table_rights`` says which actions
of floorapp.rules.rights let a role write a table (``TABLE_ACTIONS``: the attendance punches need
``attendance.record``, an evaluation ``qa.score``, ``qa.feedback`` or ``qa.dispute`` …; a table
no action names is the managers'), and the role's actions are read by the database itself from
the site's current policy version (its ``role_rights``; ``floor.default_rights`` while the
policy does not set it), so a manager's change of ``role_rights`` holds in the database from
the statement after it, in the same transaction, with nothing to keep in step. The actions
no policy gives to another role (``MANAGER_ONLY``: the policy, the staff register) stay the
managers'. ``floor.grants`` says which login holds which role at which site (``*``: every
site); ``floor db grant`` fills it.

Every statement is idempotent: ``floor db init`` may run again (and does, for ``db migrate``).
"""

from __future__ import annotations

# The schema of the database store itself (tables, triggers, grants); its data follows the
# file store's SCHEMA_VERSION, kept in floor.meta as "data_schema".
PG_SCHEMA_VERSION = 2  # 2: rights per table, following the policy's role_rights

GROUP_ROLES = ("floor_monitor", "floor_lead", "floor_manager", "floor_pay")
FLOOR_ROLES = {"monitor": "floor_monitor", "lead": "floor_lead", "manager": "floor_manager",
               "pay": "floor_pay"}

# Which actions (floorapp.roles.ACTIONS) let a role write a table of a partition kind; the
# services write these tables under these rights (tests/store/test_db_rights.py checks both lists
# against floor). A table not named here may be written by managers only.
TABLE_ACTIONS: dict[tuple[str, str], tuple[str, ...]] = {
    ("ref", "policy"): ("policy.change",),
    ("ref", "staff"): ("staff.change",),
    ("ref", "campaigns"): ("quota.record",),
    ("ref", "templates"): ("qa.score",),
    ("ref", "qa_recalibrations"): ("qa.score",),
    ("ref", "qa_common_feedback"): ("qa.feedback",),
    ("ref", "checklists"): ("emergency.run",),
    ("ref", "incident_index"): ("emergency.run",),
    ("day", "qa_evaluations"): ("qa.score", "qa.feedback", "qa.dispute"),
    ("day", "qa_plan"): ("qa.score",),
    ("day", "qa_plan_info"): ("qa.score",),
    ("day", "punches"): ("attendance.record",),
    ("day", "clock"): ("attendance.record",),
    ("day", "leave"): ("attendance.record", "roster.edit"),  # a leave code in the roster
    ("day", "calls"): ("quota.record",),
    ("day", "pbx_rows"): ("quota.record",),
    ("day", "pbx_bad"): ("quota.record",),
    ("day", "pbx_follow"): ("quota.record",),
    ("day", "handovers"): ("handover.record",),
    ("day", "incidents"): ("emergency.run",),
    ("day", "coaching"): ("coaching.record",),
    ("roster", "cells"): ("roster.edit",),
    ("roster", "meta"): ("roster.edit",),
    ("roster", "swaps"): ("roster.edit",),
    ("roster", "callins"): ("roster.edit",),
}
# floorapp.roles.MANAGER_ONLY: no role_rights gives these to another role
MANAGER_ONLY = ("policy.change", "staff.change", "pay.view", "pay.special", "pay.publish")
# floorapp.roles.default_role_rights(): the rights while a site's policy does not set them
_QA = ("qa.score", "qa.feedback", "qa.dispute")
DEFAULT_ROLE_RIGHTS: dict[str, tuple[str, ...]] = {
    "monitor": _QA,
    "lead": ("attendance.record", "quota.record", "roster.edit", "handover.record",
             "emergency.run", "coaching.record", *_QA),
    "agent": (),
    "complaint": (),
}

_ROLES = "\n".join(f"""
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN
    CREATE ROLE {role} NOLOGIN;
  END IF;
END $$;""" for role in GROUP_ROLES)


def _versions(schema: str) -> str:
    return f"""
CREATE SCHEMA IF NOT EXISTS {schema};
CREATE TABLE IF NOT EXISTS {schema}.versions (
    site     text    NOT NULL,
    part     text    NOT NULL,
    tbl      text    NOT NULL,
    key      text    NOT NULL,
    v        integer NOT NULL CHECK (v >= 1),
    at       text    NOT NULL,      -- the floor's stamp of the version (its zone, may be pinned)
    by       text    NOT NULL,      -- set by the trigger: session_user
    retired  boolean NOT NULL DEFAULT false,
    data     jsonb   NOT NULL,
    why      jsonb,                 -- floor's description of the change, copied to the audit
    PRIMARY KEY (site, part, tbl, key, v)
);
CREATE TABLE IF NOT EXISTS {schema}.audit (
    id     bigserial PRIMARY KEY,
    site   text        NOT NULL,
    part   text        NOT NULL,
    tbl    text        NOT NULL,
    key    text        NOT NULL,
    v      integer     NOT NULL,
    entry  jsonb,
    by     text        NOT NULL,
    at     timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_part ON {schema}.audit (site, part, id);

-- The author of a version is the login that inserts it; only the owner (who may do anything
-- anyway) keeps the author it gives: `floor store copy` run by the owner keeps each version's
-- author. The audit row names the inserting login whoever it is.
CREATE OR REPLACE FUNCTION {schema}.version_stamp() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT pg_has_role(session_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID),
                       'MEMBER') THEN
        NEW.by := session_user;
    END IF;
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION {schema}.version_audit() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    INSERT INTO {schema}.audit (site, part, tbl, key, v, entry, by, at)
    VALUES (NEW.site, NEW.part, NEW.tbl, NEW.key, NEW.v, NEW.why, session_user,
            clock_timestamp());
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION {schema}.version_count() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE changed record;
BEGIN
    FOR changed IN SELECT DISTINCT site, part FROM added LOOP
        INSERT INTO floor.changes AS c (site, part, changes) VALUES (changed.site, changed.part, 1)
        ON CONFLICT (site, part) DO UPDATE SET changes = c.changes + 1;
        PERFORM pg_notify('floor_changes', changed.site);
    END LOOP;
    RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER version_stamp BEFORE INSERT ON {schema}.versions
    FOR EACH ROW EXECUTE FUNCTION {schema}.version_stamp();
CREATE OR REPLACE TRIGGER version_audit AFTER INSERT ON {schema}.versions
    FOR EACH ROW EXECUTE FUNCTION {schema}.version_audit();
CREATE OR REPLACE TRIGGER version_count AFTER INSERT ON {schema}.versions
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION {schema}.version_count();

REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA {schema} FROM PUBLIC;
REVOKE ALL ON SCHEMA {schema} FROM PUBLIC;
"""


SCHEMA_SQL = _ROLES + """
CREATE SCHEMA IF NOT EXISTS floor;
CREATE TABLE IF NOT EXISTS floor.meta (name text PRIMARY KEY, value jsonb NOT NULL);
CREATE TABLE IF NOT EXISTS floor.changes (
    site text NOT NULL, part text NOT NULL, changes bigint NOT NULL,
    PRIMARY KEY (site, part));
CREATE TABLE IF NOT EXISTS floor.grants (
    login text NOT NULL, site text NOT NULL,
    role text NOT NULL CHECK (role IN ('monitor', 'lead', 'manager')),
    PRIMARY KEY (login, site, role));
""" + _versions("floor") + _versions("floor_pay") + """
-- Which actions let a role write a table, and a role's actions while the policy sets none:
-- floor's, refilled by every `db init` / `db migrate` (see TABLE_ACTIONS).
CREATE TABLE IF NOT EXISTS floor.table_rights (
    kind text NOT NULL, tbl text NOT NULL, action text NOT NULL,
    PRIMARY KEY (kind, tbl, action));
CREATE TABLE IF NOT EXISTS floor.default_rights (
    role text NOT NULL, action text NOT NULL, PRIMARY KEY (role, action));

-- Who may add a version of (site, part, tbl): a manager granted at the site, or a lead or
-- monitor granted there whose role has an action that writes the table. The role's actions
-- are its role_rights in the site's current policy version (as the statement sees it: a
-- policy change earlier in the same transaction counts), the default rights while there is
-- no policy or it sets no table, and never an action only managers may do. One function
-- without nested calls: it runs for every row a lead or monitor inserts.
CREATE OR REPLACE FUNCTION floor.may_write(p_site text, p_part text, p_tbl text)
RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
    SELECT EXISTS (
        SELECT 1 FROM floor.grants g
        LEFT JOIN LATERAL (
            SELECT CASE WHEN v.retired THEN NULL ELSE v.data -> 'role_rights' END AS rights
            FROM floor.versions v
            WHERE v.site = p_site AND v.part = 'ref' AND v.tbl = 'policy' AND v.key = 'policy'
            ORDER BY v.v DESC LIMIT 1) policy ON g.role <> 'manager'
        WHERE g.login = session_user AND g.site IN (p_site, '*')
          AND pg_has_role(session_user, 'floor_' || g.role, 'MEMBER')
          AND (g.role = 'manager'
               OR EXISTS (
                   SELECT 1 FROM floor.table_rights t
                   WHERE t.kind = split_part(p_part, '/', 1) AND t.tbl = p_tbl
                     AND t.action <> ALL (ARRAY[@MANAGER_ONLY@])
                     AND CASE WHEN jsonb_typeof(policy.rights) = 'object'
                              THEN jsonb_typeof(policy.rights -> g.role) = 'array'
                                   AND (policy.rights -> g.role) ? t.action
                              ELSE EXISTS (SELECT 1 FROM floor.default_rights d
                                           WHERE d.role = g.role AND d.action = t.action)
                         END)))
$$;
REVOKE ALL ON FUNCTION floor.may_write(text, text, text) FROM PUBLIC;

ALTER TABLE floor.versions ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS floor_read ON floor.versions;
CREATE POLICY floor_read ON floor.versions FOR SELECT USING (true);
DROP POLICY IF EXISTS floor_write ON floor.versions;
CREATE POLICY floor_write ON floor.versions FOR INSERT
    WITH CHECK (floor.may_write(site, part, tbl));

GRANT USAGE ON SCHEMA floor TO floor_monitor, floor_lead, floor_manager, floor_pay;
GRANT SELECT ON floor.versions, floor.audit, floor.changes, floor.meta, floor.grants,
    floor.table_rights, floor.default_rights TO floor_monitor, floor_lead, floor_manager;
GRANT SELECT ON floor.changes, floor.meta TO floor_pay;
GRANT INSERT ON floor.versions TO floor_monitor, floor_lead, floor_manager;
GRANT EXECUTE ON FUNCTION floor.may_write(text, text, text)
    TO floor_monitor, floor_lead, floor_manager;
GRANT EXECUTE ON FUNCTION floor.version_stamp() TO floor_monitor, floor_lead, floor_manager;

-- Figures worked out from one partition (store.db digests), each login's own: kept under the
-- partition's change counter, read back by that login only (nobody can plant a figure).
CREATE TABLE IF NOT EXISTS floor.digests (
    login   text   NOT NULL DEFAULT session_user,
    site    text   NOT NULL,
    part    text   NOT NULL,
    name    text   NOT NULL,
    changes bigint NOT NULL,
    value   jsonb  NOT NULL,
    PRIMARY KEY (login, site, part, name));
ALTER TABLE floor.digests ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS own_digests ON floor.digests;
CREATE POLICY own_digests ON floor.digests
    USING (login = session_user) WITH CHECK (login = session_user);
GRANT SELECT, INSERT, UPDATE, DELETE ON floor.digests
    TO floor_monitor, floor_lead, floor_manager;

GRANT USAGE ON SCHEMA floor_pay TO floor_pay;
GRANT SELECT, INSERT ON floor_pay.versions TO floor_pay;
GRANT SELECT ON floor_pay.audit TO floor_pay;
GRANT EXECUTE ON FUNCTION floor_pay.version_stamp() TO floor_pay;
"""
SCHEMA_SQL = SCHEMA_SQL.replace("@MANAGER_ONLY@",
                                ", ".join(f"'{action}'" for action in MANAGER_ONLY))


def rights_rows() -> tuple[list[tuple[str, str, str]], list[tuple[str, str]]]:
    """The rows floor.table_rights and floor.default_rights hold, sorted."""
    tables = sorted((kind, tbl, action) for (kind, tbl), actions in TABLE_ACTIONS.items()
                    for action in actions)
    defaults = sorted((role, action) for role, actions in DEFAULT_ROLE_RIGHTS.items()
                      for action in actions)
    return tables, defaults


def schema_statements(data_schema: int) -> list[tuple[str, tuple]]:
    """What ``floor db init`` runs, in order (idempotent)."""
    from psycopg.types.json import Jsonb

    tables, defaults = rights_rows()
    return [
        (SCHEMA_SQL, ()),
        ("DELETE FROM floor.table_rights", ()),
        ("INSERT INTO floor.table_rights (kind, tbl, action) "
         "SELECT * FROM jsonb_to_recordset(%s) AS r(kind text, tbl text, action text)",
         (Jsonb([{"kind": k, "tbl": t, "action": a} for k, t, a in tables]),)),
        ("DELETE FROM floor.default_rights", ()),
        ("INSERT INTO floor.default_rights (role, action) "
         "SELECT * FROM jsonb_to_recordset(%s) AS r(role text, action text)",
         (Jsonb([{"role": r, "action": a} for r, a in defaults]),)),
        ("INSERT INTO floor.meta (name, value) VALUES ('schema', to_jsonb(%s::int)) "
         "ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value", (PG_SCHEMA_VERSION,)),
        ("INSERT INTO floor.meta (name, value) VALUES ('data_schema', to_jsonb(%s::int)) "
         "ON CONFLICT (name) DO NOTHING", (data_schema,)),
    ]


# What doctor expects to find: the audit triggers, and grants nobody may widen.
EXPECTED_TRIGGERS = [(schema, name) for schema in ("floor", "floor_pay")
                     for name in ("version_stamp", "version_audit", "version_count")]
# The row-level security policies doctor expects on floor.versions, and the functions the
# write policy calls.
EXPECTED_POLICIES = {"floor_read": "r", "floor_write": "a"}
EXPECTED_FUNCTIONS = ("may_write",)
