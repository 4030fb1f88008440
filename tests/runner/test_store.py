"""The prepared store (issue 12): written once, read by DuckDB for the scorecard, sliced for audits.

Everything read from a store equals what the same files give without it: the
scorecard of every organisation, each table's rows of an organisation's slice
(values, dtypes, order and row labels), and an audit's key figures.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from fixtures_indicators import small_city

from chibo_analysis.checks.validation import validated
from chibo_analysis.commands.cli import main
from chibo_analysis.errors import DataReadError, ParameterError
from chibo_analysis.indicators import roll
from chibo_analysis.indicators.lists import LISTS, run_list
from chibo_analysis.indicators.scorecard import scorecard
from chibo_analysis.intake.load import load_dataset
from chibo_analysis.runner import store as store_module
from chibo_analysis.runner.cache import hash_inputs
from chibo_analysis.runner.store import (
    Store,
    is_store,
    load_data,
    slice_dataset,
    store_scorecard,
    write_store,
)
from chibo_analysis.synth import synthesize


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    """A small synthetic city (its planted problems included), loaded and as a store."""
    root = tmp_path_factory.mktemp("store")
    data = synthesize(root / "city", scale=0.15, progress=False).path
    ds = validated(load_dataset(data))
    return data, ds, write_store(ds, root / "store", hash_inputs(data))


def test_store_layout_is_a_folder_per_committee_sorted_by_base(city):
    import duckdb

    data, ds, store = city
    assert is_store(store) and not is_store(data)
    bases = roll.base_of(ds.organisations)
    for name in ("members", "meetings", "attendance", "dues", "inspections"):
        files = sorted((store / name).glob("*/*.parquet"))
        assert [f.parent.name for f in files] == ["committee=H001"], name
        rows = duckdb.sql(f"SELECT base FROM read_parquet('{files[0]}')").fetchall()
        written = [r[0] for r in rows]
        assert written == sorted(written) and set(written) <= set(bases) | {"_"}, name


@pytest.mark.parametrize("period", ["2022", "2021Q4", "2020-2025"])
def test_store_scorecard_equals_the_scorecard_of_the_files(city, period):
    _, ds, store = city
    pd.testing.assert_frame_equal(store_scorecard(store, period), scorecard(ds, period))


def test_store_scorecard_of_one_organisation(city):
    _, ds, store = city
    base = roll.base_of(ds.organisations).iloc[-1]
    got = store_scorecard(store, "2022", base)
    pd.testing.assert_frame_equal(got, scorecard(ds, "2022", base))
    assert got["org_id"].iloc[0] == base and len(got) > 1
    with pytest.raises(ParameterError):
        store_scorecard(store, "2022", "NO-SUCH-ORG")


def test_store_of_the_small_city_keeps_the_empty_counts(tmp_path):
    """Without dues and inspections, their columns are empty (never 0), as in memory."""
    ds = small_city(without=("dues", "inspections"))
    store = write_store(ds, tmp_path / "s", [])
    got = store_scorecard(store, "2022")
    pd.testing.assert_frame_equal(got, scorecard(ds, "2022"))
    assert got["flagged_dues"].isna().all() and got["rating_agreement"].isna().all()


def test_slice_rows_equal_the_rows_of_the_files(city):
    _, ds, store = city
    base = roll.base_of(ds.organisations).iloc[0]
    part = slice_dataset(store, base)
    for name, frame in part.tables.items():
        full = ds.tables[name]
        assert frame.index.is_monotonic_increasing, name
        pd.testing.assert_frame_equal(frame, full.loc[frame.index], obj=name)
    cells = set(roll.subtree(ds.organisations, base)) - {base}
    meetings = ds.meetings[ds.meetings["cell_id"].isin(cells)]
    assert set(meetings["meeting_id"]) <= set(part.meetings["meeting_id"])
    assert len(part.attendance) < len(ds.attendance)
    pd.testing.assert_frame_equal(scorecard(part, "2022", base), scorecard(ds, "2022", base))
    assert part.report is not None and len(part.report.issues) == len(ds.report.issues)


def test_slice_brings_the_members_rows_elsewhere(city):
    """A member who moved between bases: their other rows come too (R6 counts across cells)."""
    _, ds, store = city
    bases = roll.base_of(ds.organisations)
    m = ds.members.assign(base=ds.members["cell_id"].map(bases))
    moved = m.groupby("member_id")["base"].nunique()
    member = moved[moved > 1].index[0]
    rows = m[m["member_id"] == member]
    part = slice_dataset(store, rows["base"].iloc[0])
    assert set(part.members.loc[part.members["member_id"] == member, "cell_id"]) == set(
        rows["cell_id"]
    )
    theirs = ds.attendance[ds.attendance["member_id"] == member]
    assert set(theirs.index) <= set(part.attendance.index)


def test_load_data_reads_a_store_or_files(city):
    data, ds, store = city
    whole = load_data(store)  # one committee: all of it
    for name in ds.tables:
        pd.testing.assert_frame_equal(whole.tables[name], ds.tables[name], obj=name)
    assert load_data(data).tables.keys() == ds.tables.keys()


def test_a_store_is_not_read_as_data_and_is_replaced_only_by_a_store(city, tmp_path):
    _, ds, store = city
    with pytest.raises(DataReadError) as err:
        load_dataset(store)
    assert err.value.key == "store_given"
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    with pytest.raises(ParameterError):
        write_store(ds, tmp_path / "mine", [])
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"
    again = write_store(small_city(), tmp_path / "again", [])
    write_store(small_city(without=("dues",)), again, [])  # an earlier store is replaced
    assert not Store(again).has("dues")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_store_of_another_version_is_refused(tmp_path, monkeypatch):
    store = write_store(small_city(), tmp_path / "s", [])
    manifest = json.loads((store / store_module.MANIFEST).read_text())
    manifest["version"] = "0.0.1"
    (store / store_module.MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(DataReadError) as err:
        Store(store)
    assert "chibo prepare" in str(err.value)


def test_prepare_and_scorecard_commands(city, tmp_path, capsys):
    data, _, _ = city
    store = tmp_path / "store"
    assert main(["prepare", str(data), "--store", str(store)]) == 0
    assert str(store) in capsys.readouterr().out
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    assert main(["scorecard", str(data), "--period", "2022", "--out", str(a)]) == 0
    assert main(["scorecard", str(store), "--period", "2022", "--out", str(b)]) == 0
    assert a.read_bytes() == b.read_bytes()
    err = capsys.readouterr().err
    assert f"chibo validate {data}" in err  # the problems are listed from the files
    assert main(["validate", str(store)]) == 2


def test_audit_of_a_store_has_the_figures_of_the_files(city, tmp_path, monkeypatch):
    """The audit notebook of one base, from the files and from the store: same key figures."""
    data, ds, store = city
    monkeypatch.delenv("CHIBO_CACHE_DIR", raising=False)
    base = roll.base_of(ds.organisations).iloc[0]
    figures = {}
    for name, source in (("files", data), ("store", store)):
        out = tmp_path / name
        args = ["audit", str(source), "--org", base, "--period", "2022", "--out", str(out)]
        assert main(args) == 0
        found = sorted(out.rglob("*.figures.json"))
        assert len(found) == 1
        figures[name] = json.loads(found[0].read_text("utf-8"))
    assert figures["store"] == figures["files"]
    assert figures["files"]  # the audit recorded figures


def test_batch_of_a_store_on_a_cluster_equals_a_local_batch_of_the_files(city, tmp_path):
    """Each task reads its base's slice of the store; the counts equal those from the files."""
    distributed = pytest.importorskip("distributed")
    from chibo_analysis.runner.batch import run_batch

    data, ds, store = city
    notebooks = Path(__file__).parents[1] / "notebooks"
    common = dict(period=2022, notebook="slice_audit", notebooks_dir=notebooks, progress=False)
    local = run_batch(data, jobs=1, out=tmp_path / "files", **common)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as cluster:
        remote = run_batch(
            store, scheduler=cluster.scheduler_address, out=tmp_path / "store", **common
        )
    assert local.ok and remote.ok and len(local.results) == len(remote.results) > 1

    def figures(out: Path) -> dict[str, dict]:
        found = {}
        for path in out.rglob("slice_audit.figures.json"):
            record = json.loads(path.read_text("utf-8"))
            found[record["org"]] = record
        return found

    mine, theirs = figures(tmp_path / "files"), figures(tmp_path / "store")
    assert sorted(mine) == sorted(theirs) == sorted(r["org_id"] for r in local.results)
    for org in mine:
        rows_files = mine[org].pop("attendance_rows")
        rows_slice = theirs[org].pop("attendance_rows")
        assert theirs[org] == mine[org], org
        assert rows_slice < rows_files == len(ds.attendance)  # the task read its slice only
        assert mine[org]["meetings"] > 0


