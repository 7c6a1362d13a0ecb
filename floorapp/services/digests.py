"""What the store keeps of each day file besides the file (issue #18): figures worked out
from it once and cached under ``.cache/`` while the file is unchanged (store.db ``digest``).

May import: the store's API, rules, formats and the basics; never the CLI, screens, the app or
Textual.

Registered on every store a Floor opens, before any service reads a day file, so the first
reading of a file works out every digest at once (a month report then parses each file at
most once). A digest's name carries its format's version: change the format, change the name.
"""

from __future__ import annotations

from typing import Any

from floorapp.rules import quota as quota_rules
from store import Store
from store.records import latest_data, latest_items

# {agent: {campaign: [dialed, connected, completed, orders, talk_minutes]}}: the call entries
# that count (a campaign's daily total replaces its hours), summed
CAMPAIGN_SUMS = "quota.campaign_sums.v2"
# {agent: {"HH": completed}}: the hourly entries that count (a campaign's daily total replaces
# its hours), for the day's rushing check
HOURLY = "quota.hourly.v1"
# [[staff_id, "date" "T" "time" "|" key, passed (true/false/null), template, version,
#   critical (true/false)], …]: follow-up looks two months back without reading the
# evaluations whole, judging each by its card's pass mark now
FOLLOW_UP = "monitoring.outcomes.v2"
# {staff_id: {"YYYY-MM-DD": code}} of a roster month's file
ROSTER_CELLS = "roster.cells.v1"
# Day-file tables a month-long reader goes through: their current records are kept as digests
KEPT_TABLES = ("punches", "leave", "qa_evaluations", "incidents", "coaching")
# ... and every version of these, for a person's punch history and the corrections mark
VERSIONED_TABLES = ("punches", "leave")
CALLS = "calls"
EVALUATIONS = "qa_evaluations"


def campaign_sums(tables: dict[str, Any]) -> dict[str, dict[str, list[int | None]]]:
    sums = quota_rules.campaign_sums(latest_data((tables.get(CALLS) or {}).values()))
    return {sid: {c: [n.dialed, n.connected, n.completed, n.orders, n.talk_minutes]
                  for c, n in campaigns.items()}
            for sid, campaigns in sums.items()}


def hourly(tables: dict[str, Any]) -> dict[str, dict[str, int]]:
    records = latest_data((tables.get(CALLS) or {}).values())
    with_total = {(r["staff_id"], r.get("campaign", "")) for r in records
                  if r.get("hour") is None}
    out: dict[str, dict[str, int]] = {}
    for r in records:
        hour = r.get("hour")
        if hour is None or (r["staff_id"], r.get("campaign", "")) in with_total:
            continue
        agent = out.setdefault(r["staff_id"], {})
        key = str(int(hour))
        agent[key] = agent.get(key, 0) + int(r.get("completed", 0))
    return out


def effective(record: dict[str, Any]) -> dict[str, Any]:
    """The score that counts: the direct supervisor's final one after an escalation, else the
    one revised on review, else the original (all three are kept)."""
    return record.get("final") or record.get("revised") or record


def follow_up(tables: dict[str, Any]) -> list[list]:
    return [[r["staff_id"], f"{r['date']}T{r['time']}|{key}", effective(r)["passed"],
             r["template"], int(r.get("template_version", 1)),
             bool(effective(r).get("critical"))]
            for key, r in latest_items((tables.get(EVALUATIONS) or {}).values())]


def roster_cells(tables: dict[str, Any]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for cell in latest_data((tables.get("cells") or {}).values()):
        out.setdefault(cell["staff_id"], {})[cell["date"]] = cell["code"]
    return out


def register(store: Store) -> None:
    store.add_digest(CAMPAIGN_SUMS, campaign_sums, stands_for=(CALLS,))
    store.add_digest(HOURLY, hourly, stands_for=(CALLS,))
    store.add_digest(FOLLOW_UP, follow_up)
    store.add_digest(ROSTER_CELLS, roster_cells)
    for table in KEPT_TABLES:
        store.keep_records(table)
    for table in VERSIONED_TABLES:
        store.keep_versions(table)
