"""The monitoring section (监控/质检, SPEC §6): quick entry while listening, today's plan beside it.

May import: Textual, widgets, services, rules, formats and the basics; never the store, TinyDB or
the CLI.

Type part of an agent's id or name, then the item codes with counts (``a1x2 b3``); the total
updates on every key and a critical item shows FAIL in red. Enter saves, ctrl+z takes the last
entry back. The plan on the right shows every assignment as done, due or overdue; Enter on a row
fills the entry with its agent, monitor and mode.
"""

from __future__ import annotations

import datetime as dt

from rich.cells import cell_len
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Input, Label, Static

from floorapp.rules import monitoring as rules
from floorapp.errors import FloorError
from floorapp.i18n import N_, _
from floorapp.rules.staff import Staff
from floorapp.services.qa_trend import agent_trend, monitor_trend
from screens.base import FloorScreen
from screens.common_problems import CommonProblemsScreen
from screens.monitoring_entry import QaEntry
from screens.monitoring_panes import QaPanes
from screens.widgets.charts import ChartStrip, show_monitor_trend, show_qa_trend
from screens.widgets.charts import fit as fit_charts
from screens.widgets.tables import FixedTable

MODE_SHORT = {"side_by_side": N_("sbs"), "live": N_("live"), "recording": N_("rec")}
# a telesales slot's recording, after its mode in the plan ("rec+" closed, "rec−" unclosed)
OUTCOME_MARK = {"closed": N_("+"), "unclosed": N_("−")}
STATUS_STYLE = {"done": "green", "due": "", "overdue": "bold red"}
FEEDBACK_WINDOW_DAYS = 7  # the status line counts overdue feedback of the last week


