"""Findings as sentences with their numbers (chibo_analysis.present.findings)."""

from __future__ import annotations

import pandas as pd
import pytest

from chibo_analysis.errors import ParameterError
from chibo_analysis.present.findings import FINDING_COLUMNS, findings

COLUMNS = [
    "org_id", "name", "level", "parent_id", "period", "members", "months_expected",
    "regular_months", "regular_rate", "quarters_expected", "thematic_quarters", "thematic_rate",
    "short_meetings", "attendance_rate", "unexcused_absences", "standard_meeting_rate",
    "flagged_meetings", "flagged_dues", "excused_streaks", "good_self_ratings",
    "implausible_good", "inspected_meetings", "rating_agreement", "rating_inflation",
    "superior_attended", "admissions", "minutes_mismatches",
]  # fmt: skip
NA = pd.NA
# A base organisation B with three cells, 2022, in the scorecard's columns (DOMAIN §4):
# C1 complete; C2 missed 2 months and a quarter, 2 short meetings, attendance 80%;
# C3 founded in July (6 months, 2 quarters), missed a quarter, never inspected.
# B's row sums the counts and recomputes the rates: 28/30 months, 8/10 quarters.
ROWS = [
    ("B", "Phường X", "base", "TP", "2022", 23, 30, 28, 28 / 30, 10, 8, 0.8, 2, 0.89, 10, 0.7,
     3, 1, 1, 25, 7, 5, 0.6, 0.6, 3, 1, 1),
    ("C1", "Chi bộ 1", "cell", "B", "2022", 10, 12, 12, 1.0, 4, 4, 1.0, 0, 0.95, 1, 0.9,
     0, 1, 0, 10, 2, 3, 2 / 3, 1 / 3, 2, 1, 0),
    ("C2", "Chi bộ 2", "cell", "B", "2022", 5, 12, 10, 10 / 12, 4, 3, 0.75, 2, 0.80, 6, 0.5,
     2, 0, 1, 12, 5, 2, 0.5, 1.0, 1, 0, 1),
    ("C3", "Chi bộ 3", "cell", "B", "2022", 8, 6, 6, 1.0, 2, 1, 0.5, 0, 0.88, 3, 0.7,
     1, 0, 0, 3, 0, 0, NA, NA, 0, 0, 0),
]  # fmt: skip


@pytest.fixture
def card() -> pd.DataFrame:
    frame = pd.DataFrame(ROWS, columns=COLUMNS)
    for col in ("rating_agreement", "rating_inflation"):
        frame[col] = frame[col].astype("Float64")
    return frame


def test_english_sentences_with_their_numbers(card):
    out = findings(card, org_id="B", targets={"attendance_rate": 0.9}, lang="en")
    assert list(out.columns) == FINDING_COLUMNS
    assert out.set_index("topic")["text"].to_dict() == {
        "overview": "Phường X had 3 cells with 23 members in 2022.",
        # C2 alone missed months: 12 - 10 = 2; 28 of 30 months = 93.3%.
        "regular": "1 of 3 cells missed a monthly regular meeting, 2 months in all; "
        "regular meetings were held in 93.3% of months.",
        # C2 and C3 each missed one quarter; 8 of 10 quarters = 80.0%.
        "thematic": "2 of 3 cells missed a thematic meeting in at least one quarter, 2 quarters "
        "in all; 80.0% of quarters had one.",
        "short": "2 meetings in 1 cell were shorter than the minimum (90 minutes, 120 for a "
        "combined meeting).",
        # 1 + 6 + 3 unexcused absences; the rate is B's own.
        "attendance": "Attendance was 89.0%; there were 10 unexcused absences.",
        # C2 (80%) and C3 (88%) are under 90%.
        "attendance_below": "2 of 3 cells had attendance below the 90% target: Chi bộ 2, Chi bộ 3.",
        "standard": "70.0% of meetings met the attendance standard (over 85% present, nobody "
        "absent without reason).",
        "flagged_meetings": "3 members were absent without reason in 3 or more months of the year "
        "and are for the cell to consider under Article 8 of the Statutes.",
        "flagged_dues": "1 member left 3 or more months of dues unpaid in the year.",
        "excused_streaks": "1 member was excused from more than 3 meetings in a row.",
        # 2 + 5 + 0 of 10 + 12 + 3.
        "implausible_good": "7 of 25 meetings self-rated good fail the duration or attendance rules.",
        "ratings": "Of 5 inspected meetings, the cell's rating agreed with the inspectors' in "
        "60.0%; cells rated themselves 0.60 grades higher on average.",
        "minutes": "1 minutes give counts that disagree with the register.",
        # C2 and C3 admitted nobody.
        "admissions": "1 member was admitted; 2 of 3 cells admitted nobody.",
    }
    counts = out.set_index("topic")[["count", "total"]]
    assert counts.loc["thematic"].tolist() == [2, 3]
    assert counts.loc["attendance_below"].tolist() == [2, 3]


