"""Inspection planning: risk ranking, sample size, seeded selection, the worksheet.

1. **Risk score** per cell, from the scorecard's counts: each component of
   :data:`RISK_COMPONENTS` is a number in [0, 1] (0 = no sign of the
   problem), and the score is their weighted mean, with the weights of the
   targets file's ``risk_weights`` section. A component whose denominator is
   empty (no inspections, no good ratings...) is left out of that cell's mean
   rather than counted as 0 or 1, and ``components_used`` says how many
   counted. Nothing is hidden: every component is a column of the ranking.
2. **Sample size** of meetings by attribute sampling
   (:func:`chibo_analysis.stats.sampling.sample_size`), e.g. 59 at 95%
   confidence, 5% tolerable and no expected deviation.
3. **Selection**: the meetings of the period in the organisation's subtree,
   sorted by ``meeting_id`` and drawn with a seed, stratified by cell
   (proportional allocation) or simple random.
4. **Worksheet** (:func:`write_worksheet`): an Excel workbook the inspectors
   fill in (inspected_on, rating from a drop-down of Tốt/Khá/Trung bình/Kém,
   findings, deviation Có/Không); :func:`read_worksheet` reads it back and
   :func:`evaluate_worksheet` gives the upper deviation limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from chibo_analysis.checks.validation import validated
from chibo_analysis.errors import DataReadError, ParameterError
from chibo_analysis.labels import catalogued
from chibo_analysis.outputs import atomic_path, excel_writer
from chibo_analysis.schema import CELL_LEVELS, NO, RATINGS, YES, fold
from chibo_analysis.stats.sampling import SampleEvaluation, evaluate_sample, sample_size
from chibo_analysis.stats.sampling import select_sample as _select
from chibo_analysis.yamlio import safe_load

from .targets import RISK_COMPONENTS

SHEETS = {"risk": "Xếp hạng rủi ro", "sample": "Mẫu kiểm tra", "parameters": "Thông số"}
FILL_COLUMNS = ["inspected_on", "rating", "findings", "deviation"]
SAMPLE_COLUMNS = ["meeting_id", "cell_id", "cell_name", "held_on", "kind", "self_rating", "risk"]
_RATING_LABEL = {c.code: c.vi for c in RATINGS}
#: The parameters a worksheet records (its "Thông số" sheet), in this order.
PARAMETER_NAMES = (
    "period", "org_id", "confidence", "tolerable", "expected", "seed", "population",
    "sample_size", "allowed_deviations", "stratified",
)  # fmt: skip


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    num, den = num.astype("Float64"), den.astype("Float64")
    return (num / den.where(den > 0)).astype("Float64")


def _rate(frame: pd.DataFrame, rate: str, num: str, den: str) -> pd.Series:
    """A rate from counts when present, else the scorecard's rate column."""
    if num in frame and den in frame:
        return _ratio(frame[num], frame[den])
    if rate in frame:
        return frame[rate].astype("Float64")
    return pd.Series(pd.NA, index=frame.index, dtype="Float64")


def risk_components(scorecard: pd.DataFrame) -> pd.DataFrame:
    """The components of :data:`RISK_COMPONENTS`, each in [0, 1] or empty.

    Works on the §4 scorecard (rates) or on
    :func:`~chibo_analysis.indicators.scorecard.scorecard_counts` (counts;
    needed for ``short_share`` and ``minutes_mismatch_share``, whose
    denominator ``meetings`` is not a §4 column).
    """
    f = scorecard
    meetings = f["meetings"] if "meetings" in f else pd.Series(pd.NA, index=f.index)
    inflation = _rate(f, "rating_inflation", "rating_difference", "inspected_meetings")
    out = pd.DataFrame(
        {
            "regular_shortfall": 1 - _rate(f, "regular_rate", "regular_months", "months_expected"),
            "thematic_shortfall": 1
            - _rate(f, "thematic_rate", "thematic_quarters", "quarters_expected"),
            "attendance_shortfall": 1
            - _rate(f, "attendance_rate", "attendance_present", "attendance_counted"),
            "nonstandard_share": 1
            - _rate(f, "standard_meeting_rate", "standard_meetings", "meetings"),
            "short_share": _ratio(f["short_meetings"], meetings),
            "implausible_good_share": _ratio(f["implausible_good"], f["good_self_ratings"]),
            "rating_inflation": inflation.clip(lower=0) / 3,
            "minutes_mismatch_share": _ratio(f["minutes_mismatches"], meetings),
            "flagged_share": _ratio(f["flagged_meetings"], f["members"]).clip(upper=1),
            "no_admissions": (f["admissions"].astype("Float64") == 0).astype("Float64"),
        },
        index=f.index,
    )
    return out.clip(lower=0, upper=1)


