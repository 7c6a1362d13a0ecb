"""Reading CSV files for imports: every problem becomes a ``FILE:LINE: reason`` line.

Imports are all-or-nothing: a service parses and checks every row first, collecting errors, and
writes only when there are none.
"""

from __future__ import annotations

import csv
import io
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from floorapp.errors import FloorError, ImportRejected
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


# ------------------------------------------------------------ reading files (SPEC §11)
# The bytes of an import file become rows here; the functions above check the rows.
# UTF-8 (with or without BOM) and GB18030/GBK text are told apart by strict decoding, and
# .xlsx sheets are read with openpyxl (see the README, "Bringing your data").

XLSX_SUFFIXES = (".xlsx", ".xlsm")
# Input bounds of an .xlsx import, checked before openpyxl expands anything (issue #31: a
# 311 KB file expanded to 650 MB): the file, the sum of its parts' declared sizes once
# unpacked, and how many parts it has.
XLSX_MAX_BYTES = 64 * 1024 * 1024
XLSX_MAX_MEMBERS = 512
_sheet_choice: ContextVar[str | None] = ContextVar("floor_import_sheet", default=None)


@contextmanager
def sheet(name: str | None) -> Iterator[None]:
    """Read .xlsx imports from the sheet ``name`` (``--sheet``) instead of the first one."""
    token = _sheet_choice.set(name)
    try:
        yield
    finally:
        _sheet_choice.reset(token)


@dataclass
class Source:
    """An import file read into memory: CSV text or a sheet's rows; ``name`` heads its errors."""

    name: str
    text: str | None = None
    sheet_rows: list[tuple[int, list[str]]] | None = None

    def reader(self) -> Iterator[list[str]]:
        """Rows of fields with ``line_num`` the file line (CSV) or the sheet row (xlsx)."""
        if self.sheet_rows is not None:
            return _SheetReader(self.sheet_rows)
        return csv.reader(io.StringIO(self.text or "", newline=""))


class _SheetReader:
    """A sheet's rows with the csv reader's ``line_num``: the row number Excel shows."""

    def __init__(self, rows: list[tuple[int, list[str]]]) -> None:
        self._rows = iter(rows)
        self.line_num = 0

    def __iter__(self) -> _SheetReader:
        return self

    def __next__(self) -> list[str]:
        self.line_num, fields = next(self._rows)
        return fields


def read_source(path: str | Path) -> Source:
    """An import file as a Source: .xlsx by its name, otherwise text (UTF-8 or GB18030)."""
    path = Path(path)
    if path.suffix.lower() == ".xls":
        raise FloorError(_("{path}: an old Excel .xls file; save it as .xlsx or CSV").format(
            path=path))
    if path.suffix.lower() in XLSX_SUFFIXES:
        try:
            size = path.stat().st_size
        except OSError:
            size = 0  # read_bytes says why
        if size > XLSX_MAX_BYTES:
            raise FloorError(_("{path}: {size} bytes; an .xlsx import is at most {most} bytes"
                               ).format(path=path, size=size, most=XLSX_MAX_BYTES))
    data = read_bytes(path)
    if path.suffix.lower() in XLSX_SUFFIXES or data[:4] == b"PK\x03\x04":
        name, rows = xlsx_rows(path, data, _sheet_choice.get())
        return Source(name=name, sheet_rows=rows)
    if _sheet_choice.get():
        raise FloorError(_("{path}: --sheet is for .xlsx files").format(path=path))
    return Source(name=str(path), text=decode_text(data, path))


