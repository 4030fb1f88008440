"""The columnar engine: the rule facts and the scorecard's counts as DuckDB queries.

One implementation of each count of DOMAIN.md §4, written once in SQL and run
by DuckDB (embedded, no server) over either

- the frames of a cleaned :class:`~chibo_analysis.dataset.Dataset` in memory
  (:func:`frames_relations`: an audit, a notebook, the tests), or
- a prepared store of Parquet files partitioned by committee and base
  organisation (:mod:`chibo_analysis.indicators.store`: a province, the nation),
  read by DuckDB as it streams, out of core.

The readings of §4 are those written in :mod:`.scorecard` and :mod:`.roll`
(roll and lifetime boundaries, the left-out rule of R4, runs of excused
absences from 1 January, R6 months per calendar year, home cells, the latest
inspection of a meeting). Ties are broken as the pandas tables order their
rows: ``_pos`` is a row's position in its table.

Each relation the queries read has the columns of :mod:`chibo_analysis.schema`
plus ``_pos`` (``members``, ``inspections``); tables that are absent are simply
not read (their counts are 0 here and made empty by :mod:`.scorecard`).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

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
        "exempt_until", "_pos",
    ],
    "meetings": [
        "meeting_id", "cell_id", "held_on", "kind", "duration_min", "self_rating",
        "superior_attended", "n_summoned", "n_present", "n_excused", "n_absent",
    ],
    "attendance": ["meeting_id", "member_id", "status"],
    "dues": ["member_id", "month", "paid_on"],
    "inspections": ["meeting_id", "inspected_on", "rating", "_row", "_pos"],
}  # fmt: skip


def _day(value: pd.Timestamp) -> str:
    return f"TIMESTAMP '{pd.Timestamp(value):%Y-%m-%d}'"


def _points(column: str) -> str:
    """SQL for the 0-3 points of a rating (``schema.RATING_POINTS``)."""
    from chibo_analysis.schema import RATING_POINTS

    whens = " ".join(f"WHEN '{k}' THEN {v}" for k, v in RATING_POINTS.items())
    return f"(CASE CAST({column} AS VARCHAR) {whens} END)"


def register_sql(period: Period) -> str:
    """CTEs for the register from 1 January of the period's first year to its end.

    ``context``: the meetings of that span; ``reg``: their register rows with
    ``left_out`` (R4); ``runpos``: counted rows with ``run_pos``, the
    position of an excused row in its run (0 for other rows), runs following a
    member's rows in one cell by date then meeting id and restarting each year.
    ``runpos`` holds only the member, cell and year groups with more than
    R4's limit of excused rows: elsewhere no run can pass it.
    """
    run = standards.R4_MAX_EXCUSED_RUN
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
    WHERE held_on >= {_day(period.year_start)} AND held_on <= {_day(period.end)}
),
exemptions AS (
    SELECT member_id, cell_id, CAST(exempt_from AS DATE) AS exempt_from,
           CAST(exempt_until AS DATE) AS exempt_until
    FROM members WHERE exempt_from IS NOT NULL
),
reg0 AS (
    SELECT a.member_id, CAST(a.status AS VARCHAR) AS status, c.meeting_id, c.cell_id,
           c.held_on, year(c.held_on) AS year
    FROM attendance a JOIN context c ON a.meeting_id = c.meeting_id
),
exempted AS (
    SELECT DISTINCT r.meeting_id, r.member_id
    FROM reg0 r JOIN exemptions e
      ON e.member_id = r.member_id AND e.cell_id = r.cell_id
     AND e.exempt_from <= r.held_on AND (e.exempt_until IS NULL OR r.held_on <= e.exempt_until)
),
reg AS (
    SELECT r.*, (coalesce(r.status = 'exempt', false) OR x.member_id IS NOT NULL) AS left_out
    FROM reg0 r LEFT JOIN exempted x
      ON x.meeting_id = r.meeting_id AND x.member_id = r.member_id
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


def facts_sql(period: Period) -> str:
    """CTEs ending in ``facts``: R3 and R4 facts of every meeting of ``context``.

    The columns of :func:`.standards.meeting_facts`: ``n_rows``, ``n_counted``,
    ``n_present``, ``n_excused``, ``n_absent``, ``n_streak``, ``min_minutes``,
    ``short``, ``low_presence``, ``standard``, ``good``, ``implausible_good``,
    plus the register as written (``r_summoned`` ... ``r_absent``) for the
    minutes comparison.
    """
    share = standards.R4_MIN_PRESENT_SHARE
    run = standards.R4_MAX_EXCUSED_RUN
    return (
        register_sql(period)
        + f""",
