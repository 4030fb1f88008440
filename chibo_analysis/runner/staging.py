"""Preparing a store committee by committee: data larger than memory, read and checked.

``chibo prepare`` of a folder whose tables are all Parquet files (what ``chibo
synth`` writes above a city, and what a commission that collects its
provinces' exports keeps) never holds the whole dataset in memory:

1. **The organisations** are read, checked and cleaned alone (a nation has about
   200,000), and each is placed in its committee (:func:`.store._places`).
2. **Staging** (DuckDB, out of core, one pass per table): every row of every file
   is given the committee it belongs to, as the store places it: a member row and a
   meeting by their cell, a register row and an inspection by their meeting, dues by
   the member's latest membership, a review or discipline by its subject. Rows of
   no known committee go to a partition of their own (``_``), where the checks find
   why. A row is also copied, as *context*, to every other committee a check of that
   committee's rows must see it in: every membership and dues row of a member who
   has rows in several committees (their moves, overlaps and dues months), a meeting
   or inspection whose code is used in another committee too (duplicate codes), and
   the organisations of the committees such members come from.
3. **Each committee**, two at a time, is read by the loader from its staged files
   (kept under the input's own file names and headers), with every row's place in
   its original file (``_file``, ``_row``) and in the whole table (its label,
   ``_idx`` in the store), and checked by the same validation as a whole dataset.
   Only its own rows are kept, with the problems found on them; problems of a file
   rather than a row (a column not read) are listed once.
4. The committee's rows are written to the store as :func:`.store.write_store`
   writes them; the problems of all committees together make the store's list.

Each check of a committee's rows sees every row it would see in the whole dataset
(a member's rows, a meeting's register, a cell's meetings, the organisations), so
the store equals the one :func:`.store.write_store` writes from the whole dataset:
the tests compare them table by table, problem by problem. Staging reads codes as
the loader does (invisible characters removed, trimmed) and matches a reference as
the loader does: exactly, or ignoring letter case when that names one code only.

Other inputs (CSV, workbooks, paper registers: a city's office files) are prepared
whole, :func:`.store.write_store`.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from chibo_analysis.dataset import Dataset, SourceFile
from chibo_analysis.errors import DataReadError
from chibo_analysis.labels import catalogued
from chibo_analysis.outputs import org_folder_name
from chibo_analysis.problems import ISSUE_COLUMNS, ValidationReport, empty_issues
from chibo_analysis.schema import TABLES

from . import cache
from .store import NO_BASE, PARTITIONED, _quoted, index_members, put_in_place, write_manifest

#: The key columns staging reads, per table (canonical names).
KEYS = {
    "organisations": ("org_id",),
    "members": ("member_id", "cell_id", "joined_on"),
    "meetings": ("meeting_id", "cell_id"),
    "attendance": ("meeting_id", "member_id"),
    "inspections": ("inspection_id", "meeting_id"),
    "dues": ("member_id",),
    "disciplines": ("subject_id",),
    "reviews": ("subject_id",),
}
#: Memory DuckDB may use while staging before it spills to disk.
STAGING_MEMORY = "6GB"


@dataclass
class TableFiles:
    """The Parquet files of one table, in the order the loader reads them."""

    name: str
    files: list[Path] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    columns: list[list[str]] = field(default_factory=list)
    #: per file, canonical key column -> the file's own header
    keys: list[dict[str, str]] = field(default_factory=list)

    def offsets(self) -> list[int]:
        return [int(x) for x in np.cumsum([0, *self.rows])[:-1]]


def parquet_layout(root: str | Path, book=None) -> tuple[dict[str, TableFiles], list[Path]] | None:
    """Each table's Parquet files under ``root`` (found by header as the loader finds
    them) and the Parquet files that hold no table (listed as not read, as the loader
    lists them); None when the folder holds anything else (it is then prepared whole)."""
    import pyarrow.parquet as pq

    from chibo_analysis.intake.headers import HeaderMatcher
    from chibo_analysis.intake.layout import locate
    from chibo_analysis.intake.load import _data_files, _dated, _map_headers
    from chibo_analysis.intake.readers import RawSheet

    root = Path(root)
    if not root.is_dir():
        return None
    files, _ = _data_files(root, tuple(TABLES))
    if not files or any(p.suffix.lower() != ".parquet" for p, _ in files):
        return None
    matchers = {
        name: HeaderMatcher.of(TABLES[name], book.headers_for(name) if book else None)
        for name in TABLES
    }
    out: dict[str, TableFiles] = {}
    unread: list[Path] = []
    for path, hint in files:
        try:
            meta = pq.read_metadata(path)
        except Exception:  # the loader says what is wrong with it
            return None
        names = list(meta.schema.to_arrow_schema().names)
        loc = locate([names], matchers, hint)
        if (loc is None or not loc.complete) and hint is None and meta.num_rows:
            unread.append(path)  # holds no table: the loader lists it as not read
            continue
        if loc is None or not loc.complete or _dated(names) or meta.num_rows == 0:
            return None
        empty = RawSheet(path, None, pd.DataFrame(columns=names), np.empty(0, np.int64), "")
        try:
            mapping, _unread = _map_headers(TABLES[loc.table], empty, path.name, book)
        except DataReadError:
            return None
        own = {canonical: header for header, canonical in mapping.items()}
        part = out.setdefault(loc.table, TableFiles(loc.table))
        part.files.append(path)
        part.rows.append(meta.num_rows)
        part.columns.append(names)
        part.keys.append({k: own[k] for k in KEYS.get(loc.table, ()) if k in own})
    if "organisations" not in out:
        return None
    return out, unread


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _normalised(expr: str) -> str:
    """SQL reading a code as the loader does: text, invisible characters (zero-width
    spaces, soft hyphens, BOM) and control characters removed, non-breaking spaces as
    spaces, trimmed; empty as NULL."""
    from chibo_analysis.schema import INVISIBLE

    invisible = "[" + INVISIBLE + "\\x00-\\x1f\\x7f]"
    text = f"regexp_replace(trim(CAST({expr} AS VARCHAR)), '{invisible}', '', 'g')"
    return f"NULLIF(trim(replace({text}, chr(160), ' ')), '')"


def _source_sql(part: TableFiles) -> str:
    """Every row of the table's files with ``_pos`` (its label in the whole table) and the
    key columns as the loader reads them (``_k_<column>``)."""
    selects = []
    for path, offset, keys in zip(part.files, part.offsets(), part.keys, strict=True):
        cols = [f"CAST(file_row_number AS BIGINT) + {offset} AS _pos"]
        for key in KEYS[part.name]:
            if key == "joined_on":
                expr = f"TRY_CAST({_ident(keys[key])} AS DATE)" if key in keys else "NULL::DATE"
            else:
                expr = _normalised(_ident(keys[key])) if key in keys else "NULL::VARCHAR"
            cols.append(f"{expr} AS _k_{key}")
        selects.append(
            f"SELECT * EXCLUDE (file_row_number), {', '.join(cols)} "
            f"FROM read_parquet({_quoted(path)}, file_row_number = true)"
        )
    return " UNION ALL BY NAME ".join(selects)


def _dictionary(con, name: str, select: str) -> None:
    """Tables looking a code up as the loader matches references: exactly, or, with no
    exact match, ignoring letter case when that names one code only.

    ``select`` gives ``(k, cno)``, one row per code. ``<name>_f`` maps each case-folded
    code that stands for one code to it (``canon``) and its committee; ``<name>_x`` holds
    the codes whose folded form stands for several (matched exactly only).
    """
    con.execute(f"CREATE TEMP TABLE {name}_all AS {select}")
    con.execute(
        f"CREATE TEMP TABLE {name}_f AS SELECT lower(k) AS kf, any_value(k) AS canon, "
        f"any_value(cno) AS cno FROM {name}_all GROUP BY 1 HAVING count(*) = 1"
    )
    con.execute(
        f"CREATE TEMP TABLE {name}_x AS SELECT k, cno FROM {name}_all WHERE lower(k) IN "
        f"(SELECT lower(k) FROM {name}_all GROUP BY 1 HAVING count(*) > 1)"
    )
    con.execute(f"DROP TABLE {name}_all")


def _look(name: str, alias: str, ref: str) -> tuple[str, str, str]:
    """Joins looking ``ref`` up in dictionary ``name``; its committee; its canonical code."""
    joins = (
        f"LEFT JOIN {name}_f {alias}f ON {alias}f.kf = lower({ref}) "
        f"LEFT JOIN {name}_x {alias}x ON {alias}x.k = {ref}"
    )
    return joins, f"coalesce({alias}x.cno, {alias}f.cno)", f"coalesce({alias}x.k, {alias}f.canon)"


def _stage(layout: dict[str, TableFiles], places: pd.DataFrame, stage: Path) -> list[str]:
    """Write every row, with its committee number ``_cno`` and ``_own``, under ``stage``."""
    import duckdb

    con = duckdb.connect()
    spill = stage / ".spill"
    spill.mkdir(parents=True, exist_ok=True)
    con.execute(f"SET temp_directory = {_quoted(spill)}")
    con.execute(f"SET memory_limit = '{STAGING_MEMORY}'")
    con.execute("SET preserve_insertion_order = false")
    committees = sorted(set(places["committee"]) | {NO_BASE})
    number = {c: i for i, c in enumerate(committees)}
    where = pd.DataFrame(
        {
            "k": places.index.astype(str),
            "cno": places["committee"].map(number).astype("int32"),
        }
    )
    none = number[NO_BASE]
    con.register("places_df", where)
    _dictionary(con, "org", "SELECT k, cno FROM places_df")
    con.unregister("places_df")
    for name, part in layout.items():
        con.execute(f"CREATE VIEW src_{name} AS {_source_sql(part)}")
    has = set(layout)
    cell_join, cell_cno, _ = _look("org", "c", "s._k_cell_id")

    # the committee of each row that others are placed by
    if "members" in has:
        con.execute(
            "CREATE TEMP TABLE m_own AS SELECT s._pos, s._k_member_id AS member_id, "
            f"coalesce({cell_cno}, {none}) AS cno, s._k_joined_on AS joined "
            f"FROM src_members s {cell_join}"
        )
        _dictionary(
            con, "home",
            "SELECT member_id AS k, max_by(cno, (coalesce(joined, DATE '0001-01-01'), _pos)) "
            "AS cno FROM m_own WHERE member_id IS NOT NULL GROUP BY member_id",
        )  # fmt: skip
    else:
        con.execute("CREATE TEMP TABLE m_own (_pos BIGINT, member_id VARCHAR, cno INTEGER)")
        _dictionary(con, "home", "SELECT NULL::VARCHAR AS k, NULL::INTEGER AS cno LIMIT 0")
    if "meetings" in has:
        _dictionary(
            con, "meeting",
            f"SELECT s._k_meeting_id AS k, min_by(coalesce({cell_cno}, {none}), s._pos) AS cno "
            f"FROM src_meetings s {cell_join} WHERE s._k_meeting_id IS NOT NULL GROUP BY 1",
        )  # fmt: skip
    else:
        _dictionary(con, "meeting", "SELECT NULL::VARCHAR AS k, NULL::INTEGER AS cno LIMIT 0")
    meeting_join, meeting_cno, _ = _look("meeting", "m", "s._k_meeting_id")
    member_join, member_cno, member_id = _look("home", "h", "s._k_member_id")
    # members who have rows in more than one committee, and those committees
    touches = ["SELECT member_id, cno FROM m_own WHERE member_id IS NOT NULL"]
    if "attendance" in has:
        touches.append(
            f"SELECT coalesce({member_id}, s._k_member_id), coalesce({meeting_cno}, {none}) "
            f"FROM src_attendance s {meeting_join} {member_join} "
            "WHERE s._k_member_id IS NOT NULL"
        )
    if "dues" in has:  # dues of a member no membership row names
        touches.append(
            f"SELECT s._k_member_id, {none} FROM src_dues s {member_join} "
            f"WHERE s._k_member_id IS NOT NULL AND {member_cno} IS NULL"
        )
    con.execute(
        "CREATE TEMP TABLE touch AS SELECT DISTINCT member_id, cno FROM ("
        + " UNION ALL ".join(touches)
        + ")"
    )
    con.execute(
        "CREATE TEMP TABLE multi AS SELECT member_id, cno FROM touch WHERE member_id IN "
        "(SELECT member_id FROM touch GROUP BY 1 HAVING count(*) > 1)"
    )
    # the committees whose organisations each committee's context rows refer to
    con.execute(
        "CREATE TEMP TABLE near AS SELECT DISTINCT a.cno, b.cno AS other FROM multi a "
        f"JOIN multi b USING (member_id) WHERE a.cno <> b.cno AND a.cno <> {none}"
    )  # (the partition of rows without a committee is given every organisation)

    subject_member = _look("home", "sh", "s._k_subject_id")
    subject_org = _look("org", "so", "s._k_subject_id")
    own_org = _look("org", "o", "s._k_org_id")

    def dup_context(name: str, key: str, joins: str, own: str) -> str:
        """Rows whose code is also used in another committee, copied to that committee."""
        return (
            f"WITH own AS (SELECT s._pos, s._k_{key} AS k, coalesce({own}, {none}) AS cno "
            f"FROM src_{name} s {joins}), "
            "shared AS (SELECT k, cno FROM own WHERE k IN (SELECT k FROM own WHERE k IS NOT NULL "
            "GROUP BY k HAVING count(DISTINCT cno) > 1) GROUP BY k, cno) "
            f"SELECT s.*, x.cno AS _cno, false AS _own FROM src_{name} s "
            f"JOIN own o USING (_pos) JOIN shared x ON x.k = o.k AND x.cno <> o.cno"
        )

    placed = {  # table -> (joins, committee of the row)
        "organisations": (own_org[0], own_org[1]),
        "members": (cell_join, cell_cno),
        "meetings": (cell_join, cell_cno),
        "attendance": (meeting_join, meeting_cno),
        "inspections": (meeting_join, meeting_cno),
        "dues": (member_join, member_cno),
        "disciplines": (
            f"{subject_member[0]} {subject_org[0]}",
            f"coalesce({subject_member[1]}, {subject_org[1]})",
        ),
    }
    placed["reviews"] = placed["disciplines"]
    for name in layout:
        joins, cno = placed[name]
        cno = f"coalesce({cno}, {none})"
        parts = [f"SELECT s.*, {cno} AS _cno, true AS _own FROM src_{name} s {joins}"]
        if name == "organisations":  # the organisations of the committees context comes from
            parts.append(
                f"SELECT s.*, n.cno AS _cno, false AS _own FROM src_{name} s {joins} "
                f"JOIN near n ON n.other = {cno}"
            )
            parts.append(  # the partition of rows without a committee checks against all
                f"SELECT s.*, {none} AS _cno, false AS _own FROM src_{name} s {joins} "
                f"WHERE {cno} <> {none}"
            )
        elif name == "members":
            parts.append(
                f"SELECT s.*, x.cno AS _cno, false AS _own FROM src_{name} s {joins} "
                f"JOIN multi x ON x.member_id = s._k_member_id WHERE x.cno <> {cno}"
            )
        elif name == "dues":
            parts.append(
                f"SELECT s.*, x.cno AS _cno, false AS _own FROM src_{name} s {joins} "
                f"JOIN multi x ON x.member_id = coalesce({member_id}, s._k_member_id) "
                f"WHERE x.cno <> {cno}"
            )
        elif name == "meetings":
            parts.append(dup_context(name, "meeting_id", cell_join, cell_cno))
        elif name == "inspections":
            parts.append(dup_context(name, "inspection_id", meeting_join, meeting_cno))
        keys = ", ".join(f"_k_{k}" for k in KEYS[name])
        sql = " UNION ALL ".join(
            f"SELECT * EXCLUDE ({keys}) FROM (SELECT s.* FROM ({p}) s)" for p in parts
        )
        con.execute(
            f"COPY ({sql}) TO {_quoted(stage / name)} "
            "(FORMAT parquet, PARTITION_BY (_cno), OVERWRITE_OR_IGNORE)"
        )
    con.close()
    shutil.rmtree(spill, ignore_errors=True)
    return committees


# --- one committee ------------------------------------------------------------------


@dataclass
class _Job:
    layout: dict[str, TableFiles]
    root: Path
    stage: Path
    work: Path
    places: pd.DataFrame
    book: object
    committees: list[str]
    write: bool = True


_JOB: _Job | None = None


def _read_staged(job: _Job, name: str, cno: int):
    """The staged rows of table ``name`` for committee ``cno``, in table order (arrow)."""
    import duckdb

    folder = job.stage / name / f"_cno={cno}"
    if not folder.is_dir():
        return None
    pattern = _quoted((folder / "*.parquet").as_posix())
    with duckdb.connect() as con:
        con.execute("SET threads = 1")
        return con.sql(
            f"SELECT * FROM read_parquet({pattern}, hive_partitioning = false) ORDER BY _pos"
        ).to_arrow_table()


def _committee(cno: int) -> dict:
    """Load, check and write one committee's rows; its problems, for the store's list."""
    import duckdb
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from chibo_analysis.checks.validation import validate
    from chibo_analysis.intake.load import load_dataset

    from .store import _dtypes, _member_places, _row_places

    job = _JOB
    assert job is not None
    committee = job.committees[cno]
    folder = job.work / f"stage-{cno}"
    positions: dict[str, np.ndarray] = {}
    owned: dict[str, np.ndarray] = {}
    lines: dict[str, np.ndarray] = {}
    for name, part in job.layout.items():
        table = _read_staged(job, name, cno)
        if table is None or table.num_rows == 0:
            continue
        pos = table.column("_pos").to_numpy()
        positions[name] = pos
        owned[name] = table.column("_own").to_numpy(zero_copy_only=False)
        rows = np.empty(len(pos), np.int64)
        for path, offset, n, columns in zip(
            part.files, part.offsets(), part.rows, part.columns, strict=True
        ):
            inside = (pos >= offset) & (pos < offset + n)
            if not inside.any():
                continue
            rows[inside] = pos[inside] - offset + 2  # the row as seen in the file (header 1)
            target = folder / path.relative_to(job.root)
            target.parent.mkdir(parents=True, exist_ok=True)
            taken = table.filter(pc.and_(pc.greater_equal(table["_pos"], offset),
                                         pc.less(table["_pos"], offset + n)))  # fmt: skip
            pq.write_table(taken.select(columns), target)
        lines[name] = rows
    if not positions:
        return {"committee": committee, "empty": True}
    present = tuple(n for n in TABLES if n in positions)
    ds = load_dataset(folder, tables=present, codebook=job.book)
    tables = _with_required(ds.tables)
    # every row at its place in the whole table and in its own file
    for name, frame in ds.tables.items():
        pos = positions[name]
        frame = frame.set_axis(pd.Index(pos[np.arange(len(frame))], dtype="int64"))
        frame["_row"] = lines[name][np.arange(len(frame))]
        tables[name] = frame
    load_issues = _globalised(ds.load_issues, positions, lines)
    ds = replace(ds, tables=tables, load_issues=load_issues)
    report = validate(ds)
    clean = ds.clean(report)
    own = {n: set(positions[n][owned[n]].tolist()) for n in positions}

    def mine(issues: pd.DataFrame) -> pd.DataFrame:
        keep = issues["index"].lt(0).to_numpy().copy()
        for name, ids in own.items():
            at = issues["table"].eq(name).to_numpy()
            keep |= at & issues["index"].isin(ids).to_numpy()
        return issues[keep]

    result = {
        "committee": committee,
        "empty": False,
        "issues": mine(report.issues),
        "load_issues": mine(load_issues),
        "set_aside": {n: f[f.index.isin(own.get(n, ()))] for n, f in clean.set_aside.items()},
        "absent": dict(ds.absent),
        "dtypes": {},
        "rows": {},
    }
    places = job.places
    members = clean.tables.get("members")
    member_places = (
        _member_places(members, places)
        if members is not None and len(members)
        else pd.DataFrame(columns=["committee", "base"])
    )
    con = duckdb.connect()
    con.execute("SET threads = 1")
    for name in PARTITIONED:
        frame = clean.tables.get(name)
        if frame is None or name not in positions:
            continue
        result["dtypes"][name] = _dtypes(frame)
        frame = frame[frame.index.isin(own[name])]
        result["rows"][name] = len(frame)
        if frame.empty or not job.write:  # (checked only: the rows kept counted, not written)
            continue
        where = _row_places(name, frame, clean, places, member_places)
        base = where["base"].where(where["committee"].eq(committee), NO_BASE)
        rows = frame.assign(
            _idx=np.asarray(frame.index, dtype=np.int64),
            committee=committee,
            base=base.fillna(NO_BASE).to_numpy(dtype=object),
        )
        out = job.work / "store" / name / f"committee={org_folder_name(committee)}"
        out.mkdir(parents=True)
        _write_rows(con, rows, out / "data.parquet")
    con.close()
    shutil.rmtree(folder, ignore_errors=True)
    return result


def _with_required(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """``tables`` with every required table, empty as the loader gives it if it has no row
    here (the checks compare against them)."""
    from chibo_analysis.intake.load import _empty_table

    out = dict(tables)
    for name, table in TABLES.items():
        if table.required and name not in out:
            out[name] = _empty_table(table)
    return out


def _write_rows(con, rows: pd.DataFrame, path: Path) -> None:
    """``rows`` as one Parquet file, sorted by base, in the store's row groups."""
    from .store import ROW_GROUP_ROWS

    rows = _typed_nulls(rows)
    con.register("rows", rows)
    con.execute(
        f"COPY (SELECT * FROM rows ORDER BY base, _idx) TO {_quoted(path)} "
        f"(FORMAT parquet, ROW_GROUP_SIZE {ROW_GROUP_ROWS})"
    )
    con.unregister("rows")


