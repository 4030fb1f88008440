"""The data-collection workbook an inspection team sends to cells to fill in.

Everything about tables and columns comes from :mod:`chibo_analysis.schema`:
one sheet per table (named after the table), one header per column, bold
headers for required columns, a note on each header with the English name and
meaning, drop-down lists of the allowed values, date-formatted date columns
and text-formatted month and code columns. A first sheet explains how to fill
it in. The filled-in workbook is read back by
:func:`chibo_analysis.intake.load.load_dataset` like any other workbook.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

from chibo_analysis.errors import ParameterError, check_argument
from chibo_analysis.labels import catalogued
from chibo_analysis.schema import TABLES, Column, Table

#: Characters Excel forbids in a sheet name, and its length limit.
SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
SHEET_MAX = 31

LANGS = ("vi", "en")

#: The labels offered in yes/no drop-downs (each folds to a spelling of schema.YES / NO).
#: To come from chibo_analysis.labels.yes_no once its catalogue keys load (see the report).
BOOL_LABELS = {"vi": ("Có", "Không"), "en": ("Yes", "No")}

#: Names of the two sheets that are not tables (match_table maps neither to a table).
GUIDE_SHEET = {"vi": "Hướng dẫn", "en": "instructions"}
LISTS_SHEET = {"vi": "Danh mục", "en": "lists"}

#: What each table holds, for the instruction sheet (English: ``Table.en``).
TABLE_NOTES_VI = {
    "organisations": "Các tổ chức đảng: đảng bộ cấp trên cơ sở, đảng bộ cơ sở, chi bộ",
    "members": "Đảng viên, mỗi dòng là một giai đoạn sinh hoạt tại một chi bộ",
    "meetings": "Các buổi sinh hoạt chi bộ và số liệu ghi trong biên bản",
    "attendance": "Điểm danh: tình trạng của từng đảng viên ở từng buổi sinh hoạt",
    "inspections": "Cấp trên kiểm tra, giám sát buổi sinh hoạt và xếp loại",
    "dues": "Đảng phí hằng tháng của từng đảng viên",
    "disciplines": "Quyết định kỷ luật đảng viên hoặc tổ chức đảng",
    "reviews": "Đánh giá, xếp loại chất lượng hằng năm của đảng viên và tổ chức đảng",
}

#: How to write a value of each column kind (note on each header).
KIND_HINTS = {
    "vi": {
        "id": "Mã (chữ hoặc số); giữ nguyên như trong hồ sơ, kể cả số 0 ở đầu.",
        "text": "Văn bản.",
        "category": "Chọn một giá trị trong danh sách thả xuống.",
        "date": "Ngày, dạng dd/mm/yyyy (03/01/2022 là ngày 3 tháng 1 năm 2022).",
        "month": "Tháng, dạng mm/yyyy (ví dụ 03/2022).",
        "int": "Số nguyên.",
        "amount": "Số tiền (đồng), ví dụ 50.000 hoặc 50000.",
        "bool": "Chọn Có hoặc Không.",
    },
    "en": {
        "id": "Code (letters or digits), exactly as in the records, leading zeros kept.",
        "text": "Text.",
        "category": "Pick a value from the drop-down list.",
        "date": "Date, as dd/mm/yyyy (03/01/2022 is 3 January 2022).",
        "month": "Month, as mm/yyyy (e.g. 03/2022).",
        "int": "Whole number.",
        "amount": "Amount in đồng, e.g. 50.000 or 50000.",
        "bool": "Pick Yes or No.",
    },
}

#: The documents the audited rules come from (DOMAIN.md section 2), with what each governs.
RULE_SOURCES = (
    (
        "Điều lệ Đảng 2011 (Điều 5, Điều 8)",
        "sinh hoạt hằng tháng; đảng viên dự bị; xóa tên khi trong năm bỏ sinh hoạt hoặc "
        "không đóng đảng phí 3 tháng không có lý do",
        "monthly meetings; probation; removal after 3 months a year of missed meetings "
        "or unpaid dues",
    ),
    (
        "HD 12-HD/BTCTW (06/7/2018)",
        "sinh hoạt thường kỳ và chuyên đề, thời lượng, tỷ lệ dự, tự đánh giá chất lượng",
        "regular and thematic meetings, duration, attendance, self-rating",
    ),
    (
        "HD 42-HD/BTCTW (28/10/2025)",
        "thời lượng sinh hoạt; cấp ủy cấp trên dự sinh hoạt chi bộ",
        "meeting duration; higher-level committee members attending",
    ),
    ("QĐ 342-QĐ/TW (28/12/2010)", "chế độ đảng phí", "party dues"),
    (
        "HD 27-HD/BTCTW (26/3/2009); QĐ 24-QĐ/TW (30/7/2021)",
        "miễn sinh hoạt đảng",
        "exemption from meetings",
    ),
    (
        "QĐ 132-QĐ/TW (08/3/2018); HD 21-HD/BTCTW (18/10/2019)"
        "; QĐ 124-QĐ/TW (04/10/2023); QĐ 366-QĐ/TW (30/8/2025)",
        "đánh giá, xếp loại hằng năm; tỷ lệ xuất sắc không quá 20%",
        "annual reviews; the 20% cap on excellent ratings",
    ),
)

_TEXT = {
    "vi": {
        "title": "Mẫu thu thập dữ liệu sinh hoạt chi bộ",
        "how": "Cách điền",
        "rules": [
            "Mỗi trang tính là một bảng dữ liệu; mỗi dòng là một bản ghi. Không đổi tên trang "
            "tính, không sửa hoặc xóa dòng tiêu đề. Có thể xóa trang tính của bảng không bắt "
            "buộc nếu không có số liệu.",
            "Tiêu đề in đậm là cột bắt buộc. Di chuột lên tiêu đề để xem tên tiếng Anh, ý nghĩa "
            "và cách ghi của cột.",
            "Ngày ghi dạng dd/mm/yyyy (ngày trước, tháng sau): 03/01/2022 là ngày 3 tháng 1 năm "
            "2022. Cũng có thể ghi 2022-01-03.",
            "Tháng ghi dạng mm/yyyy, ví dụ 03/2022.",
            "Số tiền ghi bằng đồng, có thể dùng dấu chấm ngăn cách hàng nghìn: 50.000.",
            "Cột danh mục (loại, cấp, tình trạng, xếp loại…): chọn giá trị trong danh sách thả "
            "xuống, không tự gõ cách viết khác. Cột có/không: chọn Có hoặc Không.",
            "Ô để trống nghĩa là chưa biết hoặc không áp dụng (ví dụ chưa có ngày giải thể: tổ "
            "chức còn hoạt động). Không ghi 0 hay dấu gạch thay cho ô trống.",
            "Mã tổ chức, mã đảng viên, mã buổi sinh hoạt phải thống nhất giữa các trang tính.",
        ],
        "personal": "Dữ liệu cá nhân, cần bảo mật: ",
        "sheets": "Các trang tính",
        "sheet_cols": (
            "Trang tính",
            "Bắt buộc",
            "Nội dung",
            "Mỗi dòng không trùng theo",
            "Cột bắt buộc",
        ),
        "sources": "Các quy định làm căn cứ kiểm tra",
        "required_col": "Cột bắt buộc.",
        "not_null": "Không được để trống.",
        "range": "Từ {min} đến {max}.",
        "min": "Không nhỏ hơn {min}.",
        "list_error": "Hãy chọn một giá trị trong danh sách.",
        "date_error": "Chưa phải ngày hợp lệ (dd/mm/yyyy).",
    },
    "en": {
        "title": "Data-collection template for party-cell meetings",
        "how": "How to fill it in",
        "rules": [
            "Each sheet is one table; each row one record. Do not rename sheets or change the "
            "header row. The sheets of optional tables may be deleted when there is no data.",
            "Bold headers are required columns. Hover over a header to see its meaning and how "
            "to write it.",
            "Dates as dd/mm/yyyy (day first): 03/01/2022 is 3 January 2022. ISO 2022-01-03 is "
            "accepted too.",
            "Months as mm/yyyy, e.g. 03/2022.",
            "Amounts in đồng; a dot may group thousands: 50.000.",
            "Category columns: pick a value from the drop-down list. Yes/no columns: pick Yes "
            "or No.",
            "An empty cell means unknown or not applicable (e.g. no dissolution date: the "
            "organisation still exists). Do not write 0 or a dash for empty.",
            "Organisation, member and meeting codes must agree across sheets.",
        ],
        "personal": "Personal data, keep confidential: ",
        "sheets": "Sheets",
        "sheet_cols": ("Sheet", "Required", "Contents", "Each row unique by", "Required columns"),
        "sources": "The rules audited and their sources",
        "required_col": "Required column.",
        "not_null": "Must not be empty.",
        "range": "From {min} to {max}.",
        "min": "At least {min}.",
        "list_error": "Please pick a value from the list.",
        "date_error": "Not a valid date (dd/mm/yyyy).",
    },
}

_NUM_FORMATS = {
    "id": "@",
    "text": "@",
    "month": "@",
    "date": "dd/mm/yyyy",
    "int": "0",
    "amount": "#,##0",
}
_WIDTHS = {
    "id": 14,
    "text": 30,
    "date": 13,
    "month": 10,
    "int": 10,
    "amount": 12,
    "bool": 10,
    "category": 14,
}
_LAST_ROW = 1_048_575  # Excel's last row (0-based): validations cover the whole column


def sheet_name(table: Table, lang: str = "vi") -> str:
    """The sheet name of ``table`` in the template: its name in ``lang``, as Excel allows.

    Characters Excel forbids (``[ ] : * ? / \\``) become spaces, runs of spaces
    one space, and the name is cut to Excel's 31 characters.

    Examples
    --------
    >>> from chibo_analysis.schema import TABLES
    >>> sheet_name(TABLES["meetings"])
    'Sinh hoạt chi bộ'
    >>> sheet_name(TABLES["meetings"], "en")
    'meetings'
    """
    check_argument("lang", lang, LANGS)
    name = table.vi if lang == "vi" else table.name
    name = " ".join(SHEET_FORBIDDEN.sub(" ", name).split())
    return name[:SHEET_MAX].strip().strip("'")


def header(column: Column, lang: str = "vi") -> str:
    """The header of ``column`` in the template."""
    return column.vi if lang == "vi" else column.name


def choice_labels(column: Column, lang: str = "vi") -> tuple[str, ...]:
    """The values offered in ``column``'s drop-down list (empty for free columns).

    Examples
    --------
    >>> from chibo_analysis.schema import TABLES
    >>> choice_labels(TABLES["meetings"].column("self_rating"))
    ('Tốt', 'Khá', 'Trung bình', 'Kém')
    >>> choice_labels(TABLES["meetings"].column("superior_attended"), "en")
    ('Yes', 'No')
    """
    if column.kind == "bool":
        return BOOL_LABELS[lang]
    return tuple(c.vi if lang == "vi" else c.code for c in column.choices)


def header_note(column: Column, lang: str = "vi") -> str:
    """The note on a header: English name and meaning, how to write it, whether required."""
    text = _TEXT[lang]
    lines = [f"{column.name}: {column.en}", KIND_HINTS[lang][column.kind]]
    if column.choices:
        lines.append(", ".join(choice_labels(column, lang)))
    if column.min is not None and column.max is not None:
        lines.append(text["range"].format(min=column.min, max=column.max))
    elif column.min is not None:
        lines.append(text["min"].format(min=column.min))
    if column.required:
        lines.append(text["required_col"])
    if not column.nullable:
        lines.append(text["not_null"])
    return "\n".join(lines)


def write_template(path: str | Path, lang: str = "vi") -> Path:
    """Write the empty data-collection workbook to ``path`` (an ``.xlsx`` file).

    Parameters
    ----------
    path : str or Path
        Where to write; parent folders are created. Must end in ``.xlsx``.
    lang : {"vi", "en"}
        Language of sheet names, headers, drop-down values and instructions.
        Both load back with :func:`chibo_analysis.intake.load.load_dataset`.

    Returns
    -------
    Path
        The path written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = write_template(pathlib.Path(tempfile.mkdtemp()) / "mau.xlsx")
    >>> out.name
    'mau.xlsx'
    """
    import xlsxwriter

    check_argument("lang", lang, LANGS)
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise catalogued(ParameterError, "template_xlsx", name="out", path=str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path))
    try:
        _write_book(book, lang)
    finally:
        book.close()
    return path


def _write_book(book, lang: str) -> None:
    styles = {
        "title": book.add_format({"bold": True, "font_size": 14}),
        "section": book.add_format({"bold": True, "font_size": 12}),
        "bold": book.add_format({"bold": True}),
        "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
        "head": book.add_format(
            {"bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"}
        ),
        "head_req": book.add_format(
            {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"}
        ),
    }
    columns = {kind: book.add_format({"num_format": fmt}) for kind, fmt in _NUM_FORMATS.items()}
    guide = book.add_worksheet(GUIDE_SHEET[lang])
    sheets = {t.name: book.add_worksheet(sheet_name(t, lang)) for t in TABLES.values()}
    lists = book.add_worksheet(LISTS_SHEET[lang])
    list_ranges = _write_lists(lists, lang)
    lists.hide()
    _write_guide(guide, lang, styles)
    for table in TABLES.values():
        _write_table(sheets[table.name], table, lang, styles, columns, list_ranges)
    guide.activate()


def _write_lists(ws, lang: str) -> dict[tuple[str, ...], str]:
    """One column per distinct drop-down list; returns each list's cell range."""
    from xlsxwriter.utility import xl_col_to_name

    ranges: dict[tuple[str, ...], str] = {}
    for table in TABLES.values():
        for column in table.columns:
            labels = choice_labels(column, lang)
            if not labels or labels in ranges:
                continue
            col = len(ranges)
            ws.write_string(0, col, column.name)
            for row, label in enumerate(labels, start=1):
                ws.write_string(row, col, label)
            letter = xl_col_to_name(col)
            ranges[labels] = f"='{ws.name}'!${letter}$2:${letter}${len(labels) + 1}"
    return ranges


