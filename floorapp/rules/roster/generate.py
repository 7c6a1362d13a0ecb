"""Making a roster month (排班, SPEC §7): every person's rest days placed so that the month meets
every rule it can (the rules: ``floorapp.rules.roster``), complaint handlers rotated C1/C2.

May import: the basics (policy, roles, i18n, clock, money, errors, text) and other rules; never
formats, services, the CLI, screens, the store, TinyDB or Textual.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from floorapp.policy import Policy
from floorapp.rules.roster.month import (
    LEAVE_TYPES,
    MONTHLY_REST_ROLES,
    ONE_ON_DUTY_ROLES,
    REST,
    ROLE_CODES,
    Month,
    Person,
    is_weekend,
    is_work,
    manager_rests_needed,
    month_days,
    required_agents,
    rests_owed,
    trailing_run,
    week_segments,
)


# ---------------------------------------------------------------- generation
def generate_month(
    staff: Iterable[Person],
    year: int,
    month: int,
    policy: Policy,
    seats: int | None = None,
    fixed: Month | None = None,
    previous: Month | None = None,
) -> Month:
    """A month meeting every rule when it can; otherwise the closest it gets (``check_month``
    names what is still wrong). ``fixed`` cells (leave) are kept; ``previous`` is the month
    before, whose last working run counts toward the first run of this one."""
    people = sorted(staff, key=lambda p: p.id)
    days = month_days(year, month)
    keys = [d.isoformat() for d in days]
    fixed = fixed or {}
    previous = previous or {}
    weekend = [is_weekend(d) for d in days]
    out: Month = {}
    by_role: dict[str, list[Person]] = {}
    for person in people:
        by_role.setdefault(person.role, []).append(person)

    def blocked_of(group: list[Person]) -> dict[str, set[int]]:
        return {p.id: {i for i, k in enumerate(keys) if k in fixed.get(p.id, {})}
                for p in group}

    for role, group in by_role.items():
        ids = [p.id for p in group]
        blocked = blocked_of(group)
        tails = {i: trailing_run(previous.get(i, {}), policy) for i in ids}
        on_leave = [sum(1 for i in ids if d in blocked[i]) for d in range(len(days))]
        if role == "manager":
            windows = [(seg[0], seg[-1] + 1, manager_rests_needed(policy, len(seg)))
                       for seg in week_segments(days)]
            keep = 1 if len(ids) >= 2 else 0
        else:
            windows = _month_windows(len(days), policy.rest_days_per_month)
            if role == "agent":
                keep = required_agents(policy, len(ids), seats)
            elif role == "complaint":
                keep = 2
            elif role in ONE_ON_DUTY_ROLES and len(ids) >= 2:
                keep = 1
            else:
                keep = 0
        caps = [max(0, len(ids) - keep - on_leave[d]) for d in range(len(days))]
        rests = _place_rests(ids, len(days), windows, policy.max_days_without_rest, caps,
                             blocked, tails, weekend)
        _repair_coverage(ids, rests, windows if role == "manager" else None, caps, blocked,
                         tails, weekend, policy.max_days_without_rest)
        leave_days = {pid: {i for i in blocked[pid]
                            if fixed.get(pid, {}).get(keys[i]) in LEAVE_TYPES} for pid in ids}
        load = [sum(1 for i in ids if d in rests[i]) for d in range(len(days))]
        for pid in ids:
            if role == "manager":
                for seg in week_segments(days):
                    need = rests_owed(policy, "manager", len(leave_days[pid] & set(seg)),
                                      len(seg))
                    _drop_rests(rests[pid], set(seg), need, blocked[pid], tails.get(pid, 0),
                                len(days), weekend, policy.max_days_without_rest)
            elif role in MONTHLY_REST_ROLES:
                need = rests_owed(policy, role, len(leave_days[pid]), len(days))
                if need < policy.rest_days_per_month:
                    before = set(rests[pid])
                    _drop_rests(rests[pid], set(range(len(days))), need, blocked[pid],
                                tails.get(pid, 0), len(days), weekend,
                                policy.max_days_without_rest)
                    for day in before - rests[pid]:
                        load[day] -= 1
                    _shorten_runs(rests[pid], blocked[pid], tails.get(pid, 0), caps, load,
                                  policy.max_days_without_rest)
        codes = ROLE_CODES.get(role, ("D",))
        for pid in ids:
            row = {}
            for index, key in enumerate(keys):
                if key in fixed.get(pid, {}):
                    row[key] = fixed[pid][key]
                elif index in rests[pid]:
                    row[key] = REST
                else:
                    row[key] = codes[0]
            out[pid] = row
        if role == "complaint":
            _rotate_complaints(out, ids, days, policy)
    return out


def _drop_rests(rests: set[int], within: set[int], need: int, blocked: set[int], tail: int,
                length: int, weekend: list[bool], max_run: int) -> None:
    """Take rests out of ``within`` until ``need`` are left: first those whose removal keeps
    every run within ``max_run``, weekdays before weekends, nearest a leave day first."""
    while len(rests & within) > need:
        def cost(day: int) -> tuple[int, int, int, int]:
            run = _longest_run(rests - {day}, blocked, tail, length)
            near = min((abs(day - b) for b in blocked), default=length)
            return (run > max_run, weekend[day], near, day)

        rests.discard(min(rests & within, key=cost))


def _shorten_runs(rests: set[int], blocked: set[int], tail: int, caps: list[int],
                  load: list[int], max_run: int) -> None:
    """Move the rests left after leave took some (假期抵当月公休) to days with room under the
    coverage so that the longest run of work is as short as it can be."""
    length = len(caps)
    while True:
        longest = _longest_run(rests, blocked, tail, length)
        if longest <= max_run:
            return
        best = None
        for rest in sorted(rests):
            for day in range(length):
                if day in rests or day in blocked or load[day] >= caps[day]:
                    continue
                moved = (rests - {rest}) | {day}
                run = _longest_run(moved, blocked, tail, length)
                if run < longest and (best is None or run < best[0]):
                    best = (run, rest, day)
        if best is None:
            return
        _run, rest, day = best
        rests.discard(rest)
        rests.add(day)
        load[rest] -= 1
        load[day] += 1


def _month_windows(length: int, rests: int) -> list[tuple[int, int, int]]:
    """Split the month into ``rests`` nearly equal windows, one rest day in each."""
    if rests <= 0:
        return [(0, length, 0)]
    bounds = [length * k // rests for k in range(rests + 1)]
    return [(bounds[k], bounds[k + 1], 1) for k in range(rests)]


def _place_rests(
    ids: list[str],
    length: int,
    windows: list[tuple[int, int, int]],
    max_run: int,
    caps: list[int],
    blocked: dict[str, set[int]],
    tails: dict[str, int],
    weekend: list[bool],
) -> dict[str, set[int]]:
    """Choose each person's rest days, scanning the days once.

    Each window gives every person ``need`` rest days. Each person has a deadline in the window:
    the last day they can rest while staying on leave-free days with room under ``caps`` (the
    coverage), within ``max_run`` (leave breaks a run) and, on a weekend, only if they are at
    the fewest weekend rests so far. Earliest deadline first, a day rests as many people as the
    later days cannot take; past the coverage, only a run that cannot wait rests and the others
    move to the next window. Then more, up to an even share of the window's rests and never
    past ``caps``: on weekdays those who already had weekend rests, on weekends those with the
    fewest (so weekend shares differ by at most one).
    """
    rests: dict[str, set[int]] = {i: set() for i in ids}
    run = {i: tails.get(i, 0) for i in ids}
    weekend_rests = {i: 0 for i in ids}
    order = {i: n for n, i in enumerate(ids)}
    carry = {i: 0 for i in ids}
    for number, (start, end, need) in enumerate(windows):
        last_window = number == len(windows) - 1
        left = {i: need + carry[i] for i in ids}
        total = sum(left.values())
        assigned = 0
        span = end - start
        for day in range(start, end):
            target = (2 * total * (day - start + 1) + span) // (2 * span)
            fewest = min(weekend_rests.values())
            deadline: dict[str, int] = {}
            for i in ids:
                if left[i] > 0 and day not in blocked[i]:
                    deadline[i] = _deadline(day, end, left[i], run[i], max_run, blocked[i],
                                            caps, weekend, weekend_rests[i] <= fewest)
            # Earliest deadline first: rest today as many as the later days cannot take.
            by_deadline = sorted(deadline, key=lambda i: (deadline[i], -run[i], order[i]))
            # Every prefix of that order needs (its size - room on later days) rests today;
            # among a prefix, a weekend rest goes first to those for whom it is fair.
            must: list[str] = []
            must_set: set[str] = set()
            room_later = 0
            last = day
            for n, i in enumerate(by_deadline, start=1):
                while last < deadline[i]:
                    last += 1
                    room_later += caps[last]
                while len(must) < n - room_later:
                    pool = [j for j in by_deadline[:n] if j not in must_set]
                    if weekend[day]:
                        pool.sort(key=lambda j: (deadline[j] > day, weekend_rests[j] > fewest))
                    must.append(pool[0])
                    must_set.add(pool[0])
            if len(must) > caps[day] and not last_window:
                # Past the coverage today: only a run that cannot wait rests; the others'
                # rest moves to the next window (the month's count stays exact).
                urgent = [i for i in must
                          if _run_end(day, run[i], max_run, blocked[i]) <= day]
                rest_of = [i for i in must if i not in set(urgent)]
                must = urgent + rest_of[:max(0, caps[day] - len(urgent))]
                must_set = set(must)
            others = [i for i in deadline if i not in must_set]
            room = max(0, caps[day] - len(must))
            wanted = min(target - assigned - len(must), room)
            if weekend[day]:
                others.sort(key=lambda i: (weekend_rests[i] > fewest, weekend_rests[i],
                                           deadline[i], -run[i], order[i]))
                fair = sum(1 for i in others if weekend_rests[i] <= fewest)
                extra = max(min(wanted, fair), 0)
            else:
                others.sort(key=lambda i: (-weekend_rests[i], deadline[i], -run[i], order[i]))
                extra = max(wanted, 0)
            chosen = set(must) | set(others[:extra])
            for i in ids:
                if i in chosen:
                    rests[i].add(day)
                    left[i] -= 1
                    assigned += 1
                    run[i] = 0
                    if weekend[day]:
                        weekend_rests[i] += 1
                elif day in blocked[i]:
                    run[i] = 0  # leave breaks a run
                else:
                    run[i] += 1
        for i in ids:
            carry[i] = left[i]
    return rests


def _repair_coverage(ids: list[str], rests: dict[str, set[int]],
                     segments: list[tuple[int, int, int]] | None, caps: list[int],
                     blocked: dict[str, set[int]], tails: dict[str, int], weekend: list[bool],
                     max_run: int) -> None:
    """Move rests off days past the coverage to the nearest day with room, when the move keeps
    the person's runs short, weekend shares fair and (managers) the rest in the same week."""
    length = len(caps)
    load = [sum(1 for i in ids if d in rests[i]) for d in range(length)]
    weekend_rests = {i: sum(1 for d in rests[i] if weekend[d]) for i in ids}

    def segment(day: int) -> int:
        if segments is None:
            return 0
        return next(n for n, (a, b, _need) in enumerate(segments) if a <= day < b)

    for day in range(length):
        for i in sorted((i for i in ids if day in rests[i]), key=lambda i: i):
            if load[day] <= caps[day]:
                break
            for other in sorted(range(length), key=lambda d: (abs(d - day), d)):
                if (other in rests[i] or other in blocked[i] or load[other] >= caps[other]
                        or segment(other) != segment(day)):
                    continue
                moved = (rests[i] - {day}) | {other}
                if _longest_run(moved, blocked[i], tails.get(i, 0), length) > max_run:
                    continue
                counts = dict(weekend_rests)
                counts[i] += weekend[other] - weekend[day]
                if max(counts.values()) - min(counts.values()) > max(
                        1, max(weekend_rests.values()) - min(weekend_rests.values())):
                    continue
                rests[i] = moved
                weekend_rests = counts
                load[day] -= 1
                load[other] += 1
                break


