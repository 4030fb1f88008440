"""Tables for readers: what a report may show, labelled in the reader's language.

Each function takes a result of the package (a list, the assessment against
targets, the validation report, the dataset's sources) and returns what a
reader sees: only the columns a reader may see (members pseudonymised in a
shared report), values formatted and headers translated through the label
catalogue (:mod:`chibo_analysis.labels`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from chibo_analysis.labels import (
    check_lang,
    fmt_int,
    fmt_number,
    fmt_percent,
    label,
    yes_no,
)

if TYPE_CHECKING:  # pragma: no cover
    from chibo_analysis.dataset import Dataset
    from chibo_analysis.indicators.periods import Period


#: The columns a list shows on a page, in order (the evidence workbook and ``chibo lists``
#: keep every column); a list not named here shows all its columns.
PAGE_COLUMNS = {
    "r6_meetings": ["member_id", "full_name", "cell", "n_months", "months", "evidence"],
    "r6_dues": ["member_id", "full_name", "cell", "n_months", "months", "evidence"],
    "excused_streaks": [
        "member_id",
        "full_name",
        "cell",
        "run_length",
        "first_on",
        "last_on",
        "evidence",
    ],  # fmt: skip
    "probation_overdue": ["member_id", "full_name", "cell", "admitted_on", "days_overdue", "_row"],
    "implausible_good": [
        "cell",
        "held_on",
        "kind",
        "duration_min",
        "self_rating",
        "reason_text",
        "evidence",
    ],  # fmt: skip
    "minutes_mismatches": ["cell", "held_on", "mismatched", "_row"],
    "inflated_ratings": [
        "name",
        "parent_id",
        "inspected_meetings",
        "rating_inflation",
        "shrunken_share",
        "evidence",
    ],  # fmt: skip
    "no_admissions": ["name", "parent_id", "kind", "members", "_row"],
    "small_residential": ["name", "parent_id", "members", "evidence"],
    "r9_cap": ["name", "year", "excellent", "good", "cap_share", "allowed", "evidence"],
    "copied_cells": ["cell", "meetings", "compared", "copied", "copied_share"],
    "copied_pairs": [
        "name_a",
        "base_a",
        "held_on_a",
        "_row_a",
        "cell_id_b",
        "held_on_b",
        "_row_b",
        "similarity",
    ],  # fmt: skip
    "rated_meetings": [
        "meeting_id",
        "cell",
        "held_on",
        "self_rating",
        "inspection_rating",
        "difference",
        "evidence",
    ],  # fmt: skip
}

#: Rows a list shows on a page; the full list goes to the evidence workbook.
SHOWN_ROWS = 5
#: Rows a table of the smaller studies shows on a page (rating accuracy, comparisons).
PAGE_ROWS = 10
#: Columns that say which organisation a scorecard row is, kept in the evidence workbook
#: (where each code is followed by its name) though a page shows only the name.
EVIDENCE_KEYS = ["org_id", "parent_id"]

#: The schema table each list's rows come from (for headers and category labels).
LIST_TABLES = {
    "r6_meetings": "members",
    "r6_dues": "members",
    "excused_streaks": "members",
    "probation_overdue": "members",
    "exemption_age": "members",
    "failing_meetings": "meetings",
    "implausible_good": "meetings",
    "minutes_mismatches": "meetings",
    "small_residential": "organisations",
    "no_admissions": "organisations",
    "r9_cap": "organisations",
    "inflated_ratings": "organisations",
    "disciplines": "disciplines",
}
_CATEGORIES = {
    "members": {"gender": ("members", "gender"), "left_reason": ("members", "left_reason")},
    "meetings": {"kind": ("meetings", "kind"), "self_rating": ("meetings", "self_rating")},
    "organisations": {"kind": ("organisations", "kind")},
    "disciplines": {"form": ("disciplines", "form")},
    "inspections": {
        "self_rating": ("meetings", "self_rating"),
        "inspection_rating": ("inspections", "rating"),
    },
}
#: Columns never shown to readers: reason codes (their text is shown) and sheet names.
HIDDEN_COLUMNS = ("reasons", "_sheet")
#: Free-text columns left out of shared reports: they may name people.
FREE_TEXT_COLUMNS = ("reason", "findings", "minutes_text", "topic")


#: Columns that point at a source row: in a shared list of members they would lead anyone
#: holding the source files from a pseudonym back to the member's row and name.
ROW_COLUMNS = ("evidence", "_file", "_row", "file", "row", "_row_a", "_row_b", "_file_a", "_file_b")


def reader_view(
    frame: pd.DataFrame, *, share: bool = False, key: bytes | None = None
) -> pd.DataFrame:
    """The columns of a list that a reader may see.

    Drops :data:`HIDDEN_COLUMNS`. With ``share``, replaces ``member_id`` by its
    pseudonym and drops the personal columns (``full_name``, ``birth_date``)
    and :data:`FREE_TEXT_COLUMNS`; in a list of members (one with
    ``member_id``) it also drops every column pointing at a source row
    (:data:`ROW_COLUMNS`) and shows dates as their year only: a row number or
    an exact admission date next to a pseudonym finds the member in the files.

    Examples
    --------
    >>> df = pd.DataFrame({"member_id": ["M1"], "full_name": ["Nguyễn Văn An"], "n_months": [3],
    ...                    "admitted_on": pd.to_datetime(["2010-06-15"]), "evidence": ["m.csv:2"]})
    >>> shared = reader_view(df, share=True, key=b"k" * 32)
    >>> shared.columns.tolist(), shared["admitted_on"].tolist()
    (['member_id', 'n_months', 'admitted_on'], [2010])
    """
    out = frame.drop(columns=[c for c in HIDDEN_COLUMNS if c in frame.columns])
    if share:
        from chibo_analysis.present.pseudonyms import pseudonymise

        ids = [c for c in ("member_id",) if c in out.columns]
        if ids:
            out = out.drop(columns=[c for c in ROW_COLUMNS if c in out.columns])
            for column in out.columns:
                if pd.api.types.is_datetime64_any_dtype(out[column]):
                    out[column] = out[column].dt.year.astype("Int64")
        if "reason_text" in out.columns:  # "4th or later excused absence in a row: M1, M2"
            out["reason_text"] = pseudonymise_reasons(out["reason_text"], key)
        out = pseudonymise(out, ids, key=key)
        out = out.drop(columns=[c for c in FREE_TEXT_COLUMNS if c in out.columns])
    return out


def pseudonymise_reasons(texts: pd.Series, key: bytes | None = None) -> pd.Series:
    """Reasons of failing meetings with the members they name (``reason.r4_excused_run``) pseudonymised.

    Examples
    --------
    >>> from chibo_analysis.present.pseudonyms import pseudonym
    >>> text = "1 member(s) absent without reason; 4th or later excused absence in a row: M1, M2"
    >>> out = pseudonymise_reasons(pd.Series([text]), b"k" * 32)[0]
    >>> out.endswith(f"in a row: {pseudonym('M1', b'k' * 32)}, {pseudonym('M2', b'k' * 32)}")
    True
    """
    import re

    from chibo_analysis.labels import LANGS
    from chibo_analysis.present.pseudonyms import load_key, pseudonym

    patterns = []
    for lang in LANGS:
        before, after = label("reason.r4_excused_run", lang, who="\0").split("\0")
        patterns.append(re.compile(f"({re.escape(before)})(.*?)({re.escape(after)}(?:; |$))"))
    named = texts.map(lambda t: isinstance(t, str) and any(p.search(t) for p in patterns))
    if not named.any():
        return texts
    secret = key if key is not None else load_key()

    def hidden(match: re.Match) -> str:
        who = ", ".join(pseudonym(w, secret) for w in match.group(2).split(", ") if w)
        return match.group(1) + who + match.group(3)

    def hide(text: object) -> object:
        if not isinstance(text, str):
            return text
        for pattern in patterns:
            text = pattern.sub(hidden, text)
        return text

    return texts.map(hide)


def show_list(
    name: str,
    dataset: Dataset,
    period: str | int | Period,
    org_id: str | None = None,
    *,
    lang: str = "vi",
    share: bool = False,
    limit: int | None = SHOWN_ROWS,
    keep: dict | None = None,
):
    """One list of :data:`chibo_analysis.indicators.LISTS` as a table for readers.

    Computes the list (``run_list``) and shows its most serious rows with
    :func:`show_frame`; ``keep`` (a dict) receives the whole list under its
    name, for the evidence workbook.
    """
    from chibo_analysis.indicators import run_list

    options = {"lang": lang} if name in ("failing_meetings", "implausible_good") else {}
    frame = run_list(name, dataset, period, org_id, **options)
    return show_frame(
        frame,
        LIST_TABLES.get(name),
        lang=lang,
        share=share,
        limit=limit,
        dataset=dataset,
        columns=PAGE_COLUMNS.get(name),
        name=name,
        keep=keep,
    )


def show_frame(
    frame: pd.DataFrame,
    source: str | None,
    *,
    lang: str = "vi",
    share: bool = False,
    limit: int | None = SHOWN_ROWS,
    dataset: Dataset | None = None,
    columns: list[str] | None = None,
    name: str | None = None,
    keep: dict | None = None,
    ordered: bool = True,
    where: bool = False,
):
    """A result table for readers: :func:`reader_view`, labelled in ``lang``, compact.

    ``source`` is the schema table the rows come from (headers and category
    labels of its columns). Long ``evidence`` cells are cut to their first
    references and a count (:func:`short_evidence`); a row's own file and row
    become one ``file:row`` column. With ``dataset``, organisation codes
    (``cell_id``, ``parent_id``) are shown as names that say where
    (:func:`~chibo_analysis.present.study_data.where_names`). At most ``limit``
    rows are shown, the most serious first when ``name`` is a list of
    :data:`~chibo_analysis.present.severity.SEVERITY`, with a line saying how
    many there are; with ``columns``, only those of them present (after those
    renamings), in that order. ``keep`` receives the whole frame under ``name``.
    With ``ordered=False`` the page keeps the frame's own order (the workbook
    still orders it most serious first). With ``where`` (and ``dataset``), a
    ``name`` column of organisations (``org_id``) says where: the base is
    added where a name repeats among the rows (a committee's 347 cells).
    """
    from chibo_analysis.present.display import table
    from chibo_analysis.present.severity import SEVERITY, most_serious

    if keep is not None and name is not None:
        keep[name] = frame
    if name in SEVERITY and ordered:
        frame = most_serious(name, frame, None)
    if where and dataset is not None and {"org_id", "name"} <= set(frame.columns):
        from chibo_analysis.present.study_data import where_names

        names = where_names(dataset.tables["organisations"], frame["org_id"].astype(str))
        frame = frame.assign(name=list(names))
    shown = page_view(short_evidence(reader_view(frame, share=share), lang), dataset)
    if columns is not None:
        shown = shown[[c for c in columns if c in shown.columns]]
    return table(shown, lang, limit=limit, table=source, categories=_CATEGORIES.get(source, {}))


#: Longest text a cell of a page table shows (the evidence workbook has the rest).
CELL_CHARS = 60


def page_view(frame: pd.DataFrame, dataset: Dataset | None = None) -> pd.DataFrame:
    """``frame`` made compact for a page: ``_file`` and ``_row`` as one ``file:row``
    column (``_row``), or left out when an ``evidence`` column names the rows
    behind the case; organisation codes as names that say where.

    A text longer than :data:`CELL_CHARS` (a list of meeting codes, months)
    is cut with "…": the evidence workbook holds it whole.

    Examples
    --------
    >>> page_view(pd.DataFrame({"n": [3], "_file": ["members.csv"], "_row": [12]})).to_dict("list")
    {'n': [3], '_row': ['members.csv:12']}
    """
    out = frame.copy()
    for column in out.columns:
        if column != "evidence" and (
            out[column].dtype == object or pd.api.types.is_string_dtype(out[column].dtype)
        ):
            out[column] = out[column].map(
                lambda v: (
                    v[: CELL_CHARS - 1] + "…" if isinstance(v, str) and len(v) > CELL_CHARS else v
                )
            )
    if "evidence" in out.columns:  # the rows behind the case say where it comes from
        out = out.drop(columns=[c for c in ("_file", "_row") if c in out.columns])
    for end in ("", "_a", "_b"):
        file, row = f"_file{end}", f"_row{end}"
        if file in out.columns and row in out.columns:
            rows = out[row].astype("object")
            ref = out[file].astype(str) + ":" + rows.map(lambda v: "" if pd.isna(v) else str(v))
            out = out.drop(columns=file).assign(**{row: ref.where(rows.notna(), "")})
    if dataset is not None and dataset.has("organisations"):
        from chibo_analysis.present.study_data import where_names

        orgs = dataset.tables["organisations"]
        for code in ("cell_id", "parent_id", "cell_id_a", "cell_id_b"):
            if code in out.columns:
                out = out.assign(**{code: list(where_names(orgs, out[code].astype(str)))})
        out = out.rename(columns={"cell_id": "cell"})
    return out


#: How many ``file:row`` references an evidence cell of a page shows before the count.
EVIDENCE_SHOWN = 1


def short_evidence(frame: pd.DataFrame, lang: str = "vi", limit: int = EVIDENCE_SHOWN):
    """``frame`` with each ``evidence`` cell cut to its first ``limit`` references.

    A cell of a page cannot hold 139 ``reviews.csv:N`` references: past
    ``limit`` it shows the first ones and how many more there are (the list
    itself, e.g. ``chibo lists``, keeps them all).

    Examples
    --------
    >>> df = pd.DataFrame({"evidence": ["a.csv:2; a.csv:3; a.csv:4; a.csv:5; a.csv:9", "a.csv:7"]})
    >>> short_evidence(df, "en", limit=2)["evidence"].tolist()
    ['a.csv:2; a.csv:3 … and 3 more (5 records)', 'a.csv:7']
    """
    if "evidence" not in frame.columns:
        return frame
    check_lang(lang)

    def cut(text: object) -> object:
        if not isinstance(text, str):
            return text
        refs = [r for r in text.split("; ") if r]
        if len(refs) <= limit:
            return text
        return label("word.evidence_more", lang, first="; ".join(refs[:limit]),
                     more=fmt_int(len(refs) - limit, lang), n=fmt_int(len(refs), lang))  # fmt: skip

    return frame.assign(evidence=frame["evidence"].map(cut))


def _value_text(column: pd.Series, value: pd.Series, lang: str, signed: bool = False) -> pd.Series:
    from chibo_analysis.present.display import RATE_COLUMNS

    rate = column.isin(RATE_COLUMNS).to_numpy()
    pct = value.map(lambda v: fmt_percent(v, lang))
    num = value.map(
        lambda v: fmt_number(v, lang, 2).rstrip("0").rstrip(",.") if pd.notna(v) else "–"
    )
    text = pct.where(rate, num)
    if signed:
        text = text.where(~(value > 0).fillna(False), "+" + text)
    return text


def target_table(
    assessment: pd.DataFrame, targets, org_id: str, *, lang: str = "vi"
) -> pd.DataFrame:
    """The audited organisation's row of each target: label, value, target, met, gap.

    Parameters
    ----------
    assessment : DataFrame
        From :func:`chibo_analysis.indicators.assess`.
    targets : Targets
        The targets the assessment used (for their labels in ``lang``).
    org_id : str
        The organisation whose rows to show.

    Returns
    -------
    DataFrame
        ``target_label``, ``value``, ``target_value`` and ``gap`` as display text
        (rates as percentages), ``met`` (boolean), ``source``.
    """
    check_lang(lang)
    rows = assessment[assessment["org_id"] == org_id]
    names = {
        n: (t.label_vi if lang == "vi" else t.label_en) or n for n, t in targets.targets.items()
    }
    ops = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "="}
    goal = rows["op"].map(ops) + " " + _value_text(rows["column"], rows["target_value"], lang)
    return pd.DataFrame(
        {
            "target_label": rows["target"].map(names),
            "value": _value_text(rows["column"], rows["value"], lang),
            "target_value": goal,
            "met": rows["met"].astype("boolean"),
            "gap": _value_text(rows["column"], rows["gap"], lang, signed=True),
            "source": rows["source"],
        }
    ).reset_index(drop=True)


def _shown_parameter(name: str, value: object, lang: str = "vi") -> str:
    """A parameter as a report shows it: paths by their name only, never absolute;
    True/False and numbers in the reader's language.

    >>> _shown_parameter("data", "/home/ubnd/ho-so/2022"), _shown_parameter("period", 2022)
    ('2022', '2022')
    >>> _shown_parameter("share", False), _shown_parameter("confidence", 0.95)
    ('Không', '0,95')
    """
    if value is None:
        return "–"
    if name in ("data", "targets", "codebook") or isinstance(value, Path):
        return Path(str(value)).name
    if isinstance(value, bool):
        return yes_no(value, lang)
    if isinstance(value, float):
        return fmt_number(value, lang, digits=len(repr(value).split(".")[-1]))
    return str(value)


#: Hex digits of a file's SHA-256 a page shows (the run record keeps the whole hash).
HASH_SHOWN = 16


def provenance(
    dataset: Dataset, parameters: Mapping[str, object], *, lang: str = "vi"
) -> pd.DataFrame:
    """What was run on what: package version, parameters, input files and their SHA-256.

    Returns
    -------
    DataFrame
        Two columns, ``item`` and ``value``, as display text.
    """
    from chibo_analysis import __version__

    check_lang(lang)
    rows = [(label("word.package_version", lang), __version__)]
    if parameters:  # one row: the parameters are short, and a report has many of them
        rows.append((label("word.parameters", lang),
                     "; ".join(f"{k} = {_shown_parameter(k, v, lang)}" for k, v in parameters.items())))  # fmt: skip
    # one row per file (a cell's workbook holds several sheets: their rows are summed)
    files: dict[str, list] = {}
    for s in dataset.sources:
        entry = files.setdefault(s.path, [s.sha256, 0, 0])
        entry[1] += s.rows
        entry[2] += 1 if s.sheet else 0
    for path, (sha, n, sheets) in files.items():
        extra = f"; {sheets} {label('word.sheets', lang)}" if sheets > 1 else ""
        rows.append((
            f"{label('column.file', lang)}: {path}",
            f"{label('word.sha256', lang)} {sha[:HASH_SHOWN]}…; "
            f"{label('word.rows', lang)} {fmt_int(n, lang)}"
            + extra,
        ))  # fmt: skip
    return pd.DataFrame(rows, columns=["item", "value"])


def quality_counts(report, lang: str = "vi") -> pd.DataFrame:
    """Problems found in the records, counted per table and reason, in ``lang``.

    ``report`` is the :class:`~chibo_analysis.problems.ValidationReport` of the
    cleaned dataset (``dataset.report``). Columns ``table``, ``reason``,
    ``severity`` (as text) and ``count``.
    """
    from chibo_analysis.problems import REASONS
    from chibo_analysis.schema import TABLES

    check_lang(lang)
    counts = report.counts()
    pick = 2 if lang == "vi" else 1
    tables = {n: (t.vi if lang == "vi" else n) for n, t in TABLES.items()}
    action = {"set_aside": ("Lỗi (dòng bị loại)", "Error (row set aside)"),
              "blanked": ("Lỗi (giá trị bị bỏ trống, dòng được giữ)",
                          "Error (value blanked, row kept)"),
              "kept": ("Cảnh báo", "Warning")}  # fmt: skip
    return pd.DataFrame(
        {
            "table": counts["table"].map(tables),
            "reason": counts["code"].map(lambda c: REASONS[c][pick]),
            "severity": [
                ("Ghi chú", "Note")[lang != "vi"] if sev == "info" else action[a][lang != "vi"]
                for sev, a in zip(counts["severity"], counts["action"], strict=True)
            ],
            "count": counts["count"].astype("Int64"),
        }
    )


def _column_names(columns: object, table: object, lang: str) -> str:
    """``"meeting_id, member_id"`` as the reader's headers ("Mã buổi sinh hoạt, Mã đảng viên")."""
    from chibo_analysis.labels import column_label

    if not isinstance(columns, str):  # a problem of the whole row names no column
        return ""
    parts = [p.strip() for p in columns.split(",") if p.strip()]
    known = str(table) if isinstance(table, str) else None
    return ", ".join(column_label(p, lang, known) for p in parts)


def rejected_rows(report, lang: str = "vi") -> pd.DataFrame:
    """The records set aside by validation: table, file, sheet, row and reasons, in ``lang``.

    ``report`` is ``dataset.report``; reasons are the catalogue's descriptions
    of the reason codes, with the column in parentheses.
    """
    from chibo_analysis.problems import REASONS
    from chibo_analysis.schema import TABLES

    check_lang(lang)
    issues = report.issues[report.issues["action"] == "set_aside"]
    if issues.empty:
        return pd.DataFrame(columns=["table", "file", "sheet", "row", "reasons"])
    pick = 2 if lang == "vi" else 1
    columns = issues.apply(lambda r: _column_names(r["column"], r["table"], lang), axis=1)
    text = issues["code"].map(lambda c: REASONS[c][pick]) + columns.map(
        lambda c: f" ({c})" if c else ""
    )
    out = (
        issues.assign(reason=text)
        .groupby(["table", "file", "sheet", "row"], sort=True, dropna=False)["reason"]
        .agg("; ".join)
        .rename("reasons")
        .reset_index()
    )
    out["table"] = out["table"].map({n: (t.vi if lang == "vi" else n) for n, t in TABLES.items()})
    out["row"] = out["row"].astype("Int64")
    return out


#: Scorecard columns shown per unit in an audit report, in this order.
KEY_COLUMNS = [
    "name", "members", "regular_rate", "thematic_rate", "attendance_rate",
    "standard_meeting_rate", "short_meetings", "flagged_meetings", "implausible_good",
    "admissions",
]  # fmt: skip
#: Scorecard columns of the rating-accuracy study.
RATING_COLUMNS = [
    "name", "good_self_ratings", "implausible_good", "inspected_meetings", "rating_agreement",
    "rating_inflation",
]  # fmt: skip


def scorecard_rows(
    scorecard: pd.DataFrame,
    units: str = "cells",
    columns: list[str] | None = None,
    *,
    dataset: Dataset | None = None,
    lang: str = "vi",
) -> pd.DataFrame:
    """The scorecard rows of the cells (or base organisations), ``columns`` only.

    Parameters
    ----------
    units : {'cells', 'bases'}
    columns : list of str, optional
        Default :data:`KEY_COLUMNS`.
    dataset : Dataset, optional
        The cleaned dataset: cells that lost more than 5% of their register
        rows to validation get a ``caveat`` (see
        :func:`chibo_analysis.checks.losses.caveats`).
    """
    from chibo_analysis.errors import check_argument
    from chibo_analysis.schema import BASE_LEVELS, CELL_LEVELS

    check_argument("units", units, ("cells", "bases"))
    levels = CELL_LEVELS if units == "cells" else BASE_LEVELS
    rows = scorecard["level"].astype("object").isin(levels)
    out = scorecard.loc[rows, columns or KEY_COLUMNS]
    if dataset is not None and units == "cells":
        from chibo_analysis.checks.losses import caveats

        notes = caveats(dataset, lang)
        if len(notes):
            out = out.assign(caveat=scorecard.loc[rows, "org_id"].map(notes).fillna(""))
    return out.reset_index(drop=True)


def yearly_rows(trend: pd.DataFrame) -> pd.DataFrame:
    """The rows of :func:`~chibo_analysis.present.study_data.yearly_scorecards` for the
    evidence workbook: ``period`` (the year), the organisation and :data:`KEY_COLUMNS`.
    """
    return trend[["period", *EVIDENCE_KEYS, *KEY_COLUMNS]].reset_index(drop=True)


def not_read(report, lang: str = "vi") -> pd.DataFrame:
    """Columns, sheets and files not read, and conversions applied, in ``lang``.

    Columns ``file``, ``sheet``, ``row``, ``what`` (the header, sheet or text as
    written) and ``reason``.
    """
    from chibo_analysis.problems import REASONS

    check_lang(lang)
    # (signature footers are counted in quality_counts, not listed row by row here)
    codes = ("unread_file", "unread_sheet", "unread_column", "encoding_converted")
    rows = report.issues[report.issues["code"].isin(codes)]
    pick = 2 if lang == "vi" else 1
    return pd.DataFrame(
        {
            "file": rows["file"].to_numpy(),
            "sheet": rows["sheet"].to_numpy(),
            "row": rows["row"].astype("Int64").to_numpy(),
            "what": rows["value"].str.slice(0, 120).to_numpy(),
            "reason": rows["code"].map(lambda c: REASONS[c][pick]).to_numpy(),
        }
    )


def register_losses(dataset: Dataset, lang: str = "vi") -> pd.DataFrame:
    """Cells that lost more than 5% of their register rows, with their names."""
    from chibo_analysis.checks.losses import CAVEAT_SHARE
    from chibo_analysis.checks.losses import register_losses as losses

    check_lang(lang)
    out = losses(dataset)
    out = out[out["share"] > CAVEAT_SHARE]
    names = dataset.organisations.set_index("org_id")["name"]
    return out.assign(name=out["cell_id"].map(names))[
        ["cell_id", "name", "register_rows", "set_aside", "share"]
    ].reset_index(drop=True)


def organisation_name(dataset: Dataset, org_id: str) -> str:
    """The name of ``org_id`` in the dataset's organisations table (the code if unnamed)."""
    orgs = dataset.organisations
    match = orgs.loc[orgs["org_id"] == org_id, "name"]
    return str(match.iloc[0]) if len(match) and pd.notna(match.iloc[0]) else str(org_id)


def unavailable_indicators(dataset: Dataset, lang: str = "vi") -> pd.DataFrame:
    """Indicators that could not be computed, and the table and columns they lack, in ``lang``."""
    from chibo_analysis.indicators.scorecard import unavailable
    from chibo_analysis.labels import column_label
    from chibo_analysis.schema import TABLES

    check_lang(lang)
    rows = unavailable(dataset)
    rename = {"rating_agreements": "rating_agreement", "rating_difference": "rating_inflation"}
    indicator = rows["indicator"].map(lambda c: column_label(rename.get(c, c), lang))
    table = rows["table"].map(lambda t: TABLES[t].vi if lang == "vi" else t)
    columns = [
        ", ".join(column_label(c.strip(), lang, t) for c in cols.split(",")) if cols else ""
        for t, cols in zip(rows["table"], rows["columns"], strict=True)
    ]
    return pd.DataFrame({"indicator": indicator, "table": table, "missing": columns})


def is_committee(scorecard: pd.DataFrame, org_id: str) -> bool:
    """Whether ``org_id`` is a committee (its report is organised by base organisation)."""
    level = scorecard.loc[scorecard["org_id"] == org_id, "level"].astype("object")
    return bool(len(level)) and level.iloc[0] == "committee"


def _missed(assessment: pd.DataFrame) -> pd.DataFrame:
    met = assessment["met"].astype("boolean")
    return assessment[met.notna() & ~met.fillna(True)]


#: Columns of the committee's table of base organisations.
BASE_COLUMNS = [
    "name", "members", "cells", "cells_missing", "targets_missed", "regular_rate",
    "thematic_rate", "attendance_rate",
]  # fmt: skip


def report_links(
    org_ids, period: object, study: str = "audit_organisation", here: Path | None = None
) -> list[str | None]:
    """Relative links from this report to the reports of ``org_ids``, where they exist.

    A report lives in ``<out>/<org folder>/<period>/`` and the runner runs its
    notebook there: the report of another organisation of the same batch is
    ``../../<its folder>/<period>/<study>.html``. None where that file is not
    (yet) written.
    """
    from chibo_analysis.outputs import org_folder_name

    here = Path.cwd() if here is None else Path(here)
    links = []
    for org_id in org_ids:
        rel = f"../../{org_folder_name(str(org_id))}/{period}/{study}.html"
        links.append(rel if (here / rel).is_file() else None)
    return links


def base_rollup(
    scorecard: pd.DataFrame,
    assessment: pd.DataFrame,
    dataset: Dataset,
    *,
    links: bool = False,
    period: object = None,
) -> pd.DataFrame:
    """One row per base organisation: its figures, and how many of its cells missed a target.

    ``cells`` counts its cells (a ``base_cell`` is its own one cell);
    ``cells_missing`` those with at least one target not met;
    ``targets_missed`` the targets the base itself did not meet. Sorted by
    ``cells_missing`` then ``targets_missed``, most first: where to look first.
    With ``links``, an ``_href`` column holds the link to each base's report
    where it exists (:func:`report_links`), which :func:`display.table` puts on
    its name.
    """
    from chibo_analysis.indicators.roll import base_of
    from chibo_analysis.schema import BASE_LEVELS, CELL_LEVELS

    bases = scorecard[scorecard["level"].astype("object").isin(BASE_LEVELS)].copy()
    base = base_of(dataset.tables["organisations"])
    cells = scorecard.loc[scorecard["level"].astype("object").isin(CELL_LEVELS), "org_id"]
    missing_cells = set(_missed(assessment)["org_id"]) & set(cells)
    cell_base = cells.map(base)
    bases["cells"] = bases["org_id"].map(cell_base.value_counts()).fillna(0).astype("Int64")
    missing = cell_base[cells.isin(missing_cells)].value_counts()
    bases["cells_missing"] = bases["org_id"].map(missing).fillna(0).astype("Int64")
    own = _missed(assessment).groupby("org_id").size()
    bases["targets_missed"] = bases["org_id"].map(own).fillna(0).astype("Int64")
    bases = bases.sort_values(["cells_missing", "targets_missed", "name"],
                              ascending=[False, False, True], kind="stable")  # fmt: skip
    out = bases[[c for c in BASE_COLUMNS if c in bases.columns]].reset_index(drop=True)
    if links:  # each name links to that base's report when it exists (display.table: _href)
        period = bases["period"].iloc[0] if period is None and len(bases) else period
        out["_href"] = pd.Series(report_links(bases["org_id"], period), dtype=object)
    return out


def cells_missing_targets(
    scorecard: pd.DataFrame,
    assessment: pd.DataFrame,
    targets,
    dataset: Dataset,
    *,
    lang: str = "vi",
) -> pd.DataFrame:
    """The cells that missed at least one target, each with its base organisation.

    Columns ``base`` (the base organisation's name: many cells share a name
    such as "Chi bộ Tổ dân phố 1"), ``name``, ``members`` and ``missed_targets`` (the
    targets not met, in ``lang``); most targets missed first, then by base.
    """
    from chibo_analysis.indicators.roll import base_of
    from chibo_analysis.schema import CELL_LEVELS

    check_lang(lang)
    names = {
        n: (t.label_vi if lang == "vi" else t.label_en) or n for n, t in targets.targets.items()
    }
    cells = scorecard[scorecard["level"].astype("object").isin(CELL_LEVELS)]
    missed = _missed(assessment)
    missed = missed[missed["org_id"].isin(cells["org_id"])]
    per_cell = missed.groupby("org_id", sort=False)["target"].agg(
        lambda t: "; ".join(names.get(x, x) for x in dict.fromkeys(t))
    )
    count = missed.groupby("org_id", sort=False).size()
    out = cells[cells["org_id"].isin(per_cell.index)]
    org_names = scorecard.set_index("org_id")["name"].astype("object")
    base = out["org_id"].map(base_of(dataset.tables["organisations"]))
    out = pd.DataFrame({
        "base": base.map(org_names).fillna("").to_numpy(),
        "name": out["name"].to_numpy(),
        "members": out["members"].to_numpy(),
        "missed_targets": out["org_id"].map(per_cell).to_numpy(),
        "_n": out["org_id"].map(count).to_numpy(),
    })  # fmt: skip
    out = out.sort_values(["_n", "base", "name"], ascending=[False, True, True], kind="stable")
    return out.drop(columns="_n").reset_index(drop=True)


def dataset_summary(dataset: Dataset, lang: str = "vi") -> pd.DataFrame:
    """Rows and files per table of ``dataset``, with the reader's table names.

    Columns ``table`` (the schema's Vietnamese name in ``vi``), ``rows`` and
    ``files``: :meth:`Dataset.summary` for a reader.
    """
    from chibo_analysis.schema import TABLES

    check_lang(lang)
    out = dataset.summary().reset_index()
    if lang == "vi":
        out["table"] = out["table"].map(lambda n: TABLES[n].vi if n in TABLES else n)
    return out.astype({"rows": "Int64"})
