"""The audit's findings as plain sentences with their numbers, in Vietnamese or English.

Pure functions of the scorecard (DOMAIN.md section 4) and of the assessment
against targets: they count, pick the sentences that apply and fill them in
from the label catalogue (:mod:`chibo_analysis.labels`). Nothing is printed.

Each finding is one row: ``topic`` (a stable key, e.g. ``thematic``),
``count`` (how many cells, members or meetings it is about), ``total`` (out of
how many, where that makes sense) and ``text`` (the sentence). An audit
notebook shows the ``text`` column as a bullet list.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from chibo_analysis.errors import ParameterError
from chibo_analysis.labels import (
    check_lang,
    fmt_int,
    fmt_list,
    fmt_number,
    fmt_percent,
    fmt_period,
    has_label,
    label,
)
from chibo_analysis.present.study_data import where_names
from chibo_analysis.schema import CELL_LEVELS
from chibo_analysis.texts import shorten

if TYPE_CHECKING:  # pragma: no cover
    pass

#: Columns of the frame :func:`findings` returns.
FINDING_COLUMNS = ["topic", "count", "total", "text"]

_NEEDED = ("org_id", "name", "level", "period", "members", "months_expected", "regular_months")


def _total(series: pd.Series) -> float | None:
    """Sum of a count column; None when every value is empty (table not supplied)."""
    if series.isna().all():
        return None
    return float(series.sum())


def _rate(num: float | None, den: float | None) -> float | None:
    return None if num is None or not den else num / den


def _minimums(targets) -> dict[str, float]:
    """``{column: value}`` of the at-least targets of a Targets object or a mapping."""
    if targets is None:
        return {}
    if hasattr(targets, "targets"):
        return {t.column: t.value for t in targets.targets.values() if t.op in (">=", ">")}
    return dict(targets)


def findings(
    scorecard: pd.DataFrame,
    *,
    org_id: str | None = None,
    targets: Mapping[str, float] | None = None,
    lang: str = "vi",
    limit: int = 5,
    inflated: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Plain sentences stating what the scorecard found, with their numbers.

    Parameters
    ----------
    scorecard : DataFrame
        Rows of :func:`chibo_analysis.indicators.scorecard` for one period:
        the audited organisation and the cells under it.
    org_id : str, optional
        The audited organisation (its row names it); default the first row.
    targets : Targets or mapping of str to float, optional
        The targets file (:func:`chibo_analysis.indicators.load_targets`), or
        the minimum level per scorecard rate (``{"attendance_rate": 0.9}``);
        cells below the attendance target are named.
    lang : {'vi', 'en'}
    limit : int
        How many cell names a sentence lists before "and N more".
    inflated : DataFrame, optional
        The ``inflated_ratings`` list of the same organisation and period
        (:func:`chibo_analysis.indicators.lists_cells.inflated_ratings`): its
        cells are named in an ``inflated_ratings`` finding after the ratings.

    Returns
    -------
    DataFrame
        Columns :data:`FINDING_COLUMNS`, one row per finding, in report order.
        Findings that need an optional table not supplied (dues,
        inspections) are left out, not stated as zero. Where the records hold
        no meeting of the period at all (``standard_meeting_rate`` empty), the
        overview is followed by that one finding (``no_meetings``) instead.

    Examples
    --------
    >>> card = pd.DataFrame({
    ...     "org_id": ["B", "C1", "C2"], "name": ["Phường X", "Chi bộ 1", "Chi bộ 2"],
    ...     "level": ["base", "cell", "cell"], "period": "2022", "members": [30, 10, 20],
    ...     "months_expected": [24, 12, 12], "regular_months": [22, 10, 12]})
    >>> findings(card, lang="en")["text"].tolist()[1]
    '1 of 2 cells missed a monthly regular meeting, 2 months in all; regular meetings were held in 91.7% of months.'
    """
    check_lang(lang)
    missing = [c for c in _NEEDED if c not in scorecard.columns]
    if missing:
        raise ParameterError(f"scorecard lacks column(s) {', '.join(missing)}; is it a scorecard?")
    if scorecard.empty:
        raise ParameterError("scorecard has no rows")
    if org_id is None:
        org = scorecard.iloc[0]
    else:
        match = scorecard[scorecard["org_id"] == org_id]
        if match.empty:
            raise ParameterError(f"org_id={org_id!r} is not a row of the scorecard")
        org = match.iloc[0]
    cells = scorecard[scorecard["level"].astype("object").isin(CELL_LEVELS)]
    if str(org["level"]) in CELL_LEVELS:
        cells = scorecard[scorecard["org_id"] == org["org_id"]]
    n_cells = len(cells)
    rows: list[tuple[str, object, object, str]] = []
    # a cell audited alone: "1 of 1 cells" and "all 1 cells" say it in its own words
    alone = str(org["level"]) in CELL_LEVELS

    def add(topic: str, count, of, key: str, **values) -> None:
        if alone and has_label(f"{key}_cell"):
            key = f"{key}_cell"
        rows.append((topic, count, of, label(key, lang, **values)))

    def n(value) -> str:
        return fmt_int(value, lang)

    # names that say where: a cell's base added where its name repeats among the cells
    where = dict(zip(cells["org_id"], where_names(scorecard, cells["org_id"]), strict=True))

    def names(mask: pd.Series) -> str:
        shown = [shorten(where[oid], lang=lang) for oid in cells.loc[mask, "org_id"]]
        return fmt_list(shown, lang, limit)

    add("overview", n_cells, None, "finding.overview", org=shorten(str(org["name"]), lang=lang),
        cells=n(n_cells),
        members=n(org["members"]), period=fmt_period(org["period"], lang))  # fmt: skip

    if "standard_meeting_rate" in org.index and pd.isna(org["standard_meeting_rate"]):
        # its denominator is every meeting held: empty means the records hold no meeting of
        # the period (a period outside the data, or cells that sent none); stating 100% of
        # months missed, and so on, would read as findings about meetings nobody recorded
        add(
            "no_meetings", 0, n_cells, "finding.no_meetings", period=fmt_period(org["period"], lang)
        )
        return _frame(rows)

    missed_months = cells["months_expected"] - cells["regular_months"]
    k = int((missed_months > 0).sum())
    if k:
        rate = _rate(float(cells["regular_months"].sum()), float(cells["months_expected"].sum()))
        add("regular", k, n_cells, "finding.regular", n=n(k), total=n(n_cells),
            missed=n(missed_months.sum()), rate=fmt_percent(rate, lang))  # fmt: skip
    else:
        add("regular", 0, n_cells, "finding.regular_ok", total=n(n_cells))

    if {"quarters_expected", "thematic_quarters"} <= set(cells.columns):
        missed_q = cells["quarters_expected"] - cells["thematic_quarters"]
        k = int((missed_q > 0).sum())
        if k:
            rate = _rate(
                float(cells["thematic_quarters"].sum()), float(cells["quarters_expected"].sum())
            )
            add("thematic", k, n_cells, "finding.thematic", n=n(k), total=n(n_cells),
                missed=n(missed_q.sum()), rate=fmt_percent(rate, lang))  # fmt: skip
        else:
            add("thematic", 0, n_cells, "finding.thematic_ok", total=n(n_cells))

    if "short_meetings" in cells and (short := _total(cells["short_meetings"])):
        k = int((cells["short_meetings"] > 0).sum())
        add("short", int(short), None, "finding.short", n=n(short), cells=n(k))

    if "attendance_rate" in org.index and pd.notna(org["attendance_rate"]):
        absences = _total(cells["unexcused_absences"]) if "unexcused_absences" in cells else 0
        add("attendance", absences, None, "finding.attendance",
            rate=fmt_percent(org["attendance_rate"], lang), n=n(absences or 0))  # fmt: skip
        goal = _minimums(targets).get("attendance_rate")
        if goal is not None:
            known = cells["attendance_rate"].notna()
            below = known & (cells["attendance_rate"] < goal)
            k, total = int(below.sum()), int(known.sum())
            if k:
                add("attendance_below", k, total, "finding.attendance_below", n=n(k),
                    total=n(total), target=fmt_percent(goal, lang, 0), names=names(below))  # fmt: skip
            else:
                add("attendance_below", 0, total, "finding.attendance_all_met", total=n(total),
                    target=fmt_percent(goal, lang, 0))  # fmt: skip

    if "standard_meeting_rate" in org.index and pd.notna(org["standard_meeting_rate"]):
        add("standard", None, None, "finding.standard",
            rate=fmt_percent(org["standard_meeting_rate"], lang))  # fmt: skip

    for topic in ("flagged_meetings", "flagged_dues", "excused_streaks"):
        if topic in cells and (total := _total(cells[topic])):
            add(topic, int(total), None, f"finding.{topic}", n=n(total))

    if "implausible_good" in cells and (bad := _total(cells["implausible_good"])):
        good = _total(cells["good_self_ratings"]) if "good_self_ratings" in cells else None
        add("implausible_good", int(bad), good, "finding.implausible_good", n=n(bad), good=n(good))

    inspected = org.get("inspected_meetings")
    if inspected is not None and pd.notna(inspected) and inspected > 0:
        add("ratings", int(inspected), None, "finding.ratings", n=n(inspected),
            agreement=fmt_percent(org["rating_agreement"], lang),
            inflation=fmt_number(org["rating_inflation"], lang))  # fmt: skip

    if inflated is not None and len(inflated):
        listed = inflated.drop_duplicates("org_id")
        add("inflated_ratings", len(listed), None, "finding.inflated_ratings", n=n(len(listed)),
            names=fmt_list(listed["name"].astype(str).tolist(), lang, limit))  # fmt: skip

    if "minutes_mismatches" in cells and (bad := _total(cells["minutes_mismatches"])):
        add("minutes", int(bad), None, "finding.minutes", n=n(bad))

    if "admissions" in cells:
        none = cells["admissions"].fillna(0) == 0
        add("admissions", int(none.sum()), n_cells, "finding.admissions",
            admitted=n(cells["admissions"].sum()), n=n(none.sum()), total=n(n_cells))  # fmt: skip

    return _frame(rows)


