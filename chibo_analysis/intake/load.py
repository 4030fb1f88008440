"""Load a dataset: files in, typed tables out (never an indicator).

A dataset is a folder of tables, each a CSV, XLSX or Parquet file named after
the table (English or Vietnamese, with or without diacritics: ``members.csv``,
``Đảng viên.xlsx``), or one workbook with one sheet per table. A table may
also come in several files: ``attendance_cb01.csv``, ``attendance_cb02.csv``,
or every file inside a folder named after the table; the records keep the
file they came from.

Values that cannot be parsed become empty and are listed in
``Dataset.load_issues``; :func:`chibo_analysis.checks.validation.validate` reports
them with everything else. A missing required table or column cannot be
worked around: it raises :class:`~chibo_analysis.errors.DataReadError`.
Input files are only read, never written.
"""

from __future__ import annotations

import dataclasses
import os
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

from chibo_analysis.dataset import Dataset, SourceFile
from chibo_analysis.errors import DataReadError
from chibo_analysis.intake.codebook import Codebook, find_codebook, load_codebook
from chibo_analysis.intake.codes import reconcile_case
from chibo_analysis.intake.headers import HeaderMatcher, is_row_number
from chibo_analysis.intake.layout import filled, locate
from chibo_analysis.intake.parse import INT_MAX, parse_column
from chibo_analysis.intake.readers import (
    CSV_SUFFIXES,
    ENCODING_NAMES,
    SUFFIXES,
    XLSX_SUFFIXES,
    RawSheet,
    convert_legacy_columns,
    empty_sheet,
    raw_from_grid,
    read_csv_file,
    read_csv_grid,
    read_parquet_file,
    read_workbook_grids,
    read_workbook_sheet,
    sha256_of,
)
from chibo_analysis.intake.register import (
    MeetingIndex,
    RegisterSheet,
    find_register,
    footer_rows,
    register_rows,
)
from chibo_analysis.labels import catalogued, error_message
from chibo_analysis.problems import MAX_VALUE, REASONS, empty_issues, make_issues, shorten_texts
from chibo_analysis.schema import SOURCE_COLUMNS, TABLES, Table, fold, match_table
from chibo_analysis.texts import shorten

_EXPECTED = {
    "date": "a date such as 03/01/2022 (day first) or 2022-01-03",
    "month": "a month such as 03/2022 or 2022-03",
    "int": "a whole number",
    "amount": "an amount in đồng such as 50.000",
    "bool": "Có or Không",
}
_EXPECTED_VI = {
    "date": "ngày dạng 03/01/2022 (ngày trước) hoặc 2022-01-03",
    "month": "tháng dạng 03/2022 hoặc 2022-03",
    "int": "số nguyên",
    "amount": "số tiền (đồng), ví dụ 50.000",
    "bool": "Có hoặc Không",
}


#: The manifest of a prepared store (chibo prepare): such a folder is not read as data.
STORE_MANIFEST = "store.json"