def test_lists_of_a_store_equal_the_lists_of_the_files(city, tmp_path):
    data, ds, store = city
    base = roll.base_of(ds.organisations).iloc[0]
    rows = 0
    for name in LISTS:  # every list, as an audit of the base shows them
        outs = []
        for source in (data, store):
            out = tmp_path / f"{name}-{len(outs)}.csv"
            args = ["lists", str(source), "--period", "2022", "--list", name, "--org", base]
            assert main([*args, "--out", str(out)]) in (0, 1), name
            outs.append(out.read_bytes())
        assert outs[0] == outs[1], name
        rows += len(outs[0].splitlines()) - 1
    assert rows > 10  # the lists are not empty


def test_a_base_s_slice_holds_its_members_reviews_filed_elsewhere(city):
    """Reviews go with the member's latest membership; a base's slice still has the reviews
    of every member of its cells (R9's cap counts them where they were that year)."""
    _, ds, store = city
    for base in sorted(set(roll.base_of(ds.organisations))):
        part = slice_dataset(store, base)
        cells = set(roll.subtree(ds.organisations, base))
        ids = set(ds.members.loc[ds.members["cell_id"].isin(cells), "member_id"])
        wanted = ds.reviews[ds.reviews["subject_id"].isin(ids | cells)]
        assert set(wanted.index) <= set(part.reviews.index), base
        pd.testing.assert_frame_equal(
            run_list("r9_cap", part, "2022", base), run_list("r9_cap", ds, "2022", base)
        )


