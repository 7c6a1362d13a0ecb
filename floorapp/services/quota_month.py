"""The quota part of the month report: the ranking with points, guarantee and interview list.

May import: the store's API, rules, formats and the basics; never the CLI, screens, the app or Textual.

Worked out from the month's call counts, kept while the store is unchanged; the order
guarantee's tiers and the interview list of the agents with the fewest orders.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from floorapp.services import digests
from floorapp.rules import quota as rules
from floorapp.i18n import N_, _, fmt_money
from floorapp.money import money_text
from floorapp.rules.quota import Counts
from floorapp.formats.reports import Table
from floorapp.services.campaigns import REF
from floorapp.services.quota_counts import _day_sums
from floorapp.services.quota_day import _num

if TYPE_CHECKING:
    from floorapp.services.core import Floor

TIER_TEXT = {"guarantee": N_("guarantee"), "special": N_("special"), "base": N_("base")}


class QuotaMonth:
    """The month's ranking, guarantee and interview list, and each agent's counts and orders
    over a span of days (the pay tier, the sampling rules).

    A part of ``QuotaService`` (floorapp/services/quota.py), which holds ``floor`` and the floor-
    day the parts share."""

    floor: Floor
    _months: dict[tuple[int, int], tuple[object, tuple]]

    def month_extension(self, year: int, month: int) -> tuple[dict, list[Table]]:
        """The quota part of the month report: ranking with points, guarantee tier,
        interview list (called by ``reports.extend_month_report``)."""
        policy = self.floor.policy
        names = {s.id: s.name for s in self.floor.staff()}
        daily, orders, special = self._month_figures(year, month)
        daily = self._final_days(daily)
        scores = {sid: rules.ranking_score(policy, days.values()) for sid, days in daily.items()}
        ranking = rules.ranking(policy, scores)
        zero_days = {sid: rules.zero_score_days(policy, days.values())
                     for sid, days in daily.items()}
        months = []
        y, m = year, month
        for _n in range(max(0, policy.interview_months - 1)):
            y, m = (y - 1, 12) if m == 1 else (y, m - 1)
            months.insert(0, self._orders_of_month(y, m))
        months.append(orders)
        # 话务员薪资制度 [004]: the interview is for outbound agents (成单量)
        agents = {s.id for s in self.floor.staff(include_retired=True) if s.role == "agent"}
        months = [{sid: n for sid, n in month_orders.items() if sid in agents}
                  for month_orders in months]
        interview = rules.interview_list(policy, months)
        pay = getattr(self.floor, "pay", None)
        if pay is not None:  # special circumstances are the supervisor's, confirmed (SPEC §10)
            special = pay.confirmed_special(year, month)
        tiers = {sid: rules.guarantee_tier(policy, orders.get(sid, 0), sid in special)
                 for sid in sorted(daily)}
        data = {
            "quota_ranking": [{"id": r.staff_id, "rank": r.rank,
                               "weighted_completed": _num(r.score), "points": r.points,
                               "zero_score_days": zero_days.get(r.staff_id, 0)} for r in ranking],
            "guarantee": [{"id": sid, "orders": orders.get(sid, 0), "tier": t.tier,
                           "base": money_text(t.base_pay), "subsidy": money_text(t.subsidy)}
                          for sid, t in tiers.items()],
            "interview_list": interview,
        }
        tables = [
            Table([_("rank"), _("id"), _("name"), _("weighted"), _("points"),
                   _("zero-score days")],
                  [[r.rank, r.staff_id, names.get(r.staff_id, ""), _num(r.score), r.points,
                    zero_days.get(r.staff_id, 0)] for r in ranking],
                  _("Quota ranking (外呼量排名)")),
            Table([_("id"), _("name"), _("orders"), _("tier"), _("base"), _("subsidy")],
                  [[sid, names.get(sid, ""), orders.get(sid, 0), _(TIER_TEXT.get(t.tier, t.tier)),
                    fmt_money(t.base_pay), fmt_money(t.subsidy)] for sid, t in tiers.items()],
                  _("Order guarantee (保底量 {orders})").format(orders=policy.guarantee_orders)),
            Table([_("id"), _("name"), _("orders this month")],
                  [[sid, names.get(sid, ""), orders.get(sid, 0)] for sid in interview],
                  _("Interview list (约谈: fewest orders {months} months running)").format(
                      months=policy.interview_months)),
        ]
        return data, tables

    def _final_days(self, daily: dict[str, dict[str, Decimal]]
                    ) -> dict[str, dict[str, Decimal]]:
        """The month's days that may be judged: today counts in the ranking (and as a
        zero-score day) once the agent's shift has ended, not on its calls so far; a day to
        come (counts typed ahead) not yet. A copy: the kept month figures stay as they are."""
        today = self.floor.today()
        key = today.isoformat()
        if not any(day >= key for days in daily.values() for day in days):
            return daily
        policy = self.floor.policy
        now = self.floor.now()
        shifts = self.floor.shifts_on(today)
        ends = {sid: rules.day_end(policy.periods(shifts.get(sid, "R"), today))
                for sid in daily}
        floor_end = self._floor_end(today, ends.values())
        out = {}
        for sid, days in daily.items():
            end = floor_end if ends[sid] is None else ends[sid]
            today_final = rules.counts_final(today, end, now)
            out[sid] = {day: w for day, w in days.items()
                        if day < key or (day == key and today_final)}
        return out

    def counts_between(self, start: dt.date, end: dt.date, by_campaign: bool = False
                       ) -> dict:
        """Each agent's counts over the days from ``start`` to ``end`` (the calls and orders a
        sampling rule counts: 400 calls, telesales closed recordings, COPC calls per project),
        keyed by staff id, or by (staff id, campaign) with ``by_campaign``."""
        out: dict = {}
        store = self.floor.store
        for partition in store.day_partitions(start, end):
            for sid, campaigns in _day_sums(store, partition).items():
                if not by_campaign:
                    day = Counts()
                    for counts in campaigns.values():
                        day = day + counts
                    out[sid] = out.get(sid, Counts()) + day
                    continue
                for campaign, counts in campaigns.items():
                    key = (sid, campaign)
                    out[key] = out.get(key, Counts()) + counts
        return out

    def month_orders(self, year: int, month: int) -> dict[str, int]:
        """Orders (成单) per agent in a month (the pay tier's guarantee)."""
        return dict(self._orders_of_month(year, month))

    def _orders_of_month(self, year: int, month: int) -> dict[str, int]:
        """Orders per agent, from the month figures when they are worked out already, else
        from the day digests alone (an earlier month for the interview list needs no more)."""
        kept = self._months.get((year, month))
        if kept is not None and kept[0] == self._month_state(year, month)[1]:
            return kept[1][1]
        store = self.floor.store
        orders: dict[str, int] = {}
        for partition in self._month_state(year, month)[0]:
            for sid, campaigns in store.digest(partition, digests.CAMPAIGN_SUMS).items():
                orders[sid] = orders.get(sid, 0) + sum(c[3] for c in campaigns.values())
        return orders

    def _month_state(self, year: int, month: int) -> tuple[list[str], tuple]:
        """The month's day partitions and what its figures are worked out from."""
        store = self.floor.store
        first = dt.date(year, month, 1)
        last = dt.date(year, month, calendar.monthrange(year, month)[1])
        partitions = store.day_partitions(first, last)
        return partitions, (store.stamp(), store.signature(REF),
                            tuple(store.signature(p) for p in partitions))

    def _month_figures(self, year: int, month: int
                       ) -> tuple[dict[str, dict[str, Decimal]], dict[str, int], set[str]]:
        """(weighted per agent per day, orders per agent, agents with outage minutes).

        Kept while nothing in the store changed (its change stamp, the reference file and
        the month's day files), so asking for the same month again is free. Never change
        what this returns."""
        partitions, state = self._month_state(year, month)
        kept = self._months.get((year, month))
        if kept is not None and kept[0] == state:
            return kept[1]
        figures = self._work_out_month(partitions)
        self._months[(year, month)] = (state, figures)
        return figures

    def _work_out_month(self, partitions: list[str]
                        ) -> tuple[dict[str, dict[str, Decimal]], dict[str, int], set[str]]:
        policy = self.floor.policy
        coefficients = self.coefficients()
        daily: dict[str, dict[str, Decimal]] = {}
        orders: dict[str, int] = {}
        special: set[str] = set()
        store = self.floor.store
        for partition in partitions:
            day = dt.date.fromisoformat(partition.split("/")[1])
            for sid, campaigns in _day_sums(store, partition).items():
                daily.setdefault(sid, {})[day.isoformat()] = rules.weighted_from_sums(
                    policy, campaigns, coefficients)
                orders[sid] = orders.get(sid, 0) + sum(n.orders for n in campaigns.values())
            special |= {sid for sid, n in self._lost_minutes(day).items() if n > 0}
        return daily, orders, special
