"""Write the office-layout fixtures of tests/intake/test_layouts.py, the way offices do.

The records are those of tests/data/clean (CB1's and CB2's meetings, members and
register), laid out as a cell office keeps them: a merged title block, a two-row
header with a merged group header, an STT column, line breaks in headers, date
cells, a signature footer under a blank row. openpyxl lays the sheet out; LibreOffice
Calc (Debian's libreoffice-calc) then opens and saves it, so the committed file is
what a real office suite writes:

    python tests/data/office/make_fixtures.py OUT_DIR   # needs soffice on PATH

The CSV with a title block is written as Excel's "CSV (semicolon)" export would be.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

TITLE = ["ĐẢNG BỘ PHƯỜNG PHAN THIẾT", "CHI BỘ TỔ DÂN PHỐ 1"]
FOOTER = [["", "Người lập biểu", "", "", "T/M CHI ỦY"], ["", "", "", "", "BÍ THƯ"],
          ["", "Lê Văn Cường", "", "", "Trần Thị Bình"]]  # fmt: skip

MEETINGS = [
    ("S1", "CB1", dt.datetime(2022, 1, 5), "Thường kỳ", 95, "Tốt", "Không", 3, 3, 0, 0),
    ("S2", "CB1", dt.datetime(2022, 2, 5), "Thường kỳ kết hợp chuyên đề", 125, "Khá", "Có",
     2, 1, 1, 0),
    ("S3", "CB2", dt.datetime(2022, 2, 10), "Thường kỳ", 90, "Tốt", "Có", 2, 2, 0, 0),
    ("S4", "CQ", dt.datetime(2022, 1, 7), "Thường kỳ", 60, "Tốt", "Không", 1, 0, 0, 1),
]  # fmt: skip

MEMBERS = [
    ("M1", "CB1", "Nguyễn Văn An", "Nam", dt.datetime(1950, 5, 1), dt.datetime(1975, 10, 10),
     dt.datetime(1976, 10, 10), dt.datetime(2015, 1, 1), None, None, dt.datetime(2020, 1, 1)),
    ("M2", "CB1", "Trần Thị Bình", "Nữ", dt.datetime(1980, 3, 2), dt.datetime(2010, 6, 15),
     dt.datetime(2011, 6, 15), dt.datetime(2015, 1, 1), None, None, None),
    ("M3", "CB1", "Lê Văn Cường", "Nam", dt.datetime(1990, 11, 20), dt.datetime(2021, 7, 1),
     None, dt.datetime(2021, 7, 1), None, None, None),
    ("M4", "CB1", "Phạm Thị Dung", "Nữ", dt.datetime(1985, 5, 5), dt.datetime(2012, 1, 1),
     dt.datetime(2013, 1, 1), dt.datetime(2015, 1, 1), dt.datetime(2022, 2, 1),
     "Chuyển sinh hoạt", None),
    ("M4", "CB2", "Phạm Thị Dung", "Nữ", dt.datetime(1985, 5, 5), dt.datetime(2012, 1, 1),
     dt.datetime(2013, 1, 1), dt.datetime(2022, 2, 1), None, None, None),
    ("M5", "CB2", "Hoàng Văn Em", "Nam", dt.datetime(1970, 12, 12), dt.datetime(2000, 1, 1),
     dt.datetime(2001, 1, 1), dt.datetime(2022, 2, 1), None, None, None),
    ("M6", "CQ", "Đỗ Thị Gấm", "Nữ", dt.datetime(1988, 8, 8), dt.datetime(2015, 1, 1),
     dt.datetime(2016, 1, 1), dt.datetime(2016, 1, 1), None, None, None),
]  # fmt: skip

REGISTER = [("S1", "M1", "Miễn SH"), ("S1", "M2", "x"), ("S1", "M3", "Có mặt"),
            ("S1", "M4", "Đi muộn"), ("S2", "M1", "MSH"), ("S2", "M2", "X"),
            ("S2", "M3", "P"), ("S3", "M4", "x"), ("S3", "M5", "x"), ("S4", "M6", "K")]  # fmt: skip


def _title(ws, width: int, lines: list[str]) -> int:
    """Merged, bold, centred title lines, then a blank row; returns the next row."""
    for i, text in enumerate(lines, start=1):
        ws.cell(i, 1, text).font = Font(bold=True)
        ws.cell(i, 1).alignment = Alignment(horizontal="center")
        ws.merge_cells(start_row=i, start_column=1, end_row=i, end_column=width)
    return len(lines) + 2


def _footer(ws, row: int) -> None:
    for i, line in enumerate(FOOTER):
        for j, text in enumerate(line, start=1):
            if text:
                ws.cell(row + i, j, text)


def meetings_workbook(path: Path) -> None:
    """Title block, STT, a header over two rows with "Số đảng viên" merged above four counts."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Sinh hoạt năm 2022"
    top = ["STT", "Mã buổi\nsinh hoạt", "Mã chi bộ", "Ngày sinh hoạt", "Loại", "Thời lượng (phút)",
           "Tự xếp loại", "Cấp ủy cấp trên dự", "Số đảng viên"]  # fmt: skip
    sub = ["Triệu tập", "Có mặt", "Vắng có lý do", "Vắng không lý do"]
    row = _title(ws, len(top) + 3, TITLE + ["DANH SÁCH CÁC BUỔI SINH HOẠT CHI BỘ NĂM 2022"])
    for j, text in enumerate(top, start=1):
        ws.cell(row, j, text).alignment = Alignment(wrap_text=True)
        if j < len(top):
            ws.merge_cells(start_row=row, start_column=j, end_row=row + 1, end_column=j)
    ws.merge_cells(start_row=row, start_column=len(top), end_row=row, end_column=len(top) + 3)
    for j, text in enumerate(sub, start=len(top)):
        ws.cell(row + 1, j, text)
    for i, record in enumerate(MEETINGS, start=1):
        ws.cell(row + 1 + i, 1, i)
        for j, value in enumerate(record, start=2):
            cell = ws.cell(row + 1 + i, j, value)
            if isinstance(value, dt.datetime):
                cell.number_format = "DD/MM/YYYY"
    _footer(ws, row + len(MEETINGS) + 3)
    wb.save(path)


