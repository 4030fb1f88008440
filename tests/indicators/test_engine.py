"""The columnar engine (issue 12): DuckDB queries equal the pandas scorecard they replaced.

The pandas implementation is kept in ``oracle_scorecard.py`` as the reference. Every
count column is compared cell by cell on the synthetic city (its planted problems
included, validated and cleaned as an audit does), for a year, a quarter, a span of
years and a quarter at the end of the data. ``CHIBO_EQUALITY_DATA`` (folders separated
by ``:``) runs the same comparison on other datasets, e.g. a province written by
``chibo synth --scale 7`` (minutes of pandas: not in CI; the result is in RESULTS.md).
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from fixtures_indicators import small_city
from oracle_scorecard import cell_counts as oracle_counts

from chibo_analysis.checks.validation import validated
from chibo_analysis.indicators import engine
from chibo_analysis.indicators.periods import parse_period
from chibo_analysis.indicators.scorecard import _cell_counts
from chibo_analysis.intake.load import load_dataset
from chibo_analysis.synth import synthesize

PERIODS = ("2022", "2022Q3", "2020-2025", "2025Q4", "2021Q1")


def assert_same_counts(ds, period: str) -> None:
    per = parse_period(period)
    old = oracle_counts(ds, per)
    new = _cell_counts(ds, per)
    assert list(new.index) == list(old.index)
    differ = {
        c: int((old[c] != new[c]).sum()) for c in engine.CELL_COUNTS if (old[c] != new[c]).any()
    }
    assert not differ, f"{period}: cells differing per column: {differ}"
    assert new[engine.CELL_COUNTS].to_numpy().sum() > 0


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    folder = synthesize(tmp_path_factory.mktemp("engine") / "city", progress=False).path
    return validated(load_dataset(folder))


@pytest.mark.parametrize("period", PERIODS)
def test_engine_equals_pandas_on_the_city(city, period):
    assert_same_counts(city, period)


def test_engine_equals_pandas_on_the_small_city():
    ds = validated(small_city())
    for period in ("2022", "2022Q1", "2022Q2", "2021-2023"):
        assert_same_counts(ds, period)


def test_engine_counts_nothing_from_absent_tables():
    ds = validated(small_city())
    tables = {k: v for k, v in ds.tables.items() if k not in ("dues", "inspections")}
    relations = engine.frames_relations(tables)
    with engine.connect(relations) as con:
        counts = engine.cell_counts(con, parse_period("2022"), set(relations))
    for col in ("flagged_dues", "inspected_meetings", "rating_agreements", "rating_difference"):
        assert (counts[col] == 0).all(), col
    assert counts["meetings"].sum() > 0


def test_same_day_meetings_run_in_meeting_id_order():
    """Two meetings of one cell on one day: the run follows meeting ids (m-a before m-b).

    Member x is excused at m-1 (05/01), m-b and m-a (both 10/01, m-b written first),
    m-2 (15/01) and m-3 (20/01): positions 1, 3, 2, 4, 5 (m-a before m-b by id).
    Member y: m-1 excused, m-a present, m-b excused, m-2 excused, m-3 excused ->
    1, 0, 1, 2, 3: the present row at m-a breaks the run only if m-a comes first.
    Member z has 3 excused rows: no run can pass R4's limit, so none is listed.
    """
    orgs = pd.DataFrame({"org_id": ["T", "C"], "level": ["committee", "cell"],
                         "founded_on": pd.NaT, "dissolved_on": pd.NaT})  # fmt: skip
    members = pd.DataFrame({
        "member_id": ["x", "y", "z"], "cell_id": "C", "joined_on": pd.NaT, "left_on": pd.NaT,
        "admitted_on": pd.NaT, "exempt_from": pd.NaT, "exempt_until": pd.NaT})  # fmt: skip
    ids = ["m-1", "m-b", "m-a", "m-2", "m-3"]
    days = pd.to_datetime(["2022-01-05", "2022-01-10", "2022-01-10", "2022-01-15", "2022-01-20"])
    meetings = pd.DataFrame({
        "meeting_id": ids, "cell_id": "C", "held_on": days,
        "kind": "regular", "duration_min": 90, "self_rating": None, "superior_attended": False,
        "n_summoned": None, "n_present": None, "n_excused": None, "n_absent": None})  # fmt: skip
    written = {"x": "EEEEE", "y": "EEPEE", "z": "EEEPP"}  # in the order of ids
    marks = {"E": "excused", "P": "present"}
    attendance = pd.DataFrame(
        [
            {"member_id": m, "meeting_id": g, "status": marks[c]}
            for m, row in written.items()
            for g, c in zip(ids, row, strict=True)
        ]
    )
    tables = {"organisations": orgs, "members": members, "meetings": meetings}
    tables["attendance"] = attendance
    for frame in (members, attendance):
        frame[["_file", "_sheet", "_row"]] = ["t.csv", "", 2]
    relations = engine.frames_relations(tables)
    year = parse_period("2022")
    with engine.connect(relations) as con:
        runs = con.execute(
            "WITH "
            + engine.register_sql(year.start, year.end)
            + " SELECT member_id, meeting_id, run_pos FROM runpos ORDER BY member_id, held_on,"
            " meeting_id"
        ).fetchall()
    assert runs == [
        ("x", "m-1", 1), ("x", "m-a", 2), ("x", "m-b", 3), ("x", "m-2", 4), ("x", "m-3", 5),
        ("y", "m-1", 1), ("y", "m-a", 0), ("y", "m-b", 1), ("y", "m-2", 2), ("y", "m-3", 3),
    ]  # fmt: skip


def _tables(rows, exemptions=()):
    """Tables for the register queries: ``rows`` are (member, cell, meeting, day, status)."""
    reg = pd.DataFrame(rows, columns=["member_id", "cell_id", "meeting_id", "held_on", "status"])
    reg["held_on"] = pd.to_datetime(reg["held_on"])
    meetings = reg.drop_duplicates("meeting_id")[["meeting_id", "cell_id", "held_on"]].assign(
        kind="regular", duration_min=90, self_rating=None, superior_attended=False,
        n_summoned=None, n_present=None, n_excused=None, n_absent=None)  # fmt: skip
    members = pd.DataFrame(
        [(m, c, None, None) for m, c in reg[["member_id", "cell_id"]].drop_duplicates().values]
        + list(exemptions),
        columns=["member_id", "cell_id", "exempt_from", "exempt_until"],
    ).assign(joined_on=pd.NaT, left_on=pd.NaT, admitted_on=pd.NaT, _file="m.csv", _sheet="")
    members[["exempt_from", "exempt_until"]] = members[["exempt_from", "exempt_until"]].apply(
        pd.to_datetime
    )
    members["_row"] = range(2, len(members) + 2)
    attendance = reg[["meeting_id", "member_id", "status"]].assign(_file="a.csv", _sheet="")
    attendance["_row"] = range(2, len(attendance) + 2)
    return {"members": members, "meetings": meetings, "attendance": attendance}


def run_positions(rows, first="2021-01-01", last="2022-12-31"):
    """Every register row's position in its run of excused absences, in the order given."""
    sql = "WITH " + engine.register_sql(pd.Timestamp(first), pd.Timestamp(last), every_run=True)
    sql += " SELECT coalesce(p.run_pos, 0) FROM reg r LEFT JOIN runpos p ON p.apos = r.apos"
    relations = engine.frames_relations(_tables(rows))
    with engine.connect(relations) as con:
        return [int(v) for (v,) in con.execute(sql + " ORDER BY r.apos").fetchall()]


