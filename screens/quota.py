"""F5 Quota (外呼量): every seat's progress toward the daily minimum, live, with quick entry.

May import: Textual, widgets, services, rules, formats and the basics; never the store, TinyDB or
the CLI.

A row per agent: completed against the target as a bar, dialed against the 70–100 band, the
pace needed for the rest of the shift and who is behind. Counts are typed in the entry line:
``+5`` on the selected seat (5 more completed this hour), ``A001 +5``, a full line
``dialed connected completed orders`` added to this hour, or ``= A001 d c p o`` the day's total.
``u`` takes the last entry back.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Input, Static

from floorapp.rules import quota as rules
from floorapp.rules.quota_entry import parse_quick_entry
from floorapp.errors import FloorError
from floorapp.i18n import N_, _, language
from floorapp.rules.schedule import calling_periods
from floorapp.services.hourly import DayCurves, day_curves
from screens.base import FloorScreen
from screens.widgets.charts import HourCharts
from screens.text import plain
from screens.widgets.quota_bar import band_text, progress_bar
from screens.widgets.tables import FixedTable, grown, set_column_width

NAME_CELLS = 8


class QuotaEntry(Input):
    """The quick-entry line; Escape goes back to the seats."""

    BINDINGS = [Binding("escape", "leave", _("Back to seats"))]

    def action_leave(self) -> None:
        self.value = ""
        self.screen.query_one("#seats", DataTable).focus()


class QuotaScreen(FloorScreen):
    ACTION_RIGHTS = {"entry": "quota.record", "undo": "quota.record"}
    SECTION = "quota"
    TITLE = _("Quota 外呼量")
    CSS_PATH = ["quota.tcss", "widgets/charts.tcss"]
    BINDINGS = [
        Binding("plus", "entry('+')", _("+N done"), key_display="+"),
        Binding("slash", "entry('')", _("Full line"), key_display="/"),
        Binding("equals_sign", "entry('= ')", _("Day total"), key_display="="),
        Binding("u", "undo", _("Undo")),
        Binding("b", "toggle_behind", _("Behind"), tooltip=_("Behind only")),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.behind_only = False
        self.confirmed: Text | None = None  # the last save or undo, shown on the hint line
        self._curves: DayCurves | None = None  # today by calling hour, for the charts
        self._shown: tuple | None = None  # (floor day, pace) the table was last filled from
        self._made_from: tuple | None = None  # the figures (one _shown) the cells below show
        self._made_for: tuple | None = None  # and the note's room and language they fit
        self._made: dict[str, tuple[list, bool]] = {}  # staff id -> (cells, note as signs)
        self._figures: tuple | None = None  # (the figures, their day, what the totals say)
        self.note_cells = 16  # the note's room (at 80 columns), set as the seats are shown
        self.signs_shown = False  # a note shown as signs: the hint line says what they mean

    def compose_body(self) -> ComposeResult:
        yield Static(id="totals")
        yield HourCharts(id="hour-charts")  # issue #28
        table: DataTable = FixedTable(id="seats", cursor_type="row", zebra_stripes=True)
        yield table
        yield Static(id="quota-hint")
        # words, not letters ("= d c p o"): the = form is the same four counts, for the day
        yield QuotaEntry(placeholder=_("+5 · A001 +5 · A001 dial conn done ord: this hour · "
                                       "= A001 …: day total"),
                         id="entry", select_on_focus=False)

    def on_mount(self) -> None:
        table = self.query_one("#seats", DataTable)
        for label, key, width in [(N_("id"), "id", None), (N_("name"), "name", NAME_CELLS),
                                  (N_("att"), "att", 5), (N_("done/target"), "bar", 16),
                                  (N_("dial"), "dial", 4), (N_("ord"), "ord", 3),
                                  (N_("pace/h"), "pace", 6), (N_("note"), "note", None)]:
            shown = _(label)  # a Chinese header may need a cell more than its English one
            table.add_column(shown, key=key,
                             width=None if width is None else max(width, cell_len(shown)))
        table.fixed_columns = 2
        table.focus()
        self.set_interval(60, self.refresh_data)

    # ------------------------------------------------------------------ data
    def refresh_data(self, again: bool = True) -> None:
        """Fill the table from today's floor worked out now (``again``), or from the figures
        it shows already (the behind-only filter: a key at 1,000 seats costs the rows, not
        the floor's day; issue #30)."""
        table = self.query_one("#seats", DataTable)
        if not table.columns:
            return
        if again or self._shown is None:
            try:
                self._shown = self.floor.quota.live()
            except FloorError as exc:
                self.notify(str(exc), severity="error")
                return
        fd, pace = self._shown
        policy = self.floor.policy
        selected = self.selected_id()
        table.clear()
        self.fit_columns(table, fd.agents)
        # a seat's cells follow the figures, the note's room and the language, never the
        # filter: "behind only" and back reuse them (issue #30)
        made_for = (self.note_cells, language())
        if self._made_from is not self._shown or self._made_for != made_for:
            self._made_from, self._made_for, self._made = self._shown, made_for, {}
        made = self._made
        self.signs_shown = False
        behind = 0
        rows = []
        for agent in fd.agents:
            info = pace[agent.staff_id]
            if info["behind"]:
                behind += 1
            if self.behind_only and not info["behind"]:
                continue
            cells, signs = made.get(agent.staff_id) or made.setdefault(
                agent.staff_id, self._cells(policy, agent, info))
            self.signs_shown |= signs
            rows.append((agent.staff_id, cells))
        table.add_keyed_rows(rows)
        if selected is not None:
            try:
                table.move_cursor(row=table.get_row_index(selected), animate=False)
            except Exception:  # the seat is filtered out now: keep the cursor where it is
                pass
        self._show_totals(policy, fd, pace, behind)
        if again or self._curves is None:
            self._curves = day_curves(self.floor, fd.day, fd)
        self.show_charts()
        if not self.query_one("#entry", QuotaEntry).value:
            self.show_hint()

    def fit_columns(self, table: DataTable, agents: list) -> None:
        """The name grows into a wider terminal (up to the longest name); the note has the
        rest of the line (16 cells at 80 columns), measured here to choose words or signs."""
        room = max(0, self.app.size.width - 80)
        name = grown(NAME_CELLS, room // 2, max((cell_len(a.name) for a in agents), default=0))
        set_column_width(table, "name", max(name, cell_len(_("name"))))
        ids = max([cell_len(a.staff_id) for a in agents] + [cell_len(_("id"))])
        used = sum((ids if column.auto_width else column.width) + 2
                   for key, column in table.columns.items() if key != "note")
        self.note_cells = self.app.size.width - used - 4  # the padding, the scrollbar

    def on_resize(self) -> None:
        """A new size: the name and note columns refill the width (issue #26), the charts
        fit the room (issue #28)."""
        self.query_one(HourCharts).fit(self.app.size.width, self.app.size.height)
        if self.query_one("#seats", DataTable).columns:
            self.refresh_data()
        else:
            self.show_charts()

    def show_hint(self) -> None:
        """The legend of the marks, or why the table is empty under the filter."""
        hint = self.query_one("#quota-hint", Static)
        policy = self.floor.policy
        if self.confirmed is not None:  # a routine save said on this line, not in a toast
            hint.update(self.confirmed)
            return
        if self.behind_only and not self.query_one("#seats", DataTable).row_count:
            hint.update(Text(_("Nobody is behind right now. b shows every seat."),
                             style="bold green"))
            return
        if self.signs_shown:  # notes as signs: the line says what they mean
            hint.update(Text(_("dial ↓<{low} ↑>{high} · note signs: !N outage minutes, "
                               "R rushing · +5: 5 done").format(low=policy.band_dialed_min,
                                                    high=policy.band_dialed_max), style="dim"))
            return
        hint.update(Text(_("dial ↓<{low} ↑>{high} · +5: 5 done (dial/conn follow) · "
                           "A001 -5 why: take back")
                         .format(low=policy.band_dialed_min, high=policy.band_dialed_max),
                         style="dim"))

    def on_input_changed(self, event: Input.Changed) -> None:
        """Preview whom and what the line records before Enter."""
        text = event.value.strip()
        if not text:
            self.show_hint()
            return
        if text == "=":  # the = key: say the forms a day total takes (both work)
            self.query_one("#quota-hint", Static).update(Text(
                _("day total: A001 80 66 61 19 (dial conn done ord) · A001 = 80 … works too"),
                style="dim"))
            return
        hint = self.query_one("#quota-hint", Static)
        try:
            parsed = parse_quick_entry(text)
            person = self.floor.get_staff(self._who(parsed.who))
        except (ValueError, FloorError) as exc:
            hint.update(Text(str(exc), style="yellow"))
            return
        if parsed.add_completed is not None and parsed.add_completed < 0:
            what = _("take back {n} done: {reason}").format(n=-parsed.add_completed,
                                                            reason=parsed.reason)
        elif parsed.add_completed is not None:
            # +5 raises dialed and connected to match when they are below (said before Enter)
            what = _("+{n} done this hour, dial/conn raised to match if below").format(
                n=parsed.add_completed)
        else:
            c = parsed.counts
            what = f"{c.dialed}/{c.connected}/{c.completed}/{c.orders}"
            what = (_("day total {counts}") if parsed.day_total
                    else _("{counts} added to this hour")).format(counts=what)
        hint.update(Text(f"→ {person.id} {person.name}: {what}", style="green"))

    def _cells(self, policy, agent, info) -> tuple[list, bool]:  # noqa: ANN001
        """A seat's row, and whether its note is shown as signs."""
        done = agent.counts.completed
        bar = progress_bar(done, agent.target, policy.band_completed_max, width=9,
                           behind=info["behind"])
        # Mid-shift the band is judged on the dialed count projected to the shift's end, once
        # enough calling time has passed for a pace (before: the count, not judged)
        projected = _projected(policy, Decimal(agent.counts.dialed), {agent.staff_id: info})
        dial = band_text(agent.counts.dialed, policy.band_dialed_min, policy.band_dialed_max,
                         judged=projected, judge=projected is not None
                         ) if agent.counts.dialed or agent.working else Text("")
        notes = []  # (the words, the sign the Summary's legend uses, style)
        if info["behind"]:
            notes.append((_("behind"), _("behind"), "bold yellow"))
        if agent.rushing:
            notes.append((_("rush"), "R", "bold magenta"))
        if agent.lost_minutes:
            notes.append((_("outage {minutes}m").format(minutes=agent.lost_minutes),
                          _("!{minutes}m").format(minutes=agent.lost_minutes), "cyan"))
        # words when they fit; else the signs, whole ("behind outage 150" lost its m at 80
        # columns, issue 26), and the line under the seats says what the signs mean
        words = " ".join(word for word, _sign, _style in notes)
        shorts = cell_len(words) > self.note_cells
        note = Text(" ").join(Text(sign if shorts else word, style=style)
                              for word, sign, style in notes) if notes else Text("")
        shown = agent.presence or agent.attendance  # as the floor sees it now
        return [agent.staff_id, plain(agent.name), _(ATT_SHORT.get(shown, shown)),
                bar, dial, str(agent.counts.orders), _pace_text(info["pace"], agent.target),
                note], shorts

    def _floor_figures(self, policy, fd, pace, day: dt.date) -> tuple:  # noqa: ANN001
        """What the totals say of the figures shown: the minutes left, the seats that met
        their target, the projected averages, when the pace is judged and where the counts
        come from. Worked out once for the figures of one refresh: a filter key at 1,000
        seats reuses them (issue #30); the next refresh works them out again."""
        if self._figures is not None and self._figures[0] is self._shown \
                and self._figures[1] == day:
            return self._figures[2]
        lefts = [p["minutes_left"] for p in pace.values() if p["total_minutes"]]
        figures = (max(lefts) if lefts else 0,
                   sum(1 for a in fd.agents if a.target and not a.shortfall),
                   _projected(policy, fd.avg_dialed, pace),
                   _projected(policy, fd.avg_completed, pace),
                   _judged_at(policy, fd, day),
                   self.floor.quota.counts_source(day))
        self._figures = (self._shown, day, figures)
        return figures

    def _show_totals(self, policy, fd, pace, behind: int) -> None:  # noqa: ANN001
        now = self.floor.now()
        totals = fd.totals
        left, met, dialed, completed, judged_at, (source, last) = self._floor_figures(
            policy, fd, pace, now.date())
        # before the pace is judged, one wording whatever the seats: "advice from 09:30"
        if judged_at is not None and now.time() < judged_at:
            advice_shown = (_("advice from {time}").format(time=f"{judged_at:%H:%M}"), "dim")
        elif not fd.seats:
            advice_shown = Text.assemble(_("advice: "), (_(ADVICE_SHORT["ok"]), "green"))
        elif dialed is None or completed is None:  # too early for a pace: say when
            advice_shown = (_("advice from {time}").format(time=f"{judged_at:%H:%M}")
                            if judged_at else _("advice later"), "dim")
        else:
            advice = rules.staffing_advice(policy, dialed, completed)
            advice_shown = Text.assemble(_("advice: "), (_(ADVICE_SHORT[advice]),
                                                         "bold" if advice != "ok" else "green"))
        # where dialed and connected come from: the PBX live (its last call), an imported
        # Master.csv, or typed in
        stamp = (_("PBX {time}").format(time=last) if source == "live" else
                 _("PBX file {time}").format(time=f"{now:%H:%M}") if source == "pbx" else
                 _("typed {time}").format(time=f"{now:%H:%M}"))
        # short words, as the Summary's: with the counts' source in front it fits at 80
        figures = dict(now=stamp, hours=left // 60, minutes=f"{left % 60:02d}", seats=fd.seats,
                       dialed=totals.dialed, avg=_one(fd.avg_dialed), done=totals.completed,
                       orders=totals.orders)
        line1 = _("{now} {hours}h{minutes} left · {seats} seats · dial {dialed} ({avg}/seat) · "
                  "done {done} · ord {orders}").format(**figures)
        line2 = Text.assemble(
            # the filter leads the line, so it is never cut off at 80 columns
            (_("FILTER behind only") + " · ", "bold reverse yellow") if self.behind_only else "",
            (_("behind {n}").format(n=behind), "bold yellow" if behind else ""),
            _(" · met target {n} · ").format(n=met),
            advice_shown,
        )
        room = self.app.size.width - 2  # inside the padding
        if cell_len(line1) > room:
            # a big floor's 5-digit totals: the average per seat (the advice judges it) gives
            # way first, and goes to the second line when it has room (issue 26)
            line1 = _("{now} {hours}h{minutes} left · {seats} seats · dial {dialed} · "
                      "done {done} · ord {orders}").format(**figures)
            avg = " · " + _("{avg} dial/seat").format(avg=figures["avg"])
            if line2.cell_len + cell_len(avg) <= room:
                line2.append(avg)
        self.query_one("#totals", Static).update(Text.assemble(line1, "\n", line2))

    def show_charts(self) -> None:
        """Today's completed per calling hour against the pace, the floor's and the
        highlighted seat's."""
        if self._curves is not None:
            self.query_one(HourCharts).show(self._curves, self.selected_id(),
                                            self.floor.now().hour)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_charts()

    def selected_id(self) -> str | None:
        table = self.query_one("#seats", DataTable)
        if not table.row_count:
            return None
        try:
            row_key, _column = table.coordinate_to_cell_key(table.cursor_coordinate)
        except Exception:
            return None
        return row_key.value

    # --------------------------------------------------------------- actions
    def confirm(self, message: str) -> None:
        """A save or undo confirmed on the hint line (one line that updates, never a stack of
        toasts over the seats being worked on)."""
        self.confirmed = Text("✓ " + message, style="green")
        self.query_one("#quota-hint", Static).update(self.confirmed)

    def action_entry(self, prefix: str) -> None:
        self.confirmed = None
        entry = self.query_one("#entry", QuotaEntry)
        entry.value = prefix
        entry.cursor_position = len(prefix)
        entry.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_entry("")

    def action_toggle_behind(self) -> None:
        self.behind_only = not self.behind_only
        self.confirmed = None  # the line says what the filter leaves
        self.refresh_data(again=False)

    def action_undo(self) -> None:
        try:
            message = self.floor.quota.undo_last()
        except FloorError as exc:
            self.notify(str(exc), severity="error")
            return
        self.refresh_data()
        self.confirm(message)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        try:
            parsed = parse_quick_entry(text)
            staff_id = self._who(parsed.who)
            if parsed.add_completed is not None:
                undo = self.floor.quota.add_completed(staff_id, parsed.add_completed,
                                                      parsed.reason)
                what = _("+{n} done").format(n=parsed.add_completed) \
                    if parsed.add_completed > 0 else f"{parsed.add_completed} ({parsed.reason})"
            else:
                assert parsed.counts is not None
                undo = self.floor.quota.record_counts(
                    staff_id, parsed.counts, add=not parsed.day_total,
                    daily_total=parsed.day_total, note=parsed.reason)
                c = parsed.counts  # a day total's label already says so ("A006 day total")
                what = f"{c.dialed}/{c.connected}/{c.completed}/{c.orders}"
        except (ValueError, FloorError) as exc:
            self.notify(str(exc), severity="error")
            return
        entry = self.query_one("#entry", QuotaEntry)
        entry.value = ""
        self.confirm(_("saved {what}: {counts} (u undoes)").format(what=undo.label, counts=what))
        table = self.query_one("#seats", DataTable)
        self.refresh_data()
        try:
            table.move_cursor(row=table.get_row_index(staff_id), animate=False)
        except Exception:
            pass
        table.focus()

    def _who(self, text: str | None) -> str:
        if text is None:
            selected = self.selected_id()
            if selected is None:
                raise FloorError(_("no seat selected: type the id or name first, e.g. A001 +5"))
            return selected
        matches = self.floor.find_staff(text, roles=("agent",)) or self.floor.find_staff(text)
        if not matches:
            raise FloorError(_("no agent matches {text!r}").format(text=text))
        if len(matches) > 1:
            shown = ", ".join(f"{s.id} {s.name}" for s in matches[:4])
            more = "…" if len(matches) > 4 else ""
            raise FloorError(_("{n} match {text!r}: {shown}; type more").format(
                n=len(matches), text=text, shown=shown + more))
        return matches[0].id


ATT_SHORT = {"not_in": N_("—"), "on_time": N_("in"), "late": N_("late"), "early": N_("early"),
             "absent": N_("ABS"), "leave": N_("leave"), "rest": N_("rest")}
ADVICE_SHORT = {"add_seats": N_("add seats (avg dialed > band)"),
                "raise_volume": N_("raise call volume (avg completed < band)"), "ok": N_("ok")}


def _pace_text(pace: Decimal | None, target: int) -> Text:
    if target == 0:
        return Text("")
    if pace is None:
        return Text(_("short"), style="red")
    if pace == 0:
        return Text(_("met"), style="green")
    return Text(_one(pace))


def _one(value: Decimal) -> str:
    return f"{Decimal(value):.1f}" if value % 1 else f"{int(value)}"


def _floor_shift(pace: dict) -> tuple[int, int]:  # noqa: ANN001
    """(calling minutes, minutes left) of the longest shift on the floor today."""
    shifts = [(p["total_minutes"], p["minutes_left"]) for p in pace.values() if p["total_minutes"]]
    return max(shifts) if shifts else (0, 0)


def _projected(policy, value: Decimal, pace: dict) -> Decimal | None:  # noqa: ANN001
    """A figure so far carried to the shift's end at its pace (None: too early to say)."""
    total, left = _floor_shift(pace)
    return rules.projected(value, total, left, policy.live_judge_after_minutes)


def _judged_at(policy, fd, day: dt.date) -> dt.time | None:  # noqa: ANN001 - Policy, FloorDay
    """When the pace will be judged (09:30): the floor's longest shift once it has run
    ``live_judge_after_minutes`` of calling time (the whole shift when shorter); None: no
    calling time today."""
    periods = max((calling_periods(policy, a.shift, day) for a in fd.agents),
                  key=rules.calling_minutes, default=[])
    total = rules.calling_minutes(periods)
    return rules.minutes_reached_at(periods, min(policy.live_judge_after_minutes, total))