def load_dataset(
    path: str | Path,
    tables: tuple[str, ...] | list[str] | None = None,
    *,
    codebook: str | Path | Codebook | None = None,
) -> Dataset:
    """Read a dataset from a folder or a single workbook.

    Parameters
    ----------
    path : str or Path
        A folder holding one file per table (CSV, XLSX or Parquet), or one
        workbook (``.xlsx``) with one sheet per table.
    tables : sequence of str, optional
        Read only these tables (e.g. ``("organisations",)`` to check an
        organisation code quickly); default all.
    codebook : path or Codebook, optional
        The team's own marks, labels and headers (see
        :mod:`chibo_analysis.intake.codebook`); default the folder's
        ``codebook.yaml`` if there is one.

    Returns
    -------
    Dataset
        Typed tables with provenance columns ``_file``, ``_sheet``, ``_row``;
        values that could not be parsed are empty and listed in
        ``load_issues``.

    Raises
    ------
    DataReadError
        The path does not exist, a required table or a required column is
        missing, or a file cannot be read at all.
    """
    root = Path(path)
    if not root.exists():
        raise catalogued(DataReadError, "no_data_path", path=str(root))
    if (root / STORE_MANIFEST).is_file():
        raise catalogued(DataReadError, "store_given", data=str(root))
    wanted = tuple(TABLES) if tables is None else tuple(tables)
    unknown = sorted(set(wanted) - set(TABLES))
    if unknown:
        raise DataReadError(f"unknown table(s) {unknown}; expected some of {list(TABLES)}")
    if codebook is None:
        found_book = find_codebook(root)
        book = load_codebook(found_book) if found_book is not None else None
    else:
        book = codebook if isinstance(codebook, Codebook) else load_codebook(codebook)
    sheets, unread, registers, empty = _collect(root, wanted, book)
    base = root if root.is_dir() else root.parent
    empty = [(t, raw) for t, raw in empty if t in wanted or (t is None and tables is None)]
    _check_empty_required(empty, sheets, registers)
    missing = [
        n
        for n in wanted
        if TABLES[n].required and n not in sheets and not (n == "attendance" and registers)
    ]
    if missing:
        here = root if root.is_dir() else root.parent
        unread_at = ", ".join(_rel(f, here) + (f" [{s}]" if s else "") for f, s in unread[:10])
        raise catalogued(
            DataReadError,
            "tables_missing",
            path=str(root),
            tables={"en": ", ".join(missing), "vi": ", ".join(TABLES[m].vi for m in missing)},
            found={
                "en": ", ".join(sorted(sheets)) or "none",
                "vi": ", ".join(TABLES[t].vi for t in sorted(sheets)) or "không có",
            },
            names={
                lang: ", ".join(f"{TABLES[m].name}.csv {word} '{TABLES[m].vi}'" for m in missing)
                for lang, word in (("en", "or"), ("vi", "hoặc"))
            },
            unread=("tables_unread", {"files": unread_at}) if unread else "",
        )
    frames, sources, issues = {}, [], []
    absent_of: dict[str, tuple[str, ...]] = {}
    order = [n for n in TABLES if n in sheets or (n == "attendance" and registers)]
    for name in order:
        raws = list(sheets.get(name, []))
        if name == "attendance" and registers:
            index = (
                MeetingIndex.of(frames["meetings"], frames["organisations"])
                if "meetings" in frames and "organisations" in frames
                else None
            )
            read_registers = []
            for reg in registers:
                part, reg_issues = _register_raw(reg, index, base)
                if reg_issues is not None:
                    issues.append(reg_issues)
                if part is not None:
                    read_registers.append(part)
                sources.append(
                    SourceFile(
                        _rel(reg.path, base), name, reg.sheet, 0 if part is None else len(part[0]),
                        reg.digest,
                    )
                )  # fmt: skip
            if read_registers:  # one frame for all registers, each row with its own file
                raws.append(_merge_registers(read_registers, base))
        if not raws:
            frames[name] = _empty_table(TABLES[name])
            continue
        frame, table_issues, absent_of[name] = _build_table(TABLES[name], raws, base, book)
        frames[name] = frame
        issues.append(table_issues)
        for raw in raws:
            if raw.sheet is not _MERGED:
                sources.append(
                    SourceFile(_rel(raw.path, base), name, raw.sheet, len(raw.frame), raw.sha256)
                )
    if book is not None:
        sources.append(
            SourceFile(_rel(Path(book.path), base), "codebook", None, len(book), book.sha256)
        )
    frames, case_issues = reconcile_case(frames)
    issues.append(case_issues)
    # an optional table with no records (an empty template sheet) was not supplied
    ordered = {
        n: frames[n] for n in TABLES if n in frames and (TABLES[n].required or len(frames[n]))
    }
    if empty:  # each empty file said; its table, if optional, is treated as not supplied
        issues.append(_empty_issues([(_rel(raw.path, base), t) for t, raw in empty]))
        sources.extend(
            SourceFile(_rel(raw.path, base), t, None, 0, raw.sha256) for t, raw in empty if t
        )
    if unread and tables is None:  # asked for every table: say what was left out
        issues.append(_unread_issues([(_rel(path, base), sheet) for path, sheet in unread]))
    load_issues = pd.concat(
        [i for i in issues if not i.empty] or [empty_issues()], ignore_index=True
    )
    absent = {n: a for n, a in absent_of.items() if n in ordered}
    return Dataset(ordered, tuple(sources), str(root), load_issues, absent=absent)


def dataset_from_frames(**frames: pd.DataFrame | None) -> Dataset:
    """Build a dataset from in-memory frames through the loader's parsing.

    Columns may hold raw text (as in a file) or typed values. Each table's
    provenance is ``<table>`` with rows numbered as in a file (first row = 2).

    Examples
    --------
    >>> orgs = pd.DataFrame({"org_id": ["TP"], "name": ["Thành phố"], "parent_id": [None],
    ...                      "level": ["Đảng bộ cấp trên cơ sở"]})
    >>> ds = dataset_from_frames(organisations=orgs, members=None, meetings=None, attendance=None)
    >>> ds.organisations["level"].tolist()
    ['committee']
    """
    unknown = sorted(set(frames) - set(TABLES))
    if unknown:
        raise DataReadError(f"unknown table(s) {unknown}; expected some of {list(TABLES)}")
    tables, issues = {}, []
    absent_of: dict[str, tuple[str, ...]] = {}
    for name, table in TABLES.items():
        frame = frames.get(name)
        if frame is None:
            if table.required:
                frame = pd.DataFrame(
                    {c.name: pd.Series(dtype=object) for c in table.required_columns}
                )
            else:
                continue
        raw = RawSheet(
            Path(f"<{name}>"),
            None,
            frame.reset_index(drop=True),
            np.arange(2, len(frame) + 2, dtype=np.int64),
            "",
        )
        typed, table_issues, absent_of[name] = _build_table(table, [raw], Path("."))
        tables[name] = typed
        issues.append(table_issues)
    load_issues = pd.concat(
        [i for i in issues if not i.empty] or [empty_issues()], ignore_index=True
    )
    absent = {n: a for n, a in absent_of.items() if tables.get(n) is not None}
    return Dataset(tables, (), "<memory>", load_issues, absent=absent)


def _short(text: object) -> str:
    """A text from the data quoted in a message: cut as the problem list cuts values."""
    return shorten(text, MAX_VALUE)


def _rel(path: Path, base: Path) -> str:
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()