def test_run_positions_restart_each_year_and_skip_left_out_rows():
    rows = [("a", "c", str(i), day, status) for i, (day, status) in enumerate([
        ("2021-11-05", "excused"), ("2021-12-05", "excused"), ("2022-01-05", "excused"),
        ("2022-02-05", "exempt"), ("2022-03-05", "excused"), ("2022-04-05", "present"),
        ("2022-05-05", "excused")])] + [("b", "c", "0", "2021-11-05", "excused")]  # fmt: skip
    # 2021: 1, 2; 2022 restarts: 1, (left out), 2, present breaks, 1; member b: 1
    assert run_positions(rows) == [1, 2, 1, 0, 2, 0, 1, 1]


def test_excused_runs_of_two_members_in_two_cells_stay_apart():
    """a's excused absences in Y and c's in X alternate in time: two runs of 2, not one of 4."""
    rows = [
        ("a", "X", "X1", "2022-01-01", "present"), ("b", "Y", "Y1", "2022-01-01", "present"),
        ("c", "X", "X1", "2022-01-01", "present"), ("a", "Y", "Y2", "2022-02-02", "excused"),
        ("c", "X", "X2", "2022-03-03", "excused"), ("a", "Y", "Y3", "2022-04-04", "excused"),
        ("c", "X", "X3", "2022-05-05", "excused"),
    ]  # fmt: skip
    assert run_positions(rows) == [0, 0, 0, 1, 1, 2, 2]


