"""The columnar engine: the rule facts and the scorecard's counts as DuckDB queries.

One implementation of each rule fact and count of DOMAIN.md §4, written once in
SQL and run by DuckDB (embedded, no server) over either

- the frames of a cleaned :class:`~chibo_analysis.dataset.Dataset` in memory
  (:func:`frames_relations`: an audit, a notebook, the tests), or
- a prepared store of Parquet files partitioned by committee
  (:mod:`chibo_analysis.runner.store`: a province, the nation), read by DuckDB
  as it streams, out of core.

The scorecard (:mod:`.scorecard`) counts the facts per cell with
:func:`counts_sql`; the lists and studies read the same facts row by row
(:func:`meeting_facts`, :func:`year_register`, :func:`r6_flags`,
:func:`home_cells`, :func:`latest_inspections`, :func:`register_rows`): there is
no second, pandas version of a rule to drift apart from this one.

The readings of §4 are those written in :mod:`.scorecard` and :mod:`.roll`
(roll and lifetime boundaries, the left-out rule of R4, runs of excused
absences from 1 January, R6 months per calendar year, home cells, the latest
inspection of a meeting). Ties are broken as the pandas tables order their
rows: ``_pos`` is a row's position in its table.

Each relation the queries read has the columns of :data:`NEEDED` (those of
:mod:`chibo_analysis.schema` plus ``_pos``); tables that are absent are simply
not read (their counts are 0 here and made empty by :mod:`.scorecard`).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

import numpy as np
import pandas as pd

from chibo_analysis.checks.minutes_counts import minutes_sql

from . import standards
from .periods import Period

#: The counts :func:`cell_counts` returns per cell, in this order.
CELL_COUNTS = [
    "members", "months_expected", "quarters_expected", "regular_months", "thematic_quarters",
    "meetings", "standard_meetings", "short_meetings", "attendance_present",
    "attendance_counted", "unexcused_absences", "good_self_ratings", "implausible_good",
    "superior_attended", "excused_streaks", "flagged_meetings", "flagged_dues",
    "inspected_meetings", "rating_agreements", "rating_difference", "admissions",
    "minutes_mismatches",
]  # fmt: skip

#: Columns each relation must offer to the queries.
NEEDED = {
    "organisations": ["org_id", "level", "founded_on", "dissolved_on"],
    "members": [
        "member_id", "cell_id", "joined_on", "left_on", "admitted_on", "exempt_from",
        "exempt_until", "_file", "_sheet", "_row", "_pos",
    ],
    "meetings": [
        "meeting_id", "cell_id", "held_on", "kind", "duration_min", "self_rating",
        "superior_attended", "n_summoned", "n_present", "n_excused", "n_absent",
    ],
    "attendance": ["meeting_id", "member_id", "status", "_file", "_sheet", "_row", "_pos"],
    "dues": ["member_id", "month", "paid_on", "_file", "_sheet", "_row", "_pos"],
    "inspections": ["meeting_id", "inspected_on", "rating", "_file", "_sheet", "_row", "_pos"],
}  # fmt: skip


def _day(value: pd.Timestamp) -> str:
    return f"TIMESTAMP '{pd.Timestamp(value):%Y-%m-%d}'"


def _points(column: str) -> str:
    """SQL for the 0-3 points of a rating (``schema.RATING_POINTS``)."""
    from chibo_analysis.schema import RATING_POINTS

    whens = " ".join(f"WHEN '{k}' THEN {v}" for k, v in RATING_POINTS.items())
    return f"(CASE CAST({column} AS VARCHAR) {whens} END)"


def register_sql(start: pd.Timestamp, end: pd.Timestamp, *, every_run: bool = False) -> str:
    """CTEs for the register of the meetings held from ``start`` to ``end``.

    ``context``: the meetings of that span (for the rules, from 1 January of a
    period's first year to its end: runs and R6's months count from there); ``reg``: their register rows with
    ``left_out`` (R4); ``runpos``: counted rows with ``run_pos``, the
    position of an excused row in its run (0 for other rows), runs following a
    member's rows in one cell by date then meeting id and restarting each year.
    ``runpos`` holds only the member, cell and year groups with more than
    R4's limit of excused rows: elsewhere no run can pass it (``every_run``: all groups).
    """
    run = -1 if every_run else standards.R4_MAX_EXCUSED_RUN
    combined = standards.R3_MIN_MINUTES["combined"]
    regular = standards.R3_MIN_MINUTES["regular"]
    assert set(standards.R3_MIN_MINUTES) == {"regular", "thematic", "extraordinary", "combined"}
    assert standards.R3_MIN_MINUTES["thematic"] == standards.R3_MIN_MINUTES["extraordinary"]
    return f"""
