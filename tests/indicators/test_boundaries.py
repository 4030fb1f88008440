"""Rules pinned at their boundaries (issue 14): the value or day before, on and after.

Each case builds a tiny organisation by hand (committee TP, base B, cell X) and works
the expected figure out in the comment beside it.
"""

from __future__ import annotations

import pandas as pd
import pytest

from chibo_analysis import scorecard
from chibo_analysis.checks.validation import validated
from chibo_analysis.indicators.lists import run_list
from chibo_analysis.intake.load import dataset_from_frames

ORGS = pd.DataFrame(
    {
        "org_id": ["TP", "B", "X"],
        "name": ["Thành phố", "Phường", "Chi bộ X"],
        "parent_id": ["", "TP", "B"],
        "level": ["committee", "base", "cell"],
        "kind": ["", "", "residential"],
        "founded_on": ["", "", "01/01/2000"],
        "dissolved_on": ["", "", ""],
    }
)


def _members(ids, **extra) -> pd.DataFrame:
    frame = pd.DataFrame(
        {"member_id": ids, "cell_id": "X", "joined_on": "01/01/2015", "admitted_on": "01/01/2010"}
    )
    for column, values in extra.items():
        frame[column] = values
    return frame


def _card(orgs, members, meetings, register) -> pd.Series:
    meetings = pd.DataFrame(meetings, columns=["meeting_id", "held_on"]).assign(
        cell_id="X", kind="regular", duration_min="90"
    )
    register = pd.DataFrame(register, columns=["meeting_id", "member_id", "status"])
    return (
        scorecard(_validated(orgs, members, meetings, register), "2022")
        .set_index("org_id")
        .loc["X"]
    )


def _validated(orgs, members, meetings, register, **tables):
    """The dataset of these frames, validated; no error allowed (warnings are)."""
    ds = validated(
        dataset_from_frames(
            organisations=orgs, members=members, meetings=meetings, attendance=register, **tables
        )
    )
    assert ds.report.n_errors == 0, ds.report.to_frame("en").to_string()
    return ds


@pytest.mark.parametrize(
    ("present", "standard"),
    [
        (16, 0.0),  # 16/20 = 0.80: under the standard
        (17, 0.0),  # 17/20 = 0.85: R4 wants MORE than 85%, so not standard
        (18, 1.0),  # 18/20 = 0.90: standard
    ],
)
def test_r4_standard_is_strictly_more_than_85_percent(present, standard):
    ids = [f"m{i:02d}" for i in range(20)]
    # the others are excused (no unexcused absence; nobody's excused run passes 3)
    register = [("S1", m, "present" if i < present else "excused") for i, m in enumerate(ids)]
    card = _card(ORGS, _members(ids), [("S1", "05/01/2022")], register)
    assert card["standard_meeting_rate"] == standard
    assert card["attendance_rate"] == pytest.approx(present / 20)


def test_exemption_covers_its_last_day_and_not_the_next():
    # e is exempt 01/01 to 31/01/2022; marked absent at meetings on 31/01 and 01/02.
    # 31/01: e left out -> 1 present of 1; 01/02: counted -> 1 present of 2.
    # attendance_rate = (1 + 1) / (1 + 2) = 2/3; unexcused absences counted: the 01/02 one.
    members = _members(["p", "e"], exempt_from=["", "01/01/2022"], exempt_until=["", "31/01/2022"])
    register = [("S1", "p", "present"), ("S1", "e", "absent"),
                ("S2", "p", "present"), ("S2", "e", "absent")]  # fmt: skip
    card = _card(ORGS, members, [("S1", "31/01/2022"), ("S2", "01/02/2022")], register)
    assert card["attendance_rate"] == pytest.approx(2 / 3)


