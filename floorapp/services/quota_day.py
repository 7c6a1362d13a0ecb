"""The end-of-day quota report (SPEC §9): its JSON and tables, the agents' flags, its exports.

May import: the store's API, rules, formats and the basics; never the CLI, screens, the app or Textual.

The staffing advice in words is here too, and the day's CSV and Excel exports.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from floorapp.services import hourly
from floorapp.rules import quota as rules
from floorapp.errors import FloorError
from floorapp.i18n import N_, _, fmt_date, language
from floorapp.formats.reports import Report, Table

if TYPE_CHECKING:
    from floorapp.policy import Policy
    from floorapp.services.core import Floor
    from floorapp.services.quota import AgentDay, FloorDay

ADVICE_TEXT = {"add_seats": N_("add seats (avg dialed per seat above {dialed})"),
               "raise_volume": N_("raise call volume (avg completed per seat below {completed})"),
               "ok": N_("ok (dialed at most {dialed}, completed at least {completed} per seat)")}


def advice_text(policy: Policy, advice: str) -> str:
    """The staffing advice for people, with the policy's thresholds [004 第三条]."""
    return _(ADVICE_TEXT[advice]).format(dialed=policy.advice_add_seats_above,
                                         completed=policy.advice_raise_volume_completed_below)


def advice_pending(fd: FloorDay) -> str:
    """What the advice says while the floor's day is on: when it will be given."""
    if fd.ends_at is None:
        return _("after the day's shifts")
    return _("after {time}, when the day's shifts end").format(time=f"{fd.ends_at:%H:%M}")
# The day report's agent table; the CSV export keeps these English headers.
DAY_HEADERS = (N_("id"), N_("name"), N_("shift"), N_("attendance"), N_("dial"), N_("conn"),
               N_("done"), N_("ord"), N_("tgt"), N_("short"), N_("pts"), N_("wtd"), N_("QA"),
               N_("flags"))


def started_text(started: object, day: dt.date) -> str:
    """When an incident started, short: ``14:10`` on the day, else ``11-19 14:10``."""
    text = str(started or "")
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return text
    return f"{moment:%H:%M}" if moment.date() == day else f"{moment:%m-%d %H:%M}"


