"""Planted problems: their rates, and the ground truth that lists each case.

Two scopes of problem are planted:

- ``audit``: what the indicators must find (DOMAIN.md section 2): skipped
  months, missing thematic quarters, short meetings, chronic absentees,
  excused streaks, inflated self-ratings, minutes counts that disagree with
  the register, copied minutes, unpaid dues, cells without admissions, small
  residential cells, base organisations over the 20% cap, probation never
  confirmed. Most cells stay compliant.
- ``record``: a handful of faulty records that ``validate`` must report, each
  named by the reason code validation gives it (for example
  ``outside_lifetime``), placed in the first committee only.

The ground truth has one row per case: ``kind, scope, table, org_id,
member_id, meeting_id, period, detail``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import numpy as np
import pandas as pd

from chibo_analysis.errors import ParameterError

GROUND_TRUTH_COLUMNS = [
    "kind",
    "scope",
    "table",
    "org_id",
    "member_id",
    "meeting_id",
    "period",
    "detail",
]

#: Record-level faults, in the order they are planted (cycled when more are asked).
RECORD_FAULTS = (
    "outside_lifetime",
    "outside_membership",
    "duplicate_key",
    "unknown_reference",
    "missing_dues_month",
    "overlapping_membership",
)


@dataclass(frozen=True)
class Rates:
    """How often each problem is planted (shares between 0 and 1).

    Attributes
    ----------
    skipped_months : share of cell-months without a regular meeting (R1).
    missing_thematic : share of cell-quarters without a thematic meeting (R2);
        the default is the 6.24% shortfall of the seed article's district.
    short_meetings : share of meetings shorter than R3 allows.
    chronic_absentees : share of member-years with unexcused absences in 3+ months (R6).
    excused_streaks : share of member-years with 4+ excused absences in a row (R4).
    inflated_ratings : share of cell-years rating every meeting good while inspections
        found them average or poor.
    minutes_mismatch : share of meetings whose minutes counts disagree with the register.
    copied_minutes : share of meetings whose minutes text is copied from another meeting.
    unpaid_dues : share of member-years with 3+ unpaid months (R6).
    no_admissions : share of cells that admit no one.
    small_residential : share of residential cells kept below 5 members.
    over_cap : share of base-years rating more than 20% "excellent" (R9).
    unconfirmed : share of eligible admissions never confirmed (R10).
    record_faults : number of faulty records for ``validate`` to find.
    """

    skipped_months: float = 0.02
    missing_thematic: float = 0.0624
    short_meetings: float = 0.03
    chronic_absentees: float = 0.004
    excused_streaks: float = 0.004
    inflated_ratings: float = 0.04
    minutes_mismatch: float = 0.01
    copied_minutes: float = 0.01
    unpaid_dues: float = 0.005
    no_admissions: float = 0.05
    small_residential: float = 0.02
    over_cap: float = 0.1
    unconfirmed: float = 0.05
    record_faults: int = 6

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "record_faults":
                if not isinstance(value, int) or value < 0:
                    raise ParameterError(
                        f"rates.record_faults={value!r} is not allowed; "
                        "expected a whole number >= 0"
                    )
            elif not isinstance(value, int | float) or not 0 <= value <= 1:
                raise ParameterError(
                    f"rates.{f.name}={value!r} is not allowed; expected a share between 0 and 1"
                )

    @classmethod
    def from_mapping(cls, values: dict | None) -> Rates:
        """Rates from a mapping, rejecting unknown names.

        Examples
        --------
        >>> Rates.from_mapping({"short_meetings": 0}).short_meetings
        0
        >>> Rates.from_mapping({"short": 0})  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        chibo_analysis.errors.ParameterError: rates: unknown name 'short'; expected some of: ...
        """
        values = dict(values or {})
        known = [f.name for f in fields(cls)]
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise ParameterError(
                f"rates: unknown name {unknown[0]!r}; expected some of: {', '.join(known)}"
            )
        return cls(**values)

    def none(self) -> Rates:
        """The same object with every rate at zero: a fully compliant city."""
        return Rates(**{k: 0 for k in asdict(self)})


def concentrated(
    rng: np.random.Generator, unit: np.ndarray, n_units: int, share: float, prone: float
) -> np.ndarray:
    """Plant a problem in about ``share`` of rows, all within a ``prone`` share of units.

    Most units (cells) stay compliant: only a random ``prone`` share of them
    has the problem, each of its rows with probability ``share / prone``.
    """
    if share <= 0:
        return np.zeros(len(unit), dtype=bool)
    prone = max(prone, share)
    hit = rng.random(n_units) < prone
    return hit[unit] & (rng.random(len(unit)) < share / prone)


def truth(
    kind: str,
    scope: str = "audit",
    table: str = "",
    org_id=None,
    member_id=None,
    meeting_id=None,
    period=None,
    detail=None,
    n: int | None = None,
) -> pd.DataFrame:
    """Ground-truth rows; each argument is a scalar or an array of ``n`` values."""
    cols = dict(
        org_id=org_id, member_id=member_id, meeting_id=meeting_id, period=period, detail=detail
    )
    if n is None:
        n = next((len(v) for v in cols.values() if isinstance(v, np.ndarray | pd.Series | list)), 1)
    out = pd.DataFrame(index=range(n))
    out["kind"], out["scope"], out["table"] = kind, scope, table
    for name, value in cols.items():
        value = "" if value is None else value
        out[name] = np.asarray(value, dtype=object) if not np.isscalar(value) else value
    return out[GROUND_TRUTH_COLUMNS].astype(str)


def _day_month(day: int, months: int) -> int:
    """A day in the month ``months`` after (or before) the month of ``day``, the 12th."""
    m = np.datetime64(int(day), "D").astype("datetime64[M]") + months
    return int((m.astype("datetime64[D]") + 11).astype(np.int64))


def plant_record_faults(
    rng: np.random.Generator, tables: dict[str, pd.DataFrame], n: int, end: int
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """Write ``n`` faulty records into ``tables`` (day numbers); return them and their truth.

    Meetings touched by a faulty register row get empty minutes counts, so the
    fault shows up once, as itself, and not also as a minutes mismatch.
    """
    from chibo_analysis.synth.structure import OPEN, PAST

    t = {k: v.copy() for k, v in tables.items()}
    orgs, members, meetings = t["organisations"], t["members"], t["meetings"]
    for c in ("n_summoned", "n_present", "n_excused", "n_absent"):
        meetings[c] = meetings[c].astype("Int64")
    gt, touched = [], set()
    held = meetings.set_index("meeting_id")["held_on"]
    cell_of = meetings.set_index("meeting_id")["cell_id"]

    def free_meeting() -> str:
        while True:
            mid = meetings["meeting_id"].iat[int(rng.integers(0, len(meetings)))]
            if mid not in touched and (t["attendance"]["meeting_id"] == mid).any():
                touched.add(mid)
                meetings.loc[
                    meetings["meeting_id"] == mid,
                    ["n_summoned", "n_present", "n_excused", "n_absent"],
                ] = pd.NA
                return mid

    for i in range(n):
        kind = RECORD_FAULTS[i % len(RECORD_FAULTS)]
        if kind == "outside_lifetime":
            cells = orgs[(orgs["level"] == "cell") & (orgs["dissolved_on"] < OPEN)]
            after = len(cells) > 0
            if not after:
                cells = orgs[(orgs["level"] == "cell") & (orgs["founded_on"] > PAST)]
            org = cells.iloc[int(rng.integers(0, len(cells)))]
            day = (
                _day_month(org["dissolved_on"], 1 + i // 6)
                if after
                else _day_month(org["founded_on"], -1 - i // 6)
            )
            mid = f"{org['org_id']}-{str(np.datetime64(day, 'D')).replace('-', '')}-R"
            row = dict(
                meeting_id=mid,
                cell_id=org["org_id"],
                held_on=day,
                kind="regular",
                duration_min=120,
                self_rating="fair",
                superior_attended=False,
                topic="Sinh hoạt thường kỳ",
                minutes_text="",
            )
            meetings = pd.concat([meetings, pd.DataFrame([row])], ignore_index=True)
            gt.append(
                truth(
                    kind,
                    "record",
                    "meetings",
                    org_id=org["org_id"],
                    meeting_id=mid,
                    period=str(np.datetime64(day, "D")),
                    detail="meeting dated outside the months the cell existed",
                )
            )
        elif kind == "outside_membership":
            mid = free_meeting()
            cell, day = cell_of[mid], held[mid]
            att = t["attendance"]
            while True:
                other = att.iloc[int(rng.integers(0, len(att)))]
                rows = members[
                    (members["member_id"] == other["member_id"]) & (members["cell_id"] == cell)
                ]
                if cell_of[other["meeting_id"]] != cell and rows.empty:
                    break
            new = pd.DataFrame(
                [dict(meeting_id=mid, member_id=other["member_id"], status="present")]
            )
            t["attendance"] = pd.concat([att, new], ignore_index=True)
            gt.append(
                truth(
                    kind,
                    "record",
                    "attendance",
                    org_id=cell,
                    member_id=other["member_id"],
                    meeting_id=mid,
                    period=str(np.datetime64(int(day), "D")),
                    detail="register row for a member not on the cell's roll",
                )
            )
        elif kind == "duplicate_key":
            mid = free_meeting()
            att = t["attendance"]
            dup = att[att["meeting_id"] == mid].iloc[[0]]
            t["attendance"] = pd.concat([att, dup], ignore_index=True)
            gt.append(
                truth(
                    kind,
                    "record",
                    "attendance",
                    org_id=cell_of[mid],
                    member_id=dup["member_id"].iat[0],
                    meeting_id=mid,
                    period=str(np.datetime64(int(held[mid]), "D")),
                    detail="register row repeated",
                )
            )
        elif kind == "unknown_reference":
            mid = meetings["meeting_id"].iat[int(rng.integers(0, len(meetings)))]
            bad = mid[:-1] + "Z"
            row = dict(
                inspection_id=f"KT-{bad}",
                meeting_id=bad,
                inspected_on=held[mid],
                rating="fair",
                findings="",
                follow_up_due=OPEN,
                follow_up_done_on=OPEN,
            )
            t["inspections"] = pd.concat([t["inspections"], pd.DataFrame([row])], ignore_index=True)
            gt.append(
                truth(
                    kind,
                    "record",
                    "inspections",
                    meeting_id=bad,
                    detail="inspection of a meeting that does not exist",
                )
            )
        elif kind == "missing_dues_month":
            d = t["dues"]
            while True:
                j = int(rng.integers(1, len(d) - 1))
                same = (
                    d["member_id"].iat[j - 1] == d["member_id"].iat[j] == d["member_id"].iat[j + 1]
                )
                if same and d["paid_on"].iat[j] < OPEN:
                    break
            month = str(np.datetime64(int(d["month"].iat[j]), "M"))
            gt.append(
                truth(
                    kind,
                    "record",
                    "dues",
                    member_id=d["member_id"].iat[j],
                    period=month,
                    detail="no dues row for a month of membership",
                )
            )
            t["dues"] = d.drop(index=d.index[j]).reset_index(drop=True)
        elif kind == "overlapping_membership":
            members, row = _overlap(rng, members, meetings)
            gt.append(
                truth(
                    kind,
                    "record",
                    "members",
                    org_id=row["cell_id"],
                    member_id=row["member_id"],
                    period=str(np.datetime64(row["joined_on"], "D")),
                    detail="member on two rolls at once",
                )
            )
    t["members"], t["meetings"] = members, meetings
    return t, pd.concat(gt, ignore_index=True) if gt else truth("none", n=0)


def _overlap(rng, members: pd.DataFrame, meetings: pd.DataFrame):
    """Add a week on a second cell's roll for a member who stays on their own roll."""
    from chibo_analysis.synth.structure import OPEN

    counts = members["member_id"].value_counts()
    single = members[
        members["member_id"].map(counts).eq(1)
        & members["left_on"].ge(OPEN)
        & members["exempt_from"].ge(OPEN)
    ]
    cells = meetings["cell_id"].unique()
    while True:
        who = single.iloc[int(rng.integers(0, len(single)))]
        cell = cells[int(rng.integers(0, len(cells)))]
        if cell == who["cell_id"]:
            continue
        days = np.sort(meetings.loc[meetings["cell_id"] == cell, "held_on"].to_numpy())
        gaps = np.flatnonzero(np.diff(days) > 20)
        if len(gaps) == 0:
            continue
        d = int(days[gaps[int(rng.integers(0, len(gaps)))]]) + 3
        md = np.datetime64(d, "D").astype(object)
        if md.month == 12 or (md.month == 9 and md.day > 15) or d <= who["joined_on"]:
            continue
        row = who.copy()
        row["cell_id"], row["joined_on"], row["left_on"] = cell, d, d + 7
        row["left_reason"] = "transfer"
        return pd.concat([members, row.to_frame().T], ignore_index=True), row
