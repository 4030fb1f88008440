"""Member lists: R6 (meetings, dues), R4 excused streaks, R10 probation, R8 exemptions.

Column conventions are those of :mod:`.lists`: ``_file``/``_row`` of the
member's row in the members table, ``evidence`` for the records behind the
finding. ``full_name`` is personal data: reports shared outside the
inspection team pseudonymise it.
"""

from __future__ import annotations

import pandas as pd

from . import engine, roll, standards
from .evidence import join_evidence, list_context, source_columns
from .periods import Period


def _names(members: pd.DataFrame) -> pd.Series:
    return members.drop_duplicates("member_id", keep="last").set_index("member_id")["full_name"]


def _flag_list(ds, period, inside, ground: str) -> pd.DataFrame:
    flagged, evidence_rows = engine.r6_flags(ds, period, ground)
    home = engine.home_cells(ds.members, flagged["member_id"], period)[
        ["member_id", "cell_id", "_file", "_row"]
    ]
    out = flagged.merge(home, on="member_id")
    out = out[out["cell_id"].isin(inside)]
    ev = join_evidence(evidence_rows, ["member_id", "year"])
    out = out.merge(ev, on=["member_id", "year"], how="left")
    out.insert(1, "full_name", out["member_id"].map(_names(ds.members)))
    cols = ["member_id", "full_name", "cell_id", "year", "n_months", "months", "_file", "_row"]
    return (
        source_columns(out)[cols + ["evidence"]]
        .sort_values(["cell_id", "member_id", "year"])
        .reset_index(drop=True)
    )


def r6_meetings(dataset, period: str | int | Period, org_id: str | None = None) -> pd.DataFrame:
    """Members with unexcused absences in 3+ distinct months of a year (R6, meetings ground).

    The months run from 1 January of each year of the period to its end, over
    every cell the member belonged to; left-out rows (exempt) do not count.
    The member is listed under the cell whose roll holds them at the period's
    end (else the last cell they left in it), as in the scorecard.

    Returns ``member_id``, ``full_name``, ``cell_id``, ``year``,
    ``n_months``, ``months`` (``"2022-09, 2022-11, 2022-12"``), the member's
    row (``_file``, ``_row``) and ``evidence`` (the register rows).
    """
    ds, period, inside = list_context(dataset, period, org_id)
    return _flag_list(ds, period, inside, "meetings")


def r6_dues(dataset, period: str | int | Period, org_id: str | None = None) -> pd.DataFrame:
    """Members with 3+ unpaid months of dues in a year (R6, dues ground).

    Needs the ``dues`` table. Unpaid = a dues row with ``paid_on`` empty; a
    month without a row is missing data, not unpaid. Columns as
    :func:`r6_meetings`, ``evidence`` being the dues rows.
    """
    ds, period, inside = list_context(dataset, period, org_id)
    _need(ds, "dues", "r6_dues")
    return _flag_list(ds, period, inside, "dues")


def _need(ds, table: str, name: str) -> None:
    if not ds.has(table):
        from chibo_analysis.errors import ParameterError

        raise ParameterError(
            f"list {name!r} needs the {table!r} table, which the dataset does not have"
        )


def excused_streaks(dataset, period: str | int | Period, org_id: str | None = None) -> pd.DataFrame:
    """Runs of 4+ excused absences in a row by one member in one cell (R4).

    Runs follow the member's own register rows in that cell in date order,
    restart each year, and are neither broken nor extended by left-out rows.
    A run is listed when one of its 4th-or-later absences falls in the period.

    Returns ``member_id``, ``full_name``, ``cell_id``, ``year``,
    ``run_length``, ``first_on``, ``last_on``, ``meetings`` (the run's
    meetings), the member's row in that cell (``_file``, ``_row``) and
    ``evidence`` (the register rows).
    """
    ds, period, inside = list_context(dataset, period, org_id)
    reg = engine.year_register(ds, period)  # run positions where a run can pass R4's limit
    pos = reg["run_pos"]
    exc = reg[pos > 0].assign(pos=pos[pos > 0])
    exc = exc.sort_values(["member_id", "cell_id", "held_on", "meeting_id"], kind="stable")
    # positions restart at 1 on every run, so a run id is the running count of starts
    exc["run"] = (exc["pos"] == 1).cumsum()
    runs = exc.groupby("run").agg(
        member_id=("member_id", "first"),
        cell_id=("cell_id", "first"),
        year=("year", "first"),
        run_length=("pos", "max"),
        first_on=("held_on", "min"),
        last_on=("held_on", "max"),
        meetings=("meeting_id", ", ".join),
    )
    in_period = exc[(exc["pos"] > standards.R4_MAX_EXCUSED_RUN) & (exc["held_on"] >= period.start)]
    runs = runs[runs.index.isin(in_period["run"]) & runs["cell_id"].isin(inside)]
    ev = join_evidence(exc[exc["run"].isin(runs.index)], ["run"]).set_index("run")["evidence"]
    runs = runs.assign(evidence=ev).reset_index(drop=True)
    row = ds.members.sort_values("joined_on", na_position="first").drop_duplicates(
        ["member_id", "cell_id"], keep="last"
    )[["member_id", "cell_id", "_file", "_row"]]
    out = runs.merge(row, on=["member_id", "cell_id"], how="left")
    out.insert(1, "full_name", out["member_id"].map(_names(ds.members)))
    cols = ["member_id", "full_name", "cell_id", "year", "run_length", "first_on", "last_on",
            "meetings", "_file", "_row", "evidence"]  # fmt: skip
    return (
        source_columns(out)[cols]
        .sort_values(["cell_id", "member_id", "first_on"])
        .reset_index(drop=True)
    )


