"""The data-collection workbook: its sheets, headers, lists, formats, and the round trip."""

from __future__ import annotations

import datetime as dt
import re

import openpyxl
import pandas as pd
import pytest

import chibo_analysis
from chibo_analysis.commands import cli
from chibo_analysis.errors import ParameterError
from chibo_analysis.intake.load import load_dataset
from chibo_analysis.intake.template import (
    TABLE_NOTES_VI,
    choice_labels,
    sheet_name,
    write_template,
)
from chibo_analysis.schema import NO, TABLES, YES, Column, Table, fold, match_table

VI_SHEETS = [
    "Hướng dẫn",
    "Tổ chức đảng",
    "Đảng viên",
    "Sinh hoạt chi bộ",
    "Điểm danh",
    "Kiểm tra, giám sát",
    "Đảng phí",
    "Kỷ luật",
    "Đánh giá, xếp loại",
    "Danh mục",
]


@pytest.fixture(scope="module")
def vi_path(tmp_path_factory):
    return write_template(tmp_path_factory.mktemp("tpl") / "mau.xlsx")


@pytest.fixture(scope="module")
def vi_book(vi_path):
    return openpyxl.load_workbook(vi_path)


def headers(ws) -> list[str]:
    return [c.value for c in ws[1]]


def column_of(ws, title: str) -> int:
    """1-based column of a header; fails the test if the template lacks it."""
    titles = headers(ws)
    assert title in titles, f"{title!r} not among {titles}"
    return titles.index(title) + 1


def validation_values(book, ws, col: int) -> list[str]:
    """The values offered by the list validation covering row 2 of column ``col``."""
    cell = f"{openpyxl.utils.get_column_letter(col)}2"
    found = [v for v in ws.data_validations.dataValidation if cell in v.sqref]
    assert len(found) == 1, f"{ws.title}!{cell}: {len(found)} validations"
    rule = found[0]
    assert rule.type == "list"
    sheet, ref = re.fullmatch(r"'?(.+?)'?!(.+)", rule.formula1.lstrip("=")).groups()
    return [row[0].value for row in book[sheet][ref.replace("$", "")]]


# --- the workbook as written -------------------------------------------------


def test_sheets_in_order_guide_first_lists_hidden(vi_book):
    assert vi_book.sheetnames == VI_SHEETS
    assert vi_book["Danh mục"].sheet_state == "hidden"
    assert vi_book.active.title == "Hướng dẫn"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_sheet_name_maps_back_to_its_table(lang):
    for table in TABLES.values():
        assert match_table(sheet_name(table, lang)) is table


def test_non_table_sheets_map_to_no_table(vi_book):
    assert match_table("Hướng dẫn") is None
    assert match_table("Danh mục") is None
    assert match_table("instructions") is None
    assert match_table("lists") is None


def test_sheet_name_strips_forbidden_characters_and_truncates():
    table = Table(
        "x",
        "Báo cáo: tổng hợp [2022] / quý 1 của các chi bộ",
        "en",
        False,
        ("a",),
        (Column("a", "id", "A", "a"),),
    )
    # ':' '[' ']' '/' become spaces, runs collapse: "Báo cáo tổng hợp 2022 quý 1 của các chi bộ",
    # then the first 31 characters: "Báo cáo tổng hợp 2022 quý 1 của" (31), no trailing space.
    assert sheet_name(table) == "Báo cáo tổng hợp 2022 quý 1 của"
    assert len(sheet_name(table)) == 31


def test_meetings_headers_in_vietnamese(vi_book):
    assert headers(vi_book["Sinh hoạt chi bộ"]) == [
        "Mã buổi sinh hoạt",
        "Mã chi bộ",
        "Ngày sinh hoạt",
        "Loại",
        "Thời lượng (phút)",
        "Tự đánh giá",
        "Cấp ủy cấp trên dự",
        "Chủ đề",
        "Nội dung biên bản",
        "Số triệu tập",
        "Có mặt",
        "Vắng có lý do",
        "Vắng không lý do",
    ]


def test_required_headers_bold_others_not(vi_book):
    ws = vi_book["Tổ chức đảng"]
    bold = {c.value: bool(c.font.b) for c in ws[1]}
    assert bold == {
        "Mã tổ chức": True,
        "Tên tổ chức": True,
        "Mã tổ chức cấp trên": True,
        "Cấp": True,
        "Loại hình": False,
        "Ngày thành lập": False,
        "Ngày giải thể": False,
    }


