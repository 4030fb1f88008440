"""Preparing a store committee by committee (issue 12): the same store as whole.

A small synthetic dataset of three committees, as Parquet, with problems planted
across committees by hand: a member who moved from one committee to another, one
whose memberships in two committees overlap, a member attending a meeting of a
committee they never belonged to, a meeting code and an inspection code used in
two committees, register rows, dues and a review whose meeting, member or subject
exists nowhere, and a cell whose parent does not exist. Prepared whole and
committee by committee, the two stores must hold the same rows (values, labels,
provenance), the same problems in the same order, the same rows set aside, and
give the same scorecard and the same slice of every base organisation.
"""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import pandas as pd
import pytest

from chibo_analysis.commands.cli import main
from chibo_analysis.runner import staging
from chibo_analysis.runner.store import Store, slice_dataset, store_scorecard
from chibo_analysis.synth import synthesize


def _plant(data) -> dict[str, object]:
    """Problems across committees, written into the Parquet files; what was planted."""
    read = {t: pd.read_parquet(data / f"{t}.parquet") for t in (
        "organisations", "members", "meetings", "attendance", "inspections", "dues", "reviews",
    )}  # fmt: skip
    orgs, members, meetings = read["organisations"], read["members"], read["meetings"]
    attendance, inspections = read["attendance"], read["inspections"]
    cells = orgs[orgs["level"].eq("cell")]
    cell_of = {c: cells[cells["org_id"].str.startswith(c)]["org_id"].tolist() for c in
               ("H001", "H002", "H003")}  # fmt: skip
    current = members[members["left_on"].isna()]
    # 1. moved: left a cell of H001 at the end of June 2021, joined one of H002 in July
    moved = current[current["cell_id"].isin(cell_of["H001"])].iloc[0]
    members.loc[moved.name, ["left_on", "left_reason"]] = [dt.date(2021, 6, 30), "transfer"]
    new = moved.copy()
    new[["cell_id", "joined_on", "left_on", "left_reason"]] = [
        cell_of["H002"][0], dt.date(2021, 7, 1), None, None,
    ]  # fmt: skip
    # 2. overlapping: a second, overlapping membership in a cell of H003
    both = current[current["cell_id"].isin(cell_of["H002"])].iloc[0]
    overlap = both.copy()
    overlap[["cell_id", "joined_on"]] = [cell_of["H003"][1], dt.date(2022, 3, 1)]
    members = pd.concat([members, new.to_frame().T, overlap.to_frame().T], ignore_index=True)
    # 3. a member of H001 in the register of an H003 meeting, never a member there
    h3 = meetings[meetings["cell_id"].isin(cell_of["H003"])].iloc[5]
    stranger = current[current["cell_id"].isin(cell_of["H001"])].iloc[3]["member_id"]
    extra = pd.DataFrame(
        {
            "meeting_id": [h3["meeting_id"], "KHONG-CO-BUOI", moved["member_id"] and
                           meetings[meetings["cell_id"].eq(cell_of["H002"][0])
                                    & (meetings["held_on"] > dt.date(2021, 7, 1))]
                           .iloc[0]["meeting_id"]],
            "member_id": [stranger, moved["member_id"], moved["member_id"]],
            "status": ["present", "present", "present"],
        }
    )  # fmt: skip
    attendance = pd.concat([attendance, extra], ignore_index=True)
    # 4. a meeting code of H001 used again for a meeting of H002; an inspection code too
    twin = meetings[meetings["cell_id"].isin(cell_of["H001"])].iloc[7].copy()
    twin["cell_id"] = cell_of["H002"][2]
    meetings = pd.concat([meetings, twin.to_frame().T], ignore_index=True)
    shared = inspections.iloc[0].copy()
    shared["meeting_id"] = meetings[meetings["cell_id"].isin(cell_of["H003"])].iloc[2]["meeting_id"]
    inspections = pd.concat([inspections, shared.to_frame().T], ignore_index=True)
    # 5. dues of a member and a review of a subject that exist nowhere
    dues = pd.concat(
        [read["dues"], pd.DataFrame({"member_id": ["DV999"], "month": ["2022-01"],
                                     "amount": [10000], "paid_on": [dt.date(2022, 1, 5)]})],
        ignore_index=True,
    )  # fmt: skip
    reviews = pd.concat(
        [read["reviews"], pd.DataFrame({"subject_id": ["KHONG-AI"], "year": [2022],
                                        "level": ["good"]})],
        ignore_index=True,
    )  # fmt: skip
    # 6. a cell whose parent does not exist, with a member
    lost = cells.iloc[[0]].assign(org_id="H009-B01-C001", parent_id="H009-B01")
    orgs = pd.concat([orgs, lost], ignore_index=True)
    orphan = current.iloc[[10]].assign(member_id="DV009000001", cell_id="H009-B01-C001")
    members = pd.concat([members, orphan], ignore_index=True)
    # 7. codes as offices type them: a cell code in lower case (read as the code it stands
    # for, with a warning), a meeting code with a zero-width space (read without it)
    lowered = members.index[members["cell_id"].isin(cell_of["H002"])][5]
    members.loc[lowered, "cell_id"] = members.loc[lowered, "cell_id"].lower()
    spaced = attendance.index[attendance["meeting_id"].str.startswith("H003")][7]
    attendance.loc[spaced, "meeting_id"] = attendance.loc[spaced, "meeting_id"] + "\u200b"
    frames = {
        "organisations": orgs, "members": members, "meetings": meetings,
        "attendance": attendance, "inspections": inspections, "dues": dues, "reviews": reviews,
    }  # fmt: skip
    for name, frame in frames.items():
        typed = frame.infer_objects()
        for column in ("duration_min", "amount", "year"):
            if column in typed:
                typed[column] = typed[column].astype("int64")
        if "superior_attended" in typed:
            typed["superior_attended"] = typed["superior_attended"].astype(bool)
        typed.to_parquet(data / f"{name}.parquet", index=False)
    return {"moved": moved["member_id"], "overlap": both["member_id"], "stranger": stranger,
            "meeting": twin["meeting_id"], "inspection": shared["inspection_id"],
            "lower": members.loc[lowered, "cell_id"]}  # fmt: skip


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    root = tmp_path_factory.mktemp("staging")
    data = synthesize(
        root / "data", scale=0.12, committees=3, fmt="parquet", start=2021, end=2022,
        progress=False,
    ).path  # fmt: skip
    planted = _plant(data)
    whole, parts = root / "whole", root / "parts"
    assert main(["prepare", str(data), "--store", str(whole), "--whole", "--quiet"]) == 0
    assert main(["prepare", str(data), "--store", str(parts), "--quiet"]) == 0
    return data, Store(whole), Store(parts), planted


