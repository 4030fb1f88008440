"""The data-format documentation, rendered from :mod:`chibo_analysis.schema`.

``docs/data-format.md`` is this module's output, committed; a test checks that
it equals :func:`render_format_doc`, so it never goes stale. Regenerate with::

    python -m chibo_analysis.intake.formatdoc > docs/data-format.md

The examples of accepted input per column kind (:data:`INPUT_EXAMPLES`) are
checked by the tests against the loader's parser, so the document shows only
spellings that really load.
"""

from __future__ import annotations

import sys

from chibo_analysis.schema import NO, SOURCE_COLUMNS, TABLES, YES, Column, Table

REGENERATE = "python -m chibo_analysis.intake.formatdoc > docs/data-format.md"

#: How each column kind is written and what it is loaded as: (accepted input, pandas dtype).
KIND_DOCS = {
    "id": (
        "any text; surrounding spaces are trimmed; a code typed as a number stays as typed "
        "(`12`, not `12.0`)",
        "`str`",
    ),
    "text": ("any text", "`str`"),
    "category": (
        "the English code or the Vietnamese label (or another listed spelling), with "
        "or without diacritics, any case, surrounding spaces ignored; examples from "
        "`attendance.status`",
        "`category` of the English codes",
    ),
    "date": (
        "ISO `yyyy-mm-dd`, or day first `dd/mm/yyyy` (also `d/m/yyyy`, `dd-mm-yyyy`, "
        "`dd.mm.yyyy`), or a workbook date cell; a date that does not exist (`31/02/2022`) "
        "is an error",
        "`datetime64[ns]`",
    ),
    "month": (
        "`yyyy-mm`, `mm/yyyy` (also `m/yyyy`), or any date (its month is kept)",
        "`datetime64[ns]`, first day of the month",
    ),
    "int": ("a whole number; a trailing unit of minutes (`90 phút`) is ignored", "`Int64`"),
    "amount": (
        "đồng, as a whole number, with `.` or `,` grouping thousands (`50.000` is "
        "fifty thousand đồng), an optional `đ`, `đồng` or `VND` suffix",
        "`Int64`",
    ),
    "bool": ("yes/no, see below", "`boolean`"),
}

#: Inputs shown in the document for each kind, with the value each one loads as
#: (dates as ISO text, numbers as int, yes/no as bool). Checked by the tests.
INPUT_EXAMPLES: dict[str, tuple[tuple[str, object], ...]] = {
    "id": ((" 001 ", "001"),),
    "category": (
        ("Vắng có lý do", "excused"),
        ("VANG CO LY DO", "excused"),
        ("excused", "excused"),
    ),
    "date": (
        ("03/01/2022", "2022-01-03"),
        ("3/1/2022", "2022-01-03"),
        ("2022-01-03", "2022-01-03"),
    ),
    "month": (("03/2022", "2022-03-01"), ("2022-03", "2022-03-01"), ("15/03/2022", "2022-03-01")),
    "int": (("90", 90), ("90 phút", 90)),
    "amount": (("50.000", 50000), ("50,000", 50000), ("1.234.000 đ", 1234000), ("50000", 50000)),
    "bool": (("Có", True), ("Không", False), ("yes", True), ("no", False)),
}


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table_md(head: tuple[str, ...], rows: list[tuple[object, ...]]) -> list[str]:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return lines


def _code(text: str) -> str:
    return f"`{text}`"


def _range(column: Column) -> str:
    if column.min is not None and column.max is not None:
        return f"{column.min} to {column.max}"
    if column.min is not None:
        return f"at least {column.min}"
    if column.max is not None:
        return f"at most {column.max}"
    return ""


def _values(column: Column) -> str:
    if column.choices:
        return "see below"
    if column.kind == "bool":
        return "Có / Không"
    return _range(column)


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def render_table(table: Table) -> list[str]:
    """The Markdown section of one table."""
    lines = [f"## `{table.name}` ({table.vi})", "", f"{table.en}.", ""]
    lines.append(f"- Required table: {_yes_no(table.required)}.")
    lines.append("- Each row is unique by: " + ", ".join(_code(k) for k in table.key) + ".")
    names = ", ".join(_code(s) for s in table.file_spellings())
    lines.append(f"- File or sheet names: {names}.")
    if table.essential:
        lines.append(
            "- A row cannot live without (an unreadable value there sets the row aside): "
            + ", ".join(_code(c) for c in table.essential)
            + "."
        )
    personal = [_code(c.name) for c in table.columns if c.personal]
    if personal:
        lines.append("- Personal data (kept out of shared reports): " + ", ".join(personal) + ".")
    lines.append("")
    rows = []
    for c in table.columns:
        others = ", ".join(_code(a) for a in c.aliases)
        rows.append(
            (
                _code(c.name),
                c.vi,
                c.kind,
                _yes_no(c.required),
                _yes_no(c.nullable),
                c.en,
                _values(c),
                others,
            )
        )
    head = (
        "column",
        "Vietnamese header",
        "kind",
        "required",
        "may be empty",
        "meaning",
        "allowed values",
        "other header spellings",
    )
    lines += _table_md(head, rows)
    for c in table.columns:
        if not c.choices:
            continue
        lines += ["", f"Allowed values of `{table.name}.{c.name}` ({c.vi}):", ""]
        rows = [
            (_code(ch.code), ch.vi, ", ".join(_code(a) for a in ch.aliases)) for ch in c.choices
        ]
        lines += _table_md(("code", "Vietnamese label", "also accepted"), rows)
        if c.ambiguous:
            lines += [
                "",
                "Refused, never guessed (they do not say which of the values above is meant): "
                + ", ".join(_code(a) for a in c.ambiguous)
                + ". Write the value in full, or map the mark in a codebook.",
            ]
    return lines + [""]


