"""What a file really is, when it is not what its name or its encoding claims.

A data file may not be the format its name says (a text file renamed
``.xlsx``, a web page that a portal saves as ``.xls``, a zip archive, a
workbook cut short by an interrupted copy): :func:`sniff` tells from the first
bytes what it is, and :func:`not_what_named` builds the message that says so
and how to make the file readable, in place of the reading library's own
("invalid Zip archive: Could not find EOCD"). A CSV file may mix two
encodings (lines pasted from a Windows-1258 file into a UTF-8 one):
:func:`mixed_line` finds the first line not in UTF-8 and :func:`mixed_error`
names it, with its bytes.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from pathlib import Path

from chibo_analysis.errors import DataReadError
from chibo_analysis.problems import MAX_VALUE
from chibo_analysis.texts import shorten, show_controls

#: The first bytes of an OLE2 compound file: an Excel 97-2003 or password-protected workbook.
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def encoding_error(data: bytes, path: Path) -> DataReadError:
    """The error of CSV bytes in no encoding the reader knows (a mix of two: its first bad line)."""
    mixed = mixed_line(data)
    if mixed is not None:
        return mixed_error(path, *mixed)
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


def mixed_error(path: Path, number: int, line: bytes, bad: int) -> DataReadError:
    """The mixed-encoding error: the first line not in UTF-8, its bytes, and how to fix it."""
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


def check_text(data: bytes, path: Path) -> None:
    """Raise :class:`DataReadError` if the bytes of a ``.csv`` file are not text (a workbook…)."""
    start = data[:64].lstrip(codecs.BOM_UTF8 + b" \t\r\n").lower()
    page = start.startswith((b"<!doctype html", b"<html"))
    if page or data.startswith((b"PK\x03\x04", b"PK\x05\x06", _OLE2, b"%PDF", b"PAR1")):
        found = not_what_named(path, "csv")
        if found is not None:
            raise found


def workbook_error(path: Path, err: Exception) -> DataReadError:
    """The error of a workbook that cannot be opened: what the file looks like, if not a workbook."""
    found = not_what_named(path, "workbook")
    if found is not None:
        return found
    return DataReadError(
        f"{path}: cannot open the workbook ({err})\n{path}: không mở được tệp Excel này"
    )


def sniff(path: Path) -> str:
    """What a file is, from its first bytes, whatever its name says.

    One of ``"empty"``, ``"xlsx"`` (a zip holding a workbook; an ODS too),
    ``"zip"`` (any other zip archive), ``"damaged"`` (a zip archive cut
    short: a workbook whose copy or download was interrupted), ``"xls"`` (an Excel 97-2003 or a
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
            return "damaged"
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

_UNPACK = (
    "unpack it and put the tables it holds in the data folder",
    "giải nén rồi đặt các bảng trong đó vào thư mục dữ liệu",
)
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
    ("workbook", "zip"): _UNPACK,
    ("csv", "zip"): _UNPACK,
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
    if kind == "damaged":
        return DataReadError(
            f"{path}: this file is damaged or incomplete (a zip archive, as a workbook is, cut "
            "short: a copy or download interrupted?): copy it again, or open it in Excel, which "
            "may repair it, and save it again\n"
            f"{path}: tệp bị hỏng hoặc không đầy đủ (tệp nén, như tệp Excel, bị cắt ngang: sao "
            "chép hoặc tải về bị gián đoạn?): hãy sao chép lại, hoặc mở bằng Excel (Excel có thể "
            "sửa được) rồi lưu lại"
        )
    what_en, what_vi = _KINDS[kind]
    want_en, want_vi = _EXPECTED_KIND[expected]
    fix_en, fix_vi = _FIXES.get((expected, kind), _FIX_OTHER)
    return DataReadError(
        f"{path}: this file is {what_en}, not {want_en} as its name says: {fix_en}\n"
        f"{path}: tệp này là {what_vi}, không phải {want_vi} như tên tệp: {fix_vi}"
    )