def test_parquet_folders_go_by_committee_and_other_data_whole(stores, tmp_path):
    data = stores[0]
    layout, unread = staging.parquet_layout(data)
    assert set(layout) == {
        "organisations", "members", "meetings", "attendance", "inspections", "dues",
        "disciplines", "reviews",
    }  # fmt: skip
    assert [p.name for p in unread] == ["ground_truth.parquet"]  # holds no table: listed
    assert layout["attendance"].offsets() == [0]
    csv = tmp_path / "csv"
    csv.mkdir()
    pd.read_parquet(data / "organisations.parquet").to_csv(csv / "organisations.csv")
    assert staging.parquet_layout(csv) is None


def test_the_planted_problems_are_found(stores):
    _, _, parts, planted = stores
    issues = parts.problems().report.issues

    def codes(value):  # noqa: E306
        return set(issues.loc[issues["value"].astype(str).eq(str(value)), "code"])

    assert "overlapping_membership" in set(issues["code"])
    assert "duplicate_key" in codes(planted["meeting"])
    assert "duplicate_key" in codes(planted["inspection"])
    assert "unknown_reference" in codes("KHONG-CO-BUOI")
    assert "unknown_reference" in codes("DV999")
    assert "unknown_reference" in codes("KHONG-AI")
    assert "unknown_reference" in codes("H009-B01")
    stranger = issues[issues["code"].eq("outside_membership")]
    assert len(stranger) >= 1
    assert "case_mismatch" in codes(planted["lower"])
    assert "lenient_value" in set(issues.loc[issues["table"].eq("attendance"), "code"])