def load_risk_weights(path: str | Path | None = None) -> dict[str, float]:
    """The ``risk_weights`` section of a targets file (default: the package's).

    Raises :class:`ParameterError` for an unknown component or a negative
    weight, :class:`DataReadError` when the file has no such section.
    """
    if path is None:
        text = (
            resources.files("chibo_analysis").joinpath("resources/targets.yaml").read_text("utf-8")
        )
        source = "the default targets file"
    else:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as err:
            raise catalogued(
                DataReadError, "risk_weights_unreadable", path=str(path), reason=str(err)
            ) from err
        source = str(path)
    data = safe_load(text) or {}
    weights = data.get("risk_weights")
    if not isinstance(weights, dict) or not weights:
        raise catalogued(DataReadError, "no_risk_weights", path=source)
    return check_weights(weights)


def check_weights(weights: dict) -> dict[str, float]:
    """Weights by component name, checked: known names, numbers >= 0, not all 0."""
    unknown = sorted(set(weights) - set(RISK_COMPONENTS))
    if unknown:
        raise ParameterError(
            f"unknown risk component(s) {unknown}; expected among {list(RISK_COMPONENTS)}"
        )
    out = {}
    for name, value in weights.items():
        try:
            out[name] = float(value)
        except (TypeError, ValueError) as err:
            raise ParameterError(f"risk weight {name}={value!r} is not a number") from err
        if out[name] < 0:
            raise ParameterError(f"risk weight {name}={value!r} is negative")
    if sum(out.values()) <= 0:
        raise ParameterError("risk weights are all zero")
    return out


def risk_scores(scorecard: pd.DataFrame, weights: dict | None = None) -> pd.DataFrame:
    """Risk ranking of the cells of a scorecard.

    Parameters
    ----------
    scorecard : DataFrame
        §4 scorecard or scorecard counts; rows above cell level are dropped
        when a ``level`` column is present.
    weights : dict, optional
        Weight per component; default the package's targets file.

    Returns
    -------
    DataFrame
        ``org_id`` (and ``name`` when given), every component, ``risk`` (the
        weighted mean of the components that are not empty),
        ``components_used`` and ``rank`` (1 = highest risk), sorted by rank.

    Examples
    --------
    >>> sc = pd.DataFrame({"org_id": ["A", "B"], "regular_rate": [1.0, 0.5]})
    >>> r = risk_scores(sc, {"regular_shortfall": 1.0})
    >>> r[["org_id", "risk", "rank"]].values.tolist()
    [['B', 0.5, 1], ['A', 0.0, 2]]
    """
    weights = check_weights(load_risk_weights() if weights is None else weights)
    frame = scorecard
    if "level" in frame:
        frame = frame[frame["level"].astype(str).isin(CELL_LEVELS)]
    frame = frame.reset_index(drop=True)
    needed = {
        "short_meetings", "implausible_good", "good_self_ratings", "minutes_mismatches",
        "flagged_meetings", "members", "admissions",
    }  # fmt: skip
    filled = frame.copy()
    for col in needed - set(frame.columns):
        filled[col] = pd.NA
    comps = risk_components(filled)[list(weights)]
    w = pd.Series(weights)
    values = comps.to_numpy(dtype=float, na_value=np.nan)
    present = ~np.isnan(values)
    wsum = (present * w.to_numpy()).sum(axis=1)
    score = np.where(
        wsum > 0, np.nansum(values * w.to_numpy(), axis=1) / np.where(wsum > 0, wsum, 1), np.nan
    )
    keep = [c for c in ("org_id", "name", "parent_id", "period") if c in frame]
    out = pd.concat([frame[keep], comps], axis=1)
    out["risk"] = score
    out["components_used"] = present[:, w.to_numpy() > 0].sum(axis=1)
    out["rank"] = out["risk"].rank(ascending=False, method="min").astype("Int64")
    return out.sort_values(["rank", "org_id"], na_position="last").reset_index(drop=True)