def test_vietnamese_sentences_use_vietnamese_numbers(card):
    out = findings(card, org_id="B", targets={"attendance_rate": 0.9}, lang="vi")
    text = out.set_index("topic")["text"]
    assert text["thematic"] == (
        "2 trong số 3 chi bộ thiếu sinh hoạt chuyên đề ít nhất một quý, tổng cộng 2 quý; "
        "tỷ lệ quý có sinh hoạt chuyên đề là 80,0%."
    )
    assert text["ratings"].endswith("cao hơn trung bình 0,60 bậc.")
    assert "dưới chỉ tiêu 90%: Chi bộ 2, Chi bộ 3." in text["attendance_below"]


def test_compliant_organisation_gets_positive_sentences(card):
    good = card.copy()
    good["regular_months"] = good["months_expected"]
    good["thematic_quarters"] = good["quarters_expected"]
    out = findings(good, org_id="B", targets={"attendance_rate": 0.5}, lang="en")
    text = out.set_index("topic")["text"]
    assert text["regular"] == "All 3 cells held a regular meeting every month."
    assert text["thematic"] == "All 3 cells held a thematic meeting every quarter."
    assert text["attendance_below"] == "All 3 cells met the 50% attendance target."


def test_missing_tables_leave_their_findings_out(card):
    # Without dues and inspections the scorecard's columns are empty: no sentence, not "0".
    bare = card.copy()
    for col in ("flagged_dues", "inspected_meetings", "rating_agreement", "rating_inflation"):
        bare[col] = pd.array([NA] * len(bare), dtype="Float64")
    topics = findings(bare, org_id="B", lang="en")["topic"].tolist()
    assert "flagged_dues" not in topics and "ratings" not in topics
    assert "attendance_below" not in topics  # no target given


def test_names_are_summarised_past_the_limit(card):
    out = findings(card, org_id="B", targets={"attendance_rate": 0.99}, lang="vi", limit=1)
    assert out.set_index("topic")["text"]["attendance_below"].endswith(
        ": Chi bộ 1 và 2 chi bộ khác."
    )


def test_a_cell_audited_alone(card):
    out = findings(card, org_id="C2", lang="en").set_index("topic")["text"]
    # in the cell's own words, not "1 cell" or "1 of 1 cells" (issue 11, read in Chromium)
    assert out["overview"] == "Chi bộ 2 had 5 members in 2022."
    assert out["regular"].startswith("The cell missed its regular meeting in ")
    assert " of 1 cells" not in " ".join(out) and "All 1 cells" not in " ".join(out)
    vi = findings(card, org_id="C2", lang="vi").set_index("topic")["text"]
    assert vi["overview"] == "Chi bộ 2 có 5 đảng viên trong năm 2022."
    assert vi["regular"].startswith("Chi bộ không sinh hoạt thường kỳ ")
    inflated = pd.DataFrame({"org_id": ["C2"], "name": ["Chi bộ 2"]})
    alone = findings(card, org_id="C2", lang="vi", inflated=inflated).set_index("topic")["text"]
    assert alone["inflated_ratings"].startswith("Chi bộ tự xếp loại buổi sinh hoạt cao hơn")


def test_bad_input_is_a_clear_error(card):
    with pytest.raises(ParameterError, match="org_id='ZZ' is not a row"):
        findings(card, org_id="ZZ")
    with pytest.raises(ParameterError, match="lacks column"):
        findings(card.drop(columns="months_expected"))
    with pytest.raises(ParameterError, match="lang='de'"):
        findings(card, lang="de")


def test_targets_file_gives_the_attendance_target(card):
    from chibo_analysis.indicators import load_targets

    # The default targets file sets attendance at 90% (Đề án 16-ĐA/TU): C2 and C3 are below.
    out = findings(card, org_id="B", targets=load_targets(), lang="en").set_index("topic")
    assert out.loc["attendance_below", "text"].startswith(
        "2 of 3 cells had attendance below the 90%"
    )


