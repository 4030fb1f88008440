"""A prepared store: the cleaned dataset as Parquet partitioned by committee and base.

``chibo prepare DATA --store STORE`` reads and validates the files once (intake and
checks as for any audit, every problem listed) and writes:

- ``organisations.parquet``: the organisations, with ``committee`` and ``base``;
- ``<table>/committee=<C>/*.parquet`` for every other table, rows sorted by base
  organisation (column ``base``) in row groups of :data:`ROW_GROUP_ROWS`: a
  folder per committee, and a base's rows in a few row groups that DuckDB finds
  by their statistics without reading the others. (A folder per base as well was
  measured: 1,558 files for a province, 364,000 for the nation, and DuckDB's cost
  per file made the province's scorecard 1.3x and an audit's slice 2-4x slower.)
  A member row goes with its cell's base, a meeting with its cell's, a register row and an
  inspection with their meeting's, dues with the member's latest membership row,
  reviews and disciplines with their subject (a member's latest membership or an
  organisation). Rows keep ``_file``, ``_sheet`` and ``_row``, and ``_idx``, their
  label in the cleaned table (its order);
- ``problems/``: what intake and validation found and the rows set aside, as the
  cache keeps them (:mod:`.cache`);
- ``store.json``: format, version, the inputs' SHA-256, the dataset's sources, the
  optional columns no file had, and each table's columns and dtypes.

The store is written to a temporary folder beside it and renamed when complete.
It holds personal data: keep it private, like the data folder.

Reading:

- :func:`store_scorecard` runs the scorecard's queries (:mod:`..indicators.engine`)
  by DuckDB over the Parquet files as they stream: pandas holds only the
  organisations and the result;
- :func:`slice_dataset` gives an audit the rows of one organisation's base
  organisations, plus the rows its members have elsewhere (their other
  memberships, register rows and dues, which the cross-cell flags need), as a
  cleaned :class:`~chibo_analysis.dataset.Dataset`.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pandas as pd

from chibo_analysis.dataset import Dataset, SourceFile
from chibo_analysis.errors import DataReadError, ParameterError
from chibo_analysis.intake.load import STORE_MANIFEST
from chibo_analysis.labels import catalogued
from chibo_analysis.outputs import org_folder_name

from . import cache

STORE_FORMAT = 2
MANIFEST = STORE_MANIFEST
#: Tables partitioned by committee and base, in the order they are written.
PARTITIONED = (
    "members", "meetings", "attendance", "inspections", "dues", "disciplines", "reviews",
)  # fmt: skip
#: The partition of rows that belong to no base (a committee's own records).
NO_BASE = "_"
#: The index of where each member has rows: (member_id, committee), sorted by member.
MEMBER_INDEX = "member_committees.parquet"
#: Rows per Parquet row group. Within a committee's file rows are sorted by base, so
#: a slice reads only the row groups whose ``base`` range holds its bases.
ROW_GROUP_ROWS = 16_384


def _quoted(path: str | Path) -> str:
    """A path as an SQL string literal (a quote in a folder name is doubled, never read as SQL)."""
    text = Path(path).as_posix() if isinstance(path, Path) else str(path)
    return "'" + text.replace("'", "''") + "'"


def is_store(path: str | Path) -> bool:
    """Whether ``path`` is a folder written by :func:`write_store`."""
    return (Path(path) / MANIFEST).is_file()


# --- writing ------------------------------------------------------------------------


def _places(orgs: pd.DataFrame) -> pd.DataFrame:
    """``committee`` and ``base`` of every organisation (index ``org_id``)."""
    from chibo_analysis.indicators import roll

    pairs = roll.ancestry(orgs)
    level = orgs.drop_duplicates("org_id").set_index("org_id")["level"].astype(object)
    top = pairs[pairs["ancestor_id"].map(level).eq("committee")]
    # the highest committee above each organisation: the last one walked to
    committee = top.drop_duplicates("org_id", keep="last").set_index("org_id")["ancestor_id"]
    roots = pairs.drop_duplicates("org_id", keep="last").set_index("org_id")["ancestor_id"]
    out = pd.DataFrame(index=pd.Index(orgs["org_id"].unique(), name="org_id"))
    out["committee"] = committee.reindex(out.index).fillna(roots.reindex(out.index))
    out["base"] = roll.base_of(orgs).reindex(out.index).fillna(NO_BASE)
    return out.astype(object)


def _member_places(members: pd.DataFrame, places: pd.DataFrame) -> pd.DataFrame:
    """Each member's place: that of their latest membership row (by ``joined_on``)."""
    latest = members.sort_values("joined_on", na_position="first", kind="stable")
    latest = latest.drop_duplicates("member_id", keep="last").set_index("member_id")["cell_id"]
    return places.reindex(latest.to_numpy()).set_axis(latest.index)