def test_same_rows_in_every_table(stores):
    _, whole, parts, _ = stores
    pd.testing.assert_frame_equal(whole.organisations, parts.organisations)
    for key in ("tables", "absent", "sources", "inputs"):
        assert whole.manifest[key] == parts.manifest[key], key
    for name in whole.tables:
        if name == "organisations":
            continue
        sql = "SELECT * FROM {} ORDER BY _idx"
        one = duckdb.sql(sql.format(whole.files(name))).df()
        two = duckdb.sql(sql.format(parts.files(name))).df()
        pd.testing.assert_frame_equal(one, two, obj=name)
        files = sorted(p.parent.name for p in (parts.path / name).glob("*/*.parquet"))
        assert files == sorted(p.parent.name for p in (whole.path / name).glob("*/*.parquet"))


def test_same_problems_in_the_same_order(stores):
    _, whole, parts, _ = stores
    one, two = whole.problems(), parts.problems()
    pd.testing.assert_frame_equal(one.report.issues, two.report.issues)
    key = ["table", "file", "row", "column", "code", "index"]
    pd.testing.assert_frame_equal(
        one.load_issues.sort_values(key).reset_index(drop=True),
        two.load_issues.sort_values(key).reset_index(drop=True),
    )
    assert set(one.set_aside) == set(two.set_aside)
    for name, frame in one.set_aside.items():
        pd.testing.assert_frame_equal(frame, two.set_aside[name], obj=name)


@pytest.mark.parametrize("period", ["2021", "2022Q1", "2021-2022"])
def test_same_scorecard(stores, period):
    _, whole, parts, _ = stores
    pd.testing.assert_frame_equal(store_scorecard(whole, period), store_scorecard(parts, period))


def test_same_slice_of_every_base(stores):
    _, whole, parts, planted = stores
    orgs = whole.organisations
    for org in orgs.loc[orgs["level"].eq("base"), "org_id"]:
        one, two = slice_dataset(whole, org), slice_dataset(parts, org)
        assert set(one.tables) == set(two.tables)
        for name, frame in one.tables.items():
            pd.testing.assert_frame_equal(frame, two.tables[name], obj=f"{org} {name}")
    # the member who moved is in the slices of both committees' bases
    moved = [
        org
        for org in orgs.loc[orgs["level"].eq("base"), "org_id"]
        if planted["moved"] in set(slice_dataset(parts, org).members["member_id"])
    ]
    assert {o[:4] for o in moved} == {"H001", "H002"}


def test_store_manifest_says_nothing_of_staging(stores):
    _, _, parts, _ = stores
    assert not list(parts.path.parent.glob(".parts.writing-*"))  # the work folder is gone
    manifest = json.loads((parts.path / "store.json").read_text(encoding="utf-8"))
    assert all(not s["path"].startswith("stage") for s in manifest["sources"])


def test_one_job_gives_the_same_store(stores, tmp_path):
    data, _, parts, _ = stores
    one = tmp_path / "one"
    assert main(["prepare", str(data), "--store", str(one), "--jobs", "1", "--quiet"]) == 0
    pd.testing.assert_frame_equal(
        Store(one).problems().report.issues, parts.problems().report.issues
    )
    for name in ("members", "attendance", "dues"):
        sql = "SELECT * FROM {} ORDER BY _idx"
        pd.testing.assert_frame_equal(
            duckdb.sql(sql.format(Store(one).files(name))).df(),
            duckdb.sql(sql.format(parts.files(name))).df(),
        )


def test_a_store_whose_data_changed_is_refused_until_prepared_again(tmp_path):
    import os

    from chibo_analysis.errors import DataReadError

    data = synthesize(tmp_path / "data", scale=0.02, start=2022, end=2022, progress=False).path
    store = tmp_path / "store"
    assert main(["prepare", str(data), "--store", str(store), "--quiet"]) == 0
    members = data / "members.csv"
    os.utime(members, ns=(1, 1))  # touched, not changed: read again, found equal
    Store(store)
    members.write_bytes(members.read_bytes() + b"\n")  # a blank line: other content
    with pytest.raises(DataReadError, match="members.csv") as err:
        Store(store)
    assert "chibo prepare" in str(err.value)
    assert main(["scorecard", str(store), "--period", "2022"]) == 2
    assert main(["prepare", str(data), "--store", str(store), "--quiet"]) == 0
    Store(store)
    (data / "dues.csv").unlink()  # a file gone
    with pytest.raises(DataReadError, match="dues.csv"):
        Store(store)
    moved = tmp_path / "elsewhere"
    data.rename(moved)  # the data folder is not here (a store copied to another machine)
    Store(store)


