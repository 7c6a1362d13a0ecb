"""Chart strips (issue #28): a label, Textual's own ``Sparkline`` and the figures that say what
it shows, on one line at 80×24 and taller when the terminal is (``fit``). The data come from
services (``floorapp.services.hourly`` and the like); the strip only draws them.

May import: Textual, widgets, services, rules, formats and the basics; never the store, TinyDB or
the CLI.

Why ``Sparkline`` and not a plotting widget: at 80×24 the tables keep the rows, so a chart has
one line; a plot with axes is illegible there, a sparkline is made for it. It ships with
Textual (pinned), so no new dependency; the labels are our own text, so Chinese ones are
measured in cells like every other line.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Sparkline, Static

from floorapp.i18n import _
from floorapp.services.hourly import DayCurves, pace_figure
from floorapp.services.qa_trend import MonitorTrend, QaTrend

# Terminal sizes from which the strips grow: a taller strip from this many rows, wider bars
# from this many columns (below them the tables keep the room).
TALL_FROM_ROWS = 34
TALL_LINES = 3
WIDE_FROM_COLUMNS = 110


class ChartStrip(Horizontal):
    """``label ▁▃▅█▆ note``: one series as a sparkline, a few cells per point."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.label = ""
        self.points: list[float] = []  # the series drawn, as the service gave it
        self.reference: list[float] = []  # the line it is read against (pace, pass mark)

    def compose(self) -> ComposeResult:
        yield Static(classes="chart-label")
        yield Sparkline([], classes="chart-spark")
        yield Static(classes="chart-note")

    def show(self, label: str, points: Sequence[float], note: Text | str,
             reference: Sequence[float] = (), cells_per_point: int = 1) -> None:
        self.label = label
        self.points = list(points)
        self.reference = list(reference)
        self.query_one(".chart-label", Static).update(Text(label, style="bold"))
        spark = self.query_one(".chart-spark", Sparkline)
        # Sparkline scales its bars from the data's minimum to its maximum: a steady 270 an hour
        # with one hour at 308 would look like a spike. Each cell gets (value, 0, top) and shows
        # its value (summary_function), so the bars stand on zero and reach the top only at the
        # higher of the best point and the reference (a floor under its pace all day never does).
        top = max([*self.points, *self.reference], default=0)
        spark.summary_function = _first
        spark.data = [v for point in self.points for _cell in range(cells_per_point)
                      for v in (point, 0, top)]
        spark.styles.width = max(1, len(self.points) * cells_per_point)
        self.query_one(".chart-note", Static).update(note)

    @property
    def note_text(self) -> str:
        return str(self.query_one(".chart-note", Static).render())