def _longest_run(rests: set[int], blocked: set[int], tail: int, length: int) -> int:
    run = longest = tail
    for d in range(length):
        run = 0 if d in rests or d in blocked else run + 1
        longest = max(longest, run)
    return longest


def _deadline(day: int, end: int, need: int, run: int, max_run: int, blocked: set[int],
              caps: list[int], weekend: list[bool], weekend_ok: bool) -> int:
    """The last day (from ``day``, before ``end``) someone can take the first of ``need`` rests
    and still keep every rule: not on leave, room under the coverage, within the run, a weekend
    only when it is fair. Rules are dropped one by one when no day is left."""
    run_end = _run_end(day, run, max_run, blocked)
    tests = (
        lambda d: caps[d] > 0 and d <= run_end and (weekend_ok or not weekend[d]),
        lambda d: caps[d] > 0 and d <= run_end,
        lambda d: d <= run_end,
        lambda d: True,
    )
    for test in tests:
        days = [d for d in range(day, end) if d not in blocked and test(d)]
        if days:
            return days[-min(need, len(days))]
    return day


def _run_end(day: int, run: int, max_run: int, blocked: set[int]) -> int:
    """The last day a rest keeps a run, ``run`` days long before ``day``, within ``max_run``."""
    worked = run
    d = day
    while True:
        if d in blocked:
            worked = 0  # leave breaks the run
        elif worked >= max_run:
            return d
        else:
            worked += 1
        d += 1


