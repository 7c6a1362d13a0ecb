"""Administration of the store itself (issue #32): a database's schema, roles and grants, and
whole-store copies between a directory and a database. The CLI's ``floor db`` and ``floor
store copy`` call these.

May import: the store's API, rules, formats and the basics; never the CLI, screens, the app or
Textual.
"""

from __future__ import annotations

from floorapp.errors import FloorError
from floorapp.i18n import _
from store import pg_admin
from store.db import open_store, store_address


def database_address(store: str | None) -> str:
    """The database the store address names; FloorError when it is a directory."""
    address = store_address(store)
    if not isinstance(address, str):
        raise FloorError(_("`floor db` needs a database store: --store postgresql://…"))
    return address


def db_init(store: str | None) -> list[str]:
    return pg_admin.init(database_address(store))


def db_grant(store: str | None, login: str, role: str, site: str | None) -> str:
    return pg_admin.grant(database_address(store), login, role, site or "*")


def copy_store(source: str, target: str, site: str | None, to_site: str | None) -> str:
    """Copy every record version of ``source`` into the empty ``target``; what was done."""
    from_store = open_store(source, site=site)
    to_store = open_store(target, site=to_site or site)
    copied = pg_admin.copy(from_store, to_store)
    return _("{n} record versions copied from {source} into {target}").format(
        n=copied, source=from_store.describe(), target=to_store.describe())


def db_migrate(store: str | None) -> list[str]:
    return pg_admin.migrate(database_address(store))


def db_doctor(store: str, site: str | None, record_shapes) -> list:
    """``floor doctor`` on a database store (only reads)."""
    import os

    return pg_admin.examine(store, site or os.environ.get("FLOOR_SITE") or "main",
                            record_shapes)


def db_restore(archive, address: str) -> None:
    pg_admin.restore(archive, address)
