"""F6 Summary (日报): the end-of-day summary of SPEC §9 for a chosen date.

May import: Textual, widgets, services, rules, formats and the basics; never the store, TinyDB or
the CLI.

Quota, attendance, monitoring and open incidents, as the features that own them provide them;
the same data as ``floor report day``. ``[``/``]`` move the date, ``t`` back to today, ``g``
types a date, ``x`` writes the agents table as CSV.
"""

from __future__ import annotations

import datetime as dt

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Input, Static

from floorapp.formats.csvio import parse_date

from floorapp.errors import FloorError
from floorapp.i18n import N_, _, fmt_date, language
from floorapp.rules.roster import short_code
from floorapp.services.quota_day import started_text
from floorapp.services.hourly import DayCurves, day_curves
from screens.base import FloorScreen
from screens.widgets.charts import HourCharts
from screens.text import plain
from screens.widgets.tables import FixedTable, grown, set_column_width

ADVICE = {"add_seats": N_("add seats"), "raise_volume": N_("raise call volume"), "ok": N_("ok")}
ATT_WIDTH = 11
NAME_CELLS = 8  # at 80 columns
# The flags column holds one sign per flag so every flag fits at 80 columns; the legend line under
# the grid says what each sign means, the detail line says the highlighted agent's in words.
FLAG_SIGNS = {"rushing": "R", "dial_low": "<", "dial_high": ">", "zero_score": "0",
              "talk_short": "t", "outage": "!"}
FLAGS_WIDTH = 5  # at most five at once: the dialed count is below or above its band, not both
# Where a long text may be cut: after a separator, never inside a figure ("迟到65分钟" is never
# shown as "迟到6"). The row's full text is on the detail line under the grid.
_BREAKS = (", ", "，", "; ", "；", ": ", "：", " ")


def fit_text(text: str, width: int) -> str:
    """``text`` when it fits in ``width`` cells, else its longest head ending at a separator,
    with "…"; with no separator that early, as much of it as fits, never ending inside a
    figure (a Chinese "第2段缺下班卡" showed as "…" alone at 80 columns)."""
    if cell_len(text) <= width:
        return text
    best = ""
    for sep in _BREAKS:
        start = 0
        while (found := text.find(sep, start)) > 0:
            head = text[:found].rstrip(",，;；:： ")
            if cell_len(head) + 1 <= width and len(head) > len(best):
                best = head
            start = found + len(sep)
    if not best:
        best = text
        while best and cell_len(best) + 1 > width:
            best = best[:-1]
        if text[len(best):len(best) + 1].isdigit():  # never a figure cut short ("迟到6")
            best = best.rstrip("0123456789.")
    return best + "…"


class DateEntry(Input):
    """The go-to-date line, shown by ``g``; Escape hides it."""

    BINDINGS = [Binding("escape", "leave", _("Cancel"))]

    def action_leave(self) -> None:
        self.display = False
        self.screen.query_one("#agents", DataTable).focus()