def test_an_exemption_in_that_cell_leaves_the_row_out():
    """Exempted in C from 01/03 to 31/03 (both days in): rows on 01/03 and 31/03 are left out,
    whatever was written; the same member's row in D that day is not; 01/04 counts again."""
    rows = [
        ("m", "C", "c1", "2022-02-28", "absent"), ("m", "C", "c2", "2022-03-01", "absent"),
        ("m", "C", "c3", "2022-03-31", "present"), ("m", "D", "d1", "2022-03-31", "absent"),
        ("m", "C", "c4", "2022-04-01", "excused"),
    ]  # fmt: skip
    exemptions = [("m", "C", "2022-03-01", "2022-03-31")]
    relations = engine.frames_relations(_tables(rows, exemptions))
    sql = "WITH " + engine.register_sql(pd.Timestamp("2022-01-01"), pd.Timestamp("2022-12-31"))
    with engine.connect(relations) as con:
        got = con.execute(sql + " SELECT meeting_id, left_out FROM reg ORDER BY apos").fetchall()
    assert got == [("c1", False), ("c2", True), ("c3", True), ("d1", False), ("c4", False)]


def test_r6_flags_from_the_third_distinct_month():
    """a: absent in January (twice), March and December: 3 distinct months; b: 2 months; an
    absence left out (exempt) does not count."""
    rows = [
        ("a", "C", "1", "2022-01-05", "absent"), ("a", "C", "2", "2022-01-20", "absent"),
        ("a", "C", "3", "2022-03-05", "absent"), ("a", "C", "4", "2022-12-05", "absent"),
        ("b", "C", "1", "2022-01-05", "absent"), ("b", "C", "2", "2022-01-20", "exempt"),
        ("b", "C", "5", "2022-02-05", "absent"), ("b", "C", "6", "2022-06-05", "excused"),
    ]  # fmt: skip
    year = parse_period("2022")
    relations = engine.frames_relations(_tables(rows))
    sql = "WITH " + engine.register_sql(year.year_start, year.end) + engine.r6_sql(year, False)
    with engine.connect(relations) as con:
        got = con.execute(sql + " SELECT * FROM r6_meet").fetchall()
    assert got == [("a", 2022, 3, "2022-01, 2022-03, 2022-12")]