def _collect(
    root: Path, wanted: tuple[str, ...], book: Codebook | None = None
) -> tuple[dict[str, list[RawSheet]], list[tuple[Path, str | None]], list]:
    """Find every table under ``root`` by its header, and read it.

    Every file, and every sheet of every workbook, is matched to a table by
    its header (see :func:`chibo_analysis.intake.layout.locate`); file and
    sheet names are a hint that wins a tie. Returns the sheets read per
    table, the files and sheets (path, sheet or None) that hold no table
    and were not read, and the paper registers found (read once the meetings
    are known), and the files that hold nothing, each with the table its
    name stands for (or None). Files are read two at a time: calamine and pyarrow
    release the GIL.
    """
    matchers = {
        name: HeaderMatcher.of(TABLES[name], book.headers_for(name) if book else None)
        for name in TABLES
    }
    files, unread = _data_files(root, wanted)
    workers = min(2, os.cpu_count() or 1)
    books = sum(p.suffix.lower() in XLSX_SUFFIXES for p, _ in files)
    if books >= PROCESS_BOOKS and workers > 1:
        # many workbooks (a folder of per-cell files): reading them is Python work that
        # holds the interpreter lock, so two processes, each with a share of the files
        import multiprocessing

        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            chunks = [files[i::workers] for i in range(workers)]
            parts = pool.map(_read_many, chunks, [matchers] * workers, [wanted] * workers)
            by_file = {
                f[0]: r
                for chunk, rs in zip(chunks, parts, strict=True)
                for f, r in zip(chunk, rs, strict=True)
            }
        results = [by_file[f[0]] for f in files]
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(lambda f: _read_located(f[0], f[1], matchers, wanted), files))
    found: dict[str, list[RawSheet]] = {}
    registers: list[RegisterSheet] = []
    empty: list[tuple[str | None, RawSheet]] = []
    for sheets, left in results:
        for table, raw in sheets:
            if isinstance(raw, RegisterSheet):
                registers.append(raw)
            elif raw.empty:
                empty.append((table, raw))
            else:
                found.setdefault(table, []).append(raw)
        unread.extend(left)
    return found, unread, registers, empty


#: From this many workbooks on, a folder is read by two processes rather than two threads.
PROCESS_BOOKS = 24


def _read_many(files, matchers, wanted) -> list:
    """``_read_located`` of each file, in a worker process."""
    return [_read_located(path, hint, matchers, wanted) for path, hint in files]


def _data_files(
    root: Path, wanted: tuple[str, ...]
) -> tuple[list[tuple[Path, str | None]], list[tuple[Path, str | None]]]:
    """The data files under ``root`` with the table their name hints at (or None)."""
    if root.is_file():
        hint = _table_of_file(root)
        return [(root, hint.name if hint else None)], []
    files = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if path.suffix.lower() not in SUFFIXES or path.name.startswith(("~$", ".")):
            continue
        rel_parts = path.relative_to(root).parts
        if any(part.startswith(".") for part in rel_parts):
            continue
        table = _table_of_file(path)
        if table is None and len(rel_parts) > 1:
            table = match_table(rel_parts[0])  # a folder named after the table
        if table is not None and table.name not in wanted and len(wanted) < len(TABLES):
            continue  # asked for some tables only: a file named after another is skipped
        files.append((path, table.name if table else None))
    return files, []


def _register_raw(reg: RegisterSheet, index, base: Path):
    """A paper register's attendance rows, with where they are, and its problems as issues."""
    if index is None:
        return None, None
    records, numbers, problems = register_rows(reg, index)
    rel = _rel(reg.path, base)
    issues = []
    for row, column, code, en, vi in problems:
        where = pd.DataFrame({"_file": [rel], "_sheet": reg.sheet or "", "_row": row}, index=[-1])
        issues.append(
            make_issues(where, "attendance", code, column, pd.Series([column], index=[-1]), en, vi)
        )
    if reg.converted:  # the conversions of the sheet, said here: its rows are merged
        holder = RawSheet(reg.path, reg.sheet, pd.DataFrame(), np.zeros(0, np.int64), "",
                          header_row=reg.header_row + 1, converted=reg.converted)  # fmt: skip
        issues.append(_conversion_issues(ATTENDANCE_TABLE, holder, rel))
    issues = pd.concat(issues, ignore_index=True) if issues else None
    if not records:
        return None, issues
    footer = tuple((rel, reg.sheet or "", n, text) for n, text in footer_rows(reg))
    return (records, numbers, rel, reg.sheet or "", footer), issues


ATTENDANCE_TABLE = TABLES["attendance"]
#: The sheet of the RawSheet that holds every paper register's rows, each with its own file.
_MERGED = "\0registers"