context AS (
    SELECT meeting_id, cell_id, CAST(held_on AS DATE) AS held_on, kind, duration_min,
           self_rating, superior_attended, n_summoned AS w_summoned, n_present AS w_present,
           n_excused AS w_excused, n_absent AS w_absent,
           CASE WHEN CAST(kind AS VARCHAR) = 'combined' THEN {combined} ELSE {regular} END
               AS min_minutes
    FROM meetings
    WHERE held_on >= {_day(start)} AND held_on <= {_day(end)}
),
exemptions AS (
    SELECT member_id, cell_id, CAST(exempt_from AS DATE) AS exempt_from,
           CAST(exempt_until AS DATE) AS exempt_until
    FROM members WHERE exempt_from IS NOT NULL
),
reg0 AS (
    SELECT a.member_id, CAST(a.status AS VARCHAR) AS status, c.meeting_id, c.cell_id,
           c.held_on, year(c.held_on) AS year, CAST(a._file AS VARCHAR) AS _file,
           CAST(a._sheet AS VARCHAR) AS _sheet, a._row, a._pos AS apos
    FROM attendance a JOIN context c ON a.meeting_id = c.meeting_id
),
exempted AS (  -- the member's exemption in that cell covers the meeting's day (R4, R8)
    SELECT DISTINCT r.apos
    FROM reg0 r JOIN exemptions e
      ON e.member_id = r.member_id AND e.cell_id = r.cell_id
     AND e.exempt_from <= r.held_on AND (e.exempt_until IS NULL OR r.held_on <= e.exempt_until)
),
reg AS (
    SELECT r.*, (coalesce(r.status = 'exempt', false) OR x.apos IS NOT NULL) AS left_out
    FROM reg0 r LEFT JOIN exempted x ON x.apos = r.apos
),
candidates AS (  -- a run can pass R4's limit only where there are more excused rows
    SELECT member_id, cell_id, year FROM reg WHERE NOT left_out
    GROUP BY member_id, cell_id, year
    HAVING count(*) FILTER (WHERE status = 'excused') > {run}
),
runs AS (
    SELECT r.*, sum(CASE WHEN r.status = 'excused' THEN 0 ELSE 1 END) OVER (
        PARTITION BY r.member_id, r.cell_id, r.year ORDER BY r.held_on, r.meeting_id
        ROWS UNBOUNDED PRECEDING) AS grp
    FROM reg r SEMI JOIN candidates c
      ON c.member_id = r.member_id AND c.cell_id = r.cell_id AND c.year = r.year
    WHERE NOT r.left_out
),
runpos AS (
    SELECT *, CASE WHEN status = 'excused' THEN sum(CASE WHEN status = 'excused' THEN 1 ELSE 0 END)
        OVER (PARTITION BY member_id, cell_id, year, grp ORDER BY held_on, meeting_id
              ROWS UNBOUNDED PRECEDING) ELSE 0 END AS run_pos
    FROM runs
)"""


def facts_sql(start: pd.Timestamp, end: pd.Timestamp) -> str:
    """CTEs ending in ``facts``: R3 and R4 facts of every meeting of ``context``.

    The columns of :data:`FACT_COLUMNS`: ``n_rows``, ``n_counted``,
    ``n_present``, ``n_excused``, ``n_absent``, ``n_streak``, ``min_minutes``,
    ``short``, ``low_presence``, ``standard``, ``good``, ``implausible_good``,
    plus ``mismatch``: the counts written in the minutes disagree with the register
    (:func:`~chibo_analysis.checks.minutes_counts.minutes_sql`, the validator's own
    comparison).
    """
    share = standards.R4_MIN_PRESENT_SHARE
    run = standards.R4_MAX_EXCUSED_RUN
    return (
        register_sql(start, end)
        + """,