def test_a_period_without_any_meeting_says_so_instead_of_listing_shortfalls(card):
    # 2030, after the records end: months and quarters exist (the cells exist), but no
    # meeting was recorded, so the standard-meeting rate (over meetings held) is empty.
    # One sentence says so; no "3 of 3 cells missed 30 months" is made of it.
    empty = card.assign(period="2030", regular_months=0, thematic_quarters=0, short_meetings=0,
                        attendance_rate=None, standard_meeting_rate=None, admissions=0)  # fmt: skip
    out = findings(empty, org_id="B", lang="en")
    assert out["topic"].tolist() == ["overview", "no_meetings"]
    assert "no meeting of the cells in 2030" in out["text"].iloc[1]
    vi = findings(empty, org_id="B", lang="vi")["text"].iloc[1]
    assert vi.startswith("Dữ liệu không có biên bản sinh hoạt nào của các chi bộ trong năm 2030")


def test_inflated_ratings_are_a_finding_naming_the_cells(card):
    # The inflated_ratings list of B: C2 in 2022 and 2023 (one cell, twice) and C3
    inflated = pd.DataFrame({"org_id": ["C2", "C2", "C3"], "year": [2022, 2023, 2022],
                             "name": ["Chi bộ 2", "Chi bộ 2", "Chi bộ 3"]})  # fmt: skip
    out = findings(card, org_id="B", lang="en", inflated=inflated).set_index("topic")
    assert out.loc["inflated_ratings", "count"] == 2
    assert out.loc["inflated_ratings", "text"].startswith(
        "2 cells rated most of their inspected meetings 2 or more grades above the inspectors"
    )
    assert out.loc["inflated_ratings", "text"].endswith(": Chi bộ 2, Chi bộ 3.")
    # after the ratings finding; without the list (or an empty one) no such finding
    topics = list(out.index)
    assert topics.index("inflated_ratings") == topics.index("ratings") + 1
    assert "inflated_ratings" not in set(findings(card, org_id="B", lang="en")["topic"])
    assert "inflated_ratings" not in set(
        findings(card, org_id="B", lang="en", inflated=inflated.iloc[:0])["topic"]
    )


def test_a_cell_named_like_another_is_named_with_its_base():
    # A committee T over bases B and D; two cells both named "Chi bộ Tổ 1" (C2 in B, D1 in D)
    # are below the attendance target: the finding says which is which.
    rows = [
        ("T", "Thành phố", "committee", None), ("B", "Phường X", "base", "T"),
        ("D", "Phường Y", "base", "T"), ("C2", "Chi bộ Tổ 1", "cell", "B"),
        ("D1", "Chi bộ Tổ 1", "cell", "D"),
    ]  # fmt: skip
    frame = pd.DataFrame(
        [(*r, *ROWS[2][4:]) for r in rows], columns=COLUMNS
    )  # every row gets C2's figures (attendance 80%)
    for col in ("rating_agreement", "rating_inflation"):
        frame[col] = frame[col].astype("Float64")
    text = findings(frame, org_id="T", targets={"attendance_rate": 0.9}, lang="vi")
    below = text.set_index("topic")["text"]["attendance_below"]
    assert "Chi bộ Tổ 1 – Phường X" in below and "Chi bộ Tổ 1 – Phường Y" in below


def test_a_kappa_of_one_sided_ratings_is_not_stated_as_agreement():
    from chibo_analysis.present.findings import kappa_sentence
    from chibo_analysis.stats.agreement import weighted_kappa

    # H001-B01-C015's two inspected meetings of 2022: rated good by the cell both times,
    # poor and average by the inspectors; kappa is 0 "from 0 to 0", which says nothing
    one_sided = weighted_kappa(["good", "good"], ["poor", "average"])
    assert (one_sided.kappa, one_sided.low, one_sided.high) == (0.0, 0.0, 0.0)
    text = kappa_sentence(one_sided, "vi")
    assert text.startswith("Trên 2 buổi được kiểm tra, chi bộ tự xếp mọi buổi cùng một mức")
    assert "trùng với đoàn kiểm tra ở 0,0% số buổi" in text and "0,00 đến 0,00" not in text
    same_inspectors = weighted_kappa(["good", "fair", "fair"], ["fair", "fair", "fair"])
    assert "the inspectors gave every meeting the same grade" in kappa_sentence(
        same_inspectors, "en"
    ) and "on 66.7% of the meetings" in kappa_sentence(same_inspectors, "en")
    # both sides using two grades or more: the kappa sentence as before
    both = weighted_kappa(["good", "fair", "poor", "good"], ["good", "fair", "average", "fair"])
    assert "(Measured by the quadratic-weighted kappa:" in kappa_sentence(both, "en")
