"""The demo floor's monitoring: evaluations, feedback, disputes, recalibrations and plans.

May import: the store's API, rules, formats and the basics; never the CLI, screens, the app or Textual.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from floorapp.rules import monitoring as rules
from floorapp.i18n import _
from floorapp.services.qa_records import (EVALUATED_ROLES, EVALUATIONS, RECALIBRATIONS, REF,
                                          _result_fields)


DEMO_MODES = ("live", "live", "recording", "recording", "side_by_side")
DEMO_FAULTS = (0, 0, 0, 1, 1, 1, 2, 2, 3, 4)  # faults per call: most calls are clean or nearly
DEMO_LENIENT_FAULTS = (0, 0, 0, 0, 0, 0, 1, 1, 1, 2)  # the monitor who runs high
DEMO_PLAN_DAYS = 2  # stored plans for the last demo days (today's is made on first view)


def _demo_pool(rng, template: rules.Template, faults: tuple[int, ...],
               critical_share: float) -> list[tuple[str, dict[str, Any]]]:
    """Ready-scored mark sets to draw from: scoring once per pattern keeps the demo fast."""
    deducts = [i for s in template.sections for i in s.items if i.kind == "deduct"]
    criticals = [i for s in template.sections for i in s.items if i.kind == "critical"]
    pool = []
    for _n in range(120):
        marks = []
        for item in rng.sample(deducts, min(len(deducts), rng.choice(faults))):
            count = rng.choice((1, 1, 1, 2)) if item.per_occurrence else 1
            marks.append(rules.Mark(item.code, count))
        if criticals and rng.random() < critical_share:
            marks.append(rules.Mark(rng.choice(criticals).code))
        result = rules.score(template, marks)
        pool.append((rules.marks_text(marks), _result_fields(result)))
    return pool


def _demo_today(ctx, pools, lenient: str) -> int:  # noqa: ANN001 - DemoContext, the pools
    """Today so far: the plan made, and most of its slots up to now done, so the screen opens
    on a working day rather than a wall of overdue calls."""
    floor, rng = ctx.floor, ctx.rng
    now = floor.now()
    today = now.date()
    plan = floor.monitoring.make_plan(today)
    staff = {s.id: s for s in ctx.staff}
    now_minute = now.hour * 60 + now.minute
    items = []
    for index, slot in enumerate(plan.assignments):
        hours, minutes = (int(part) for part in slot.slot.split(":"))
        if hours * 60 + minutes + 10 > now_minute or rng.random() < 0.15:
            continue  # still to come, or one the monitor has not got to
        agent = staff.get(slot.staff_id)
        if agent is None:
            continue
        if agent.role == "complaint":
            tid = "hotline-100"
        else:
            tid = "recording-40" if slot.mode == "recording" else "outbound-100"
        marks, result = pools[(tid, slot.monitor_id == lenient)][rng.randrange(120)]
        items.append((f"E{hours:02d}{minutes:02d}00-{slot.monitor_id}-{slot.staff_id}-t{index}", {
            "date": today.isoformat(), "time": slot.slot, "monitor_id": slot.monitor_id,
            "staff_id": slot.staff_id, "mode": slot.mode, "template": tid, "marks": marks,
            **result, "call": "", "feedback_at": "", "feedback_note": "", "dispute": None,
            "revised": None}))
    with floor.transaction() as tx:
        tx.put_many(f"day/{today.isoformat()}", EVALUATIONS, items, note="demo evaluations")
    return len(items)


def demo_step(ctx) -> None:  # noqa: ANN001 - floorapp.services.demo.DemoContext (import cycle)
    """Evaluations for every demo day (about one per agent on shift, realistic marks, a few
    fraud criticals, one monitor scoring high, weekly shared calibration calls), feedback and a
    few disputes; stored plans for the last days."""
    floor, rng = ctx.floor, ctx.rng
    policy = floor.policy
    templates = rules.builtin_templates()
    monitors = [s.id for s in ctx.by_role("monitor")]
    if not monitors or not ctx.days:
        return
    lenient = monitors[-1]
    pools = {}
    for tid in ("outbound-100", "recording-40", "hotline-100"):
        pools[(tid, False)] = _demo_pool(rng, templates[tid], DEMO_FAULTS, 0.02)
        pools[(tid, True)] = _demo_pool(rng, templates[tid], DEMO_LENIENT_FAULTS, 0.0)
    evaluated = ctx.by_role(*EVALUATED_ROLES)
    total = disputes = criticals = 0
    last_day = ctx.days[-1]
    for month_days in ctx.months():
        cells = floor.roster_cells(month_days[0].year, month_days[0].month)
        for day in month_days:
            with floor.transaction() as tx:  # a day at a time: memory holds one day file
                day = dt.date(day.year, day.month, day.day)  # plain dates: cheap arithmetic
                default = policy.default_shift(day)
                key_day = day.isoformat()
                next_day = (day + dt.timedelta(days=1)).isoformat()
                periods_of: dict[str, tuple[tuple[int, int], ...]] = {}
                codes = {s.id: cells.get(s.id, {}).get(key_day, default) for s in ctx.staff}
                on_monitors = [m for m in monitors if codes[m] in policy.shifts]
                if not on_monitors:
                    continue
                items = []
                working = [s for s in evaluated if codes[s.id] in policy.shifts]
                shared = day.weekday() == 2 and working  # Wednesday calibration call
                if shared:
                    agent = rng.choice(working)
                    picks = [(agent, m, "recording") for m in on_monitors]
                else:
                    picks = []
                for agent in working:
                    for _n in range(rng.choice((0, 1, 1, 2))):
                        picks.append((agent, rng.choice(on_monitors), rng.choice(DEMO_MODES)))
                for index, (agent, monitor, mode) in enumerate(picks):
                    code = codes[agent.id]
                    if code not in periods_of:
                        periods_of[code] = rules.periods_minutes(policy, code, day)
                    start, end = rng.choice(periods_of[code])
                    minute = rng.randrange(start, end)
                    if agent.role == "complaint":
                        tid = "hotline-100"
                    else:
                        tid = "recording-40" if mode == "recording" else "outbound-100"
                    call = f"CAL-{key_day}" if shared and index < len(on_monitors) else ""
                    pattern = index if call else rng.randrange(120)
                    marks, result = pools[(tid, monitor == lenient)][pattern % 120]
                    feedback = "" if day == last_day and rng.random() < 0.5 else \
                        f"{next_day}T09:00:00+08:00"
                    data = {
                        "date": key_day, "time": rules.hhmm(minute), "monitor_id": monitor,
                        "staff_id": agent.id, "mode": mode, "template": tid, "marks": marks,
                        **result, "call": call, "feedback_at": feedback,
                        "feedback_note": "talked through" if feedback else "",
                        "dispute": None, "revised": None,
                    }
                    if not result["passed"] and rng.random() < 0.05:
                        disputes += 1
                        revised = rng.random() < 0.5
                        data["dispute"] = {
                            "raised_at": f"{key_day}T17:40:00+08:00",
                            "reason": "客户已同意 the customer had agreed",
                            "status": "revised" if revised else "kept",
                            "reviewed_at": f"{key_day}T18:10:00+08:00",
                            "note": "re-listened"}
                        if revised:
                            data["revised"] = {"marks": "", "score": result["max"],
                                               "max": result["max"], "passed": True,
                                               "critical": []}
                    criticals += bool(result["critical"])
                    items.append((f"E{minute // 60:02d}{minute % 60:02d}00-{monitor}-"
                                  f"{agent.id}-{index}", data))
                tx.put_many(f"day/{key_day}", EVALUATIONS, items, note="demo evaluations")
                total += len(items)
    # The others were recalibrated on shared calls (with two monitors, one running high puts
    # the other as far low); the lenient one stays stopped until it is.
    recalibrated = ctx.days[-min(DEMO_PLAN_DAYS, len(ctx.days))].isoformat()  # --days 1
    with floor.transaction() as tx:
        for monitor in monitors:
            if monitor != lenient:
                tx.put(REF, RECALIBRATIONS, f"{monitor}-{recalibrated}", {
                    "monitor_id": monitor, "date": recalibrated, "calls": 3,
                    "mean_difference": "2.00", "note": "demo calibration session"})
    for day in ctx.days[-DEMO_PLAN_DAYS:]:
        floor.monitoring.make_plan(day)
    total += _demo_today(ctx, pools, lenient)
    ctx.summary.append(
        _("monitoring: {total} evaluations ({criticals} with a fraud critical, {disputes} "
          "disputed), weekly shared calibration calls, {lenient} scoring high; plans for the "
          "last {days} days").format(total=total, criticals=criticals, disputes=disputes,
                                     lenient=lenient, days=min(DEMO_PLAN_DAYS, len(ctx.days))))
