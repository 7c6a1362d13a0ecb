"""The pay sheet (薪资, SPEC §10): per outbound agent the tier, the money and why, the special
circumstances to confirm, the appraisal beside it, and the reminder until the month's results
are published. Opened with `p` from the attendance section (the month shown there) or from the
command palette.

May import: Textual, widgets, services, rules, formats and the basics; never the store, TinyDB or
the CLI.

The screen calls ``floor.pay`` only; the rules live in ``floorapp/rules/pay.py``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from rich.cells import cell_len
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Header, Input, Static

from floorapp.rules import pay
from floorapp.errors import FloorError
from floorapp.i18n import _, fmt_money, fmt_month, language
from floorapp.services import Floor
from floorapp.services.pay import commission_warning
from screens.widgets.footer import SteadyFooter
from screens.widgets.tables import FixedTable, grown, highlighted_key, set_column_width

TIER_STYLES = {"met": "green", "not_met": "", "special": "cyan"}
SPECIAL_MARKS = {"proposed": "?", "confirmed": "✓", "refused": "✗", "": ""}


class PayScreen(Screen[None]):
    """The month's pay sheet. s/x confirm/refuse special circumstances, P published."""

    TITLE = _("Pay sheet 薪资")
    CSS_PATH = "pay.tcss"
    BINDINGS = [
        Binding("escape", "close", _("Back")),
        Binding("s", "special(True)", _("Special ✓")),
        Binding("x", "special(False)", _("Special ✗")),
        Binding("n", "next_proposal", _("Next ?")),
        Binding("P", "publish", _("Published")),
        # in the help (F1), so the footer's keys fit at 80 columns
        Binding("w", "why", _("Why"), show=False),
        Binding("c", "coach", _("Coach"), show=False),
        Binding("b", "score", _("Score"), show=False),
        Binding("left_square_bracket", "month(-1)", _("Month before"), show=False),
        Binding("right_square_bracket", "month(1)", _("Month after"), show=False),
    ]

    def __init__(self, floor: Floor, year: int, month: int) -> None:
        super().__init__()
        self.floor = floor
        self.year, self.month = year, month
        self.lines: dict[str, pay.PayLine] = {}

    def compose(self) -> ComposeResult:
        yield Header(icon="☎")
        yield Static(id="pay-title")
        yield Static(id="pay-notice")
        yield FixedTable(id="pay-sheet", cursor_type="row", zebra_stripes=True)
        yield Static(id="pay-detail")
        yield SteadyFooter(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#pay-sheet", DataTable)
        # 80 columns: award + subsidy, the grade and each deduction are in the line below
        for label, key, width in ((_("id"), "id", 5), (_("name"), "name", 8),
                                  (_("tier"), "tier", 8), (_("ord"), "orders", 4),
                                  (_("base"), "base", 7), (_("comm"), "commission", 6),
                                  (_("+50"), "extra", 3), (_("deduct"), "deduct", 6),
                                  (_("gross"), "gross", 7), (_("pts"), "points", 4)):
            table.add_column(label, key=key, width=width)
        table.focus()
        self.refresh_data()

    def month_label(self) -> str:
        return (fmt_month(self.year, self.month) if language() == "zh"
                else f"{self.year:04d}-{self.month:02d}")

    def refresh_data(self) -> None:
        self.query_one("#pay-detail", Static).update(_("computing the pay sheet…"))
        self._compute(self.year, self.month)

    @work(thread=True, exclusive=True, group="pay-sheet")
    def _compute(self, year: int, month: int) -> None:
        try:
            lines = self.floor.pay.sheet(year, month)
            reminder = self.floor.pay.reminder()
        except FloorError as exc:  # not this login's to see (issue #19), or a store problem
            self.app.call_from_thread(self._refused, str(exc))
            return
        self.app.call_from_thread(self._show, year, month, lines, reminder)

    def _refused(self, message: str) -> None:
        self.query_one("#pay-detail", Static).update(Text(message))
        self.notify(message, severity="warning")

    def _show(self, year: int, month: int, lines: list[pay.PayLine], reminder: str | None
              ) -> None:
        if (year, month) != (self.year, self.month):
            return
        policy = self.floor.policy
        table = self.query_one("#pay-sheet", DataTable)
        keep = highlighted_key(table)
        table.clear()
        # the name grows into a wider terminal (8 cells at 80 columns, as before)
        set_column_width(table, "name", grown(8, max(0, self.app.size.width - 80), max(
            (cell_len(ln.staff.name) for ln in lines), default=0)))
        self.lines = {ln.staff.id: ln for ln in lines}
        for ln in lines:
            mark = SPECIAL_MARKS.get(ln.special, "")
            tier = Text(pay.tier_short(ln.tier) + mark,
                        style=TIER_STYLES.get(ln.tier, ""))
            if ln.special == "proposed":
                tier.stylize("bold yellow")
            # names as text, never markup (a DataTable parses markup in plain str cells)
            table.add_row(Text(ln.staff.id), Text(ln.staff.name), tier, str(ln.orders),
                          _plain(ln.base + ln.seniority), _plain(ln.commission),
                          _num(ln.award + ln.subsidy) if ln.award + ln.subsidy else "",
                          _plain(ln.deductions), _plain(ln.gross), _num(ln.appraisal.points),
                          key=ln.staff.id)
        if keep and keep in self.lines:
            table.move_cursor(row=table.get_row_index(keep))
        proposed = sum(1 for ln in lines if ln.special == "proposed")
        gross = sum((ln.gross for ln in lines), start=Decimal(0))
        published = f"{year:04d}-{month:02d}" in self.floor.pay.published()
        self.query_one("#pay-title", Static).update(Text.assemble(
            (_("PAY {month}").format(month=self.month_label()), "bold"),
            (" " + _("published") if published else "", "bold green"),
            " " + _("{n} agents · gross {gross} · {rate}/order · to confirm {proposed}").format(
                n=len(lines), gross=fmt_money(gross),
                rate=fmt_money(policy.commission_per_order), proposed=proposed)))
        notices = [w for w in (commission_warning(policy), reminder) if w]
        self.query_one("#pay-notice", Static).update(
            Text(" · ".join(notices), style="bold yellow") if notices else "")
        self.show_detail()

    def why_lines(self, line: pay.PayLine) -> list[str]:
        """The money of one agent and why, one rule a line."""
        a = line.attendance
        appraisal = line.appraisal
        out = [_("{base} base + {sen} seniority + {bonus} bonus + {comm} commission + {award} "
                 "award + {sub} subsidy − {ded} deductions = {gross}").format(
            base=_plain(line.base), sen=_plain(line.seniority),
            bonus=_plain(line.full_attendance_bonus), comm=_plain(line.commission),
            award=_plain(line.award), sub=_plain(line.subsidy), ded=_plain(line.deductions),
            gross=_plain(line.gross))]
        out.extend(line.why)
        points = _("appraisal {points} = attendance {att} + coaching {coach} − praise "
                   "{praise}").format(points=_num(appraisal.points),
                                      att=_num(appraisal.attendance_points),
                                      coach=_num(appraisal.coaching_points),
                                      praise=_num(appraisal.praise_points))
        if appraisal.score is not None:
            letter, coefficient = pay.grade(self.floor.policy, appraisal.score)
            points += _("; score {score} → grade {grade} ×{coefficient}{ranked}").format(
                score=_num(appraisal.score), grade=letter, coefficient=_num(coefficient),
                ranked="" if pay.ranked(self.floor.policy, appraisal.score)
                else _(" (below the ranking line)"))
        out.append(points)
        if a.why:
            out.append(_("deductions {total}: {why}").format(
                total=_plain(a.total_deduction), why=_("; ").join(a.why)))
        return out

    def show_detail(self) -> None:
        detail = self.query_one("#pay-detail", Static)
        staff_id = highlighted_key(self.query_one("#pay-sheet", DataTable))
        line = self.lines.get(staff_id or "")
        if line is None:
            detail.update(_("no outbound agents this month") if not self.lines else "")
            return
        text = Text.assemble((f"{line.staff.id} {line.staff.name} ", "bold"),
                             Text(" · ".join(self.why_lines(line))))
        # four lines at most: a longer account ends "… w: all" rather than mid-sentence
        width = detail.content_region.width or self.size.width - 2
        wrapped = text.wrap(self.app.console, width)
        if len(wrapped) > 4:
            more = _("… w: all")
            last = wrapped[3]
            last.truncate(max(width - cell_len(more) - 1, 0))
            last.rstrip()
            last.append(" " + more, style="bold")
            text = Text("\n").join(wrapped[:4])
        detail.update(text)

    def action_why(self) -> None:
        line = self._current()
        if line is not None:
            self.app.push_screen(WhyScreen(f"{line.staff.id} {line.staff.name}",
                                           self.why_lines(line)))

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self.show_detail()

    def on_data_table_row_selected(self, _event: DataTable.RowSelected) -> None:
        self.action_why()  # Enter on a row: every line of its why

    # ------------------------------------------------------------- actions
    def action_close(self) -> None:
        self.dismiss()

    def action_month(self, delta: int) -> None:
        first = pay.add_months(dt.date(self.year, self.month, 1), delta)
        self.year, self.month = first.year, first.month
        self.lines = {}
        self.query_one("#pay-sheet", DataTable).clear()
        self.refresh_data()

    def _current(self) -> pay.PayLine | None:
        return self.lines.get(highlighted_key(self.query_one("#pay-sheet", DataTable)) or "")

    def action_special(self, confirm: bool) -> None:
        line = self._current()
        if line is None:
            return
        try:
            message = self.floor.pay.decide_special(line.staff.id, self.year, self.month,
                                                    confirm)
        except FloorError as exc:
            self.notify(_("Not saved: {error}").format(error=exc), severity="error")
            return
        self.notify(message)
        self.refresh_data()

    def action_next_proposal(self) -> None:
        table = self.query_one("#pay-sheet", DataTable)
        ids = list(self.lines)
        if not ids:
            return
        start = table.cursor_row if table.cursor_row is not None else -1
        for offset in range(1, len(ids) + 1):
            sid = ids[(start + offset) % len(ids)]
            if self.lines[sid].special == "proposed":
                table.move_cursor(row=table.get_row_index(sid))
                return
        self.notify(_("no special circumstances to confirm"))

    def action_publish(self) -> None:
        try:
            self.notify(self.floor.pay.publish(self.year, self.month))
        except FloorError as exc:
            self.notify(_("Not saved: {error}").format(error=exc), severity="error")
            return
        self.refresh_data()

    def action_coach(self) -> None:
        line = self._current()
        if line is not None:
            self.app.push_screen(CoachPrompt(self.floor, line.staff.id, line.staff.name),
                                 lambda _done: self.refresh_data())

    def action_score(self) -> None:
        line = self._current()
        if line is None:
            return
        self.app.push_screen(ScorePrompt(self.floor, line.staff.id, line.staff.name,
                                         self.year, self.month),
                             lambda _done: self.refresh_data())


class WhyScreen(ModalScreen[None]):
    """Every line of one agent's money and why (Esc or Enter closes)."""

    CSS_PATH = "pay.tcss"
    BINDINGS = [Binding("escape", "close", _("Back")), Binding("enter", "close", _("Back"),
                                                               show=False)]

    def __init__(self, title: str, lines: list[str]) -> None:
        super().__init__()
        self.title_text = title
        self.lines = lines

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="pay-dialog", id="why"):
            yield Static(self.title_text, classes="dialog-title", markup=False)
            for line in self.lines:
                yield Static("• " + line, markup=False)
            yield Static(_("Esc: back"), classes="dialog-hint", markup=False)

    def action_close(self) -> None:
        self.dismiss()


