"""What each policy value is for, in the interface language, with the numbers in force.

May import: Textual, widgets, services, rules, formats and the basics; never the store, TinyDB or
the CLI.

The rule each value comes from, as a note the F8 screen shows under the value: every note is a
message of the catalogue (English here, Chinese in floor.po), and a number in it is a placeholder
filled with the current policy (``{late_per_minute}``), so a note never quotes a stale figure.
``{KEY_pct}`` is a fraction as a percentage (0.2 -> 20).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from floorapp.i18n import N_, _

NOTES: dict[str, str] = {
    "timezone": N_("the centre's time zone ({timezone})"),
    "summer_start": N_('summer hours from {summer_start}'),
    "summer_end": N_('… to {summer_end}; winter hours the rest of the year'),
    "shifts": N_('working periods per shift code and season'),
    "default_week": N_("the roster's usual week, Mon..Sun"),
    "clock_in_window_minutes": N_(
        'clock in up to {clock_in_window_minutes} min before a period starts'),
    "punch_in_before_minutes": N_(
        'an in punch counts up to {punch_in_before_minutes} min before a period starts'),
    "punch_in_after_minutes": N_('… or up to {punch_in_after_minutes} min after (a late arrival)'),
    "punch_out_before_minutes": N_(
        'an out punch counts up to {punch_out_before_minutes} min before a period ends'),
    "punch_out_after_minutes": N_('… or up to {punch_out_after_minutes} min after (overtime)'),
    "calling_periods": N_(
        'calling time per shift and season: the '
        'periods minus check-in, preparation and the meeting [004]'),
    "meeting_window": N_(
        'the morning meeting per season, inside working time, not calling time [004]'),
    "early_leave_per_minute": N_('leaving early: {early_leave_per_minute} yuan off per minute'),
    "late_allowance_minutes": N_(
        'lateness up to {late_allowance_minutes} min a month (inclusive) costs nothing'),
    "late_per_minute": N_('beyond that, {late_per_minute} yuan off per minute late'),
    "late_mode": N_(
        '[004, lateness] 「一个月累计迟到10分钟以内(含10分钟),不扣基本工资。迟到10分钟以上,'
        '每迟到1分钟,扣基本工资1元。」 Two readings. excess: only the minutes over '
        '{late_allowance_minutes} are charged (a month of 15 min late pays for 5); all: every '
        'minute once over {late_allowance_minutes} (pays for 15). The centre\'s choice; floor\'s '
        'default excess; now {late_mode}'),
    "absent_threshold_minutes": N_(
        'late or early by {absent_threshold_minutes} min or more with no reason counts as absent'),
    "pay_days_per_month": N_('day pay = monthly base pay / {pay_days_per_month}'),
    "personal_leave_day_rate": N_(
        "personal leave deducts {personal_leave_day_rate} day's base pay per day"),
    "sick_leave_rate_junior": N_(
        'sick leave, tenure under {sick_leave_tenure_years} '
        'years: {sick_leave_rate_junior_pct} % of day pay'),
    "sick_leave_rate_senior": N_(
        'sick leave, tenure {sick_leave_tenure_years} '
        'years or more: {sick_leave_rate_senior_pct} %'),
    "sick_leave_tenure_years": N_(
        'the tenure boundary for sick leave ({sick_leave_tenure_years} years), on the leave date'),
    "full_attendance_bonus": N_('full attendance bonus: {full_attendance_bonus} yuan'),
    "absence_loses_full_attendance": N_(
        '[004, leave] 「事假扣除对应底薪和当月全勤奖」 names personal leave only; for an absence '
        '「视为旷工处理,扣除1天底薪」 names no bonus. Two readings. true: an absent day also loses the '
        '{full_attendance_bonus} yuan bonus; false: only personal leave loses it. The centre\'s '
        'choice; floor\'s default true; now {absence_loses_full_attendance}'),
    "absent_day_pay_days": N_("an absent day deducts {absent_day_pay_days} day's base pay"),
    "points_per_late_or_early": N_(
        'appraisal: {points_per_late_or_early} points off per late/early occurrence'),
    "points_per_absent_day": N_('appraisal: {points_per_absent_day} points off per absent day'),
    "points_per_personal_leave_day": N_(
        'appraisal: {points_per_personal_leave_day} points off per personal-leave day'),
    "points_per_sick_leave_day": N_(
        'appraisal: {points_per_sick_leave_day} points off per sick-leave day'),
    "leave_units": N_('leave is taken in these units of a day'),
    "daily_min_completed": N_('each agent completes at least {daily_min_completed} a day'),
    "shortfall_points_per_call": N_(
        '{shortfall_points_per_call} point off per call short of the minimum'),
    "band_dialed_min": N_('dialed per seat per day within {band_dialed_min}–{band_dialed_max}'),
    "band_dialed_max": N_('the top of the dialed band ({band_dialed_min}–{band_dialed_max})'),
    "band_completed_min": N_(
        'completed per seat per day within {band_completed_min}–{band_completed_max}'),
    "band_completed_max": N_(
        'the top of the completed band ({band_completed_min}–{band_completed_max})'),
    "zero_score_below": N_('weighted completed under {zero_score_below}: the day scores nothing'),
    "zero_score_basis": N_(
        '[004] 「按外呼类型系数折算,低于50个/人/天,不得分」. Two readings. day: each day under '
        '{zero_score_below} weighted completed scores nothing in the ranking; month_average: '
        'the month\'s daily average decides, every day scores or none does. The centre\'s '
        'choice; floor\'s default day; now {zero_score_basis}'),
    "shortfall_on_absent_days": N_(
        '[004] 「按天完成量:大于或等于60个/人/天,每天进行统计,少一个量扣1分」. Two readings. '
        'false: only days worked are counted (an absence costs its pay and attendance points); '
        'true: an absent day also costs {daily_min_completed} × {shortfall_points_per_call} '
        'quota points. The centre\'s choice; floor\'s default false (issue #25); '
        'now {shortfall_on_absent_days}'),
    "rank_step_points": N_('monthly ranking: {rank_step_points} points per rank step'),
    "guarantee_orders": N_('guaranteed volume: {guarantee_orders} orders a month'),
    "guarantee_base_high": N_('… base pay {guarantee_base_high} yuan when met'),
    "guarantee_base_low": N_('… base pay {guarantee_base_low} yuan when not met'),
    "special_circumstances_subsidy": N_(
        'special circumstances: the low base plus {special_circumstances_subsidy} yuan'),
    "special_min_lost_minutes": N_(
        "the centre's: {special_min_lost_minutes} outage minutes "
        'or more propose special circumstances'),
    "advice_add_seats_above": N_(
        'average dialed per working seat over {advice_add_seats_above}: add seats [004 art. 3]'),
    "advice_raise_volume_completed_below": N_(
        'else average completed under {advice_raise_volume_completed_below}: raise call volume'),
    "rushing_factor": N_(
        'no rushing: the last hour over {rushing_factor}× the hourly mean is flagged'),
    "live_judge_after_minutes": N_(
        "the centre's: the live quota screen judges the pace after {live_judge_after_minutes} "
        'calling minutes'),
    "interview_months": N_(
        'interview after {interview_months} months in a row with the fewest orders (ties all)'),
    "talk_minutes_min": N_('talk time at least {talk_minutes_min} min a day where tracked'),
    "campaign_default_coefficient": N_(
        'call type coefficient of a campaign not set: {campaign_default_coefficient}'),
    "cdr_campaign_field": N_(
        "the phone system's field naming a call's campaign (a floor campaign id): "
        '{cdr_campaign_field}; empty = the hour\'s entry'),
    "commission_per_order": N_(
        "commission per order: the centre's (0 = unset); now {commission_per_order}"),
    "top_commission_award": N_(
        "award of {top_commission_award} yuan to the month's top commission"),
    "award_tiers": N_('pay tiers that get the award'),
    "award_among": N_(
        '[004 §4, pay] 「奖励50元(当月提成最高的)」, printed only in the tiers with the award. Two '
        'readings. award_tiers: the highest commission among agents of those tiers '
        '({award_tiers}); everyone: the month\'s highest commission overall, nobody gets it '
        'when that agent\'s tier has no award. The centre\'s choice; floor\'s default '
        'award_tiers; now {award_among}'),
    "probation_months": N_('probation: {probation_months} months'),
    "seniority_raise_per_half_year": N_(
        'seniority: base pay up {seniority_raise_per_half_year} yuan every half year'),
    "seniority_raise_max": N_('… capped at {seniority_raise_max} yuan'),
    "seniority_from": N_(
        '[004 §4, pay] 「工龄奖(底薪每半年上调50元,200元封顶)」 names no day. Two readings. '
        'next_month: a half-year counts from the 1st of the month after it completes (hired '
        '15 May: from December); same_month: from the month in which it completes (from '
        'November). The centre\'s choice; floor\'s default next_month; now {seniority_from}'),
    "pay_publish_by_day": N_(
        'announced at a morning meeting before day {pay_publish_by_day} of the next month'),
    "coaching_points_verbal": N_('verbal coaching: {coaching_points_verbal} points each'),
    "coaching_points_written": N_('written coaching: {coaching_points_written} points each'),
    "coaching_points_decision_day": N_('decision day: {coaching_points_decision_day} points each'),
    "praise_points_great_job": N_('praise (Great job): {praise_points_great_job} points each'),
    "appraisal_ranking_min": N_(
        'only an appraisal of {appraisal_ranking_min} or more enters the performance ranking'),
    "grade_min_scores": N_('the lowest score of each grade, best first'),
    "grade_coefficients": N_("each grade's pay coefficient, best first"),
    "agent_min_monitored_per_week": N_(
        'each agent at least {agent_min_monitored_per_week} monitored calls a week'),
    "monitor_live_per_day": N_('each monitor at least {monitor_live_per_day} live a day'),
    "monitor_recording_per_day": N_('… at least {monitor_recording_per_day} recordings a day'),
    "monitor_side_by_side_per_day": N_(
        '… at least {monitor_side_by_side_per_day} side-by-side a day'),
    "outbound_qc_per_agent_day": N_(
        'outbound: {outbound_qc_per_agent_day} quality-checked calls per agent per day'),
    "monitoring_share_min": N_(
        'monitoring {monitoring_share_min_pct}–{monitoring_share_max_pct} % of the call volume'),
    "monitoring_share_max": N_(
        'the top of the '
        'monitoring share ({monitoring_share_min_pct}–{monitoring_share_max_pct} %)'),
    "new_hire_days": N_('heavier monitoring in the first {new_hire_days} days'),
    "heavy_monitoring_factor": N_(
        'weight {heavy_monitoring_factor} for new hires, follow-ups and low scorers'),
    "system_change_active": N_('after a business or system change: heavier monitoring'),
    "feedback_working_days": N_('feedback within {feedback_working_days} working day(s)'),
    "calibration_threshold_points": N_(
        'a deviation over {calibration_threshold_points} points from the other '
        'monitors on the same card is flagged'),
    "calibration_min_evaluations": N_(
        '… with at least {calibration_min_evaluations} evaluations on the card in the period'),
    "calibration_inconsistent_points": N_(
        'shared calls: a mean difference '
        'over {calibration_inconsistent_points} points is inconsistent'),
    "sample_confidence": N_('COPC sample size: {sample_confidence_pct} % confidence'),
    "sample_proportion": N_('COPC sample size: p = {sample_proportion}'),
    "sample_margin": N_('COPC sample size: margin {sample_margin_pct} %'),
    "qa_pass_marks": N_(
        'pass mark per scorecard id, set by the centre '
        'where [003] prints none (unset: no pass/fail, no follow-up)'),
    "qa_fraud_outcome": N_(
        '[003] 「出现以下情况,视为诈单」 names no score. Two readings. zero_fail: a fraud case '
        'scores 0 and fails the call; flag: the fraud case is listed, the score and the pass '
        'mark stand. The centre\'s choice; floor\'s default zero_fail; now {qa_fraud_outcome}'),
    "qa_role_scorecards": N_('the scorecard (and so the sampling rule) each role uses [003]'),
    "qa_team_scorecards": N_("a team's own scorecard, over its role's"),
    "qa_plan_roles": N_(
        'who holds plan slots; multi-level monitoring may add lead, manager [000 §3]'),
    "qa_new_monitor_paired": N_(
        "a new monitor's first {qa_new_monitor_paired} evaluations "
        'paired with an experienced monitor [000 §5]'),
    "qa_recalibration_calls": N_(
        '{qa_recalibration_calls} shared calls within the band end a stop [000 §5]'),
    "qa_review_band_points": N_(
        'quarterly review: an item-rate gap over '
        "{qa_review_band_points} points flags (the centre's value)"),
    "qa_400_min_per_person": N_(
        '400: each person at least {qa_400_min_per_person} call(s) a {qa_400_period} [003]'),
    "qa_400_min_total": N_('400: at least {qa_400_min_total} calls in all [003]'),
    "qa_400_rate": N_('400: check rate {qa_400_rate_pct} % [003]'),
    "qa_400_period": N_('400: month or quarter [003]'),
    "qa_400_base": N_(
        "[003, 400 hotline] 「考核结果总分低于40分为不合格」 prints no base score: "
        "{qa_400_base} is the centre's; faults of 1 and 2 points come off it, and the card "
        'shows the pass line in faults as well as points. Evaluations already saved keep '
        'their score'),
    "qa_400_rate_mode": N_(
        '[003, 400 hotline] 「所有通话录音至少抽查30通」 and the form\'s 「抽查率: 10%」. Two readings. '
        'floor: the rate is a minimum too (at least {qa_400_rate_pct} % of the period\'s calls); '
        'printed: the rate is only printed on the form, {qa_400_min_total} in all and '
        '{qa_400_min_per_person} per person govern. The centre\'s choice; floor\'s default '
        'floor; now {qa_400_rate_mode}'),
    "qa_copc_period": N_(
        "outbound COPC sample drawn over a month or a quarter (the centre's choice; "
        "[003] names no period)"),
    "telesales_closed_per_month": N_(
        'telesales: {telesales_closed_per_month} closed recordings a month [003]'),
    "telesales_unclosed_per_month": N_(
        'telesales: {telesales_unclosed_per_month} unclosed a month [003]'),
    "telesales_trainee_closed_per_month": N_(
        'trainee telesales: {telesales_trainee_closed_per_month} closed a month [003]'),
    "telesales_trainee_unclosed_per_month": N_(
        'trainee telesales: {telesales_trainee_unclosed_per_month} unclosed a month [003]'),
    "telesales_trainee_basis": N_(
        '[003] 「见习TSR成交录音每月抽听3通,未成交录音2通」 does not say who is a trainee. Two '
        'readings. new_hire_days: hired within {new_hire_days} days; probation: still in the '
        '{probation_months}-month probation. The centre\'s choice; floor\'s default '
        'new_hire_days; now {telesales_trainee_basis}'),
    "compliance_month_basis": N_(
        '[003, compliance] 「二级违规行为,必须完善或补充录音, 当月未补一条按一级违规处罚一次」. '
        'Two readings. calendar: 「当月」 is the calendar month; cycle: the telesales cycle, day '
        '{telesales_cycle_start_day} of last month to the day before it this month. The '
        'centre\'s choice; floor\'s default calendar; now {compliance_month_basis}'),
    "telesales_cycle_start_day": N_(
        'cycle: day {telesales_cycle_start_day} of last month to '
        'the day before it this month [003]'),
    "rest_days_per_month": N_(
        'agents and complaint handlers: exactly {rest_days_per_month} rest days a month'),
    "manager_rest_days_per_week": N_('managers: {manager_rest_days_per_week} rest day(s) a week'),
    "agents_on_phones": N_(
        'agents needed on D each day; 0 = 80 % of agents (now {agents_on_phones})'),
    "max_days_without_rest": N_(
        'fairness: at most {max_days_without_rest} days in a row without rest'),
    "meeting_times": N_('pre-shift meeting times Mon..Sun'),
    "friday_study_time": N_('Friday study from {friday_study_time}'),
    "friday_study_end": N_(
        "the centre's: off the phones until {friday_study_end} ([004] gives no end)"),
    "max_complaint_seats": N_('complaint seats: at most {max_complaint_seats} handlers at once'),
    "phone_fire": N_('fire brigade number ({phone_fire})'),
    "phone_ambulance": N_('ambulance number ({phone_ambulance})'),
    "phone_superior": N_("the direct superior's number, set per centre"),
    "phone_fire_safety_officer": N_("the fire safety officer's number, set per centre"),
    "role_rights": N_('what each role may do (issue #19)'),
}


def _percent(value: object) -> str:
    try:
        number = Decimal(str(value)) * 100
    except (InvalidOperation, ValueError):
        return str(value)
    return f"{number.normalize():f}"


def note(key: str, values: dict[str, str]) -> str:
    """The note of ``key`` in the interface language, the policy's current values filled in
    (``values``: every key's value as shown); "" for a key without a note."""
    text = NOTES.get(key)
    if not text:
        return ""
    filled = dict(values)
    filled.update({f"{name}_pct": _percent(value) for name, value in values.items()})
    try:
        return _(text).format_map(filled)
    except (KeyError, ValueError, IndexError):  # a translation naming a value that is not there
        return text.format_map(filled)