tally AS (
    SELECT meeting_id, count(*) AS n_rows,
           count(*) FILTER (WHERE NOT left_out) AS n_counted,
           count(*) FILTER (WHERE NOT left_out AND status = 'present') AS n_present,
           count(*) FILTER (WHERE NOT left_out AND status = 'excused') AS n_excused,
           count(*) FILTER (WHERE NOT left_out AND status = 'absent') AS n_absent
    FROM reg GROUP BY meeting_id
),
written AS (  -- the counts written in the minutes
    SELECT meeting_id, w_summoned AS n_summoned, w_present AS n_present,
           w_excused AS n_excused, w_absent AS n_absent
    FROM context
),
"""
        + minutes_sql("written", "reg")
        + f""",
streak AS (
    SELECT meeting_id, count(*) AS n_streak FROM runpos WHERE run_pos > {run} GROUP BY meeting_id
),
facts0 AS (
    SELECT c.*, coalesce(t.n_rows, 0) AS n_rows, coalesce(t.n_counted, 0) AS n_counted,
           coalesce(t.n_present, 0) AS n_present, coalesce(t.n_excused, 0) AS n_excused,
           coalesce(t.n_absent, 0) AS n_absent, coalesce(s.n_streak, 0) AS n_streak,
           mm.mismatch,
           coalesce(c.duration_min < c.min_minutes, false) AS short,
           NOT coalesce(t.n_present / nullif(t.n_counted, 0) > {share}, false) AS low_presence,
           coalesce(CAST(c.self_rating AS VARCHAR) = 'good', false) AS good
    FROM context c
    LEFT JOIN tally t ON t.meeting_id = c.meeting_id
    LEFT JOIN streak s ON s.meeting_id = c.meeting_id
    LEFT JOIN minutes mm ON mm.meeting_id = c.meeting_id
),
facts AS (
    SELECT *, (NOT low_presence AND n_absent = 0 AND n_streak = 0) AS standard,
           good AND (short OR NOT (NOT low_presence AND n_absent = 0 AND n_streak = 0))
               AS implausible_good
    FROM facts0
)"""
    )


def r6_sql(period: Period, has_dues: bool) -> str:
    """CTEs of R6 (reads ``reg``): ``r6_meet_rows`` and ``r6_dues_rows``, the months that count,
    and ``r6_meet`` / ``r6_dues``, the members with :data:`~.standards.R6_MONTHS` or more of
    them in one calendar year (``member_id``, ``year``, ``n_months``, ``months``).

    Meetings: register rows absent and not left out, from 1 January of the period's first
    year. Dues: rows with ``paid_on`` empty from that day to the period's end (a month
    without a row is missing data, not unpaid), the first row of a member and month.
    """
    need = standards.R6_MONTHS
    end = _day(period.end)

    def flagged(rows: str) -> str:
        return f"""
    SELECT member_id, year, count(DISTINCT month) AS n_months,
           array_to_string(list_sort(list_distinct(list(strftime(month, '%Y-%m')))), ', ')
               AS months
    FROM {rows} GROUP BY member_id, year HAVING count(DISTINCT month) >= {need}"""

    if has_dues:
        dues_rows = f"""
    SELECT member_id, year(month) AS year, CAST(month AS DATE) AS month,
           CAST(_file AS VARCHAR) AS _file, CAST(_sheet AS VARCHAR) AS _sheet, _row, _pos
    FROM (SELECT *, row_number() OVER (PARTITION BY member_id, month ORDER BY _pos) AS k
          FROM dues
          WHERE month >= {_day(period.year_start)} AND month <= {end} AND paid_on IS NULL)
    WHERE k = 1"""
    else:
        dues_rows = """
    SELECT NULL::VARCHAR AS member_id, NULL::BIGINT AS year, NULL::DATE AS month,
           NULL::VARCHAR AS _file, NULL::VARCHAR AS _sheet, NULL::BIGINT AS _row,
           NULL::BIGINT AS _pos WHERE false"""
    return f""",