@dataclass(frozen=True)
class InspectionPlan:
    """A risk ranking and a seeded sample of meetings; unpacks as ``risk, sample``.

    Attributes
    ----------
    risk : DataFrame
        :func:`risk_scores` of the cells.
    sample : DataFrame
        The selected meetings (:data:`SAMPLE_COLUMNS`, ``_file``, ``_row``).
    parameters : dict
        period, org_id, confidence, tolerable, expected, seed, population,
        sample_size, allowed_deviations, stratified.
    """

    risk: pd.DataFrame
    sample: pd.DataFrame
    parameters: dict

    def __iter__(self):
        return iter((self.risk, self.sample))


def select_meetings(
    meetings: pd.DataFrame, n: int, *, seed: int, stratify: bool = True
) -> pd.DataFrame:
    """Seeded selection of ``n`` meetings, stratified by cell or simple."""
    return _select(
        meetings, n, seed=seed, key="meeting_id", stratify_by="cell_id" if stratify else None
    )


def plan_inspection(
    dataset,
    period: str | int,
    org_id: str | None = None,
    *,
    confidence: float = 0.95,
    tolerable: float = 0.05,
    expected: float = 0.0,
    seed: int = 0,
    stratify: bool = True,
    weights: dict | None = None,
) -> InspectionPlan:
    """Risk ranking and sample of meetings to inspect for ``org_id`` in ``period``."""
    from chibo_analysis.indicators.periods import parse_period
    from chibo_analysis.indicators.roll import subtree
    from chibo_analysis.indicators.scorecard import scorecard_counts

    ds = validated(dataset)
    counts = scorecard_counts(ds, period, org_id)
    risk = risk_scores(counts, weights)
    p = parse_period(period)
    inside = subtree(ds.organisations, org_id)
    mt = ds.meetings
    mt = mt[mt["cell_id"].isin(inside) & mt["held_on"].between(p.start, p.end)]
    size = sample_size(confidence, tolerable, expected, population=len(mt))
    names = ds.organisations.set_index("org_id")["name"]
    chosen = select_meetings(mt, size.n, seed=seed, stratify=stratify)
    chosen = chosen.assign(
        cell_name=chosen["cell_id"].map(names),
        risk=chosen["cell_id"].map(risk.set_index("org_id")["risk"]),
        kind=chosen["kind"].astype(str),
        self_rating=chosen["self_rating"].astype(object).map(_RATING_LABEL),
    )
    sample = chosen[SAMPLE_COLUMNS + ["_file", "_row"]]
    parameters = {
        "period": p.label,
        "org_id": org_id or "",
        "confidence": size.confidence,
        "tolerable": size.tolerable,
        "expected": size.expected,
        "seed": int(seed),
        "population": int(len(mt)),
        "sample_size": int(len(sample)),
        "allowed_deviations": size.allowed_deviations,
        "stratified": bool(stratify),
    }
    return InspectionPlan(risk, sample, parameters)


#: The schema table whose headers name each worksheet column (others: the catalogue's).
_HEADER_TABLES = {"inspected_on": "inspections", "rating": "inspections",
                  "findings": "inspections"}  # fmt: skip


def worksheet_header(column: str, lang: str = "vi") -> str:
    """The header of ``column`` in the worksheet: ``worksheet.<column>``, else its column label.

    >>> worksheet_header("held_on"), worksheet_header("deviation", "en")
    ('Ngày sinh hoạt', 'Deviation')
    """
    from chibo_analysis.labels import column_label, has_label, label

    key = f"worksheet.{column}"
    if has_label(key):
        return label(key, lang)
    return column_label(column, lang, _HEADER_TABLES.get(column, "meetings"))