def _merge_registers(parts: list, base: Path) -> RawSheet:
    """All registers' rows as one RawSheet; ``_file`` and ``_sheet`` columns say where each is.

    One frame instead of one per sheet: a city's 2,000 register sheets cost one parse.
    Their footers are kept, each with its file and sheet.
    """
    meeting, member, status = [], [], []
    for part in parts:
        for m, p, s in part[0]:
            meeting.append(m)
            member.append(p)
            status.append(s)
    sizes = [len(part[0]) for part in parts]
    frame = pd.DataFrame(
        {
            "meeting_id": pd.array(meeting, dtype="str"),
            "member_id": pd.array(member, dtype="str"),
            "status": pd.array(status, dtype="str"),
            "_file": pd.Categorical(
                np.repeat(np.array([p[2] for p in parts], dtype=object), sizes)
            ),
            "_sheet": pd.Categorical(
                np.repeat(np.array([p[3] for p in parts], dtype=object), sizes)
            ),
        }
    )
    rows = np.concatenate([part[1] for part in parts])
    footer = tuple(f for part in parts for f in part[4])
    return RawSheet(
        base, _MERGED, frame, rows, "", (), ("meeting_id", "member_id", "status"), 1, (), footer
    )


def _empty_table(table: Table) -> pd.DataFrame:
    out = pd.DataFrame({c.name: _empty_column(c) for c in table.columns})
    return out.assign(_file=pd.Series(dtype="category"), _sheet=pd.Series(dtype="category"),
                      _row=pd.Series(dtype="int64"))  # fmt: skip


def _table_of_file(path: Path) -> Table | None:
    """The table a file's name stands for (``members.csv``, ``Đảng viên 2022.xlsx``), or None."""
    table = match_table(path.stem)
    if table is not None:
        return table
    stem = fold(path.stem)
    for candidate in TABLES.values():
        for spelling in candidate.file_spellings():
            if stem.startswith(fold(spelling) + " "):
                return candidate
    return None


def _tail_complete(raw: RawSheet, table: str, matcher: HeaderMatcher, n: int = 10) -> bool:
    """Whether the last rows of a CSV read whole hold every required value (no footer there).

    A signature footer under the data would otherwise be read as bad records: such a file
    is read again through :func:`~chibo_analysis.intake.layout.locate`, which skips it.
    """
    required = {c.name for c in TABLES[table].required_columns if not c.nullable}
    written = raw.headers or tuple(str(c) for c in raw.frame.columns)
    cols = [
        c for c, h in zip(raw.frame.columns, written, strict=True) if matcher.column(h) in required
    ]
    tail = raw.frame[cols].tail(n)
    if tail.empty:
        return True
    blank = tail.isna() | tail.astype(str).apply(lambda s: s.str.strip().eq(""))
    return not bool(blank.to_numpy().any())


def _dated(header: list) -> bool:
    """Whether a header row has a date among its headers (a paper register's meeting columns)."""
    from chibo_analysis.intake.register import _date_of

    return any(_date_of(h) is not None for h in header)


def _read_located(
    path: Path, hint: str | None, matchers: dict, wanted: tuple[str, ...]
) -> tuple[list[tuple[str, RawSheet]], list[tuple[Path, str | None]]]:
    """The tables one file holds, and its sheets (or itself) that hold none."""
    suffix = path.suffix.lower()
    if path.stat().st_size == 0:  # a file of 0 bytes holds no table; the loader says so
        return [(hint, empty_sheet(path, sha256_of(b"")))], []
    if suffix in XLSX_SUFFIXES:
        return _read_workbook(path, hint, matchers, wanted)
    raw = read_csv_file(path) if suffix in CSV_SUFFIXES else read_parquet_file(path)
    if raw.empty:
        return [(hint, raw)], []
    header = [list(raw.headers or raw.frame.columns)]
    loc = locate(header, matchers, hint)
    if (
        loc is not None
        and loc.complete
        and not _dated(header[0])
        and (suffix not in CSV_SUFFIXES or _tail_complete(raw, loc.table, matchers[loc.table]))
    ):
        return ([(loc.table, raw)] if loc.table in wanted else []), []
    if suffix in CSV_SUFFIXES:  # a title block above the header, or a paper register
        grid, digest, encoding = read_csv_grid(path)
        loc = locate(grid, matchers, hint)
        reg = find_register(grid, path, None, digest)
        if reg is not None and (loc is None or not loc.complete or loc.table == "members"):
            return ([("attendance", reg)] if "attendance" in wanted else []), []
        if loc is not None and loc.complete:
            if loc.table not in wanted:
                return [], []
            converted = (("", encoding, ""),) if encoding else ()
            return [(loc.table, raw_from_grid(path, None, grid, digest, loc, converted))], []
    if hint is not None:  # named after a table: say which columns it lacks
        return ([(hint, raw)] if hint in wanted else []), []
    return [], [(path, None)]


def _read_workbook(
    path: Path, hint: str | None, matchers: dict, wanted: tuple[str, ...]
) -> tuple[list[tuple[str, RawSheet]], list[tuple[Path, str | None]]]:
    digest = sha256_of(path.read_bytes())
    sheets, unread = [], []
    grids = read_workbook_grids(path)
    blank = 0
    for sheet, grid in grids:
        if not any(filled(v) for row in grid for v in row):
            blank += 1
            continue  # an empty sheet holds nothing to read
        named = match_table(sheet)
        grid, converted = convert_legacy_columns(grid)
        loc = locate(grid, matchers, named.name if named else hint)
        maybe = loc is None or not loc.complete or loc.table == "members"
        reg = find_register(grid, path, sheet, digest) if maybe else None
        if reg is not None and converted:
            reg = dataclasses.replace(reg, converted=converted)
        if reg is not None:
            if "attendance" in wanted:  # a member per row and a meeting per column
                sheets.append(("attendance", reg))
        elif loc is not None and loc.complete:
            if loc.table in wanted:
                raw = raw_from_grid(path, sheet, grid, digest, loc, converted)
                sheets.append((loc.table, raw))
        elif named is not None or (hint is not None and len(grids) == 1):
            table = named.name if named else hint
            if table in wanted:  # named after a table: say which columns it lacks
                sheets.append((table, read_workbook_sheet(path, sheet, digest)))
        else:
            unread.append((path, sheet))
    if blank == len(grids):  # every sheet empty: the workbook holds nothing
        return [(hint, empty_sheet(path, digest))], []
    return sheets, unread


