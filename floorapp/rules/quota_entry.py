"""The quick entry a supervisor types on the quota screen (``A001 +5``, ``= A001 80 66 61 19``).

May import: the basics (policy, roles, i18n, clock, money, errors, text) and other rules; never
formats, services, the CLI, screens, the store, TinyDB or Textual.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from floorapp.i18n import _
from floorapp.rules.quota import Counts


@dataclass(frozen=True)
class QuickEntry:
    """What a supervisor typed: who (None = the selected seat) and either ``add_completed``
    (``+5``) or a full line of counts (``dialed connected completed orders``)."""

    who: str | None
    add_completed: int | None = None
    counts: Counts | None = None
    day_total: bool = False  # ``= d c p o``: the counts are the day's total, not an increment
    # ``A001 -5 typed twice``: a correction takes completed calls back; ``A001 1 0 0 0 the PBX
    # missed one``: counts with a reason (how an hour the phone system gave is corrected)
    reason: str = ""


_CORRECTION = re.compile(r"^-\d+$")


def parse_quick_entry(text: str) -> QuickEntry:
    """``+5``, ``A001 +5``, ``80 66 61 19``, ``欧阳 80 66 61 19`` (added to this hour), or
    ``A001 = 80 66 61 19`` or ``= A001 80 66 61 19`` (the day's total), or ``A001 -5 typed twice`` (a correction: 5
    completed calls taken back, with the reason); ValueError says why not."""
    tokens = text.split()
    if not tokens:
        raise ValueError(_("type +N (completed calls) or dialed connected completed orders"))
    # "=" first (the = key opens the line with it) or after the agent: both are a day total
    leading_total = tokens[0] == "=" or (tokens[0].startswith("=") and len(tokens[0]) > 1)
    if leading_total:
        tokens = [tokens[0][1:]] + tokens[1:] if tokens[0] != "=" else tokens[1:]
        if not tokens or tokens[-1].startswith("+") or "=" in tokens or any(
                _CORRECTION.match(token) for token in tokens):
            raise ValueError(_("a day total is the agent and four counts: = A001 80 66 61 19 "
                               "or A001 = 80 66 61 19"))
    for index, token in enumerate(tokens):
        if _CORRECTION.match(token) and index + 1 < len(tokens) and \
                not all(t.lstrip("-").isdigit() for t in tokens[index + 1:]):
            if int(token) == 0:
                raise ValueError(_("{text!r}: take back at least one completed call").format(
                    text=token))
            return QuickEntry(" ".join(tokens[:index]) or None, add_completed=int(token),
                              reason=" ".join(tokens[index + 1:]))
    last = tokens[-1]
    if _CORRECTION.match(last):
        raise ValueError(_("{text!r} takes completed calls back: say why after it, e.g. "
                           "A001 -5 typed twice").format(text=last))
    if last.startswith("+"):
        if not last[1:].isdigit() or int(last[1:]) == 0:
            raise ValueError(_("{text!r}: after + give a whole number of completed calls, "
                               "e.g. +5").format(text=last))
        who = " ".join(tokens[:-1]) or None
        return QuickEntry(who, add_completed=int(last[1:]))
    # four counts then words: a correction with its reason (``A001 1 0 0 0 the PBX missed
    # one``), the way an hour the phone system counted is changed by hand
    for index in range(len(tokens) - 4):
        if all(t.isdigit() for t in tokens[index:index + 4]) and \
                not tokens[index + 4].lstrip("-").isdigit():
            reason = " ".join(tokens[index + 4:])
            tokens = tokens[:index + 4]
            break
    else:
        reason = ""
    numbers = []
    for token in reversed(tokens):
        if not token.isdigit() or len(numbers) == 4:
            break
        numbers.append(int(token))
    if len(numbers) != 4:
        if any(t.lstrip("-").isdigit() and t.startswith("-") for t in tokens):
            raise ValueError(_("counts cannot be negative; use u to undo an entry"))
        raise ValueError(_("type +N (completed calls) or four counts: "
                           "dialed connected completed orders"))
    dialed, connected, completed, orders = reversed(numbers)
    rest = tokens[:-4]
    day_total = bool(rest) and rest[-1] == "="
    if day_total:
        rest = rest[:-1]
    elif leading_total:
        day_total = True
    return QuickEntry(" ".join(rest) or None,
                      counts=Counts(dialed, connected, completed, orders), day_total=day_total,
                      reason=reason)