def test_an_exemption_of_the_first_member_of_the_register_counts():
    # e is the first member of the register (code 0 in the join on member codes) and is
    # exempt from 01/01/2022, open-ended: marked absent on 05/01, left out -> 1 present of 1
    members = _members(["e", "p"], exempt_from=["01/01/2022", ""])
    register = [("S1", "e", "absent"), ("S1", "p", "present")]
    card = _card(ORGS, members, [("S1", "05/01/2022")], register)
    assert card["attendance_rate"] == 1.0 and card["unexcused_absences"] == 0


def test_an_exempt_row_is_left_out_without_exemption_dates():
    # status exempt for q, who has no exemption dates: the row is left out anyway
    register = [("S1", "p", "present"), ("S1", "q", "exempt")]
    card = _card(ORGS, _members(["p", "q"]), [("S1", "05/01/2022")], register)
    assert card["attendance_rate"] == 1.0 and card["standard_meeting_rate"] == 1.0


@pytest.mark.parametrize(
    ("dissolved", "months"),
    [
        ("31/05/2022", 5),  # exists on the last day of May: January to May
        ("01/06/2022", 6),  # dissolved on the 1st of June: June still counts (any day of it)
        ("02/06/2022", 6),
    ],
)
def test_a_cell_counts_the_month_it_is_dissolved_in(dissolved, months):
    orgs = ORGS.copy()
    orgs.loc[orgs["org_id"] == "X", "dissolved_on"] = dissolved
    card = _card(orgs, _members(["p"], left_on=["31/05/2022"], left_reason=["transfer"]),
                 [("S1", "05/01/2022")], [("S1", "p", "present")])  # fmt: skip
    assert card["months_expected"] == months


# --- a second helper: any meetings, any cells, optional tables --------------------------

#: Cells X and Y under base B (for members moving between cells).
TWO_CELLS = pd.concat([ORGS, ORGS.iloc[[2]].assign(org_id="Y", name="Chi bộ Y")], ignore_index=True)


def _ten(**extra) -> pd.DataFrame:
    """Ten members of X: ``a`` the member under test, ``p1``..``p9`` always present."""
    return _members(["a"] + [f"p{i}" for i in range(1, 10)], **extra)


def _run(meetings, register, *, orgs=ORGS, members=None, period="2022", **tables) -> pd.DataFrame:
    """Scorecard of ``period`` (index org_id) for meetings given as
    ``(id, held_on[, kind[, minutes[, cell]]])`` and register rows ``(meeting, member, status)``.

    """
    columns = ["meeting_id", "held_on", "kind", "duration_min", "cell_id"]
    defaults = ("regular", "90", "X")
    rows = [(*m, *defaults[len(m) - 2 :]) for m in meetings]
    meetings = pd.DataFrame(rows, columns=columns)
    register = pd.DataFrame(register, columns=["meeting_id", "member_id", "status"])
    ds = _validated(orgs, members, meetings, register, **tables)
    return scorecard(ds, period).set_index("org_id")


def _clean(members, reviews=None, orgs=ORGS):
    """The validated dataset of ``members`` (one meeting, everyone present) and ``reviews``."""
    register = pd.DataFrame({"meeting_id": "S1", "member_id": members["member_id"].unique(),
                             "status": "present"})  # fmt: skip
    meetings = pd.DataFrame({"meeting_id": ["S1"], "cell_id": "X", "held_on": "05/01/2022",
                             "kind": "regular"})  # fmt: skip
    tables = {} if reviews is None else {"reviews": reviews}
    ds = _validated(orgs, members, meetings, register, **tables)
    return ds


def _register(meetings, statuses: dict, ids) -> list[tuple]:
    """Everyone in ``ids`` present at each meeting id, except ``statuses[(meeting, member)]``."""
    return [(s, m, statuses.get((s, m), "present")) for s in meetings for m in ids]


TEN = ["a"] + [f"p{i}" for i in range(1, 10)]


# --- R1, R2 and §4: a cell's months and quarters, and the period's edges ----------------


