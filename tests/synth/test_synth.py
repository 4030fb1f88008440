"""The synthetic city: calibration, determinism, planted problems and validation.

Planted cases are checked against the files with plain pandas, independently
of the generator's code: every case in the ground truth is in the data, and
for the member- and meeting-level kinds nothing else is.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from chibo_analysis.commands.cli import main
from chibo_analysis.errors import ParameterError
from chibo_analysis.synth import Rates, synthesize

TABLE_FILES = [
    "organisations",
    "members",
    "meetings",
    "attendance",
    "inspections",
    "dues",
    "disciplines",
    "reviews",
]


def read(folder: Path) -> dict[str, pd.DataFrame]:
    out = {
        n: pd.read_csv(folder / f"{n}.csv", dtype=str, keep_default_na=False, na_values=[""])
        for n in TABLE_FILES
    }
    out["ground_truth"] = pd.read_csv(folder / "ground_truth.csv", dtype=str)
    for frame in out.values():
        for c in frame.columns:
            if c.endswith("_on") or c in ("birth_date", "exempt_from", "exempt_until"):
                frame[c] = pd.to_datetime(frame[c])
    return out


@pytest.fixture(scope="module")
def city_dir(tmp_path_factory) -> Path:
    """The full default city (seed 0, 2020-2025), generated once for the module."""
    return synthesize(tmp_path_factory.mktemp("city") / "city", progress=False).path


@pytest.fixture(scope="module")
def city(city_dir) -> dict[str, pd.DataFrame]:
    return read(city_dir)


def gt(city, kind: str) -> pd.DataFrame:
    g = city["ground_truth"]
    return g[g["kind"] == kind]


def register(city) -> pd.DataFrame:
    m = city["meetings"][["meeting_id", "cell_id", "held_on"]]
    return (
        city["attendance"]
        .merge(m, on="meeting_id")
        .assign(
            year=lambda f: f["held_on"].dt.year.astype(str), month=lambda f: f["held_on"].dt.month
        )
    )


def roll_on(members: pd.DataFrame, day: str) -> pd.DataFrame:
    d = pd.Timestamp(day)
    return members[
        (members["joined_on"] <= d) & (members["left_on"].isna() | (members["left_on"] > d))
    ]


# --- calibration ---------------------------------------------------------------


def test_city_matches_the_article_on_30_september_2022(city):
    orgs = city["organisations"]
    d = pd.Timestamp("2022-09-30")
    alive = (orgs["founded_on"].isna() | (orgs["founded_on"] <= d)) & (
        orgs["dissolved_on"].isna() | (orgs["dissolved_on"] > d)
    )
    level = orgs.loc[alive, "level"]
    assert (level == "committee").sum() == 1
    assert level.isin(["base", "base_cell"]).sum() == 33
    assert (level == "cell").sum() == 337
    assert len(roll_on(city["members"], "2022-09-30")) == 10_677
    names = set(orgs["name"])
    for ward in ("Phan Thiết", "Ỷ La", "Đội Cấn"):
        assert f"Đảng bộ phường {ward}" in names
    for commune in ("Tràng Đà", "Thái Long"):
        assert f"Đảng bộ xã {commune}" in names
    # cells are dissolved, merged (1 July 2025) and founded over the period
    assert orgs["dissolved_on"].notna().sum() > 10
    assert (orgs["founded_on"] == pd.Timestamp("2025-07-01")).sum() > 5


def test_city_has_movement_on_the_rolls(city):
    m = city["members"]
    reasons = m["left_reason"].value_counts()
    for reason in ("transfer", "deceased", "removed"):
        assert reasons.get(reason, 0) > 0, reason
    assert m["exempt_from"].notna().sum() > 100
    admitted = m[(m["admitted_on"] == m["joined_on"]) & (m["admitted_on"].dt.year >= 2020)]
    assert len(admitted) > 300  # about 2.5% a year
    # transfers: the next row starts the day after, so no one is on two rolls (bar the plant)
    s = m.sort_values(["member_id", "joined_on"])
    nxt = s.groupby("member_id")["joined_on"].shift(-1)
    overlap = s["left_on"].isna() & nxt.notna() | (nxt <= s["left_on"])
    assert overlap.sum() == len(gt(city, "overlapping_membership"))


def test_small_scale_is_calibrated_too(tmp_path):
    res = synthesize(tmp_path / "s", scale=0.1, start=2022, end=2022, progress=False)
    # 33, 337 and 10,677 times 0.1, rounded
    assert res.calibration == {
        "date": "2022-09-30",
        "committees": 1,
        "bases": 3,
        "cells": 34,
        "members": 1068,
    }
    assert len(roll_on(read(tmp_path / "s")["members"], "2022-09-30")) == 1068


# --- determinism ---------------------------------------------------------------


def _bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("fmt", ["csv", "parquet", "xlsx"])
def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path, fmt):
    kw = dict(scale=0.03, start=2022, end=2023, fmt=fmt, progress=False)
    a = _bytes(synthesize(tmp_path / "a", seed=7, **kw).path)
    b = _bytes(synthesize(tmp_path / "b", seed=7, **kw).path)
    c = _bytes(synthesize(tmp_path / "c", seed=8, **kw).path)
    assert a == b
    assert a.keys() == c.keys()
    assert a[f"attendance.{fmt}"] != c[f"attendance.{fmt}"]


# --- planted problems: each case is in the data, and (where exact) nothing else --------


def test_chronic_absentees_are_exactly_the_planted_ones(city):
    reg = register(city)
    absent = reg[reg["status"] == "absent"]
    months = absent.groupby(["member_id", "year"])["month"].nunique()
    flagged = set(months[months >= 3].index)
    planted = set(
        zip(
            gt(city, "chronic_absentee")["member_id"],
            gt(city, "chronic_absentee")["period"],
            strict=True,
        )
    )
    assert len(planted) > 100
    assert planted == flagged
    # the months recorded are the months with an unexcused absence that year, exactly
    g = gt(city, "chronic_absentee")
    recorded = g["detail"].str.removeprefix("months ").astype(int).to_numpy()
    assert (recorded == months.loc[list(zip(g["member_id"], g["period"], strict=True))]).all()


def test_excused_streaks_are_exactly_the_planted_ones(city):
    reg = register(city)
    reg = reg[reg["status"] != "exempt"].sort_values(["member_id", "cell_id", "held_on"])
    exc = reg["status"].eq("excused")
    key = reg["member_id"] + "|" + reg["cell_id"] + "|" + reg["year"]
    run_id = (~exc | key.ne(key.shift())).cumsum()
    runs = exc.groupby(run_id).cumsum()
    longest = runs.groupby(key).max()
    found = {tuple(k.split("|")) for k in longest[longest > 3].index}
    g = gt(city, "excused_streak")
    planted = set(zip(g["member_id"], g["org_id"], g["period"], strict=True))
    assert len(planted) > 100
    assert planted == found
    # the length recorded is the run's length, exactly (not one short of a neighbour)
    keys = g["member_id"] + "|" + g["org_id"] + "|" + g["period"]
    recorded = g["detail"].str.removeprefix("length ").astype(int).to_numpy()
    assert (recorded == longest.loc[keys].to_numpy()).all()


def test_unpaid_dues_are_exactly_the_planted_ones(city):
    d = city["dues"]
    unpaid = d[d["paid_on"].isna()]
    n = unpaid.groupby([unpaid["member_id"], unpaid["month"].str[:4]]).size()
    found = set(n[n >= 3].index)
    g = gt(city, "unpaid_dues")
    assert set(zip(g["member_id"], g["period"], strict=True)) == found
    assert len(found) > 100


def _lifetime_months(city) -> pd.DataFrame:
    orgs = city["organisations"]
    cells = orgs[orgs["level"].isin(["cell", "base_cell"])]
    lo = (
        cells["founded_on"]
        .fillna(pd.Timestamp("2020-01-01"))
        .clip(lower=pd.Timestamp("2020-01-01"))
    )
    hi = (cells["dissolved_on"] - pd.Timedelta(days=1)).fillna(pd.Timestamp("2025-12-31"))
    rows = [
        (c, p)
        for c, a, b in zip(cells["org_id"], lo, hi, strict=True)
        for p in pd.period_range(a, b, freq="M")
    ]
    return pd.DataFrame(rows, columns=["cell_id", "month"])


def test_skipped_months_and_missing_quarters_are_exactly_the_planted_ones(city):
    cm = _lifetime_months(city)
    mt = city["meetings"].assign(month=lambda f: f["held_on"].dt.to_period("M"))
    regular = set(
        zip(
            *[mt.loc[mt["kind"].isin(["regular", "combined"]), c] for c in ("cell_id", "month")],
            strict=True,
        )
    )
    missing = {
        (c, str(m))
        for c, m in zip(cm["cell_id"], cm["month"], strict=True)
        if (c, m) not in regular
    }
    # the planted meeting outside a cell's lifetime is not a regular month of it
    g = gt(city, "skipped_month")
    assert set(zip(g["org_id"], g["period"], strict=True)) == missing
    quarters = set(
        zip(cm["cell_id"], cm["month"].map(lambda p: f"{p.year}-Q{p.quarter}"), strict=True)
    )
    th = mt[mt["kind"].isin(["thematic", "combined"])]
    held = set(zip(th["cell_id"], th["month"].map(lambda p: f"{p.year}-Q{p.quarter}"), strict=True))
    g = gt(city, "missing_thematic")
    assert set(zip(g["org_id"], g["period"], strict=True)) == quarters - held
    compliance = 1 - len(quarters - held) / len(quarters)
    assert 0.90 < compliance < 0.97  # the article's district reported 93.76%


def test_short_meetings_and_minutes_mismatches_are_exactly_the_planted_ones(city):
    mt = city["meetings"]
    minimum = np.where(mt["kind"] == "combined", 120, 90)
    short = set(mt.loc[mt["duration_min"].astype(int) < minimum, "meeting_id"])
    assert set(gt(city, "short_meeting")["meeting_id"]) == short
    reg = city["attendance"]
    c = pd.crosstab(reg["meeting_id"], reg["status"])
    written = mt.set_index("meeting_id")[["n_summoned", "n_present", "n_excused", "n_absent"]]
    written = written.dropna().astype(int)
    c = c.reindex(written.index, fill_value=0)
    register_counts = pd.DataFrame(
        {
            "n_summoned": c["present"] + c["excused"] + c["absent"],
            "n_present": c["present"],
            "n_excused": c["excused"],
            "n_absent": c["absent"],
        }
    )
    differ = set(written.index[(written != register_counts).any(axis=1)])
    assert set(gt(city, "minutes_mismatch")["meeting_id"]) == differ
    assert len(differ) > 100


def test_copied_minutes(city):
    mt = city["meetings"].dropna(subset=["minutes_text"]).set_index("meeting_id")
    g = gt(city, "copied_minutes")
    source = g["detail"].str.extract(r"copied from (\S+)")[0]
    assert (
        mt.loc[g["meeting_id"], "minutes_text"].to_numpy()
        == mt.loc[source, "minutes_text"].to_numpy()
    ).all()
    assert g["detail"].str.contains("same cell").any() and g["detail"].str.contains("another").any()
    # every repeated text is one honest original plus planted copies
    dup = mt[mt["minutes_text"].duplicated(keep=False)]
    assert set(dup.index) == set(g["meeting_id"]) | set(source)
    assert not set(source) & set(g["meeting_id"])
    # a copy is made after its source (the earlier meeting is the original)
    assert (
        mt.loc[g["meeting_id"], "held_on"].to_numpy() > mt.loc[source, "held_on"].to_numpy()
    ).all()


def test_inflated_self_ratings(city):
    points = {"good": 3, "fair": 2, "average": 1, "poor": 0}
    ins = city["inspections"].merge(city["meetings"], on="meeting_id")
    ins = ins.assign(
        gap=ins["self_rating"].map(points) - ins["rating"].map(points),
        year=ins["held_on"].dt.year.astype(str),
    )
    gap = ins.groupby(["cell_id", "year"])["gap"].mean()
    g = gt(city, "inflated_self_rating")
    assert set(zip(g["org_id"], g["period"], strict=True)) == set(gap[gap >= 1.5].index)


def test_small_cells_no_admissions_over_cap_and_unconfirmed(city):
    m, orgs = city["members"], city["organisations"]
    for _, case in gt(city, "small_residential").iterrows():
        on = roll_on(m, f"{case['period']}-12-31")
        assert (on["cell_id"] == case["org_id"]).sum() < 5
        assert orgs.set_index("org_id").at[case["org_id"], "kind"] == "residential"
    assert len(gt(city, "small_residential")) > 0
    adm = m[m["admitted_on"] == m["joined_on"]]
    for _, case in gt(city, "no_admissions").iterrows():
        y0, y1 = (int(y) for y in case["period"].split("-"))
        years = adm.loc[adm["cell_id"] == case["org_id"], "admitted_on"].dt.year
        assert y1 - y0 >= 2 and not years.between(y0, y1).any()
    assert len(gt(city, "no_admissions")) > 0
    rev = city["reviews"]
    rev = rev[rev["subject_id"].str.startswith("DV")].merge(
        roll_on(m, "2023-12-31")[["member_id", "cell_id"]],
        left_on="subject_id",
        right_on="member_id",
    )
    rev = rev[rev["year"] == "2023"]
    parent = orgs.set_index("org_id")["parent_id"]
    level = orgs.set_index("org_id")["level"]
    rev["base"] = np.where(
        level[rev["cell_id"]].to_numpy() == "base_cell",
        rev["cell_id"],
        parent[rev["cell_id"]].to_numpy(),
    )
    n = pd.crosstab(rev["base"], rev["level"])
    over = set(n.index[n["excellent"] > 0.2 * n["good"]])
    g = gt(city, "over_cap")
    assert {o for o, p in zip(g["org_id"], g["period"], strict=True) if p == "2023"} == over
    # probation overdue at each year's end, listed every year it stays so: on a roll on
    # 31/12, 12 months past admission before it, not confirmed on or before it
    unconf = gt(city, "unconfirmed_probation")
    assert unconf["detail"].str.contains("never confirmed").sum() > 10
    for year in range(2020, 2026):
        end = pd.Timestamp(f"{year}-12-31")
        on = roll_on(m, f"{year}-12-31")
        due = on["admitted_on"] + pd.DateOffset(months=12)
        overdue = on[(due < end) & (on["confirmed_on"].isna() | (on["confirmed_on"] > end))]
        listed = unconf[unconf["period"] == str(year)]
        assert set(listed["member_id"]) == set(overdue["member_id"]), year
    never = unconf[unconf["detail"].str.contains("never")]
    assert never.groupby("member_id")["period"].nunique().max() > 1  # listed in later years


# --- the clean part and validation ----------------------------------------------------


def test_fresh_city_validates_with_exactly_the_planted_record_faults(city_dir, city):
    from chibo_analysis.checks.validation import validate
    from chibo_analysis.intake.load import load_dataset

    ds = load_dataset(city_dir)
    issues = validate(ds).to_frame()
    g = city["ground_truth"]
    record = g[g["scope"] == "record"]
    # the answer key sits beside the tables: listed as a file not read, nothing more
    unread = issues[issues["code"] == "unread_file"]
    assert unread[["file", "severity"]].values.tolist() == [["ground_truth.csv", "warning"]]
    issues = issues[issues["code"] != "unread_file"]
    assert sorted(issues["code"].unique()) == sorted({*record["kind"], "minutes_mismatch"})
    mism = issues[issues["code"] == "minutes_mismatch"]
    ids = ds.meetings.set_index("_row").loc[mism["row"], "meeting_id"]
    assert set(ids) == set(gt(city, "minutes_mismatch")["meeting_id"])
    rest = issues[issues["code"] != "minutes_mismatch"]
    assert sorted(rest["code"]) == sorted(record["kind"])  # one issue per planted record
    for _, issue in rest.iterrows():
        case = record[record["kind"] == issue["code"]].iloc[0]
        row = ds.tables[issue["table"]].set_index("_row").loc[issue["row"]]
        if issue["code"] == "missing_dues_month":  # reported on the member's row
            assert row["member_id"] == case["member_id"]
            assert case["period"].replace("-", "") in issue["value"].replace("-", "")
            continue
        for col in ("meeting_id", "member_id"):
            if isinstance(case[col], str) and col in row.index:
                assert row[col] == case[col], (issue.to_dict(), case.to_dict())
        if issue["code"] == "overlapping_membership":
            assert row["cell_id"] == case["org_id"]


def test_a_city_without_plants_validates_clean(tmp_path):
    from chibo_analysis.checks.validation import validate
    from chibo_analysis.intake.load import load_dataset

    res = synthesize(tmp_path / "c", scale=0.05, rates=Rates().none(), progress=False)
    issues = validate(load_dataset(res.path)).to_frame()
    assert issues[["file", "code"]].values.tolist() == [["ground_truth.csv", "unread_file"]]
    assert res.rows["ground_truth"] == 0 or json.loads((res.path / "manifest.json").read_text())[
        "ground_truth"
    ].keys() <= {"small_residential", "no_admissions"}


# --- parameters and the command line ----------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(scale=0), "scale=0"),
        (dict(start=2024, end=2022), "end=2022"),
        (dict(fmt="json"), "fmt='json'"),
        (dict(fmt="xlsx", scale=7), "fmt='xlsx'"),
        (dict(rates={"often": 1}), "unknown name 'often'"),
        (dict(rates={"short_meetings": 2}), "short_meetings=2"),
        (dict(seed=-1), "seed=-1"),
    ],
)
def test_bad_parameters_are_named(tmp_path, kwargs, message):
    with pytest.raises(ParameterError, match=message.replace("(", r"\(")):
        synthesize(tmp_path / "x", progress=False, **kwargs)


def test_command_line(tmp_path, capsys):
    out = tmp_path / "cli"
    code = main(
        [
            "synth",
            "--out",
            str(out),
            "--scale",
            "0.02",
            "--start",
            "2022",
            "--end",
            "2022",
            "--rate",
            "short_meetings=0",
            "--quiet",
        ]
    )
    assert code == 0
    assert "214 members on 2022-09-30" in capsys.readouterr().out
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parameters"]["rates"]["short_meetings"] == 0
    assert "short_meeting" not in manifest["ground_truth"]
    header = (out / "meetings.csv").read_text(encoding="utf-8").splitlines()[0]
    from chibo_analysis.schema import TABLES

    assert header.split(",") == list(TABLES["meetings"].names)
    assert main(["synth", "--out", str(out), "--rate", "nonsense"]) == 2


def test_office_layout_gives_the_canonical_scorecard(tmp_path):
    """`chibo synth --layout office`: title blocks, paper registers, footers, short marks;
    read back, every table and the scorecard equal the canonical layout's."""
    import pandas as pd

    from chibo_analysis import load_dataset, scorecard, validate
    from chibo_analysis.checks.validation import validated

    office, canonical = tmp_path / "office", tmp_path / "canonical"
    assert main(["synth", "--out", str(office), "--scale", "0.03", "--layout", "office",
                 "--quiet", "--seed", "3"]) == 0  # fmt: skip
    assert (
        main(["synth", "--out", str(canonical), "--scale", "0.03", "--quiet", "--seed", "3"]) == 0
    )
    workbooks = sorted(p.name for p in office.glob("*.xlsx"))
    assert "To chuc dang.xlsx" in workbooks and len(workbooks) > 5
    a, b = load_dataset(office), load_dataset(canonical)
    for name in ("organisations", "members", "meetings", "attendance"):
        assert len(a.tables[name]) == len(b.tables[name]), name
    marks = set(pd.read_excel(office / workbooks[0], sheet_name=None, header=None, engine="calamine")
                .get("Sổ điểm danh 2022", pd.DataFrame()).stack().astype(str))  # fmt: skip
    assert marks & {"x", "X", "P", "K", "MSH", "CM"}  # a share of short marks
    codes = lambda r: r.issues.query("severity == 'error'").groupby(["table", "code"]).size()  # noqa: E731
    pd.testing.assert_series_equal(codes(validate(a)), codes(validate(b)))
    for period in ("2022", "2024"):
        pd.testing.assert_frame_equal(
            scorecard(validated(a), period), scorecard(validated(b), period)
        )