def _write_guide(ws, lang: str, styles: dict) -> None:
    text = _TEXT[lang]
    ws.set_column(0, 0, 24)
    ws.set_column(1, 1, 10)
    ws.set_column(2, 2, 60)
    ws.set_column(3, 4, 40)
    ws.write_string(0, 0, text["title"], styles["title"])
    row = 2
    ws.write_string(row, 0, text["how"], styles["section"])
    rules = list(text["rules"])
    personal = [header(c, lang) for t in TABLES.values() for c in t.columns if c.personal]
    rules.append(text["personal"] + ", ".join(dict.fromkeys(personal)) + ".")
    for number, rule in enumerate(rules, start=1):
        row += 1
        ws.merge_range(row, 0, row, 4, f"{number}. {rule}", styles["wrap"])
        ws.set_row(row, 30)
    row += 2
    ws.write_string(row, 0, text["sheets"], styles["section"])
    row += 1
    for col, title in enumerate(text["sheet_cols"]):
        ws.write_string(row, col, title, styles["head_req"])
    for table in TABLES.values():
        row += 1
        notes = TABLE_NOTES_VI[table.name] if lang == "vi" else table.en
        key = " + ".join(header(table.column(k), lang) for k in table.key)
        required = ", ".join(header(c, lang) for c in table.required_columns)
        cells = (
            sheet_name(table, lang),
            BOOL_LABELS[lang][0 if table.required else 1],
            notes,
            key,
            required,
        )
        for col, value in enumerate(cells):
            ws.write_string(row, col, value, styles["wrap"])
    row += 2
    ws.write_string(row, 0, text["sources"], styles["section"])
    for document, governs_vi, governs_en in RULE_SOURCES:
        row += 1
        ws.merge_range(
            row,
            0,
            row,
            4,
            f"{document}: {governs_vi if lang == 'vi' else governs_en}",
            styles["wrap"],
        )