r6_meet_rows AS (
    SELECT member_id, year, CAST(date_trunc('month', held_on) AS DATE) AS month, meeting_id,
           cell_id, held_on, _file, _sheet, _row, apos
    FROM reg WHERE status = 'absent' AND NOT left_out
),
r6_meet AS ({flagged("r6_meet_rows")}
),
r6_dues_rows AS ({dues_rows}
),
r6_dues AS ({flagged("r6_dues_rows")}
)"""


def home_sql(end: pd.Timestamp, wanted: str) -> str:
    """CTE ``home``: the cell each member of relation ``wanted`` counts in (R6 flags, reviews).

    The cell whose roll holds the member on ``end``; else the last cell they left by then
    (latest ``left_on``); else, for a member never on a roll by then, their latest
    membership row (latest ``joined_on``). Ties go to the earlier row of the members
    table. Columns ``member_id``, ``cell_id``, ``_file``, ``_sheet``, ``_row`` (the row).
    """
    end = _day(end)
    return f"""
home AS (
    SELECT member_id, cell_id, _file, _sheet, _row FROM (
        SELECT member_id, cell_id, CAST(_file AS VARCHAR) AS _file,
               CAST(_sheet AS VARCHAR) AS _sheet, _row, row_number() OVER (
            PARTITION BY member_id ORDER BY
                CASE WHEN (joined_on IS NULL OR joined_on <= {end})
                          AND (left_on IS NULL OR left_on > {end}) THEN 0
                     WHEN left_on IS NOT NULL AND left_on <= {end} THEN 1 ELSE 2 END,
                left_on DESC NULLS FIRST, joined_on DESC NULLS LAST, _pos
        ) AS rn
        FROM members WHERE member_id IN (SELECT member_id FROM {wanted})
    ) WHERE rn = 1
)"""


def pairs_sql(meetings: str) -> str:
    """CTEs ``latest`` and ``pairs``: the meetings of relation ``meetings`` with both a
    self-rating and an inspection rating, the latest inspection of each.

    The latest is the one with the latest ``inspected_on`` (undated ones count as earliest;
    ties go to the later row of the file, then of the table). ``pairs``: ``meeting_id``,
    ``cell_id``, ``held_on``, ``self_rating``, ``rating``, ``agree`` (1 or 0), ``difference``
    (self minus inspection on the 0-3 scale of ``schema.RATING_POINTS``) and the
    inspection's ``_file``, ``_sheet``, ``_row``.
    """
    return f"""latest AS (
    SELECT meeting_id, CAST(rating AS VARCHAR) AS rating, CAST(_file AS VARCHAR) AS _file,
           CAST(_sheet AS VARCHAR) AS _sheet, _row FROM (
        SELECT *, row_number() OVER (
            PARTITION BY meeting_id ORDER BY inspected_on DESC NULLS LAST, _row DESC, _pos DESC
        ) AS rn
        FROM inspections WHERE rating IS NOT NULL
    ) WHERE rn = 1
),
pairs AS (
    SELECT m.meeting_id, m.cell_id, m.held_on, CAST(m.self_rating AS VARCHAR) AS self_rating,
           l.rating, CAST({_points("m.self_rating")} = {_points("l.rating")} AS BIGINT) AS agree,
           {_points("m.self_rating")} - {_points("l.rating")} AS difference,
           l._file, l._sheet, l._row
    FROM {meetings} m JOIN latest l ON l.meeting_id = m.meeting_id
    WHERE m.self_rating IS NOT NULL
)"""


def counts_sql(period: Period, tables: set[str]) -> str:
    """The query of :data:`CELL_COUNTS` for every cell (``cell_id`` first).

    ``tables``: the relations present; without ``dues`` or ``inspections``
    their counts are 0 (the scorecard makes them empty).
    """
    start, end = _day(period.start), _day(period.end)
    next_day = f"({end} + INTERVAL 1 DAY)"
    run = standards.R4_MAX_EXCUSED_RUN
    parts = [
        facts_sql(period.year_start, period.end),
        r6_sql(period, "dues" in tables),
        f""",
