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
    relations = engine.frames_relations(
        {"organisations": orgs, "members": members, "meetings": meetings, "attendance": attendance}
    )
    with engine.connect(relations) as con:
        runs = con.execute(
            "WITH " + engine.register_sql(parse_period("2022"))
            + " SELECT member_id, meeting_id, run_pos FROM runpos ORDER BY member_id, held_on,"
            " meeting_id"
        ).fetchall()
    assert runs == [
        ("x", "m-1", 1), ("x", "m-a", 2), ("x", "m-b", 3), ("x", "m-2", 4), ("x", "m-3", 5),
        ("y", "m-1", 1), ("y", "m-a", 0), ("y", "m-b", 1), ("y", "m-2", 2), ("y", "m-3", 3),
    ]  # fmt: skip


EXTRA = [Path(p) for p in os.environ.get("CHIBO_EQUALITY_DATA", "").split(":") if p]


@pytest.mark.skipif(not EXTRA, reason="set CHIBO_EQUALITY_DATA to datasets to compare (slow)")
@pytest.mark.parametrize("folder", EXTRA, ids=str)
def test_engine_equals_pandas_on_given_data(folder):
    ds = validated(load_dataset(folder))
    for period in ("2022", "2022Q3"):
        assert_same_counts(ds, period)
