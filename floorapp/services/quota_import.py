"""Importing call counts from a CSV file, all-or-nothing, never over the phone system's figures.

May import: the store's API, rules, formats and the basics; never the CLI, screens, the app or Textual.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from floorapp.formats import csvio
from floorapp.rules import quota as rules
from floorapp.i18n import _
from floorapp.rules.quota import Counts
from floorapp.services.quota_counts import CALLS

if TYPE_CHECKING:
    from floorapp.services.core import Floor

CALL_COLUMNS = ["staff_id", "date", "dialed", "connected", "completed", "orders"]
CALL_OPTIONAL = ["hour", "campaign", "talk_minutes"]


class QuotaImport:
    """Bringing call counts in from a file (``floor import calls``): every row checked, the
    hours the phone system recorded kept as its own.

    A part of ``QuotaService`` (floorapp/services/quota.py), which holds ``floor`` and the floor-
    day the parts share."""

    floor: Floor

    def parse_calls_csv(self, path: str | Path) -> list[tuple[int, dict]]:
        return self._read_calls_csv(path)[0]

    def _read_calls_csv(self, path: str | Path) -> tuple[list[tuple[int, dict]], str]:
        """The rows of a calls file with their lines, and the file's name for messages."""
        rows, errors = csvio.read_rows(path, CALL_COLUMNS, CALL_OPTIONAL)
        staff = self.floor.staff_by_id()
        campaigns = self.coefficients()
        today = self.floor.today()
        seen: dict[tuple[str, str], int] = {}
        out = []
        for line, row in rows:
            try:
                if row["staff_id"] not in staff:
                    raise ValueError(_("unknown staff id {id!r}").format(id=row["staff_id"]))
                day = csvio.parse_date(row["date"])
                if day > today:
                    raise ValueError(_("date {day} is in the future").format(day=day))
                counts = [csvio.parse_count(row[c], c)
                          for c in ("dialed", "connected", "completed", "orders")]
                talk_text = row.get("talk_minutes", "")
                talk = csvio.parse_count(talk_text, "talk_minutes") if talk_text else None
                hour = _parse_hour(row.get("hour", ""))
                campaign = row.get("campaign", "")
                if campaign and campaign not in campaigns:
                    raise ValueError(_("unknown campaign {campaign!r}").format(campaign=campaign))
                value = Counts(*counts, talk_minutes=talk)
                problems = rules.count_problems(value)
                if problems:
                    raise ValueError("; ".join(problems))
            except ValueError as exc:
                errors.add(line, str(exc))
                continue
            key = rules.entry_key(row["staff_id"], hour, campaign)
            where = (day.isoformat(), key)
            if where in seen:
                errors.add(line, _("the same agent, date, hour and campaign as line {line}").format(
                    line=seen[where]))
                continue
            seen[where] = line
            out.append((line, {"staff_id": row["staff_id"], "date": day.isoformat(),
                               "hour": hour, "campaign": campaign, **value.to_dict()}))
        errors.check()
        return out, errors.name

    def import_calls(self, path: str | Path) -> tuple[int, int]:
        """Import call counts, all-or-nothing. Returns (rows, days)."""
        self.floor.require("quota.record")
        rows, name = self._read_calls_csv(path)
        by_day: dict[str, list[tuple[int, str, dict]]] = {}
        for line, data in rows:
            key = rules.entry_key(data["staff_id"], data["hour"], data["campaign"])
            by_day.setdefault(data["date"], []).append((line, key, data))
        errors = csvio.Errors(name)
        with self.floor.transaction() as tx:
            checked = {day: _against_the_pbx(tx.records(f"day/{day}", CALLS), items, errors)
                       for day, items in sorted(by_day.items())}
            errors.check()
            for day, items in checked.items():
                tx.put_many(f"day/{day}", CALLS, items, note=f"import calls {Path(path).name}")
        return len(rows), len(by_day)


def _parse_hour(text: str) -> int | None:
    if not text:
        return None
    if not re.match(r"^\d{1,2}$", text) or int(text) > 23:
        raise ValueError(_("hour {text!r} is not an hour of the day (0–23)").format(text=text))
    return int(text)


def _against_the_pbx(stored: list[dict], items: list[tuple[int, str, dict]],
                     errors: csvio.Errors) -> list[tuple[str, dict]]:
    """An imported calls file may add completed and orders to the hours the phone system
    recorded, never change their dialed and connected, nor hide them under a day total (issue
    #27: the PBX's figures are the truth, a hand correction needs a reason). Rows that keep
    the PBX's figures stay marked as the PBX's; the others are named with their line."""
    pbx = {r["_key"]: r for r in stored if r.get("source") == "pbx"}
    pbx_hours = {(r["staff_id"], r.get("campaign", "")) for r in pbx.values()
                 if r.get("hour") is not None}
    out = []
    for line, key, data in items:
        before = pbx.get(key)
        if data["hour"] is None and (data["staff_id"], data["campaign"]) in pbx_hours:
            errors.add(line, _(
                "{id} {day}: the phone system recorded this seat's hours; a day total would "
                "hide them: import hourly rows instead").format(id=data["staff_id"],
                                                              day=data["date"]))
            continue
        if before is not None:
            if (data["dialed"], data["connected"]) != (before["dialed"], before["connected"]):
                errors.add(line, _(
                    "{id}: dialed and connected of {slot} come from the phone system "
                    "({dialed}/{connected}); type completed and orders, or correct them "
                    "with a reason").format(
                        id=data["staff_id"], slot=_("day total") if data["hour"] is None
                        else f"{data['hour']:02d}:00", dialed=before["dialed"],
                        connected=before["connected"]))
                continue
            data = dict(data, source="pbx")
            if data["talk_minutes"] is None:
                data["talk_minutes"] = before.get("talk_minutes")
        out.append((key, data))
    return out