cells AS (
    SELECT org_id AS cell_id, founded_on, dissolved_on
    FROM organisations WHERE CAST(level AS VARCHAR) IN ('cell', 'base_cell')
),
months AS (  -- months of the period in which the cell existed on any day
    SELECT c.cell_id, CAST(t.month AS DATE) AS month,
           CAST(date_trunc('quarter', t.month) AS DATE) AS quarter
    FROM cells c, (SELECT unnest(range({start}, {next_day}, INTERVAL 1 MONTH)) AS month) t
    WHERE (c.founded_on IS NULL OR c.founded_on < t.month + INTERVAL 1 MONTH)
      AND (c.dissolved_on IS NULL OR c.dissolved_on >= t.month)
),
mt AS (  -- the period's meetings, within their cell's months
    SELECT f.*, x.month, x.quarter
    FROM facts f JOIN months x
      ON x.cell_id = f.cell_id AND x.month = CAST(date_trunc('month', f.held_on) AS DATE)
    WHERE f.held_on >= {start}
),
per_month AS (
    SELECT cell_id, count(*) AS months_expected, count(DISTINCT quarter) AS quarters_expected
    FROM months GROUP BY cell_id
),
per_meeting AS (
    SELECT cell_id,
        count(DISTINCT month) FILTER (WHERE CAST(kind AS VARCHAR) IN ('regular', 'combined'))
            AS regular_months,
        count(DISTINCT quarter) FILTER (WHERE CAST(kind AS VARCHAR) IN ('thematic', 'combined'))
            AS thematic_quarters,
        count(*) AS meetings, count(*) FILTER (WHERE standard) AS standard_meetings,
        count(*) FILTER (WHERE short) AS short_meetings,
        sum(n_present) AS attendance_present, sum(n_counted) AS attendance_counted,
        sum(n_absent) AS unexcused_absences, count(*) FILTER (WHERE good) AS good_self_ratings,
        count(*) FILTER (WHERE implausible_good) AS implausible_good,
        count(*) FILTER (WHERE superior_attended) AS superior_attended,
        count(*) FILTER (WHERE mismatch) AS minutes_mismatches
    FROM mt GROUP BY cell_id
),
streaks AS (
    SELECT cell_id, count(DISTINCT member_id) AS excused_streaks
    FROM runpos WHERE run_pos > {run} AND held_on >= {start} GROUP BY cell_id
),
roll_end AS (
    SELECT cell_id, count(*) AS members FROM members
    WHERE (joined_on IS NULL OR joined_on <= {end}) AND (left_on IS NULL OR left_on > {end})
    GROUP BY cell_id
)""",
    ]
    parts.append(
        """,
flagged_ids AS (SELECT member_id FROM r6_meet UNION SELECT member_id FROM r6_dues),"""
        + home_sql(period.end, "flagged_ids")
        + """,
flagged AS (
    SELECT h.cell_id,
        count(*) FILTER (WHERE h.member_id IN (SELECT member_id FROM r6_meet))
            AS flagged_meetings,
        count(*) FILTER (WHERE h.member_id IN (SELECT member_id FROM r6_dues)) AS flagged_dues
    FROM home h GROUP BY h.cell_id
),"""
    )
    parts.append(
        f"""
adm AS (  -- admitted in the period, in the cell whose roll held them that day
    SELECT cell_id, count(*) AS admissions FROM (
        SELECT cell_id, row_number() OVER (
            PARTITION BY member_id ORDER BY joined_on NULLS LAST, _pos) AS rn
        FROM members
        WHERE admitted_on >= {start} AND admitted_on <= {end}
          AND (joined_on IS NULL OR joined_on <= admitted_on)
          AND (left_on IS NULL OR left_on > admitted_on)
    ) WHERE rn = 1 GROUP BY cell_id
),"""
    )
    if "inspections" in tables:
        parts.append(
            "\n"
            + pairs_sql("mt")
            + """,
insp AS (
    SELECT cell_id, count(*) AS inspected_meetings, sum(agree) AS rating_agreements,
           sum(difference) AS rating_difference
    FROM pairs GROUP BY cell_id
)"""
        )
    else:
        parts.append(
            """
insp AS (SELECT NULL::VARCHAR AS cell_id, 0 AS inspected_meetings, 0 AS rating_agreements,
         0 AS rating_difference WHERE false)"""
        )
    columns = ",\n    ".join(f"coalesce({c}, 0) AS {c}" for c in CELL_COUNTS)
    parts.append(
        f"""
SELECT c.cell_id,
    {columns}