#: Header matchers by (table, codebook), built once (a city has thousands of sheets).
_MATCHERS: dict[tuple, HeaderMatcher] = {}


def _map_headers(
    table: Table, raw: RawSheet, where: str, book: Codebook | None = None
) -> tuple[dict[str, str], list[tuple[str, str | None]]]:
    """Map the file's headers to canonical column names (the codebook's first).

    Returns the mapping (frame column -> schema column) and the headers not
    read, each with the closest column's Vietnamese header (or None). A row
    number column (STT) is neither. Two headers standing for one column
    cannot be read without a guess: :class:`DataReadError` names both.
    """
    key = (table.name, tuple(sorted(book.headers_for(table.name).items())) if book else ())
    matcher = _MATCHERS.get(key)
    if matcher is None:
        matcher = HeaderMatcher.of(table, book.headers_for(table.name) if book else None)
        if len(_MATCHERS) > 256:
            _MATCHERS.clear()
        _MATCHERS[key] = matcher
    written = raw.headers or tuple(str(c) for c in raw.frame.columns)
    mapping: dict[str, str] = {}
    unread: list[tuple[str, str | None]] = []
    where_of: dict[str, int] = {}
    for position, (key, header) in enumerate(zip(raw.frame.columns, written, strict=True)):
        name = matcher.column(header)
        if name is None:
            if is_row_number(header):
                continue
            if not str(header).strip() or str(header).startswith("(column "):
                # a column without a header: nothing to read, unless it holds values
                values = raw.frame[key]
                text = values.astype("object").where(values.notna(), "").astype(str).str.strip()
                if not text.astype(bool).any():
                    continue
                header = f"(cột {position + 1} không có tiêu đề / column {position + 1}, no header)"
            unread.append((str(header), matcher.suggest(header)))
            continue
        if name in where_of:
            first = where_of[name]
            one, two = _short(written[first]), _short(header)
            raise catalogued(
                DataReadError, "duplicate_column", where=where, one=one, two=two,
                first=first + 1, second=position + 1,
                column={"en": f"{name} ('{table.column(name).vi}')", "vi": f"'{table.column(name).vi}'"},
            )  # fmt: skip
        where_of[name] = position
        mapping[key] = name
    missing = [c for c in table.required_columns if c.name not in mapping.values()]
    if missing:
        required = table.required_columns
        hints = {
            lang: "".join(
                error_message("header_hint", {"header": _short(h), "column": c}, lang)
                for h, c in unread
                if c
            )
            for lang in ("en", "vi")
        }
        raise catalogued(
            DataReadError, "columns_missing", where=where,
            missing={
                "en": ", ".join(f"{c.name} ('{c.vi}')" for c in missing),
                "vi": ", ".join(f"{c.vi} ({c.name})" for c in missing),
            },
            table={"en": f"{table.name} ('{table.vi}')", "vi": table.vi},
            expected={
                "en": "; ".join(f"{c.name} ('{c.vi}')" for c in required),
                "vi": ", ".join(c.vi for c in required),
            },
            found=_short(", ".join(map(str, written))) or ("none", {}),
            hints=hints,
        )  # fmt: skip
    return mapping, unread


def _conversion_issues(table: Table, raw: RawSheet, rel: str) -> pd.DataFrame:
    """One ``encoding_converted`` warning per file or column read through a conversion."""
    if not raw.converted:
        return empty_issues()
    frame = pd.DataFrame(
        {"_file": rel, "_sheet": raw.sheet or "", "_row": raw.header_row},
        index=[-1] * len(raw.converted),
    )
    values = pd.Series([example for _, _, example in raw.converted], index=frame.index)
    en, vi = [], []
    for column, encoding, example in raw.converted:
        name = ENCODING_NAMES.get(encoding, encoding)
        where_en = f"column '{_short(column)}'" if column else "the file"
        where_vi = f"cột '{_short(column)}'" if column else "tệp"
        seen = f" ('{example[:60]}' was written)" if example else ""
        en.append(f"{where_en}: text in {name} converted to Unicode{seen}; check a few values")
        vi.append(
            f"{where_vi}: văn bản mã {name} đã được chuyển sang Unicode; hãy soát vài giá trị"
        )
    out = make_issues(frame, table.name, "encoding_converted", "", values, en, vi)
    return out.assign(column=[_short(c) for c, _, _ in raw.converted])


