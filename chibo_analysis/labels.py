"""Every text a reader sees, in Vietnamese (default) or English: the label catalogue.

The texts live in one catalogue, ``resources/labels.yaml``, read on first use
(never at import time). Category values are not in the catalogue: their
Vietnamese labels come from :mod:`chibo_analysis.schema` (``Choice.vi``), and
dataset column headers fall back to ``Column.vi`` / ``Column.en``.

Numbers are formatted the way each language writes them: Vietnamese groups
thousands with ``.`` and uses ``,`` for decimals (``10.677``, ``93,8%``).

Examples
--------
>>> label("word.met", "vi")
'Đạt'
>>> label("finding.flagged_dues", "en", n=fmt_int(3, "en"))
'3 members left 3 or more months of dues unpaid in the year.'
>>> fmt_percent(0.9376, "vi")
'93,8%'
>>> category_label("attendance", "status", "excused", "vi")
'Vắng có lý do'
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable
from importlib import resources
from typing import Any

import pandas as pd

from chibo_analysis.errors import ChiboError, ParameterError, check_argument
from chibo_analysis.schema import TABLES

#: Report languages; the first is the default.
LANGS = ("vi", "en")


def check_lang(lang: str) -> str:
    """``lang`` if it is a report language, else :class:`ParameterError`."""
    check_argument("lang", lang, LANGS)
    return lang


@functools.cache
def catalogue() -> dict[str, dict[str, str]]:
    """The label catalogue, flattened to ``{"section.key": {"vi": ..., "en": ...}}``."""
    from chibo_analysis.yamlio import safe_load

    text = resources.files("chibo_analysis").joinpath("resources/labels.yaml").read_text("utf-8")
    raw = safe_load(text)
    flat: dict[str, dict[str, str]] = {}
    for section, entries in raw.items():
        for key, texts in entries.items():
            flat[f"{section}.{key}"] = texts
    return flat


def label(key: str, lang: str = "vi", **values: Any) -> str:
    """The catalogue text ``key`` (``"section.name"``) in ``lang``, with ``values`` filled in.

    Raises
    ------
    ParameterError
        For a key that is not in the catalogue or an unknown language.
    """
    check_lang(lang)
    entry = catalogue().get(key)
    if entry is None:
        raise ParameterError(f"label {key!r} is not in the label catalogue (resources/labels.yaml)")
    text = entry[lang]
    if not values:
        return text
    text = text.format(**values)
    return _one_in_english(text) if lang == "en" else text


#: Nouns the English catalogue counts; "1 members were" becomes "1 member was".
_COUNTED = (
    "members", "cells", "meetings", "rows", "columns", "months", "quarters", "files", "records",
    "organisations", "reports", "audits", "values", "sheets", "absences", "admissions",
    "grades", "times", "cases", "targets", "lists", "pages", "characters",
)  # fmt: skip
_ONE = re.compile(r"(?<![\d.,])(?<!of )\b1 (" + "|".join(_COUNTED) + r")\b( were\b| have\b)?")


def _one_in_english(text: str) -> str:
    """English agreement with a count of one (the catalogue writes the plural).

    The verb agrees only when the count is the subject, at the start of a
    clause ("2 meetings in 1 cell were short" keeps its verb).

    >>> _one_in_english("1 members were absent; 21 cells were short; 1 cells have met it")
    '1 member was absent; 21 cells were short; 1 cell has met it'
    >>> _one_in_english("2 meetings in 1 cells were short; 1 of 1 cells")
    '2 meetings in 1 cell were short; 1 of 1 cells'
    """

    def one(match: re.Match) -> str:
        verb = match[2] or ""
        start = match.start() == 0 or match.string[match.start() - 2 : match.start()] in (
            "; ",
            ". ",
            ": ",
        )
        if start:
            verb = {" were": " was", " have": " has"}.get(verb, verb)
        return f"1 {match[1][:-1]}{verb}"

    return _ONE.sub(one, text)


def one_in_english(text: str) -> str:
    """``text`` with a count of one in the English agreement ("1 files" -> "1 file").

    For English sentences put together outside :func:`label`.

    >>> one_in_english("Data: 1 files not read")
    'Data: 1 file not read'
    """
    return _one_in_english(text)


def has_label(key: str) -> bool:
    """Whether ``key`` is in the catalogue."""
    return key in catalogue()


def error_message(key: str, values: dict[str, Any], lang: str) -> str:
    """The catalogue text ``error.<key>`` in ``lang``, its clauses filled in.

    A value ``(clause_key, clause_values)`` is itself the text ``error.<clause_key>``
    in ``lang``; a value ``{"vi": ..., "en": ...}`` is written per language (the
    Vietnamese names of tables and columns); ``None`` is empty.

    >>> error_message("no_data_path", {"path": "/x"}, "vi")
    '/x: không có tệp hay thư mục này'
    """
    filled = {}
    for name, value in values.items():
        if isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], dict):
            value = error_message(value[0], value[1], lang)  # a clause: a suggestion, a fix
        elif isinstance(value, dict) and set(value) == set(LANGS):
            value = value[lang]
        filled[name] = "" if value is None else value
    return label(f"error.{key}", lang, **filled)


def catalogued(cls: type[ChiboError], key: str, /, **values: Any) -> ChiboError:
    r"""An error of class ``cls`` whose message is the catalogue's ``error.<key>``.

    ``str(err)`` is the English text, then the Vietnamese one on the next line
    (for logs and for a reader of either language); the ``chibo`` command prints
    the one text in the user's language.

    >>> from chibo_analysis.errors import DataReadError
    >>> err = catalogued(DataReadError, "no_data_path", path="/x")
    >>> str(err)
    '/x: no such file or folder\n/x: không có tệp hay thư mục này'
    >>> err.texts["vi"]
    '/x: không có tệp hay thư mục này'
    """
    texts = {lang: error_message(key, values, lang) for lang in LANGS}
    return cls(f"{texts['en']}\n{texts['vi']}", key=key, texts=texts, **values)


# --- numbers ----------------------------------------------------------------


def is_missing(value: object) -> bool:
    """Whether ``value`` is empty (None, NA or NaN)."""
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def fmt_int(value: object, lang: str = "vi") -> str:
    """A whole number with the language's thousands separator; ``–`` when empty.

    Examples
    --------
    >>> fmt_int(10677, "vi"), fmt_int(10677, "en"), fmt_int(None)
    ('10.677', '10,677', '–')
    """
    check_lang(lang)
    if is_missing(value):
        return "–"
    text = f"{int(round(float(value))):,}"
    return text.replace(",", ".") if lang == "vi" else text


def fmt_number(value: object, lang: str = "vi", digits: int = 2) -> str:
    """A decimal number with ``digits`` decimals, in the language's notation.

    Examples
    --------
    >>> fmt_number(0.456, "vi"), fmt_number(-1234.5, "en", 1)
    ('0,46', '-1,234.5')
    """
    check_lang(lang)
    if is_missing(value):
        return "–"
    text = f"{float(value):,.{digits}f}"
    if lang == "vi":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def fmt_percent(value: object, lang: str = "vi", digits: int = 1) -> str:
    """A share between 0 and 1 as a percentage.

    Examples
    --------
    >>> fmt_percent(1.0, "vi"), fmt_percent(0.85, "en", 0), fmt_percent(float("nan"))
    ('100,0%', '85%', '–')
    """
    if is_missing(value):
        check_lang(lang)
        return "–"
    return fmt_number(float(value) * 100, lang, digits) + "%"


def fmt_list(items: Iterable[str], lang: str = "vi", limit: int = 5) -> str:
    """Items joined with commas, the rest summarised ("và 3 chi bộ khác").

    Examples
    --------
    >>> fmt_list(["A", "B", "C"], "en", limit=2)
    'A, B and 1 more'
    >>> fmt_list([], "vi")
    'không có'
    """
    items = list(items)
    if not items:
        return label("word.none", lang)
    shown = ", ".join(items[:limit])
    rest = len(items) - limit
    if rest > 0:
        return f"{shown} {label('word.and_more', lang, n=fmt_int(rest, lang))}"
    return shown


# --- columns and categories ---------------------------------------------------


def fmt_period(period: object, lang: str = "vi") -> str:
    """A period as a sentence says it: ``năm 2022``, ``quý 3 năm 2022``, ``2020–2022``.

    >>> fmt_period("2022"), fmt_period("2022Q3"), fmt_period("2020-2022"), fmt_period(2022, "en")
    ('năm 2022', 'quý 3 năm 2022', 'giai đoạn 2020–2022', '2022')
    >>> fmt_period("2022Q3", "en"), fmt_period("2020-2022", "en")
    ('the third quarter of 2022', '2020–2022')
    """
    check_lang(lang)
    text = str(period).strip()
    if re.fullmatch(r"\d{4}", text):
        return f"năm {text}" if lang == "vi" else text
    quarter = re.fullmatch(r"(\d{4})[Qq]([1-4])", text)
    if quarter:
        year, q = quarter.groups()
        if lang == "vi":
            return f"quý {q} năm {year}"
        return f"the {('first', 'second', 'third', 'fourth')[int(q) - 1]} quarter of {year}"
    span = re.fullmatch(r"(\d{4})\s*-\s*(\d{4})", text)
    if span:
        return f"giai đoạn {span[1]}–{span[2]}" if lang == "vi" else f"{span[1]}–{span[2]}"
    return text


def column_label(column: str, lang: str = "vi", table: str | None = None) -> str:
    """The reader's header of ``column``: the catalogue's, else the schema's.

    ``table`` picks the schema table to look in first; then every table is
    searched in schema order (a list of disciplines shows ``member_id``,
    which the members table names). An unknown column is returned unchanged.

    >>> column_label("member_id", "vi", "disciplines")
    'Mã đảng viên'
    """
    key = f"column.{column}"
    if has_label(key):
        return label(key, lang)
    check_lang(lang)
    tables = ([TABLES[table]] if table in TABLES else []) + list(TABLES.values())
    for tab in tables:
        if column in tab.names:
            col = tab.column(column)
            return col.vi if lang == "vi" else col.en[:1].upper() + col.en[1:]
    return column


def category_label(table: str, column: str, code: object, lang: str = "vi") -> str:
    """The reader's label of a category ``code`` of ``table.column`` (from the schema).

    English labels are the code with spaces, capitalised (``base_cell`` -> ``Base cell``).
    """
    check_lang(lang)
    if is_missing(code):
        return ""
    col = TABLES[table].column(column)
    if lang == "vi":
        return col.label(str(code), "vi")
    text = str(code).replace("_", " ")
    return text[:1].upper() + text[1:]


def category_labels(table: str, column: str, lang: str = "vi") -> dict[str, str]:
    """Every code of ``table.column`` mapped to its label, in schema order."""
    col = TABLES[table].column(column)
    return {code: category_label(table, column, code, lang) for code in col.codes}


def yes_no(value: object, lang: str = "vi") -> str:
    """``Có``/``Không`` (``Yes``/``No``) for a boolean; empty when missing."""
    if is_missing(value):
        check_lang(lang)
        return ""
    return label("word.yes" if bool(value) else "word.no", lang)


def met_label(value: object, lang: str = "vi") -> str:
    """``Đạt``/``Không đạt`` (``Met``/``Not met``); ``Không có dữ liệu`` when missing."""
    if is_missing(value):
        return label("word.no_data", lang)
    return label("word.met" if bool(value) else "word.not_met", lang)
