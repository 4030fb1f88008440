"""Files that are not what they seem: mixed encodings, formats not what the name says (issue 10)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from test_load import encode_cp1258

from chibo_analysis import DataReadError, load_dataset
from chibo_analysis.commands.cli import main
from chibo_analysis.intake.formats import mixed_line, sniff

LINE_9 = "M9,CB1,Lê Thị Mận,Nữ,01/01/1990,01/01/2015,01/01/2016,01/01/2015,,,,\n"


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"], ids=["utf8", "utf8-bom"])
def test_mixed_utf8_and_windows_1258_names_the_first_bad_line(clean_dir, bom, capsys):
    # members.csv is UTF-8 (Nguyễn, Trần…: lines 1-8); two Windows-1258 lines pasted at the end
    path = clean_dir / "members.csv"
    extra = LINE_9 + LINE_9.replace("M9", "M10")
    path.write_bytes(bom + path.read_bytes() + encode_cp1258(extra))
    with pytest.raises(DataReadError) as err:
        load_dataset(clean_dir)
    msg = str(err.value)
    assert "members.csv, line 9: this line is not UTF-8" in msg
    # the bytes as they are (not UTF-8: shown escaped), then as Windows-1258 would read them
    assert "its bytes: M9,CB1,L\\xea Thi\\xf2 M\\xe2\\xf2n,N\\xfd\\xde," in msg
    assert "(read as Windows-1258: 'M9,CB1,Lê Thị Mận,Nữ," in msg
    assert "1 more line(s) after it are not UTF-8 either" in msg
    assert "save the whole file as UTF-8" in msg and "dòng 9" in msg
    assert main(["validate", str(clean_dir)]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_a_whole_windows_1258_file_is_still_read():
    # no line of it is UTF-8 Vietnamese: not a mix, read (and converted) as before
    assert mixed_line(encode_cp1258("Họ và tên\n" + LINE_9)) is None
    assert mixed_line(("Họ và tên\n" + LINE_9).encode()) is None


def _xlsx_bytes(tmp_path: Path) -> bytes:
    import pandas as pd

    pd.DataFrame({"a": [1]}).to_excel(tmp_path / "x.xlsx", index=False)
    return (tmp_path / "x.xlsx").read_bytes()


def _zip_bytes(tmp_path: Path) -> bytes:
    with zipfile.ZipFile(tmp_path / "x.zip", "w") as archive:
        archive.writestr("organisations.csv", "org_id,name\n")
    return (tmp_path / "x.zip").read_bytes()


ORGS = "org_id,name,parent_id,level\nTP,Thành phố,,committee\n"
HTML = '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><table><tr><td>org_id'


@pytest.mark.parametrize(
    "name,content,kind,says",
    [
        # a text file renamed .xlsx: not "invalid Zip archive: Could not find EOCD"
        ("organisations.xlsx", ORGS.encode(), "text",
         "is plain text (CSV?), not an Excel workbook as its name says: rename it .csv, or "
         "open it in Excel and save it as .xlsx"),
        # a CSV renamed .xls, in UTF-16 as Excel's "Unicode text" saves it
        ("organisations.xls", ORGS.encode("utf-16"), "text", "is plain text (CSV?)"),
        # an HTML page saved as .xls, as some portals do
        ("organisations.xls", HTML.encode(), "html",
         "is a web page (HTML; some portals export these), not an Excel workbook as its name "
         "says: open it in Excel (which opens web pages) and save it as .xlsx"),
        # a zip that is not a workbook
        ("organisations.xlsx", "zip", "zip",
         "is a zip archive that holds no workbook, not an Excel workbook as its name says: "
         "unpack it and put the tables it holds in the data folder"),
        # a workbook renamed .csv
        ("organisations.csv", "xlsx", "xlsx",
         "is an Excel workbook (.xlsx), not CSV text as its name says: rename it .xlsx"),
        # a web page named .csv
        ("organisations.csv", HTML.encode(), "html", "is a web page (HTML"),
        # a PDF named .xlsx
        ("organisations.xlsx", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "pdf", "is a PDF document"),
        # a CSV named .parquet
        ("organisations.parquet", ORGS.encode(), "text",
         "is plain text (CSV?), not a Parquet file as its name says: rename it .csv"),
    ],
    ids=["text-as-xlsx", "utf16-text-as-xls", "html-as-xls", "zip-as-xlsx", "xlsx-as-csv",
         "html-as-csv", "pdf-as-xlsx", "csv-as-parquet"],
)  # fmt: skip
def test_a_file_not_of_its_named_format_says_what_it_looks_like(
    clean_dir, tmp_path, capsys, name, content, kind, says
):
    if content == "zip":
        content = _zip_bytes(tmp_path)
    elif content == "xlsx":
        content = _xlsx_bytes(tmp_path)
    (clean_dir / "organisations.csv").unlink()
    (clean_dir / name).write_bytes(content)
    assert sniff(clean_dir / name) == kind
    with pytest.raises(DataReadError) as err:
        load_dataset(clean_dir)
    msg = str(err.value)
    assert f"{name}: this file {says}" in msg
    assert "EOCD" not in msg and "Cfb error" not in msg
    assert main(["validate", str(clean_dir)]) == 2
    err_text = capsys.readouterr().err
    assert "Traceback" not in err_text and "tệp này là" in err_text


def test_a_workbook_cut_short_is_said_to_be_damaged(clean_dir, tmp_path):
    data = _xlsx_bytes(tmp_path)
    (clean_dir / "organisations.csv").unlink()
    (clean_dir / "organisations.xlsx").write_bytes(data[: len(data) // 2])  # a copy interrupted
    assert sniff(clean_dir / "organisations.xlsx") == "damaged"
    with pytest.raises(DataReadError, match="organisations.xlsx: this file is damaged or incomp"):
        load_dataset(clean_dir)


def test_real_workbooks_sniff_as_workbooks(tmp_path):
    (tmp_path / "a.xlsx").write_bytes(_xlsx_bytes(tmp_path))
    (tmp_path / "empty.xls").write_bytes(b"")
    assert sniff(tmp_path / "a.xlsx") == "xlsx" and sniff(tmp_path / "empty.xls") == "empty"