def test_the_member_index_names_each_committee_a_member_has_rows_in(stores):
    _, whole, parts, planted = stores
    with duckdb.connect() as con:
        assert parts.committees_of(con, [planted["moved"]]) == ["H001", "H002"]
        assert parts.committees_of(con, [planted["overlap"]]) == ["H002", "H003"]
        assert parts.committees_of(con, []) == []
    sql = "SELECT * FROM read_parquet('{}') ORDER BY ALL"
    pd.testing.assert_frame_equal(
        duckdb.sql(sql.format(whole.path / "member_committees.parquet")).df(),
        duckdb.sql(sql.format(parts.path / "member_committees.parquet")).df(),
    )


def test_checking_alone_lists_the_same_problems_and_writes_nothing(stores, tmp_path):
    from chibo_analysis.checks.validation import validate
    from chibo_analysis.intake.load import load_dataset

    data = stores[0]
    layout, unread = staging.parquet_layout(data)
    before = sorted(p.name for p in data.parent.iterdir())
    store, report, rows = staging.prepare_by_committee(data, None, layout, unread, [])
    assert store is None and sorted(p.name for p in data.parent.iterdir()) == before
    expected = validate(load_dataset(data))
    pd.testing.assert_frame_equal(report.issues, expected.issues)
    kept = duckdb.sql(f"SELECT count(*) FROM {stores[1].files('attendance')}").fetchall()[0][0]
    assert rows["attendance"] == kept
    out = tmp_path / "problems.csv"
    assert main(["validate", str(data), "--out", str(out)]) == 1  # problems found
    assert len(pd.read_csv(out)) == len(expected.issues)


def test_the_data_notice_of_a_store_points_validate_at_its_data_folder(stores, capsys):
    data, _, parts, _ = stores
    base = "H001-B01"
    assert main(["lists", str(parts.path), "--period", "2022", "--list", "r6_meetings",
                 "--org", base]) == 0  # fmt: skip
    err = capsys.readouterr().err
    assert f"chibo validate {data}" in err and str(parts.path) not in err


def test_a_folder_with_no_file_left_unread_is_prepared_and_checked(stores, tmp_path):
    import shutil

    data = tmp_path / "clean"
    shutil.copytree(stores[0], data)
    (data / "ground_truth.parquet").unlink()  # nothing in the folder is left unread
    assert main(["prepare", str(data), "--store", str(tmp_path / "s"), "--quiet"]) == 0
    assert main(["validate", str(data)]) == 1  # the planted problems, listed
    assert (tmp_path / "s").stat().st_mode & 0o777 == 0o700  # personal data: the owner's


def test_a_store_is_refused_before_any_work_when_it_cannot_be_one(stores, tmp_path, capsys):
    import shutil

    data = tmp_path / "data"
    shutil.copytree(stores[0], data)
    inside = data / "store"
    assert main(["prepare", str(data), "--store", str(inside), "--quiet"]) == 2
    assert "store" in capsys.readouterr().err and not inside.exists()
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me", encoding="utf-8")
    assert main(["prepare", str(data), "--store", str(mine), "--quiet"]) == 2
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no work done
    assert (mine / "notes.txt").read_text(encoding="utf-8") == "keep me"
    blocked = tmp_path / "file"
    blocked.write_text("x", encoding="utf-8")
    assert main(["prepare", str(data), "--store", str(blocked / "store"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and str(blocked / "store") in err


def test_a_parquet_folder_prepared_whole_says_so(stores, tmp_path, capsys):
    import shutil

    data = tmp_path / "data"
    shutil.copytree(stores[0], data)
    (data / "ghi chu.csv").write_text("ghi chú\nmột dòng\n", encoding="utf-8")  # not a table
    assert main(["prepare", str(data), "--store", str(tmp_path / "s"), "--quiet"]) == 0
    assert str(data) in capsys.readouterr().err  # the notice: read whole, and why


def test_a_note_or_a_lock_file_beside_the_data_does_not_make_a_store_stale(tmp_path):
    data = synthesize(tmp_path / "data", scale=0.02, start=2022, end=2022, progress=False).path
    store = tmp_path / "store"
    assert main(["prepare", str(data), "--store", str(store), "--quiet"]) == 0
    (data / "cong van.pdf").write_bytes(b"%PDF-1.4")
    (data / "~$members.xlsx").write_bytes(b"lock")
    (data / "README.md").write_text("ghi chú thêm", encoding="utf-8")
    Store(store)  # still the data it was prepared from