FROM cells c
LEFT JOIN per_month USING (cell_id) LEFT JOIN per_meeting USING (cell_id)
LEFT JOIN streaks USING (cell_id) LEFT JOIN roll_end USING (cell_id)
LEFT JOIN flagged USING (cell_id) LEFT JOIN adm USING (cell_id) LEFT JOIN insp USING (cell_id)
"""
    )
    return "WITH " + "".join(parts)


def frames_relations(tables: Mapping[str, pd.DataFrame | None]) -> dict[str, pd.DataFrame]:
    """The relations the queries read, from a dataset's frames (absent tables left out)."""
    out = {}
    for name, columns in NEEDED.items():
        frame = tables.get(name)
        if frame is None:
            continue
        have = [c for c in columns if c != "_pos"]
        rel = frame[have]
        if "_pos" in columns:
            rel = rel.assign(_pos=np.arange(len(frame), dtype=np.int64))
        out[name] = rel
    return out


#: What DuckDB may hold in memory for the queries over a store before it spills to
#: disk (the nation's scorecard is held under 6 GB: its joins and aggregates spill).
STORE_MEMORY = "4GB"


def connect(relations: Mapping[str, pd.DataFrame | str], memory_limit: str | None = None):
    """An in-memory DuckDB connection on which each relation is a view.

    A relation is a frame (registered without copying) or SQL text that reads
    it (``read_parquet(...)``). With ``memory_limit`` (``"4GB"``), what does not
    fit spills to a folder under the system's temporary folder (DuckDB deletes
    its files), never to the working folder.
    """
    import os
    import tempfile

    import duckdb

    con = duckdb.connect()
    if memory_limit is not None:
        spill = os.path.join(tempfile.gettempdir(), f"chibo-duckdb-{os.getpid()}")
        con.execute(f"SET memory_limit = '{memory_limit}'")
        con.execute("SET temp_directory = '" + spill.replace("'", "''") + "'")
        con.execute("SET preserve_insertion_order = false")
    for name, rel in relations.items():
        if isinstance(rel, str):
            con.execute(f"CREATE VIEW {name} AS {rel}")
        else:
            con.register(name, rel)
    return con


def cell_counts(con, period: Period, tables: set[str]) -> pd.DataFrame:
    """:data:`CELL_COUNTS` of every cell as int64 (index ``cell_id``), by :func:`counts_sql`."""
    out = con.execute(counts_sql(period, tables)).df()
    out = out.set_index("cell_id")
    return out[CELL_COUNTS].astype("int64")


# --- the rule facts as frames, for the lists and studies (same queries as the counts) ------

#: Columns of :func:`meeting_facts`.
FACT_COLUMNS = [
    "n_rows", "n_counted", "n_present", "n_excused", "n_absent", "n_streak", "min_minutes",
    "short", "low_presence", "standard", "good", "implausible_good",
]  # fmt: skip
#: Columns of :func:`year_register` (the register row's own ``_file``, ``_sheet``, ``_row``).
REGISTER_COLUMNS = [
    "meeting_id", "member_id", "status", "cell_id", "held_on", "year", "left_out", "run_pos",
    "_file", "_sheet", "_row",
]  # fmt: skip


def _query(tables: Mapping[str, pd.DataFrame | None], sql: str) -> pd.DataFrame:
    relations = frames_relations(tables)
    with connect(relations) as con:
        return _dates(con.execute(sql).df())


def _dates(frame: pd.DataFrame) -> pd.DataFrame:
    """Dates as ``datetime64[ns]``, texts as objects and integers as int64, as in the
    dataset's tables."""
    for column in frame.columns:
        values = frame[column]
        if pd.api.types.is_datetime64_any_dtype(values):
            frame[column] = values.astype("datetime64[ns]")
        elif isinstance(values.dtype, pd.StringDtype):
            frame[column] = values.astype(object).where(values.notna(), None)
        elif pd.api.types.is_integer_dtype(values) and values.dtype != np.int64:
            frame[column] = values.astype(np.int64)
    return frame