def read_bytes(path: str | Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise FloorError(_("{path}: no such file").format(path=path)) from None
    except IsADirectoryError:
        raise FloorError(_("{path}: is a directory, not a CSV file").format(path=path)) from None
    except OSError as exc:
        raise FloorError(_("{path}: cannot be read ({reason})").format(
            path=path, reason=exc.strerror)) from None


# A GB18030 decoding is believed only when it reads like Chinese text: at least this share of
# its non-ASCII characters are common ones — GB2312's level-1 hanzi (the 3,755 that make up
# over 99 % of Chinese text) and its punctuation. Text in another 8-bit encoding decodes as
# GB18030 too, but into rare characters (Latin and Cyrillic letters land in level 2 or outside
# GB2312), so garbage is refused instead of imported.
GB_COMMON_SHARE = 0.8


def decode_text(data: bytes, path: str | Path) -> str:
    """UTF-8 (BOM or not), else GB18030/GBK when it reads as Chinese; else FloorError naming
    the line where the file stops being either."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FloorError(_("{path}: UTF-16 text; save it as CSV UTF-8 or .xlsx").format(
            path=path))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        utf8_problem = exc.start
    text, where = _decode_gb(data)
    if text is not None:
        return text
    position = utf8_problem if where is None else max(utf8_problem, where)
    line = data.count(b"\n", 0, position) + 1
    raise FloorError(_("{path}:{line}: neither UTF-8 nor GBK/GB18030 text (byte {byte} "
                       "is 0x{value:02x}); save it as CSV UTF-8 or .xlsx").format(
        path=path, line=line, byte=position, value=data[position] if position < len(data)
        else 0))


def _decode_gb(data: bytes) -> tuple[str | None, int | None]:
    """(text, None) when ``data`` is believable GB18030; else (None, byte offset of the first
    line that is not)."""
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as exc:
        return None, exc.start
    common = rare = 0
    first_rare: int | None = None
    for index, char in enumerate(text):
        if ord(char) < 0x80:
            if char < " " and char not in "\t\r\n":
                first_rare = index if first_rare is None else first_rare
                rare += 1
            continue
        if _in_gb2312(char):
            common += 1
            continue
        rare += 1
        if first_rare is None:
            first_rare = index
        if 0xE000 <= ord(char) <= 0xF8FF or not _in_gbk(char):
            # a private-use or a four-byte GB18030 character: not what Excel or WPS write
            return None, len(text[:index].encode("gb18030"))
    if common + rare and common / (common + rare) < GB_COMMON_SHARE:
        offset = len(text[:first_rare].encode("gb18030")) if first_rare is not None else 0
        return None, offset
    return text, None


def _in_gb2312(char: str) -> bool:
    """A common character: GB2312 punctuation and symbols (rows 1–9) or a level-1 hanzi."""
    try:
        lead = char.encode("gb2312")[0]
    except UnicodeEncodeError:
        return False
    return lead <= 0xA9 or 0xB0 <= lead <= 0xD7


def _in_gbk(char: str) -> bool:
    try:
        char.encode("gbk")
    except UnicodeEncodeError:
        return False
    return True


def xlsx_rows(
    path: str | Path, data: bytes, sheet_name: str | None = None
) -> tuple[str, list[tuple[int, list[str]]]]:
    """(error name ``FILE[SHEET]``, [(sheet row number, cell texts)]) of the first sheet or
    ``sheet_name``. Empty rows are left out; row numbers stay the ones Excel shows."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    check_xlsx_size(path, data)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise FloorError(_("{path}: not a readable .xlsx workbook ({reason})").format(
            path=path, reason=type(exc).__name__)) from None
    try:
        if sheet_name is None:
            sheet_ = book.worksheets[0]
        elif sheet_name in book.sheetnames:
            sheet_ = book[sheet_name]
        else:
            raise FloorError(_("{path}: no sheet {sheet!r} (sheets: {sheets})").format(
                path=path, sheet=sheet_name, sheets=", ".join(book.sheetnames)))
        name = f"{path}[{sheet_.title}]"
        rows: list[tuple[int, list[str]]] = []
        width = 0
        for number, values in enumerate(sheet_.iter_rows(min_row=1, values_only=True),
                                        start=1):
            cells = [cell_text(v) for v in values]
            while cells and not cells[-1]:
                cells.pop()
            if not cells:
                continue
            if not rows:
                width = len(cells)  # the header's width: shorter rows are padded
            cells += [""] * (width - len(cells))
            rows.append((number, cells))
        return name, rows
    finally:
        book.close()


def check_xlsx_size(path: str | Path, data: bytes) -> None:
    """Refuse a workbook that would unpack past the bounds above, from the sizes its zip
    directory declares (zipfile never unpacks a part past its declared size)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise FloorError(_("{path}: not a readable .xlsx workbook ({reason})").format(
            path=path, reason=type(exc).__name__)) from None
    if len(members) > XLSX_MAX_MEMBERS:
        raise FloorError(_("{path}: {n} parts in the workbook; at most {most}").format(
            path=path, n=len(members), most=XLSX_MAX_MEMBERS))
    unpacked = sum(m.file_size for m in members)
    if unpacked > XLSX_MAX_BYTES:
        raise FloorError(_("{path}: unpacks to {size} bytes; an .xlsx import is at most "
                           "{most} bytes unpacked (split it, or save it as CSV)").format(
                               path=path, size=unpacked, most=XLSX_MAX_BYTES))


def cell_text(value: object) -> str:
    """A cell's value as the CSV would hold it: dates ``YYYY-MM-DD``, times ``HH:MM`` (or
    ``HH:MM:SS``), date-times ``YYYY-MM-DD HH:MM:SS``, whole numbers without ``.0``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        value = _to_second(value)
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        moment = _to_second(dt.datetime.combine(dt.date(2000, 1, 1), value))
        return moment.strftime("%H:%M" if moment.second == 0 else "%H:%M:%S")
    if isinstance(value, dt.timedelta):  # a duration cell ([h]:mm)
        minutes = round(value.total_seconds() / 60)
        return f"{minutes // 60:02d}:{minutes % 60:02d}"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    return str(value).strip()


def _to_second(moment: dt.datetime) -> dt.datetime:
    """Excel keeps times as fractions of a day; 08:42 can come back as 08:41:59.999."""
    if moment.microsecond >= 500_000:
        moment += dt.timedelta(seconds=1)
    return moment.replace(microsecond=0)


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
