"""`floor demo`: a realistic, deterministic demo floor in a new store.

Staff of every role first; then each feature's step adds its history (rosters, punches, leave,
call counts, evaluations …) for the D days ending yesterday. The same seed gives the same floor.
Steps write in bulk (``Tx.put_many``), one transaction per month, so 300 seats × 365 days stays
well under a minute.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from floorapp.errors import FloorError
from floorapp.i18n import _
from floorapp.services.core import PAY, REF, Floor
from floorapp.staff import Staff

SURNAMES = ("王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 高 林 罗 郑 梁 谢 宋 唐 许 韩 冯 邓 曹 "
            "彭 曾 萧 田 董 袁 潘 于 蒋 蔡 余 杜 叶 程 苏 魏 吕 丁 任 沈").split()
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛")
GIVEN = ("伟 芳 娜 秀英 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀兰 霞 平 刚 桂英 华 玉兰 萍 "
         "鑫 婷 雪 琳 晨 宇 欣怡 子涵 浩然 梓萱 一诺 思远 佳琪 雨桐 诗涵 俊杰 娜娜").split()


@dataclass
class DemoContext:
    """What a feature's demo step gets: the floor, the staff, the days, a seeded random."""

    floor: Floor
    staff: list[Staff]
    days: list[dt.date]
    rng: random.Random
    seats: int
    summary: list[str] = field(default_factory=list)

    def by_role(self, *roles: str) -> list[Staff]:
        return [s for s in self.staff if s.role in roles]

    def months(self) -> list[list[dt.date]]:
        """The demo days grouped by calendar month (one write transaction each)."""
        groups: dict[tuple[int, int], list[dt.date]] = {}
        for day in self.days:
            groups.setdefault((day.year, day.month), []).append(day)
        return list(groups.values())


DemoStep = Callable[[DemoContext], None]


def feature_steps() -> list[DemoStep]:
    """Each feature's demo step, in the order they build on each other."""
    from floorapp.services.attendance import demo_step as attendance_step
    from floorapp.services.emergency import demo_step as emergency_step
    from floorapp.services.monitoring import demo_step as monitoring_step
    from floorapp.services.quota import demo_calls
    from floorapp.services.roster import demo_step as roster_step

    # The roster first: attendance, calls and the monitoring plan read who is on shift.
    return [roster_step, attendance_step, demo_calls, monitoring_step, emergency_step]


def make_staff(rng: random.Random, seats: int, today: dt.date) -> list[Staff]:
    counts = [
        ("agent", seats),
        ("complaint", max(4, seats // 15)),
        ("monitor", max(2, seats // 20)),
        ("lead", max(2, seats // 12)),
        ("manager", 2),
    ]
    prefix = {"agent": "A", "complaint": "C", "monitor": "Q", "lead": "L", "manager": "M"}
    base = {"agent": 1200, "complaint": 2400, "monitor": 3000, "lead": 3500, "manager": 5000}
    names: set[str] = set()
    people = []
    for role, count in counts:
        for index in range(1, count + 1):
            name = _name(rng, names)
            if rng.random() < 0.08:
                hired = today - dt.timedelta(days=rng.randint(1, 29))  # new hires
            else:
                hired = today - dt.timedelta(days=rng.randint(40, 6 * 365))
            team = f"T{(index - 1) // 12 + 1:02d}" if role == "agent" else role
            seat = f"S{index:03d}" if role == "agent" else ""
            pay = Decimal(base[role]) + Decimal(rng.choice((0, 0, 100, 200, 300)))
            people.append(Staff(id=f"{prefix[role]}{index:03d}", name=name, role=role,
                                team=team, hired=hired, base_pay=pay, seat=seat))
    return people


def _name(rng: random.Random, used: set[str]) -> str:
    while True:
        surname = rng.choice(COMPOUND_SURNAMES) if rng.random() < 0.04 else rng.choice(SURNAMES)
        name = surname + rng.choice(GIVEN)
        if name not in used:
            used.add(name)
            return name
        if len(used) > 2000:  # many seats: allow a second person of the same name
            return name


def generate(floor: Floor, seats: int = 40, days: int = 30, seed: int = 7) -> str:
    if not 1 <= seats <= 2000:
        raise FloorError(_("--seats must be between 1 and 2000"))
    if not 0 <= days <= 3 * 366:
        raise FloorError(_("--days must be between 0 and 1098"))
    if floor.has_data():
        raise FloorError(
            _("{store} already holds staff; a demo floor goes into a new store "
              "(use --store DIR with a new directory)").format(store=floor.store.root)
        )
    rng = random.Random(seed)
    today = floor.today()
    people = make_staff(rng, seats, today)
    with floor.transaction() as tx:
        tx.put_many(REF, "staff", [(s.id, s.to_record()) for s in people], note="demo floor")
        # pay in its own file (issue #19)
        tx.put_many(PAY, "base_pay", [(s.id, s.pay_record()) for s in people], note="demo floor")
    history = [today - dt.timedelta(days=n) for n in range(days, 0, -1)]
    ctx = DemoContext(floor=floor, staff=people, days=history, rng=rng, seats=seats)
    for step in feature_steps():
        step(ctx)
    lines = [_("demo floor in {store}: {staff} staff ({seats} outbound seats), "
               "{days} days of history").format(store=floor.store.root, staff=len(people),
                                                seats=seats, days=days)]
    lines.extend(ctx.summary)
    return "\n".join(lines)
