"""The form of an inspection report: header, rules, conclusions and recommendations, by hand."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from chibo_analysis.dataset import Dataset, SourceFile
from chibo_analysis.indicators.targets import load_targets
from chibo_analysis.present import conclusions as c

#: Three organisations and two targets, worked by hand: B (the base audited) meets the
#: regular-meeting target, C1 misses both, C2 misses admissions, C3 has no admissions value.
ASSESSMENT = pd.DataFrame(
    {
        "org_id": ["B", "C1", "C2", "C3", "B", "C1", "C2", "C3"],
        "name": ["Phường X", "CB 1", "CB 2", "CB 3"] * 2,
        "target": ["regular_rate"] * 4 + ["admissions"] * 4,
        "met": pd.array([True, False, True, True, False, False, False, None], dtype="boolean"),
    }
)


def test_header_names_issuer_organisation_period_date_and_data_without_a_path():
    ds = Dataset(
        tables={"meetings": pd.DataFrame({"a": range(4)}), "members": pd.DataFrame({"a": [1]})},
        sources=(
            SourceFile("meetings.csv", "meetings", None, 4, "0" * 64),
            SourceFile("members.csv", "members", None, 1, "1" * 64),
        ),  # fmt: skip
        root="/home/ubkt/ho-so/phuong-x-2022",
    )
    out = c.report_header(ds, "Phường X", "2022", report_date=dt.date(2026, 11, 30))
    assert out["value"].tolist() == [
        "Đoàn kiểm tra", "Phường X", "2022", "30/11/2026",
        "Thư mục phuong-x-2022: 2 tệp, 5 dòng dữ liệu (mã SHA-256 từng tệp ở mục Nguồn số liệu)",
    ]  # fmt: skip
    en = c.report_header(ds, "X", "2022", issuer="UBKT Thành ủy", report_date="2026-01-05",
                         lang="en")  # fmt: skip
    assert en["item"].tolist()[0] == "Issued by" and en["value"].tolist()[:4] == [
        "UBKT Thành ủy", "X", "2022", "2026-01-05"
    ]  # fmt: skip


def test_rules_are_explained_in_one_sentence_each():
    rules = c.rules_table("vi")
    assert rules["rule"].tolist() == [f"R{i}" for i in range(1, 12)]
    assert (
        rules.loc[rules["rule"] == "R3", "rule_text"]
        .item()
        .startswith("Mỗi buổi sinh hoạt ít nhất 90 phút")
    )
    assert all(len(t) > 20 for t in c.rules_table("en")["rule_text"])


def test_conclusions_count_the_organisations_below_and_say_the_audited_ones_result():
    out = c.conclusions(ASSESSMENT, load_targets(), "B")
    assert out == [
        # regular: C1 missed, C2 and C3 met -> 2 of 3; B met
        "Sinh hoạt thường kỳ hằng tháng: 2 trong số 3 tổ chức đạt, 1 chưa đạt; Phường X đạt chỉ tiêu này.",
        # admissions: C3 has no value -> left out; C1, C2 missed -> 0 of 2; B missed
        "Kết nạp đảng viên mới: 0 trong số 2 tổ chức đạt, 2 chưa đạt; Phường X chưa đạt chỉ tiêu này.",
    ]
    assert c.conclusions(ASSESSMENT.iloc[0:0], load_targets(), "B") == [
        "Không có chỉ tiêu nào áp dụng được cho số liệu của kỳ này."
    ]


def test_recommendations_start_with_the_audited_organisation_then_most_misses():
    out = c.recommendations(ASSESSMENT, load_targets(), "B", names={"C1": "CB 1 (Phường X)"},
                            extra=["Báo cáo kết quả khắc phục trước 31/3/2023."])  # fmt: skip
    assert out == [
        "Phường X: chú trọng tạo nguồn, kết nạp đảng viên mới.",
        "CB 1 (Phường X): tổ chức sinh hoạt thường kỳ đủ hằng tháng (R1); chú trọng tạo nguồn, "
        "kết nạp đảng viên mới.",
        "CB 2: chú trọng tạo nguồn, kết nạp đảng viên mới.",
        "Báo cáo kết quả khắc phục trước 31/3/2023.",
    ]
    short = c.recommendations(ASSESSMENT, load_targets(), "B", shown=1, lang="en")
    assert short == [
        "Phường X: work on recruiting and admit new members.",
        "2 other organisations missed targets: see the full list in the targets table and the "
        "evidence workbook.",
    ]
    met = ASSESSMENT.assign(met=pd.array([True] * 8, dtype="boolean"))
    assert c.recommendations(met, load_targets(), "B") == [
        "Không có kiến nghị: mọi chỉ tiêu đều đạt."
    ]


def test_a_target_of_the_organisations_own_file_gets_a_generic_recommendation():
    from dataclasses import replace

    targets = load_targets()
    own = replace(targets.targets["admissions"], label_vi="Chỉ tiêu riêng")
    targets = replace(targets, targets={**targets.targets, "own_target": own})
    rows = ASSESSMENT.assign(target="own_target")
    assert (
        c.recommendations(rows, targets, "B")[0]
        == "Phường X: phấn đấu đạt chỉ tiêu “Chỉ tiêu riêng”."
    )


def test_a_cell_audited_alone_is_concluded_on_without_counts():
    a = pd.DataFrame({"org_id": ["C1", "C1"], "name": ["Chi bộ 1", "Chi bộ 1"],
                      "target": ["regular_rate", "attendance_rate"],
                      "met": pd.array([True, False])})  # fmt: skip
    # not "0 trong số 0 tổ chức đạt, 0 chưa đạt" (issue 11, a cell's report read in Chromium)
    assert c.conclusions(a, load_targets(), "C1") == [
        "Sinh hoạt thường kỳ hằng tháng: Chi bộ 1 đạt chỉ tiêu này.",
        "Tỷ lệ đảng viên dự sinh hoạt: Chi bộ 1 chưa đạt chỉ tiêu này.",
    ]


def test_header_counts_the_records_of_the_files_not_of_a_slice():
    ds = Dataset(  # a base's slice of a store: 2 of the folder's 5 records
        tables={"meetings": pd.DataFrame({"a": range(2)})},
        sources=(
            SourceFile("meetings.parquet", "meetings", None, 4, "0" * 64),
            SourceFile("members.parquet", "members", None, 1, "1" * 64),
            SourceFile("codebook.yaml", "codebook", None, 7, "2" * 64),
        ),  # fmt: skip
        root="/kho/du-lieu",
    )
    out = c.report_header(ds, "X", "2022", report_date=dt.date(2026, 11, 30))
    assert out["value"].iloc[-1].startswith("Thư mục du-lieu: 3 tệp, 5 dòng dữ liệu")