@pytest.mark.parametrize(
    ("founded", "months", "quarters"),
    [
        ("31/05/2022", 8, 3),  # exists on the last day of May: May to December, Q2 to Q4
        ("01/06/2022", 7, 3),  # June to December; Q2 still counts (June is in it)
        ("30/06/2022", 7, 3),
        ("01/07/2022", 6, 2),  # July to December: Q3, Q4
    ],
)
def test_a_cell_counts_the_month_and_quarter_it_is_founded_in(founded, months, quarters):
    orgs = ORGS.copy()
    orgs.loc[orgs["org_id"] == "X", "founded_on"] = founded
    members = _members(["p"], joined_on=[founded])
    card = _run([("S1", "05/07/2022")], [("S1", "p", "present")], orgs=orgs, members=members)
    assert (card.loc["X", "months_expected"], card.loc["X", "quarters_expected"]) == (
        months,
        quarters,
    )


def test_meetings_on_the_edges_of_the_year_and_of_months():
    # regular meetings on 31/12/2021, 01/01/2022, 31/01/2022, 01/02/2022, 31/12/2022, 01/01/2023
    # 2022 holds 01/01, 31/01 (January, once), 01/02 (February), 31/12 (December): 3 months
    days = ["31/12/2021", "01/01/2022", "31/01/2022", "01/02/2022", "31/12/2022", "01/01/2023"]
    meetings = [(f"S{i}", d) for i, d in enumerate(days)]
    register = [(s, "p", "present") for s, _ in meetings]
    card = _run(meetings, register, members=_members(["p"]))
    assert card.loc["X", "regular_months"] == 3
    assert card.loc["X", "regular_rate"] == pytest.approx(3 / 12)


@pytest.mark.parametrize(
    ("days", "quarters"),
    [
        (["31/03/2022", "01/04/2022"], 2),  # the last day of Q1 and the first of Q2
        (["01/04/2022", "30/06/2022"], 1),  # both in Q2
        (["30/06/2022", "01/07/2022"], 2),  # Q2 and Q3
    ],
)
def test_thematic_quarters_split_on_the_first_day(days, quarters):
    meetings = [(f"S{i}", d, "thematic") for i, d in enumerate(days)]
    card = _run(meetings, [(s, "p", "present") for s, *_ in meetings], members=_members(["p"]))
    assert card.loc["X", "thematic_quarters"] == quarters
    assert card.loc["X", "regular_months"] == 0  # a thematic meeting is not a regular one


def test_a_combined_meeting_counts_for_both_r1_and_r2():
    card = _run([("S1", "31/03/2022", "combined", "120")], [("S1", "p", "present")],
                members=_members(["p"]))  # fmt: skip
    assert (card.loc["X", "regular_months"], card.loc["X", "thematic_quarters"]) == (1, 1)


# --- R3: 90 minutes, 120 for a combined session -----------------------------------------


@pytest.mark.parametrize(
    ("kind", "minutes", "short"),
    [
        ("regular", "89", 1),  # one minute under 90
        ("regular", "90", 0),  # "at least 90": on it is enough
        ("regular", "91", 0),
        ("thematic", "89", 1),
        ("thematic", "90", 0),
        ("combined", "119", 1),  # one minute under 120
        ("combined", "120", 0),
        ("combined", "121", 0),
        ("combined", "90", 1),  # enough for a regular meeting, not for a combined one
    ],
)
def test_r3_minimum_duration(kind, minutes, short):
    card = _run([("S1", "05/01/2022", kind, minutes)], [("S1", "p", "present")],
                members=_members(["p"]))  # fmt: skip
    assert card.loc["X", "short_meetings"] == short


# --- R4: excused absences more than 3 in a row -------------------------------------------