@functools.lru_cache(maxsize=4)
def _rule_frames(ds, period: Period) -> dict[str, pd.DataFrame]:
    """The facts of one dataset and period, computed once (datasets are immutable)."""
    has_dues = ds.has("dues")
    ctes = "WITH " + facts_sql(period.year_start, period.end) + r6_sql(period, has_dues)
    facts = ", ".join(["meeting_id"] + FACT_COLUMNS)
    register = ", ".join(
        f"r.{c}" if c != "run_pos" else "CAST(coalesce(p.run_pos, 0) AS BIGINT) AS run_pos"
        for c in REGISTER_COLUMNS
    )
    relations = frames_relations(ds.tables)
    out = {}
    with connect(relations) as con:
        queries = {
            "facts": f"SELECT {facts} FROM facts",
            "register": f"SELECT {register} FROM reg r LEFT JOIN runpos p ON p.apos = r.apos "
            "ORDER BY r.apos",
            "r6_meet": "SELECT * FROM r6_meet ORDER BY member_id, year",
            "r6_meet_rows": "SELECT * FROM r6_meet_rows ORDER BY member_id, held_on, apos",
            "r6_dues": "SELECT * FROM r6_dues ORDER BY member_id, year",
            "r6_dues_rows": "SELECT * FROM r6_dues_rows ORDER BY member_id, month",
        }
        for name, select in queries.items():
            out[name] = _dates(con.execute(ctes + "\n" + select).df())
    return out


def meeting_facts(ds, period: Period) -> pd.DataFrame:
    """R3 and R4 facts (:data:`FACT_COLUMNS`) of every meeting from 1 January of the period's
    first year to its end, indexed by ``meeting_id`` (see :func:`facts_sql`)."""
    return _rule_frames(ds, period)["facts"].set_index("meeting_id").copy()


def year_register(ds, period: Period) -> pd.DataFrame:
    """The register rows of the meetings from 1 January of the period's first year to its end.

    Columns :data:`REGISTER_COLUMNS`: ``left_out`` by R4's rule, ``run_pos`` the position
    of an excused row in its run of excused absences (0 for other rows and for rows of a
    member, cell and year with no more than R4's limit of excused rows: no run there can
    pass it). In the register's order.
    """
    return _rule_frames(ds, period)["register"].copy()


def r6_flags(ds, period: Period, ground: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """R6 on ``ground`` (``"meetings"`` or ``"dues"``): the flagged members and the rows behind.

    Returns ``(flagged, rows)``: one row per member and year with
    :data:`~.standards.R6_MONTHS` or more months (``member_id``, ``year``, ``n_months``,
    ``months`` as ``"2022-01, 2022-03, 2022-05"``), and the register (or dues) rows of the
    months that count, with their ``_file``, ``_sheet``, ``_row``.
    """
    key = {"meetings": "r6_meet", "dues": "r6_dues"}[ground]
    frames = _rule_frames(ds, period)
    return frames[key].copy(), frames[key + "_rows"].copy()


def home_cells(members: pd.DataFrame, member_ids, period: Period) -> pd.DataFrame:
    """The cell each member counts in at the end of ``period`` (:func:`home_sql`).

    Returns ``member_id``, ``cell_id`` and the membership row's ``_file``, ``_sheet``,
    ``_row``, one row per member of ``member_ids`` found in ``members``.
    """
    wanted = pd.DataFrame({"member_id": pd.unique(pd.Series(member_ids, dtype=object))})
    relations = frames_relations({"members": members})
    with connect(relations) as con:
        con.register("wanted", wanted)
        sql = "WITH " + home_sql(period.end, "wanted") + " SELECT * FROM home ORDER BY member_id"
        return _dates(con.execute(sql).df())


def latest_inspections(inspections: pd.DataFrame, meetings: pd.DataFrame) -> pd.DataFrame:
    """Meetings of ``meetings`` with a self-rating and an inspection rating (:func:`pairs_sql`),
    in the order of ``meetings``."""
    chosen = meetings[["meeting_id", "cell_id", "held_on", "self_rating"]].assign(
        _order=np.arange(len(meetings))
    )
    relations = frames_relations({"inspections": inspections})
    with connect(relations) as con:
        con.register("chosen", chosen)
        sql = "WITH " + pairs_sql("chosen")
        sql += " SELECT p.* FROM pairs p JOIN chosen c USING (meeting_id) ORDER BY c._order"
        return _dates(con.execute(sql).df())


def register_rows(tables: Mapping[str, pd.DataFrame | None], start, end) -> pd.DataFrame:
    """The register rows of the meetings held from ``start`` to ``end`` with ``left_out``."""
    cols = ", ".join(c for c in REGISTER_COLUMNS if c != "run_pos")
    return _query(
        tables, "WITH " + register_sql(start, end) + f" SELECT {cols} FROM reg ORDER BY apos"
    )