def test_meeting_facts_by_hand():
    """R3 and R4 facts of four meetings of 2022 in cell C (P1-P3 before them: e excused).

    M0 (regular, 90 min, good): 7 present, e excused (her 4th in a row), x exempt.
    M1 (combined, 100 min, fair): 1 present, 1 absent; short (120 needed).
    M2 (kind and duration unknown): no register row.
    M3 (regular, 95 min, good): 7 present, f excused (1st in a row).
    """
    people = [f"p{i}" for i in range(7)]
    rows = [("e", "C", f"P{i}", f"2022-01-0{i}", "excused") for i in (1, 2, 3)]
    rows += [(p, "C", "M0", "2022-02-01", "present") for p in people]
    rows += [("e", "C", "M0", "2022-02-01", "excused"), ("x", "C", "M0", "2022-02-01", "exempt")]
    rows += [("p0", "C", "M1", "2022-03-01", "present"), ("p1", "C", "M1", "2022-03-01", "absent")]
    rows += [(p, "C", "M3", "2022-05-01", "present") for p in people]
    rows += [("f", "C", "M3", "2022-05-01", "excused")]
    tables = _tables(rows)
    extra = pd.DataFrame({"meeting_id": ["M2"], "cell_id": ["C"],
                          "held_on": pd.to_datetime(["2022-04-01"])})  # fmt: skip
    m = pd.concat([tables["meetings"], extra], ignore_index=True).set_index("meeting_id")
    m.loc[["M0", "M1", "M2", "M3"], "kind"] = ["regular", "combined", None, "regular"]
    m["duration_min"] = pd.array([90, 90, 90, 90, 100, 95, None], dtype="Int64")
    m.loc[["M0", "M1", "M2", "M3"], "self_rating"] = ["good", "fair", None, "good"]
    tables["meetings"] = m.reset_index()
    year = parse_period("2022")
    sql = "WITH " + engine.facts_sql(year.start, year.end)
    sql += f" SELECT meeting_id, {', '.join(engine.FACT_COLUMNS)} FROM facts"
    with engine.connect(engine.frames_relations(tables)) as con:
        f = con.execute(sql).df().set_index("meeting_id").loc[["M0", "M1", "M2", "M3"]]
    got = {c: f[c].tolist() for c in engine.FACT_COLUMNS}
    assert got == {
        "n_rows": [9, 2, 0, 8],
        "n_counted": [8, 2, 0, 8],
        "n_present": [7, 1, 0, 7],
        "n_excused": [1, 0, 0, 1],
        "n_absent": [0, 1, 0, 0],
        "n_streak": [1, 0, 0, 0],
        "min_minutes": [90, 120, 90, 90],  # an unknown kind is held to a regular meeting's 90
        "short": [False, True, False, False],
        # 7/8 = 0.875 > 0.85; 1/2; no counted row (not standard); 7/8
        "low_presence": [False, True, True, False],
        "standard": [False, False, False, True],  # M0 fails on the 4th excused absence only
        "good": [True, False, False, True],
        "implausible_good": [True, False, False, False],
    }


def test_an_admission_counts_in_the_dated_roll_when_two_rolls_cover_the_day():
    """Admitted 01/03/2022 while on two rolls (a warning, both rows kept): C1's row has no
    joining date, C2's says 01/01/2022. The row with a date comes first (as the oracle sorts:
    joined_on, empty last): the admission counts in C2, once."""
    orgs = pd.DataFrame({"org_id": ["T", "C1", "C2"], "level": ["committee", "cell", "cell"],
                         "founded_on": pd.NaT, "dissolved_on": pd.NaT})  # fmt: skip
    members = pd.DataFrame({
        "member_id": ["m", "m"], "cell_id": ["C1", "C2"],
        "joined_on": pd.to_datetime([None, "2022-01-01"]), "left_on": pd.NaT,
        "admitted_on": pd.to_datetime(["2022-03-01", "2022-03-01"]), "exempt_from": pd.NaT,
        "exempt_until": pd.NaT, "_file": "m.csv", "_sheet": "", "_row": [2, 3]})  # fmt: skip
    tables = {"organisations": orgs, "members": members}
    tables |= {k: v.iloc[:0] for k, v in _tables([("x", "C1", "g", "2022-01-05", "present")]).items()
               if k != "members"}  # fmt: skip
    relations = engine.frames_relations(tables)
    with engine.connect(relations) as con:
        counts = engine.cell_counts(con, parse_period("2022"), set(relations))
    assert counts["admissions"].to_dict() == {"C1": 0, "C2": 1}