@pytest.mark.parametrize(
    ("days", "streaks", "standard"),
    [
        # a excused at 3 meetings in a row, 9 others present (9/10 = 0.9 > 0.85): all standard
        (["05/01/2022", "05/02/2022", "05/03/2022"], 0, 1.0),
        # a 4th excused absence in a row fails that meeting: 3 of 4 standard
        (["05/01/2022", "05/02/2022", "05/03/2022", "05/04/2022"], 1, 0.75),
        # runs restart on 1 January: 15/11, 15/12, 31/12/2021 are 2021's 1st-3rd, 01/01-01/03/2022
        # the 1st-3rd of 2022
        (["15/11/2021", "15/12/2021", "31/12/2021", "01/01/2022", "01/02/2022", "01/03/2022"], 0,
         1.0),
        # ... and 01/04/2022 is the 4th of 2022: one streak, 3 of 4 meetings of 2022 standard
        (["31/12/2021", "01/01/2022", "01/02/2022", "01/03/2022", "01/04/2022"], 1, 0.75),
    ],
)  # fmt: skip
def test_r4_excused_run_of_three_passes_and_four_fails(days, streaks, standard):
    ids = [f"S{i}" for i in range(len(days))]
    register = _register(ids, {(s, "a"): "excused" for s in ids}, TEN)
    card = _run(list(zip(ids, days, strict=True)), register, members=_ten())
    assert card.loc["X", "excused_streaks"] == streaks
    assert card.loc["X", "standard_meeting_rate"] == standard


def test_r4_one_unexcused_absence_fails_the_meeting_at_90_percent():
    # 9/10 present (above 0.85) but the 10th is absent without reason: not standard
    card = _run([("S1", "05/01/2022")], _register(["S1"], {("S1", "a"): "absent"}, TEN),
                members=_ten())  # fmt: skip
    assert card.loc["X", "standard_meeting_rate"] == 0.0
    assert card.loc["X", "unexcused_absences"] == 1


# --- R6: three months within the year, meetings and dues ---------------------------------


@pytest.mark.parametrize(
    ("absent_on", "flagged"),
    [
        (["05/01/2022", "05/02/2022"], 0),  # 2 months
        (["05/01/2022", "05/02/2022", "05/03/2022"], 1),  # 3 months: flagged
        (["01/01/2022", "31/01/2022", "01/02/2022"], 0),  # 3 absences in 2 months (Jan, Feb)
        (["31/01/2022", "01/02/2022", "01/03/2022"], 1),  # Jan, Feb, Mar
        (["05/01/2022", "05/04/2022", "05/09/2022"], 1),  # not consecutive: still 3 months
        (["31/12/2021", "05/01/2022", "05/02/2022"], 0),  # December 2021 is another year
    ],
)
def test_r6_meetings_three_distinct_months_of_the_year(absent_on, flagged):
    ids = [f"S{i}" for i in range(len(absent_on))]
    register = _register(ids, {(s, "a"): "absent" for s in ids}, TEN)
    card = _run(list(zip(ids, absent_on, strict=True)), register, members=_ten())
    assert card.loc["X", "flagged_meetings"] == flagged


def _dues(unpaid: list[str], months: list[str]) -> pd.DataFrame:
    """a's dues rows for ``months`` (MM/YYYY), unpaid in ``unpaid``, paid on the 5th otherwise."""
    return pd.DataFrame(
        {
            "member_id": "a",
            "month": months,
            "amount": "50.000",
            "paid_on": ["" if m in unpaid else f"05/{m}" for m in months],
        }
    )


YEAR = [f"{m:02d}/2022" for m in range(1, 13)]


@pytest.mark.parametrize(
    ("unpaid", "months", "flagged"),
    [
        (["01/2022", "02/2022"], YEAR, 0),  # 2 unpaid months
        (["01/2022", "02/2022", "12/2022"], YEAR, 1),  # 3, not in a row
        # 2 unpaid and March has no row at all: missing data, not a 3rd unpaid month
        (["01/2022", "02/2022"], [m for m in YEAR if m != "03/2022"], 0),
        # December 2021 unpaid belongs to 2021
        (["12/2021", "01/2022", "02/2022"], ["12/2021", *YEAR], 0),
    ],
)
def test_r6_dues_three_unpaid_months_of_the_year(unpaid, months, flagged):
    members = _members(["a"])
    card = _run([("S1", "05/01/2022")], [("S1", "a", "present")], members=members,
                dues=_dues(unpaid, months))  # fmt: skip
    assert card.loc["X", "flagged_dues"] == flagged