def _frame(rows: list[tuple[str, object, object, str]]) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=FINDING_COLUMNS)
    out["count"] = out["count"].astype("Int64")
    out["total"] = out["total"].astype("Int64")
    return out


#: Scorecard columns recorded as the key figures of a report (reports/index.html).
FIGURE_COLUMNS = [
    "members", "regular_rate", "thematic_rate", "attendance_rate", "flagged_meetings",
    "implausible_good",
]  # fmt: skip


def key_figures(scorecard: pd.DataFrame, org_id: str) -> dict[str, object]:
    """The audited organisation's key figures: cells, and :data:`FIGURE_COLUMNS` of its row.

    Examples
    --------
    >>> card = pd.DataFrame({"org_id": ["B", "C"], "level": ["base", "cell"], "members": [9, 9],
    ...     "regular_rate": [0.5, 0.5], "thematic_rate": [1.0, 1.0], "attendance_rate": [None, None],
    ...     "flagged_meetings": [1, 1], "implausible_good": [0, 0]})
    >>> key_figures(card, "B")["cells"], key_figures(card, "B")["attendance_rate"]
    (1, None)
    """
    row = scorecard[scorecard["org_id"] == org_id]
    if row.empty:
        raise ParameterError(f"org_id={org_id!r} is not a row of the scorecard")
    cells = int(scorecard["level"].astype("object").isin(CELL_LEVELS).sum())
    values = row.iloc[0][FIGURE_COLUMNS]
    return {"cells": cells} | {k: (None if pd.isna(v) else v) for k, v in values.items()}