def _typed_nulls(rows: pd.DataFrame) -> pd.DataFrame:
    """Text columns that hold no value here still written as text (every file one schema)."""
    out = rows
    for column in rows.columns:
        values = rows[column]
        if values.dtype == object and values.isna().all():
            if out is rows:
                out = rows.copy()
            out[column] = values.astype("string")
    return out


def _globalised(issues: pd.DataFrame, positions, lines) -> pd.DataFrame:
    """Load issues with each row's label in the whole table and row in its own file."""
    if issues is None or issues.empty:
        return issues
    issues = issues.copy()
    index = issues["index"].to_numpy().copy()
    row = issues["row"].to_numpy().copy()
    for name, pos in positions.items():
        at = issues["table"].eq(name).to_numpy() & (index >= 0)
        local = index[at].astype(np.int64)
        index[at] = pos[local]
        row[at] = lines[name][local]
    issues["index"] = index
    issues["row"] = row
    return issues


# --- the whole ----------------------------------------------------------------------


def prepare_by_committee(
    root: str | Path,
    store: str | Path | None,
    layout: dict[str, TableFiles],
    unread: list[Path],
    inputs: list[dict[str, object]],
    book=None,
    jobs: int = 2,
    progress: bool = False,
) -> tuple[Path | None, ValidationReport, dict[str, int]]:
    """Write the store of the Parquet dataset at ``root`` committee by committee.

    Returns the store, the validation report of the whole (every committee's
    problems) and the rows kept per table. With ``store`` None nothing is written:
    the data are only checked (``chibo validate`` of a Parquet folder), in the
    memory of one committee.
    """
    import duckdb

    from chibo_analysis.checks.validation import _table_order, validated
    from chibo_analysis.intake.load import _unread_issues, load_dataset

    from .store import _dtypes, _places

    global _JOB
    root = Path(root)
    store = None if store is None else Path(store)
    orgs_ds = load_dataset(root, tables=("organisations",), codebook=book)
    orgs_ds = validated(replace(orgs_ds, tables=_with_required(orgs_ds.tables)))
    orgs = orgs_ds.organisations
    places = _places(orgs)
    if store is None:
        work = Path(tempfile.mkdtemp(prefix="chibo-check-"))
    else:
        store.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(dir=store.parent, prefix=f".{store.name}.writing-"))
    try:
        stage = work / "stage"
        committees = _stage(layout, places, stage)
        (work / "store").mkdir(mode=0o700)  # it holds personal data, as a whole store
        _JOB = _Job(layout, root, stage, work, places, book, committees, store is not None)
        numbers = list(range(len(committees)))
        results = _run_all(numbers, jobs, progress)
        _JOB = None
        shutil.rmtree(stage, ignore_errors=True)
        done = [r for r in results if not r["empty"]]
        if unread:  # files that hold no table: listed once, as the loader lists them
            notes = _unread_issues([(p.relative_to(root).as_posix(), None) for p in unread])
            done.append({"issues": notes, "load_issues": notes, "set_aside": {}, "dtypes": {}})

        def joined(key: str) -> pd.DataFrame:
            frames = [r[key] for r in done if r[key] is not None and not r[key].empty]
            if not frames:
                return empty_issues()[ISSUE_COLUMNS]
            out = pd.concat(frames, ignore_index=True)[ISSUE_COLUMNS]
            file_level = out["index"].lt(0)
            out = pd.concat(
                [out[~file_level], out[file_level].drop_duplicates()], ignore_index=True
            )
            return out.sort_values(
                ["table", "file", "sheet", "row", "column", "index"],
                kind="stable",
                key=_table_order,
            ).reset_index(drop=True)

        report = ValidationReport(joined("issues"))
        load_issues = joined("load_issues")
        set_aside: dict[str, pd.DataFrame] = {}
        for name in TABLES:
            parts = [r["set_aside"][name] for r in done if name in r["set_aside"]]
            parts = [p for p in parts if len(p)]
            if parts:
                set_aside[name] = pd.concat(parts).sort_index()
        rows = {"organisations": len(orgs)}
        tables = {"organisations": _dtypes(orgs)}
        absent: dict[str, tuple[str, ...]] = {}
        for name in PARTITIONED:
            got = [r for r in done if name in r["dtypes"]]
            if not got:
                continue
            rows[name] = sum(r["rows"].get(name, 0) for r in got)
            tables[name] = _union_dtypes([r["dtypes"][name] for r in got])
            found = [set(r["absent"].get(name, ())) for r in got if name in r["absent"]]
            absent[name] = tuple(
                c for c in TABLES[name].names if found and all(c in f for f in found)
            )
        absent["organisations"] = tuple(orgs_ds.absent.get("organisations", ()))
        if store is None:
            return None, report, rows
        _check_usable(rows, set_aside)
        out = work / "store"
        orgs.join(places, on="org_id").assign(
            _idx=np.asarray(orgs.index, dtype=np.int64)
        ).to_parquet(out / "organisations.parquet", index=False)
        problems = Dataset(
            tables={"organisations": orgs.iloc[:0]},
            root=str(root),
            load_issues=load_issues,
            report=report,
            set_aside=set_aside,
        )
        cache.save(problems, out / "problems", inputs)
        with duckdb.connect() as con:
            index_members(con, out)
        sources = _sources(layout, root, inputs, book)
        write_manifest(out, root, inputs, sources, absent, tables)
        put_in_place(out, store)
    finally:
        _JOB = None
        shutil.rmtree(work, ignore_errors=True)
    return store, report, rows


