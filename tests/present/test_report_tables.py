"""Tables for readers (chibo_analysis.present.report_tables)."""

from __future__ import annotations

import pandas as pd

# --- tables for readers -----------------------------------------------------------


def test_reader_view_pseudonymises_and_drops_names_when_shared():
    from chibo_analysis.present.pseudonyms import pseudonym
    from chibo_analysis.present.report_tables import reader_view

    key = b"k" * 32
    frame = pd.DataFrame(
        {
            "member_id": ["M1"],
            "full_name": ["Nguyễn Văn An"],
            "reason": ["Anh An vắng"],  # free text may name people
            "reasons": ["r3_short"],  # codes: never shown
            "n_months": [3],
        }
    )
    assert reader_view(frame).columns.tolist() == ["member_id", "full_name", "reason", "n_months"]
    shared = reader_view(frame, share=True, key=key)
    assert shared.to_dict("list") == {"member_id": [pseudonym("M1", key)], "n_months": [3]}


def test_a_shared_list_of_meetings_names_no_member_in_its_reasons():
    from chibo_analysis.present.pseudonyms import pseudonym
    from chibo_analysis.present.report_tables import reader_view

    key = b"k" * 32
    frame = pd.DataFrame(
        {
            "meeting_id": ["S1", "S2"],
            "reason_text": [
                "ngắn hơn 90 phút (60 phút); vắng có lý do lần thứ 4 trở lên liên tiếp: M12, M3",
                "có mặt 3/6 đảng viên, không quá 85%",
            ],
        }
    )
    shared = reader_view(frame, share=True, key=key)["reason_text"].tolist()
    assert shared == [
        "ngắn hơn 90 phút (60 phút); vắng có lý do lần thứ 4 trở lên liên tiếp: "
        f"{pseudonym('M12', key)}, {pseudonym('M3', key)}",
        "có mặt 3/6 đảng viên, không quá 85%",
    ]
    assert reader_view(frame)["reason_text"].tolist() == frame["reason_text"].tolist()


def test_target_table_formats_rates_and_counts():
    from types import SimpleNamespace

    from chibo_analysis.present.report_tables import target_table

    assessment = pd.DataFrame(
        {
            "org_id": ["B", "B", "C1"],
            "target": ["attendance_rate", "admissions", "admissions"],
            "column": ["attendance_rate", "admissions", "admissions"],
            "op": [">=", ">=", ">="],
            "value": [0.875, 2.0, 0.0],
            "target_value": [0.9, 1.0, 1.0],
            "met": pd.array([False, True, False], dtype="boolean"),
            "gap": [-0.025, 1.0, -1.0],
            "source": ["Đề án 16-ĐA/TU"] * 3,
        }
    )
    t = SimpleNamespace(
        targets={
            "attendance_rate": SimpleNamespace(
                label_vi="Tỷ lệ dự sinh hoạt", label_en="Attendance"
            ),
            "admissions": SimpleNamespace(label_vi="Kết nạp", label_en="Admissions"),
        }
    )
    out = target_table(assessment, t, "B", lang="vi")
    assert out.drop(columns=["met", "source"]).to_dict("list") == {
        "target_label": ["Tỷ lệ dự sinh hoạt", "Kết nạp"],
        "value": ["87,5%", "2"],
        "target_value": ["≥ 90,0%", "≥ 1"],
        "gap": ["-2,5%", "+1"],
    }
    assert out["met"].tolist() == [False, True]


def test_provenance_lists_version_parameters_and_file_hashes():
    from chibo_analysis import __version__
    from chibo_analysis.dataset import Dataset, SourceFile
    from chibo_analysis.present.report_tables import provenance

    ds = Dataset(tables={}, sources=(SourceFile("meetings.csv", "meetings", None, 4, "ab" * 32),))
    out = provenance(ds, {"org_id": "B", "targets": None}, lang="en")
    assert out.to_dict("list") == {
        "item": ["chibo-analysis version", "Parameters", "File: meetings.csv"],
        "value": [__version__, "org_id = B; targets = –", f"SHA-256 hash {'ab' * 8}…; Rows 4"],
    }