def test_header_note_gives_english_name_and_meaning(vi_book):
    ws = vi_book["Sinh hoạt chi bộ"]
    note = ws.cell(1, column_of(ws, "Ngày sinh hoạt")).comment.text
    assert note.splitlines()[0] == "held_on: held on"
    assert "dd/mm/yyyy" in note
    assert "Không được để trống." in note
    note = vi_book["Đảng phí"].cell(1, 3).comment.text  # Số tiền
    assert note.splitlines()[0] == "amount: amount (đồng)"


def test_drop_down_lists(vi_book):
    ws = vi_book["Sinh hoạt chi bộ"]
    assert validation_values(vi_book, ws, column_of(ws, "Tự đánh giá")) == [
        "Tốt",
        "Khá",
        "Trung bình",
        "Kém",
    ]
    assert validation_values(vi_book, ws, column_of(ws, "Cấp ủy cấp trên dự")) == ["Có", "Không"]
    ws = vi_book["Tổ chức đảng"]
    # a label with a comma: why the lists live on a sheet rather than inline
    assert validation_values(vi_book, ws, column_of(ws, "Loại hình")) == [
        "Thôn, tổ dân phố",
        "Cơ quan",
        "Đơn vị sự nghiệp",
        "Doanh nghiệp",
        "Lực lượng vũ trang",
        "Khác",
    ]


def test_every_category_and_bool_column_has_a_list(vi_book):
    for table in TABLES.values():
        ws = vi_book[sheet_name(table)]
        for i, column in enumerate(table.columns, start=1):
            if column.kind in ("category", "bool"):
                assert validation_values(vi_book, ws, i) == list(choice_labels(column))


def test_formats_frozen_header_and_widths(vi_book):
    ws = vi_book["Đảng phí"]  # Mã đảng viên, Tháng, Số tiền, Ngày nộp
    dims = ws.column_dimensions
    assert dims["A"].number_format == "@"  # codes kept as text: leading zeros survive
    assert dims["B"].number_format == "@"  # month as mm/yyyy text, not turned into a date
    assert dims["C"].number_format == "#,##0"
    assert dims["D"].number_format == "dd/mm/yyyy"
    assert ws.freeze_panes == "A2"
    assert all(dims[c].width >= 10 for c in "ABCD")


def test_guide_mentions_formats_and_sources(vi_book):
    text = "\n".join(
        str(v) for row in vi_book["Hướng dẫn"].iter_rows(values_only=True) for v in row if v
    )
    for needle in (
        "dd/mm/yyyy",
        "mm/yyyy",
        "50.000",
        "Ô để trống",
        "danh sách thả xuống",
        "HD 12-HD/BTCTW (06/7/2018)",
        "Họ và tên, Ngày sinh",
    ):
        assert needle in text, needle


def test_declarations_cover_the_schema():
    assert set(TABLE_NOTES_VI) == set(TABLES)
    for lang in ("vi", "en"):  # the yes/no drop-down offers spellings the loader accepts
        yes, no = choice_labels(TABLES["meetings"].column("superior_attended"), lang)
        assert fold(yes) in YES and fold(no) in NO


def test_bad_arguments(tmp_path):
    with pytest.raises(ParameterError, match="lang='fr'"):
        write_template(tmp_path / "x.xlsx", lang="fr")
    with pytest.raises(ParameterError, match=r"x\.csv"):
        write_template(tmp_path / "x.csv")


def test_cli(tmp_path, capsys):
    out = tmp_path / "sub" / "mau.xlsx"
    assert cli.main(["template", "--out", str(out)]) == 0
    assert openpyxl.load_workbook(out).sheetnames == VI_SHEETS
    assert cli.main(["template", "--out", str(tmp_path / "mau.csv")]) == 2
    assert "mau.csv': tên tệp phải có đuôi .xlsx" in capsys.readouterr().err


# --- the round trip: filled in by hand, loaded back --------------------------

