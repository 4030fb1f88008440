"""The evidence workbook (chibo_analysis.present.evidence_book), opened as a reader would."""

from __future__ import annotations

import re

import openpyxl
import pandas as pd
import pytest

from chibo_analysis.labels import catalogue, label
from chibo_analysis.outputs import EXCEL_CELL_LIMIT
from chibo_analysis.present import evidence_book as eb


def absences() -> pd.DataFrame:
    """A hand-made r6_meetings list: three members, listed by code (the list's own order)."""
    return pd.DataFrame(
        {
            "member_id": ["M1", "M2", "M3"],
            "full_name": ["Nguyễn Văn An", '=HYPERLINK("http://x","a")', "Lê Thị Cúc"],
            "cell_id": ["CB1", "CB1", "CB2"],
            "year": [2022, 2022, 2022],
            "n_months": [3, 5, 4],
            "months": ["2022-01, 2022-02, 2022-03", "2022-01 … 2022-05", "2022-03 … 2022-06"],
            "_file": ["members.csv"] * 3,
            "_row": [2, 3, 4],
            "evidence": ["attendance.csv:2", "attendance.csv:3; attendance.csv:4", ""],
        }
    )


def failing() -> pd.DataFrame:
    """A hand-made failing_meetings list (the columns the list gives)."""
    return pd.DataFrame(
        {
            "meeting_id": ["S1", "S2", "S3", "S4"],
            "cell_id": ["CB1", "CB1", "CB2", "CB2"],
            "held_on": pd.to_datetime(["2022-01-07", "2022-02-07", "2022-01-09", "2022-03-09"]),
            "kind": ["regular", "regular", "thematic", "regular"],
            "duration_min": pd.array([60, 95, 80, None], dtype="Int64"),
            "self_rating": ["good", "fair", "good", "good"],
            "present": [5, 3, 4, 0],
            "counted": [6, 6, 5, 0],
            "reasons": [
                "r3_short",
                "r4_presence, r4_unexcused",
                "r3_short, r4_presence",
                "r4_no_register",
            ],  # fmt: skip
            "reason_text": ["a", "b", "c", "d"],
            "_file": ["meetings.csv"] * 4,
            "_row": [2, 3, 4, 5],
            "evidence": ["", "attendance.csv:9", "attendance.csv:12", ""],
        }
    )


def test_most_serious_failing_meetings_by_rules_then_presence_then_duration():
    # rules failed: S1 1, S2 2, S3 2, S4 1; share present: S2 3/6 = 0.5, S3 4/5 = 0.8,
    # so S2 before S3; S1 (5/6 = 0.83) before S4 (no register: empty share, last).
    assert eb.most_serious("failing_meetings", failing())["meeting_id"].tolist() == [
        "S2", "S3", "S1", "S4",
    ]  # fmt: skip
    assert eb.most_serious("failing_meetings", failing(), 2)["meeting_id"].tolist() == ["S2", "S3"]


def test_most_serious_rejects_an_unknown_list():
    from chibo_analysis.errors import ParameterError

    with pytest.raises(ParameterError, match="list"):
        eb.most_serious("everything", absences())


def test_excerpt_counts_shows_the_worst_and_names_the_workbook():
    ex = eb.excerpt("r6_meetings", absences(), "H001.evidence.xlsx", n=2)
    assert ex.count == 3
    assert ex.rows["member_id"].tolist() == ["M2", "M3"]  # 5 months, then 4
    assert ex.sentence == (
        "Dưới đây là 2 trong số 3 trường hợp, nhiều tháng vắng nhất trước. "
        "Xem đầy đủ trong tệp bằng chứng H001.evidence.xlsx."
    )
    whole = eb.excerpt("r6_meetings", absences(), "a.xlsx", lang="en")  # 3 rows ≤ 10: all shown
    assert whole.rows["member_id"].tolist() == ["M2", "M3", "M1"]
    assert whole.sentence == "Full list in the evidence workbook a.xlsx."
    by_hand = eb.excerpt("r6_meetings", absences(), None, n=1)  # no workbook: none named
    assert by_hand.sentence == "Dưới đây là 1 trong số 3 trường hợp, nhiều tháng vắng nhất trước."
    assert eb.excerpt("r6_meetings", absences(), None).sentence == ""
    empty = eb.excerpt("r6_meetings", absences().head(0), "a.xlsx")
    assert (empty.count, len(empty.rows), empty.sentence) == (0, 0, "Không có trường hợp nào.")