def _footer_issues(table: Table, footers: list[tuple[str, str, int, str]]) -> pd.DataFrame:
    """One ``footer_skipped`` note per row under the data that was not read (a signature block).

    ``footers`` holds (file, sheet, row, text) of every sheet of the table, noted at once.
    """
    if not footers:
        return empty_issues()
    frame = pd.DataFrame(footers, columns=["_file", "_sheet", "_row", "text"])
    frame.index = [-1] * len(frame)
    return make_issues(
        frame,
        table.name,
        "footer_skipped",
        "",
        frame["text"],
        "row under the data without the table's required values (a signature footer, a place "
        "and date line): not read",
        "dòng dưới bảng dữ liệu, không có các giá trị bắt buộc (phần ký tên, địa danh và "
        "ngày tháng): không đọc",
    )


def _unread_column_issues(table: Table, raw: RawSheet, rel: str, unread) -> pd.DataFrame:
    """One ``unread_column`` warning per header that matches no column of ``table``."""
    if not unread:
        return empty_issues()
    frame = pd.DataFrame(
        {"_file": rel, "_sheet": raw.sheet or "", "_row": raw.header_row},
        index=[-1] * len(unread),
    )
    headers = pd.Series([h for h, _ in unread], index=frame.index)
    shown = [_short(h) for h, _ in unread]
    en = pd.Series(
        [
            f"column '{h}' matches no column of {table.name} and was not read"
            + (f"; did you mean '{s}'?" if s else "; map it in a codebook if it should be")
            for h, (_, s) in zip(shown, unread, strict=True)
        ],
        index=frame.index,
    )
    vi = pd.Series(
        [
            f"cột '{h}' không ứng với cột nào của bảng {table.vi} nên không được đọc"
            + (f"; có phải là '{s}'?" if s else "; khai báo trong codebook nếu cần đọc")
            for h, (_, s) in zip(shown, unread, strict=True)
        ],
        index=frame.index,
    )
    return make_issues(frame, table.name, "unread_column", "", headers, en, vi).assign(column=shown)


def _build_table(
    table: Table, raws: list[RawSheet], base: Path, book: Codebook | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, tuple[str, ...]]:
    parts = []
    bad_rows = []
    unread_issues: list[pd.DataFrame] = []
    footers: list[tuple[str, str, int, str]] = []
    for raw in raws:
        if raw.sheet is _MERGED:  # registers: columns named by the reader, footers placed
            mapping = {c: c for c in ("meeting_id", "member_id", "status")}
            footers.extend(raw.footer)
        else:
            where = _rel(raw.path, base) + (f" [{raw.sheet}]" if raw.sheet else "")
            mapping, unread = _map_headers(table, raw, where, book)
            unread_issues.append(_unread_column_issues(table, raw, _rel(raw.path, base), unread))
            footers.extend(
                (_rel(raw.path, base), raw.sheet or "", r, text) for r, text in raw.footer
            )
        unread_issues.append(_conversion_issues(table, raw, _rel(raw.path, base)))
        part = raw.frame[list(mapping)].rename(columns=mapping)
        if raw.sheet is _MERGED:  # registers merged: each row keeps its own file and sheet
            part = part.assign(_file=raw.frame["_file"], _sheet=raw.frame["_sheet"], _row=raw.rows)
        else:
            part = part.assign(_file=_rel(raw.path, base), _sheet=raw.sheet or "", _row=raw.rows)
        parts.append(part)
        for row, text in raw.bad_rows:
            bad_rows.append(
                {
                    "_file": _rel(raw.path, base),
                    "_sheet": raw.sheet or "",
                    "_row": row,
                    "text": text,
                }
            )
    frame = (
        pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0].reset_index(drop=True)
    )

    unread_issues.append(_footer_issues(table, footers))
    issues = [u for u in unread_issues if not u.empty]
    typed = {}
    absent: list[str] = []
    for column in table.columns:
        if column.name not in frame.columns:
            typed[column.name] = _empty_column(column)
            absent.append(column.name)
            continue
        raw_col = frame[column.name]
        extra = book.values_for(table.name, column.name) if book is not None else None
        parsed = parse_column(raw_col, column, extra)
        typed[column.name] = parsed.values
        if parsed.controls is not None:
            rows = frame.loc[parsed.controls]
            issues.append(
                make_issues(
                    rows, table.name, "control_characters", column.name, raw_col[rows.index],
                    f"{column.name}: control characters (NUL, ␀ and the like, shown as marks) "
                    "removed; the rest of the value was read as written",
                    f"{column.vi}: đã bỏ các ký tự điều khiển (NUL…, hiện bằng ký hiệu như ␀); "
                    "phần còn lại được đọc như đã ghi",
                )
            )  # fmt: skip
        failed = parsed.errors.notna()
        for code in pd.unique(parsed.errors[failed]):
            rows = frame.loc[parsed.errors == code]
            en, vi = _message(column, code, parsed.values[rows.index])
            issues.append(
                make_issues(
                    rows, table.name, code, column.name, raw_col[rows.index], en, vi,
                    action=_action(table, column.name, code),
                )
            )  # fmt: skip
        if not column.nullable:
            empty = pd.Series(parsed.blank, index=frame.index)
            if empty.any():
                rows = frame.loc[empty]
                issues.append(
                    make_issues(
                        rows,
                        table.name,
                        "missing_value",
                        column.name,
                        raw_col[rows.index],
                        f"{column.name} is required and empty",
                        f"thiếu {column.vi} (bắt buộc)",
                        action=_action(table, column.name, "missing_value"),
                    )
                )
    out = pd.DataFrame(typed, index=frame.index)
    for name in SOURCE_COLUMNS:
        out[name] = (
            frame[name].astype("category") if name != "_row" else frame[name].astype("int64")
        )
    if bad_rows:
        bad = pd.DataFrame(bad_rows)
        en, vi = REASONS["bad_row"][1], REASONS["bad_row"][2]
        issues.append(
            make_issues(bad, table.name, "bad_row", "", bad["text"], en, vi).assign(index=-1)
        )
    result = pd.concat(issues, ignore_index=True) if issues else empty_issues()
    return out, result, tuple(absent)


