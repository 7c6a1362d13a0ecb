"""Reading CSV files for imports: every problem becomes a ``FILE:LINE: reason`` line.

May import: the basics and the rules; never services, the CLI, screens, the store, TinyDB or
Textual.

Imports are all-or-nothing: a service parses and checks every row first, collecting errors, and
writes only when there are none. The files themselves (UTF-8 or GB18030 text, .xlsx sheets) are
read by ``formats/import_files.py``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from floorapp.errors import FloorError, ImportRejected
from floorapp.formats.import_files import read_source
from floorapp.i18n import _

_HHMM = re.compile(r"^(\d{1,2}):(\d{2})$")
# Sanity bounds, not business rules: far above any real day's count or any monthly pay, far
# inside what JSON, Decimal and the store hold exactly. A value past them is a typo.
MAX_COUNT_DIGITS = 9  # a count of a billion calls in a day is a typo
MAX_MONEY = Decimal("99999999.99")  # pay of a hundred million a month is a typo
EARLIEST_YEAR, LATEST_YEAR = 1900, 2199  # a date outside is a typo (9999-12-31 overflows)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PLAIN = re.compile(r"^-?\d+(\.\d+)?$")  # a plain decimal number: no exponent, no sign but -


class Errors:
    """Collects ``FILE:LINE: reason`` lines; ``check()`` raises them all at once."""

    def __init__(self, path: str | Path) -> None:
        self.name = str(path)
        self.lines: list[str] = []

    def add(self, line: int, reason: str) -> None:
        self.lines.append(f"{self.name}:{line}: {reason}")

    def __bool__(self) -> bool:
        return bool(self.lines)

    def check(self) -> None:
        if self.lines:
            raise ImportRejected(self.lines)


def read_rows(
    path: str | Path, required: list[str], optional: list[str] | None = None
) -> tuple[list[tuple[int, dict[str, str]]], Errors]:
    """Rows of a CSV file as (line number, {column: stripped text}), with the errors found.

    The header must hold every required column; unknown columns are refused (a typo in a
    header would otherwise drop data silently).
    """
    optional = optional or []
    errors = Errors(path)
    source = read_source(path)
    errors.name = source.name
    reader = source.reader()
    try:
        header = next(reader)
    except StopIteration:
        errors.add(1, _("empty file: expected a header line {header}").format(
            header=",".join(required)))
        return [], errors
    header = [h.strip().lower() for h in header]
    missing = [c for c in required if c not in header]
    unknown = [c for c in header if c not in required and c not in optional]
    duplicated = sorted({c for c in header if header.count(c) > 1})
    if missing:
        errors.add(1, _("missing column(s): {columns}").format(columns=", ".join(missing)))
    if unknown:
        errors.add(1, _("unknown column(s): {columns}").format(columns=", ".join(unknown)))
    if duplicated:
        errors.add(1, _("column(s) given twice: {columns}").format(
            columns=", ".join(duplicated)))
    if errors:
        return [], errors
    rows = []
    end = reader.line_num
    try:
        for fields in reader:
            start, line, end = end + 1, reader.line_num, reader.line_num
            if not any(f.strip() for f in fields):
                continue
            if any("\n" in f or "\r" in f for f in fields):
                errors.add(start, _("a quoted field holds a line break (a cell typed over two "
                                   "lines?): fix the cell; nothing is joined silently"))
                continue
            if len(fields) != len(header):
                errors.add(line, _("expected {expected} fields, found {found}").format(
                    expected=len(header), found=len(fields)))
                continue
            rows.append((line, {h: f.strip() for h, f in zip(header, fields)}))
    except csv.Error as exc:
        errors.add(reader.line_num, _("not valid CSV ({reason})").format(reason=exc))
    if not rows and not errors:
        errors.add(2, _("no data rows"))
    return rows, errors


def csv_records(text: str) -> Iterator[list[str]]:
    """CSV records of a decoded file. Only CR/LF end a row: U+2028, form feeds and the other
    characters ``str.splitlines`` would split on stay inside their cell. A quoted field may
    still hold a line break here; ``read_rows`` refuses it by the row's line number."""
    return csv.reader(io.StringIO(text, newline=""))


def _shown(text: str, limit: int = 24) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def parse_date(text: str, column: str = "date") -> dt.date:
    if not _DATE.match(text):
        raise ValueError(_("{column} {text!r} is not a date (YYYY-MM-DD)").format(
            column=column, text=_shown(text)))
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(_("{column} {text} is not a real date").format(
            column=column, text=text)) from None
    if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
        raise ValueError(_("{column} {text} is out of range ({low}–{high})").format(
            column=column, text=text, low=EARLIEST_YEAR, high=LATEST_YEAR))
    return day


def check_not_after(day: dt.date, latest: dt.date, column: str = "date") -> dt.date:
    """A date that cannot be in the future (a punch, an evaluation): refused after ``latest``."""
    if day > latest:
        raise ValueError(_("{column} {day} is after {latest}: a record of the future").format(
            column=column, day=day.isoformat(), latest=latest.isoformat()))
    return day


