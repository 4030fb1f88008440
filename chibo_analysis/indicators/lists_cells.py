"""Cell and base-organisation lists: small residential cells, no admissions, R9's cap,
inflated self-ratings.

``_file``/``_row`` are those of the organisation's row; ``evidence`` lists
the membership or review rows behind the count.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chibo_analysis.schema import CELL_LEVELS

from . import engine, roll
from .evidence import join_evidence, list_context, source_columns
from .lists_members import _need
from .periods import Period, parse_period

#: Months of the period a cell must have existed to be held to the admissions target.
MONTHS_TO_ADMIT = 12


def _cell_rows(ds, period: Period, org_id: str | None) -> pd.DataFrame:
    from .scorecard import scorecard_counts

    counts = scorecard_counts(ds, period, org_id)
    counts = counts[counts["level"].isin(CELL_LEVELS)]
    orgs = ds.organisations.set_index("org_id")
    return counts.assign(
        kind=counts["org_id"].map(orgs["kind"].astype("object")),
        _file=counts["org_id"].map(orgs["_file"].astype(str)),
        _row=counts["org_id"].map(orgs["_row"]).astype("int64"),
    )


def small_residential(
    dataset,
    period: str | int | Period,
    org_id: str | None = None,
    *,
    min_members: int | None = None,
) -> pd.DataFrame:
    """Residential cells with fewer than ``min_members`` members at the period's end.

    Only cells that still exist at the period's end: a cell dissolved during
    the period (``dissolved_on`` on or before its last day) is left out.

    ``min_members`` defaults to the ``residential_members`` target of the
    default targets file (5, a local target of Đề án 16-ĐA/TU of 03/01/2020).
    Returns ``org_id``, ``name``, ``parent_id``, ``members``,
    ``min_members``, ``_file``, ``_row`` and ``evidence`` (the membership
    rows on the roll).
    """
    if min_members is None:
        from .targets import load_targets

        min_members = int(load_targets().targets["residential_members"].value)
    ds, period, _ = list_context(dataset, period, org_id)
    cells = _cell_rows(ds, period, org_id)
    # a cell dissolved in the period has no members at its end because it is gone, not small
    orgs = ds.organisations.drop_duplicates("org_id").set_index("org_id")
    dissolved = cells["org_id"].map(orgs["dissolved_on"])
    exists = dissolved.isna() | (dissolved > period.end)
    hit = cells[exists & (cells["kind"] == "residential") & (cells["members"] < min_members)]
    roll_rows = ds.members[
        roll.on_roll(ds.members, period.end) & ds.members["cell_id"].isin(hit["org_id"])
    ]
    ev = join_evidence(roll_rows, ["cell_id"]).rename(columns={"cell_id": "org_id"})
    out = hit.merge(ev, on="org_id", how="left").assign(min_members=min_members)
    out["evidence"] = out["evidence"].fillna("")
    cols = ["org_id", "name", "parent_id", "members", "min_members", "_file", "_row", "evidence"]
    return out[cols].astype({"members": "int64"}).reset_index(drop=True)


def no_admissions(dataset, period: str | int | Period, org_id: str | None = None) -> pd.DataFrame:
    """Cells held to the admissions target that admitted no member in the period.

    The target is one admission per cell and period (``targets.yaml``: "a
    quarter is a short period for it"), so a cell is held to it only when it
    existed long enough to admit someone: for at least 12 months of the
    period, or the whole period when the period is shorter than a year. A
    cell that existed a few months of a longer period (founded late, or
    dissolved early in it) is left out: its zero is not a shortfall.
    DOMAIN.md does not say how long; this is the toolkit's reading
    (benchmarks/RESULTS.md, issue 11).

    Returns ``org_id``, ``name``, ``parent_id``, ``kind``, ``members``,
    ``months_expected``, ``_file``, ``_row``.
    """
    ds, period, _ = list_context(dataset, period, org_id)
    cells = _cell_rows(ds, period, org_id)
    long_enough = cells["months_expected"] >= min(MONTHS_TO_ADMIT, len(period.months))
    hit = cells[(cells["admissions"] == 0) & long_enough]
    cols = ["org_id", "name", "parent_id", "kind", "members", "months_expected", "_file", "_row"]
    return hit[cols].astype({"members": "int64", "months_expected": "int64"}).reset_index(drop=True)


def r9_cap(
    dataset,
    period: str | int | Period,
    org_id: str | None = None,
    *,
    basis: str | None = None,
    share: float | None = None,
) -> pd.DataFrame:
    """Base organisations whose members rated excellent exceed R9's cap, per year.

    R9 (QĐ 132-QĐ/TW of 08/3/2018; HD 21-HD/BTCTW of 18/10/2019, 2.3): the
    members rated "Hoàn thành xuất sắc nhiệm vụ" may not exceed 20% of those
    rated "Hoàn thành tốt nhiệm vụ", within each base organisation. By
    default (``basis="good"``, from the targets file) "those rated tốt" are
    the members rated good: the reviews table holds one exclusive level per
    member and the text names that level. ``basis="good_or_better"`` counts
    good plus excellent, for organisations that choose the excellent from
    among the good. Needs ``reviews``.

    A member's review of year Y counts in the base organisation of the cell
    whose roll holds them at the end of Y (else the last cell they left in Y).
    Returns ``org_id``, ``name``, ``year``, ``excellent``, ``good``,
    ``basis``, ``cap_share`` (the share, 0.2), ``allowed`` (the most
    excellent members the cap allows: share x basis rounded down, 13 of 68),
    the base's ``_file``/``_row`` and ``evidence`` (the excellent members'
    review rows). Listed where ``excellent`` exceeds ``allowed``.
    """
    ds, period, inside = list_context(dataset, period, org_id)
    _need(ds, "reviews", "r9_cap")
    if basis is None or share is None:
        from .targets import load_targets

        thresholds = load_targets().thresholds
        basis = basis or thresholds["r9_cap_basis"]
        share = thresholds["r9_cap_share"] if share is None else share
    if basis not in ("good", "good_or_better"):
        from chibo_analysis.errors import ParameterError

        raise ParameterError(f"basis={basis!r} is not allowed; expected 'good' or 'good_or_better'")
    orgs = ds.organisations
    base_of = roll.base_of(orgs)

    rev = ds.reviews[ds.reviews["subject_id"].isin(ds.members["member_id"])]
    parts = []
    for year in period.years:  # a handful of years
        yr = rev[rev["year"] == year]
        home = engine.home_cells(ds.members, yr["subject_id"], parse_period(year))
        yr = yr.merge(home[["member_id", "cell_id"]], left_on="subject_id", right_on="member_id")
        parts.append(yr.assign(org_id=yr["cell_id"].map(base_of)))
    rated = pd.concat(parts) if parts else rev.iloc[:0].assign(org_id="", cell_id="")
    rated = rated[rated["org_id"].isin(inside)]
    lvl = rated["level"].astype("object")
    counts = (
        rated.assign(excellent=lvl.eq("excellent"), good=lvl.eq("good"))
        .groupby(["org_id", "year"])[["excellent", "good"]]
        .sum()
        .astype("int64")
    )
    counts["basis"] = counts["good"] + (counts["excellent"] if basis == "good_or_better" else 0)
    counts["cap_share"] = float(share)
    # the most excellent members the cap allows: share x basis, rounded down (13.6 -> 13);
    # the 1e-9 keeps 0.2 x 15 = 3.0000000000000004 at 3
    counts["allowed"] = np.floor(share * counts["basis"] + 1e-9).astype("int64")
    over = counts[counts["excellent"] > counts["allowed"]].reset_index()
    ev = join_evidence(rated[lvl.eq("excellent")], ["org_id", "year"])
    out = over.merge(ev, on=["org_id", "year"], how="left")
    meta = orgs.set_index("org_id")
    out.insert(1, "name", out["org_id"].map(meta["name"]))
    out["_file"] = out["org_id"].map(meta["_file"].astype(str))
    out["_row"] = out["org_id"].map(meta["_row"]).astype("int64")
    out["year"] = out["year"].astype("int64")
    cols = [
        "org_id",
        "name",
        "year",
        "excellent",
        "good",
        "basis",
        "cap_share",
        "allowed",
        "_file",
        "_row",
        "evidence",
    ]
    return source_columns(out)[cols].sort_values(["org_id", "year"]).reset_index(drop=True)


#: A meeting is overrated when the cell rated it this many grades or more above the
#: inspectors (an honest self-rating is the inspectors' give or take one grade).
OVERRATED_GRADES = 2
#: A cell is listed when its shrunken share of overrated meetings reaches this.
INFLATED_SHARE = 0.5


def inflated_ratings(
    dataset,
    period: str | int | Period,
    org_id: str | None = None,
    *,
    grades: int = OVERRATED_GRADES,
    share: float = INFLATED_SHARE,
) -> pd.DataFrame:
    """Cells whose self-ratings are inflated: rated well above what the inspectors found (R5).

    Built on the inspection comparison of the scorecard (``inspected_meetings``,
    ``rating_inflation``: the latest inspection of each meeting with both
    ratings). A meeting is *overrated* when the cell's rating is ``grades`` or
    more above the inspectors' on the 0-3 scale. Per cell and year, the share
    of inspected meetings that are overrated is shrunk by empirical Bayes
    (beta-binomial, :func:`chibo_analysis.stats.shrinkage.shrunken_rates`),
    the population being every cell of the dataset with inspected meetings
    that year: a cell with one or two inspected meetings is pulled toward the
    population's share, one with many hardly. A cell is listed when its
    shrunken share reaches ``share`` (its meetings are more likely overrated
    than not). Where the population cannot be estimated (fewer than two
    cells inspected, or every share 0 or every share 1), the raw share is
    used and ``shrunken_share`` equals ``overrated_share``. The population the
    shrinkage estimates is the cells within ``org_id`` (the whole dataset
    without one): an audit from a store's slice and from the files agree.

    Needs ``inspections``. Returns ``org_id``, ``name``, ``parent_id``,
    ``year``, ``inspected_meetings``, ``rating_inflation`` (mean self minus
    inspection), ``overrated``, ``overrated_share`` (overrated / inspected),
    ``shrunken_share``, ``share_lower``, ``share_upper`` (its 95% posterior
    interval), the cell's ``_file``/``_row`` and ``evidence`` (the inspection
    rows of the overrated meetings), the highest shrunken share first.
    """
    from chibo_analysis.errors import ParameterError

    ds, period, inside = list_context(dataset, period, org_id)
    _need(ds, "inspections", "inflated_ratings")
    cols = ["org_id", "name", "parent_id", "year", "inspected_meetings", "rating_inflation",
            "overrated", "overrated_share", "shrunken_share", "share_lower", "share_upper",
            "_file", "_row", "evidence"]  # fmt: skip
    parts = []
    for year in period.years:
        yp = parse_period(year)
        held = ds.meetings["held_on"]
        mt = ds.meetings[(held >= yp.start) & (held <= yp.end)]
        pairs = engine.latest_inspections(ds.inspections, mt)
        pairs = pairs[pairs["cell_id"].isin(inside)]  # the population: the organisation's cells
        if pairs.empty:
            continue
        pairs = pairs.assign(over=(pairs["difference"] >= int(grades)).astype("int64"))
        per = pairs.groupby("cell_id").agg(
            inspected_meetings=("over", "size"),
            overrated=("over", "sum"),
            rating_inflation=("difference", "mean"),
        )
        try:
            from chibo_analysis.stats.shrinkage import shrunken_rates

            fit = shrunken_rates(per["overrated"], per["inspected_meetings"]).table
        except ParameterError:  # too few cells, or nothing to shrink: the raw shares
            rate = per["overrated"] / per["inspected_meetings"]
            fit = pd.DataFrame({"rate": rate, "shrunken": rate, "lower": rate, "upper": rate})
        fit = fit[["rate", "shrunken", "lower", "upper"]].set_axis(
            ["overrated_share", "shrunken_share", "share_lower", "share_upper"], axis=1
        )
        per = per.join(fit)
        hit = per[(per["shrunken_share"] >= float(share)) & per.index.isin(inside)]
        over = pairs[(pairs["over"] == 1) & pairs["cell_id"].isin(hit.index)]
        ev = join_evidence(over, ["cell_id"]).set_index("cell_id")["evidence"]
        parts.append(hit.assign(year=int(year), evidence=ev).rename_axis("org_id").reset_index())
    if not parts:
        return pd.DataFrame(columns=cols)
    out = pd.concat(parts, ignore_index=True)
    meta = ds.organisations.drop_duplicates("org_id").set_index("org_id")
    out["name"] = out["org_id"].map(meta["name"])
    out["parent_id"] = out["org_id"].map(meta["parent_id"])
    out["_file"] = out["org_id"].map(meta["_file"].astype(str))
    out["_row"] = out["org_id"].map(meta["_row"]).astype("int64")
    out["evidence"] = out["evidence"].fillna("")
    out = out.astype({"inspected_meetings": "int64", "overrated": "int64"})
    return out[cols].sort_values(["shrunken_share", "org_id", "year"], ascending=[False, True, True],
                                 kind="stable").reset_index(drop=True)  # fmt: skip
