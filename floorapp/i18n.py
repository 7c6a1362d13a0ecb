"""Chinese and English interface: standard gettext catalogues, one domain per feature.

May import: other basics only (policy, roles, i18n, clock, money, errors, text); never rules,
formats, services, the CLI, screens, the store or Textual.

The language is ``--lang zh|en``, else ``$FLOOR_LANG``, else the locale (``LC_ALL``,
``LC_MESSAGES``, ``LANG``: anything starting ``zh`` is Chinese), else English. Source strings are
English; the Chinese catalogues live in ``floorapp/locale/zh_CN/LC_MESSAGES/<domain>.po`` with
their compiled ``.mo`` beside them. ``python -m floorapp.i18n_tools update`` extracts every
``_()`` string into its domain's catalogue, ``… compile`` writes the ``.mo`` files, and
``tests/i18n/test_i18n.py`` fails when a string has no translation or a ``.mo`` is stale.

Rules for the code: wrap every string a user sees in ``_()`` where it is *used* (``_()`` at
import time runs before ``--lang`` is known, except in ``screens/``, which the CLI imports only
after choosing the language); mark module-level constants with ``N_()`` and translate them at
use, ``_(CONSTANT)``; put values in with ``.format``/``%`` after translating, never inside the
msgid (``_("{n} staff added").format(n=added)``).
"""

from __future__ import annotations

import datetime as dt
import gettext
import os
import sys
from decimal import ROUND_HALF_UP, Decimal
from fnmatch import fnmatch
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("en", "zh")

# Which catalogue a source file's strings go to (first match wins), so each feature keeps its
# own catalogue. Paths are relative to the project root.
DOMAINS: dict[str, tuple[str, ...]] = {
    "attendance": ("floorapp/rules/attendance.py", "floorapp/services/attendance.py",
                   "screens/attendance.py", "screens/attendance_entry.py",
                   "screens/attendance_month.py", "floorapp/services/attendance_*.py"),
    "quota": ("floorapp/rules/quota.py", "floorapp/rules/quota_entry.py",
              "floorapp/services/quota.py", "screens/quota.py",
              "screens/summary.py", "screens/widgets/quota_*.py", "floorapp/services/quota_*.py",
              "floorapp/services/campaigns.py"),
    "monitoring": ("floorapp/rules/monitoring/__init__.py",
                   "floorapp/rules/monitoring/copc.py", "floorapp/rules/monitoring/deadlines.py",
                   "floorapp/rules/monitoring/names.py", "floorapp/rules/monitoring/plan.py",
                   "floorapp/rules/monitoring/scorecards.py",
                   "floorapp/rules/monitoring/scoring.py", "floorapp/cli/qa.py",
                   "floorapp/services/monitoring.py", "floorapp/services/qa_calibration.py",
                   "floorapp/services/qa_compliance.py", "floorapp/services/qa_demo.py",
                   "floorapp/services/qa_entry.py", "floorapp/services/qa_feedback.py",
                   "floorapp/services/qa_plan.py", "floorapp/services/qa_records.py",
                   "floorapp/services/qa_report.py", "floorapp/services/qa_review.py",
                   "floorapp/services/qa_sampling.py", "screens/monitoring.py",
                   "screens/monitoring_entry.py", "screens/monitoring_panes.py",
                   "screens/widgets/qa_*.py"),
    "roster": ("floorapp/rules/roster/*.py", "floorapp/cli/roster.py", "floorapp/services/roster.py",
               "screens/roster*.py"),
    "pay": ("floorapp/rules/pay.py", "floorapp/services/pay.py", "floorapp/cli/pay.py",
            "screens/pay*.py"),
    "emergency": ("floorapp/rules/emergency.py", "floorapp/rules/checklists.py",
                  "floorapp/formats/checklists.py",
                  "floorapp/services/emergency.py", "floorapp/services/emergency_demo.py",
                  "screens/emergency*.py"),
    # real data in and out (SPEC §11): the time clock, the phone system, Excel
    "data": ("floorapp/rules/punches.py", "floorapp/services/punches.py", "floorapp/formats/cdr.py",
             "floorapp/services/cdr.py", "floorapp/services/cdr_follow.py", "floorapp/formats/xlsx.py"),
    # the floor on the wall (SPEC §13): the wallboard and the reports' Excel charts
    "wallboard": ("floorapp/wallboard.py", "floorapp/cli/wallboard.py", "floorapp/services/board.py",
                  "floorapp/formats/report_charts.py"),
    "floor": ("floorapp/*.py", "floorapp/services/*.py", "screens/*.py", "screens/widgets/*.py"),
}

