"""`floor demo`: a realistic, deterministic demo floor in a new store.

May import: the store's API, rules, formats and the basics; never the CLI, screens, the app or
Textual.

Staff of every role first; then each feature's step adds its history (rosters, punches, leave,
call counts, evaluations …) for the D days ending yesterday. The same seed gives the same floor.
Steps write in bulk (``Tx.put_many``), one transaction per day file, so 300 seats × 365 days stays
well under a minute and the memory holds one day file at a time, not a month of them (1,000
seats × 60 days peaked at 1.4 GB with a month per transaction; issue #30).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from floorapp.errors import FloorError
from floorapp.i18n import _
from floorapp.services.core import Floor
from floorapp.services.partitions import PAY, REF
from floorapp.rules.staff import Staff
from store import StoreError
from store import atomic as store_atomic

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
        """The demo days grouped by calendar month."""
        groups: dict[tuple[int, int], list[dt.date]] = {}
        for day in self.days:
            groups.setdefault((day.year, day.month), []).append(day)
        return list(groups.values())


DemoStep = Callable[[DemoContext], None]


def feature_steps() -> list[DemoStep]:
    """Each feature's demo step, in the order they build on each other."""
    from floorapp.services.attendance import demo_step as attendance_step
    from floorapp.services.emergency_demo import demo_step as emergency_step
    from floorapp.services.qa_demo import demo_step as monitoring_step
    from floorapp.services.pay import demo_step as pay_step
    from floorapp.services.quota import demo_calls
    from floorapp.services.roster import demo_step as roster_step

    # The roster first: attendance, calls and the monitoring plan read who is on shift.
    return [roster_step, attendance_step, demo_calls, monitoring_step, emergency_step,
            pay_step, sample_files]