def parse_month(text: str) -> tuple[int, int]:
    match = re.match(r"^(\d{4})-(\d{2})$", text or "")
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise FloorError(_("month {text!r} is not YYYY-MM").format(text=text))
    if not EARLIEST_YEAR <= int(match.group(1)) <= LATEST_YEAR:
        raise FloorError(_("month {text} is out of range ({low}–{high})").format(
            text=text, low=EARLIEST_YEAR, high=LATEST_YEAR))
    return int(match.group(1)), int(match.group(2))


def parse_hhmm(text: str, column: str = "time") -> dt.time:
    match = _HHMM.match(text)
    if not match:
        raise ValueError(_("{column} {text!r} is not a time (HH:MM)").format(
            column=column, text=text))
    hours, minutes = int(match.group(1)), int(match.group(2))
    if hours > 23 or minutes > 59:
        raise ValueError(_("{column} {text} is not a time of day (00:00–23:59)").format(
            column=column, text=text))
    return dt.time(hours, minutes)


def parse_count(text: str, column: str) -> int:
    if not re.match(r"^\d+$", text):
        if re.match(r"^-\d+$", text):
            raise ValueError(_("{column} {text} is negative").format(
                column=column, text=_shown(text)))
        raise ValueError(_("{column} {text!r} is not a whole number").format(
            column=column, text=_shown(text)))
    if len(text.lstrip("0")) > MAX_COUNT_DIGITS:
        raise ValueError(_("{column} {text} is too large (at most {digits} digits)").format(
            column=column, text=_shown(text), digits=MAX_COUNT_DIGITS))
    return int(text)


def parse_money(text: str, column: str) -> Decimal:
    """A plain amount (``1200``, ``1200.50``): never an exponent (``1e3`` would be kept and
    shown as ``1E+3``)."""
    try:
        value = Decimal(text) if len(text) <= 40 else Decimal("NaN")
    except InvalidOperation:
        raise ValueError(_("{column} {text!r} is not an amount").format(
            column=column, text=_shown(text))) from None
    if value.is_finite() and not _PLAIN.match(text):
        raise ValueError(_("{column} {text!r} is not a plain amount (digits, e.g. 1200.50)"
                           ).format(column=column, text=_shown(text)))
    if not value.is_finite() or value < 0:
        raise ValueError(_("{column} {text} must be zero or more").format(
            column=column, text=_shown(text)))
    if value > MAX_MONEY:
        raise ValueError(_("{column} {text} is too large (at most {most})").format(
            column=column, text=_shown(text), most=MAX_MONEY))
    if value != value.quantize(Decimal("0.01")):
        raise ValueError(_("{column} {text} has more than two decimals").format(
            column=column, text=text))
    return value


# ------------------------------------------------------------------- writing CSV
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")
_FORMULA_LEAD = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def neutralise(cell: object) -> str:
    """A CSV cell a spreadsheet will show, never run (SPEC §3): text starting with = + - @, a
    tab or a carriage return gets a leading apostrophe; plain numbers (-5, +1.5) stay numbers."""
    text = "" if cell is None else str(cell)
    if text.startswith(_FORMULA_LEAD) and not _NUMBER.match(text):
        return "'" + text
    return text


def csv_text(headers: list[str], rows: list[list[object]]) -> str:
    """A CSV export: UTF-8 BOM first (Excel then reads Chinese names right), every cell
    neutralised, headers as given (machine-read column names stay English)."""
    buffer = io.StringIO()
    # CRLF, as Excel writes it: the writer then quotes a cell holding either line-break character
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in headers])
    for row in rows:
        writer.writerow([neutralise(v) for v in row])
    return BOM + buffer.getvalue()


# ------------------------------------------------------------------- reading JSON
def load_json_file(path: str | Path) -> Any:
    """A JSON file a user gives (template, checklist, policy): every way it can be bad is a
    FloorError ``FILE:LINE: reason`` (exit 2), never an internal error: broken syntax, nesting
    too deep, an integer of thousands of digits, a number too large to be a float."""
    try:
        text = Path(path).read_text("utf-8-sig")
    except FileNotFoundError:
        raise FloorError(_("{path}: no such file").format(path=path)) from None
    except UnicodeDecodeError as exc:
        raise FloorError(_("{path}: not UTF-8 text (byte {byte})").format(
            path=path, byte=exc.start)) from None
    except OSError as exc:
        raise FloorError(_("{path}: cannot be read ({reason})").format(
            path=path, reason=exc.strerror)) from None
    return loads_json(text, str(path))


def loads_json(text: str, where: str) -> Any:
    """``json.loads`` of a user's file named ``where``, every failure a FloorError."""
    import json

    def finite(number: str) -> float:
        value = float(number)
        if value in (float("inf"), float("-inf")):
            raise ValueError(_("the number {text} is too large").format(text=_shown(number)))
        return value

    try:
        return json.loads(text, parse_float=finite, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise FloorError(_("{path}:{line}: not valid JSON ({reason})").format(
            path=where, line=exc.lineno, reason=exc.msg)) from None
    except RecursionError:
        raise FloorError(_("{path}:1: nested too deep to be a floor file").format(
            path=where)) from None
    except ValueError as exc:  # an integer past Python's digit limit, an infinite float
        reason = str(exc).split(":")[0]
        raise FloorError(_("{path}:1: {reason}").format(path=where, reason=reason)) from None


def _no_constant(name: str) -> Any:
    raise ValueError(_("{name} is not a number").format(name=name))
