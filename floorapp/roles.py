"""The roles on the floor and what each may do by default: the policy's ``role_rights`` table.

May import: other basics only (policy, roles, i18n, clock, money, errors, text); never rules,
formats, services, the CLI, screens, the store or Textual.
"""

from __future__ import annotations

from collections.abc import Iterable

from floorapp.i18n import N_, _

ROLES = ("agent", "complaint", "monitor", "lead", "manager")
# shown as _(ROLE_NAMES[role])
ROLE_NAMES = {
    "agent": N_("outbound agent (外呼坐席)"),
    "complaint": N_("complaint handler (投诉处理)"),
    "monitor": N_("QA monitor (质检员)"),
    "lead": N_("floor supervisor (班长)"),
    "manager": N_("manager (主管)"),
}

# action -> what it lets you do, shown as _(ACTIONS[action])
ACTIONS: dict[str, str] = {
    "qa.score": N_("score calls, plan monitoring, load scorecards (监控/质检)"),
    "qa.feedback": N_("record QA feedback"),
    "qa.dispute": N_("record and review QA disputes"),
    "attendance.record": N_("record attendance and leave (考勤)"),
    "quota.record": N_("record call counts and campaigns (外呼量)"),
    "roster.edit": N_("change rosters: generate, edit, swap, call in (排班)"),
    "handover.record": N_("record shift handovers"),
    "emergency.run": N_("run emergency checklists (突发事件)"),
    "coaching.record": N_("record coaching"),
    "policy.change": N_("change the policy"),
    "staff.change": N_("change the staff register"),
    "pay.view": N_("see pay"),
    "pay.special": N_("set the pay sheet's special circumstances"),
    "pay.publish": N_("mark the pay sheet published"),
}

MANAGER_ONLY = frozenset({"policy.change", "staff.change", "pay.view", "pay.special",
                          "pay.publish"})
MANAGER = "manager"

_MONITOR = ["qa.score", "qa.feedback", "qa.dispute"]


def default_role_rights() -> dict[str, list[str]]:
    """The policy's default ``role_rights`` (issue #19); a manager is not in it: it may all."""
    return {
        "monitor": list(_MONITOR),  # 质检员: monitoring and QA, read the rest
        # 班长: attendance, quota, roster, handover, emergency, coaching + a monitor's part
        "lead": ["attendance.record", "quota.record", "roster.edit", "handover.record",
                 "emergency.run", "coaching.record", *_MONITOR],
        "agent": [],
        "complaint": [],
    }


def check_role_rights(table: object, roles: Iterable[str]) -> str | None:
    """Why ``table`` cannot be a ``role_rights`` policy value, or None."""
    if not isinstance(table, dict):
        return _("role_rights must map roles to lists of actions")
    known_roles = [r for r in roles if r != MANAGER]
    for role, actions in table.items():
        if role == MANAGER:
            return _("role_rights: a manager may do everything; leave it out of the table")
        if role not in known_roles:
            return _("role_rights: unknown role {role!r} (roles: {roles})").format(
                role=role, roles=", ".join(known_roles))
        if not isinstance(actions, list):
            return _("role_rights: {role} must have a list of actions").format(role=role)
        for action in actions:
            if action not in ACTIONS:
                return _("role_rights: unknown action {action!r} (actions: {actions})").format(
                    action=action, actions=", ".join(ACTIONS))
            if action in MANAGER_ONLY:
                return _("role_rights: only managers may {what} ({action})").format(
                    what=_(ACTIONS[action]), action=action)
    return None
