"""Importing the phone system's call records (SPEC §11): `floor import cdr Master.csv`.

May import: the store's API, rules, formats and the basics; never the CLI, screens, the app or
Textual.

The counts (``floorapp.formats.cdr``) replace dialed, connected and talk minutes of each agent's hour in
the quota's ``calls`` table; completed and orders stay as they were (they come from the business
system or by hand). Each call goes to exactly one entry of the day:
- a call whose campaign field (policy ``cdr_campaign_field``, default ``accountcode``) holds a
  `floor campaign` id goes to that campaign: its day total when it has one, else its hour's
  entry (made when missing);
- any other call goes, as the agent's hour entries say, to the agent's day total when the day
  has one (it stands for the whole day: it takes the day's sums; the one with the most
  completed when several campaigns have one); else the hour's entry (of the campaign with the
  most completed, when the hour has several); else a new hourly entry on the campaign the
  agent worked last that day.
An hour whose completed would exceed the CDR's connected is left as it was and listed: someone
must look at it. Only hours the file has calls in are written; re-importing changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

from floorapp.formats import cdr, csvio, import_files
from floorapp.rules import quota as rules
from floorapp.errors import FloorError
from floorapp.i18n import _
from floorapp.rules.quota import Counts

if TYPE_CHECKING:
    from floorapp.services.core import Floor

CALLS = "calls"
PBX = "pbx"  # an entry's ``source`` when its dialed and connected come from the phone system


class CdrService:
    def __init__(self, floor: Floor) -> None:
        self.floor = floor

    def read(self, path: str | Path, campaign_field: str = "accountcode") -> list[cdr.CdrRow]:
        """Every row of a Master.csv; ImportRejected with FILE:LINE for the bad ones.

        Caller ids (clid) may hold bytes of any encoding; floor does not use them, so text
        that is not UTF-8 is replaced there rather than refused.
        """
        path = Path(path)
        if path.suffix.lower() in import_files.XLSX_SUFFIXES:
            raise FloorError(_("{path}: the call records are Asterisk's Master.csv, not a "
                               "workbook").format(path=path))
        text = import_files.read_bytes(path).decode("utf-8", errors="replace")
        if text.startswith("\ufeff"):
            text = text[1:]
        errors = csvio.Errors(path)
        reader = csv.reader(io.StringIO(text, newline=""))
        rows = []
        now = self.floor.now()
        latest = dt.datetime(now.year, now.month, now.day, now.hour, now.minute, now.second)
        try:
            for fields in reader:
                line = reader.line_num
                if not any(f.strip() for f in fields):
                    continue
                try:
                    row = cdr.parse_row(line, fields, campaign_field)
                    if row.start > latest:
                        raise ValueError(_("start {start} is in the future").format(
                            start=f"{row.start:%Y-%m-%d %H:%M:%S}"))
                except ValueError as exc:
                    errors.add(line, str(exc))
                    continue
                rows.append(row)
        except csv.Error as exc:
            errors.add(reader.line_num, _("not valid CSV ({reason})").format(reason=exc))
        if not rows and not errors:
            errors.add(1, _("no call records in the file"))
        errors.check()
        return rows

    def import_cdr(self, path: str | Path) -> str:
        self.floor.require("quota.record")
        campaign_field = self.floor.policy.cdr_campaign_field
        rows = self.read(path, campaign_field)
        people = {s.extension: s for s in self.floor.staff() if s.extension}
        campaigns = frozenset(self.floor.quota.campaigns()) if campaign_field else frozenset()
        counted = cdr.tally(rows, set(people), campaigns)
        by_day = by_agent_day(counted, people)
        with self.floor.transaction() as tx:
            written, conflicts = write_counts(tx, by_day)
        out = [_("{path}: {rows} record(s), {calls} call(s) of {agents} agent(s) over "
                 "{days} day(s); {written} hour(s) changed").format(
            path=path, rows=len(rows), calls=counted.calls,
            agents=len({staff_id for staff_id, _day in by_day}),
            days=len({day for _id, day in by_day}), written=written)]
        if counted.unknown_rows:
            out.append(_("{n} record(s) name no agent's extension (trunks, queues, other "
                         "phones): not counted").format(n=counted.unknown_rows))
        if conflicts:
            out.append(_("{n} hour(s) left as they were: completed more than the calls "
                         "connected").format(n=len(conflicts)))
            out.extend("  " + line for line in conflicts)
        return "\n".join(out)


def by_agent_day(counted: cdr.Tally, people: dict[str, Any]
                 ) -> dict[tuple[str, dt.date], dict[int, dict[str | None, cdr.HourCalls]]]:
    """{(staff id, day): {hour: {campaign or None: calls}}} of a tally (people by extension)."""
    out: dict[tuple[str, dt.date], dict[int, dict[str | None, cdr.HourCalls]]] = {}
    for (extension, day, hour), split in counted.campaigns.items():
        out.setdefault((people[extension].id, day), {})[hour] = split
    return out


def write_counts(tx: Any, by_day: dict[tuple[str, dt.date],
                                       dict[int, dict[str | None, cdr.HourCalls]]]
                 ) -> tuple[int, list[str]]:
    """Write each agent-day's counts into its entries (see module doc) within ``tx``: how many
    entries changed, and the entries left as they were (completed above connected)."""
    written = 0
    conflicts: list[str] = []
    for (staff_id, day), hours in sorted(by_day.items()):
        part = f"day/{day.isoformat()}"
        mine = [r for r in tx.records(part, CALLS) if r["staff_id"] == staff_id]
        for key, data, label in _targets(staff_id, day, hours, mine):
            data = dict(data, source=PBX)  # dialed and connected are the PBX's from now on
            problems = rules.count_problems(Counts.from_dict(data))
            if problems:
                conflicts.append(f"{staff_id} {day.isoformat()} {label}: " + "; ".join(problems))
                continue
            current = tx.get(part, CALLS, key)
            before = {k: v for k, v in (current or {}).items() if not k.startswith("_")}
            if before != data:
                tx.put(part, CALLS, key, data)
                written += 1
    return written, conflicts


def _targets(staff_id: str, day: dt.date, hours: dict[int, dict[str | None, cdr.HourCalls]],
             records: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any], str]]:
    """(key, new data, label) of every entry the day's CDR counts go to (see module doc):
    each call's counts in exactly one of them."""
    def fields(record: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in record.items() if not k.startswith("_")}

    def most_completed(candidates: list[dict[str, Any]]) -> dict[str, Any]:
        return max(candidates, key=lambda r: (int(r.get("completed", 0)), r["_key"]))

    totals = [r for r in records if r.get("hour") is None]
    latest = max(records, key=lambda r: (r.get("hour") or 0, r["_key"]), default=None)
    last_campaign = latest.get("campaign", rules.DEFAULT_CAMPAIGN) if latest else \
        rules.DEFAULT_CAMPAIGN
    # key -> (base record, the calls it takes by hour, label)
    targets: dict[str, tuple[dict[str, Any], dict[int, cdr.HourCalls], str]] = {}

    def take(key: str, base: dict[str, Any], label: str, hour: int,
             calls: cdr.HourCalls) -> None:
        target = targets.setdefault(key, (base, {}, label))
        target[1].setdefault(hour, cdr.HourCalls()).add(calls)

    def hour_entry(hour: int, campaign: str, calls: cdr.HourCalls) -> None:
        label = f"{hour:02d}:00" + (f" {campaign}" if campaign else "")
        existing = [r for r in records if r.get("hour") == hour
                    and r.get("campaign", rules.DEFAULT_CAMPAIGN) == campaign]
        if existing:
            take(existing[0]["_key"], fields(existing[0]), label, hour, calls)
            return
        base = {"staff_id": staff_id, "date": day.isoformat(), "hour": hour,
                "campaign": campaign, "completed": 0, "orders": 0}
        take(rules.entry_key(staff_id, hour, campaign), base, label, hour, calls)

    for hour, split in sorted(hours.items()):
        for campaign, calls in split.items():
            if campaign is not None:
                of_campaign = [r for r in totals
                               if r.get("campaign", rules.DEFAULT_CAMPAIGN) == campaign]
                if of_campaign:
                    take(of_campaign[0]["_key"], fields(of_campaign[0]),
                         _("day total") + (f" {campaign}" if campaign else ""), hour, calls)
                else:
                    hour_entry(hour, campaign, calls)
            elif totals:
                target = most_completed(totals)
                campaign_of = target.get("campaign", rules.DEFAULT_CAMPAIGN)
                take(target["_key"], fields(target),
                     _("day total") + (f" {campaign_of}" if campaign_of else ""), hour, calls)
            else:
                that_hour = [r for r in records if r.get("hour") == hour]
                if that_hour:
                    target = most_completed(that_hour)
                    hour_entry(hour, target.get("campaign", rules.DEFAULT_CAMPAIGN), calls)
                else:
                    hour_entry(hour, last_campaign, calls)
    out = []
    for key, (base, by_hour, label) in targets.items():
        data = dict(base)
        data["dialed"] = sum(c.dialed for c in by_hour.values())
        data["connected"] = sum(c.connected for c in by_hour.values())
        # rounded per hour, then summed: the unit the quota keeps (as for a day total)
        data["talk_minutes"] = sum(c.talk_minutes for c in by_hour.values())
        out.append((key, data, label))
    return out