def _parameter_name(name: str, lang: str) -> str:
    from chibo_analysis.labels import has_label, label

    key = f"worksheet.param_{name}"
    return label(key, lang) if has_label(key) else name


def write_worksheet(plan: InspectionPlan, path: str | Path, *, lang: str = "vi") -> Path:
    """Write the inspectors' workbook: risk ranking, sample to fill in, parameters.

    Headers, meeting kinds, ratings and parameter names are in ``lang``
    (:func:`worksheet_header`). The sample sheet has empty columns
    ``inspected_on`` (date), ``rating`` (drop-down: Tốt, Khá, Trung bình, Kém),
    ``findings`` and ``deviation`` (drop-down: Có, Không); :func:`read_worksheet`
    reads it back whatever the language of its headers.
    """
    from chibo_analysis.labels import category_label, check_lang, column_label, label

    check_lang(lang)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    sample = plan.sample.copy()
    sample["kind"] = sample["kind"].map(lambda k: category_label("meetings", "kind", k, lang))
    to_lang = {c.vi: category_label("meetings", "self_rating", c.code, lang) for c in RATINGS}
    sample["self_rating"] = sample["self_rating"].map(lambda v: to_lang.get(v, v))
    for col in FILL_COLUMNS:
        sample[col] = None
    cols = list(sample.columns)
    sample.columns = [worksheet_header(c, lang) for c in cols]
    risk = plan.risk.rename(columns=lambda c: column_label(c, lang, "organisations"))
    words = {True: label("word.yes", lang), False: label("word.no", lang)}
    params = pd.DataFrame(
        {
            worksheet_header("parameter", lang): [
                _parameter_name(k, lang) for k in plan.parameters
            ],
            worksheet_header("value", lang): [
                words[v] if isinstance(v, bool) else v for v in plan.parameters.values()
            ],
        }
    )
    with atomic_path(path) as tmp, excel_writer(tmp) as xl:
        risk.to_excel(xl, sheet_name=SHEETS["risk"], index=False)
        sample.to_excel(xl, sheet_name=SHEETS["sample"], index=False)
        params.to_excel(xl, sheet_name=SHEETS["parameters"], index=False)
        book, sheet = xl.book, xl.sheets[SHEETS["sample"]]
        n = len(sample)
        date_fmt = book.add_format({"num_format": "dd/mm/yyyy"})
        fill = book.add_format({"bg_color": "#FFF2CC", "num_format": "dd/mm/yyyy"})
        sheet.set_column(cols.index("held_on"), cols.index("held_on"), 12, date_fmt)
        for col in FILL_COLUMNS:
            j = cols.index(col)
            sheet.set_column(j, j, 30 if col == "findings" else 14, fill)
        last = max(n, 1)
        ratings = [category_label("inspections", "rating", c.code, lang) for c in RATINGS]
        sheet.data_validation(
            1, cols.index("rating"), last, cols.index("rating"),
            {"validate": "list", "source": ratings},
        )  # fmt: skip
        sheet.data_validation(
            1, cols.index("deviation"), last, cols.index("deviation"),
            {"validate": "list", "source": [words[True], words[False]]},
        )  # fmt: skip
        sheet.data_validation(
            1, cols.index("inspected_on"), last, cols.index("inspected_on"),
            {"validate": "date", "criteria": ">", "value": pd.Timestamp("2000-01-01")},
        )  # fmt: skip
        sheet.freeze_panes(1, 1)
    return path


def _yes_no(values: pd.Series, column: str) -> pd.Series:
    folded = values.map(lambda v: None if pd.isna(v) or str(v).strip() == "" else fold(v))
    out = folded.map(lambda v: True if v in YES else False if v in NO else pd.NA)
    bad = folded.notna() & out.isna()
    if bad.any():
        row, value = int(bad.idxmax()) + 2, values[bad].iloc[0]
        raise DataReadError(
            f"{column} must be Có or Không; row {row} has {value!r}",
            key="worksheet_deviation", column=column, row=row, value=value,
        )  # fmt: skip
    return out.astype("boolean")


