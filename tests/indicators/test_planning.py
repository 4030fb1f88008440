"""Inspection planning: risk score, plan, worksheet round trip, CLI."""

import numpy as np
import pandas as pd
import pytest

from chibo_analysis.commands.cli import main
from chibo_analysis.errors import DataReadError, ParameterError
from chibo_analysis.indicators.planning import (
    RISK_COMPONENTS,
    check_weights,
    evaluate_worksheet,
    load_risk_weights,
    plan_inspection,
    read_worksheet,
    risk_components,
    risk_scores,
    write_worksheet,
)
from chibo_analysis.intake.load import dataset_from_frames

# A hand-made scorecard (DOMAIN §4 columns) of two cells and their base.
SCORECARD = pd.DataFrame(
    {
        "org_id": ["B", "C1", "C2"],
        "name": ["Đảng bộ B", "Chi bộ 1", "Chi bộ 2"],
        "level": ["base", "cell", "cell"],
        "period": "2022",
        "members": [30, 10, 20],
        "months_expected": [24, 12, 12],
        "regular_months": [21, 12, 9],
        "regular_rate": [21 / 24, 1.0, 0.75],
        "quarters_expected": [8, 4, 4],
        "thematic_quarters": [6, 4, 2],
        "thematic_rate": [0.75, 1.0, 0.5],
        "short_meetings": [3, 0, 3],
        "attendance_rate": [0.9, 0.95, 0.8],
        "unexcused_absences": [5, 0, 5],
        "standard_meeting_rate": [0.6, 0.9, 0.4],
        "flagged_meetings": [2, 0, 2],
        "flagged_dues": [pd.NA] * 3,
        "excused_streaks": [0, 0, 0],
        "good_self_ratings": [10, 0, 10],
        "implausible_good": [4, 0, 4],
        "inspected_meetings": [pd.NA] * 3,
        "rating_agreement": [pd.NA] * 3,
        "rating_inflation": [pd.NA] * 3,
        "superior_attended": [4, 2, 2],
        "admissions": [1, 1, 0],
        "minutes_mismatches": [2, 0, 2],
    }
)


def test_components_by_hand():
    comp = risk_components(SCORECARD).set_axis(SCORECARD["org_id"])
    # C2: 1 - 0.75 = 0.25; 1 - 0.5 = 0.5; 1 - 0.8 = 0.2; 1 - 0.4 = 0.6;
    # 4 of 10 good ratings implausible = 0.4; 2 flagged of 20 members = 0.1; no admission = 1.
    c2 = comp.loc["C2"]
    assert c2["regular_shortfall"] == pytest.approx(0.25)
    assert c2["thematic_shortfall"] == pytest.approx(0.5)
    assert c2["attendance_shortfall"] == pytest.approx(0.2)
    assert c2["nonstandard_share"] == pytest.approx(0.6)
    assert c2["implausible_good_share"] == pytest.approx(0.4)
    assert c2["flagged_share"] == pytest.approx(0.1)
    assert c2["no_admissions"] == 1
    # No `meetings` count in the §4 scorecard, no inspections: these are empty.
    assert pd.isna(c2["short_share"]) and pd.isna(c2["rating_inflation"])
    # C1: no good rating -> implausible share empty, not 0
    assert pd.isna(comp.loc["C1", "implausible_good_share"])


def test_risk_score_weighted_mean_of_available_components():
    weights = {"regular_shortfall": 2.0, "thematic_shortfall": 1.0, "rating_inflation": 1.0}
    risk = risk_scores(SCORECARD, weights)
    # base row dropped; C2: (2 * 0.25 + 1 * 0.5) / (2 + 1) = 1/3 (inflation empty: left out);
    # C1: 0.
    assert risk["org_id"].tolist() == ["C2", "C1"]
    assert risk["risk"].tolist() == pytest.approx([1 / 3, 0.0])
    assert risk["components_used"].tolist() == [2, 2]
    assert risk["rank"].tolist() == [1, 2]