def test_sheet_names_fit_excel_and_every_list_has_its_texts():
    for lang in ("vi", "en"):
        names = [eb.sheet_name(n, lang) for n in ["summary", *eb.SEVERITY]]
        assert all(len(n) <= 31 and not re.search(r"[\[\]:*?/\\]", n) for n in names), names
        assert len({n.casefold() for n in names}) == len(names)  # Excel ignores case
        for name in eb.SEVERITY:
            assert eb.list_title(name, lang)
            assert f"evidence.order_{name}" in catalogue()
    from chibo_analysis.indicators import LISTS

    assert set(LISTS) <= set(eb.SEVERITY)


def test_workbook_sheets_headers_order_freeze_filter_widths(tmp_path):
    path = tmp_path / "H001.evidence.xlsx"
    warnings = eb.write_evidence(path, {"r6_meetings": absences(), "failing_meetings": failing()})
    assert warnings == []
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Tổng hợp", "Vắng không lý do từ 3 tháng", "Buổi không đạt yêu cầu"]

    summary = book["Tổng hợp"]
    assert [c.value for c in summary[2]][:3] == [label("list.r6_meetings"), 3,
                                                 "Vắng không lý do từ 3 tháng"]  # fmt: skip

    ws = book["Vắng không lý do từ 3 tháng"]
    assert [c.value for c in ws[1]] == [
        "Mã đảng viên", "Họ và tên", "Mã chi bộ", "Năm", "Số tháng", "Các tháng", "Tệp", "Dòng",
        "Căn cứ (tệp:dòng)",
    ]  # fmt: skip
    # most serious first: M2 (5 months), M3 (4), M1 (3); numbers stay numbers
    assert [[c.value for c in row] for row in ws.iter_rows(min_row=2, max_col=5)] == [
        ["M2", '=HYPERLINK("http://x","a")', "CB1", 2022, 5],
        ["M3", "Lê Thị Cúc", "CB2", 2022, 4],
        ["M1", "Nguyễn Văn An", "CB1", 2022, 3],
    ]
    assert ws["B2"].data_type == "s"  # the formula-looking name is text, not a formula
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:I4"  # 9 columns, header + 3 rows
    # (xlsxwriter stores a width with its 0.71 character of padding: the whole part is ours)
    widths = {k: int(d.width) for k, d in ws.column_dimensions.items() if d.width}
    # "Mã đảng viên" 12 + 2 = 14; "Số tháng" 8 + 2 = 10; "Năm" 3 + 2 → at least 8;
    # evidence: "attendance.csv:3; attendance.csv:4" 34 + 2 = 36
    assert (widths["A"], widths["D"], widths["E"], widths["I"]) == (14, 8, 10, 36)

    meetings = book["Buổi không đạt yêu cầu"]
    assert meetings["C1"].value == "Ngày sinh hoạt"
    assert meetings["C2"].is_date and meetings["C2"].number_format == "dd/mm/yyyy"
    assert [meetings.cell(r, 4).value for r in range(2, 6)] == [
        "Thường kỳ",
        "Chuyên đề",
        "Thường kỳ",
        "Thường kỳ",
    ]  # fmt: skip (S2, S3, S1, S4: categories in Vietnamese)
    assert meetings["E5"].value is None  # S4 has no duration: an empty cell, not "–"
    assert label("column.reasons") not in [c.value for c in meetings[1]]  # codes never shown


def test_workbook_in_english_with_a_percentage(tmp_path):
    path = tmp_path / "a.xlsx"
    inflated = pd.DataFrame(
        {"org_id": ["CB1", "CB2"], "name": ["Chi bộ 1", "Chi bộ 2"],
         "shrunken_share": [0.25, 0.75], "_file": ["organisations.csv"] * 2, "_row": [5, 6]}
    )  # fmt: skip
    eb.write_evidence(path, {"inflated_ratings": inflated}, lang="en")
    ws = openpyxl.load_workbook(path)["Ratings above the inspectors"]
    assert ws["C1"].value == "Share adjusted for the meetings inspected"
    assert [ws["A2"].value, ws["C2"].value, ws["C2"].number_format] == ["CB2", 0.75, "0.0%"]