def make_staff(rng: random.Random, seats: int, today: dt.date) -> list[Staff]:
    counts = [
        ("agent", seats),
        ("complaint", 4),  # 投诉处理台席不超过2个 [004 第三条]: 2 seats × C1/C2
        ("monitor", max(2, seats // 20)),
        ("lead", max(2, seats // 12)),
        ("manager", 2),
    ]
    prefix = {"agent": "A", "complaint": "C", "monitor": "Q", "lead": "L", "manager": "M"}
    base = {"agent": 1200, "complaint": 2400, "monitor": 3000, "lead": 3500, "manager": 5000}
    names: set[str] = set()
    people = []
    clock_number = 0
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
            clock_number += 1  # the time clock numbers its users 1, 2, 3 …
            extension = f"{8000 + index}" if role == "agent" else \
                (f"{8600 + index}" if role == "complaint" else "")
            people.append(Staff(id=f"{prefix[role]}{index:03d}", name=name, role=role,
                                team=team, hired=hired, base_pay=pay, seat=seat,
                                clock_id=str(clock_number), extension=extension))
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
              "(use --store DIR with a new directory)").format(store=floor.store.describe())
        )
    rng = random.Random(seed)
    today = floor.today()
    people = make_staff(rng, seats, today)
    history = [today - dt.timedelta(days=n) for n in range(days, 0, -1)]
    # The register as it stood when the history began: a demo's staff were not backdated hires
    # (those are not charged for days before their entry, SPEC §4 rev. 12-2026).
    clock = floor.store.clock
    start = history[0] if history else today
    stamp = floor.now().replace(year=start.year, month=start.month, day=start.day, hour=0,
                                minute=0, second=0, microsecond=0).isoformat()
    floor.store.clock = lambda: stamp
    try:
        with floor.transaction() as tx:
            tx.put_many(REF, "staff", [(s.id, s.to_record()) for s in people],
                        note="demo floor")
            # pay in its own file (issue #19)
            tx.put_many(PAY, "base_pay", [(s.id, s.pay_record()) for s in people],
                        note="demo floor")
    finally:
        floor.store.clock = clock
    ctx = DemoContext(floor=floor, staff=people, days=history, rng=rng, seats=seats)
    for step in feature_steps():
        step(ctx)
        floor.store.forget()  # what one step read is not what the next reads (issue #30)
    lines = [_("demo floor in {store}: {staff} staff ({seats} outbound seats), "
               "{days} days of history").format(store=floor.store.describe(), staff=len(people),
                                                seats=seats, days=days)]
    lines.extend(ctx.summary)
    return "\n".join(lines)


def sample_files(ctx: DemoContext) -> None:
    """Yesterday as the time clock and the phone system would export it, in the store's
    ``exports/``: an ``attlog.dat`` (with a double press and a stray punch) and an Asterisk
    ``Master.csv`` (forked dials, unanswered calls, quoted caller ids with commas, a caller id
    in GBK, trunk-to-trunk rows), so `floor import punches|cdr` can be tried on real formats."""
    if not ctx.days or ctx.floor.store.root is None:
        return  # a database store has no directory to put them in
    floor, rng, day = ctx.floor, ctx.rng, ctx.days[-1]
    people = {s.id: s for s in ctx.staff}
    directory = floor.store.root / "exports"
    try:  # shared like the store (2770, 0660), nothing followed
        attlog = directory / "attlog.dat"
        store_atomic.write_in_store(floor.store.root, "exports/attlog.dat",
                                   _attlog(floor, rng, day, people))
        master = directory / "Master.csv"
        store_atomic.write_in_store(floor.store.root, "exports/Master.csv",
                                   _master_csv(floor, rng, day, people))
    except (OSError, StoreError) as exc:
        raise FloorError(_("cannot write the sample files to {directory}: {reason}").format(
            directory=directory, reason=getattr(exc, "strerror", None) or exc)) from None
    ctx.summary.append(_("sample files to import: {attlog} (floor import punches), {master} "
                         "(floor import cdr)").format(attlog=attlog, master=master))


def _attlog(floor: Floor, rng: random.Random, day: dt.date, people: dict[str, Staff]) -> bytes:
    lines: list[tuple[dt.datetime, str]] = []
    for staff_id, periods in floor.attendance.punches_on(day).items():
        person = people.get(staff_id)
        if person is None:
            continue
        for punch in periods.values():
            for at in (punch.time_in, punch.time_out):
                if at is None:
                    continue
                moment = dt.datetime.combine(day, at) + dt.timedelta(seconds=rng.randint(0, 59))
                lines.append((moment, person.clock_id or person.id))
                if rng.random() < 0.03:  # pressed twice
                    lines.append((moment + dt.timedelta(seconds=rng.randint(3, 40)),
                                  person.clock_id or person.id))
    if lines:
        _moment, clock_id = rng.choice(lines)
        lines.append((dt.datetime.combine(day, dt.time(23, 59, 12)), clock_id))  # a stray
    lines.sort()
    # ZKTeco: the user id right-aligned in 9 characters, then tab-separated fields
    text = "".join(f"{clock_id:>9}\t{moment:%Y-%m-%d %H:%M:%S}\t1\t{n % 2}\t1\t0\n"
                   for n, (moment, clock_id) in enumerate(lines))
    return text.encode("ascii")


def _master_csv(floor: Floor, rng: random.Random, day: dt.date,
                people: dict[str, Staff]) -> bytes:
    rows: list[tuple[dt.datetime, bytes]] = []
    sequence = 0x1000

    def channel(extension: str) -> str:
        nonlocal sequence
        sequence += 1
        return f"SIP/{extension}-{sequence:08x}"

    def row(moment: dt.datetime, src: str, dst: str, clid: bytes, chan: str, dst_chan: str,
            billsec: int, disposition: str) -> None:
        answer = moment + dt.timedelta(seconds=rng.randint(3, 15)) if billsec else None
        end = (answer or moment) + dt.timedelta(seconds=billsec or rng.randint(10, 40))
        fields = [b'""', f'"{src}"'.encode(), f'"{dst}"'.encode(), b'"from-internal"',
                  b'"' + clid.replace(b'"', b'""') + b'"', f'"{chan}"'.encode(),
                  f'"{dst_chan}"'.encode(), b'"Dial"', f'"SIP/trunk/{dst},60"'.encode(),
                  f'"{moment:%Y-%m-%d %H:%M:%S}"'.encode(),
                  f'"{answer:%Y-%m-%d %H:%M:%S}"'.encode() if answer else b'""',
                  f'"{end:%Y-%m-%d %H:%M:%S}"'.encode(),
                  str(int((end - moment).total_seconds())).encode(), str(billsec).encode(),
                  f'"{disposition}"'.encode(), b'"DOCUMENTATION"',
                  # uniqueid: Party A's (chan's), the same on every row of a forked dial
                  f'"{moment.timestamp():.0f}.{int(chan.rsplit("-", 1)[1], 16)}"'.encode(),
                  b'""']
        rows.append((moment, b",".join(fields) + b"\n"))

    for entry in floor.quota.entries(day):
        person = people.get(entry.staff_id)
        if person is None or not person.extension or entry.hour is None:
            continue
        counts = entry.counts
        for n in range(counts.dialed):
            moment = dt.datetime.combine(day, dt.time(entry.hour, rng.randint(0, 59),
                                                      rng.randint(0, 59)))
            number = f"1{rng.randint(3, 9)}{rng.randint(100000000, 999999999)}"
            clid = rng.choice((f'"{person.name}" <{person.extension}>'.encode("gbk"),
                               f'"{person.id}, {person.team}" <{person.extension}>'.encode(),
                               f"<{person.extension}>".encode()))
            chan = channel(person.extension)
            answered = n < counts.connected
            billsec = rng.randint(20, 240) if answered else 0
            if rng.random() < 0.1:  # a forked dial: a second trunk tried, unanswered
                row(moment, person.extension, number, clid, chan, channel("trunk2"), 0,
                    "NO ANSWER")
            row(moment, person.extension, number, clid, chan, channel("trunk1"), billsec,
                "ANSWERED" if answered else rng.choice(("NO ANSWER", "BUSY", "NO ANSWER")))
    for _n in range(5):  # trunk to trunk: no agent's extension
        moment = dt.datetime.combine(day, dt.time(rng.randint(8, 19), rng.randint(0, 59)))
        row(moment, "02155550000", "999", b"<02155550000>", channel("trunk1"),
            channel("trunk2"), rng.randint(5, 60), "ANSWERED")
    rows.sort(key=lambda item: item[0])
    return b"".join(line for _moment, line in rows)
