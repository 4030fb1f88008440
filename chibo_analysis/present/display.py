"""Result tables and catalogue texts shown in a notebook, in the reader's language.

:func:`relabel` turns a result frame (English column names, raw values) into
display text with the reader's headers; :func:`table`, :func:`heading`,
:func:`paragraph`, :func:`say` and :func:`bullets` give IPython display
objects for the audit notebooks. The texts themselves come from
:mod:`chibo_analysis.labels`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote

import pandas as pd

from chibo_analysis.labels import (
    category_labels,
    check_lang,
    column_label,
    fmt_int,
    fmt_number,
    fmt_percent,
    is_missing,
    label,
    met_label,
    yes_no,
)
from chibo_analysis.present.markup import html_text, md_text

#: Scorecard columns that hold a share between 0 and 1 (shown as percentages).
RATE_COLUMNS = (
    "regular_rate",
    "thematic_rate",
    "attendance_rate",
    "standard_meeting_rate",
    "rating_agreement",
)


#: Every column holding a share in [0, 1] that tables show as a percentage.
SHARE_COLUMNS = RATE_COLUMNS + (
    "copied_share", "similarity", "cap_share", "shrunken", "share", "overrated_share",
    "shrunken_share", "share_lower", "share_upper", "shrunken_lower", "shrunken_upper",
)  # fmt: skip


#: Number columns shown as they are, without thousands separators (years, row numbers).
PLAIN_COLUMNS = ("year", "period", "_row", "row", "_row_a", "_row_b")


def relabel(
    frame: pd.DataFrame,
    lang: str = "vi",
    *,
    categories: Mapping[str, tuple[str, str]] | None = None,
    percent: Iterable[str] = SHARE_COLUMNS,
    table: str | None = None,
) -> pd.DataFrame:
    """A copy of ``frame`` ready to show: values formatted, headers translated.

    Parameters
    ----------
    frame : DataFrame
        A result table with the package's English column names.
    lang : {'vi', 'en'}
    categories : mapping, optional
        ``{column: (table, schema_column)}`` for columns holding category
        codes, shown with the schema's labels. ``level`` (organisations) and
        ``met`` (booleans) are recognised without being listed.
    percent : iterable of str
        Columns holding shares in [0, 1], shown as percentages.
    table : str, optional
        Schema table whose column headers to use for columns not in the
        catalogue.

    Returns
    -------
    DataFrame
        Every value as display text; columns renamed to the reader's labels.
    """
    check_lang(lang)
    cats = {"level": ("organisations", "level"), **dict(categories or {})}
    out = frame.copy()
    percent = set(percent)
    for name in out.columns:
        col = out[name]
        if name in cats and name in out:
            tab, schema_col = cats[name]
            labels = category_labels(tab, schema_col, lang)
            # Values already written as Vietnamese labels (e.g. in a worksheet) map too.
            vi = category_labels(tab, schema_col, "vi")
            labels = labels | {vi[code]: text for code, text in labels.items()}
            out[name] = col.astype("object").map(
                lambda v, m=labels: m.get(v, "" if is_missing(v) else v)
            )
        elif name == "met":
            out[name] = col.astype("object").map(lambda v: met_label(v, lang))
        elif name in percent:
            out[name] = col.astype("object").map(lambda v: fmt_percent(v, lang))
        elif pd.api.types.is_bool_dtype(col):
            out[name] = col.astype("object").map(lambda v: yes_no(v, lang))
        elif name in PLAIN_COLUMNS:
            out[name] = col.astype("object").map(lambda v: "" if is_missing(v) else str(v))
        elif pd.api.types.is_integer_dtype(col):
            out[name] = col.astype("object").map(lambda v: fmt_int(v, lang))
        elif pd.api.types.is_float_dtype(col):
            out[name] = col.astype("object").map(lambda v: fmt_number(v, lang))
        elif pd.api.types.is_datetime64_any_dtype(col):
            fmt = "%d/%m/%Y" if lang == "vi" else "%Y-%m-%d"
            out[name] = col.dt.strftime(fmt).astype("object").where(col.notna(), "")
        else:
            out[name] = col.astype("object").where(col.notna(), "")
    return out.rename(columns={c: column_label(c, lang, table) for c in out.columns})


# --- display in notebooks ------------------------------------------------------


def _safe_values(values: Mapping[str, Any], lang: str) -> dict[str, str]:
    """Values for a catalogue text, each shortened and escaped (they come from data)."""
    return {k: md_text(v, lang=lang) for k, v in values.items()}


_PLACEHOLDER = re.compile(r"(\{\w*\})")


def _catalogue_md(key: str, lang: str, values: Mapping[str, Any]) -> str:
    """A catalogue text as Markdown: the text escaped, and the values put in it escaped."""
    parts = _PLACEHOLDER.split(label(key, lang)) if values else [label(key, lang)]
    template = "".join(
        p if i % 2 else md_text(p, limit=None, lang=lang) for i, p in enumerate(parts)
    )
    return template.format(**_safe_values(values, lang)) if values else template


def heading(key: str, lang: str = "vi", level: int = 2, **values: Any):
    """A Markdown heading from the catalogue, for display in a notebook (values escaped)."""
    from IPython.display import Markdown

    return Markdown(f"{'#' * level} {_catalogue_md(key, lang, values)}")


def paragraph(key: str, lang: str = "vi", **values: Any):
    """A Markdown paragraph from the catalogue, for display in a notebook (values escaped)."""
    from IPython.display import Markdown

    return Markdown(_catalogue_md(key, lang, values))


def say(text: str):
    """A sentence (already in the reader's language, maybe holding data) shown as typed."""
    from IPython.display import Markdown

    return Markdown(md_text(text, limit=None))


def bullets(lines: Iterable[str]):
    """Sentences as a Markdown bullet list, each shown as typed."""
    from IPython.display import Markdown

    return Markdown("\n".join(f"- {md_text(line, limit=None)}" for line in lines))


def _html_cells(shown: pd.DataFrame) -> pd.DataFrame:
    """Every header and cell escaped for HTML (and shortened when very long)."""
    out = shown.map(html_text)
    out.columns = [html_text(c) for c in shown.columns]
    return out


def _relative(href: object) -> bool:
    """Whether ``href`` is a relative link a report may carry (no scheme, no host)."""
    return isinstance(href, str) and bool(href) and ":" not in href and not href.startswith("//")


#: Rows a table of a report shows before it says how many more there are.
SHOWN_ROWS = 10


def table(frame: pd.DataFrame, lang: str = "vi", *, limit: int | None = None, **kw: Any):
    """``frame`` relabelled (see :func:`relabel`) as an HTML table without the index.

    A frame with a ``met`` column is a Styler that colours met / not met as
    the charts do; any other is plain HTML (``DataFrame.to_html``), a third
    the size of a Styler's and about twice as fast for the long tables of a
    committee. An empty frame gives the catalogue's "no cases found"
    paragraph instead. Headers and values are escaped by
    :func:`chibo_analysis.present.markup.html_text` (the Styler escapes nothing).

    A column ``_href`` (relative links, or None) is not shown: each link is put
    on the row's ``name``, escaped and URL-quoted; anything but a relative link
    is dropped.

    With ``limit``, a longer frame shows its first ``limit`` rows (the caller
    orders them, most serious first) and a line saying how many rows there
    are and where the full list is (the evidence workbook beside the report).
    """
    if frame.empty:
        return paragraph("text.nothing_found", lang)
    frame = frame.copy()
    note = ""
    if limit is not None and len(frame) > limit:
        text = label(
            "text.more_rows", lang, shown=fmt_int(limit, lang), n=fmt_int(len(frame), lang)
        )
        note = f'<p class="more-rows">{html_text(text, limit=None)}</p>'
        frame = frame.head(limit)
    hrefs = frame.pop("_href") if "_href" in frame.columns else None
    shown = _html_cells(relabel(frame, lang, **kw))
    if hrefs is not None and "name" in frame.columns:
        column = html_text(column_label("name", lang, kw.get("table")))
        shown[column] = [
            f'<a href="{html_text(quote(h))}">{cell}</a>' if _relative(h) else cell
            for cell, h in zip(shown[column], hrefs, strict=True)
        ]
    if "met" not in frame.columns:
        from IPython.display import HTML

        return HTML(shown.to_html(index=False, border=0, na_rep="", escape=False) + note)
    from chibo_analysis.present.charts import MET, NOT_MET

    colours = {label("word.met", lang): MET, label("word.not_met", lang): NOT_MET}
    styler = shown.style.hide(axis="index").map(
        lambda v: f"color: white; background-color: {colours[v]}" if v in colours else "",
        subset=[html_text(column_label("met", lang))],
    )
    if note:
        from IPython.display import HTML

        return HTML(styler.to_html() + note)
    return styler