def _action(table: Table, column: str, code: str) -> str | None:
    """What cleaning does about an error in ``column``: set the row aside or blank the value."""
    from chibo_analysis.problems import severity_of

    if severity_of(code) == "warning":
        return None
    return "set_aside" if column in table.essential else "blanked"


#: Sheet names (folded) of instructions, as the template's first sheet: noted, not warned about.
INSTRUCTION_SHEETS = (
    "huong dan",
    "instructions",
    "huong dan nhap lieu",
    "readme",
    "danh muc",
    "lists",
)


def _check_empty_required(empty, sheets, registers) -> None:
    """Raise :class:`DataReadError` when a required table's only files are empty."""
    for table in dict.fromkeys(t for t, _ in empty if t is not None and TABLES[t].required):
        if sheets.get(table) or (table == "attendance" and registers):
            continue  # another file holds the table: the empty one is only listed
        files = ", ".join(str(raw.path) for t, raw in empty if t == table)
        spec = TABLES[table]
        raise catalogued(
            DataReadError, "empty_required", files=files,
            table={"en": spec.name, "vi": spec.vi},
            columns={
                "en": ", ".join(c.name for c in spec.required_columns),
                "vi": ", ".join(c.vi for c in spec.required_columns),
            },
        )  # fmt: skip


def _empty_issues(files: list[tuple[str, str | None]]) -> pd.DataFrame:
    """One ``empty_file`` warning per file that holds nothing (table "" if its name says none)."""
    frame = pd.DataFrame(
        {"_file": [f for f, _ in files], "_sheet": "", "_row": 1}, index=[-1] * len(files)
    )
    en = [
        f"the file is empty, so table {t} is treated as not supplied (its indicators are left "
        "out); if it should hold records, export it again"
        if t
        else "the file is empty and was not read"
        for _, t in files
    ]
    vi = [
        f"tệp trống nên coi như không có bảng {TABLES[t].vi} (các chỉ tiêu dựa vào bảng này "
        "bị bỏ qua); nếu bảng có dữ liệu, hãy xuất lại tệp"
        if t
        else "tệp trống, không được đọc"
        for _, t in files
    ]
    out = make_issues(frame, "", "empty_file", "", pd.Series("", index=frame.index), en, vi)
    return out.assign(table=[t or "" for _, t in files])


def _unread_issues(places: list[tuple[str, str | None]]) -> pd.DataFrame:
    """One warning per data file (``unread_file``) or sheet (``unread_sheet``) holding no table."""
    out = []
    notes = [(f, s) for f, s in places if s is not None and fold(s) in INSTRUCTION_SHEETS]
    if notes:
        frame = pd.DataFrame(
            {"_file": [f for f, _ in notes], "_sheet": [s for _, s in notes], "_row": 1},
            index=[-1] * len(notes),
        )
        out.append(
            make_issues(
                frame,
                "",
                "instructions_sheet",
                "",
                pd.Series([s for _, s in notes], index=frame.index),
                "a sheet of instructions (as in the template): not read",
                "trang hướng dẫn (như trong biểu mẫu): không đọc",
            )
        )
    places = [p for p in places if p not in notes]
    for sheet_level in (False, True):
        chosen = [(f, s) for f, s in places if (s is not None) == sheet_level]
        if not chosen:
            continue
        frame = pd.DataFrame(
            {"_file": [f for f, _ in chosen], "_sheet": [s or "" for _, s in chosen], "_row": 1},
            index=[-1] * len(chosen),
        )
        what_en, what_vi = ("sheet", "trang tính") if sheet_level else ("file", "tệp")
        out.append(
            make_issues(
                frame,
                "",
                "unread_sheet" if sheet_level else "unread_file",
                "",
                pd.Series([s or f for f, s in chosen], index=frame.index),
                f"no table was found in this {what_en} (no header row names the required "
                "columns of any table), so it was not read; see docs/data-format.md for the "
                "headers of each table, or map your headers in a codebook",
                f"không tìm thấy bảng nào trong {what_vi} này (không có dòng tiêu đề nào ghi "
                "đủ các cột bắt buộc của một bảng) nên không được đọc; xem docs/data-format.md "
                "hoặc khai báo tiêu đề trong codebook",
            )
        )
    return pd.concat(out, ignore_index=True) if out else empty_issues()


