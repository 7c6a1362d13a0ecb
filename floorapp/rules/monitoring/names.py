"""How monitoring codes are shown to people: the modes, a slot's status, a calibration flag,
the verdict after a score and a date, in the interface language (SPEC §6).

May import: the basics (policy, roles, i18n, clock, money, errors, text) and other rules; never
formats, services, the CLI, screens, the store, TinyDB or Textual.
"""

from __future__ import annotations

import datetime as dt

from floorapp.i18n import N_, _, fmt_date, language

MODES = ("side_by_side", "live", "recording")
# Mode names shown to people (the codes above stay in the store, CSV and JSON).
MODE_NAMES = {"side_by_side": N_("side-by-side 即席"), "live": N_("live 实时"),
              "recording": N_("recording 录音")}
STATUS_NAMES = {"done": N_("done"), "due": N_("due"), "overdue": N_("overdue")}
FLAG_NAMES = {"high": N_("high"), "low": N_("low"), "inconsistent": N_("inconsistent")}


def day_text(day: dt.date) -> str:
    """A date shown to people: '11月20日 周五' in Chinese, ISO (as always) in English."""
    return fmt_date(day) if language() == "zh" else day.isoformat()


def mode_name(mode: str) -> str:
    return _(MODE_NAMES[mode]) if mode in MODE_NAMES else mode


def status_name(status: str) -> str:
    return _(STATUS_NAMES[status]) if status in STATUS_NAMES else status


def flag_name(flag: str) -> str:
    return _(FLAG_NAMES[flag]) if flag in FLAG_NAMES else flag


def verdict(passed: bool | None) -> str:
    """PASS, FAIL, or "no pass mark" when the scorecard has none set."""
    return verdict_word(passed) or _("no pass mark")


def verdict_word(passed: bool | None) -> str:
    """What follows a score: PASS or FAIL, or nothing where there is no verdict (no pass
    mark set on the card and no critical item): the score stands alone."""
    if passed is None:
        return ""
    return _("PASS") if passed else _("FAIL")
