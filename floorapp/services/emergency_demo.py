"""The demo's past incidents: a fire drill, a staff member taken ill, an outage a month.

May import: the store's API, rules, formats and the basics; never the CLI, screens, the app or Textual.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pendulum

from floorapp.errors import FloorError
from floorapp.rules import checklists
from floorapp.rules import emergency as rules
from floorapp.services.emergency import INDEX, REF, TABLE


def demo_step(ctx) -> None:  # noqa: ANN001 - floorapp.services.demo.DemoContext (avoids a cycle)
    """A few past incidents: a fire drill, a staff member taken ill with a call-in, and about
    one outage a month (two in a short demo) with affected seats and recovery times."""
    floor, rng = ctx.floor, ctx.rng
    weekdays = [d for d in ctx.days if floor.policy.default_shift(d) != "R"]
    if not weekdays:
        return
    tz = floor.policy.timezone
    leads = [s.id for s in ctx.by_role("lead")] or ["demo"]
    managers = [s.id for s in ctx.by_role("manager")] or ["director"]
    builtin = {c.id: c for c in checklists.builtin_checklists()}
    per_day: dict[dt.date, list[dict[str, Any]]] = {}

    def at(day: dt.date, hhmm: str, plus: int = 0) -> str:
        hour, minute = map(int, hhmm.split(":"))
        moment = pendulum.datetime(day.year, day.month, day.day, hour, minute, tz=tz)
        return moment.add(minutes=plus).isoformat()

    def number(day: dt.date) -> str:
        return f"{day:%Y%m%d}-{len(per_day.setdefault(day, [])) + 1}"

    # A fire drill a third of the way in: everything done, the real-fire steps skipped.
    day = weekdays[len(weekdays) // 3]
    by = rng.choice(leads)
    inc = rules.new_incident(number(day), builtin["fire"], at(day, "16:00"), by)
    for n, code in enumerate(("calm", "superior", "officer", "security", "evacuate"), start=1):
        inc = rules.tick(inc, code, at(day, "16:00", n), by)
    inc = rules.skip(inc, "extinguish", "drill: no fire", at(day, "16:06"), by)
    inc = rules.skip(inc, "call119", "drill: no real call to 119", at(day, "16:06"), by)
    inc = rules.add_note(inc, "fire drill 消防演练: floor evacuated in 6 minutes",
                         at(day, "16:07"), by)
    per_day[day].append(rules.close(inc, at(day, "16:08"), by))

    # Staff taken ill two thirds in: a resting agent called in (that day, or the next when
    # nobody rests that day), the centre director approving.
    agents = [s.id for s in ctx.by_role("agent")]
    candidates = weekdays[(2 * len(weekdays)) // 3:] + weekdays[:(2 * len(weekdays)) // 3]
    day, cover_day, resting = candidates[0], candidates[0], []
    for d in candidates:
        for cover in (d, d + dt.timedelta(days=1)):
            shifts = floor.shifts_on(cover)
            resting = [a for a in agents if shifts.get(a) == "R"]
            if resting:
                day, cover_day = d, cover
                break
        if resting:
            break
    by = rng.choice(leads)
    inc = rules.new_incident(number(day), builtin["ill"], at(day, "10:20"), by)
    inc = rules.tick(inc, "superior", at(day, "10:21"), by)
    inc = rules.tick(inc, "hospital", at(day, "10:24"), by)
    inc = rules.tick(inc, "family", at(day, "10:30"), by)
    if resting:
        staff_id = rng.choice(resting)
        approver = managers[0]
        reason = "cover for a colleague taken ill"
        recorded = False
        roster_call_in = getattr(getattr(floor, "roster", None), "call_in", None)
        if roster_call_in is not None:
            try:
                roster_call_in(staff_id, cover_day, "D", approver, reason)
                recorded = True
            except FloorError:
                recorded = False
        inc = rules.add_call_in(inc, {"staff_id": staff_id, "day": cover_day.isoformat(),
                                      "code": "D", "approver": approver, "reason": reason,
                                      "roster_recorded": recorded}, at(day, "10:40"), by)
    else:
        inc = rules.tick(inc, "roster", at(day, "10:40"), by)
    inc = rules.add_note(inc, "agent taken to hospital by colleague; family informed",
                         at(day, "10:41"), by)
    per_day[day].append(rules.close(inc, at(day, "10:45"), by))

    # Outages: about one a month, at least two.
    count = max(2, len(ctx.days) // 30)
    for n in range(count):
        day = weekdays[min(len(weekdays) - 1, (n * len(weekdays)) // count + rng.randrange(
            max(1, len(weekdays) // count)))]
        by = rng.choice(leads)
        start_hhmm = rng.choice(("09:10", "09:40", "10:15", "14:50", "15:30", "16:05"))
        minutes = rng.choice((15, 25, 40, 60, 90))
        provincial = n % 2 == 0
        inc = rules.new_incident(number(day), builtin["outage"], at(day, start_hhmm, 3), by)
        inc = rules.tick(inc, "start", at(day, start_hhmm, 4), by, at(day, start_hhmm))
        system = rng.choice(("outbound dialer 外呼系统", "complaint system 投诉系统"))
        inc = rules.tick(inc, "describe", at(day, start_hhmm, 5), by,
                         f"{system} not responding" if provincial else "terminal frozen")
        inc = rules.tick(inc, "scope", at(day, start_hhmm, 6), by,
                         "provincial" if provincial else "local")
        shifts = floor.shifts_on(day)
        on_shift = [a for a in agents if floor.policy.periods(shifts.get(a, "R"), day)]
        if provincial and on_shift:
            seats = {"all_on_shift": True, "staff": on_shift}
        else:
            pool = on_shift or agents
            seats = {"all_on_shift": False,
                     "staff": rng.sample(pool, min(len(pool), rng.randint(1, 4)))}
        inc = rules.tick(inc, "seats", at(day, start_hhmm, 7), by, seats)
        inc = rules.tick(inc, "lead", at(day, start_hhmm, 8), by)
        inc = rules.tick(inc, "steps", at(day, start_hhmm, minutes), by,
                         "reported to the provincial help desk; waited for the fix"
                         if provincial else "restarted the terminal, re-logged the agent")
        inc = rules.tick(inc, "recovered", at(day, start_hhmm, minutes + 1), by,
                         at(day, start_hhmm, minutes))
        per_day.setdefault(day, [])
        per_day[day].append(rules.close(inc, at(day, start_hhmm, minutes + 2), by))

    total = 0
    for month in ctx.months():
        days = [d for d in month if per_day.get(d)]
        if not days:
            continue
        with floor.transaction() as tx:
            index = []
            for d in days:
                tx.put_many(f"day/{d.isoformat()}", TABLE,
                            [(i["id"], i) for i in per_day[d]], note="demo incidents")
                index += [(i["id"], rules.index_entry(i, d.isoformat())) for i in per_day[d]]
                total += len(per_day[d])
            tx.put_many(REF, INDEX, index, note="demo incidents")
    ctx.summary.append(f"emergency: {total} past incidents (fire drill, staff taken ill, "
                       f"{count} outages)")
