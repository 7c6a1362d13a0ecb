"""Chinese and English: the catalogues are complete and compiled, the language is chosen as
documented, dates and money are formatted for the language."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from floorapp import i18n
from floorapp.i18n import DOMAINS

tools = pytest.importorskip("floorapp.i18n_tools")


@pytest.mark.parametrize("domain", list(DOMAINS))
def test_every_user_visible_string_has_a_chinese_translation(domain: str) -> None:
    assert tools.missing(domain) == [], (
        f"untranslated in {tools.po_path(domain).name}: run "
        "`python -m floorapp.i18n_tools update` and translate the empty msgstr lines")


@pytest.mark.parametrize("domain", list(DOMAINS))
def test_compiled_catalogues_are_up_to_date(domain: str) -> None:
    po = tools.po_path(domain)
    if not po.exists():
        pytest.skip("no catalogue yet")
    mo = po.with_suffix(".mo")
    assert mo.exists() and mo.read_bytes() == tools.compiled(domain), (
        f"{mo.name} is stale: run `python -m floorapp.i18n_tools compile`")


@pytest.mark.parametrize(
    "explicit, env, expected",
    [("zh", {}, "zh"), ("en", {"LANG": "zh_CN.UTF-8"}, "en"),
     (None, {"FLOOR_LANG": "zh"}, "zh"), (None, {"LANG": "zh_CN.UTF-8"}, "zh"),
     (None, {"LC_ALL": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"), (None, {}, "en")],
    ids=["flag", "flag-beats-locale", "floor-lang", "lang-zh", "lc-all-first", "default-en"],
)
def test_choose_the_language(monkeypatch, explicit, env, expected) -> None:
    for name in ("FLOOR_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert i18n.choose(explicit) == expected


def test_dates_and_money_for_the_language() -> None:
    sunday = dt.date(2026, 11, 22)
    assert i18n.fmt_date(sunday) == "Sun 22 Nov"
    assert i18n.fmt_money(Decimal("1200")) == "¥1,200.00"
    assert i18n.fmt_money(Decimal("55.172413")) == "¥55.17"
    i18n.set_language("zh")
    assert i18n.fmt_date(sunday) == "11月22日 周日"
    assert i18n.fmt_month(2026, 11) == "2026年11月"
    assert i18n.fmt_money(Decimal("-8.005")) == "-¥8.01"