class MonitoringScreen(QaEntry, QaPanes, FloorScreen):
    ACTION_RIGHTS = {
        "undo": "qa.score", "replan": "qa.score", "feedback": "qa.feedback",
        "dispute": "qa.dispute", "review": "qa.dispute", "coach": "coaching.record"}
    SECTION = "monitoring"
    TITLE = _("Monitoring 监控/质检")
    CSS_PATH = ["monitoring.tcss", "widgets/charts.tcss"]
    BINDINGS = [
        Binding("ctrl+t", "cycle_template", _("Card")),
        Binding("ctrl+o", "cycle_mode", _("Mode")),
        Binding("ctrl+n", "cycle_monitor", _("By")),
        Binding("ctrl+z", "undo", _("Undo")),
        Binding("ctrl+r", "replan", _("Re-plan")),
        Binding("ctrl+l", "next_panel", _("Panel")),
        # telesales recordings: closed (成交) or unclosed (未成交); the setup line shows it
        Binding("ctrl+y", "cycle_outcome", _("Closed/unclosed"), show=False),
        # the week's common problems: in F1 and Ctrl+P (the footer keeps the entry's keys)
        Binding("ctrl+g", "common", _("Common problems"), show=False),
        Binding("down", "other_agent(1)", _("Next match"), show=False),
        Binding("up", "other_agent(-1)", _("Previous match"), show=False),
        Binding("f", "feedback", _("Feedback")),
        Binding("d", "dispute", _("Dispute")),
        Binding("v", "review", _("Review")),
        Binding("c", "coach", _("Coach"), tooltip=_("Coach/praise")),
    ]
    PANELS = ("qa-plan", "qa-codes", "qa-today")
    # said in F1 above the keys: how the cursor reaches the right pane (issue 26 item 1)
    HELP_NOTE = N_("Tab / Shift+Tab: agent → marks → the right pane (f d v c act there).\n"
                   "^l shows the next pane; on today's evaluations the cursor goes with it.")

    def __init__(self) -> None:
        super().__init__()
        self.template_id = rules.DEFAULT_TEMPLATE
        self.mode = "live"
        self.monitor_id = ""
        self._by_shown: str | None = None  # the monitor whose scores given are charted
        self.agent: Staff | None = None
        self.matches: list[Staff] = []  # everyone the typed text matches; ↑/↓ choose
        self.saved: list[tuple[str, str, str]] = []  # (date, key, shown) of this session's entries
        self.panel = "qa-plan"
        self.planning = False  # today's first plan is being made in a worker
        self.plan_title = Text(_("Plan"))
        self.plan_modes: dict[str, str] = {}  # plan row key -> mode code
        self.plan_outcomes: dict[str, str] = {}  # plan row key -> closed / unclosed / ""
        self.outcome = ""  # the telesales recording heard: closed, unclosed, "" not said
        self._plan_pick: tuple[str, str] | None = None  # (staff id, outcome) of a picked slot
        self._card_by_hand = False  # ^t chose the card for this call: the agent keeps it

    # ---------------------------------------------------------------- layout
    def compose_body(self) -> ComposeResult:
        with Horizontal(id="qa-main"):
            with Vertical(id="qa-entry"):
                with Horizontal(classes="qa-row"):
                    yield Label(_("Agent "), classes="qa-label")
                    yield Input(placeholder=_("id or name"), id="qa-agent")
                yield Static(id="qa-agent-match", classes="qa-line")
                yield Static(id="qa-setup")
                with Horizontal(classes="qa-row"):
                    yield Label(_("Marks "), classes="qa-label")
                    yield Input(placeholder=_("a1x2 b3 (c4na = N/A)"), id="qa-marks")
                yield Static(id="qa-total")
                yield Static(id="qa-detail")
                yield Static(id="qa-last", classes="qa-line")
                yield ChartStrip(id="qa-trend")  # issue #28: the agent's weeks of QA
                yield ChartStrip(id="qa-by-trend")  # and the scores the monitor gave
            with Vertical(id="qa-side"):
                yield Static(id="qa-plan-title", classes="qa-line")
                yield FixedTable(id="qa-plan", cursor_type="row", zebra_stripes=True)
                yield FixedTable(id="qa-codes", cursor_type="row", zebra_stripes=True)
                yield FixedTable(id="qa-today", cursor_type="row", zebra_stripes=True)
                yield Static(id="qa-shortfall", classes="qa-line")

    def on_mount(self) -> None:
        service = self.floor.monitoring
        me = service.monitor_for_user()
        if me is not None:
            self.monitor_id = me.id
        else:
            on_shift = self.floor.shifts_on(self.floor.today())
            monitors = service.monitors()
            working = [m for m in monitors if on_shift.get(m.id) in self.floor.policy.shifts]
            chosen = (working or monitors or [None])[0]
            self.monitor_id = chosen.id if chosen else ""
        plan = self.query_one("#qa-plan", DataTable)
        plan.add_columns(_("time"), _("by"), _("agent"), _("mode"), _("status"))
        codes = self.query_one("#qa-codes", DataTable)
        for label, key, width in ((_("code"), "code", 4), (_("pts"), "pts", 7),
                                  (_("item"), "item", 20)):
            codes.add_column(label, key=key, width=max(width, cell_len(label)))
        codes.display = False
        evaluations = self.query_one("#qa-today", DataTable)
        evaluations.add_columns(_("time"), _("agent"), _("score"), _("fb"), _("dispute"))
        evaluations.display = False
        self.show_setup()
        self.show_total()
        self.show_trend()  # "pick an agent" until one is typed or a plan row highlighted
        self.query_one("#qa-agent", Input).focus()

    def entry_cells(self) -> int:
        """The entry pane's width: 44 at 80 columns (tcss), half the columns past 80 more."""
        return 44 + max(0, self.app.size.width - 80) // 2

    def on_resize(self) -> None:
        """A wider terminal: the entry pane (item names, the total) and the right pane (the
        card's items) share the columns past 80; at 80 the entry pane keeps its 44 (tcss)."""
        extra = max(0, self.app.size.width - 80)
        self.query_one("#qa-entry").styles.width = self.entry_cells() if extra else None
        fit_charts([self.query_one("#qa-trend", ChartStrip),
                    self.query_one("#qa-by-trend", ChartStrip)], self.app.size.width,
                   self.app.size.height)  # the agent's weeks of QA (issue #28)
        self.call_after_refresh(self.show_codes_table)
        self.call_after_refresh(self.show_total)

    # ---------------------------------------------------------------- refresh
    def refresh_data(self) -> None:
        service = self.floor.monitoring
        today = self.floor.today()
        self.show_monitor_trend(again=True)  # a save or another supervisor's may move it
        planning = not service.has_plan(today) and not self.floor.store.read_only_reason
        if planning and not self.planning:
            self.planning = True
            self.make_todays_plan()
        plan = service.day_plan(today)
        self.plan_title = Text.assemble(
            (_("Plan") + " ", "bold"),
            (_("done {n}").format(n=plan.count("done")) + " ", "green"),
            _("due {n}").format(n=plan.count("due")) + " ",
            (_("overdue {n}").format(n=plan.count("overdue")),
             "bold red" if plan.count("overdue") else ""),
            (" " + _("extra {n}").format(n=plan.extra), "dim") if plan.extra else "")
        if planning:
            self.plan_title = Text(_("making today's plan…"), style="yellow")
        self.show_title()
        table = self.query_one("#qa-plan", DataTable)
        keep = table.cursor_row
        table.clear()
        first_due = None
        self.plan_modes = {}
        self.plan_outcomes = {}
        for index, row in enumerate(plan.rows):
            if first_due is None and row.status == "due":
                first_due = index
            self.plan_modes[row.key] = row.mode
            self.plan_outcomes[row.key] = row.outcome
            mode = _(MODE_SHORT[row.mode])
            if row.outcome:  # a telesales slot: which recording to hear
                mode = f"{mode}{_(OUTCOME_MARK[row.outcome])}"
            table.add_row(row.slot, row.monitor_id, row.staff_id, mode,
                          Text(rules.status_name(row.status), style=STATUS_STYLE[row.status]),
                          key=row.key)
        if plan.rows:
            target = keep if 0 < keep < len(plan.rows) else (first_due or 0)
            table.move_cursor(row=target)
        shortfall = self.query_one("#qa-shortfall", Static)
        if plan.shortfalls:
            more = (_(" (+{n} more)").format(n=len(plan.shortfalls) - 1)
                    if len(plan.shortfalls) > 1 else "")
            status = Text(_("short: {text}").format(text=rules.shortfall_text(plan.shortfalls[0]))
                          + more, style="yellow")
        else:
            status = Text(_("every minimum planned"), style="green")
        overdue = service.feedback_overdue(today - dt.timedelta(days=FEEDBACK_WINDOW_DAYS), today)
        if overdue:
            # the command that lists them when it fits whole, else the count alone: never a
            # command cut in the middle ("(floor qa", issue 26)
            line = _("feedback overdue: {n} (floor qa list)").format(n=len(overdue))
            if cell_len(line) > (shortfall.content_region.width or self.app.size.width - 44):
                line = _("feedback overdue: {n}").format(n=len(overdue))
            status.append("\n" + line, style="bold red")
        shortfall.update(status)
        self.show_codes_table()
        self.show_today_table()

    @work(thread=True, exclusive=True, group="qa-plan")
    def make_todays_plan(self) -> None:
        """The day's first plan (a second or so on a large floor), off the event loop."""
        try:
            self.floor.monitoring.ensure_plan(self.floor.today())
        except FloorError as exc:
            self.app.call_from_thread(self.notify, _("No plan made: {error}").format(error=exc),
                                      severity="warning")
            return
        finally:
            self.planning = False
        self.app.call_from_thread(self.refresh_data)

    # ---------------------------------------------------------------- charts
    def show_trend(self, staff_id: str | None = None) -> None:
        """The QA scores over the last weeks of the agent in the entry (else ``staff_id``, the
        plan row's) against the pass mark."""
        who = self.agent.id if self.agent is not None else staff_id
        show_qa_trend(self.query_one("#qa-trend", ChartStrip),
                      None if who is None else agent_trend(self.floor, who, self.floor.today()))

    def show_monitor_trend(self, again: bool = False) -> None:
        """The scores the entry's monitor gave over the last weeks against the floor's (when
        the monitor changes, or ``again`` when the day's evaluations may have)."""
        if not again and self._by_shown == self.monitor_id:
            return
        self._by_shown = self.monitor_id
        show_monitor_trend(self.query_one("#qa-by-trend", ChartStrip),
                           monitor_trend(self.floor, self.monitor_id, self.floor.today())
                           if self.monitor_id else None)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "qa-plan" and self.agent is None:
            self.show_trend(str(event.data_table.get_row(event.row_key)[2]))

    # ---------------------------------------------------------------- actions
    def action_replan(self) -> None:
        try:
            plan = self.floor.monitoring.make_plan(self.floor.today(), replan=True)
        except FloorError as exc:
            self.notify(_("Not re-planned: {error}").format(error=exc), severity="error")
            return
        self.notify(_("Re-planned the rest of today: {n} assignments").format(
            n=len(plan.assignments))
            + (_(", {n} shortfall(s)").format(n=len(plan.shortfalls)) if plan.shortfalls else ""))
        self.refresh_data()

    def action_common(self) -> None:
        """The week's common problems (共性问题) [000 §7]."""
        self.app.push_screen(CommonProblemsScreen())

    # ---------------------------------------------------------------- keys and footer
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.refused(action):
            return None
        if action in ("feedback", "dispute", "review", "coach"):
            # letters: in the entry fields they are typed; on the right pane they act
            side = self.query_one("#qa-side")
            return self.panel == "qa-today" or (self.focused is not None
                                                and side in self.focused.ancestors_with_self)
        return True

    def on_descendant_focus(self) -> None:
        self.refresh_bindings()

    def footer_hidden(self) -> set[str]:
        """With today's evaluations in use the footer shows f d v c, not the entry's keys (which
        still work): all of them do not fit at 80 columns."""
        try:  # the right pane has the cursor (in an entry field f d v c are typed)
            side = self.query_one("#qa-side")
        except NoMatches:  # not composed yet
            return set()
        in_use = self.focused is not None and side in self.focused.ancestors_with_self
        return {"cycle_template", "cycle_mode", "cycle_monitor", "undo", "replan"} \
            if in_use else set()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id != "qa-plan":
            return
        row = event.data_table.get_row(event.row_key)
        staff_id, monitor_id = row[2], row[1]
        key = str(event.row_key.value)
        self.mode = self.plan_modes.get(key, self.mode)
        self._plan_pick = (staff_id, self.plan_outcomes.get(key, ""))
        if self.agent is not None and self.agent.id == staff_id:  # the same agent: no change
            self.outcome = self._plan_pick[1]
            self._plan_pick = None
        self.monitor_id = monitor_id
        self.show_setup()
        self.query_one("#qa-agent", Input).value = staff_id
        self.query_one("#qa-marks", Input).focus()
