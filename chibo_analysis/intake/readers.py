"""Read the files an office sends into raw frames, keeping row numbers.

Nothing here knows about columns or types: a reader returns the header and
the raw values of every non-blank row, with the row number the user sees
in that file or sheet (header = row 1). :mod:`chibo_analysis.intake.load` maps
headers and parses values.

CSV files may be UTF-8 (with or without BOM), UTF-16 (Excel "Unicode
text") or Windows-1258, delimited by ``,`` ``;`` or tab (sniffed from the
header line); lines may end with CR LF, LF or CR alone. Text is normalised to Unicode NFC. Workbooks are read with
python-calamine (about 6x faster than openpyxl on large sheets).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import unicodedata
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from chibo_analysis.errors import DataReadError

CSV_SUFFIXES = (".csv", ".tsv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
PARQUET_SUFFIXES = (".parquet", ".pq")
SUFFIXES = CSV_SUFFIXES + XLSX_SUFFIXES + PARQUET_SUFFIXES


@dataclass(frozen=True)
class RawSheet:
    """Raw values of one CSV file, Parquet file or workbook sheet.

    ``frame`` has the file's own headers as columns and one row per
    non-blank record; ``rows`` gives each record's row number as the user
    sees it (header = row 1). ``bad_rows`` lists rows that could not be
    split into fields: (row number, raw text).
    """

    path: Path
    sheet: str | None
    frame: pd.DataFrame
    rows: np.ndarray
    sha256: str
    bad_rows: tuple[tuple[int, str], ...] = ()
    #: The headers as written, one per column of ``frame`` (empty: the column names).
    headers: tuple[str, ...] = ()
    #: Row number of the header as the user sees it.
    header_row: int = 1
    #: Text of the title block above the header, one line per row.
    title: tuple[str, ...] = ()
    #: Rows under the data that were not read (a signature footer): (row number, text).
    footer: tuple[tuple[int, str], ...] = ()
    #: Text conversions applied: (column header or "" for the whole file, encoding, example).
    converted: tuple[tuple[str, str, str], ...] = ()
    #: The file holds nothing at all (0 bytes, only blank lines, or only empty sheets).
    empty: bool = False


def empty_sheet(path: Path, digest: str) -> RawSheet:
    """The :class:`RawSheet` of a file that holds nothing (see ``RawSheet.empty``)."""
    return RawSheet(path, None, pd.DataFrame(), np.zeros(0, dtype=np.int64), digest, empty=True)


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


#: Names of the legacy encodings as a reader knows them.
ENCODING_NAMES = {
    "tcvn3": "TCVN3 (ABC; fonts .VnTime, .VnArial)",
    "vni": "VNI-Windows (fonts VNI-Times…)",
    "cp1258": "Windows-1258",
}


def decode_text(data: bytes, path: Path) -> str:
    """Decode CSV bytes: UTF-8 (BOM or not), UTF-16, else TCVN3, VNI-Windows or Windows-1258; NFC.

    Examples
    --------
    >>> decode_text("Có mặt".encode("utf-16"), Path("a.csv"))
    'Có mặt'
    >>> decode_text("Có mă\u0323t".encode("cp1258"), Path("a.csv"))  # a tone mark apart
    'Có mặt'
    """
    return decode_bytes_as(data, path)[0]


def decode_bytes_as(data: bytes, path: Path) -> tuple[str, str]:
    """The text of CSV bytes and the encoding it was read in.

    The encoding is ``""`` for Unicode (UTF-8, UTF-16), else ``"tcvn3"``,
    ``"vni"`` (text typed with legacy Vietnamese fonts, detected from the
    words it makes) or ``"cp1258"``: a conversion the loader reports.
    """
    from chibo_analysis.intake import legacy

    encoding = ""
    if data.startswith(codecs.BOM_UTF8):
        try:
            text = data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict")
        except UnicodeDecodeError as err:
            raise _encoding_error(data, path) from err
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as err:
            raise _encoding_error(data, path) from err
    else:
        head = data[:4000]
        text = None
        if head and head.count(b"\x00") > len(head) // 4:
            guess = "utf-16-le" if head[1:2] == b"\x00" else "utf-16-be"
            try:
                text = data.decode(guess)
            except UnicodeDecodeError:
                text = None
        if text is None:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                mixed = mixed_line(data)
                if mixed is not None:
                    raise _mixed_error(path, data, *mixed) from None
                found = legacy.detect_bytes(data)
                if found is not None:
                    text, encoding = legacy.decode_bytes(data, found), found
                else:
                    try:
                        text, encoding = data.decode("cp1258"), "cp1258"
                    except UnicodeDecodeError:
                        text = None
        if text is None:
            raise _encoding_error(data, path)
    if "\r" in text:  # a line ended by a carriage return alone (a Mac "CSV"): a line break
        text = _LONE_CR.sub("\n", text)
    return unicodedata.normalize("NFC", text).lstrip("\ufeff"), encoding


_LONE_CR = re.compile(r"\r(?!\n)")


def _encoding_error(data: bytes, path: Path) -> DataReadError:
    mixed = mixed_line(data)
    if mixed is not None:
        return _mixed_error(path, data, *mixed)
    return DataReadError(
        f"{path}: cannot read the text encoding; expected UTF-8, UTF-16, TCVN3, "
        "VNI-Windows or Windows-1258 (save the file as 'CSV UTF-8' in Excel)\n"
        f"{path}: không đọc được bảng mã của tệp; hãy lưu tệp dạng 'CSV UTF-8' trong Excel"
    )


#: UTF-8 bytes of letters only Vietnamese writes (ă đ ơ ư and the tone-marked vowels
#: U+1EA0-U+1EF9): no Windows-1258, TCVN3 or VNI text makes them by chance.
_VIETNAMESE_UTF8 = re.compile(
    rb"\xe1[\xba\xbb][\x80-\xbf]|\xc4[\x82\x83\x90\x91]|\xc6[\xa0\xa1\xaf\xb0]"
)


def mixed_line(data: bytes) -> tuple[int, bytes, int] | None:
    r"""The first line that is not UTF-8 in a file whose other lines are Vietnamese UTF-8.

    Returns (line number, the line's bytes, how many lines are not UTF-8), or
    None when the file is not such a mix (all UTF-8, or all another encoding:
    lines pasted from a Windows-1258 file into a UTF-8 one are the usual cause).

    Examples
    --------
    >>> data = "Họ tên\nĐảng\n".encode() + "Lê".encode("cp1258") + b"\n"
    >>> mixed_line(data)
    (3, b'L\xea', 1)
    >>> mixed_line("Lê Văn".encode("cp1258")) is None
    True
    """
    start = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    if _VIETNAMESE_UTF8.search(data, start) is None:
        return None
    first, bad, utf8 = None, 0, False
    for number, line in enumerate(data[start:].split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            bad += 1
            first = first or (number, line.rstrip(b"\r"))
            continue
        utf8 = utf8 or _VIETNAMESE_UTF8.search(line) is not None
    return (first[0], first[1], bad) if first is not None and utf8 else None


def _mixed_error(path: Path, data: bytes, number: int, line: bytes, bad: int) -> DataReadError:
    """The mixed-encoding error: the first line not in UTF-8, its bytes, and how to fix it."""
    from chibo_analysis.problems import MAX_VALUE
    from chibo_analysis.texts import shorten, show_controls

    shown = shorten(show_controls(line.decode("utf-8", errors="backslashreplace")), MAX_VALUE)
    try:
        legacy = unicodedata.normalize("NFC", line.decode("cp1258"))
        read_en = f" (read as Windows-1258: '{shorten(show_controls(legacy), MAX_VALUE)}')"
        read_vi = f" (nếu đọc theo Windows-1258: '{shorten(show_controls(legacy), MAX_VALUE)}')"
    except UnicodeDecodeError:
        read_en = read_vi = ""
    others = bad - 1
    more_en = f"; {others} more line(s) after it are not UTF-8 either" if others else ""
    more_vi = f"; còn {others} dòng khác sau đó cũng không phải UTF-8" if others else ""
    return DataReadError(
        f"{path}, line {number}: this line is not UTF-8 while other lines of the file are: "
        f"the file mixes two encodings (lines pasted from a Windows-1258 or other legacy "
        f"file?); its bytes: {shown}{read_en}{more_en}. Retype or convert those lines, then "
        "save the whole file as UTF-8 (Excel: Save As 'CSV UTF-8'; Notepad: Save As, "
        "Encoding UTF-8)\n"
        f"{path}, dòng {number}: dòng này không ở bảng mã UTF-8 trong khi các dòng khác thì có: "
        f"tệp trộn hai bảng mã (dán từ tệp Windows-1258 hoặc mã cũ?); các byte: "
        f"{shown}{read_vi}{more_vi}. Hãy gõ lại hoặc chuyển mã các dòng đó, rồi lưu cả tệp "
        "dạng UTF-8 (Excel: Save As 'CSV UTF-8'; Notepad: Save As, Encoding UTF-8)"
    )


def _latin1(text: str) -> bool:
    """Whether every character of ``text`` is at most U+00FF (a legacy glyph string could be)."""
    return max(text) <= "\u00ff"


def _unicode_only(text: str) -> bool:
    """Whether ``text`` holds a character that no legacy font's bytes stand for (ă, ơ, ạ…)."""
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return any(ord(c) > 0xFF and not 0x80 <= ord(c) < 0xA0 for c in text if c not in _CP1252)
    return False


_CP1252 = {bytes([b]).decode("cp1252", errors="ignore") for b in range(0x80, 0xA0)} - {""}


def convert_legacy_columns(grid: list[list]) -> tuple[list[list], tuple[tuple[str, str, str], ...]]:
    """Cells typed with legacy fonts (TCVN3, VNI), column by column, converted to Unicode.

    A workbook keeps such text as the characters the legacy bytes stand for
    in Windows-1252 ("NguyÔn V¨n An"). Each column whose text reads as one
    legacy encoding (see :func:`chibo_analysis.intake.legacy.detect`) is
    converted; Unicode text is never touched. Returns the grid (a new one if
    anything changed) and, per converted column, its first cell, the
    encoding and one value as written.
    """
    from chibo_analysis.intake import legacy

    width = max((len(r) for r in grid), default=0)
    # legacy glyph strings hold only characters up to U+00FF (their bytes read as
    # Windows-1252): text with any other character (ư, ơ, ạ…) is Unicode, left alone
    columns: list[list[str]] = [[] for _ in range(width)]
    for r in grid:
        for j, v in enumerate(r):
            if type(v) is str and not v.isascii() and max(v) <= "\u00ff":
                columns[j].append(v)
    if not any(columns):
        return grid, ()
    # the sheet as a whole first: a header like "M· chi bé" is too short to tell alone
    # distinct values are enough to tell (a few hundred per column)
    columns = [list(dict.fromkeys(texts))[:300] for texts in columns]
    sheet = legacy.detect([s for texts in columns for s in texts[:100]])
    done = []
    out = grid
    for j, texts in enumerate(columns):
        if not texts:
            continue
        found = legacy.detect(texts)
        if found is None and sheet is not None and not any(map(_unicode_only, texts)):
            found = sheet  # nothing here contradicts the rest of the sheet
        if found is None:
            continue
        if out is grid:
            out = [list(r) for r in grid]
        example = texts[0]
        for r in out:
            if j < len(r) and isinstance(r[j], str) and not r[j].isascii():
                r[j] = unicodedata.normalize("NFC", legacy.to_unicode(r[j], found))
        header = next((str(r[j]) for r in out if j < len(r) and r[j] not in (None, "")), "")
        done.append((header, found, example))
    return out, tuple(done)


def sniff_delimiter(text: str) -> str:
    r"""The delimiter of the header: ``;``, tab or ``,`` (the default).

    The first lines are looked at (a title block may come first): the
    delimiter is the one that splits some line into the most fields.

    Examples
    --------
    >>> sniff_delimiter("Mã tổ chức;Tên tổ chức\nA;B")
    ';'
    >>> sniff_delimiter("ĐẢNG BỘ PHƯỜNG, CHI BỘ 3\n\nMã;Tên;Cấp\n")
    ';'
    """
    lines = text.split("\n", 31)[:30]
    counts = {d: max(line.count(d) for line in lines) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def read_csv_grid(path: Path) -> tuple[list[list[str]], str, str]:
    """Every line of a CSV file as a list of fields (for sheets with a title block).

    Returns the grid, the file's SHA-256 and the legacy encoding converted ("" if none).
    """
    data = path.read_bytes()
    check_text(data, path)
    text, encoding = decode_bytes_as(data, path)
    sep = sniff_delimiter(text)
    return list(csv.reader(io.StringIO(text), delimiter=sep)), sha256_of(data), encoding


def raw_from_grid(
    path: Path, sheet: str | None, grid: list[list], digest: str, loc, converted=()
) -> RawSheet:
    """The data rows of a located table (see :func:`chibo_analysis.intake.layout.locate`).

    Row numbers stay the file's own (the grid's first row is row 1). A row
    with values beyond the header's columns is listed as a bad row.
    """
    from chibo_analysis.intake.layout import text_of

    width = len(loc.headers)
    lines = grid[loc.last + 1 : loc.end]
    body = [(list(r) + [None] * width)[:width] for r in lines]
    bad = tuple(
        (loc.last + 2 + i, " | ".join(text_of(v) for v in r))
        for i, r in enumerate(lines)
        if len(r) > width and any(text_of(v) for v in r[width:])
    )
    frame = pd.DataFrame(body, columns=_unique_headers(list(loc.headers)), dtype=object)
    rows = np.arange(loc.last + 2, loc.last + 2 + len(frame), dtype=np.int64)
    keep = ~_blank_rows(frame)
    for number, _ in bad:
        keep[number - loc.last - 2] = False
    footer = tuple((r + 1, " ".join(text_of(v) for v in grid[r] if text_of(v))) for r in loc.footer)
    return RawSheet(
        path, sheet, frame[keep].reset_index(drop=True), rows[keep], digest, bad,
        tuple(loc.headers), loc.first + 1, loc.title, footer, tuple(converted),
    )  # fmt: skip


def check_text(data: bytes, path: Path) -> None:
    """Raise :class:`DataReadError` if the bytes of a ``.csv`` file are not text (a workbook…)."""
    start = data[:64].lstrip(codecs.BOM_UTF8 + b" \t\r\n").lower()
    page = start.startswith((b"<!doctype html", b"<html"))
    if page or data.startswith((b"PK\x03\x04", b"PK\x05\x06", _OLE2, b"%PDF", b"PAR1")):
        found = not_what_named(path, "csv")
        if found is not None:
            raise found


def read_csv_file(path: Path) -> RawSheet:
    data = path.read_bytes()
    check_text(data, path)
    text, encoding = decode_bytes_as(data, path)
    if not text.strip():
        return empty_sheet(path, sha256_of(data))
    sep = sniff_delimiter(text)
    bad: list[tuple[int, str]] = []
    frame = _read_csv_fast(data, text, sep)
    if frame is None:
        try:
            with warnings.catch_warnings():
                # pandas warns, and drops fields, when a row is longer than the header
                warnings.simplefilter("error", pd.errors.ParserWarning)
                frame = pd.read_csv(
                    io.StringIO(text),
                    sep=sep,
                    dtype=object,
                    keep_default_na=False,
                    skip_blank_lines=False,
                    index_col=False,
                    engine="c",
                )
        except (pd.errors.ParserError, pd.errors.ParserWarning):
            frame, bad = _read_csv_slowly(text, sep)
    written = next(csv.reader(io.StringIO(text.split("\n", 1)[0]), delimiter=sep), [])
    frame.columns = [str(c) for c in frame.columns]
    headers = tuple(written) if len(written) == frame.shape[1] else ()
    if list(frame.columns) != list(headers):  # repeated headers: a name of its own each
        frame.columns = _unique_headers(list(headers or frame.columns))
    rows = np.arange(2, len(frame) + 2, dtype=np.int64)
    keep = ~_blank_rows(frame)
    if not keep.all():
        frame, rows = frame[keep].reset_index(drop=True), rows[keep]
    converted = (("", encoding, ""),) if encoding else ()
    return RawSheet(
        path, None, frame, rows, sha256_of(data), tuple(bad), headers, converted=converted
    )


def _read_csv_fast(data: bytes, text: str, sep: str) -> pd.DataFrame | None:
    """Read a well-formed CSV with pyarrow (multi-threaded); None if it is not well-formed.

    Every value is read as text; empty lines stay as empty rows, so row
    numbers hold. Ragged rows or repeated headers fall back to the pandas
    path, which lists bad rows.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    header = next(csv.reader(io.StringIO(text.split("\n", 1)[0]), delimiter=sep), [])
    if not header or len(set(header)) != len(header) or any(h == "" for h in header):
        return None
    if data.startswith(codecs.BOM_UTF8) or not data.isascii() or b"\r" in data:
        payload = text.encode("utf-8")  # decoded, line breaks and NFC normalised
    else:
        payload = data
    try:
        table = pacsv.read_csv(
            io.BytesIO(payload),
            read_options=pacsv.ReadOptions(column_names=header, skip_rows=1),
            parse_options=pacsv.ParseOptions(
                delimiter=sep, newlines_in_values=True, ignore_empty_lines=False
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={h: pa.string() for h in header},
                null_values=[],
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid:
        return None
    return table.to_pandas()


def _read_csv_slowly(text: str, sep: str) -> tuple[pd.DataFrame, list[tuple[int, str]]]:
    """Fallback for ragged files: keep every row that fits, list the others."""
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    header = next(reader)
    width = len(header)
    records, bad = [], []
    for number, fields in enumerate(reader, start=2):
        if len(fields) > width and any(f != "" for f in fields[width:]):
            bad.append((number, sep.join(fields)))
            records.append([""] * width)  # keeps numbering; blank rows are dropped later
        else:
            records.append((fields + [""] * width)[:width])
    return pd.DataFrame(records, columns=header, dtype=object), bad


def _blank_rows(frame: pd.DataFrame) -> np.ndarray:
    """Rows whose every cell is empty (no text at all): not records.

    A row of spaces is not blank here: it reaches the parser, which reports
    its required values as missing rather than dropping the row.
    """
    blank = np.ones(len(frame), dtype=bool)
    for name in frame.columns:
        col = frame[name]
        empty = col.isna().to_numpy().copy()
        if col.dtype == object or pd.api.types.is_string_dtype(col.dtype):
            empty |= col.eq("").to_numpy(dtype=bool, na_value=False)
        blank &= empty
    return blank


def workbook_sheets(path: Path) -> list[str]:
    from python_calamine import CalamineWorkbook

    try:
        return list(CalamineWorkbook.from_path(str(path)).sheet_names)
    except Exception as err:  # calamine raises its own error types
        raise workbook_error(path, err) from err


def workbook_error(path: Path, err: Exception) -> DataReadError:
    """The error of a workbook that cannot be opened: what the file looks like, if not a workbook."""
    found = not_what_named(path, "workbook")
    if found is not None:
        return found
    return DataReadError(
        f"{path}: cannot open the workbook ({err})\n{path}: không mở được tệp Excel này"
    )


_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sniff(path: Path) -> str:
    """What a file is, from its first bytes, whatever its name says.

    One of ``"empty"``, ``"xlsx"`` (a zip holding a workbook; an ODS too),
    ``"zip"`` (any other zip archive), ``"xls"`` (an Excel 97-2003 or a
    password-protected workbook), ``"html"``, ``"xml"``, ``"pdf"``,
    ``"parquet"``, ``"text"`` or ``"binary"``.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     page = Path(folder) / "export.xls"
    ...     _ = page.write_bytes(b"\\xef\\xbb\\xbf <!DOCTYPE html><html><table>")
    ...     sniff(page)
    'html'
    """
    import zipfile

    with open(path, "rb") as handle:
        head = handle.read(4096)
    if not head:
        return "empty"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return "zip"
        book = "xl/workbook.xml" in names or "xl/workbook.bin" in names or "content.xml" in names
        return "xlsx" if book else "zip"
    if head.startswith(_OLE2):
        return "xls"
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = head.decode("utf-16", errors="replace")
    else:
        if b"\x00" in head:
            return "binary"
        text = head.decode("utf-8", errors="replace")
    start = text.lstrip("\ufeff \t\r\n")[:400].lower()
    if start.startswith(("<!doctype html", "<html", "<table", "<meta", "<head", "<body")):
        return "html"
    if start.startswith("<?xml"):
        return "html" if "<html" in start else "xml"
    controls = sum(ch < " " and ch not in "\t\r\n" for ch in text)
    return "binary" if controls > len(text) // 100 else "text"


#: What each kind of file is, in a message (en, vi).
_KINDS = {
    "xlsx": ("an Excel workbook (.xlsx)", "tệp Excel (.xlsx)"),
    "xls": (
        "an Excel 97-2003 workbook (.xls), or a workbook locked with a password",
        "tệp Excel 97-2003 (.xls), hoặc tệp Excel có đặt mật khẩu",
    ),
    "zip": ("a zip archive that holds no workbook", "tệp nén zip không chứa bảng tính"),
    "html": (
        "a web page (HTML; some portals export these)",
        "trang web (HTML; một số cổng thông tin xuất ra loại này)",
    ),
    "xml": ("an XML file (an Excel 2003 XML spreadsheet?)", "tệp XML (bảng tính Excel 2003 XML?)"),
    "pdf": ("a PDF document", "tài liệu PDF"),
    "parquet": ("a Parquet file", "tệp Parquet"),
    "text": ("plain text (CSV?)", "văn bản thường (CSV?)"),
    "binary": ("a binary file of an unknown kind", "tệp nhị phân không rõ loại"),
}

#: How to fix a file whose content is ``kind`` when its name says ``expected`` (en, vi).
_FIXES = {
    ("workbook", "text"): (
        "rename it .csv, or open it in Excel and save it as .xlsx",
        "đổi đuôi tệp thành .csv, hoặc mở bằng Excel rồi lưu dạng .xlsx",
    ),
    ("workbook", "xlsx"): ("rename it .xlsx", "đổi đuôi tệp thành .xlsx"),
    ("workbook", "xls"): (
        "rename it .xls; if it asks for a password, open it in Excel, remove the password "
        "and save it as .xlsx",
        "đổi đuôi tệp thành .xls; nếu tệp hỏi mật khẩu, mở bằng Excel, bỏ mật khẩu rồi lưu "
        "dạng .xlsx",
    ),
    ("workbook", "parquet"): ("rename it .parquet", "đổi đuôi tệp thành .parquet"),
    ("workbook", "html"): (
        "open it in Excel (which opens web pages) and save it as .xlsx (Excel Workbook)",
        "mở bằng Excel (Excel mở được trang web) rồi lưu dạng .xlsx (Excel Workbook)",
    ),
    ("workbook", "xml"): (
        "open it in Excel and save it as .xlsx (Excel Workbook)",
        "mở bằng Excel rồi lưu dạng .xlsx (Excel Workbook)",
    ),
    ("csv", "html"): (
        "open it in Excel and save it as .xlsx, or as 'CSV UTF-8'",
        "mở bằng Excel rồi lưu dạng .xlsx hoặc 'CSV UTF-8'",
    ),
    ("csv", "xlsx"): ("rename it .xlsx", "đổi đuôi tệp thành .xlsx"),
    ("csv", "xls"): ("rename it .xls", "đổi đuôi tệp thành .xls"),
    ("csv", "parquet"): ("rename it .parquet", "đổi đuôi tệp thành .parquet"),
    ("parquet", "text"): ("rename it .csv", "đổi đuôi tệp thành .csv"),
    ("parquet", "xlsx"): ("rename it .xlsx", "đổi đuôi tệp thành .xlsx"),
    ("parquet", "xls"): ("rename it .xls", "đổi đuôi tệp thành .xls"),
}
_FIX_OTHER = (
    "open it in the program that made it and save the table as .xlsx or CSV UTF-8, or "
    "take it out of the data folder",
    "mở bằng chương trình đã tạo ra tệp, lưu bảng dạng .xlsx hoặc CSV UTF-8, hoặc bỏ tệp khỏi "
    "thư mục dữ liệu",
)
_EXPECTED_KIND = {
    "workbook": ("an Excel workbook", "tệp Excel"),
    "csv": ("CSV text", "tệp văn bản CSV"),
    "parquet": ("a Parquet file", "tệp Parquet"),
}
#: The kinds of file each reader takes.
_READS = {"workbook": {"xlsx", "xls"}, "csv": {"text"}, "parquet": {"parquet"}}


def not_what_named(path: Path, expected: str) -> DataReadError | None:
    """The error for a file whose content is not what its name says, or None if it is.

    ``expected`` is ``"workbook"``, ``"csv"`` or ``"parquet"``. The message
    says what the file looks like and how to make it readable.
    """
    kind = sniff(path)
    if kind in _READS[expected] or kind == "empty":
        return None
    what_en, what_vi = _KINDS[kind]
    want_en, want_vi = _EXPECTED_KIND[expected]
    fix_en, fix_vi = _FIXES.get((expected, kind), _FIX_OTHER)
    return DataReadError(
        f"{path}: this file is {what_en}, not {want_en} as its name says: {fix_en}\n"
        f"{path}: tệp này là {what_vi}, không phải {want_vi} như tên tệp: {fix_vi}"
    )


def read_workbook_grids(path: Path) -> list[tuple[str, list[list]]]:
    """Every sheet of a workbook as a grid of cell values (row 1 first)."""
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        return [
            (name, book.get_sheet_by_name(name).to_python(skip_empty_area=False))
            for name in book.sheet_names
        ]
    except Exception as err:  # calamine raises its own error types
        raise workbook_error(path, err) from err


def read_workbook_sheet(path: Path, sheet: str, digest: str | None = None) -> RawSheet:
    """One sheet of a workbook; the first non-empty row is the header."""
    from python_calamine import CalamineWorkbook

    try:
        grid = (
            CalamineWorkbook.from_path(str(path))
            .get_sheet_by_name(sheet)
            .to_python(skip_empty_area=False)
        )
    except Exception as err:
        found = not_what_named(path, "workbook")
        raise found or DataReadError(f"{path} [{sheet}]: cannot read the sheet ({err})") from err
    if digest is None:
        digest = sha256_of(path.read_bytes())
    start = next((i for i, r in enumerate(grid) if any(_filled(v) for v in r)), None)
    if start is None:
        return RawSheet(path, sheet, pd.DataFrame(), np.zeros(0, dtype=np.int64), digest)
    header = [str(v).strip() if _filled(v) else "" for v in grid[start]]
    body = grid[start + 1 :]
    width = max([len(header)] + [len(r) for r in body[:1]])
    if any(len(r) != width for r in body):  # calamine gives a rectangle; be safe anyway
        width = max(len(r) for r in body)
        body = [list(r) + [""] * (width - len(r)) for r in body]
    header += [""] * (width - len(header))
    # columns without a header keep a name of their own: never silently cut off
    frame = pd.DataFrame(body, columns=_unique_headers(header), dtype=object)
    rows = np.arange(start + 2, start + 2 + len(frame), dtype=np.int64)
    keep = ~_blank_rows(frame)
    return RawSheet(
        path, sheet, frame[keep].reset_index(drop=True), rows[keep], digest, (),
        tuple(header), start + 1,
    )  # fmt: skip


def _filled(value) -> bool:
    return value is not None and not (isinstance(value, str) and value.strip() == "")


def _unique_headers(header: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, h in enumerate(header):
        name = h or f"(column {i + 1})"
        if name in seen:
            seen[name] += 1
            name = f"{name} ({seen[name]})"
        else:
            seen[name] = 0
        out.append(name)
    return out


def read_parquet_file(path: Path) -> RawSheet:
    import pyarrow.parquet as pq

    data = path.read_bytes()
    try:
        table = pq.read_table(io.BytesIO(data))
    except Exception as err:
        found = not_what_named(path, "parquet")
        if found is not None:
            raise found from err
        raise DataReadError(
            f"{path}: cannot read the Parquet file ({err})\n{path}: không đọc được tệp Parquet này"
        ) from err
    frame = table.to_pandas(date_as_object=False)
    rows = np.arange(2, len(frame) + 2, dtype=np.int64)
    return RawSheet(path, None, frame, rows, sha256_of(data))