def _row_places(name: str, frame: pd.DataFrame, ds: Dataset, places, member_places):
    """``committee`` and ``base`` of each row of table ``name`` (aligned on ``frame``)."""
    if name == "members" or name == "meetings":
        key, by = frame["cell_id"], places
    elif name in ("attendance", "inspections"):
        cell = ds.meetings.set_index("meeting_id")["cell_id"]
        key, by = frame["meeting_id"].map(cell), places
    elif name == "dues":
        key, by = frame["member_id"], member_places
    else:  # reviews, disciplines: a member or an organisation
        subject = frame["subject_id"]
        of_member = member_places.reindex(subject.to_numpy())
        of_org = places.reindex(subject.to_numpy())
        got = of_member.where(of_member["committee"].notna(), of_org)
        return got.set_axis(frame.index)
    return by.reindex(key.to_numpy()).set_axis(frame.index)


def _dtypes(frame: pd.DataFrame) -> dict[str, object]:
    out: dict[str, object] = {}
    for column, dtype in frame.dtypes.items():
        if isinstance(dtype, pd.CategoricalDtype):
            out[str(column)] = {"category": [str(c) for c in dtype.categories]}
        else:
            out[str(column)] = str(dtype)
    return out


def write_store(dataset: Dataset, store: str | Path, inputs: list[dict[str, object]]) -> Path:
    """Write the cleaned ``dataset`` as the store ``store`` (replaced if it exists)."""
    import duckdb

    store = Path(store)
    if not dataset.is_clean:
        raise ParameterError("write_store needs a cleaned dataset (checks.validation.validated)")
    store.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=store.parent, prefix=f".{store.name}.writing-"))
    try:
        orgs = dataset.organisations
        places = _places(orgs)
        member_places = (
            _member_places(dataset.members, places)
            if dataset.has("members")
            else pd.DataFrame(columns=["committee", "base"])
        )
        orgs.join(places, on="org_id").assign(
            _idx=np.asarray(orgs.index, dtype=np.int64)
        ).to_parquet(work / "organisations.parquet", index=False)
        tables = {"organisations": _dtypes(orgs)}
        con = duckdb.connect()
        for name in PARTITIONED:
            frame = dataset.tables.get(name)
            if frame is None:
                continue
            tables[name] = _dtypes(frame)
            where = _row_places(name, frame, dataset, places, member_places)
            rows = frame.assign(
                _idx=np.asarray(frame.index, dtype=np.int64),
                committee=where["committee"].fillna(NO_BASE).to_numpy(dtype=object),
                base=where["base"].fillna(NO_BASE).to_numpy(dtype=object),
            )
            con.register("rows", rows)
            for committee, part in rows.groupby("committee", sort=True)["_idx"]:
                folder = work / name / f"committee={org_folder_name(str(committee))}"
                folder.mkdir(parents=True)
                con.register("part", part.to_frame())
                con.execute(  # one file, in this order (a partitioned COPY may reorder rows)
                    "COPY (SELECT rows.* FROM rows SEMI JOIN part USING (_idx) "
                    f"ORDER BY base, _idx) TO {_quoted(folder / 'data.parquet')} "
                    f"(FORMAT parquet, ROW_GROUP_SIZE {ROW_GROUP_ROWS})"
                )
                con.unregister("part")
            con.unregister("rows")
        index_members(con, work)
        con.close()
        small = Dataset(
            tables={"organisations": orgs.iloc[:0]},
            root=dataset.root,
            load_issues=dataset.load_issues,
            report=dataset.report,
            set_aside=dataset.set_aside,
        )
        cache.save(small, work / "problems", inputs)
        write_manifest(work, dataset.root, inputs, dataset.sources, dataset.absent, tables)
        put_in_place(work, store)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return store