class SummaryScreen(FloorScreen):
    SECTION = "summary"
    TITLE = _("Summary 日报")
    CSS_PATH = ["summary.tcss", "widgets/charts.tcss"]
    BINDINGS = [
        Binding("left_square_bracket", "move(-1)", _("Prev day"), key_display="["),
        Binding("right_square_bracket", "move(1)", _("Next day"), key_display="]"),
        Binding("t", "today", _("Today")),
        Binding("g", "goto", _("Go to"), tooltip=_("Go to date")),
        Binding("x", "export", _("Export CSV")),
        Binding("X", "export_xlsx", _("Export Excel"), show=False),  # in the help (F1)
    ]

    def __init__(self) -> None:
        super().__init__()
        self.day: dt.date | None = None
        self._curves: DayCurves | None = None  # the day by calling hour, for the charts
        self._seat: str | None = None  # the highlighted seat, charted beside the floor

    def compose_body(self) -> ComposeResult:
        yield Static(id="head")
        yield HourCharts(id="hour-charts")  # issue #28
        yield FixedTable(id="agents", cursor_type="row", zebra_stripes=True, cell_padding=0)
        yield Static(id="legend")
        yield Static(id="detail")
        yield Static(id="incidents")
        yield DateEntry(placeholder=_("date YYYY-MM-DD, Enter shows it, Esc cancels"), id="date",
                        select_on_focus=False)

    def on_mount(self) -> None:
        self._add_columns(4)
        self.query_one("#agents", DataTable).focus()

    def att_width(self) -> int:
        """The attendance column: 11 cells at 80 columns, and what a wider terminal has more
        ("absent: no punch p2, sick leave 0.5 day" whole at 120, issue 26 item 3)."""
        return ATT_WIDTH + max(0, self.app.size.width - 80)

    def on_resize(self) -> None:
        self.query_one(HourCharts).fit(self.app.size.width, self.app.size.height)
        self.show_charts()
        if self.query_one("#agents", DataTable).columns:
            self.refresh_data()  # the name and attendance columns refit the width

    def _fit_wide_columns(self, table: DataTable, agents: list) -> None:
        """The columns past 80 go to the attendance column, and up to half of them to the
        name as far as the longest needs ("Maximilia" at 120, issue 26 item 3); at 80
        columns both keep their widths."""
        extra = max(0, self.app.size.width - 80)
        names = grown(NAME_CELLS, extra // 2,
                      max([0, *(cell_len(a.name) for a in agents)]))
        att = ATT_WIDTH + extra - (names - NAME_CELLS)
        if (names, att) != (self._name_cells, self._att_cells):
            set_column_width(table, "name", max(names, cell_len(_("name"))) + 1)
            set_column_width(table, "att", max(att, cell_len(_("attendance"))) + 1)
            self._name_cells, self._att_cells = names, att

    def _add_columns(self, id_cells: int) -> None:
        table = self.query_one("#agents", DataTable)
        table.clear(columns=True)
        self._att_cells = self.att_width()
        self._name_cells = NAME_CELLS
        for label, key, width in [(N_("id"), "id", id_cells), (N_("name"), "name", NAME_CELLS),
                                  (N_("sh"), "shift", 2),
                                  (N_("attendance"), "att", self._att_cells),
                                  (N_("dial"), "dial", 4), (N_("conn"), "conn", 4),
                                  (N_("done/tgt"), "done", 8), (N_("ord"), "ord", 3),
                                  (N_("pts"), "pts", 4), (N_("QA"), "qa", 6),
                                  (N_("flags"), "flags", FLAGS_WIDTH)]:
            shown = _(label)  # a Chinese header may need a cell more than its English one
            # one blank cell between columns (no padding) so all eleven fit at 80 columns
            table.add_column(shown, key=key, width=max(width, cell_len(shown)) + 1)
        table.fixed_columns = 2
        self._id_cells = id_cells

    def refresh_data(self) -> None:
        table = self.query_one("#agents", DataTable)
        if not table.columns:
            return
        if self.day is None:
            self.day = self.floor.today()
        quota = self.floor.quota
        try:
            fd = quota.floor_day(self.day)
        except FloorError as exc:
            self.notify(str(exc), severity="error")
            return
        policy = self.floor.policy
        row = table.cursor_row
        id_cells = max([4, *(cell_len(a.staff_id) for a in fd.agents)])
        if id_cells != self._id_cells:  # a centre's longer ids: the column grows, never cuts
            self._add_columns(id_cells)
        self._fit_wide_columns(table, fd.agents)
        table.clear()
        self._agents = {a.staff_id: a for a in fd.agents}
        for a in fd.agents:
            points = -a.shortfall * policy.shortfall_points_per_call
            qa = ""
            if a.qa_done:
                qa = f"{a.qa_done}" + ("" if a.qa_mean is None else f" {a.qa_mean:.0f}%")
            att_style = {"absent": "bold red", "late": "yellow", "early": "yellow",
                         "leave": "cyan", "rest": "dim"}.get(a.attendance, "")
            if not a.final:  # the day so far: the points are the day's, once it is over
                done_style = "" if a.shortfall else "green"
                shown_points = Text("…", style="dim")
            else:
                done_style = "red" if a.shortfall else "green"
                shown_points = Text(str(points) if points else "0", style="red" if points else "")
            table.add_row(
                a.staff_id, plain(a.name), short_code(a.shift),  # leave as 病, as on F4
                Text(fit_text(a.attendance_text, self._att_cells), style=att_style),
                str(a.counts.dialed), str(a.counts.connected),
                Text(f"{a.counts.completed}/{a.target}", style=done_style),
                str(a.counts.orders), shown_points,
                qa, Text("".join(FLAG_SIGNS[code] for code, _words in quota.flag_items(a)),
                         style="bold yellow"), key=a.staff_id)
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1), animate=False)
        short = len(fd.under_target)  # of the same working seats as the seat count
        rushing = sum(1 for a in fd.agents if a.rushing)
        shown_day = (f"{self.day.year}年{fmt_date(self.day)}" if language() == "zh"
                     else f"{self.day:%a %Y-%m-%d}")
        if fd.advice_known:
            advice = (_(ADVICE[fd.advice]), "bold" if fd.advice != "ok" else "green")
        else:  # a day still on is not judged on its calls so far
            when = (_("advice after {time}").format(time=f"{fd.ends_at:%H:%M}")
                    if fd.ends_at else _("advice after the shifts"))
            advice = (when, "dim")
        head = Text.assemble(
            (shown_day, "bold"),
            _(" · {seats} seats · avg dial {avg} · ").format(
                seats=fd.seats, avg=f"{fd.avg_dialed:.1f}"),
            advice, "\n",
            # short words: a 300-seat floor's five-figure totals fit on one line at 80
            _("dial {dialed} · conn {connected} · done {done} · ord {orders} · ").format(
                dialed=fd.totals.dialed, connected=fd.totals.connected,
                done=fd.totals.completed, orders=fd.totals.orders),
            (_("short {n}").format(n=short), "red" if short else "") if fd.final
            else _("to go {n}").format(n=short),
            _(" · rushing {n}").format(n=rushing),
        )
        from floorapp.services import cdr_follow

        bad = cdr_follow.bad_rows(self.floor, self.day)
        if bad:  # rows the live PBX feed skipped that day: `floor doctor` and its log name them
            head.append(_(" · PBX bad rows {n}").format(n=bad), style="bold yellow")
        self.query_one("#head", Static).update(head)
        self._curves = day_curves(self.floor, self.day, fd)
        self.show_charts()
        legend = "  ".join(f"{FLAG_SIGNS[code]} {words}" for code, words in quota.flag_legend())
        self.query_one("#legend", Static).update(Text(_("flags: {legend}").format(legend=legend)))
        incidents = self.query_one("#incidents", Static)
        if fd.incidents:
            # the title names the kind in words ("outage" is the stored code)
            lines = [_("{id} {title} since {started}").format(
                         id=i.get("id", ""), title=i.get("title", ""),
                         started=started_text(i.get("started", ""), self.day))
                     for i in fd.incidents[:3]]
            incidents.update(Text(_("Open incidents: {list}").format(list=" · ".join(lines)),
                                  style="bold red"))
        else:
            incidents.update(Text(_("No open incidents"), style="dim"))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """The highlighted agent in full: the grid cuts long attendance texts and flags."""
        agent = getattr(self, "_agents", {}).get(str(event.row_key.value))
        detail = self.query_one("#detail", Static)
        self._seat = None if agent is None else agent.staff_id
        self.show_charts()
        if agent is None:
            detail.update("")
            return
        flags = _(", ").join(self.floor.quota.flags(agent)) or _("no flags")
        if not agent.final:  # zero-score, dialed under the band and talk time wait for the end
            flags += " · " + _("the day so far: judged when the shift ends")
        detail.update(Text.assemble((f"{agent.staff_id} {agent.name}: ", "bold"),
                                    f"{agent.attendance_text} · {flags}"))

    def show_charts(self) -> None:
        """The floor's completed per calling hour against the pace, and the highlighted
        seat's beside it."""
        if self._curves is None:
            return
        now = self.floor.now()
        self.query_one(HourCharts).show(self._curves, self._seat,
                                        now.hour if self.day == now.date() else None)

    def action_move(self, days: int) -> None:
        self.day = (self.day or self.floor.today()) + dt.timedelta(days=days)
        self.refresh_data()

    def action_goto(self) -> None:
        entry = self.query_one("#date", DateEntry)
        entry.value = (self.day or self.floor.today()).isoformat()
        entry.cursor_position = len(entry.value)
        entry.display = True
        entry.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            day = parse_date(event.value.strip())
        except ValueError as exc:
            self.notify(str(exc), severity="error")
            return
        self.day = day
        event.input.action_leave()
        self.refresh_data()

    def action_today(self) -> None:
        self.day = self.floor.today()
        self.refresh_data()

    def action_export(self) -> None:
        day = self.day or self.floor.today()
        try:
            path = self.floor.quota.export_day_csv(day)
        except FloorError as exc:
            self.notify(str(exc), severity="error")
            return
        self.notify(_("Exported: {path}").format(path=path), timeout=8)

    def action_export_xlsx(self) -> None:
        day = self.day or self.floor.today()
        try:
            path = self.floor.quota.export_day_xlsx(day)
        except FloorError as exc:
            self.notify(str(exc), severity="error")
            return
        self.notify(_("Exported: {path}").format(path=path), timeout=8)