class QuotaDayReport:
    """The day read out at the meeting and exported: the report of a floor's day, and the flags
    each agent carries (rushing, dialed out of band, zero-score, short talk time, outage).

    A part of ``QuotaService`` (floorapp/services/quota.py), which holds ``floor`` and the floor-
    day the parts share."""

    floor: Floor

    def day_report(self, day: dt.date, fd: FloorDay | None = None) -> Report:
        """SPEC §9 end of day: the JSON contract and a table to read out at the meeting
        (of ``fd`` when the caller has the day already, as the wallboard has)."""
        policy = self.floor.policy
        fd = fd if fd is not None else self.floor_day(day)
        data = {
            "date": day.isoformat(),
            "agents": [{"id": a.staff_id, "dialed": a.counts.dialed,
                        "connected": a.counts.connected, "completed": a.counts.completed,
                        "orders": a.counts.orders, "shortfall": a.shortfall,
                        "points": rules.shortfall_points(policy, a.target, a.counts.completed),
                        "attendance": a.attendance} for a in fd.agents],
            "floor": {"seats": fd.seats,
                      "avg_dialed": float(fd.avg_dialed.quantize(Decimal("0.1"),
                                                                 rounding=ROUND_HALF_UP)),
                      "advice": fd.advice,
                      # false while a shift is still on: the figures are the day so far
                      "final": fd.final},
            # completed per calling hour against the pace to target (issue #28: the charts
            # and the wallboard draw this curve)
            "hourly": hourly.day_curves(self.floor, day, fd).to_json(),
        }
        headers = [_(h) for h in DAY_HEADERS]
        rows = []
        legend = dict(self.flag_legend())
        for a in fd.agents:
            rows.append([a.staff_id, a.name, a.shift, a.attendance_text, a.counts.dialed,
                         a.counts.connected, a.counts.completed, a.counts.orders, a.target,
                         a.shortfall, rules.shortfall_points(policy, a.target, a.counts.completed),
                         _num(a.weighted), _qa_text(a), " ".join(self.flags(a, legend))])
        floor_rows = [[_("seats"), fd.seats], [_("dialed"), fd.totals.dialed],
                      [_("avg dialed per seat"), _num(fd.avg_dialed)],
                      [_("avg completed per seat"), _num(fd.avg_completed)],
                      [_("connected"), fd.totals.connected], [_("completed"), fd.totals.completed],
                      [_("orders"), fd.totals.orders],
                      [_("under target"), len(fd.under_target)],
                      [_("advice"), advice_text(policy, fd.advice) if fd.advice_known
                       else advice_pending(fd)]]
        incident_rows = [[i.get("id", ""), i.get("kind", ""), i.get("title", ""),
                          started_text(i.get("started", ""), day)] for i in fd.incidents]
        notes = []
        short = fd.under_target
        if short:
            head = _("Under target: {agents}") if fd.final else _(
                "Short of target so far: {agents}")
            notes.append(head.format(agents=_(", ").join(
                f"{a.staff_id} {a.name} −{a.shortfall}" for a in short)))
        rushing = [a.staff_id for a in fd.agents if a.rushing]
        if rushing:
            notes.append(_("Rushing (last hour > {factor}× the hourly mean): {agents}").format(
                factor=_num(policy.rushing_factor), agents=_(", ").join(rushing)))
        return Report(
            title=_("End of day {iso} ({day})").format(
                iso=day.isoformat(), day=fmt_date(day) if language() == "zh" else f"{day:%a}"),
            data=data,
            tables=[Table(headers, rows, _("Agents")),
                    Table([_("floor"), _("value")], floor_rows, _("Floor")),
                    Table([_("id"), _("kind"), _("title"), _("started")], incident_rows,
                          _("Open incidents"))],
            notes=notes,
        )

    def flags(self, agent: AgentDay, legend: dict[str, str] | None = None) -> list[str]:
        """The agent's flags in words ("dial<70", "zero-score" …)."""
        return [text for _code, text in self.flag_items(agent, legend)]

    def flag_items(self, agent: AgentDay, legend: dict[str, str] | None = None
                   ) -> list[tuple[str, str]]:
        """The agent's flags as (code, words); the codes are those of ``flag_legend`` (pass
        it in, as a dict, when asking for many agents)."""
        policy = self.floor.policy
        legend = legend if legend is not None else dict(self.flag_legend())
        out = []
        if agent.rushing:
            out.append(("rushing", legend["rushing"]))
        band = rules.dialed_band(policy, agent.counts.dialed)
        # under the band, zero-score and short talk time judge a whole day: not before its end
        if agent.final and agent.working and agent.counts.dialed and band == "below":
            out.append(("dial_low", legend["dial_low"]))
        if band == "above":  # a count so far that can only grow
            out.append(("dial_high", legend["dial_high"]))
        if agent.final and agent.working and rules.is_zero_score_day(policy, agent.weighted):
            out.append(("zero_score", legend["zero_score"]))
        if agent.final and rules.talk_time_ok(policy, agent.counts.talk_minutes) is False:
            out.append(("talk_short", legend["talk_short"]))
        if agent.lost_minutes:
            out.append(("outage", _("outage {minutes}m").format(minutes=agent.lost_minutes)))
        return out

    def flag_legend(self) -> list[tuple[str, str]]:
        """Every flag a day can carry, (code, words) with the policy's current numbers."""
        policy = self.floor.policy
        hours = _num(Decimal(policy.talk_minutes_min) / 60)
        return [("rushing", _("rushing")),
                ("dial_low", _("dial<{n}").format(n=policy.band_dialed_min)),
                ("dial_high", _("dial>{n}").format(n=policy.band_dialed_max)),
                ("zero_score", _("zero-score")),
                ("talk_short", _("talk<{hours}h").format(hours=hours)),
                ("outage", _("outage"))]

    def export_day_csv(self, day: dt.date, directory: Path | None = None) -> Path:
        """Write the day's agent table as CSV; returns the path."""
        from floorapp.formats.reports import render

        directory = directory or Path.home() / "floor-exports"
        try:
            directory.mkdir(parents=True, exist_ok=True)
            path = directory / f"floor-day-{day.isoformat()}.csv"
            # the CSV header stays English (machine-read); the rows are as shown
            report = self.day_report(day)
            report.tables[0] = Table(list(DAY_HEADERS), report.tables[0].rows)
            path.write_text(render(report, "csv"), encoding="utf-8")
        except OSError as exc:
            raise FloorError(_("cannot write the export to {directory}: {reason}").format(
                directory=directory, reason=exc.strerror)) from None
        return path

    def export_day_xlsx(self, day: dt.date, directory: Path | None = None) -> Path:
        """Write the day's report as an Excel workbook, one sheet per table; returns the path."""
        from floorapp.formats import xlsx

        directory = directory or Path.home() / "floor-exports"
        path = directory / f"floor-day-{day.isoformat()}.xlsx"
        from floorapp.services.board import day_sheets

        return xlsx.write_workbook(path, day_sheets(self.floor, day))  # with its charts


def _num(value: Decimal) -> str:
    """A figure for people: whole numbers plain, else one decimal."""
    value = Decimal(value)
    if value == value.to_integral_value():
        return str(int(value))
    return str(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _qa_text(agent: AgentDay) -> str:
    if not agent.qa_done:
        return ""
    mean = "" if agent.qa_mean is None else f" {_num(agent.qa_mean)}%"
    return f"{agent.qa_done}{mean}"
