"""Import files read into memory: CSV text in UTF-8 or GB18030/GBK, or an .xlsx sheet's rows.

May import: the basics and the rules; never services, the CLI, screens, the store, TinyDB or Textual.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from floorapp.errors import FloorError
from floorapp.i18n import _

# The bytes of an import file become rows here; csvio's functions check the rows.
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