def _rotate_complaints(out: Month, ids: list[str], days: list[dt.date], policy: Policy) -> None:
    """C1/C2 by week, alternating per handler; then every day gets both where two work, and
    everyone working two or more weeks gets both codes."""
    keys = [d.isoformat() for d in days]
    segments = week_segments(days)
    week_of = {index: w for w, seg in enumerate(segments) for index in seg}
    counts = {i: {"C1": 0, "C2": 0} for i in ids}
    for index, key in enumerate(keys):
        for n, pid in enumerate(ids):
            if is_work(out[pid][key], policy):
                code = "C1" if (n + week_of[index]) % 2 == 0 else "C2"
                out[pid][key] = code
                counts[pid][code] += 1
    for key in keys:
        working = [pid for pid in ids if out[pid][key] in ("C1", "C2")]
        if len(working) < 2:
            continue
        for code, other in (("C1", "C2"), ("C2", "C1")):
            if not any(out[pid][key] == code for pid in working):
                flip = min(working, key=lambda pid: (counts[pid][code], pid))
                out[flip][key] = code
                counts[flip][code] += 1
                counts[flip][other] -= 1
    cap = policy.max_complaint_seats
    for key in keys:  # at most ``cap`` handlers on a complaint shift, when the other has room
        for code, other in (("C1", "C2"), ("C2", "C1")):
            on = [pid for pid in ids if out[pid][key] == code]
            room = cap - sum(1 for pid in ids if out[pid][key] == other)
            for pid in sorted(on, key=lambda p: (-counts[p][code], p))[:max(0, min(
                    len(on) - cap, room))]:
                out[pid][key] = other
                counts[pid][code] -= 1
                counts[pid][other] += 1
    for pid in ids:
        weeks = {week_of[n] for n, k in enumerate(keys) if out[pid][k] in ("C1", "C2")}
        if len(weeks) < 2:
            continue
        for code, other in (("C1", "C2"), ("C2", "C1")):
            if counts[pid][code]:
                continue
            for key in keys:
                if out[pid][key] != other:
                    continue
                partner = next((q for q in ids if q != pid and out[q][key] == code
                                and counts[q][code] >= 2), None)
                if partner:
                    out[pid][key], out[partner][key] = code, other
                    counts[pid][code] += 1
                    counts[pid][other] -= 1
                    counts[partner][code] -= 1
                    counts[partner][other] += 1
                    break
