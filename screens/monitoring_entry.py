"""Monitoring's quick entry (监控/质检): the agent typed, the marks scored as they are typed, the
save, the card, mode and monitor chosen for the call, and ctrl+z.

May import: Textual, widgets, services, rules, formats and the basics; never the store, TinyDB or the CLI.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import Input, Static

from floorapp.errors import FloorError
from floorapp.i18n import N_, _
from floorapp.rules import monitoring as rules
from floorapp.rules.monitoring import sampling

OUTCOME_WORDS = {"closed": N_("closed"), "unclosed": N_("unclosed")}
CANDIDATES_SHOWN = 3


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


class QaEntry:
    """Scoring a call while listening: type part of the agent's id or name, then the item codes
    with counts; the total follows every key, Enter saves, ctrl+z takes the last save back, and
    ctrl+t / ctrl+o / ctrl+n / ctrl+y choose the card, the mode, the monitor and the recording.

    A part of MonitoringScreen (its state, the plan and the panes live there)."""

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