def test_risk_scores_of_a_scorecard_with_only_some_columns():
    # no counts at all (short meetings, ratings, members...): the rates alone rank the cells;
    # B: 1 - 0.5 = 0.5, A: 1 - 1.0 = 0
    sc = pd.DataFrame({"org_id": ["A", "B"], "regular_rate": [1.0, 0.5]})
    risk = risk_scores(sc, {"regular_shortfall": 1.0, "short_share": 1.0})
    assert risk[["org_id", "risk", "rank"]].values.tolist() == [["B", 0.5, 1], ["A", 0.0, 2]]
    assert risk["components_used"].tolist() == [1, 1]


def test_default_weights_from_targets_file():
    weights = load_risk_weights()
    assert set(weights) <= set(RISK_COMPONENTS)
    assert sum(weights.values()) > 0
    risk = risk_scores(SCORECARD)
    assert risk.loc[0, "org_id"] == "C2"


def test_bad_weights(tmp_path):
    with pytest.raises(ParameterError, match="unknown risk component"):
        check_weights({"size": 1})
    with pytest.raises(ParameterError, match="negative"):
        check_weights({"regular_shortfall": -1})
    f = tmp_path / "t.yaml"
    f.write_text("targets: {}\n", encoding="utf-8")
    with pytest.raises(DataReadError, match="risk_weights"):
        load_risk_weights(f)


def small_dataset():
    """A committee K, base B, cells C1 (4 members) and C2 (3): 24 meetings in 2022."""
    orgs = pd.DataFrame(
        {
            "org_id": ["K", "B", "C1", "C2"],
            "name": ["Thành ủy", "Đảng bộ phường", "Chi bộ tổ 1", "Chi bộ tổ 2"],
            "parent_id": [None, "K", "B", "B"],
            "level": ["committee", "base", "cell", "cell"],
            "kind": [None, None, "residential", "residential"],
        }
    )
    members = pd.DataFrame(
        {
            "member_id": [f"D{i}" for i in range(7)],
            "cell_id": ["C1"] * 4 + ["C2"] * 3,
            "admitted_on": ["2000-01-01"] * 7,
            "confirmed_on": ["2001-01-01"] * 7,
            "joined_on": ["2010-01-01"] * 7,
        }
    )
    months = pd.date_range("2022-01-01", periods=12, freq="MS") + pd.Timedelta(days=9)
    meetings = pd.DataFrame(
        {
            "meeting_id": [f"{c}-{m:02d}" for c in ("C1", "C2") for m in range(1, 13)],
            "cell_id": ["C1"] * 12 + ["C2"] * 12,
            "held_on": list(months.strftime("%Y-%m-%d")) * 2,
            "kind": ["combined"] * 24,
            "duration_min": [120] * 24,
            "self_rating": ["good"] * 24,
        }
    )
    cells = {"C1": [f"D{i}" for i in range(4)], "C2": ["D4", "D5", "D6"]}
    att = [
        (mid, member, "absent" if (cell == "C2" and member == "D6") else "present")
        for mid, cell in zip(meetings["meeting_id"], meetings["cell_id"], strict=True)
        for member in cells[cell]
    ]
    attendance = pd.DataFrame(att, columns=["meeting_id", "member_id", "status"])
    return dataset_from_frames(
        organisations=orgs, members=members, meetings=meetings, attendance=attendance
    )