def _write_table(ws, table: Table, lang: str, styles: dict, formats: dict, lists: dict) -> None:
    text = _TEXT[lang]
    for col, column in enumerate(table.columns):
        title = header(column, lang)
        labels = choice_labels(column, lang)
        width = max(_WIDTHS[column.kind], len(title) + 2, *(len(x) + 3 for x in labels))
        ws.set_column(col, col, min(width, 45), formats.get(column.kind))
        ws.write_string(0, col, title, styles["head_req" if column.required else "head"])
        ws.write_comment(
            0,
            col,
            header_note(column, lang),
            {"author": "chibo-analysis", "x_scale": 2.2, "y_scale": 1.6},
        )
        if labels:
            ws.data_validation(
                1,
                col,
                _LAST_ROW,
                col,
                {
                    "validate": "list",
                    "source": lists[labels],
                    "error_title": title,
                    "error_message": text["list_error"],
                },
            )
        elif column.kind == "date":
            ws.data_validation(
                1,
                col,
                _LAST_ROW,
                col,
                {
                    "validate": "date",
                    "criteria": "between",
                    "minimum": datetime.date(1900, 1, 1),
                    "maximum": datetime.date(2100, 12, 31),
                    "error_type": "warning",
                    "error_title": title,
                    "error_message": text["date_error"],
                },
            )
    ws.set_row(0, 32)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, 0, len(table.columns) - 1)