def test_home_cell_is_the_cell_left_on_the_last_day_before_one_joined_later():
    """m left C1 on 31/12/2022 (the period's last day: off the roll that day) and joined C2
    on 01/01/2023: at the end of 2022 m counts in C1, the last cell left, not in C2, which
    m had not joined yet (a later row with no leaving date)."""
    members = pd.DataFrame({
        "member_id": ["m", "m"], "cell_id": ["C1", "C2"],
        "joined_on": pd.to_datetime(["2020-01-01", "2023-01-01"]),
        "left_on": pd.to_datetime(["2022-12-31", None]), "admitted_on": pd.NaT,
        "exempt_from": pd.NaT, "exempt_until": pd.NaT, "_file": "m.csv", "_sheet": "",
        "_row": [2, 3]})  # fmt: skip
    home = engine.home_cells(members, ["m"], parse_period("2022"))
    assert home[["member_id", "cell_id", "_row"]].values.tolist() == [["m", "C1", 2]]
    assert engine.home_cells(members, ["m"], parse_period("2023"))["cell_id"].tolist() == ["C2"]


def test_r6_leaves_out_the_absences_of_an_exempted_member():
    """Absent in January, March and May, but exempted in that cell from 01/03: two months
    count, so no R6 flag; without the exemption, three months and a flag."""
    rows = [("a", "C", str(i), day, "absent")
            for i, day in enumerate(["2022-01-05", "2022-03-05", "2022-05-05"])]  # fmt: skip
    year = parse_period("2022")
    sql = "WITH " + engine.register_sql(year.year_start, year.end) + engine.r6_sql(year, False)
    flagged = []
    for exemptions in ([("a", "C", "2022-03-01", None)], []):
        with engine.connect(engine.frames_relations(_tables(rows, exemptions))) as con:
            flagged.append(con.execute(sql + " SELECT member_id, n_months FROM r6_meet").fetchall())
    assert flagged == [[], [("a", 3)]]


EXTRA = [Path(p) for p in os.environ.get("CHIBO_EQUALITY_DATA", "").split(":") if p]


@pytest.mark.skipif(not EXTRA, reason="set CHIBO_EQUALITY_DATA to datasets to compare (slow)")
@pytest.mark.parametrize("folder", EXTRA, ids=str)
def test_engine_equals_pandas_on_given_data(folder):
    ds = validated(load_dataset(folder))
    for period in ("2022", "2022Q3"):
        assert_same_counts(ds, period)


def test_r6_dues_flags_and_rating_pairs_of_the_small_city():
    """R6 on dues: m2 (Jan, Jun, Oct) and m3 (Jan, Aug, Sep) in 2022; m1 has 2 months. The
    rating pairs' differences (self minus inspection) are whole int64 numbers: C1-01 good
    against fair (1), C1-03 fair against its latest fair (0), C2-02 fair against fair (0)."""
    ds = validated(small_city())
    year = parse_period("2022")
    flagged, rows = engine.r6_flags(ds, year, "dues")
    assert flagged[["member_id", "year", "n_months", "months"]].values.tolist() == [
        ["m2", 2022, 3, "2022-01, 2022-06, 2022-10"],
        ["m3", 2022, 3, "2022-01, 2022-08, 2022-09"],
    ]
    assert set(rows["member_id"]) >= {"m1", "m2", "m3"}
    held = ds.meetings["held_on"]
    pairs = engine.latest_inspections(ds.inspections, ds.meetings[held.dt.year == 2022])
    assert pairs["difference"].dtype == "int64" and pairs["agree"].dtype == "int64"
    assert dict(zip(pairs["meeting_id"], pairs["difference"], strict=True)) == {
        "C1-01": 1, "C1-03": 0, "C2-02": 0}  # fmt: skip


def test_a_memory_limit_spills_to_the_temporary_folder_never_the_working_one():
    import tempfile

    with engine.connect({}, memory_limit="1GB") as con:
        spill = con.execute("SELECT current_setting('temp_directory')").fetchall()[0][0]
        limit = con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    assert spill.startswith(tempfile.gettempdir()) and "chibo-duckdb" in spill
    assert limit == "953.6 MiB"  # DuckDB's reading of 1 GB (10^9 bytes)