def test_plan_and_worksheet_round_trip(tmp_path):
    ds = small_dataset()
    plan = plan_inspection(ds, 2022, "B", tolerable=0.2, seed=5)
    # 20% tolerable, 95%, none expected: 14 meetings (0.8^14 = 0.044 <= 0.05,
    # 0.8^13 = 0.055 > 0.05); stratified 7 + 7 over two cells of 12 meetings.
    assert plan.parameters["sample_size"] == 14
    assert plan.sample["cell_id"].value_counts().to_dict() == {"C1": 7, "C2": 7}
    again = plan_inspection(ds, 2022, "B", tolerable=0.2, seed=5)
    assert again.sample["meeting_id"].tolist() == plan.sample["meeting_id"].tolist()
    # C2 has a member absent without reason at every meeting: it ranks first.
    assert plan.risk.loc[0, "org_id"] == "C2"
    assert plan.sample["self_rating"].unique().tolist() == ["Tốt"]

    path = write_worksheet(plan, tmp_path / "ws.xlsx")
    sheet = read_worksheet(path)
    assert sheet["meeting_id"].tolist() == plan.sample["meeting_id"].tolist()
    assert sheet["deviation"].isna().all()

    # Inspectors fill in the sample sheet (here with openpyxl, as Excel would).
    import openpyxl

    book = openpyxl.load_workbook(path)
    ws = book["Mẫu kiểm tra"]
    header = [c.value for c in ws[1]]
    assert header == [
        "Mã buổi sinh hoạt", "Mã chi bộ", "Chi bộ", "Ngày sinh hoạt", "Loại", "Tự đánh giá",
        "Điểm rủi ro", "Tệp", "Dòng", "Ngày kiểm tra", "Xếp loại", "Kết luận", "Có sai lệch",
    ]  # fmt: skip
    assert ws["E2"].value == "Thường kỳ kết hợp chuyên đề"  # the kind as a reader names it
    assert [c.value for c in book["Thông số"]["A"]][:4] == [
        "Thông số", "Kỳ", "Mã tổ chức", "Độ tin cậy",
    ]  # fmt: skip
    names = {"rating": "Xếp loại", "deviation": "Có sai lệch", "inspected_on": "Ngày kiểm tra"}
    col = {name: header.index(text) + 1 for name, text in names.items()}
    for r in range(2, 16):
        ws.cell(r, col["rating"], "Khá" if r == 2 else "Tốt")
        ws.cell(r, col["deviation"], "Có" if r == 2 else "Không")
        ws.cell(r, col["inspected_on"], "15/03/2023")
    book.save(path)
    filled = read_worksheet(path)
    assert filled["rating"].tolist() == ["fair"] + ["good"] * 13
    assert filled["deviation"].sum() == 1
    assert filled["inspected_on"].iloc[0] == pd.Timestamp("2023-03-15")
    ev = evaluate_worksheet(path)
    # 1 deviation in 14 at 95%: the upper limit u solves P(X <= 1 | 14, u) = 0.05,
    # (1 - u)^14 + 14 u (1 - u)^13 = 0.05 -> u = 0.2967 (0.007245 + 0.042790), above 20%.
    assert ev.n == 14 and ev.deviations == 1
    assert ev.upper_limit == pytest.approx(0.2967, abs=5e-4)
    assert not ev.supported
    assert (ev.tolerable, ev.confidence) == (0.2, 0.95)  # the worksheet's, not the defaults


def test_worksheet_layout_drop_downs_and_frozen_header(tmp_path):
    import openpyxl

    plan = plan_inspection(small_dataset(), 2022, "B", tolerable=0.2, seed=5)
    book = openpyxl.load_workbook(write_worksheet(plan, tmp_path / "ws.xlsx"))
    assert [c.value for c in book["Thông số"][1]] == ["Thông số", "Giá trị"]
    ws = book["Mẫu kiểm tra"]
    # 14 meetings on rows 2-15 (row 1: headers); J inspected on, K rating, M deviation
    assert ws.freeze_panes == "B2"
    ranges = sorted(str(v.sqref) for v in ws.data_validations.dataValidation)
    assert ranges == ["J2:J15", "K2:K15", "M2:M15"]


