"""The database store's schema, roles and grants (issue #32, SPEC §12).

Two schemas: ``floor`` holds every partition but pay, ``floor_pay`` holds pay and is usable by
the group role ``floor_pay`` only. In each, ``versions`` holds every version of every record
(keyed site, partition, table, key, version; never updated) and ``audit`` is filled by a
trigger on ``versions`` with ``session_user`` and the server's clock: nobody but the owner may
insert, change or delete an audit row, nor change or delete a version.

Group roles ``floor_monitor``, ``floor_lead``, ``floor_manager`` write through row-level
security that mirrors the boundary of ``role_rights`` the policy cannot move (floorapp.rights
MANAGER_ONLY): the policy and the staff register are the managers'; rosters are the leads' and
the managers'; monitors write day records (evaluations …) and the shared reference tables
(scorecards, campaigns …). Finer rights inside a day (which day table a lead may write) stay
with floor, as on the file store. ``floor.grants`` says which login holds which role at which
site (``*``: every site); ``floor db grant`` fills it.

Every statement is idempotent: ``floor db init`` may run again (and does, for ``db migrate``).
"""

from __future__ import annotations

# The schema of the database store itself (tables, triggers, grants); its data follows the
# file store's SCHEMA_VERSION, kept in floor.meta as "data_schema".
PG_SCHEMA_VERSION = 1

GROUP_ROLES = ("floor_monitor", "floor_lead", "floor_manager", "floor_pay")
FLOOR_ROLES = {"monitor": "floor_monitor", "lead": "floor_lead", "manager": "floor_manager",
               "pay": "floor_pay"}

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
-- Who may add a version of (site, part, tbl): the boundary of role_rights no policy moves.
CREATE OR REPLACE FUNCTION floor.may_write(p_site text, p_part text, p_tbl text)
RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
    SELECT EXISTS (
        SELECT 1 FROM floor.grants g
        WHERE g.login = session_user AND g.site IN (p_site, '*')
          AND pg_has_role(session_user, 'floor_' || g.role, 'MEMBER')
          AND (g.role = 'manager'
               OR (split_part(p_part, '/', 1) = 'ref' AND p_tbl NOT IN ('policy', 'staff')
                   AND g.role IN ('lead', 'monitor'))
               OR (split_part(p_part, '/', 1) = 'roster' AND g.role = 'lead')
               OR (split_part(p_part, '/', 1) = 'day' AND g.role IN ('lead', 'monitor'))))
$$;

ALTER TABLE floor.versions ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS floor_read ON floor.versions;
CREATE POLICY floor_read ON floor.versions FOR SELECT USING (true);
DROP POLICY IF EXISTS floor_write ON floor.versions;
CREATE POLICY floor_write ON floor.versions FOR INSERT
    WITH CHECK (floor.may_write(site, part, tbl));

GRANT USAGE ON SCHEMA floor TO floor_monitor, floor_lead, floor_manager, floor_pay;
GRANT SELECT ON floor.versions, floor.audit, floor.changes, floor.meta, floor.grants
    TO floor_monitor, floor_lead, floor_manager;
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


def schema_statements(data_schema: int) -> list[tuple[str, tuple]]:
    """What ``floor db init`` runs, in order (idempotent)."""
    return [
        (SCHEMA_SQL, ()),
        ("INSERT INTO floor.meta (name, value) VALUES ('schema', to_jsonb(%s::int)) "
         "ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value", (PG_SCHEMA_VERSION,)),
        ("INSERT INTO floor.meta (name, value) VALUES ('data_schema', to_jsonb(%s::int)) "
         "ON CONFLICT (name) DO NOTHING", (data_schema,)),
    ]


# What doctor expects to find: the audit triggers, and grants nobody may widen.
EXPECTED_TRIGGERS = [(schema, name) for schema in ("floor", "floor_pay")
                     for name in ("version_stamp", "version_audit", "version_count")]