def _run_all(numbers: list[int], jobs: int, progress: bool) -> list[dict]:
    from tqdm.auto import tqdm

    bar = tqdm(total=len(numbers), desc="committees", unit="committee", disable=not progress)
    try:
        if jobs <= 1 or len(numbers) <= 1:
            out = []
            for n in numbers:
                out.append(_committee(n))
                bar.update()
            return out
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        ctx = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(jobs, mp_context=ctx) as pool:
            out = []
            for result in pool.map(_committee, numbers):
                out.append(result)
                bar.update()
            return out
    finally:
        bar.close()


def _union_dtypes(found: list[dict[str, object]]) -> dict[str, object]:
    """The dtypes of one table across committees (a category's values joined, sorted)."""
    first = dict(found[0])
    for column, dtype in first.items():
        if isinstance(dtype, dict):
            seen = [d[column]["category"] for d in found]
            if any(s != seen[0] for s in seen):
                first[column] = {"category": sorted({c for s in seen for c in s})}
    return first


def _check_usable(rows: dict[str, int], set_aside: dict[str, pd.DataFrame]) -> None:
    """As :func:`~chibo_analysis.checks.validation.ensure_usable`: a required table whose
    every record was set aside stops the command."""
    for name, table in TABLES.items():
        if table.required and not rows.get(name) and len(set_aside.get(name, ())):
            raise catalogued(
                DataReadError,
                "all_set_aside",
                n=len(set_aside[name]),
                table={"en": f"{name} ('{table.vi}')", "vi": table.vi},
            )


def _sources(layout, root: Path, inputs, book) -> list[SourceFile]:
    """The files read, as the loader lists them (table order, then file order)."""
    sha = {str(i["path"]): str(i["sha256"]) for i in inputs}
    out = []
    for name in TABLES:
        part = layout.get(name)
        if part is None:
            continue
        for path, n in zip(part.files, part.rows, strict=True):
            rel = path.relative_to(root).as_posix()
            out.append(SourceFile(rel, name, None, n, sha.get(rel, "")))
    if book is not None:
        path = Path(book.path)
        try:
            rel = path.relative_to(root).as_posix()
        except ValueError:
            rel = path.as_posix()
        out.append(SourceFile(rel, "codebook", None, len(book), book.sha256))
    return out