tally AS (
    SELECT meeting_id, count(*) AS n_rows,
           count(*) FILTER (WHERE NOT left_out) AS n_counted,
           count(*) FILTER (WHERE NOT left_out AND status = 'present') AS n_present,
           count(*) FILTER (WHERE NOT left_out AND status = 'excused') AS n_excused,
           count(*) FILTER (WHERE NOT left_out AND status = 'absent') AS n_absent,
           count(*) FILTER (WHERE status IS DISTINCT FROM 'exempt') AS r_summoned,
           count(*) FILTER (WHERE status = 'present') AS r_present,
           count(*) FILTER (WHERE status = 'excused') AS r_excused,
           count(*) FILTER (WHERE status = 'absent') AS r_absent
    FROM reg GROUP BY meeting_id
),
streak AS (
    SELECT meeting_id, count(*) AS n_streak FROM runpos WHERE run_pos > {run} GROUP BY meeting_id
),
facts0 AS (
    SELECT c.*, coalesce(t.n_rows, 0) AS n_rows, coalesce(t.n_counted, 0) AS n_counted,
           coalesce(t.n_present, 0) AS n_present, coalesce(t.n_excused, 0) AS n_excused,
           coalesce(t.n_absent, 0) AS n_absent, coalesce(s.n_streak, 0) AS n_streak,
           coalesce(t.r_summoned, 0) AS r_summoned, coalesce(t.r_present, 0) AS r_present,
           coalesce(t.r_excused, 0) AS r_excused, coalesce(t.r_absent, 0) AS r_absent,
           coalesce(c.duration_min < c.min_minutes, false) AS short,
           NOT coalesce(t.n_present / nullif(t.n_counted, 0) > {share}, false) AS low_presence,
           coalesce(CAST(c.self_rating AS VARCHAR) = 'good', false) AS good
    FROM context c
    LEFT JOIN tally t ON t.meeting_id = c.meeting_id
    LEFT JOIN streak s ON s.meeting_id = c.meeting_id
),
facts AS (
    SELECT *, (NOT low_presence AND n_absent = 0 AND n_streak = 0) AS standard,
           good AND (short OR NOT (NOT low_presence AND n_absent = 0 AND n_streak = 0))
               AS implausible_good,
           coalesce(w_summoned <> r_summoned, false) OR coalesce(w_present <> r_present, false)
           OR coalesce(w_excused <> r_excused, false) OR coalesce(w_absent <> r_absent, false)
               AS mismatch
    FROM facts0
)"""
    )


def counts_sql(period: Period, tables: set[str]) -> str:
    """The query of :data:`CELL_COUNTS` for every cell (``cell_id`` first).

    ``tables``: the relations present; without ``dues`` or ``inspections``
    their counts are 0 (the scorecard makes them empty).
    """
    start, end = _day(period.start), _day(period.end)
    next_day = f"({end} + INTERVAL 1 DAY)"
    run = standards.R4_MAX_EXCUSED_RUN
    months_r6 = standards.R6_MONTHS
    parts = [
        facts_sql(period),
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
),
flag_meet AS (  -- R6: members with unexcused absences in 3 months of one year
    SELECT DISTINCT member_id FROM (
        SELECT member_id, year FROM reg WHERE status = 'absent' AND NOT left_out
        GROUP BY member_id, year
        HAVING count(DISTINCT date_trunc('month', held_on)) >= {months_r6})
),""",
    ]
    if "dues" in tables:
        parts.append(
            f"""
flag_dues AS (  -- R6: members with 3 unpaid months in one year
    SELECT DISTINCT member_id FROM (
        SELECT member_id, year(month) AS year FROM dues
        WHERE month >= {_day(period.year_start)} AND month <= {end} AND paid_on IS NULL
        GROUP BY member_id, year(month) HAVING count(DISTINCT month) >= {months_r6})
),"""
        )
    else:
        parts.append("\nflag_dues AS (SELECT NULL::VARCHAR AS member_id WHERE false),")
    parts.append(
        f"""
home AS (  -- the cell each flagged member counts in (roll.home_cells)
    SELECT member_id, cell_id FROM (
        SELECT member_id, cell_id, row_number() OVER (
            PARTITION BY member_id ORDER BY
                CASE WHEN (joined_on IS NULL OR joined_on <= {end})
                          AND (left_on IS NULL OR left_on > {end}) THEN 0
                     WHEN left_on IS NOT NULL AND left_on <= {end} THEN 1 ELSE 2 END,
                left_on DESC NULLS FIRST, joined_on DESC NULLS LAST, _pos
        ) AS rn
        FROM members
        WHERE member_id IN (SELECT member_id FROM flag_meet UNION SELECT member_id FROM flag_dues)
    ) WHERE rn = 1
),
flagged AS (
    SELECT h.cell_id,
        count(*) FILTER (WHERE h.member_id IN (SELECT member_id FROM flag_meet))
            AS flagged_meetings,
        count(*) FILTER (WHERE h.member_id IN (SELECT member_id FROM flag_dues)) AS flagged_dues
    FROM home h GROUP BY h.cell_id
),
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
            f"""
latest AS (  -- a meeting's latest inspection rating
    SELECT meeting_id, rating FROM (
        SELECT meeting_id, rating, row_number() OVER (
            PARTITION BY meeting_id ORDER BY inspected_on DESC NULLS LAST, _row DESC, _pos DESC
        ) AS rn
        FROM inspections WHERE rating IS NOT NULL
    ) WHERE rn = 1
),
insp AS (
    SELECT m.cell_id, count(*) AS inspected_meetings,
        count(*) FILTER (WHERE {_points("m.self_rating")} = {_points("l.rating")})
            AS rating_agreements,
        sum({_points("m.self_rating")} - {_points("l.rating")}) AS rating_difference
    FROM mt m JOIN latest l ON l.meeting_id = m.meeting_id
    WHERE m.self_rating IS NOT NULL GROUP BY m.cell_id
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


def connect(relations: Mapping[str, pd.DataFrame | str]):
    """An in-memory DuckDB connection on which each relation is a view.

    A relation is a frame (registered without copying) or SQL text that reads
    it (``read_parquet(...)``).
    """
    import duckdb

    con = duckdb.connect()
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