def test_inflated_ratings_pool_the_cells_of_the_organisation_audited(city):
    """The shrinkage's population is the audited organisation's cells: inspections elsewhere
    change nothing (so an audit from a store's slice and from the files agree)."""
    from dataclasses import replace

    _, ds, _ = city
    base = roll.base_of(ds.organisations).iloc[0]
    cells = set(roll.subtree(ds.organisations, base))
    mine = set(ds.meetings.loc[ds.meetings["cell_id"].isin(cells), "meeting_id"])
    alone = dict(ds.tables)
    alone["inspections"] = ds.inspections[ds.inspections["meeting_id"].isin(mine)]
    got = run_list("inflated_ratings", replace(ds, tables=alone), "2020-2025", base)
    pd.testing.assert_frame_equal(got, run_list("inflated_ratings", ds, "2020-2025", base))


def test_a_store_in_a_folder_with_a_quote_in_its_name(tmp_path):
    store = write_store(small_city(), tmp_path / "kho của đội 'A'", [])
    pd.testing.assert_frame_equal(store_scorecard(store, "2022"), scorecard(small_city(), "2022"))
    assert len(slice_dataset(store, "B1").attendance) > 0


def test_a_slice_holds_the_organisations_its_rows_refer_to_and_their_ancestors(city):
    _, ds, store = city
    bases = roll.base_of(ds.organisations)
    m = ds.members.assign(base=ds.members["cell_id"].map(bases))
    moved = m.groupby("member_id")["base"].nunique()
    base = m[m["member_id"] == moved[moved > 1].index[0]]["base"].iloc[0]
    part = slice_dataset(store, base)
    have = set(part.organisations["org_id"])
    parent = ds.organisations.set_index("org_id")["parent_id"]
    needed = set(roll.subtree(ds.organisations, base)) | set(part.members["cell_id"])
    for org in list(needed):
        while isinstance(parent.get(org), str) and parent.get(org):
            org = parent[org]
            needed.add(org)
    assert needed <= have  # the member's other cell, its base and the committee included
    assert set(part.members["cell_id"]) - set(roll.subtree(ds.organisations, base))
    assert len(have) < len(ds.organisations)  # not every base of the city
    pd.testing.assert_frame_equal(
        part.organisations, ds.organisations.loc[part.organisations.index]
    )
