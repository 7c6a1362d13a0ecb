"""The start-up notice of incidents still open: on its own, so the console's start does not
import the emergency screen (issue #18).

May import: Textual, widgets, services, rules, formats and the basics; never the store, TinyDB or
the CLI.
"""

from __future__ import annotations

from floorapp.rules import emergency as rules
from floorapp.errors import FloorError
from floorapp.i18n import _


def notify_open_incidents(app) -> None:  # noqa: ANN001 - FloorApp
    """At app start: say which incidents are still open (F9 reopens them where they were)."""
    try:
        rows = app.floor.emergency.open_incidents()
    except FloorError:
        return
    if rows:
        names = ", ".join(f"{r['id']} {rules.incident_title(r)}" for r in rows[:3])
        more = " …" if len(rows) > 3 else ""
        app.notify(_("Open incident(s): {incidents} — F9 continues").format(
            incidents=names + more), severity="warning", timeout=20)