class HourCharts(Horizontal):
    """The floor's completed per calling hour against the pace to target, and one seat's
    beside it (Summary, Quota): ``floorapp.services.hourly`` curves, the day report's
    ``hourly``."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="chart-pair")
        self.cells_per_point = 1

    def compose(self) -> ComposeResult:
        yield ChartStrip(id="floor-hours")
        yield ChartStrip(id="seat-hours")

    def fit(self, width: int, height: int) -> None:
        self.cells_per_point = fit(list(self.query(ChartStrip)), width, height)

    def show(self, curves: DayCurves, seat: str | None, now_hour: int | None) -> None:
        """``curves`` of the day shown; ``seat`` the highlighted one; ``now_hour`` the hour
        now when the day is today (its hour is not over, so not judged)."""
        for strip, label, curve in [
                (self.query_one("#floor-hours", ChartStrip), _("floor/h"), curves.floor),
                (self.query_one("#seat-hours", ChartStrip), seat or "",
                 curves.seats.get(seat or ""))]:
            if curve is None:
                strip.show(label, [], "")
                continue
            pace = [pace_figure(p) for p in curve.pace]
            strip.show(label, curve.completed,
                       hour_note(curves.hours, curve.completed, pace, now_hour),
                       reference=pace, cells_per_point=self.cells_per_point)


def _first(bucket: Sequence[float]) -> float:
    return bucket[0]


def fit(strips: Sequence[ChartStrip], width: int, height: int) -> int:
    """Make ``strips`` one line tall at 80×24 and taller on a taller terminal; returns the
    cells per point the width allows."""
    lines = TALL_LINES if height >= TALL_FROM_ROWS else 1
    for strip in strips:
        strip.styles.height = lines
        strip.query_one(".chart-spark", Sparkline).styles.height = lines
    return 3 if width >= WIDE_FROM_COLUMNS else 1


def number(value: float) -> str:
    """A figure as read off a screen: whole from 10 up (341), one decimal below (9.5)."""
    return f"{value:.0f}" if value >= 10 or float(value).is_integer() else f"{value:.1f}"


def hour_note(hours: Sequence[int], completed: Sequence[int], pace: Sequence[float],
              now_hour: int | None) -> Text:
    """What a supervisor reads beside the hourly bars: the last whole hour (before
    ``now_hour`` on the day that is running; else the last hour with calls) done against the
    pace it needed, red when under."""
    if not hours:
        return Text(_("no calling hours"), style="dim")
    if now_hour is not None:
        done = [i for i, hour in enumerate(hours) if hour < now_hour]
    else:
        done = [i for i, n in enumerate(completed) if n] or [len(hours) - 1]
    if not done:
        return Text(_("from {hour}h").format(hour=hours[0]), style="dim")
    at = done[-1]
    under = completed[at] < pace[at]
    return Text.assemble(
        (_("{hour}h {done}").format(hour=hours[at], done=completed[at]),
         "bold red" if under else "bold green"),
        _("/pace {pace}").format(pace=number(pace[at])))


def one_decimal(value: Decimal) -> float:
    return float(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def show_qa_trend(strip: ChartStrip, trend: QaTrend | None) -> None:
    """An agent's weekly QA means (the weeks with a score, oldest first) against the pass mark
    when the card has one (Monitoring)."""
    if trend is None:
        strip.show(_("QA/wk"), [], Text(_("pick an agent"), style="dim"))
        return
    means = [one_decimal(m) for m in trend.scored_means]
    mark = None if trend.pass_percent is None else one_decimal(trend.pass_percent)
    if not means:
        note = Text(_("no QA in {weeks} weeks").format(weeks=len(trend.weeks)), style="dim")
    else:
        last = means[-1]
        note = Text.assemble(
            (_("last {score}%").format(score=number(last)),
             "bold" if mark is None else "bold red" if last < mark else "bold green"),
            " · ",
            _("pass {mark}%").format(mark=number(mark)) if mark is not None
            else (_("no pass mark"), "dim"))
    strip.show(_("QA/wk"), means, note,
               reference=[] if mark is None else [mark] * len(means))


def show_monitor_trend(strip: ChartStrip, trend: MonitorTrend | None) -> None:
    """The weekly means of the scores the entry's monitor gave (the weeks they scored in,
    oldest first) against the floor's of the same weeks (Monitoring)."""
    if trend is None:
        strip.show(_("by/wk"), [], Text(_("no monitor"), style="dim"))
        return
    pairs = [(one_decimal(m), one_decimal(f)) for m, f in trend.scored]
    if not pairs:
        strip.show(_("by/wk"), [], Text(
            _("{id}: none given in {weeks} weeks").format(id=trend.monitor_id,
                                                          weeks=len(trend.weeks)), style="dim"))
        return
    given, floor_mean = pairs[-1]
    strip.show(_("by/wk"), [m for m, _f in pairs], Text.assemble(
        (_("{id} {score}%").format(id=trend.monitor_id, score=number(given)), "bold"),
        " · ", _("floor {score}%").format(score=number(floor_mean))),
        reference=[f for _m, f in pairs])


def show_month_minutes(strip: ChartStrip, staff_id: str, late: Sequence[int],
                       early: Sequence[int]) -> None:
    """One person's late and early minutes on each day of the month, 1st first (Attendance
    month view): the bars are late + early, the note says each."""
    strip.show(_("{id} late/early").format(id=staff_id),
               [a + b for a, b in zip(late, early)],
               Text.assemble((_("late {late} · early {early} min").format(
                   late=sum(late), early=sum(early)), "bold" if sum(late) + sum(early) else "dim")))