@pytest.mark.parametrize("order", [[0, 1], [1, 0]])
def test_r6_counts_a_member_who_left_two_cells_in_the_last_cell_left(order):
    # a: in X until 01/04/2022 (transfer), then in Y until 01/10/2022 (transfer out of the city).
    # Absent without reason at X in January, February, March: 3 months, flagged; at the end of
    # 2022 a is on no roll here, so a is counted in the last cell left, Y (not X, left first).
    spans = pd.DataFrame(
        {
            "member_id": "a",
            "cell_id": ["X", "Y"],
            "joined_on": ["01/01/2015", "01/04/2022"],
            "left_on": ["01/04/2022", "01/10/2022"],
            "left_reason": "transfer",
            "admitted_on": "01/01/2010",
        }
    ).iloc[order]
    members = pd.concat([spans, _members(["p"])], ignore_index=True)
    days = ["05/01/2022", "05/02/2022", "05/03/2022"]
    meetings = [(f"S{i}", d) for i, d in enumerate(days)]
    register = [(s, m, "absent" if m == "a" else "present") for s, _ in meetings for m in "ap"]
    card = _run(meetings, register, orgs=TWO_CELLS, members=members)
    assert (card.loc["X", "flagged_meetings"], card.loc["Y", "flagged_meetings"]) == (0, 1)
    assert card.loc["B", "flagged_meetings"] == 1  # counted once above


# --- §4: the roll at the end of the period, admissions -------------------------------------


@pytest.mark.parametrize(
    ("joined", "left", "members"),
    [
        ("31/12/2022", "", 1),  # joined on the last day: on the roll at the end
        ("01/01/2023", "", 0),  # joined the day after
        ("01/01/2015", "31/12/2022", 0),  # left_on is the first day off the roll
        ("01/01/2015", "01/01/2023", 1),
    ],
)
def test_members_on_the_roll_at_the_end_of_the_period(joined, left, members):
    roll_rows = _members(["p", "q"], joined_on=["01/01/2015", joined], left_on=["", left],
                         left_reason=["", "transfer" if left else ""])  # fmt: skip
    card = _run([("S1", "05/01/2022")], [("S1", "p", "present")], members=roll_rows)
    assert card.loc["X", "members"] == 1 + members


@pytest.mark.parametrize(
    ("admitted", "admissions"),
    [
        ("31/12/2021", 0),  # the day before the period
        ("01/01/2022", 1),
        ("31/12/2022", 1),  # the last day of the period
        ("01/01/2023", 0),
    ],
)
def test_admissions_inside_the_period(admitted, admissions):
    members = _members(["p", "n"], admitted_on=["01/01/2010", admitted],
                       joined_on=["01/01/2015", admitted])  # fmt: skip
    card = _run([("S1", "05/01/2022")], [("S1", "p", "present")], members=members)
    assert card.loc["X", "admissions"] == admissions


def test_an_admission_on_a_transfer_day_counts_in_the_new_cell():
    # n admitted 01/03/2022 and transferred from X to Y that same day: Y's roll holds n that day
    members = pd.DataFrame(
        {
            "member_id": ["n", "n", "p"],
            "cell_id": ["X", "Y", "X"],
            "admitted_on": ["01/03/2022", "01/03/2022", "01/01/2010"],
            "joined_on": ["01/03/2022", "01/03/2022", "01/01/2015"],
            "left_on": ["01/03/2022", "", ""],
            "left_reason": ["transfer", "", ""],
        }
    )
    card = _run([("S1", "05/01/2022")], [("S1", "p", "present")], orgs=TWO_CELLS, members=members)
    assert (card.loc["X", "admissions"], card.loc["Y", "admissions"]) == (0, 1)


# --- R9: excellent members at most 20% of those rated good, per base organisation -----------