def probation_overdue(
    dataset, period: str | int | Period, org_id: str | None = None
) -> pd.DataFrame:
    """Probationary members past 12 months without confirmation at the period's end (R10).

    Members on a roll at the end of the period whose ``admitted_on`` plus 12
    months is before that day and who have no ``confirmed_on`` on or before
    it. Returns ``member_id``, ``full_name``, ``cell_id``, ``admitted_on``,
    ``due_on`` (admission + 12 months), ``days_overdue`` (to the period's
    end), ``_file``, ``_row``.
    """
    ds, period, inside = list_context(dataset, period, org_id)
    m = ds.members[roll.on_roll(ds.members, period.end) & ds.members["cell_id"].isin(inside)]
    m = m[m["admitted_on"].notna()]
    due = m["admitted_on"] + pd.DateOffset(months=12)
    unconfirmed = m["confirmed_on"].isna() | (m["confirmed_on"] > period.end)
    overdue = unconfirmed & (due < period.end)
    # .to_numpy(): assigning a Series to an empty frame would adopt the Series' index
    hit = m[overdue].assign(due_on=due[overdue].to_numpy())
    hit = hit.assign(days_overdue=(period.end - hit["due_on"]).dt.days.astype("int64"))
    cols = [
        "member_id",
        "full_name",
        "cell_id",
        "admitted_on",
        "due_on",
        "days_overdue",
        "_file",
        "_row",
    ]
    return source_columns(hit)[cols].sort_values(["cell_id", "member_id"]).reset_index(drop=True)


#: R8, HD 27-HD/BTCTW of 26/3/2009: men over 60, women over 55, at the time of exemption.
R8_AGE = {"male": 60, "female": 55}


def exemption_age(dataset, period: str | int | Period, org_id: str | None = None) -> pd.DataFrame:
    """Exempted members who do not meet R8's age condition: for review, not violations.

    R8 (HD 27-HD/BTCTW of 26/3/2009; QĐ 24-QĐ/TW of 30/7/2021) allows
    exemption from meetings for age (men over 60, women over 55, at the time)
    *or* for an illness needing 3+ months' treatment, on request and by a
    cell resolution. Illness cannot be seen in the data, so a member listed
    here may be rightly exempted: the list is what an inspector should check
    against the cell's resolutions. "Over 60" is read as: ``exempt_from`` is
    after the 60th birthday (the day itself does not qualify).

    Exemptions in force on any day of the period, in cells of ``org_id``.
    Returns ``member_id``, ``full_name``, ``cell_id``, ``gender``,
    ``birth_date``, ``exempt_from``, ``exempt_until``, ``age_at_exemption``
    (whole years), ``finding`` (``age_condition_not_met`` or ``age_unknown``
    where gender or birth date is missing), ``longer_than_a_year`` (a
    temporary exemption for members working away may not exceed one year:
    ``exempt_until`` after the same day a year after ``exempt_from``, or empty),
    ``_file``, ``_row``.
    """
    ds, period, inside = list_context(dataset, period, org_id)
    m = ds.members
    ex = m[
        m["exempt_from"].notna()
        & (m["exempt_from"] <= period.end)
        & (m["exempt_until"].isna() | (m["exempt_until"] >= period.start))
        & m["cell_id"].isin(inside)
    ]
    limit = ex["gender"].astype("object").map(R8_AGE)
    birth = ex["birth_date"]
    years = limit.astype("Float64").fillna(0).astype("int64")
    threshold = _add_years(birth, years)
    unknown = limit.isna() | birth.isna()
    met = ~unknown & (ex["exempt_from"] > threshold)
    out = ex[~met].assign(age_at_exemption=_whole_years(birth, ex["exempt_from"])[~met])
    out["finding"] = unknown[~met].map({True: "age_unknown", False: "age_condition_not_met"})
    # a year from exempt_from ends on the same day a year later (29/02 -> 28/02); a fixed
    # 366 days would let a year and a day through outside leap years
    a_year = _add_years(out["exempt_from"], pd.Series(1, index=out.index))
    out["longer_than_a_year"] = (
        out["exempt_until"].isna() | (out["exempt_until"] > a_year)
    ).astype(bool)
    out["gender"] = out["gender"].astype("object")
    cols = ["member_id", "full_name", "cell_id", "gender", "birth_date", "exempt_from",
            "exempt_until", "age_at_exemption", "finding", "longer_than_a_year", "_file", "_row"]  # fmt: skip
    return source_columns(out)[cols].sort_values(["cell_id", "member_id"]).reset_index(drop=True)


def _add_years(dates: pd.Series, years: pd.Series) -> pd.Series:
    """``dates`` plus a whole number of years each (29 February -> 28 February)."""
    y = dates.dt.year + years
    m, d = dates.dt.month, dates.dt.day
    leap = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))
    d = d.where(~((m == 2) & (d == 29) & ~leap), 28)
    parts = pd.DataFrame({"year": y, "month": m, "day": d})
    return pd.to_datetime(parts.dropna().astype("int64")).reindex(dates.index)


def _whole_years(birth: pd.Series, day: pd.Series) -> pd.Series:
    """Completed years of age on ``day``."""
    years = day.dt.year - birth.dt.year
    before = (day.dt.month < birth.dt.month) | (
        (day.dt.month == birth.dt.month) & (day.dt.day < birth.dt.day)
    )
    return (years - before.astype("int64")).astype("Int64")