def _empty_column(column) -> pd.Series:
    dtype = {
        "id": "str",
        "text": "str",
        "date": "datetime64[ns]",
        "month": "datetime64[ns]",
        "int": "Int64",
        "amount": "Int64",
        "bool": "boolean",
    }.get(column.kind)
    if column.kind == "category":
        return pd.Series(pd.Categorical([], categories=list(column.codes)))
    return pd.Series(dtype=dtype)


def _message(column, code: str, read: pd.Series) -> tuple[str | pd.Series, str | pd.Series]:
    """The English and Vietnamese messages of ``code`` for values of ``column``.

    ``read`` holds what was read from each value (empty where nothing was).
    """
    if code == "lenient_value" and column.kind in ("date", "month"):
        text = read.dt.strftime("%d/%m/%Y").astype("object")
        return (
            f"{column.name}: a whole number read as an Excel date serial ('" + text + "'); "
            "check it, or type the date as dd/mm/yyyy",
            f"{column.vi}: số nguyên được đọc là ngày theo số seri của Excel ('" + text + "'); "
            "hãy kiểm tra, hoặc ghi ngày dạng dd/mm/yyyy",
        )
    if code == "month_first":
        return (
            f"{column.name}: this column holds a date that only reads month first (a month "
            "over 12 otherwise), the mark of dates typed US style; its dates with day and month "
            "both 12 or less cannot be read without a guess: write the column day first "
            "(dd/mm/yyyy)",
            f"{column.vi}: cột có ngày chỉ đọc được nếu tháng đứng trước (kiểu Mỹ), nên các ngày "
            "có ngày và tháng đều không quá 12 không đọc được mà không đoán: hãy ghi ngày trước "
            "(dd/mm/yyyy)",
        )
    if code == "lenient_value":
        if column.kind == "category":
            vi_text = read.astype("object").map(lambda c: column.label(str(c), "vi"))
            en_text = read.astype("object").astype(str)
        else:
            vi_text = en_text = shorten_texts(read.astype("object").astype(str))
        return (
            f"{column.name}: read as '" + en_text + "' after ignoring punctuation or "
            "invisible characters; check the value, or map it in a codebook",
            f"{column.vi}: đọc là '" + vi_text + "' sau khi bỏ dấu câu hoặc ký tự ẩn; "
            "kiểm tra lại giá trị, hoặc khai báo trong codebook",
        )
    if code == "ambiguous_value":
        allowed = ", ".join(f"{c.vi} ({c.code})" for c in column.choices)
        return (
            f"{column.name}: this mark could mean more than one value (for an absence: with or "
            f"without a valid reason), so it is not guessed; write one of {allowed}, or map the "
            f"mark in a codebook (values: {{{column.name}: {{MARK: CODE}}}})",
            f"{column.vi}: ký hiệu này có thể hiểu nhiều cách (vắng có lý do hay không có lý "
            f"do), nên không được đoán; ghi một trong: {allowed}, hoặc khai báo ký hiệu trong "
            "codebook",
        )
    if code == "year_only":
        return (
            f"{column.name}: a year alone is not a date; write the full date (dd/mm/yyyy), or "
            "leave it empty if the day is not known",
            f"{column.vi}: chỉ có năm, chưa phải ngày; ghi đủ ngày (dd/mm/yyyy) hoặc để trống",
        )
    if code == "not_a_date":
        return (
            f"{column.name}: this column holds whole numbers where dates are expected (day "
            "counts?); they are not guessed: store the column as dates",
            f"{column.vi}: cột này chứa số nguyên thay vì ngày; không đoán: hãy lưu cột dạng ngày",
        )
    if code == "swapped_date":
        return (
            f"{column.name}: this date cell is probably month/day swapped: the column also "
            "holds day-first text with a day over 12, the mark of dd/mm typed into an "
            "English-locale Excel; retype the column as text dd/mm/yyyy, or format it as dates "
            "in a Vietnamese-locale Excel",
            f"{column.vi}: ô ngày này có thể bị đảo ngày/tháng (cột có cả chữ dạng ngày/tháng "
            "với ngày lớn hơn 12: dấu hiệu gõ dd/mm vào Excel cài đặt tiếng Anh); hãy gõ lại "
            "cột dạng dd/mm/yyyy",
        )
    if code == "not_allowed":
        allowed = ", ".join(f"{c.vi} ({c.code})" for c in column.choices) or "Có, Không"
        return (
            f"{column.name}: not an allowed value; expected one of: {allowed}",
            f"{column.vi}: giá trị không được phép; cần một trong: {allowed}",
        )
    if code == "impossible_date":
        return (f"{column.name}: this date does not exist", f"{column.vi}: ngày không tồn tại")
    if code == "out_of_range":  # a whole number too large for any count or amount
        limit_vi = f"{INT_MAX:,}".replace(",", ".")
        return (
            f"{column.name}: this number is too large to be read (over {INT_MAX:,}); check it",
            f"{column.vi}: số quá lớn, không đọc được (trên {limit_vi}); hãy kiểm tra lại",
        )
    return (
        f"{column.name}: cannot read this value; expected {_EXPECTED.get(column.kind, 'text')}",
        f"{column.vi}: không đọc được; cần {_EXPECTED_VI.get(column.kind, 'văn bản')}",
    )
