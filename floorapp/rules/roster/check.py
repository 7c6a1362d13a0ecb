"""Checking a roster month (排班, SPEC §7): every broken rule as a sentence naming who and when
(the rules: ``floorapp.rules.roster``), and the day's coverage shown under the grid.

May import: the basics (policy, roles, i18n, clock, money, errors, text) and other rules; never
formats, services, the CLI, screens, the store, TinyDB or Textual.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from floorapp.i18n import N_
from floorapp.policy import Policy
from floorapp.rules.roster.month import (
    LEAVE_TYPES,
    MONTHLY_REST_ROLES,
    ONE_ON_DUTY_ROLES,
    REST,
    ROLE_CODES,
    Month,
    Msg,
    Person,
    allowed_codes,
    is_weekend,
    is_work,
    month_days,
    previous_month,
    required_agents,
    rests_owed,
    role_word,
    trailing_run,
    week_segments,
)


# -------------------------------------------------------------------- checks
def check_month(
    staff: Iterable[Person],
    year: int,
    month: int,
    cells: Month,
    policy: Policy,
    seats: int | None = None,
    previous: Month | None = None,
) -> list[str]:
    """Every broken rule of SPEC §7 in a month, as sentences naming who and when."""
    people = sorted(staff, key=lambda p: p.id)
    days = month_days(year, month)
    keys = [d.isoformat() for d in days]
    previous = previous or {}
    allowed = set(allowed_codes(policy))
    out: list[str] = []
    label = f"{year:04d}-{month:02d}"

    known = {p.id for p in people}
    for pid in sorted(set(cells) - known):
        out.append(Msg(N_("{pid} is on the {label} roster but not on the staff register"),
                       pid=pid, label=label))
    rows: dict[str, list[str]] = {}
    for person in people:
        row = cells.get(person.id)
        if not row:
            out.append(Msg(N_("{pid} has no row in the {label} roster"), pid=person.id,
                           label=label))
            rows[person.id] = [""] * len(keys)
            continue
        missing = [k for k in keys if k not in row]
        if missing:
            out.append(Msg(N_("{pid} has no code on {days}"), pid=person.id,
                           days=_dates(missing)))
        codes = [row.get(k, "") for k in keys]
        rows[person.id] = codes
        bad = sorted({c for c in codes if c and c not in allowed})
        if bad:
            out.append(Msg(N_("{pid} has unknown code(s) {codes}"), pid=person.id,
                           codes=", ".join(bad)))
        own = ROLE_CODES.get(person.role, ())
        wrong = sorted({c for c in codes if c in policy.shifts and c not in own})
        if wrong and own:
            where = [k for k, c in zip(keys, codes) if c in wrong]
            out.append(Msg(N_("{pid} ({role}) is on {wrong} on {days}; a {role} works {own}"),
                           pid=person.id, role=role_word(person.role), wrong="/".join(wrong),
                           days=_dates(where), own="/".join(own)))

    # rest counts: leave counts against rest (假期抵当月公休)
    for person in people:
        codes = rows[person.id]
        if person.role in MONTHLY_REST_ROLES:
            count = codes.count(REST)
            leave = sum(1 for c in codes if c in LEAVE_TYPES)
            need = rests_owed(policy, person.role, leave, len(days))
            if count != need:
                if leave:
                    out.append(Msg(N_("{pid} ({role}) has {count} rest day(s) in {label}; "
                                      "needs exactly {need} ({leave} leave day(s) count "
                                      "against rest)"),
                                   pid=person.id, role=role_word(person.role), count=count,
                                   label=label, need=need, leave=leave))
                else:
                    out.append(Msg(N_("{pid} ({role}) has {count} rest day(s) in {label}; "
                                      "needs exactly {need}"),
                                   pid=person.id, role=role_word(person.role), count=count,
                                   label=label, need=need))
        elif person.role == "manager":
            for seg in week_segments(days):
                leave = sum(1 for i in seg if codes[i] in LEAVE_TYPES)
                need = rests_owed(policy, "manager", leave, len(seg))
                count = sum(1 for i in seg if codes[i] == REST)
                if count != need:
                    span = f"{keys[seg[0]]}..{keys[seg[-1]]}"
                    out.append(Msg(N_("{pid} ({role}) has {count} rest day(s) in the week "
                                      "{span}; needs {need}"),
                                   pid=person.id, role=role_word("manager"), count=count,
                                   span=span, need=need))

    # coverage per day
    agents = [p for p in people if p.role == "agent"]
    need_agents = required_agents(policy, len(agents), seats)
    if need_agents > len(agents):
        out.append(Msg(N_("{need} agents are needed on D each day but only {have} agents are "
                          "on the register"), need=need_agents, have=len(agents)))
    handlers = [p for p in people if p.role == "complaint"]
    for index, key in enumerate(keys):
        on_d = sum(1 for p in agents if rows[p.id][index] == "D")
        if on_d < need_agents:
            out.append(Msg(N_("{day}: {count} agent(s) on D, needs {need}"), day=key,
                           count=on_d, need=need_agents))
        for code in ("C1", "C2"):
            if code in policy.shifts and not any(rows[p.id][index] == code for p in handlers):
                out.append(Msg(N_("{day}: no complaint handler on {code}"), day=key,
                               code=code))
            on_code = sum(1 for p in handlers if rows[p.id][index] == code)
            if on_code > policy.max_complaint_seats:
                out.append(Msg(N_("{day}: {count} complaint handlers on {code}; at most "
                                  "{seats} complaint seats at once"), day=key, count=on_code,
                               code=code, seats=policy.max_complaint_seats))
        for role in ONE_ON_DUTY_ROLES:
            group = [p for p in people if p.role == role]
            if len(group) >= 2 and not any(is_work(rows[p.id][index], policy) for p in group):
                out.append(Msg(N_("{day}: no {role} on duty"), day=key,
                               role=role_word(role)))

    # rotation C1/C2
    segments = week_segments(days)
    for person in handlers:
        codes = rows[person.id]
        weeks = {w for w, seg in enumerate(segments) for i in seg if codes[i] in ("C1", "C2")}
        used = {c for c in codes if c in ("C1", "C2")}
        if len(weeks) >= 2 and len(used) < 2:
            only = next(iter(used))
            out.append(Msg(N_("{pid} ({role}) works only {code} in {label}; handlers rotate "
                              "between C1 and C2"),
                           pid=person.id, role=role_word("complaint"), code=only, label=label))

    # runs without rest; leave taken in place of rest (假期抵当月公休) can make a longer run
    # that no arrangement avoids: not flagged for someone whose rest the leave took
    limit = policy.max_days_without_rest
    before = _label(previous_month(year, month))
    for person in people:
        codes = rows[person.id]
        if person.role in MONTHLY_REST_ROLES and any(c in LEAVE_TYPES for c in codes):
            continue
        run = trailing_run(previous.get(person.id, {}), policy)
        first: str = Msg(N_("the end of {month}"), month=before) if run else ""
        for index, code in enumerate(codes + [REST]):
            if index < len(codes) and is_work(code, policy):
                if run == 0:
                    first = keys[index]
                run += 1
                continue
            if run > limit:
                out.append(Msg(N_("{pid} works {run} days in a row ({first}..{last}); "
                                  "at most {limit} without rest"),
                               pid=person.id, run=run, first=first, last=keys[index - 1],
                               limit=limit))
                break
            run = 0

    # weekend fairness within each role
    for role in ROLE_CODES:
        # among those with the full rest quota: leave taken in place of rest is no unfairness
        group = [p for p in people if p.role == role
                 and not any(c in LEAVE_TYPES for c in rows[p.id])]
        if len(group) < 2:
            continue
        counts = {p.id: sum(1 for i, d in enumerate(days) if is_weekend(d)
                            and rows[p.id][i] == REST) for p in group}
        most = max(counts, key=lambda i: (counts[i], i))
        fewest = min(counts, key=lambda i: (counts[i], i))
        if counts[most] - counts[fewest] > 1:
            out.append(Msg(N_("weekend rest is unfair among {role}s: {most} has {many} weekend "
                              "rest day(s), {fewest} has {few}"),
                           most=most, many=counts[most], fewest=fewest, few=counts[fewest],
                           role=role_word(role)))
    return out


def _label(year_month: tuple[int, int]) -> str:
    return f"{year_month[0]:04d}-{year_month[1]:02d}"


def _dates(keys: list[str]) -> str:
    if len(keys) <= 3:
        return ", ".join(keys)
    return Msg(N_("{days} and {more} more day(s)"), days=", ".join(keys[:3]),
               more=len(keys) - 3)


def coverage(
    staff: Iterable[Person], cells: Month, days: Sequence[dt.date]
) -> list[dict[str, int]]:
    """Per day: agents on D and handlers on C1 / C2 (the grid's bottom rows)."""
    people = list(staff)
    out = []
    for day in days:
        key = day.isoformat()
        counts = {"D": 0, "C1": 0, "C2": 0, "A": 0, REST: 0}
        for p in people:
            code = cells.get(p.id, {}).get(key, "")
            if code == "D" and p.role != "agent":
                continue
            if code in counts:
                counts[code] += 1
        out.append(counts)
    return out
