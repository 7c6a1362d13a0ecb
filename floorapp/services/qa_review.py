"""Reviews of the floor's scoring: the week's common problems and the quarter's monitor review.

May import: the store's API, rules, formats and the basics; never the CLI, screens, the app or Textual.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from floorapp.rules import monitoring as rules
from floorapp.rules.monitoring import review
from floorapp.services.digests import effective
from floorapp.errors import FloorError
from floorapp.i18n import _
from floorapp.services.qa_records import COMMON_FEEDBACK, REF

if TYPE_CHECKING:
    from floorapp.services.core import Floor


class QaReview:
    """The week's most frequent deductions across the floor (共性问题) and their feedback
    within the week [000 §7]; every monitor reviewed for the quarter, horizontally and
    vertically (纵横比较) [000 §6].

    A part of ``MonitoringService`` (floorapp/services/monitoring.py), which holds ``floor`` and
    the look-ups the parts share (monitors, scorecards, evaluations)."""

    floor: Floor

    def common_problems(self, day: dt.date, top: int = 10
                        ) -> tuple[dt.date, dt.date, list[review.Problem]]:
        """The week's most frequent deductions across the floor (共性问题) [000 §7]."""
        start, end = review.week_of(day)
        current = self.templates()
        marked = []
        for r in self.evaluations_between(start, end):
            result = effective(r)
            template = self.template_of(r)
            for code, count in _codes(result.get("marks", r["marks"])):
                card = r["template"]
                if template is not None:
                    item = template.items().get(code)
                    if item is None or item[1].kind == "critical":
                        continue
                    now = current[card].items().get(code) if card in current else None
                    if now is not None and _item_key(now[1]) != _item_key(item[1]):
                        card = f"{card} v{template.version}"  # the code meant another item
                marked.append(review.Marked(r["staff_id"], r["monitor_id"], card,
                                            code, count, dt.date.fromisoformat(r["date"])))
        return start, end, review.common_problems(marked, top)

    def problem_item(self, card: str, code: str) -> rules.Item | None:
        """The item a common problem counts: on the card's current version, or on the
        version its label names (``outbound-100 v2``) where the code meant another item."""
        name, _space, version = card.partition(" v")
        template = self.template_version(name, int(version)) if version.isdigit() else \
            self.templates().get(card)
        found = template.items().get(code) if template is not None else None
        return found[1] if found else None

    def common_fed_back(self, week_start: dt.date) -> str:
        record = self.floor.store.get(REF, COMMON_FEEDBACK, week_start.isoformat())
        return record["at"] if record else ""

    def common_due(self, day: dt.date) -> tuple[str, dt.date, str]:
        """Where the week's common problems stand: ("fed_back" | "due" | "overdue", the day
        they are due (the week's last day: 共性问题应在一周内反馈 [000 §7]), when fed back)."""
        start, end = review.week_of(day)
        fed_back = self.common_fed_back(start)
        if fed_back:
            return "fed_back", end, fed_back
        return ("overdue" if self.floor.today() > end else "due"), end, ""

    def give_common_feedback(self, day: dt.date, note: str = "") -> None:
        self.floor.require("qa.feedback")
        start, _end = review.week_of(day)
        if start > self.floor.today():
            raise FloorError(_("the week of {day} has not begun: nothing to feed back yet")
                             .format(day=rules.day_text(start)))
        with self.floor.transaction() as tx:
            tx.put(REF, COMMON_FEEDBACK, start.isoformat(),
                   {"at": self.floor.now().isoformat(), "note": note})

    def quarterly_review(self, day: dt.date) -> tuple[dt.date, dt.date, list[review.ReviewRow]]:
        """Every monitor reviewed for the quarter holding ``day``, horizontally and
        vertically (纵横比较) [000 §6]."""
        start, end = review.quarter_of(day)
        before_start, _before_end = review.quarter_of(start - dt.timedelta(days=1))

        current = self.templates()

        def card(r: dict[str, Any]) -> str:
            """The card an evaluation's codes are counted on: an older version whose items
            differ is a card of its own (``outbound-100 v2``), so a code is never compared
            with what it means on another version (issue #25)."""
            name, template = r["template"], self.template_of(r)
            now = current.get(name)
            if template is None or now is None or template.version == now.version:
                return name
            if {c: _item_key(i[1]) for c, i in template.items().items()} == \
                    {c: _item_key(i[1]) for c, i in now.items().items()}:
                return name
            return f"{name} v{template.version}"

        def rows(a: dt.date, b: dt.date) -> list[tuple[str, str, str, frozenset[str]]]:
            return [(r["monitor_id"], r["staff_id"], card(r),
                     frozenset(code for code, _n in _codes(r["marks"])))
                    for r in self.evaluations_between(a, b)]

        found = review.quarterly_review(rows(start, end),
                                        rows(before_start, start - dt.timedelta(days=1)),
                                        self.floor.policy.qa_review_band_points)
        return start, end, found


def common_state_text(state: str, due: dt.date, fed_back: str) -> str:
    """The week's common problems: fed back when, or due (overdue) by the week's last day."""
    if state == "fed_back":
        return _("fed back {at}").format(at=fed_back[:16].replace("T", " "))
    if state == "overdue":
        return _("OVERDUE: due within the week, by {day}").format(day=rules.day_text(due))
    return _("due within the week, by {day}").format(day=rules.day_text(due))


def _codes(marks: str) -> list[tuple[str, int]]:
    """(code, occurrences) from stored marks text; N/A marks are not faults."""
    out = []
    for token in marks.split():
        code = token.rstrip("!")
        count = 1
        if "x" in code:
            code, _sep, number = code.partition("x")
            count = int(number) if number.isdigit() else 1
        if not code.endswith("na"):
            out.append((code, count))
    return out


def _item_key(item: rules.Item) -> tuple[Any, ...]:
    """What makes two versions' items under one code the same problem."""
    return (item.text, item.text_zh, item.weight, item.kind)
