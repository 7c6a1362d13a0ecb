"""The sampling rules' periods: what the COPC, 400-hotline and telesales rules ask and is left.

May import: the store's API, rules, formats and the basics; never the CLI, screens, the app or Textual.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from floorapp.rules import monitoring as rules
from floorapp.rules.monitoring import sampling
from floorapp.services.digests import effective
from floorapp.errors import FloorError
from floorapp.services.qa_records import EVALUATED_ROLES, percent_of, scored, two_places

if TYPE_CHECKING:
    from floorapp.services.core import Floor
    from floorapp.rules.staff import Staff


class QaSampling:
    """How many calls to hear: the outbound COPC sample, the 400 line's total shared out,
    each TSR's closed and unclosed recordings, over their periods; and the sample size for
    a population.

    A part of ``MonitoringService`` (floorapp/services/monitoring.py), which holds ``floor`` and
    the look-ups the parts share (monitors, scorecards, evaluations)."""

    floor: Floor

    def sampled_people(self, rule: str) -> list[Staff]:
        """The evaluated staff whose scorecard follows a sampling rule."""
        return [p for p in self.floor.staff() if p.role in EVALUATED_ROLES
                and sampling.rule_of(self.scorecard_for(p)) == rule]

    def _counts_between(self, start: dt.date, end: dt.date, by_campaign: bool = False
                        ) -> dict[Any, Any]:
        quota = getattr(self.floor, "quota", None)
        if quota is None or end < start:
            return {}
        return quota.counts_between(start, end, by_campaign)

    def copc_pool(self, day: dt.date, done_through: dt.date) -> dict[str, Any]:
        """The outbound COPC sample of the period around ``day`` [003 质检考核标准 二]: each
        project's calls connected before ``day`` (agents on a card without a rule of its own)
        carried on over the days left, its COPC sample size summed, the evaluations of those
        agents up to ``done_through``, and today's part of what is left over the floor's
        working days left (the policy's default week)."""
        policy = self.floor.policy
        start, end = sampling.copc_period(day, policy)
        ids = {p.id for p in self.sampled_people("copc")}
        known: dict[str, int] = {}
        for (sid, campaign), counts in self._counts_between(
                start, day - dt.timedelta(days=1), by_campaign=True).items():
            if sid in ids:
                known[campaign] = known.get(campaign, 0) + counts.connected
        gone, days = (day - start).days, (end - start).days + 1
        expected = {c: sampling.expected_calls(n, gone, days) for c, n in known.items()}
        total = sampling.copc_total(expected, policy)
        done = sum(1 for r in self.evaluations_between(start, done_through)
                   if r["staff_id"] in ids)
        days_left = sum(1 for n in range((end - day).days + 1)
                        if policy.default_shift(day + dt.timedelta(days=n)) in policy.shifts)
        left = max(0, total - done)
        return {"from": start.isoformat(), "to": end.isoformat(), "calls": sum(known.values()),
                "expected_calls": expected, "total": total, "done": done, "left": left,
                "today": sampling.daily_share(left, days_left)}

    def hotline_pool(self, day: dt.date, done_through: dt.date) -> dict[str, Any]:
        """The 400 line's period around ``day`` [003 400电话服务质量考核 1, 统计表]: everyone on
        the card, the calls connected before ``day`` carried on over the days left, the total
        to check (≥ 1 each, ≥ 30, 10 % of the calls) and each person's share of it (``need``)
        and what is left of it (``left``), the evaluations up to ``done_through`` counted."""
        policy = self.floor.policy
        start, end = sampling.period_of("hotline-400", day, policy)
        ids = [p.id for p in self.sampled_people("hotline-400")]
        done = dict.fromkeys(ids, 0)
        for r in self.evaluations_between(start, done_through):
            if r["staff_id"] in done:
                done[r["staff_id"]] += 1
        counts = self._counts_between(start, day - dt.timedelta(days=1))
        known = sum(counts[i].connected for i in ids if i in counts)
        expected = sampling.expected_calls(known, (day - start).days, (end - start).days + 1)
        total = sampling.hotline_sample_total(len(ids), expected, policy)
        left = sampling.hotline_left(done, total, policy)
        return {"from": start.isoformat(), "to": end.isoformat(), "people": len(ids),
                "calls": known, "expected_calls": expected, "total": total,
                "done": sum(done.values()), "need": {i: done[i] + left[i] for i in ids},
                "left": left}

    def telesales_status(self, persons: list[Staff], day: dt.date, done_through: dt.date
                         ) -> list[dict[str, Any]]:
        """Per TSR, the cycle around ``day`` [003 录音质检抽听原则]: the need (closed in short
        supply replaced by unclosed: the closed calls are the orders recorded so far, or the
        closed recordings heard if more), what is heard up to ``done_through`` and what is
        left."""
        policy = self.floor.policy
        start, end = sampling.period_of("telesales", day, policy)
        evals = self.evaluations_between(start, done_through)
        counts = self._counts_between(start, min(day, end))
        out = []
        for person in persons:
            mine = [r for r in evals if r["staff_id"] == person.id]
            closed = sum(1 for r in mine if r.get("outcome") == "closed")
            unclosed = sum(1 for r in mine if r.get("outcome") == "unclosed")
            trainee = sampling.is_trainee(policy, person.hired, day)
            available = max(counts[person.id].orders, closed) if person.id in counts else None
            need = sampling.telesales_need(trainee, available, policy)
            out.append({"from": start.isoformat(), "to": end.isoformat(), "trainee": trainee,
                        "closed_available": available, "need": need, "done": len(mine),
                        "closed": closed, "unclosed": unclosed,
                        "left": sampling.telesales_left(need, closed, unclosed,
                                                        len(mine) - closed - unclosed)})
        return out

    def sampling_status(self, day: dt.date) -> list[dict[str, Any]]:
        """Per evaluated person whose scorecard has its own sampling rule: the period, what
        is needed and what is done (telesales: closed and unclosed apart; 400-hotline: the
        person's share of the line's total and the average of repeated picks)."""
        out = []
        period_end = {}
        for rule in ("hotline-400", "telesales"):
            period_end[rule] = sampling.period_of(rule, day, self.floor.policy)[1]
        persons = self.sampled_people("telesales")
        for person, status in zip(persons, self.telesales_status(
                persons, day, period_end["telesales"])):
            need = status["need"]
            out.append({"id": person.id, "scorecard": self.scorecard_for(person),
                        "rule": "telesales", "from": status["from"], "to": status["to"],
                        "done": status["done"], "trainee": status["trainee"],
                        "need_closed": need.closed, "need_unclosed": need.unclosed,
                        "closed": status["closed"], "unclosed": status["unclosed"],
                        "closed_available": status["closed_available"],
                        "left": status["left"]})
        persons = self.sampled_people("hotline-400")
        if persons:
            pool = self.hotline_pool(day, period_end["hotline-400"])
            evals = [r for r in self.evaluations_between(dt.date.fromisoformat(pool["from"]),
                                                         period_end["hotline-400"])
                     if scored(r)]
            percents = sampling.averaged_by_person((r["staff_id"], percent_of(r)) for r in evals)
            points = sampling.averaged_by_person(
                (r["staff_id"], Decimal(effective(r)["score"])) for r in evals)
            templates = self.templates()
            for person in persons:
                template = templates.get(self.scorecard_for(person))
                mark = template.pass_mark if template is not None else None
                average = points.get(person.id)
                out.append({"id": person.id, "scorecard": self.scorecard_for(person),
                            "rule": "hotline-400", "from": pool["from"], "to": pool["to"],
                            "done": pool["need"][person.id] - pool["left"][person.id],
                            "need": pool["need"][person.id], "left": pool["left"][person.id],
                            "average": two_places(percents.get(person.id)),
                            "average_score": two_places(average),
                            "passed": None if average is None or mark is None
                            else average >= mark})
        out.sort(key=lambda r: r["id"])
        return out

    def sample_size(self, population: int, confidence: Decimal | None = None,
                    margin: Decimal | None = None) -> int:
        policy = self.floor.policy
        try:
            return rules.sample_size(
                population,
                policy.sample_confidence if confidence is None else confidence,
                policy.sample_margin if margin is None else margin,
                policy.sample_proportion)
        except ValueError as exc:
            raise FloorError(str(exc)) from None