def test_show_list_labels_and_pseudonymises(monkeypatch, tmp_path):
    from pathlib import Path

    from chibo_analysis.intake.load import load_dataset
    from chibo_analysis.present.pseudonyms import KEY_ENV, load_key, pseudonym
    from chibo_analysis.present.report_tables import show_list

    monkeypatch.setenv(KEY_ENV, str(tmp_path / "key"))
    ds = load_dataset(Path(__file__).parents[1] / "data" / "clean")
    # tests/data/clean: M3 (Lê Văn Cường), admitted 01/07/2021, is not confirmed by the end of 2022.
    internal = show_list("probation_overdue", ds, "2022", "TP", lang="vi")._repr_html_()
    assert "Lê Văn Cường" in internal and "Họ và tên" in internal
    shared = show_list("probation_overdue", ds, "2022", "TP", lang="vi", share=True)._repr_html_()
    assert "Lê Văn Cường" not in shared and ">M3<" not in shared
    assert pseudonym("M3", load_key()) in shared


def test_scorecard_rows_and_organisation_name():
    from chibo_analysis.dataset import Dataset
    from chibo_analysis.present.report_tables import organisation_name, scorecard_rows

    card = pd.DataFrame(
        {"org_id": ["B", "C"], "level": ["base", "cell"], "name": ["Phường X", "Chi bộ 1"],
         "members": [5, 5]}
    )  # fmt: skip
    assert scorecard_rows(card, "cells", ["name", "members"]).to_dict("list") == {
        "name": ["Chi bộ 1"], "members": [5],
    }  # fmt: skip
    assert scorecard_rows(card, "bases", ["name"])["name"].tolist() == ["Phường X"]
    ds = Dataset(tables={"organisations": card})
    assert organisation_name(ds, "C") == "Chi bộ 1" and organisation_name(ds, "Z") == "Z"


def test_cap_table_shows_the_share_and_the_allowed_count_with_short_evidence():
    # The row: 68 rated good, cap 20% -> 13.6, so at most 13 excellent are
    # allowed; 16 excellent members, each with a review row: the cell shows the first
    # three references and "13 more (16 records)", not 16 references.
    from chibo_analysis.present.report_tables import show_frame

    refs = "; ".join(f"reviews.csv:{r}" for r in range(10, 26))
    row = pd.DataFrame({"org_id": ["B1"], "name": ["Phường X"], "year": [2022],
                        "excellent": [16], "good": [68], "basis": [68], "cap_share": [0.2],
                        "allowed": [13], "_file": ["organisations.csv"], "_row": [3],
                        "evidence": [refs]})  # fmt: skip
    html = show_frame(row, "organisations", lang="vi")._repr_html_()
    assert "<td>20,0%</td>" in html and "<td>13</td>" in html
    assert "1.360" not in html and "13,6" not in html
    assert "reviews.csv:10 … và 15 bản ghi khác (16 bản ghi)" in html
    assert "reviews.csv:13" not in html
    english = show_frame(row, "organisations", lang="en")._repr_html_()
    assert "<td>20.0%</td>" in english and "… and 15 more (16 records)" in english


#: A committee T with two base organisations: B1 (cells C1, C2) and the base cell K.
ORGS = pd.DataFrame(
    {
        "org_id": ["T", "B1", "C1", "C2", "K"],
        "parent_id": [None, "T", "B1", "B1", "T"],
        "level": ["committee", "base", "cell", "cell", "base_cell"],
        "name": ["Thành phố", "Phường Một", "Chi bộ Tổ 1", "Chi bộ Tổ 2", "Chi bộ Tổ 1"],
    }
)
CARD = ORGS.assign(members=[30, 20, 12, 8, 10], regular_rate=[0.9, 0.9, 1.0, 0.75, 1.0])


def _assessment(missed: dict[str, list[str]]) -> pd.DataFrame:
    rows = []
    for org_id, name in zip(ORGS["org_id"], ORGS["name"], strict=True):
        for target in ("regular_rate", "admissions"):
            rows.append((org_id, name, target, target not in missed.get(org_id, [])))
    frame = pd.DataFrame(rows, columns=["org_id", "name", "target", "met"])
    return frame.astype({"met": "boolean"})