def members_workbook(path: Path) -> None:
    """Title block, STT, headers with line breaks, date cells; a second sheet of notes."""
    wb = Workbook()
    ws = wb.active
    ws.title = "DS đảng viên"
    header = ["STT", "Mã đảng viên", "Mã chi bộ", "Họ và tên", "Giới tính", "Ngày sinh",
              "Ngày kết nạp\nĐảng", "Ngày chính thức", "Ngày chuyển đến\nchi bộ",
              "Ngày ra khỏi\nchi bộ", "Lý do", "Ngày miễn\nsinh hoạt"]  # fmt: skip
    row = _title(ws, len(header), TITLE + ["DANH SÁCH ĐẢNG VIÊN"])
    for j, text in enumerate(header, start=1):
        ws.cell(row, j, text).alignment = Alignment(wrap_text=True)
    for i, record in enumerate(MEMBERS, start=1):
        ws.cell(row + i, 1, i)
        for j, value in enumerate(record, start=2):
            cell = ws.cell(row + i, j, value)
            if isinstance(value, dt.datetime):
                cell.number_format = "DD/MM/YYYY"
    _footer(ws, row + len(MEMBERS) + 2)
    notes = wb.create_sheet("Ghi chép")
    notes["A1"] = "Sổ ghi chép của chi bộ: không phải bảng dữ liệu"
    wb.save(path)