def test_worksheet_errors_name_what_to_fix(tmp_path):
    import openpyxl

    with pytest.raises(DataReadError, match=r"^cannot read worksheet .*none\.xlsx: "):
        read_worksheet(tmp_path / "none.xlsx")
    plan = plan_inspection(small_dataset(), 2022, "B", tolerable=0.2, seed=5)
    path = write_worksheet(plan, tmp_path / "ws.xlsx")
    book = openpyxl.load_workbook(path)
    book["Mẫu kiểm tra"].cell(3, 13, "Có lẽ")  # deviation of the second meeting (row 3)
    book.save(path)
    with pytest.raises(DataReadError) as err:
        read_worksheet(path)
    assert err.value.key == "worksheet_deviation"
    assert err.value.values == {"column": "Có sai lệch", "row": 3, "value": "Có lẽ"}
    book["Mẫu kiểm tra"].cell(3, 13, "Không")
    book["Mẫu kiểm tra"].cell(2, 11, "Xuất sắc")  # a rating not in the list
    book.save(path)
    with pytest.raises(DataReadError) as err:
        read_worksheet(path)
    assert err.value.key == "worksheet_rating"
    assert err.value.values == {"value": "Xuất sắc", "choices": "Tốt, Khá, Trung bình, Kém"}


def test_an_english_worksheet_reads_back_the_same(tmp_path):
    import openpyxl

    plan = plan_inspection(small_dataset(), 2022, "B", tolerable=0.2, seed=5)
    path = write_worksheet(plan, tmp_path / "ws.xlsx", lang="en")
    book = openpyxl.load_workbook(path)
    ws = book["Mẫu kiểm tra"]
    header = [c.value for c in ws[1]]
    assert header[:6] == ["Meeting code", "Cell code", "Cell", "Held on", "Kind of meeting",
                          "Self-rating"]  # fmt: skip
    assert header[-4:] == ["Inspected on", "Inspection rating", "Findings", "Deviation"]
    assert ws["F2"].value == "Good"
    # 14 meetings, 2 deviations (filled in English), tolerable 20% from the parameters sheet
    for r in range(2, 16):
        ws.cell(r, 11, "Good")
        ws.cell(r, 13, "Yes" if r < 4 else "No")
    book.save(path)
    sheet = read_worksheet(path)
    assert sheet["meeting_id"].tolist() == plan.sample["meeting_id"].tolist()
    assert sheet.attrs["parameters"]["tolerable"] == 0.2
    assert sheet["deviation"].sum() == 2 and set(sheet["rating"]) == {"good"}
    assert evaluate_worksheet(path).deviations == 2


def test_cli_plan_and_evaluate(tmp_path, capsys):
    ds = small_dataset()
    data = tmp_path / "data"
    data.mkdir()
    for name, frame in ds.tables.items():
        frame.drop(columns=["_file", "_sheet", "_row"]).to_csv(data / f"{name}.csv", index=False)
    out = tmp_path / "ws.xlsx"
    code = main(["plan", str(data), "--period", "2022", "--org", "B", "--tolerable", "0.3",
                 "--seed", "1", "--out", str(out)])  # fmt: skip
    assert code == 0 and out.exists()
    # 30% tolerable: 0.7^9 = 0.040 <= 0.05 < 0.7^8 = 0.058 -> 9 meetings
    assert "9 buổi sinh hoạt được chọn trong 24" in capsys.readouterr().out
    assert main(["plan", "--evaluate", str(out)]) == 2  # nothing filled in yet
    err = capsys.readouterr().err
    assert "chưa có buổi nào trong" in err and "được điền cột 'Có sai lệch'" in err
    assert main(["plan", str(data), "--period", "2022", "--out", str(tmp_path / "x.csv")]) == 2


def test_selection_independent_of_row_order():
    ds = small_dataset()
    a = plan_inspection(ds, 2022, "B", seed=9, stratify=False).sample["meeting_id"].tolist()
    shuffled = ds.tables["meetings"].sample(frac=1, random_state=3)
    ds2 = type(ds)({**ds.tables, "meetings": shuffled})
    b = plan_inspection(ds2, 2022, "B", seed=9, stratify=False).sample["meeting_id"].tolist()
    assert a == b
    assert len(a) == 24  # 59 capped at the 24 meetings of the period
    assert np.all(pd.Series(a).is_unique)