#: Upper bounds of the bands in which a kappa is put into words (Landis and Koch, 1977).
KAPPA_BANDS = ((0.2, "slight"), (0.4, "fair"), (0.6, "moderate"), (0.8, "substantial"),
               (1.0, "almost_perfect"))  # fmt: skip


def agreement_words(kappa: float, lang: str = "vi") -> str:
    """A kappa in plain words, as Landis and Koch band it (0.41–0.60 "moderate", ...).

    >>> agreement_words(0.54), agreement_words(0.54, "en"), agreement_words(-0.1, "en")
    ('khớp ở mức trung bình', 'agree moderately', 'agree less than chance would')
    >>> [agreement_words(k, "en").split()[0] for k in (0.0, 0.2, 0.21, 0.8, 0.81, 1.0)]
    ['barely', 'barely', 'agree', 'agree', 'agree', 'agree']
    """
    if kappa < 0:
        return label("kappa_band.below_chance", lang)
    band = next((name for top, name in KAPPA_BANDS if kappa <= top), "almost_perfect")
    return label(f"kappa_band.{band}", lang)


def kappa_sentence(result, lang: str = "vi") -> str:
    """The kappa of self against inspection ratings as a sentence (or "no inspections").

    ``result`` is a :class:`~chibo_analysis.stats.agreement.KappaResult`.
    When the cells, or the inspectors, gave every compared meeting the same
    grade, the kappa is 0 with an interval from 0 to 0 whatever the ratings
    were: the sentence says so and gives the share of meetings on which both
    agree instead.
    """
    if not result.n:
        return label("text.no_inspections", lang)
    confusion = result.confusion
    used = [int((confusion.sum(axis=a) > 0).sum()) for a in (1, 0)]  # grades self, inspectors
    if min(used) < 2:
        # one side gave every meeting the same grade: kappa is 0 by construction and its
        # interval 0 to 0, which says nothing about agreement; say what the ratings were
        agree = float(np.trace(confusion.to_numpy())) / result.n
        who = "text.kappa_one_grade_self" if used[0] < 2 else "text.kappa_one_grade_inspectors"
        return label("text.kappa_one_grade", lang, n=fmt_int(result.n, lang),
                     who=label(who, lang), agreement=fmt_percent(agree, lang))  # fmt: skip
    return label("text.kappa", lang, plain=agreement_words(result.kappa, lang),
                 kappa=fmt_number(result.kappa, lang),
                 low=fmt_number(result.low, lang), high=fmt_number(result.high, lang),
                 n=fmt_int(result.n, lang))  # fmt: skip