def index_members(con, work: Path) -> None:
    """Write :data:`MEMBER_INDEX`: every committee in which a member has a membership,
    register or dues row. A slice reads a member's rows elsewhere only in those
    committees' files, not in every committee's (the nation's register is 450M rows)."""
    parts = [
        f"SELECT member_id, committee FROM read_parquet({_quoted(pattern)}, "
        "hive_partitioning = false)"
        for name in ("members", "attendance", "dues")
        for pattern in [(work / name / "*" / "*.parquet").as_posix()]
        if any((work / name).glob("*/*.parquet"))
    ]
    target = _quoted(work / MEMBER_INDEX)
    if not parts:
        con.execute(
            f"COPY (SELECT NULL::VARCHAR AS member_id, NULL::VARCHAR AS committee LIMIT 0) "
            f"TO {target} (FORMAT parquet)"
        )
        return
    union = " UNION ALL ".join(parts)
    con.execute(
        f"COPY (SELECT DISTINCT member_id, committee FROM ({union}) "
        f"WHERE member_id IS NOT NULL ORDER BY member_id, committee) TO {target} "
        f"(FORMAT parquet, ROW_GROUP_SIZE {ROW_GROUP_ROWS})"
    )


def write_manifest(work: Path, root, inputs, sources, absent, tables) -> None:
    """The store's ``store.json``: format, version, the inputs (their SHA-256, and their
    size and modification time, by which :func:`changed_inputs` sees a file changed
    since), the dataset's sources, the optional columns no file had, the tables' dtypes."""
    from chibo_analysis import __version__

    manifest = {
        "format": STORE_FORMAT,
        "version": __version__,
        "inputs": inputs,
        "root": str(root),
        "root_path": str(Path(root).resolve()),
        "stat": _stats(Path(root)),
        "sources": [asdict(s) for s in sources],
        "absent": {k: list(v) for k, v in absent.items() if k in tables},
        "tables": tables,
    }
    (work / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")


def _input_files(root: Path) -> dict[str, Path]:
    """The files of the dataset at ``root`` that can hold data (tables, a codebook), as
    :func:`.cache.hash_inputs` lists them: a note or a PDF beside the data, an Excel lock
    file (``~$…``) or a hidden folder does not make a store out of date."""
    from chibo_analysis.intake.readers import SUFFIXES

    if root.is_file():
        return {root.name: root}
    out = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root).as_posix()
        if any(part.startswith(".") for part in Path(rel).parts) or path.name.startswith("~$"):
            continue
        if path.suffix.lower() in SUFFIXES or path.suffix.lower() in (".yaml", ".yml"):
            out[rel] = path
    return out


def _stats(root: Path) -> dict[str, list[int]]:
    out = {}
    for rel, path in _input_files(root).items():
        st = path.stat()
        out[rel] = [st.st_size, st.st_mtime_ns]
    return out


def changed_inputs(manifest: dict) -> list[str]:
    """The files of the data folder a store was prepared from that changed since (added,
    removed, or with other content); empty when that folder is not here (a store copied
    to another machine). A file whose size and time are as recorded is not read; one
    touched but not changed is read and found equal."""
    root = Path(manifest.get("root_path") or "")
    if not manifest.get("root_path") or not root.exists():
        return []
    recorded = {str(i["path"]): i for i in manifest["inputs"]}
    recorded = {rel: i for rel, i in recorded.items() if rel in manifest.get("stat", {})}
    stats = manifest.get("stat", {})
    now = _input_files(root)
    changed = []
    for rel in sorted(set(recorded) | set(now)):
        if rel not in now or rel not in recorded:
            changed.append(rel)
            continue
        st = now[rel].stat()
        if [st.st_size, st.st_mtime_ns] == stats.get(rel):
            continue
        if (
            st.st_size != recorded[rel]["bytes"]
            or cache._sha256(now[rel]) != recorded[rel]["sha256"]
        ):
            changed.append(rel)
    return changed