LAYOUT_DOC = [
    "## Sheets as offices keep them",
    "",
    "Every file, and every sheet of every workbook, is matched to a table by its header;",
    "file and sheet names are only a hint (a folder of per-cell workbooks with any names is",
    "one dataset). A sheet or file in which no table is found is listed (`unread_sheet`,",
    "`unread_file`). Within a sheet:",
    "",
    "- **Title block**: rows above the header (the committee's and cell's names, the title,",
    "  merged across the columns, a blank row) are skipped; the header is searched in the",
    "  first 30 rows. Rows keep the file's own numbers.",
    "- **Headers** may hold line breaks; a **two-row header** (a merged group header such as",
    "  `Số đảng viên` above `Triệu tập | Có mặt | Vắng có lý do | Vắng không lý do`) is",
    "  combined. An `STT` column is ignored. A column matching no column of the table is",
    "  listed (`unread_column`) with the closest header; two columns standing for one are",
    "  refused, naming both.",
    "- **Footer**: the data end at the first blank row after which no row has the table's",
    "  required values, or at a signature block (`Người lập biểu`, `T/M CHI ỦY`, `BÍ THƯ`);",
    "  those rows are noted (`footer_skipped`) with their text.",
    "- **The paper register** (sổ điểm danh): a member-code column (with STT and name),",
    "  then one column per meeting headed by its date (a date cell or `05/01/2022`) or its",
    "  meeting code, a mark in each cell; a blank mark means the member was not on the roll",
    "  for that meeting. The cell is a `Mã chi bộ` column, else a line `Mã chi bộ: C01` in",
    "  the title block, else a cell code in the sheet or file name (`register_cell` if none).",
    "  A column matching no meeting of the cell that day, or two, is not read",
    "  (`register_column`, naming it).",
    "",
    "```",
    "ĐẢNG BỘ PHƯỜNG PHAN THIẾT",
    "Mã chi bộ: CB1",
    "",
    "STT | Mã đảng viên | Họ và tên      | 05/01/2022 | 05/02/2022",
    "1   | M1           | Nguyễn Văn An  | MSH        | MSH",
    "2   | M2           | Trần Thị Bình  | x          | P",
    "",
    "    | Người lập biểu |              | T/M CHI ỦY",
    "```",
    "",
    "- **Legacy fonts**: text typed with TCVN3 (.VnTime) or VNI-Windows fonts, in CSV bytes",
    "  or in workbook cells (`NguyÔn V¨n An`), is converted to Unicode; so is Windows-1258.",
    "  Each conversion is a warning naming the file or column (`encoding_converted`).",
    "- **Dates**: day first always. A year alone is refused (`year_only`); a whole number",
    "  of the Excel-serial range is read with a warning; a column of numbers where dates are",
    "  expected is refused (`not_a_date`); date cells in a column that also holds day-first",
    "  text with a day over 12 (dd/mm typed into an English-locale Excel) are refused as",
    "  probably swapped (`swapped_date`). Dates before 1930 or over a year ahead, and",
    "  admissions before 16, are warnings (`implausible_date`).",
    "- **Codes**: zero-width and non-breaking spaces are removed; a reference differing from",
    "  its code only in letter case is matched with a warning (`case_mismatch`); one that lost",
    "  its leading zeros gets that hint.",
    "- **A bad value is not a lost record**: an unreadable value in a column its row can live",
    "  without is blanked and listed (`action` = `blanked`); only errors in a row's essential",
    "  columns (listed per table below) set the row aside. An optional column absent from",
    "  every file leaves the indicators that need it empty, never 0.",
    "",
    "`chibo template --data DATA --cell C01 --out C01.xlsx` writes one cell's workbook (its",
    "roll, a meetings sheet, the register in this layout); cells never fill the",
    "organisations table.",
    "",
]