# Rows as a cell would type them, keyed by the Vietnamese headers.
FILL = {
    "Tổ chức đảng": [
        {"Mã tổ chức": "TP", "Tên tổ chức": "Đảng bộ Thành phố", "Cấp": "Đảng bộ cấp trên cơ sở"},
        {
            "Mã tổ chức": "PT",
            "Tên tổ chức": "Đảng bộ phường",
            "Mã tổ chức cấp trên": "TP",
            "Cấp": "Đảng bộ cơ sở",
            "Ngày thành lập": dt.datetime(2008, 5, 1),
        },
        {
            "Mã tổ chức": "001",
            "Tên tổ chức": "Chi bộ tổ dân phố 1",
            "Mã tổ chức cấp trên": "PT",
            "Cấp": "Chi bộ trực thuộc",
            "Loại hình": "Thôn, tổ dân phố",
            "Ngày thành lập": dt.datetime(2010, 3, 15),
            "Ngày giải thể": "31/12/2025",
        },
    ],
    "Đảng viên": [
        {
            "Mã đảng viên": "DV1",
            "Mã chi bộ": "001",
            "Giới tính": "Nữ",
            "Ngày vào Đảng": dt.datetime(2015, 2, 3),
            "Ngày chính thức": dt.datetime(2016, 2, 3),
            "Ngày chuyển đến chi bộ": dt.datetime(2015, 2, 3),
        },
        {
            "Mã đảng viên": "DV2",
            "Mã chi bộ": "001",
            "Giới tính": "Nam",
            "Ngày vào Đảng": "03/01/2022",
            "Ngày chuyển đến chi bộ": "03/01/2022",
            "Ngày ra khỏi chi bộ": dt.datetime(2022, 9, 30),
            "Lý do": "Từ trần",
        },
    ],
    "Sinh hoạt chi bộ": [
        {
            "Mã buổi sinh hoạt": "SH1",
            "Mã chi bộ": "001",
            "Ngày sinh hoạt": dt.datetime(2022, 1, 5),
            "Loại": "Thường kỳ kết hợp chuyên đề",
            "Thời lượng (phút)": 120,
            "Tự đánh giá": "Tốt",
            "Cấp ủy cấp trên dự": "Có",
            "Số triệu tập": 2,
            "Có mặt": 1,
            "Vắng có lý do": 1,
            "Vắng không lý do": 0,
        },
        {
            "Mã buổi sinh hoạt": "SH2",
            "Mã chi bộ": "001",
            "Ngày sinh hoạt": "05/02/2022",
            "Loại": "Thường kỳ",
            "Tự đánh giá": "Khá",
            "Cấp ủy cấp trên dự": "Không",
        },
    ],
    "Điểm danh": [
        {"Mã buổi sinh hoạt": "SH1", "Mã đảng viên": "DV1", "Tình trạng": "Có mặt"},
        {"Mã buổi sinh hoạt": "SH1", "Mã đảng viên": "DV2", "Tình trạng": "Vắng có lý do"},
    ],
    "Kiểm tra, giám sát": [
        {
            "Mã kiểm tra": "KT1",
            "Mã buổi sinh hoạt": "SH1",
            "Ngày kiểm tra": dt.datetime(2022, 1, 5),
            "Xếp loại": "Khá",
            "Hạn khắc phục": "15/02/2022",
        },
    ],
    "Đảng phí": [
        {
            "Mã đảng viên": "DV1",
            "Tháng": "01/2022",
            "Số tiền": "50.000",
            "Ngày nộp": dt.datetime(2022, 1, 5),
        },
        {"Mã đảng viên": "DV2", "Tháng": "01/2022", "Số tiền": "20.000"},
    ],
    "Kỷ luật": [
        {
            "Mã đối tượng": "DV1",
            "Ngày quyết định": dt.datetime(2022, 6, 1),
            "Hình thức": "Khiển trách",
        },
    ],
    "Đánh giá, xếp loại": [
        {"Mã đối tượng": "DV1", "Năm": 2022, "Xếp loại": "Hoàn thành tốt nhiệm vụ"},
        {"Mã đối tượng": "001", "Năm": 2022, "Xếp loại": "Hoàn thành xuất sắc nhiệm vụ"},
    ],
}


def fill(book, rows_by_sheet: dict) -> None:
    for sheet, rows in rows_by_sheet.items():
        ws = book[sheet]
        for r, row in enumerate(rows, start=2):
            for title, value in row.items():
                ws.cell(r, column_of(ws, title), value)


@pytest.fixture(scope="module")
def filled(vi_path, tmp_path_factory):
    book = openpyxl.load_workbook(vi_path)
    fill(book, FILL)
    out = tmp_path_factory.mktemp("filled") / "chi_bo_001.xlsx"
    book.save(out)
    return load_dataset(out)


def test_round_trip_reads_every_table_without_issues(filled):
    assert {name: len(frame) for name, frame in filled.tables.items()} == {
        "organisations": 3,
        "members": 2,
        "meetings": 2,
        "attendance": 2,
        "inspections": 1,
        "dues": 2,
        "disciplines": 1,
        "reviews": 2,
    }
    assert set(filled.load_issues["code"]) == {"instructions_sheet"}  # the guide and lists