def put_in_place(work: Path, store: Path) -> None:
    """Put the finished folder ``work`` at ``store`` (an earlier store replaced whole;
    anything else there is refused, never deleted)."""
    if store.exists():
        if not is_store(store):
            raise catalogued(ParameterError, "store_not_store", store=str(store))
        old = store.with_name(f".{store.name}.old-{os.getpid()}")
        os.replace(store, old)
        os.replace(work, store)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(work, store)


# --- reading ------------------------------------------------------------------------


class Store:
    """An opened store: its manifest, organisations and the engine's relations."""

    def __init__(self, path: str | Path):
        from chibo_analysis import __version__

        self.path = Path(path)
        try:
            self.manifest = json.loads((self.path / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise DataReadError(f"{self.path}: not a readable store ({err})") from err
        if (
            self.manifest.get("format") != STORE_FORMAT
            or self.manifest.get("version") != __version__
        ):
            raise catalogued(DataReadError, "store_version", store=str(self.path))
        changed = changed_inputs(self.manifest)
        if changed:
            raise catalogued(
                DataReadError, "store_stale", store=str(self.path.resolve()),
                data=self.manifest["root_path"], n=len(changed), files=", ".join(changed[:5]),
            )  # fmt: skip
        self.tables = self.manifest["tables"]
        self.absent = {k: tuple(v) for k, v in self.manifest["absent"].items()}
        orgs = pd.read_parquet(self.path / "organisations.parquet")
        self.places = orgs.set_index("org_id")[["committee", "base"]]
        orgs = orgs.set_axis(pd.Index(orgs["_idx"].to_numpy(dtype=np.int64)))
        self.organisations = _restore(orgs, self.tables["organisations"])

    def has(self, table: str) -> bool:
        return table in self.tables

    def has_column(self, table: str, column: str) -> bool:
        return self.has(table) and column not in self.absent.get(table, ())

    def files(self, table: str, committees: list[str] | None = None) -> str:
        """The DuckDB table function reading every file of ``table`` (of ``committees``
        only, if given: those of them that have rows of it)."""
        if committees is None:
            pattern = (self.path / table / "*" / "*.parquet").as_posix()
            return f"read_parquet({_quoted(pattern)}, hive_partitioning = false)"
        folders = [self.path / table / f"committee={org_folder_name(c)}" for c in committees]
        files = [f.as_posix() for d in folders for f in sorted(d.glob("*.parquet"))]
        if not files:  # no rows of it there: an empty relation of the table's columns
            pattern = (self.path / table / "*" / "*.parquet").as_posix()
            return f"(SELECT * FROM read_parquet({_quoted(pattern)}) LIMIT 0)"
        listed = ", ".join(_quoted(f) for f in files)
        return f"read_parquet([{listed}], hive_partitioning = false)"

    def committees_of(self, con, member_ids: list[str]) -> list[str]:
        """The committees in which any of ``member_ids`` has a row (:data:`MEMBER_INDEX`)."""
        if not member_ids:
            return []
        sql = (
            f"SELECT DISTINCT committee FROM read_parquet({_quoted(self.path / MEMBER_INDEX)}) "
            "WHERE member_id IN (SELECT unnest($ids))"
        )
        return sorted(r[0] for r in con.execute(sql, {"ids": member_ids}).fetchall())

    def relations(self) -> dict[str, str]:
        """The engine's relations over the files (``_idx`` as each row's order)."""
        from chibo_analysis.indicators import engine

        out = {}
        for name, columns in engine.NEEDED.items():
            if not self.has(name):
                continue
            if name == "organisations":
                source = f"read_parquet({_quoted(self.path / 'organisations.parquet')})"
                cols = ", ".join(columns)
            else:
                source = self.files(name)
                cols = ", ".join("_idx AS _pos" if c == "_pos" else c for c in columns)
            out[name] = f"SELECT {cols} FROM {source}"
        return out

    def problems(self) -> Dataset:
        """The load issues, validation report and rows set aside, as prepared."""
        return cache.read(self.path / "problems", self.manifest["inputs"])


def _restore(frame: pd.DataFrame, dtypes: dict[str, object]) -> pd.DataFrame:
    """``frame`` with the columns and dtypes the cleaned table had."""
    out = {}
    for column, dtype in dtypes.items():
        values = frame[column] if column in frame else pd.Series(None, index=frame.index)
        if isinstance(dtype, dict):
            out[column] = pd.Categorical(values.astype(object), categories=dtype["category"])
        elif dtype == "object":
            values = values.astype(object)
            out[column] = values.where(values.notna(), None)
        else:
            out[column] = values.astype(dtype)
    return pd.DataFrame(out, index=frame.index)


def store_scorecard(store: str | Path | Store, period, org_id: str | None = None):
    """The §4 scorecard of a store, its counts computed by DuckDB over the files.

    Equal, column by column, to :func:`~chibo_analysis.indicators.scorecard.scorecard`
    of the dataset the store was prepared from.
    """
    from chibo_analysis.indicators import engine, roll
    from chibo_analysis.indicators.periods import parse_period
    from chibo_analysis.indicators.scorecard import (
        counts_table,
        rates_from_counts,
        unavailable_given,
    )

    st = store if isinstance(store, Store) else Store(store)
    period = parse_period(period)
    orgs = st.organisations
    roll.subtree(orgs, org_id)  # an unknown org_id is refused before any query
    relations = st.relations()
    with engine.connect(relations, memory_limit=engine.STORE_MEMORY) as con:
        counts = engine.cell_counts(con, period, set(relations))
    ids = pd.Index(roll.cells(orgs)["org_id"], name="cell_id")
    counts = counts.reindex(ids).fillna(0).astype("int64")
    missing = set(unavailable_given(st.has, st.has_column)["indicator"])
    return rates_from_counts(counts_table(orgs, counts, period, org_id, missing))


def slice_dataset(store: str | Path | Store, org_id: str) -> Dataset:
    """The cleaned dataset an audit of ``org_id`` needs, read from the store.

    The rows of the base organisations at or below ``org_id`` (all of a
    committee's), and, for the members of those cells, their rows in other
    partitions: memberships, register rows and dues (the cross-cell flags and
    home cells need them) and the meetings those register rows belong to.
    """
    import duckdb

    from chibo_analysis.indicators import roll

    st = store if isinstance(store, Store) else Store(store)
    orgs = st.organisations
    inside = roll.subtree(orgs, org_id)
    bases = sorted(set(st.places.loc[inside, "base"]))
    committees = sorted(set(st.places.loc[inside, "committee"]))
    here = "committee IN $committees AND base IN $bases"
    params = {"committees": committees, "bases": bases}
    con = duckdb.connect()
    tables: dict[str, pd.DataFrame] = {"organisations": orgs}

    def read(name: str, where: str, extra: dict | None = None, among=committees) -> pd.DataFrame:
        sql = f"SELECT * FROM {st.files(name, among)} WHERE {where} ORDER BY _idx"
        return con.execute(sql, params | (extra or {})).df()

    ids: list[str] = []
    reach = committees  # the committees where the organisation's members have rows
    if st.has("members"):
        members = read("members", here)
        ids = sorted(set(members["member_id"]))  # the members of the organisation's cells
        extra = {"ids": ids}
        reach = sorted(set(committees) | set(st.committees_of(con, ids)))
        away = f"NOT ({here}) AND member_id IN $ids"
        elsewhere = read("members", away, extra, reach)
        tables["members"] = pd.concat([members, elsewhere]).sort_values("_idx")
        if st.has("attendance"):
            register = read("attendance", here)
            other = read("attendance", away, extra, reach)
            tables["attendance"] = pd.concat([register, other]).sort_values("_idx")
            if st.has("meetings"):
                m = {"m": sorted(set(other["meeting_id"]))}
                meetings = read("meetings", here)
                there = read("meetings", f"NOT ({here}) AND meeting_id IN $m", m, reach)
                tables["meetings"] = pd.concat([meetings, there]).sort_values("_idx")
        if st.has("dues"):
            dues = read("dues", here)
            other = read("dues", away, extra, reach)
            tables["dues"] = pd.concat([dues, other]).sort_values("_idx")
    subjects = {"ids": ids, "orgs": sorted(inside)}
    for name in ("reviews", "disciplines"):  # about a member (any base) or an organisation
        if st.has(name):  # (filed with the member's latest membership, so within reach)
            about = "subject_id IN $ids OR subject_id IN $orgs"
            tables[name] = read(name, f"({here}) OR {about}", subjects, reach)
    for name in PARTITIONED:
        if st.has(name) and name not in tables:
            tables[name] = read(name, here)
    con.close()
    tables["organisations"] = _organisations_needed(orgs, inside, tables)
    restored = {}
    for name, frame in tables.items():
        if name == "organisations":
            restored[name] = frame
            continue
        index = pd.Index(frame["_idx"].to_numpy(dtype=np.int64))
        restored[name] = _restore(frame.set_axis(index), st.tables[name])
    problems = st.problems()
    return Dataset(
        tables=restored,
        sources=tuple(SourceFile(**s) for s in st.manifest["sources"]),
        root=st.manifest["root"],
        load_issues=problems.load_issues,
        report=problems.report,
        set_aside=problems.set_aside,
        absent=st.absent,
    )


def _organisations_needed(orgs: pd.DataFrame, inside, tables: dict) -> pd.DataFrame:
    """The organisations a slice's rows refer to: those at or below the audited one, the
    cells of its members' memberships and meetings elsewhere, the organisations reviews
    and disciplines are about, and the ancestors of all of them. (The nation has 197,000
    organisations: studies that roll cells up would otherwise walk every one.)"""
    keep = set(inside)
    for name, column in (("members", "cell_id"), ("meetings", "cell_id"),
                         ("reviews", "subject_id"), ("disciplines", "subject_id")):  # fmt: skip
        frame = tables.get(name)
        if frame is not None:
            keep.update(frame[column].dropna().astype(str))
    parent = orgs.drop_duplicates("org_id").set_index("org_id")["parent_id"]
    keep &= set(parent.index)
    todo = set(keep)
    while todo:  # up to the roots (a cycle was set aside when the store was prepared)
        up = {p for p in parent.reindex(list(todo)).dropna() if p and p in parent.index}
        todo = up - keep
        keep |= up
    return orgs[orgs["org_id"].isin(keep)]


# --- what the runner and the notebooks call -------------------------------------------


def load_data(path: str | Path, org_id: str | None = None) -> Dataset:
    """The cleaned dataset at ``path`` for a study of ``org_id``.

    A store gives the slice of ``org_id`` (:func:`slice_dataset`; the whole
    store without ``org_id``); a data folder or workbook is loaded, validated
    and cleaned through the cache (:func:`.cache.load_clean`).
    """
    if not is_store(path):
        return cache.load_clean(path)
    st = Store(path)
    if org_id is None:
        parent = st.organisations["parent_id"]
        roots = st.organisations.loc[parent.isna() | parent.eq(""), "org_id"]
        parts = [slice_dataset(st, r) for r in roots]
        if len(parts) == 1:
            return parts[0]
        raise catalogued(ParameterError, "store_committees", store=str(path))
    return slice_dataset(st, org_id)


def data_folder_of(path: str | Path) -> str:
    """The data folder ``chibo validate`` lists the problems of: a store's own (recorded in
    its manifest; a store itself is not validated), else ``path``."""
    if is_store(path):
        try:
            manifest = json.loads((Path(path) / MANIFEST).read_text(encoding="utf-8"))
            return str(manifest.get("root_path") or manifest["root"])
        except (OSError, ValueError, KeyError):
            return str(path)
    return str(path)


def organisations_of(path: str | Path) -> pd.DataFrame:
    """The organisations table of a store or a dataset (read alone: milliseconds)."""
    if is_store(path):
        return Store(path).organisations
    from chibo_analysis.intake.load import load_dataset

    return load_dataset(path, tables=("organisations",)).tables["organisations"]


def inputs_of(path: str | Path) -> list[dict[str, object]]:
    """The input files' SHA-256 (:func:`.cache.hash_inputs`); a store's are those it was
    prepared from, recorded in its manifest (its Parquet files are not hashed again)."""
    if is_store(path):
        return Store(path).manifest["inputs"]
    return cache.hash_inputs(path)