CODEBOOK_DOC = [
    "## Lenient readings, refusals and the codebook",
    "",
    "Category values are compared with the spellings listed under each table, in any case",
    "and with or without diacritics (`Có mặt`, `co mat`, `CM`, `x` are all *present*). A",
    "value that matches only once its punctuation is dropped (`Co mat?`) is read, and the",
    "validation report lists it as a `lenient_value` warning with the value as written and",
    "the reading chosen; so are codes from which invisible characters (zero-width spaces,",
    "non-breaking spaces) were removed. A mark that could mean two values (a bare `V` or",
    "`Vắng`: with or without a valid reason?) is refused as `ambiguous_value`.",
    "",
    "A team's own marks and headers go in a codebook: a YAML file `codebook.yaml` in the",
    "dataset folder (read automatically) or any file given with `--codebook FILE`. Every",
    "entry is checked against the tables below; the codebook's file and SHA-256 are kept",
    "with the dataset's sources.",
    "",
    "```yaml",
    "values:",
    "  status:                 # a column (every table that has it) or table.column",
    "    V: excused            # in our registers a bare V is an excused absence",
    "    Có (muộn): present",
    "headers:",
    "  meetings:               # a table",
    "    Thời gian họp: duration_min",
    "```",
    "",
]


def render_format_doc() -> str:
    """Markdown describing every table and column of the dataset.

    Returns
    -------
    str
        The text of ``docs/data-format.md``.

    Examples
    --------
    >>> text = render_format_doc()
    >>> text.splitlines()[0]
    '# Data format'
    >>> "| `held_on` | Ngày sinh hoạt | date | yes | no |" in text
    True
    """
    lines = [
        "# Data format",
        "",
        "<!-- Generated from chibo_analysis/schema.py; do not edit by hand. Regenerate with:",
        f"     {REGENERATE} -->",
        "",
        "A dataset is a folder holding one CSV, XLSX or Parquet file per table, named after",
        "the table, or one XLSX workbook with one sheet per table. File and sheet names,",
        "column headers and category values are accepted in English or in Vietnamese, with",
        "or without diacritics, in any case; leading numbering of a file or sheet name",
        "(`01_`, `02 - `) is ignored. An empty cell means unknown or not applicable.",
        "A table may be split over several files (`attendance_cb01.csv`, or a folder",
        "`attendance/`). A data file whose name matches no table is not read, and the",
        "validation report lists it (`unread_file`).",
        "An empty file (0 bytes, only blank lines, or only empty sheets) is listed",
        "(`empty_file`): an optional table is then treated as not supplied; a required",
        "table whose only file is empty stops the load. A file that is not the format its",
        "name says (a text file renamed `.xlsx`, a web page saved as `.xls`) is refused with",
        "a message saying what it is. A CSV file mixing two encodings (UTF-8 lines and",
        "Windows-1258 ones) is refused, naming its first line not in UTF-8. Control",
        "characters (NUL and the like) are removed from values, each listed",
        "(`control_characters`).",
        "In the column tables below, *required* means the column must be present in the",
        "file, and *may be empty* whether a row may leave its value empty; optional columns",
        "left out of a file are loaded as empty.",
        "`chibo template --out mau.xlsx` writes a workbook ready to fill in.",
        "",
        "Every loaded table also carries where each record came from: "
        + ", ".join(_code(c) for c in SOURCE_COLUMNS)
        + " (file relative to the dataset folder, sheet, row number as seen in the file,"
        " header = row 1).",
        "",
        "## Tables",
        "",
    ]
    rows = [
        (
            f"[`{t.name}`](#{t.name}-{_anchor(t.vi)})",
            t.vi,
            _yes_no(t.required),
            t.en,
            ", ".join(_code(k) for k in t.key),
        )
        for t in TABLES.values()
    ]
    lines += _table_md(("table", "Vietnamese", "required", "contents", "unique by"), rows)
    lines += ["", "## Values by column kind", ""]
    rows = []
    for kind, (accepted, dtype) in KIND_DOCS.items():
        examples = "; ".join(f"`{raw}` → `{value}`" for raw, value in INPUT_EXAMPLES.get(kind, ()))
        rows.append((f"`{kind}`", accepted, examples, dtype))
    lines += _table_md(("kind", "accepted input", "examples", "loaded as"), rows)
    lines += [
        "",
        "Yes/no cells accept (compared without diacritics, in any case): "
        + ", ".join(_code(s) for s in YES)
        + " for yes; "
        + ", ".join(_code(s) for s in NO)
        + " for no.",
        "",
    ]
    lines += LAYOUT_DOC + CODEBOOK_DOC
    for table in TABLES.values():
        lines += render_table(table)
    return "\n".join(lines).rstrip("\n") + "\n"


def _anchor(text: str) -> str:
    """GitHub's heading anchor of the Vietnamese part of a table heading."""
    kept = "".join(ch for ch in text.lower() if ch.isalnum() or ch in " -_")
    return kept.replace(" ", "-")


def main() -> int:
    """Write the document to standard output as UTF-8, whatever the console's encoding."""
    sys.stdout.buffer.write(render_format_doc().encode("utf-8"))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