@pytest.mark.parametrize(
    ("excellent", "good", "basis", "listed"),
    [
        (1, 10, "good", False),  # 1 <= 0.2 x 10 = 2
        (2, 10, "good", False),  # exactly on the cap: "may not exceed", so not listed
        (3, 10, "good", True),  # 3 > 2
        (2, 8, "good_or_better", False),  # 2 <= 0.2 x (8 + 2) = 2: on the cap
        (3, 8, "good_or_better", True),  # 3 > 0.2 x 11 = 2.2
        (1, 5, "good", False),  # 1 <= 0.2 x 5 = 1 (0.2 x 5 is exactly 1.0 in floating point)
        (7, 35, "good", False),  # 7 <= 0.2 x 35 (7.000000000000001 in floating point)
        (8, 35, "good", True),
    ],
)
def test_r9_cap_on_and_over_the_cap(excellent, good, basis, listed):
    ids = [f"e{i}" for i in range(excellent)] + [f"g{i}" for i in range(good)]
    reviews = pd.DataFrame({"subject_id": ids, "year": "2022",
                            "level": ["excellent"] * excellent + ["good"] * good})  # fmt: skip
    ds = _clean(_members(ids), reviews)
    out = run_list("r9_cap", ds, "2022", basis=basis, share=0.2)
    assert (not out.empty) == listed
    if listed:
        assert out[["org_id", "excellent", "good"]].values.tolist() == [["B", excellent, good]]


# --- R10: probationary members 12 months after admission ------------------------------------


@pytest.mark.parametrize(
    ("admitted", "confirmed", "days_overdue"),
    [
        ("30/12/2021", "", 1),  # due 30/12/2022, unconfirmed on 31/12/2022: one day overdue
        ("31/12/2021", "", None),  # due on the period's last day: not yet overdue
        ("01/01/2022", "", None),
        ("30/12/2021", "31/12/2022", None),  # confirmed on the last day of the period
        ("30/12/2021", "01/01/2023", 1),  # confirmed the day after: still probationary at the end
        ("28/02/2021", "", 306),  # due 28/02/2022; 31/12/2022 - 28/02/2022 = 306 days
    ],
)
def test_r10_probation_overdue_after_twelve_months(admitted, confirmed, days_overdue):
    members = _members(["n"], admitted_on=[admitted], joined_on=[admitted],
                       confirmed_on=[confirmed])  # fmt: skip
    out = run_list("probation_overdue", _clean(members), "2022")
    assert out["days_overdue"].tolist() == ([] if days_overdue is None else [days_overdue])


# --- R8: a temporary exemption lasts at most one year ----------------------------------------


@pytest.mark.parametrize(
    ("exempt_from", "exempt_until", "longer"),
    [
        ("01/03/2022", "28/02/2023", False),  # one year, counting both ends
        ("01/03/2022", "01/03/2023", False),  # to the same day a year later: a year
        ("01/03/2022", "02/03/2023", True),  # the day after: more than a year
        ("01/01/2022", "02/01/2023", True),  # a year and a day (366 days, no 29 February)
        ("01/03/2023", "01/03/2024", False),  # across 29/02/2024: 366 days, still a year
        ("01/03/2023", "02/03/2024", True),
        ("29/02/2024", "28/02/2025", False),  # from 29 February: a year ends on 28 February
        ("29/02/2024", "01/03/2025", True),
        ("01/03/2022", "", True),  # open-ended
    ],
)
def test_r8_exemption_longer_than_a_year(exempt_from, exempt_until, longer):
    # a woman of 40 at the exemption: listed for the age condition, with the span's flag
    members = _members(["w"], gender=["Nữ"], birth_date=["01/01/1982"],
                       exempt_from=[exempt_from], exempt_until=[exempt_until])  # fmt: skip
    period = exempt_from[-4:]
    ds = _clean(members)
    out = run_list("exemption_age", ds, period)
    assert out["longer_than_a_year"].tolist() == [longer]
