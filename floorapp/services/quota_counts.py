"""The call counts (外呼量) as stored, recorded by a supervisor and taken back with undo.

May import: the store's API, rules, formats and the basics; never the CLI, screens, the app or Textual.

A supervisor records an agent's counts as a full line, ``+5``, or a correction with a reason.

Store layout: day partitions ``day/YYYY-MM-DD`` table ``calls``, key ``<staff>/<slot>/<campaign>``
(slot ``day`` for a daily total, ``hHH`` for an hourly increment), data ``{staff_id, date, hour,
campaign, dialed, connected, completed, orders, talk_minutes}``; a correction is a new version of
the same key.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from floorapp.services import digests
from floorapp.rules import quota as rules
from floorapp.errors import FloorError
from floorapp.i18n import _
from floorapp.rules.quota import CallEntry, Counts
from floorapp.services.campaigns import CAMPAIGNS, REF

if TYPE_CHECKING:
    from floorapp.services.core import Floor

CALLS = "calls"


@dataclass(frozen=True)
class Undo:
    """What ``undo`` needs to take an entry back: the key and the data before it."""

    partition: str
    key: str
    after: dict
    before: dict | None
    label: str


class QuotaCounts:
    """Recording an agent's calls: counts added to the hour (or set), the ``+5`` entry and
    its correction, and undo of the last entry made here.

    A part of ``QuotaService`` (floorapp/services/quota.py), which holds ``floor`` and the floor-
    day the parts share."""

    floor: Floor
    _last: list[Undo]

    def entries(self, day: dt.date) -> list[CallEntry]:
        return [_entry(r) for r in self.floor.store.records(_partition(day), CALLS)]

    def record_counts(self, staff_id: str, counts: Counts, *, day: dt.date | None = None,
                      hour: int | None = None, campaign: str | None = None,
                      add: bool = True, raise_to_completed: bool = False,
                      daily_total: bool = False, note: str = "") -> Undo:
        """Record counts for an agent: added to the hour's increment (or to the daily total
        when the day has one), or set (``add=False``). ``raise_to_completed``: a completed call
        was dialed and connected, so those rise to at least ``completed`` (the ``+5`` entry).
        Without an hour, today's entries go to the current hour; ``daily_total`` (or another
        day without an hour) records the day's total. Returns what ``undo`` needs."""
        self.floor.require("quota.record")
        person = self.floor.get_staff(staff_id)
        now = self.floor.now()
        day = day or now.date()
        if daily_total:
            hour = None
        elif hour is None and day == now.date():
            hour = now.hour
        if hour is not None and not 0 <= hour <= 23:
            raise FloorError(_("hour {hour} is not 0–23").format(hour=hour))
        partition = _partition(day)
        with self.floor.transaction() as tx:
            current = [_entry(r) for r in tx.records(partition, CALLS)
                       if r["staff_id"] == staff_id]
            if campaign is None:
                # The campaign the agent is on: the one of their latest entry today.
                latest = max(current, key=lambda e: -1 if e.hour is None else e.hour,
                             default=None)
                campaign = latest.campaign if latest else rules.DEFAULT_CAMPAIGN
            if campaign and campaign not in {r["id"] for r in tx.records(REF, CAMPAIGNS)}:
                raise FloorError(_("unknown campaign {campaign!r}").format(campaign=campaign))
            if add and any(e.hour is None and e.campaign == campaign for e in current):
                hour = None  # the day has a total for this campaign: keep it the truth
            key = rules.entry_key(staff_id, hour, campaign)
            before_record = tx.get(partition, CALLS, key)
            before = Counts.from_dict(before_record) if before_record else Counts()
            new = before + counts if add else counts
            from_pbx = bool(before_record) and before_record.get("source") == "pbx"
            if from_pbx and (new.dialed, new.connected) != (before.dialed, before.connected):
                if not note:
                    raise FloorError(_(
                        "{id}: dialed and connected of {slot} come from the phone system "
                        "({dialed}/{connected}); type completed and orders, or correct them "
                        "with a reason").format(
                            id=person.id, slot=_("day total") if hour is None
                            else f"{hour:02d}:00", dialed=before.dialed,
                            connected=before.connected))
            elif raise_to_completed:
                connected = max(new.connected, new.completed)
                new = Counts(max(new.dialed, connected), connected, new.completed, new.orders,
                             new.talk_minutes)
            problems = rules.count_problems(new)
            if problems:
                raise FloorError(f"{person.id}: " + "; ".join(problems))
            data = {"staff_id": staff_id, "date": day.isoformat(), "hour": hour,
                    "campaign": campaign, **new.to_dict()}
            if from_pbx:
                data["source"] = "pbx"  # a correction with a reason keeps the PBX's entry
            if note:
                data["correction"] = note  # why counts were taken back (this version only)
            tx.put(partition, CALLS, key, data)
        before_data = None
        if before_record:
            before_data = {k: v for k, v in before_record.items() if not k.startswith("_")}
        slot = _("day total") if hour is None else f"{hour:02d}:00"
        undo = Undo(partition, key, data, before_data, f"{person.id} {slot}")
        self._last.append(undo)
        return undo

    def add_completed(self, staff_id: str, completed: int, reason: str = "") -> Undo:
        """The ``+5`` entry: 5 more completed calls this hour (dialed and connected rise with
        them when below). ``-5`` with a reason is a correction: 5 completed calls taken back
        from this hour (dialed and connected stay), e.g. when another supervisor entered them
        too; the reason is kept on the record's new version."""
        self.floor.require("quota.record")
        if completed < 0:
            if not reason.strip():
                raise FloorError(_("a correction needs a reason, e.g. A001 -5 typed twice"))
            return self.record_counts(staff_id, Counts(completed=completed),
                                      note=reason.strip())
        if completed == 0:
            raise FloorError(_("add at least one completed call"))
        return self.record_counts(staff_id, Counts(completed=completed), raise_to_completed=True)

    def undo_last(self) -> str:
        """Take back the last entry made through this service; says what was undone."""
        self.floor.require("quota.record")
        if not self._last:
            raise FloorError(_("nothing to undo"))
        undo = self._last[-1]
        with self.floor.transaction() as tx:
            current = tx.get(undo.partition, CALLS, undo.key)
            now_data = None if current is None else \
                {k: v for k, v in current.items() if not k.startswith("_")}
            if now_data != undo.after:
                self._last.pop()
                by = current["_by"] if current else _("someone")
                raise FloorError(_("{what} was changed since by {by}; not undone: correct "
                                   "it with {id} -N reason (or a full line)").format(
                    what=undo.label, by=by, id=undo.label.split()[0]))
            if undo.before is None:
                tx.retire(undo.partition, CALLS, undo.key, "undo")
            else:
                tx.put(undo.partition, CALLS, undo.key, undo.before)
        self._last.pop()
        return _("undone: {what}").format(what=undo.label)


def _day_sums(store, partition: str) -> dict[str, dict[str, Counts]]:  # noqa: ANN001
    """A day's call digest (digests.CAMPAIGN_SUMS) as Counts."""
    return {sid: {c: Counts(*values) for c, values in campaigns.items()}
            for sid, campaigns in store.digest(partition, digests.CAMPAIGN_SUMS).items()}


def _partition(day: dt.date) -> str:
    return f"day/{day.isoformat()}"


def _entry(record: dict) -> CallEntry:
    return CallEntry(record["staff_id"], dt.date.fromisoformat(record["date"]),
                     record.get("hour"), record.get("campaign", ""), Counts.from_dict(record))