def test_shared_workbook_hides_names_rows_and_exact_dates(tmp_path, monkeypatch):
    from chibo_analysis.present.pseudonyms import KEY_ENV, load_key, pseudonym

    monkeypatch.setenv(KEY_ENV, str(tmp_path / "key"))
    overdue = pd.DataFrame(
        {"member_id": ["M7"], "full_name": ["Trần Văn Bình"], "cell_id": ["CB1"],
         "admitted_on": pd.to_datetime(["2021-07-01"]), "days_overdue": [183],
         "_file": ["members.csv"], "_row": [8]}
    )  # fmt: skip
    path = tmp_path / "H001-shared.evidence.xlsx"
    eb.write_evidence(path, {"probation_overdue": overdue, "r6_meetings": absences()}, share=True)
    book = openpyxl.load_workbook(path)
    ws = book["Dự bị quá hạn chưa chính thức"]
    headers = [c.value for c in ws[1]]
    assert headers == ["Mã đảng viên", "Mã chi bộ", "Ngày vào Đảng", "Số ngày quá hạn"]
    assert [c.value for c in ws[2]] == [pseudonym("M7", load_key()), "CB1", 2021, 183]
    text = " ".join(str(c.value) for sheet in book for row in sheet.iter_rows() for c in row)
    for hidden in ("Trần Văn Bình", "Nguyễn Văn An", "M1", "members.csv", "attendance.csv"):
        assert hidden not in text


def test_a_text_too_long_for_a_cell_is_cut_with_a_warning(tmp_path):
    frame = absences().assign(evidence=["attendance.csv:2; " * 2_500, "", ""])  # 45,000 chars
    path = tmp_path / "a.xlsx"
    warnings = eb.write_evidence(path, {"r6_meetings": frame})
    # M1 (3 months) is the last data row: row 4
    assert len(warnings) == 1 and "row 4" in warnings[0] and "45,000" in warnings[0]
    ws = openpyxl.load_workbook(path)["Vắng không lý do từ 3 tháng"]
    assert len(ws["I4"].value) == EXCEL_CELL_LIMIT


def test_cells_are_named_with_their_base_where_a_name_repeats(tmp_path):
    orgs = pd.DataFrame(
        {"org_id": ["T", "B1", "B2", "CB1", "CB2"], "parent_id": [None, "T", "T", "B1", "B2"],
         "level": ["committee", "base", "base", "cell", "cell"],
         "name": ["TP", "Phường A", "Phường B", "Tổ 1", "Tổ 1"]}
    )  # fmt: skip
    path = tmp_path / "a.xlsx"
    eb.write_evidence(path, {"r6_meetings": absences()}, organisations=orgs)
    ws = openpyxl.load_workbook(path)["Vắng không lý do từ 3 tháng"]
    assert [c.value for c in ws[1]][2:4] == ["Mã chi bộ", "Tên chi bộ"]
    # M2 (CB1), M3 (CB2), M1 (CB1): both cells are "Tổ 1", so each names its ward
    assert [ws.cell(r, 4).value for r in (2, 3, 4)] == ["Tổ 1 – Phường A", "Tổ 1 – Phường B",
                                                          "Tổ 1 – Phường A"]  # fmt: skip


def test_a_period_written_as_text_stays_text_and_a_year_as_text_becomes_a_number(tmp_path):
    frame = pd.DataFrame(
        {"org_id": ["B1", "B2"], "name": ["Phường A", "Phường B"], "year": ["2022", "2023"],
         "period": ["2022Q3", "2022Q4"], "excellent": [3, 1], "allowed": [1, 1]}
    )  # fmt: skip
    path = tmp_path / "a.xlsx"
    eb.write_evidence(path, {"r9_cap": frame}, lang="en")
    ws = openpyxl.load_workbook(path)["Over the 20% cap"]
    # B1 is 2 over its cap, B2 none: B1 first
    assert [c.value for c in ws[2]][:4] == ["B1", "Phường A", 2022, "2022Q3"]
