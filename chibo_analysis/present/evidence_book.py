"""The evidence workbook: every list of a study in full, beside the report page.

A page shows each list's count and its most serious rows (:func:`excerpt`);
the full lists go to an ``.xlsx`` written by :func:`write_evidence`: a summary
sheet, then one sheet per list, named from the label catalogue (``sheet.*``),
with the reader's headers, the ``file:row`` evidence columns, a frozen header
row, an autofilter and column widths from the content. Members are
pseudonymised in a shared workbook exactly as on the page
(:func:`~chibo_analysis.present.report_tables.reader_view`).

"Most serious" is decided per list by :data:`SEVERITY` (the columns sorted on,
most serious first; rows equal on them keep the list's own order), and the
page says which order it used (``evidence.order_<list>``):

==================== ====================================================
list                 most serious first
==================== ====================================================
r6_meetings, r6_dues most months (``n_months``)
excused_streaks      longest run (``run_length``)
failing_meetings,    most rules failed (``reasons``), then the lowest share
implausible_good     present (``present / counted``), then the shortest
minutes_mismatches   most disagreeing counts (``mismatched``)
probation_overdue    most days overdue
exemption_age        youngest when exempted (``age_at_exemption``)
small_residential    fewest members
no_admissions        most members
r9_cap               furthest over the cap (``excellent - allowed``)
inflated_ratings     highest adjusted share (``shrunken_share``)
copied_minutes       most similar (``similarity``)
copied_cells         highest share copied, then most copies
disciplines          heaviest form (schema order: reprimand ... dissolution)
rated_meetings       self-rating furthest above the inspectors' (``difference``)
rating_cells         highest inflation, then most implausible good ratings
compared_units       lowest attendance rate
shrunk_attendance    lowest adjusted attendance rate, then lowest observed
yearly_units         latest year first, then lowest attendance rate
==================== ====================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from chibo_analysis.labels import check_lang, fmt_int, has_label, label
from chibo_analysis.outputs import atomic_path, excel_writer, fit_cells
from chibo_analysis.present.display import PLAIN_COLUMNS, SHARE_COLUMNS, relabel
from chibo_analysis.present.report_tables import _CATEGORIES, LIST_TABLES, reader_view
from chibo_analysis.present.severity import PAGE_ROWS, SEVERITY, _check_name, most_serious  # noqa: F401

#: The schema table each sheet's rows come from: the lists' own, and the study's other tables.
SOURCES = {
    **LIST_TABLES,
    "copied_minutes": "meetings",
    "copied_cells": "organisations",
    "rated_meetings": "inspections",
    "rating_cells": "organisations",
    "compared_units": "organisations",
    "shrunk_attendance": "organisations",
    "yearly_units": "organisations",
}

#: Rows shown on a page per list (:func:`excerpt`).

#: Widest column of a sheet, in characters (a longer text wraps in the cell when opened).
MAX_WIDTH = 60
#: Narrowest column, so that the autofilter's button leaves the header readable.
MIN_WIDTH = 8


def sheet_name(name: str, lang: str = "vi") -> str:
    """The sheet of list ``name`` in the workbook (catalogue ``sheet.<name>``, ≤ 31 characters)."""
    return label(f"sheet.{name}", lang)


def list_title(name: str, lang: str = "vi") -> str:
    """The full title of list ``name``: ``list.<name>``, else ``evidence.title_<name>``."""
    key = f"list.{name}"
    return label(key if has_label(key) else f"evidence.title_{name}", lang)


@dataclass(frozen=True)
class Excerpt:
    """What a page shows of one list: its ``count``, its first ``rows`` and a ``sentence``.

    ``rows`` keep the package's column names (show them with
    :func:`chibo_analysis.present.report_tables.show_frame`, which hides what
    a shared report must not show); ``sentence`` says how many are shown, in
    what order, and names the evidence workbook holding the full list.
    """

    name: str
    count: int
    rows: pd.DataFrame
    sentence: str


def excerpt(
    name: str,
    frame: pd.DataFrame,
    file_name: str | None,
    *,
    lang: str = "vi",
    n: int = PAGE_ROWS,
) -> Excerpt:
    """The count of list ``name``, its ``n`` most serious rows and the sentence for the page.

    ``file_name`` is the evidence workbook's (``runner.evidence_file()``); with
    None (a notebook run by hand writes no workbook) the sentence names none.

    Examples
    --------
    >>> frame = pd.DataFrame({"member_id": ["M1", "M2", "M3"], "n_months": [3, 5, 4]})
    >>> ex = excerpt("r6_meetings", frame, "audit.evidence.xlsx", lang="en", n=2)
    >>> ex.count, ex.rows["member_id"].tolist()
    (3, ['M2', 'M3'])
    >>> ex.sentence
    'Below are 2 of 3 cases, most months absent first. Full list in the evidence workbook audit.evidence.xlsx.'
    """
    check_lang(lang)
    rows = most_serious(name, frame, n)
    see = label("evidence.see_workbook", lang, file=file_name) if file_name else ""
    if frame.empty:
        sentence = label("text.nothing_found", lang)
    elif len(frame) > len(rows):
        top = label("evidence.top", lang, shown=fmt_int(len(rows), lang),
                    n=fmt_int(len(frame), lang), order=label(f"evidence.order_{name}", lang))  # fmt: skip
        sentence = f"{top} {see}".strip()
    else:
        sentence = see
    return Excerpt(name, len(frame), rows, sentence)


# --- the workbook ----------------------------------------------------------------


#: Columns of organisation codes and the column of names that says where, put after each.
NAMED_CODES = {"cell_id": "cell_name", "parent_id": "parent_name"}


def _with_names(view: pd.DataFrame, organisations: pd.DataFrame | None) -> pd.DataFrame:
    """``view`` with a name after each organisation code (:data:`NAMED_CODES`), saying where."""
    if organisations is None:
        return view
    from chibo_analysis.present.study_data import where_names

    out = view
    for code, name in NAMED_CODES.items():
        if code in out.columns and name not in out.columns:
            at = out.columns.get_loc(code) + 1
            names = list(where_names(organisations, out[code].astype(str)))
            out = out.copy()
            out.insert(
                at,
                name,
                [n if pd.notna(c) else None for n, c in zip(names, out[code], strict=True)],
            )
    return out


def _sheet_frame(name: str, frame: pd.DataFrame, lang: str, share: bool, organisations=None):
    """The list as the sheet shows it: headers and categories in ``lang``, numbers and dates typed.

    Returns the frame to write, its shown text (for the widths) and the
    positions of share columns (a percentage format) and date columns.
    """
    source = SOURCES.get(name)
    view = _with_names(reader_view(most_serious(name, frame, None), share=share), organisations)
    shown = relabel(view, lang, categories=_CATEGORIES.get(source, {}), table=source)
    # a sheet keeps a row's file and row apart (a filter on each), unlike a page's "file:row"
    shown.columns = [
        label(f"evidence.header_{c.lstrip('_')}", lang)
        if has_label(f"evidence.header_{c.lstrip('_')}")
        else h
        for c, h in zip(view.columns, shown.columns, strict=True)
    ]
    columns: dict[int, object] = {}
    percent, dates = [], []
    for j, column in enumerate(view.columns):
        col = view[column]
        numeric = pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)
        if column in PLAIN_COLUMNS and not numeric:  # years, rows as text: numbers if all are
            as_number = pd.to_numeric(col, errors="coerce")
            numeric = bool((as_number.notna() | col.isna()).all())
        if numeric:
            values = pd.to_numeric(col, errors="coerce").astype("float64")
            known = values.dropna()
            as_int = known.eq(known.round()).all()
            columns[j] = [None if pd.isna(v) else (int(v) if as_int else float(v)) for v in values]
            if column in SHARE_COLUMNS:
                percent.append(j)
        elif pd.api.types.is_datetime64_any_dtype(col):
            columns[j] = [None if pd.isna(v) else v.to_pydatetime() for v in col]
            dates.append(j)
        else:
            columns[j] = shown.iloc[:, j].astype("object").tolist()
    out = pd.DataFrame(columns, index=range(len(view)), dtype="object")
    out.columns = shown.columns = _unique(shown.columns)
    return out, shown, percent, dates


def _unique(headers) -> list[str]:
    """Headers made distinct (a filter on a sheet needs it): a repeat gets `` (2)``, `` (3)``."""
    seen: dict[str, int] = {}
    out = []
    for header in map(str, headers):
        seen[header] = seen.get(header, 0) + 1
        out.append(header if seen[header] == 1 else f"{header} ({seen[header]})")
    return out


def column_widths(shown: pd.DataFrame) -> list[int]:
    """A width per column: its longest header or value (longest line), plus 2, in bounds.

    Examples
    --------
    >>> column_widths(pd.DataFrame({"Mã": ["CB1", "CB12345678"], "Căn cứ": ["x" * 200, ""]}))
    [12, 60]
    """
    widths = []
    for header in shown.columns:
        texts = shown[header].astype(str).tolist() + [str(header)]
        longest = max(max((len(line) for line in t.splitlines()), default=0) for t in texts)
        widths.append(min(max(longest + 2, MIN_WIDTH), MAX_WIDTH))
    return widths


def _write_sheet(
    book, sheet: str, frame: pd.DataFrame, shown: pd.DataFrame, formats, percent, dates
):
    """One sheet, cell by cell with xlsxwriter's typed writers: text is always written as text.

    (Twice as fast as ``DataFrame.to_excel`` for the city's 2,400 rows.)
    """
    ws = book.add_worksheet(sheet)
    for j, header in enumerate(frame.columns):
        ws.write_string(0, j, str(header), formats["header"])
    for j in range(len(frame.columns)):
        for i, value in enumerate(frame.iloc[:, j].tolist(), start=1):
            if value is None or (isinstance(value, float) and value != value):
                continue  # an empty cell, never "nan"
            if isinstance(value, str):
                ws.write_string(i, j, value)
            elif j in dates:
                ws.write_datetime(i, j, value, formats["date"])
            else:
                ws.write_number(i, j, value, formats["percent"] if j in percent else None)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, len(frame), max(len(frame.columns) - 1, 0))
    for j, width in enumerate(column_widths(shown)):
        ws.set_column(j, j, width)


def write_evidence(
    path: str | Path,
    lists: Mapping[str, pd.DataFrame],
    *,
    lang: str = "vi",
    share: bool = False,
    organisations: pd.DataFrame | None = None,
) -> list[str]:
    """Write the full ``lists`` of a study to the workbook ``path``; return the warnings.

    Parameters
    ----------
    path : str or Path
        The ``.xlsx`` to write (atomically: it appears only when complete).
    lists : mapping of str to DataFrame
        ``{list name: frame}``, names from :data:`SEVERITY` (the lists of
        :data:`chibo_analysis.indicators.LISTS`, ``copied_minutes`` and
        ``copied_cells`` from :func:`~chibo_analysis.present.study_data.copied_minutes_in`,
        ``disciplines`` from :func:`~chibo_analysis.present.study_data.discipline_cases`),
        in the order of the sheets.
    lang : {'vi', 'en'}
    share : bool
        Members pseudonymised, names, free text, and in member lists the
        source rows and exact dates left out, as on a shared page.
    organisations : DataFrame, optional
        The dataset's organisations table: each ``cell_id`` and ``parent_id``
        is followed by its name, with the base organisation where the name
        alone is ambiguous (:func:`~chibo_analysis.present.study_data.where_names`).

    Returns
    -------
    list of str
        One warning per text cut to the 32,767 characters a cell holds.

    The first sheet sums up: each list's title, its number of cases, its sheet
    and the order of its rows (most serious first, as on the page). Text is
    never written as a formula (:func:`chibo_analysis.outputs.excel_writer`).
    """
    check_lang(lang)
    for name in lists:
        _check_name(name)
    warnings: list[str] = []
    summary = pd.DataFrame(
        {
            label("evidence.list", lang): [list_title(n, lang) for n in lists],
            label("evidence.cases", lang): [len(f) for f in lists.values()],
            label("evidence.sheet", lang): [sheet_name(n, lang) for n in lists],
            label("evidence.order", lang): [label(f"evidence.order_{n}", lang) for n in lists],
        }
    )
    with atomic_path(path) as tmp:
        with excel_writer(tmp) as xl:
            book = xl.book
            formats = {
                "header": book.add_format({"bold": True, "text_wrap": True, "valign": "top",
                                           "bg_color": "#DDEBF7", "border": 1}),
                "percent": book.add_format({"num_format": "0.0%"}),
                "date": book.add_format({"num_format": "dd/mm/yyyy" if lang == "vi" else "yyyy-mm-dd"}),
            }  # fmt: skip
            _write_sheet(book, sheet_name("summary", lang), summary, summary, formats, [], [])
            for name, frame in lists.items():
                sheet = sheet_name(name, lang)
                out, shown, percent, dates = _sheet_frame(name, frame, lang, share, organisations)
                out, cut = fit_cells(out, sheet)
                warnings += cut
                _write_sheet(book, sheet, out, shown, formats, percent, dates)
    return warnings