def _by_name(names: list[str], label_of) -> dict[str, str]:
    """Each name, and its label in either language (letter case and diacritics folded), to the name."""
    from chibo_analysis.labels import LANGS

    return {
        fold(text): name for name in names for text in (name, *(label_of(name, g) for g in LANGS))
    }


def read_worksheet(path: str | Path) -> pd.DataFrame:
    """The sample sheet of a filled-in worksheet, typed, with the package's column names.

    Headers are recognised in Vietnamese, English or as column names.
    ``rating`` becomes the English code (good/fair/average/poor), ``deviation``
    a boolean (empty while not yet inspected), ``inspected_on`` a date.
    """
    try:
        sheets = pd.read_excel(path, sheet_name=None, engine="calamine")
    except Exception as err:  # noqa: BLE001 - calamine's own errors too: a file that is no workbook
        from chibo_analysis.intake.formats import not_what_named

        found = None  # a file that is there: what it is, and how to fix it
        if Path(path).is_file():
            found = not_what_named(Path(path), "workbook")
        if found is not None:
            raise found from err
        raise DataReadError(
            f"cannot read worksheet {path}: {err}",
            key="worksheet_unreadable", path=str(path), reason=str(err),
        ) from err  # fmt: skip
    sample = SHEETS["sample"]
    if sample not in sheets:
        raise DataReadError(
            f"{path} has no sheet {sample!r}",
            key="worksheet_no_sheet",
            path=str(path),
            sheet=sample,
        )
    columns = [*SAMPLE_COLUMNS, "_file", "_row", *FILL_COLUMNS]
    names = _by_name(columns, worksheet_header)
    frame = sheets[sample]
    frame = frame.rename(columns=lambda h: names.get(fold(h), h))
    missing = [c for c in ["meeting_id", *FILL_COLUMNS] if c not in frame]
    if missing:
        shown = ", ".join(worksheet_header(c) for c in missing)
        raise DataReadError(
            f"sheet {sample!r} of {path} lacks columns {missing}",
            key="worksheet_columns", sheet=sample, path=str(path), columns=shown,
        )  # fmt: skip
    codes = {fold(c.vi): c.code for c in RATINGS} | {c.code: c.code for c in RATINGS}
    rating = frame["rating"].map(lambda v: None if pd.isna(v) else codes.get(fold(v), "?"))
    if (rating == "?").any():
        bad = frame.loc[rating == "?", "rating"].iloc[0]
        choices = [c.vi for c in RATINGS]
        raise DataReadError(
            f"rating {bad!r} is not one of {choices}",
            key="worksheet_rating", value=bad, choices=", ".join(choices),
        )  # fmt: skip
    out = frame.assign(
        meeting_id=frame["meeting_id"].astype(str),
        rating=rating,
        deviation=_yes_no(frame["deviation"], worksheet_header("deviation")),
        inspected_on=pd.to_datetime(frame["inspected_on"], errors="coerce", dayfirst=True),
        findings=frame["findings"].astype(object).where(frame["findings"].notna(), None),
    )
    params = sheets.get(SHEETS["parameters"])
    if params is not None and len(params.columns) >= 2:
        keys = _by_name(list(PARAMETER_NAMES), _parameter_name)
        out.attrs["parameters"] = {
            keys.get(fold(k), k): v
            for k, v in zip(params.iloc[:, 0], params.iloc[:, 1], strict=True)
        }
    return out


def evaluate_worksheet(path: str | Path) -> SampleEvaluation:
    """Upper deviation limit of the reviewed meetings of a filled-in worksheet.

    Only meetings with ``deviation`` filled in count as reviewed; the
    confidence and tolerable rate are those of the worksheet's parameters.
    """
    sheet = read_worksheet(path)
    params = sheet.attrs.get("parameters", {})
    reviewed = sheet["deviation"].dropna()
    if reviewed.empty:
        raise ParameterError(
            f"no meeting of {path} has the deviation column filled in",
            key="worksheet_empty", path=str(path), column=worksheet_header("deviation"),
        )  # fmt: skip
    return evaluate_sample(
        int(reviewed.sum()),
        len(reviewed),
        tolerable=float(params.get("tolerable", 0.05)),
        confidence=float(params.get("confidence", 0.95)),
    )
