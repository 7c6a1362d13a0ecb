"""Reports as data, rendered as a table (tabulate), JSON or CSV (SPEC §9).

May import: the basics and the rules; never services, the CLI, screens, the store, TinyDB or
Textual.

A feature builds a ``Report``: the JSON object of the SPEC contract, and one or more tables for
people to read. ``render`` turns it into text; the CLI prints it, the summary screen shows the
same tables, and CSV export writes the first (main) table.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import orjson

from floorapp.errors import FloorError
from floorapp.i18n import _

FORMATS = ("table", "json", "csv", "xlsx")


@dataclass
class Table:
    headers: list[str]
    rows: list[list[Any]]
    title: str = ""
    # CSV export's header when ``headers`` are translated for people (machine-read: English)
    csv_headers: list[str] | None = None
    # Excel column kinds (floorapp.formats.xlsx.FORMATS); None: inferred from the values
    kinds: list[str] | None = None


@dataclass
class Report:
    title: str
    data: dict[str, Any]
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def render(report: Report, fmt: str) -> str:
    if fmt == "json":
        try:  # the same text as json.dumps(…, ensure_ascii=False, indent=2), faster
            return orjson.dumps(report.data, option=orjson.OPT_INDENT_2).decode()
        except TypeError:  # a value orjson does not take (a huge int): the standard library
            return json.dumps(report.data, ensure_ascii=False, indent=2)
    if fmt == "csv":
        return to_csv(report.tables[0] if report.tables else Table([], []))
    if fmt == "table":
        parts = [report.title, ""]
        for table in report.tables:
            if table.title:
                parts.append(table.title)
            if table.rows:
                from tabulate import tabulate  # only here: it costs a JSON report 0.1 s to load

                parts.append(tabulate(table.rows, headers=table.headers, tablefmt="simple",
                                      disable_numparse=True))
            else:
                parts.append(_("(none)"))
            parts.append("")
        parts.extend(report.notes)
        return "\n".join(parts).rstrip() + "\n"
    if fmt == "xlsx":
        raise FloorError(_("--format xlsx writes a workbook: add --output FILE.xlsx"))
    raise FloorError(_("unknown format {fmt!r}: use one of {formats}").format(
        fmt=fmt, formats=", ".join(FORMATS)))


def to_csv(table: Table) -> str:
    from floorapp.formats.csvio import csv_text

    return csv_text(table.csv_headers or table.headers, table.rows)


def extend_month_report(floor, report: Report, year: int, month: int) -> Report:  # noqa: ANN001
    """Let the quota and monitoring services add their month sections (ranking, guarantee tier,
    interview list; QA means and calibration flags) to the attendance month report.

    A service that offers ``month_extension(year, month) -> (data: dict, tables: list[Table])``
    adds its JSON keys beside ``month``/``staff`` and its tables after the attendance table.
    """
    for name in ("quota", "monitoring"):
        service = getattr(floor, name, None)
        extension = getattr(service, "month_extension", None)
        if extension is not None:
            data, tables = extension(year, month)
            report.data.update(data)
            report.tables.extend(tables)
    return report


def staff_report(floor) -> Report:  # noqa: ANN001 - Floor, avoided import cycle
    """The staff registry: who is on the floor, by role and team."""
    people = floor.staff()
    pay = floor.pay_visible()  # base pay only for those who may see pay (issue #19)
    rows = [[s.id, s.name, s.role, s.team, s.seat, s.hired.isoformat()]
            + ([str(s.base_pay if s.base_pay is not None else "")] if pay else [])
            + [s.clock_id, s.extension]
            for s in people]
    data = {"staff": [dict(s.to_record(), **({"base_pay": str(s.base_pay)} if pay else {}))
                      for s in people]}
    counts: dict[str, int] = {}
    for s in people:
        counts[s.role] = counts.get(s.role, 0) + 1
    notes = [", ".join(f"{role}: {n}" for role, n in sorted(counts.items()))] if counts else []
    columns = ["id", "name", "role", "team", "seat", "hired"] + (["base_pay"] if pay else []) \
        + ["clock_id", "extension"]
    headers = [_("id"), _("name"), _("role"), _("team"), _("seat"), _("hired")] \
        + ([_("base pay")] if pay else []) + [_("clock id"), _("extension")]
    return Report(
        title=_("Staff ({n})").format(n=len(people)),
        data=data,
        tables=[Table(headers, rows, csv_headers=columns,
                      kinds=["text", "text", "text", "text", "text", "date", "money",
                             "text", "text"])],
        notes=notes,
    )