_translation: gettext.NullTranslations = gettext.NullTranslations()
_by_domain: dict[str, gettext.NullTranslations] = {}
_file_domains: dict[str, str | None] = {}
_language = "en"
_ROOT = Path(__file__).resolve().parent.parent


def domain_of(relative_path: str) -> str | None:
    """The catalogue a source file belongs to (None: not a user-facing source file)."""
    for domain, patterns in DOMAINS.items():
        if any(fnmatch(relative_path, pattern) for pattern in patterns):
            return domain
    return None


def choose(explicit: str | None = None) -> str:
    """'zh' or 'en' from --lang, $FLOOR_LANG, then the locale variables."""
    for value in (explicit, os.environ.get("FLOOR_LANG"), os.environ.get("LC_ALL"),
                  os.environ.get("LC_MESSAGES"), os.environ.get("LANG")):
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def set_language(language: str) -> None:
    """Switch every catalogue to ``language`` ('zh' or 'en')."""
    global _translation, _language
    if language not in LANGUAGES:
        language = "en"
    _language = language
    _by_domain.clear()
    if language == "en":
        _translation = gettext.NullTranslations()
        return
    chain: gettext.NullTranslations | None = None
    for domain in DOMAINS:
        _by_domain[domain] = gettext.translation(domain, LOCALE_DIR, languages=["zh_CN"],
                                                 fallback=True)
        found = gettext.translation(domain, LOCALE_DIR, languages=["zh_CN"], fallback=True)
        if chain is None:
            chain = found
        else:
            chain.add_fallback(found)
    _translation = chain or gettext.NullTranslations()


def language() -> str:
    return _language


def _caller_catalogue() -> gettext.NullTranslations | None:
    """The catalogue of the module that called _(): a short word ("done", "id") may read
    differently in two features, and each feature's own translation comes first."""
    filename = sys._getframe(2).f_globals.get("__file__") or ""
    if filename not in _file_domains:
        try:
            relative = str(Path(filename).resolve().relative_to(_ROOT))
        except ValueError:
            relative = ""
        _file_domains[filename] = domain_of(relative) if relative else None
    domain = _file_domains[filename]
    return _by_domain.get(domain) if domain else None


def _(message: str) -> str:
    """The message in the interface language (the calling feature's catalogue first)."""
    if _language == "en":
        return message
    own = _caller_catalogue()
    if own is not None:
        text = own.gettext(message)
        if text != message:
            return text
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    if _language == "en":
        return singular if n == 1 else plural
    own = _caller_catalogue()
    if own is not None:
        text = own.ngettext(singular, plural, n)
        if text not in (singular, plural):
            return text
    return _translation.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Marks a constant for the catalogue; translate it where it is shown: ``_(CONSTANT)``."""
    return message


WEEKDAYS_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


def fmt_date(day: dt.date) -> str:
    """'11月22日 周日' in Chinese, 'Sun 22 Nov' in English."""
    if _language == "zh":
        return f"{day.month}月{day.day}日 {WEEKDAYS_ZH[day.weekday()]}"
    return f"{day:%a} {day.day} {day:%b}"


def fmt_month(year: int, month: int) -> str:
    """'2026年11月' or 'Nov 2026'."""
    if _language == "zh":
        return f"{year}年{month}月"
    return dt.date(year, month, 1).strftime("%b %Y")


def fmt_money(amount: Decimal) -> str:
    """'¥1,200.00' (half-up to the fen, grouped thousands) in both languages."""
    value = Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "-" if value < 0 else ""
    return f"{sign}¥{abs(value):,.2f}"


set_language(choose())
