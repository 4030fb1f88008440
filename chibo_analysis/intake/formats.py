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
from chibo_analysis.labels import catalogued
from chibo_analysis.problems import MAX_VALUE
from chibo_analysis.texts import shorten, show_controls

#: The first bytes of an OLE2 compound file: an Excel 97-2003 or password-protected workbook.
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def encoding_error(data: bytes, path: Path) -> DataReadError:
    """The error of CSV bytes in no encoding the reader knows (a mix of two: its first bad line)."""
    mixed = mixed_line(data)
    if mixed is not None:
        return mixed_error(path, *mixed)
    return catalogued(DataReadError, "encoding_unknown", path=str(path))


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
        read = ("read_as_legacy", {"text": shorten(show_controls(legacy), MAX_VALUE)})
    except UnicodeDecodeError:
        read = ""
    others = bad - 1
    more = ("more_not_utf8", {"n": others}) if others else ""
    return catalogued(
        DataReadError, "mixed_encoding", path=str(path), line=number, shown=shown,
        legacy=read, more=more,
    )  # fmt: skip


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
    return catalogued(DataReadError, "workbook_unopenable", path=str(path), reason=str(err))


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


#: What each kind of file is, in a message: the catalogue's ``error.file_is_<kind>``.
_RENAME = {"xlsx": ".xlsx", "xls": ".xls", "parquet": ".parquet", "text": ".csv"}
#: How to fix a file whose content is ``kind`` when its name says ``expected``: the
#: catalogue's clause (error.<key>), and its values.
_FIXES = {
    ("workbook", "text"): ("fix_text_as_workbook", {}),
    ("workbook", "xlsx"): ("fix_rename", {"suffix": ".xlsx"}),
    ("workbook", "xls"): ("fix_xls", {}),
    ("workbook", "parquet"): ("fix_rename", {"suffix": ".parquet"}),
    ("workbook", "html"): ("fix_html_as_workbook", {}),
    ("workbook", "xml"): ("fix_xml", {}),
    ("csv", "html"): ("fix_html_as_csv", {}),
    ("workbook", "zip"): ("fix_unpack", {}),
    ("csv", "zip"): ("fix_unpack", {}),
    **{
        (expected, kind): ("fix_rename", {"suffix": _RENAME[kind]})
        for expected, kinds in (
            ("csv", ("xlsx", "xls", "parquet")),
            ("parquet", ("text", "xlsx", "xls")),
        )
        for kind in kinds
    },
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
        return catalogued(DataReadError, "damaged", path=str(path))
    return catalogued(
        DataReadError, "not_what_named", path=str(path), what=(f"file_is_{kind}", {}),
        wanted=(f"file_wanted_{expected}", {}), fix=_FIXES.get((expected, kind), ("fix_other", {})),
    )  # fmt: skip