def register_csv(path: Path) -> None:
    """The register exported as "CSV (semicolon)": title lines, STT, marks, a footer."""
    lines = [f"{TITLE[0]};;;", f"{TITLE[1]};;;", "SỔ ĐIỂM DANH;;;", ";;;",
             "STT;Mã buổi sinh hoạt;Mã đảng viên;Tình trạng"]  # fmt: skip
    lines += [f"{i};{m};{p};{s}" for i, (m, p, s) in enumerate(REGISTER, start=1)]
    lines += [";;;", ";Người lập biểu;;T/M CHI ỦY", ";;;BÍ THƯ"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")


def register_workbook(path: Path) -> None:
    """The paper register copied into a workbook, one sheet per cell.

    CB1's sheet names its cell in the title block ("Mã chi bộ: CB1") and heads its
    columns with a date cell and a date typed as text; CB2's sheet is named after
    its cell; CQ's heads its column with the meeting's code. A blank mark: not on
    the roll for that meeting (M4 left CB1 on 01/02/2022).
    """
    wb = Workbook()
    ws = wb.active
    ws.title = "Sổ điểm danh"
    row = _title(ws, 6, TITLE + ["Mã chi bộ: CB1", "SỔ ĐIỂM DANH NĂM 2022"])
    for j, text in enumerate(["STT", "Mã đảng viên", "Họ và tên"], start=1):
        ws.cell(row, j, text)
    ws.cell(row, 4, dt.datetime(2022, 1, 5)).number_format = "DD/MM/YYYY"
    ws.cell(row, 5, "05/02/2022")
    marks = [("M1", "Nguyễn Văn An", "Miễn SH", "MSH"), ("M2", "Trần Thị Bình", "x", "X"),
             ("M3", "Lê Văn Cường", "Có mặt", "P"), ("M4", "Phạm Thị Dung", "Đi muộn", None)]  # fmt: skip
    for i, record in enumerate(marks, start=1):
        ws.cell(row + i, 1, i)
        for j, value in enumerate(record, start=2):
            if value is not None:
                ws.cell(row + i, j, value)
    _footer(ws, row + len(marks) + 2)
    cb2 = wb.create_sheet("CB2")
    cb2.append(["STT", "Mã đảng viên", "Họ và tên", "10/02/2022"])
    cb2.append([1, "M4", "Phạm Thị Dung", "x"])
    cb2.append([2, "M5", "Hoàng Văn Em", "x"])
    cq = wb.create_sheet("Chi bộ CQ")
    cq.append(["STT", "Mã đảng viên", "Họ và tên", "07/01/2022", "S4"])
    cq.append([1, "M6", "Đỗ Thị Gấm", None, "K"])
    wb.save(path)


def legacy_workbook(path: Path) -> None:
    """The roll typed with the .VnTime font (TCVN3): cells hold the glyph strings ("NguyÔn")."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
    from chibo_analysis.intake.legacy import from_unicode

    wb = Workbook()
    ws = wb.active
    ws.title = "Danh sach"
    header = ["STT", "Mã đảng viên", "Mã chi bộ", "Họ và tên", "Giới tính", "Ngày sinh",
              "Ngày vào Đảng", "Ngày chính thức", "Ngày chuyển đến chi bộ",
              "Ngày ra khỏi chi bộ", "Lý do", "Ngày miễn sinh hoạt"]  # fmt: skip
    row = _title(ws, len(header), [from_unicode(line, "tcvn3") for line in
                                   ("Đảng bộ phường Phan Thiết", "Danh sách đảng viên")])  # fmt: skip
    for j, text in enumerate(header, start=1):
        ws.cell(row, j, from_unicode(text, "tcvn3"))
    for i, record in enumerate(MEMBERS, start=1):
        ws.cell(row + i, 1, i)
        for j, value in enumerate(record, start=2):
            value = from_unicode(value, "tcvn3") if isinstance(value, str) else value
            cell = ws.cell(row + i, j, value)
            if isinstance(value, dt.datetime):
                cell.number_format = "DD/MM/YYYY"
    for cells in ws.iter_rows():
        for cell in cells:
            cell.font = Font(name=".VnTime")
    wb.save(path)


def through_libreoffice(path: Path, out_dir: Path) -> None:
    """Open ``path`` in LibreOffice Calc and save it as XLSX into ``out_dir``."""
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            ["soffice", f"-env:UserInstallation=file://{profile}", "--headless",
             "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out_dir), str(path)],
            check=True, capture_output=True, timeout=180,
        )  # fmt: skip


def make(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        meetings_workbook(tmp / "Sinh hoạt chi bộ - CB1.xlsx")
        members_workbook(tmp / "Danh sách 2022.xlsx")
        register_workbook(tmp / "So diem danh 2022.xlsx")
        for name in ("Sinh hoạt chi bộ - CB1.xlsx", "Danh sách 2022.xlsx"):
            through_libreoffice(tmp / name, out_dir)
        (out_dir / "register").mkdir(exist_ok=True)
        through_libreoffice(tmp / "So diem danh 2022.xlsx", out_dir / "register")
        legacy_workbook(tmp / "Danh sach VnTime.xlsx")
        (out_dir / "legacy").mkdir(exist_ok=True)
        through_libreoffice(tmp / "Danh sach VnTime.xlsx", out_dir / "legacy")
    register_csv(out_dir / "so diem danh.csv")
    return sorted(p for p in out_dir.rglob("*") if p.is_file())


if __name__ == "__main__":
    if shutil.which("soffice") is None:
        sys.exit("soffice not found: apt-get install libreoffice-calc")
    for written in make(Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent)):
        print(written)
