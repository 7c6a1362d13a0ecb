"""The centre's policy: every business number of SPEC §4–8 as a named default.

May import: other basics only (policy, roles, i18n, clock, money, errors, text); never rules,
formats, services, the CLI, screens, the store or Textual.

Centres differ; a supervisor changes a value with `floor policy set KEY VALUE`, a policy file
(`floor policy load FILE.json`) or the settings, never in Python. The policy is stored in the
store's reference partition (table ``policy``, key ``policy``), audited like any other change.
Values left out of a stored policy or a policy file take the defaults below; loading and
checking them is ``policy_checks.py`` (``PolicyChecks``, mixed in), the roles ``roles.py``.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from floorapp.policy_checks import PolicyChecks
from floorapp.roles import default_role_rights


def _default_shifts() -> dict[str, dict[str, list[list[str]]]]:
    # 作息时间 (SPEC §4): periods per shift code and season.
    return {
        "D": {"summer": [["08:00", "12:00"], ["15:00", "18:00"]],
              "winter": [["08:00", "12:00"], ["14:30", "17:30"]]},
        "C1": {"summer": [["08:00", "14:30"]], "winter": [["08:00", "14:30"]]},
        "C2": {"summer": [["14:30", "20:00"]], "winter": [["14:30", "20:00"]]},
        "A": {"summer": [["08:00", "12:00"], ["14:30", "17:30"]],
              "winter": [["08:00", "12:00"], ["14:30", "17:30"]]},
    }


def _default_calling() -> dict[str, dict[str, list[list[str]]]]:
    # 员工管理细则 [004]: 7:50 打卡 / 8:00 准备 / 8:10 (summer 8:15) 早会 / 8:30 外呼; afternoon
    # 10 min 准备 then calls. Calling time per shift and season: the periods minus those parts.
    return {
        "D": {"summer": [["08:30", "12:00"], ["15:10", "18:00"]],
              "winter": [["08:30", "12:00"], ["14:40", "17:30"]]},
        "C1": {"summer": [["08:30", "14:30"]], "winter": [["08:30", "14:30"]]},
        "C2": {"summer": [["14:30", "20:00"]], "winter": [["14:30", "20:00"]]},
        "A": {"summer": [["08:30", "12:00"], ["14:40", "17:30"]],
              "winter": [["08:30", "12:00"], ["14:40", "17:30"]]},
    }


def _default_meeting_window() -> dict[str, list[str]]:
    # 早会 [004]: summer 8:15–8:30, winter 8:10–8:30 (inside working time, not calling time).
    return {"summer": ["08:15", "08:30"], "winter": ["08:10", "08:30"]}


def _default_meetings() -> list[str]:
    # 班前会 by weekday Mon..Sun: Mon–Tue 08:00, Wed–Fri 08:30, Sat–Sun 09:00 (SPEC §7).
    return ["08:00", "08:00", "08:30", "08:30", "08:30", "09:00", "09:00"]


@dataclass
class Policy(PolicyChecks):
    """All business numbers, with the SPEC defaults. Field names are the policy keys."""

    # --- time (SPEC §2, §4)
    timezone: str = "Asia/Shanghai"  # the centre's time zone
    summer_start: str = "05-01"  # 夏季作息 from 1 May
    summer_end: str = "09-30"  # … to 30 Sep; winter the rest
    shifts: dict[str, dict[str, list[list[str]]]] = field(default_factory=_default_shifts)  # 作息时间
    default_week: list[str] = field(
        default_factory=lambda: ["D", "D", "D", "D", "D", "R", "R"]
    )  # without a roster: Mon–Fri D, Sat–Sun rest
    clock_in_window_minutes: int = 10  # clock in up to 10 min before a period starts
    # Raw time-clock punches (SPEC §11) are paired to shift periods within these windows; the
    # sources give none, so they are the centre's: a punch outside every window is a stray.
    punch_in_before_minutes: int = 60  # an in punch up to 60 min before a period starts
    punch_in_after_minutes: int = 120  # … or up to 120 min after (a late arrival)
    punch_out_before_minutes: int = 120  # an out punch up to 120 min before a period ends
    punch_out_after_minutes: int = 120  # … or up to 120 min after (overtime)
    calling_periods: dict[str, dict[str, list[list[str]]]] = field(
        default_factory=_default_calling)  # 外呼 from 8:30 (after 准备 and 早会) [004]
    meeting_window: dict[str, list[str]] = field(
        default_factory=_default_meeting_window)  # 早会 8:15/8:10–8:30 by season [004]

    # --- attendance money and points (SPEC §4, 考勤)
    early_leave_per_minute: Decimal = Decimal("2")  # 早退 1 分钟扣 2 元
    late_allowance_minutes: int = 10  # 每月迟到 10 分钟内 (含) 不扣
    late_per_minute: Decimal = Decimal("1")  # 超出部分每分钟扣 1 元
    late_mode: str = "excess"  # excess: only minutes beyond the allowance; all: every minute
    absent_threshold_minutes: int = 30  # 迟到/早退 ≥ 30 分钟且无理由 = 旷工
    pay_days_per_month: Decimal = Decimal("21.75")  # 日底薪 = 月底薪 / 21.75
    personal_leave_day_rate: Decimal = Decimal("1")  # 事假 deducts 1 day's base pay per day
    sick_leave_rate_junior: Decimal = Decimal("0.20")  # 病假 tenure < 2 years: 20 % of day pay
    sick_leave_rate_senior: Decimal = Decimal("0.10")  # 病假 tenure ≥ 2 years: 10 %
    sick_leave_tenure_years: int = 2  # the tenure boundary, on the leave date
    full_attendance_bonus: Decimal = Decimal("100")  # 全勤奖
    absence_loses_full_attendance: bool = True  # [004] names 事假 only; 旷工 too? the centre's
    absent_day_pay_days: Decimal = Decimal("1")  # 旷工 deducts 1 day's base pay
    points_per_late_or_early: int = 2  # appraisal: each late/early occurrence
    points_per_absent_day: int = 20  # appraisal: each absenteeism day
    points_per_personal_leave_day: int = 2  # appraisal: each personal-leave day
    points_per_sick_leave_day: int = 1  # appraisal: each sick-leave day
    leave_units: list[str] = field(default_factory=lambda: ["0.5", "1"])  # leave in 0.5 or 1 day

    # --- outbound quota (SPEC §5, 外呼量)
    daily_min_completed: int = 60  # 每天完成量 ≥ 60
    shortfall_points_per_call: int = 1  # 少一个量扣 1 分
    band_dialed_min: int = 70  # 实际呼出 70–100 per seat per day
    band_dialed_max: int = 100
    band_completed_min: int = 60  # 成功 60–80
    band_completed_max: int = 80
    zero_score_below: int = 50  # weighted completed < 50: the day scores nothing
    zero_score_basis: str = "day"  # 低于50个/人/天,不得分 [004]: each day, or month_average
    shortfall_on_absent_days: bool = False  # 少一个量扣1分 [004]: days worked only (#25)
    rank_step_points: int = 2  # monthly ranking: 2 points per rank step
    guarantee_orders: int = 400  # 保底量: 400 orders a month
    guarantee_base_high: Decimal = Decimal("1200")  # … base pay when met
    guarantee_base_low: Decimal = Decimal("800")  # … when not met
    special_circumstances_subsidy: Decimal = Decimal("50")  # 特殊情况 800 + 50
    special_min_lost_minutes: int = 60  # the centre's: outage minutes that propose 特殊情况
    advice_add_seats_above: int = 100  # 日平均外呼量 per working seat > 100 → add seats [004 第三条]
    advice_raise_volume_completed_below: int = 60  # else 日平均业务受理笔数 < 60 → raise volume
    rushing_factor: Decimal = Decimal("2")  # 不允许赶量: last hour > 2× mean hourly
    # the centre's: calling minutes before the live quota screen judges a count on its pace
    # (dialed band, staffing advice); [004] judges whole days and names no time for a pace
    live_judge_after_minutes: int = 60
    interview_months: int = 2  # 约谈: 连续两月成单量最少 (the fewest each month, ties all)
    talk_minutes_min: int = 180  # talk time ≥ 3 h a day where tracked
    campaign_default_coefficient: Decimal = Decimal("1.0")  # 外呼类型系数
    # the Master.csv field whose value is a `floor campaign` id (dialers set accountcode per
    # campaign); "" = none: a call goes to the agent's hour entry (issue #27)
    cdr_campaign_field: str = "accountcode"

    # --- pay sheet and appraisal (SPEC §10, [004] 四、话务员薪资制度, [002] 绩效考核表)
    commission_per_order: Decimal = Decimal("0")  # 提成 per order: the centre's (0 = unset)
    top_commission_award: Decimal = Decimal("50")  # 奖励 50 元 (当月提成最高的)
    award_tiers: list[str] = field(default_factory=lambda: ["met", "special"])  # tiers with 奖励
    award_among: str = "award_tiers"  # 当月提成最高的 [004]: among award_tiers, or everyone
    probation_months: int = 2  # 试用期 2 个月
    seniority_raise_per_half_year: Decimal = Decimal("50")  # 工龄奖: 底薪每半年上调 50 元
    seniority_raise_max: Decimal = Decimal("200")  # … 200 元封顶
    seniority_from: str = "next_month"  # 每半年上调 [004 四]: next_month or same_month
    pay_publish_by_day: int = 10  # 次月 10 日前的早会上公布
    coaching_points_verbal: Decimal = Decimal("2")  # 口头指导 次 × 2
    coaching_points_written: Decimal = Decimal("5")  # 书面指导 次 × 5
    coaching_points_decision_day: Decimal = Decimal("10")  # 决定日 次 × 10
    praise_points_great_job: Decimal = Decimal("5")  # Great job 表扬 次 × 5
    appraisal_ranking_min: Decimal = Decimal("70")  # 本月考核 70 分以上者才有资格进入绩效排名
    grade_min_scores: list[str] = field(
        default_factory=lambda: ["90", "80", "70", "60"])  # A ≥ 90, B ≥ 80, C ≥ 70, D ≥ 60, else E
    grade_coefficients: list[str] = field(
        default_factory=lambda: ["1.2", "1", "0.8", "0.5", "0"])  # 绩效工资系数 A–E

    # --- monitoring and QA (SPEC §6, 监控/质检)
    agent_min_monitored_per_week: int = 3  # each agent ≥ 3 monitored calls a week
    monitor_live_per_day: int = 5  # each monitor ≥ 5 live a day
    monitor_recording_per_day: int = 5  # ≥ 5 recording a day
    monitor_side_by_side_per_day: int = 3  # ≥ 3 side-by-side a day
    outbound_qc_per_agent_day: int = 2  # outbound: 2 QC'd calls per agent per day
    monitoring_share_min: Decimal = Decimal("0.05")  # total 5–15 % of volume
    monitoring_share_max: Decimal = Decimal("0.15")
    new_hire_days: int = 30  # heavier monitoring in the first 30 days
    heavy_monitoring_factor: int = 2  # weight for new hires / follow-up / low scorers
    system_change_active: bool = False  # after a business/system change: heavier monitoring
    feedback_working_days: int = 1  # feedback within 1 working day
    calibration_threshold_points: Decimal = Decimal("5")  # |deviation| > 5 points flags
    calibration_min_evaluations: int = 5  # … with ≥ 5 evaluations in the period
    calibration_inconsistent_points: Decimal = Decimal("10")  # shared calls mean |diff| > 10
    sample_confidence: Decimal = Decimal("0.95")  # COPC sample size: 95 %
    sample_proportion: Decimal = Decimal("0.5")  # p = 0.5
    sample_margin: Decimal = Decimal("0.05")  # e = 5 %
    qa_pass_marks: dict = field(default_factory=dict)  # pass mark per scorecard id, set by the centre where [003] prints none (unset: no pass/fail, no follow-up)
    qa_fraud_outcome: str = "zero_fail"  # 视为诈单 [003]: zero_fail, or flag (score kept)
    qa_role_scorecards: dict = field(default_factory=lambda: {"agent": "outbound-100", "complaint": "hotline-100"})  # the scorecard (and so the sampling rule) each role uses [003]
    qa_team_scorecards: dict = field(default_factory=dict)  # a team's own scorecard, over its role's (e.g. {"电销": "telesales-compliance"})
    qa_plan_roles: list[str] = field(default_factory=lambda: ["monitor"])  # who holds plan slots; multi-level monitoring may add "lead", "manager" [000 §3]
    qa_new_monitor_paired: int = 10  # a new monitor's first N evaluations paired with an experienced monitor on the same call [000 §5]
    qa_recalibration_calls: int = 3  # shared calls within the band that end a stop [000 §5 再培训, 校正其评估尺度]
    qa_review_band_points: Decimal = Decimal("20")  # quarterly review: item-rate gap that flags (centre's value; [000 §6] gives none)
    qa_copc_period: str = "month"  # outbound: the COPC sample (≥ 95 % per project) is drawn over a "month" or "quarter"; [003 质检考核标准 二] names no period, its reports sum by month (每个月底汇总): the centre's choice
    qa_400_min_per_person: int = 1  # 400: each person ≥ 1 call a month or quarter [003 400 §1]
    qa_400_min_total: int = 30  # 400: ≥ 30 calls in all [003 400 §1]
    qa_400_rate: Decimal = Decimal("0.10")  # 400: 抽查率 10 % [003 400 统计表]
    qa_400_period: str = "month"  # 400: "month" or "quarter" (每月或每季度) [003 400 §1]
    qa_400_base: int = 100  # 400 card: [003] prints no base score (under 40 fails): the centre's
    qa_400_rate_mode: str = "floor"  # 抽查率 10% [003 400]: floor (a minimum) or printed
    telesales_closed_per_month: int = 3  # TSR: 3 closed recordings a month [003 录音质检抽听原则 1]
    telesales_unclosed_per_month: int = 1  # TSR: 1 unclosed [003 抽听原则 1]
    telesales_trainee_closed_per_month: int = 3  # trainee TSR: 3 closed [003 抽听原则 2]
    telesales_trainee_unclosed_per_month: int = 2  # trainee TSR: 2 unclosed [003 抽听原则 2]
    telesales_trainee_basis: str = "new_hire_days"  # 见习TSR [003]: new_hire_days or probation
    compliance_month_basis: str = "calendar"  # 当月未补 [003 合规部分]: calendar or cycle
    telesales_cycle_start_day: int = 21  # cycle: the 21st of last month to the 20th [003 抽听原则 4]

    # --- rosters (SPEC §7, 排班)
    rest_days_per_month: int = 3  # agents and complaint handlers: exactly 3 rest days
    manager_rest_days_per_week: int = 1  # managers: 1 rest day a week
    agents_on_phones: int = 0  # agents needed on D each day; 0 = 80 % of agents
    max_days_without_rest: int = 12  # fairness: no longer run without a rest day
    meeting_times: list[str] = field(default_factory=_default_meetings)  # 班前会 Mon..Sun
    friday_study_time: str = "16:30"  # 周五 16:30 业务学习
    friday_study_end: str = "17:30"  # the centre's: [004] gives no end; off the phones till then
    max_complaint_seats: int = 2  # 投诉处理台席原则上不超过2个: at most 2 handlers at once

    # --- emergency (SPEC §8, 突发事件)
    phone_fire: str = "119"
    phone_ambulance: str = "120"
    phone_superior: str = ""  # the direct superior, set per centre
    phone_fire_safety_officer: str = ""  # 消防安全员, set per centre

    # --- who may do what (issue #19); managers may do everything and are not listed
    role_rights: dict[str, list[str]] = field(default_factory=default_role_rights)  # issue #19

    # ------------------------------------------------------------------ API
    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: Decimals as strings."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = str(value) if isinstance(value, Decimal) else value
        return out

    # ------------------------------------------------------------- helpers
    def periods(self, shift: str, day: dt.date) -> list[tuple[dt.time, dt.time]]:
        """The (start, end) periods of a shift code on a date; empty for rest or unknown."""
        season = self.season(day)
        # worked out once per code and season (a month report asks ~30,000 times); keyed by
        # the shifts table itself, so a policy given other shifts never sees these
        memo = self.__dict__.setdefault("_periods_memo", {})
        key = (id(self.shifts), shift, season)
        if key not in memo:
            seasons = self.shifts.get(shift)
            memo[key] = (self.shifts, [(_time(a), _time(b)) for a, b in seasons[season]]
                         if seasons else [])
        return list(memo[key][1])

    def season(self, day: dt.date) -> str:
        """'summer' or 'winter' for a date (夏季/冬季作息)."""
        return _season(self.summer_start, self.summer_end, day.month, day.day)

    def calling_spans(self, shift: str, day: dt.date) -> list[tuple[dt.time, dt.time]]:
        """The calling spans of a shift code on a date as the policy states them (the shift's
        periods when it names none); ``schedule.calling_periods`` takes out the Friday study."""
        seasons = self.calling_periods.get(shift)
        if not seasons:
            return self.periods(shift, day)
        return [(_time(a), _time(b)) for a, b in seasons[self.season(day)]]

    def meeting(self, day: dt.date) -> tuple[dt.time, dt.time]:
        """The morning meeting (早会) window of a date's season."""
        start, end = self.meeting_window[self.season(day)]
        return _time(start), _time(end)

    def default_shift(self, day: dt.date) -> str:
        """The shift of a day without a roster: ``default_week`` by weekday."""
        return self.default_week[day.weekday()]

    def day_pay(self, base_pay: Decimal) -> Decimal:
        """日底薪 = monthly base / pay_days_per_month, exact (rounded only when reported)."""
        return Decimal(base_pay) / self.pay_days_per_month


@functools.lru_cache(maxsize=1024)
def _season(summer_start: str, summer_end: str, month: int, day: int) -> str:
    mmdd = f"{month:02d}-{day:02d}"
    if summer_start <= summer_end:
        inside = summer_start <= mmdd <= summer_end
    else:
        inside = mmdd >= summer_start or mmdd <= summer_end
    return "summer" if inside else "winter"


@functools.lru_cache(maxsize=512)
def _time(text: str) -> dt.time:
    hours, minutes = text.split(":")
    return dt.time(int(hours), int(minutes))


DEFAULT = Policy()


def descriptions() -> dict[str, str]:
    """Each policy key's one-line comment from this file: the rule it comes from."""
    import inspect

    out: dict[str, str] = {}
    try:
        source = inspect.getsource(Policy)
    except (OSError, TypeError):
        return out
    for line in source.splitlines():
        match = re.match(r"^\s{4}(\w+): [^#]*?(?:#\s*(.*))?$", line)
        if match and match.group(1) in Policy.__dataclass_fields__:
            out[match.group(1)] = (match.group(2) or "").strip()
    return out
