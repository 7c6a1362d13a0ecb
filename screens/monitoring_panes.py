"""Monitoring's right pane (监控/质检): ^l between the day's plan, the card's item codes and
today's evaluations, and on those evaluations feedback, disputes, their review and coaching.

May import: Textual, widgets, services, rules, formats and the basics; never the store, TinyDB or the CLI.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import DataTable, Static

from floorapp.errors import FloorError
from floorapp.i18n import _
from floorapp.rules import monitoring as rules
from floorapp.services.qa_feedback import dispute_status
from screens.monitoring_entry import _points, fails_at
from screens.widgets.qa_prompt import QaPrompt
from screens.widgets.tables import set_column_width


class QaPanes:
    """Reading the right pane and acting on it: which pane shows, the card's codes with their
    points, and today's evaluations with f (feedback), d (dispute), v (review) and c (coach).

    A part of MonitoringScreen (its state, the plan and the entry live there)."""

    # ---------------------------------------------------------------- panes
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

    # ---------------------------------------------------------------- today's evaluations
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