def test_round_trip_validates_clean(filled):
    # the hand-filled records are consistent: every code refers to a row of another sheet,
    # every date lies within the lifetimes it must (e.g. DV2 joined 03/01/2022, before SH1)
    report = chibo_analysis.validate(filled)
    assert report.ok and report.n_info == 2, report.to_frame()


def test_round_trip_organisations(filled):
    org = filled.organisations
    assert org["org_id"].tolist() == ["TP", "PT", "001"]  # leading zeros kept
    assert org["parent_id"].isna().tolist() == [True, False, False]
    assert org["level"].tolist() == ["committee", "base", "cell"]
    assert org.loc[2, "kind"] == "residential"
    assert org.loc[2, "founded_on"] == pd.Timestamp("2010-03-15")
    assert org.loc[2, "dissolved_on"] == pd.Timestamp("2025-12-31")  # typed as text
    assert org["_sheet"].tolist() == ["Tổ chức đảng"] * 3
    assert org["_row"].tolist() == [2, 3, 4]


def test_round_trip_members(filled):
    mem = filled.members
    assert mem["gender"].tolist() == ["female", "male"]
    assert mem.loc[1, "admitted_on"] == pd.Timestamp("2022-01-03")  # 03/01/2022: day first
    assert pd.isna(mem.loc[1, "confirmed_on"])  # probationary
    assert mem.loc[1, "left_reason"] == "deceased"
    assert mem["full_name"].isna().all()  # optional, left empty


def test_round_trip_meetings_and_attendance(filled):
    mt = filled.meetings
    assert mt["kind"].tolist() == ["combined", "regular"]
    assert mt["held_on"].tolist() == [pd.Timestamp("2022-01-05"), pd.Timestamp("2022-02-05")]
    assert mt["duration_min"].tolist() == [120, pd.NA]
    assert mt["self_rating"].tolist() == ["good", "fair"]
    assert mt["superior_attended"].tolist() == [True, False]
    assert mt.loc[0, ["n_summoned", "n_present", "n_excused", "n_absent"]].tolist() == [2, 1, 1, 0]
    assert str(mt["duration_min"].dtype) == "Int64"
    assert filled.attendance["status"].tolist() == ["present", "excused"]


def test_round_trip_optional_tables(filled):
    ins = filled.inspections
    assert ins.loc[0, "rating"] == "fair"
    assert ins.loc[0, "follow_up_due"] == pd.Timestamp("2022-02-15")
    dues = filled.dues
    assert dues["month"].tolist() == [pd.Timestamp("2022-01-01")] * 2
    assert dues["amount"].tolist() == [50000, 20000]  # "50.000" is fifty thousand đồng
    assert dues["paid_on"].isna().tolist() == [False, True]  # empty: unpaid
    assert filled.disciplines.loc[0, "form"] == "reprimand"
    assert filled.reviews["level"].tolist() == ["good", "excellent"]
    assert filled.reviews["year"].tolist() == [2022, 2022]


def test_english_template_round_trip(tmp_path):
    path = write_template(tmp_path / "template.xlsx", lang="en")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[0] == "instructions"
    assert headers(book["attendance"]) == ["meeting_id", "member_id", "status"]
    ws = book["meetings"]
    assert validation_values(book, ws, column_of(ws, "superior_attended")) == ["Yes", "No"]
    fill(
        book,
        {
            "organisations": [{"org_id": "C1", "name": "Cell 1", "level": "cell"}],
            "members": [{"member_id": "M1", "cell_id": "C1"}],
            "meetings": [
                {
                    "meeting_id": "S1",
                    "cell_id": "C1",
                    "held_on": "2022-03-01",
                    "kind": "thematic",
                    "superior_attended": "Yes",
                }
            ],
            "attendance": [{"meeting_id": "S1", "member_id": "M1", "status": "absent"}],
        },
    )
    book.save(tmp_path / "filled.xlsx")
    ds = load_dataset(tmp_path / "filled.xlsx")
    assert ds.meetings.loc[0, "kind"] == "thematic"
    assert ds.meetings.loc[0, "held_on"] == pd.Timestamp("2022-03-01")
    assert ds.meetings.loc[0, "superior_attended"]
    assert ds.attendance.loc[0, "status"] == "absent"
    assert set(ds.load_issues["code"]) == {"instructions_sheet"}