def test_base_rollup_counts_cells_missing_a_target_most_first():
    from chibo_analysis.dataset import Dataset
    from chibo_analysis.present.report_tables import base_rollup, is_committee

    # C2 misses regular meetings, K (a base cell: its own one cell) misses admissions,
    # B1 itself misses regular meetings; C1 meets both.
    assessment = _assessment({"C2": ["regular_rate"], "K": ["admissions"], "B1": ["regular_rate"]})
    out = base_rollup(CARD, assessment, Dataset(tables={"organisations": ORGS}))
    assert out[["name", "cells", "cells_missing", "targets_missed"]].to_dict("list") == {
        "name": ["Chi bộ Tổ 1", "Phường Một"],  # K: 1 cell missing, 1 target; B1: 1 and 1
        "cells": [1, 2],
        "cells_missing": [1, 1],
        "targets_missed": [1, 1],
    }
    assert is_committee(CARD, "T") and not is_committee(CARD, "B1") and not is_committee(CARD, "X")


def test_cells_missing_targets_name_their_base_and_what_they_missed():
    from chibo_analysis.dataset import Dataset
    from chibo_analysis.indicators.targets import load_targets
    from chibo_analysis.present.report_tables import cells_missing_targets

    assessment = _assessment({"C1": ["regular_rate", "admissions"], "K": ["admissions"]})
    out = cells_missing_targets(
        CARD, assessment, load_targets(), Dataset(tables={"organisations": ORGS})
    )
    # Two cells named "Chi bộ Tổ 1": the base column tells them apart; C1 missed 2, first.
    assert out.to_dict("list") == {
        "base": ["Phường Một", "Chi bộ Tổ 1"],
        "name": ["Chi bộ Tổ 1", "Chi bộ Tổ 1"],
        "members": [12, 10],
        "missed_targets": [
            "Sinh hoạt thường kỳ hằng tháng; Kết nạp đảng viên mới",
            "Kết nạp đảng viên mới",
        ],
    }


def test_a_long_table_shows_its_first_rows_and_says_how_many_there_are():
    from chibo_analysis.present.display import table

    frame = pd.DataFrame({"name": [f"Chi bộ {i}" for i in range(1, 14)], "members": range(13)})
    html = table(frame, "vi", limit=10).data
    assert html.count("<tr") == 11 and "Chi bộ 10<" in html and "Chi bộ 11<" not in html
    assert "Nêu 10 trong số 13 dòng. Xem đầy đủ trong tệp bằng chứng kèm theo báo cáo." in html
    assert "Nêu" not in table(frame.head(10), "vi", limit=10).data  # nothing left out: no line


def test_rejected_rows_name_the_columns_in_the_readers_language(clean_dir):
    from conftest import append_line

    from chibo_analysis import load_dataset, validate
    from chibo_analysis.present.report_tables import rejected_rows

    append_line(clean_dir / "attendance.csv", "S1,M1,exempt")  # repeats the first row's key
    report = validate(load_dataset(clean_dir))
    vi = rejected_rows(report, "vi")["reasons"].tolist()
    en = rejected_rows(report, "en")["reasons"].tolist()
    assert [r for r in vi if "meeting_id" in r or "member_id" in r] == []
    assert any("Mã đảng viên" in r for r in vi) and all("member_id" not in r for r in en)


def test_cells_missing_targets_name_the_targets_in_english_when_asked():
    from chibo_analysis.dataset import Dataset
    from chibo_analysis.indicators.targets import load_targets
    from chibo_analysis.present.report_tables import cells_missing_targets

    assessment = _assessment({"K": ["regular_rate", "admissions"]})
    out = cells_missing_targets(
        CARD, assessment, load_targets(), Dataset(tables={"organisations": ORGS}), lang="en"
    )
    assert out["missed_targets"].tolist() == ["Regular meeting every month; New members admitted"]


def test_a_column_not_read_is_listed_with_its_header_as_written(clean_dir):
    from chibo_analysis import load_dataset, validate
    from chibo_analysis.present.report_tables import not_read

    # a 13-character header and a 130-character one: the first whole, the second cut at 120
    long = "Ghi chú " + "x" * 122
    path = clean_dir / "organisations.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = [lines[0] + ",Ghi chú riêng," + long] + [line + ",a,b" for line in lines[1:]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = not_read(validate(load_dataset(clean_dir)), "en")
    assert out[["file", "row", "what"]].values.tolist() == [
        ["organisations.csv", 1, "Ghi chú riêng"],
        ["organisations.csv", 1, long[:120]],
    ]
    assert len(long) == 130