class _LinePrompt(ModalScreen[bool]):
    """One line for a highlighted person; Enter saves (stays open on a bad entry), Esc
    cancels."""

    CSS_PATH = "pay.tcss"
    BINDINGS = [Binding("escape", "cancel", _("Cancel"))]

    def __init__(self, title: str, hint: str) -> None:
        super().__init__()
        self.title_text = title
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(classes="pay-dialog"):
            yield Static(self.title_text, classes="dialog-title", markup=False)
            yield Static(self.hint, classes="dialog-hint", markup=False)
            yield Input(id="answer")
            yield Static(_("Enter: save   Esc: cancel"), id="prompt-help", markup=False)

    def on_mount(self) -> None:
        self.query_one("#answer", Input).focus()

    def save(self, text: str) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            message = self.save(event.value)
        except FloorError as exc:
            self.query_one("#prompt-help", Static).update(
                Text(_("Not saved: {error}").format(error=exc), style="bold red"))
            return
        self.app.notify(message)
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)


class CoachPrompt(_LinePrompt):
    """`c`: coaching or praise for the highlighted person today (kind first, then a note)."""

    def __init__(self, floor: Floor, staff_id: str, name: str) -> None:
        super().__init__(_("Coaching / praise for {id} {name}").format(id=staff_id, name=name),
                         _("v 口头指导 · w 书面指导 · d 决定日 · g Great job, then a note: "
                           "v opening too fast"))
        self.floor = floor
        self.staff_id = staff_id

    def save(self, text: str) -> str:
        word, _sep, note = text.strip().partition(" ")
        if not word:
            raise FloorError(_("type v, w, d or g first"))
        return self.floor.pay.record_coaching(self.staff_id, self.floor.today(), word, note)


class ScorePrompt(_LinePrompt):
    """`b`: the appraisal base score of the month ([002] 评价得分, 0–100)."""

    def __init__(self, floor: Floor, staff_id: str, name: str, year: int, month: int) -> None:
        super().__init__(_("Appraisal base score for {id} {name}").format(id=staff_id,
                                                                          name=name),
                         _("0–100; the month's score = base − appraisal points"))
        self.floor = floor
        self.staff_id = staff_id
        self.year, self.month = year, month

    def save(self, text: str) -> str:
        return self.floor.pay.set_score(self.staff_id, self.year, self.month, text)


def _plain(value: Decimal) -> str:
    """Money in a narrow column: rounded, no currency sign."""
    from floorapp.money import money_text

    return money_text(value)


def _num(value: Decimal) -> str:
    return str(int(value)) if value == value.to_integral_value() else str(value.normalize())
