"""The monitoring section (监控/质检, SPEC §6): quick entry while listening, today's plan beside it.

Type part of an agent's id or name, then the item codes with counts (``a1x2 b3``); the total
updates on every key and a critical item shows FAIL in red. Enter saves, ctrl+z takes the last
entry back. The plan on the right shows every assignment as done, due or overdue; Enter on a row
fills the entry with its agent, monitor and mode.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from rich.cells import cell_len
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Input, Label, Static

from floorapp.rules import monitoring as rules
from floorapp.rules.monitoring import sampling
from floorapp.errors import FloorError
from floorapp.i18n import N_, _
from floorapp.services.qa_feedback import dispute_status
from floorapp.rules.staff import Staff
from floorapp.services.qa_trend import agent_trend, monitor_trend
from screens.base import FloorScreen
from screens.common_problems import CommonProblemsScreen
from screens.widgets.charts import ChartStrip, show_monitor_trend, show_qa_trend
from screens.widgets.charts import fit as fit_charts
from screens.widgets.qa_prompt import QaPrompt
from screens.widgets.tables import FixedTable, set_column_width

MODE_SHORT = {"side_by_side": N_("sbs"), "live": N_("live"), "recording": N_("rec")}
# a telesales slot's recording, after its mode in the plan ("rec+" closed, "rec−" unclosed)
OUTCOME_MARK = {"closed": N_("+"), "unclosed": N_("−")}
OUTCOME_WORDS = {"closed": N_("closed"), "unclosed": N_("unclosed")}
STATUS_STYLE = {"done": "green", "due": "", "overdue": "bold red"}
CANDIDATES_SHOWN = 3
FEEDBACK_WINDOW_DAYS = 7  # the status line counts overdue feedback of the last week


def _points(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text


def fails_at(template: rules.Template) -> str:
    """The pass line in faults: "(fails at 31 × −2 / 61 × −1)" (base 100, pass 40)."""
    faults = " / ".join(f"{n} × −{_points(weight)}" for weight, n in template.faults_to_fail())
    return _("(fails at {faults})").format(faults=faults)


def _pad(text: str, cells: int) -> str:
    """``text`` padded with spaces to ``cells`` terminal cells (a CJK character takes two)."""
    return text + " " * max(1, cells - cell_len(text))


class MonitoringScreen(FloorScreen):
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

    # ---------------------------------------------------------------- entry
    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "qa-agent":
            self.pick_agent(event.value)
        elif event.input.id == "qa-marks":
            self.show_total()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "qa-agent":
            if self.agent is None:
                self.notify(_("No agent matches {text}").format(text=repr(event.value)),
                            severity="error")
                return
            self.query_one("#qa-marks", Input).focus()
        elif event.input.id == "qa-marks":
            self.save()

    def action_other_agent(self, step: int) -> None:
        """Up/down in the agent field: the previous/next person matching what was typed."""
        if self.focused is not self.query_one("#qa-agent", Input) or len(self.matches) < 2:
            return
        index = self.matches.index(self.agent) if self.agent in self.matches else 0
        self.pick_agent(self.query_one("#qa-agent", Input).value,
                        (index + step) % len(self.matches))

    def pick_agent(self, text: str, index: int = 0) -> None:
        found = self.floor.find_staff(text, roles=("agent", "complaint")) if text else []
        self.matches = found
        before = self.agent
        self.agent = found[index] if found else None
        if self.agent is not None and (before is None or before.id != self.agent.id):
            self.follow_agent()
        if (before and before.id) != (self.agent and self.agent.id):
            self.show_trend()
        line = self.query_one("#qa-agent-match", Static)
        if not text:
            line.update(Text(_("type part of an id or name"), style="dim"))
            return
        if self.agent is None:
            line.update(Text(_("no agent matches {text}").format(text=repr(text)), style="red"))
            return
        tags = []
        today = self.floor.today()
        if (today - self.agent.hired).days < self.floor.policy.new_hire_days:
            tags.append(_("new hire"))
        rest = [s.id for s in found if s is not self.agent]
        others = " ".join(rest[:CANDIDATES_SHOWN])
        more = f"  (↓ {others}{'…' if len(rest) > CANDIDATES_SHOWN else ''})" if others else ""
        line.update(Text.assemble((f"→ {self.agent.id} {self.agent.name}", "bold"),
                                  f" {self.agent.team}", (" " + ", ".join(tags), "yellow"),
                                  (more, "dim")))

    def follow_agent(self) -> None:
        """A newly picked agent brings their team's scorecard (policy qa_team_scorecards,
        qa_role_scorecards) unless ^t chose one for this call, and, from a plan slot, the
        recording it is for."""
        assert self.agent is not None
        card = self.floor.monitoring.scorecard_for(self.agent)
        if not self._card_by_hand and card in self.floor.monitoring.templates() \
                and card != self.template_id:
            self.template_id = card
            self.show_total()
            self.show_codes_table()
            self.show_title()
        pick, self._plan_pick = self._plan_pick, None
        self.outcome = pick[1] if pick and pick[0] == self.agent.id else ""
        self.show_setup()

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

    def telesales(self) -> bool:
        """The card follows the telesales rule: each recording is closed or unclosed."""
        return sampling.rule_of(self.template_id) == "telesales"

    def show_setup(self) -> None:
        self.show_monitor_trend()
        names = {s.id: s.name for s in self.floor.monitoring.monitors()}
        monitor = f"{self.monitor_id} {names.get(self.monitor_id, '')}" if self.monitor_id \
            else _("no monitor (ctrl+n)")
        stop = self.floor.monitoring.stops(self.floor.today()).get(self.monitor_id)
        warning = ("\n" + _("STOPPED on {card}: recalibrate").format(card=stop.card),
                   "bold white on red") if stop is not None else ("", "")  # a line of its own
        outcome: tuple = ("", "")
        if self.telesales():
            said = _(OUTCOME_WORDS[self.outcome]) if self.outcome else _("closed/unclosed?")
            outcome = ("  " + said + " ^y", "bold" if self.outcome else "bold yellow")
        self.query_one("#qa-setup", Static).update(Text.assemble(
            (_pad(_("Card"), 7), "dim"), (self.template_id, "bold"),
            ("  " + _("Mode") + " ", "dim"), (rules.mode_name(self.mode), "bold"), ("\n" + _pad(_("By"), 7), "dim"),
            (monitor, "bold"), outcome, warning))

    def show_total(self) -> None:
        marks = self.query_one("#qa-marks", Input).value
        total = self.query_one("#qa-total", Static)
        detail = self.query_one("#qa-detail", Static)
        try:
            parsed, result = self.floor.monitoring.preview(self.template_id, marks)
        except FloorError as exc:
            total.update(Text(f" ? / {self.template().max}  {exc}", style="bold yellow"))
            total.set_class(False, "critical")
            detail.update("")
            return
        template = self.template()
        if result.criticals:
            total.update(Text(f" 0 / {_points(result.max)}  " + _("FAIL") + "  "
                              + _("CRITICAL") + " " + " ".join(result.criticals),
                              style="bold white on red"))
        else:
            verdict = rules.verdict(result.passed) if template.pass_mark is not None else ""
            style = {True: "bold green", False: "bold red"}.get(result.passed, "bold yellow")
            if not template.scored:
                levels = [level for _c, level, n in result.violations for _k in range(n)]
                total.update(Text(" " + _("violations: level 1 ×{one}, level 2 ×{two}").format(
                    one=levels.count(1), two=levels.count(2)), style="bold"))
            else:
                pass_text = _("pass {points}").format(points=_points(template.pass_mark)) \
                    if template.pass_mark is not None else \
                    _("pass mark unset (policy): no follow-up")
                if template.faults_to_fail():  # the pass line in faults too (issue #25)
                    pass_text += " " + fails_at(template)
                total.update(Text.assemble(
                    (f" {_points(result.total)} / {_points(result.max)}  ", "bold"),
                    (verdict, style), ("  " + pass_text, "dim")))
        total.set_class(bool(result.criticals), "critical")
        items = template.items()
        lines = []
        not_applicable = _("N/A")
        for mark in parsed:
            section, item = items[mark.code]
            if item.kind == "critical" and not mark.na:
                lines.append(Text(f"{mark.code} ✖ {item.shown}", style="bold red"))
            elif mark.na:
                lines.append(Text(f"{mark.code} {not_applicable} {item.shown}", style="dim"))
            elif item.kind == "violation":
                lines.append(Text(f"{mark.text:<6} " + _("level {level}").format(
                    level=item.level) + f" {item.shown}", style="bold yellow"))
            else:
                times = (mark.count + mark.doubled) if item.per_occurrence else \
                    (2 if mark.doubled else 1)
                not_met = _("not met: ") if item.criterion else ""
                lines.append(Text(f"{mark.text:<6} −{_points(item.weight * times)} "
                                  f"{not_met}{item.shown}"))
        names = [s.shown for s in template.sections]
        parts = [f"{name} {_points(s.score)}/{_points(s.max)}"
                 for name, s, section in zip(names, result.sections, template.sections)
                 if section.max]  # a points-less section (诈单) shows as its criticals
        # as many sections a line as the pane holds, never one cut ("Service attitude …")
        room, packed = detail.content_region.width or 40, [""]  # 40: the pane before layout
        for part in parts:
            joined = f"{packed[-1]}  {part}" if packed[-1] else part
            if packed[-1] and cell_len(joined) > room:
                packed.append(part)
            else:
                packed[-1] = joined
        summary = [Text(line, style="dim") for line in packed if line]
        shown = Text("\n").join([*summary, *lines])
        shown.no_wrap = True
        shown.overflow = "ellipsis"
        detail.update(shown)

    def template(self) -> rules.Template:
        return self.floor.monitoring.template(self.template_id)

    def save(self) -> None:
        marks_input = self.query_one("#qa-marks", Input)
        if self.agent is None:
            self.notify(_("Pick the agent first (type part of the id or name)"), severity="error")
            self.query_one("#qa-agent", Input).focus()
            return
        if not self.monitor_id:
            self.notify(_("No monitor on the register: add one (role monitor)"), severity="error")
            return
        if self.telesales() and not self.outcome:  # the cycle counts closed and unclosed apart
            self.notify(_("Closed or unclosed recording? ctrl+y says which"), severity="error")
            return
        try:
            record = self.floor.monitoring.save_evaluation(
                self.agent.id, self.monitor_id, self.mode, self.template_id, marks_input.value,
                outcome=self.outcome if self.telesales() else "")
        except FloorError as exc:
            self.notify(_("Not saved: {error}").format(error=exc), severity="error")
            return
        verdict = rules.verdict_word(record["passed"])  # none without a pass mark
        score = f"{record['score']}/{record['max']}"
        self.saved.append((record["date"], record["_key"],
                           f"{record['time']} {record['staff_id']} {score}"))
        if verdict:
            last = _("saved {time} {id} {score} {verdict} · ctrl+z undo").format(
                time=record["time"], id=record["staff_id"], score=score, verdict=verdict)
        else:
            last = _("saved {time} {id} {score} · ctrl+z undo").format(
                time=record["time"], id=record["staff_id"], score=score)
        # confirmed on the entry's own line: no toast over the plan for a routine save
        self.query_one("#qa-last", Static).update(Text(
            last, style={True: "green", False: "red"}.get(record["passed"], "")))
        for warning in record.get("_warnings", ()):
            self.notify(warning, severity="warning", timeout=10)
        marks_input.value = ""
        self._card_by_hand = False  # the next call's card follows its agent again
        self.outcome = ""
        agent_input = self.query_one("#qa-agent", Input)
        agent_input.value = ""
        self.pick_agent("")  # the next call starts blank: no previous agent or score shown
        self.show_setup()
        self.show_total()
        agent_input.focus()
        self.refresh_data()

    # ---------------------------------------------------------------- actions
    def action_cycle_template(self) -> None:
        ids = sorted(self.floor.monitoring.templates())
        builtin_first = [t for t in (rules.DEFAULT_TEMPLATE, "recording-40", "service-40",
                                     "hotline-100", "hotline-400", "telesales-compliance")
                         if t in ids] + [t for t in ids if t not in rules.BUILTIN_FILES]
        order = list(dict.fromkeys(builtin_first + ids))
        self.template_id = order[(order.index(self.template_id) + 1) % len(order)] \
            if self.template_id in order else order[0]
        self._card_by_hand = True
        self.show_setup()
        self.show_total()
        self.show_codes_table()
        self.show_title()

    def action_cycle_outcome(self) -> None:
        """Closed → unclosed → not said, for a telesales recording."""
        if not self.telesales():
            self.notify(_("Closed/unclosed is for the telesales card (ctrl+t)"),
                        severity="warning")
            return
        order = ["closed", "unclosed", ""]
        self.outcome = order[(order.index(self.outcome) + 1) % len(order)]
        self.show_setup()

    def action_cycle_mode(self) -> None:
        modes = list(rules.MODES)
        self.mode = modes[(modes.index(self.mode) + 1) % len(modes)]
        self.show_setup()

    def action_cycle_monitor(self) -> None:
        ids = [m.id for m in self.floor.monitoring.monitors()]
        if not ids:
            self.notify(_("No monitor on the register"), severity="error")
            return
        self.monitor_id = ids[(ids.index(self.monitor_id) + 1) % len(ids)] \
            if self.monitor_id in ids else ids[0]
        self.show_setup()

    def action_undo(self) -> None:
        if not self.saved:
            self.notify(_("Nothing to undo in this session"), severity="warning")
            return
        day, key, shown = self.saved.pop()
        try:
            self.floor.monitoring.undo(dt.date.fromisoformat(day), key)
        except FloorError as exc:
            self.notify(_("Not undone: {error}").format(error=exc), severity="error")
            return
        # what the supervisor saw (time, agent, score), not the store's key
        self.query_one("#qa-last", Static).update(Text(_("undone {key}").format(key=shown),
                                                       style="yellow"))
        self.refresh_data()

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

    def action_next_panel(self) -> None:
        """Plan → item codes of the card → today's evaluations (feedback, disputes)."""
        side = self.query_one("#qa-side")
        on_side = self.focused is not None and side in self.focused.ancestors_with_self
        self.panel = self.PANELS[(self.PANELS.index(self.panel) + 1) % len(self.PANELS)]
        for panel in self.PANELS:
            self.query_one(f"#{panel}", DataTable).display = panel == self.panel
        # today's evaluations are acted on with f d v: the pane takes the cursor, or those
        # letters would be typed into the agent field (issue 26 item 1)
        if on_side or self.panel == "qa-today":
            self.query_one(f"#{self.panel}", DataTable).focus()
        self.show_codes_table()
        self.show_today_table()
        self.show_title()
        self.refresh_bindings()

    def codes_title(self) -> Text:
        """"Codes outbound-100 −points, /x per occurrence", shorter where the pane is narrow
        (it ended "/x per" at 80 columns): the card's id is never cut."""
        side = self.app.size.width - self.entry_cells()
        head = (_("Codes {id}").format(id=self.template_id), "bold")
        for tail in (_(" −points, /x per occurrence"), _(" /x = each time"), ""):
            title = Text.assemble(head, tail)
            if title.cell_len <= side:
                break
        return title

    def show_title(self) -> None:
        titles = {
            "qa-plan": self.plan_title,
            "qa-codes": self.codes_title(),
            "qa-today": Text.assemble((_("Today") + " ", "bold"),
                                      _("f feedback d dispute v review")),
        }
        self.query_one("#qa-plan-title", Static).update(titles[self.panel])

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

    def _today_panel(self) -> bool:
        """f/d/v from the plan or codes: show today's evaluations first, to pick one."""
        if self.panel == "qa-today":
            return True
        while self.panel != "qa-today":
            self.action_next_panel()
        self.query_one("#qa-today", DataTable).focus()
        self.notify(_("Today's evaluations: pick one, then press the key again"))
        return False

    def show_today_table(self) -> None:
        if self.panel != "qa-today":
            return
        table = self.query_one("#qa-today", DataTable)
        keep = table.cursor_row
        table.clear()
        passed = self.floor.monitoring.verdict_checker()  # none without a pass mark
        for r in self.floor.monitoring.evaluations(self.floor.today()):
            result = r.get("final") or r.get("revised") or r
            verdict = Text(f"{result['score']}/{result['max']}",
                           style={True: "green", False: "bold red"}.get(passed(r), ""))
            dispute = dispute_status((r.get("dispute") or {}).get("status", ""))
            table.add_row(r["time"], r["staff_id"], verdict, "✓" if r["feedback_at"] else "",
                          dispute, key=r["_key"])
        if table.row_count:
            table.move_cursor(row=min(max(0, keep), table.row_count - 1))

    def selected_evaluation(self) -> str | None:
        if not self._today_panel():
            return None
        table = self.query_one("#qa-today", DataTable)
        if not table.row_count:
            self.notify(_("No evaluation today to act on"), severity="warning")
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def _act(self, what: str, call: Callable[[], str]) -> None:
        try:
            message = call()
        except FloorError as exc:
            self.notify(f"{what}: {exc}", severity="error")
            return
        self.notify(message)
        self.refresh_data()

    def action_feedback(self) -> None:
        key = self.selected_evaluation()
        if not key:
            return

        def feedback() -> str:
            self.floor.monitoring.give_feedback(self.floor.today(), key)
            return _("Feedback recorded: {key}").format(key=self.shown_evaluation(key))

        self._act(_("Feedback"), feedback)

    def action_coach(self) -> None:
        """Coaching or praise ([002]) for the agent of the highlighted evaluation, today."""
        from screens.pay import CoachPrompt

        key = self.selected_evaluation()
        if not key:
            return
        record = self.floor.monitoring.get_evaluation(self.floor.today(), key)
        if not record:
            return
        person = self.floor.get_staff(record["staff_id"])
        self.app.push_screen(CoachPrompt(self.floor, person.id, person.name),
                             lambda _done: self.refresh_data())

    def action_dispute(self) -> None:
        key = self.selected_evaluation()
        if not key:
            return

        shown = self.shown_evaluation(key)

        def dispute(reason: str) -> str:
            self.floor.monitoring.raise_dispute(self.floor.today(), key, reason)
            return _("Dispute opened on {key}: review it today (v)").format(key=shown)

        # A refused reason keeps the dialog open with what was typed and the error under it.
        self.app.push_screen(QaPrompt(_("Dispute of {key}: the agent's reason").format(key=shown),
                                      _("Enter opens the dispute, Escape cancels"),
                                      check=dispute), lambda _answer: self.refresh_data())

    def action_review(self) -> None:
        key = self.selected_evaluation()
        if not key:
            return
        record = self.floor.monitoring.get_evaluation(self.floor.today(), key)

        def review(marks: str) -> str:
            revised = marks.strip() if marks.strip() != record["marks"] else None
            data = self.floor.monitoring.review_dispute(self.floor.today(), key, revised)
            if data["revised"]:
                return _("Revised {old} → {new} (original kept)").format(
                    old=data["score"], new=data["revised"]["score"])
            return _("Score kept at {score}").format(score=data["score"])

        def preview(marks: str) -> str:
            """The score the edited marks give, before anything is saved."""
            try:
                _parsed, result = self.floor.monitoring.preview(
                    record["template"], marks, int(record.get("template_version", 1)))
            except FloorError as exc:
                return str(exc)
            old = f"{record['score']}/{record['max']}"
            new = f"{_points(result.total)}/{_points(result.max)}"
            verdict = rules.verdict_word(result.passed)  # none without a pass mark
            if not verdict:
                return _("{old} → {new}").format(old=old, new=new)
            return _("{old} → {new} {verdict}").format(old=old, new=new, verdict=verdict)

        self.app.push_screen(QaPrompt(
            _("Review {key} ({template}): marks").format(key=self.shown_evaluation(key),
                                                         template=record["template"]),
            _("Enter unchanged to keep the score; edit the marks to revise it (the original is "
              "kept)"), record["marks"], check=review, preview=preview),
            lambda _answer: self.refresh_data())

    def shown_evaluation(self, key: str) -> str:
        """An evaluation as the supervisor knows it: time and agent (not the store's key)."""
        try:
            record = self.floor.monitoring.get_evaluation(self.floor.today(), key)
        except FloorError:
            return key
        return f"{record['time']} {record['staff_id']}"

    def show_codes_table(self) -> None:
        if self.panel != "qa-codes":
            return
        codes = self.query_one("#qa-codes", DataTable)
        codes.clear()
        template = self.template()
        rows: list[tuple[str, Text, str]] = []
        note = self.floor.monitoring.pass_mark_note(template)
        if note:  # follow-up needs a pass mark: say so where the card is read
            rows.append(("", Text(_("pass"), style="bold yellow"), note))
        elif template.faults_to_fail():
            rows.append(("", Text(_("pass"), style="bold"),
                         _("pass {points}").format(points=_points(template.pass_mark))
                         + " " + fails_at(template)))
        for section in template.sections:
            for item in section.items:
                if item.kind == "critical":
                    points = _("CRIT")
                elif item.kind == "violation":
                    points = _("level {level}").format(level=item.level)
                else:
                    points = f"-{_points(item.weight)}" + ("/x" if item.per_occurrence else "") \
                        + ("!" if item.doubling else "")
                words = (_("not met: ") if item.criterion else "") + item.shown
                # ⊕ marks an item the printed form does not list (the centre's own); before
                # Chinese words it is joined to them, or the wrap leaves it alone on a line
                mark = "" if item.source != "centre" else "⊕" if cell_len(words[:1]) == 2 \
                    else "⊕ "
                text = mark + words
                if item.doubling:
                    text += f" (! {item.doubling_shown})"
                rows.append((item.code, Text(points, style="bold red" if item.kind ==
                                             "critical" else ""), text))
        # the item's words wrap in the room the pane has (two lines at 80 columns, one at
        # 120), never "⊕ pitched without as" (issue 26); the points as wide as the card needs
        side = self.app.size.width - self.entry_cells()  # as laid out, known before layout
        points_cells = max([cell_len(_("pts"))] + [row[1].cell_len for row in rows])
        set_column_width(codes, "pts", points_cells)
        fixed = sum(c.get_render_width(codes) for key, c in codes.columns.items()
                    if key != "item")
        set_column_width(codes, "item", max(10, side - fixed - 2 - 2))  # padding, scrollbar
        for code, points, text in rows:
            codes.add_row(code, points, Text(text, style="yellow" if not code and note else ""),
                          height=None)

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