def test_a_page_cuts_a_text_past_60_characters():
    from chibo_analysis.present.report_tables import page_view

    # 60 characters stay; 61 become the first 59 and "…" (60 in all)
    frame = pd.DataFrame({"months": ["a" * 60, "b" * 61]})
    assert page_view(frame)["months"].tolist() == ["a" * 60, "b" * 59 + "…"]


def test_evidence_on_its_limit_is_kept_whole():
    from chibo_analysis.present.report_tables import short_evidence

    frame = pd.DataFrame({"evidence": ["a.csv:2; a.csv:3", "a.csv:2; a.csv:3; a.csv:4"]})
    assert short_evidence(frame, "en", limit=2)["evidence"].tolist() == [
        "a.csv:2; a.csv:3",
        "a.csv:2; a.csv:3 … and 1 more (3 records)",
    ]


def test_a_base_links_to_its_report_when_it_exists(tmp_path, monkeypatch):
    from chibo_analysis.dataset import Dataset
    from chibo_analysis.present.display import table
    from chibo_analysis.present.report_tables import base_rollup

    # reports/T/2022/ is this report's folder (the kernel's); B1's report exists, K's not
    here = tmp_path / "reports" / "T" / "2022"
    here.mkdir(parents=True)
    (tmp_path / "reports" / "B1" / "2022").mkdir(parents=True)
    (tmp_path / "reports" / "B1" / "2022" / "audit_organisation.html").write_text("<html>")
    monkeypatch.chdir(here)
    out = base_rollup(CARD, _assessment({}), Dataset(tables={"organisations": ORGS}),
                      links=True, period="2022")  # fmt: skip
    assert dict(zip(out["name"], out["_href"], strict=True)) == {
        "Phường Một": "../../B1/2022/audit_organisation.html", "Chi bộ Tổ 1": None,
    }  # fmt: skip
    html = table(out, "vi").data
    assert '<a href="../../B1/2022/audit_organisation.html">Phường Một</a>' in html
    assert html.count("<a ") == 1 and "_href" not in html


def test_a_table_never_links_outside_the_reports():
    from chibo_analysis.present.display import table

    frame = pd.DataFrame({"name": ["A", "B", "C"],
                          "_href": ["javascript:alert(1)", "//evil.example/x", 'a"b.html']})  # fmt: skip
    html = table(frame, "vi").data
    assert "javascript" not in html and "evil" not in html
    assert '<a href="a%22b.html">C</a>' in html


def test_the_dataset_summary_is_headed_in_the_readers_language():
    from fixtures_indicators import small_city

    from chibo_analysis.labels import column_label
    from chibo_analysis.present.report_tables import dataset_summary

    ds = small_city()
    frame = dataset_summary(ds, "vi")
    # "rows" was shown as the English column name in explore.ipynb (issue 11, read in Chromium)
    assert [column_label(c, "vi") for c in frame.columns] == ["Bảng", "Số dòng", "Các tệp"]
    assert [column_label(c, "en") for c in frame.columns] == ["Table", "Rows", "Files"]


def test_a_table_of_cells_can_name_each_cell_with_its_base_where_names_repeat():
    from fixtures_indicators import as_clean, frames

    from chibo_analysis.present.report_tables import show_frame

    tables = frames()
    orgs = tables["organisations"]
    orgs.loc[orgs["org_id"] == "C9", "name"] = "Chi bộ tổ dân phố 1"  # as C1's, same base
    ds = as_clean(**tables)
    frame = pd.DataFrame(
        {"org_id": ["C1", "C9", "C2"], "name": ["x", "y", "z"], "members": [4, 0, 3]}
    )
    html = show_frame(frame, "organisations", lang="vi", dataset=ds, where=True, limit=None).data
    # the repeated name: its base, then its code as that is not enough; a unique name as it is
    assert "Chi bộ tổ dân phố 1 – Đảng bộ phường Phan Thiết (C1)" in html
    assert "Chi bộ tổ dân phố 1 – Đảng bộ phường Phan Thiết (C9)" in html
    assert "Chi bộ cơ quan" in html and ">x<" not in html
    plain = show_frame(frame, "organisations", lang="vi", dataset=ds, limit=None).data
    assert ">x<" in plain  # without where: the names as given
