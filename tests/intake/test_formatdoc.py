"""The data-format documentation: rendered from the schema, committed, never stale."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from chibo_analysis.intake.formatdoc import INPUT_EXAMPLES, KIND_DOCS, REGENERATE, render_format_doc
from chibo_analysis.intake.parse import parse_column
from chibo_analysis.schema import KINDS, STATUSES, TABLES, Column

DOC = Path(__file__).resolve().parents[2] / "docs" / "data-format.md"


def test_committed_document_is_up_to_date():
    committed = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    assert committed == render_format_doc(), (
        f"{DOC} is stale: the schema changed since it was generated. Regenerate it with\n"
        f"    {REGENERATE}\nand commit the result."
    )


def test_module_prints_the_document():
    out = subprocess.run(
        [sys.executable, "-m", "chibo_analysis.intake.formatdoc"], capture_output=True, check=True
    ).stdout
    assert out.decode("utf-8") == render_format_doc()


@pytest.fixture(scope="module")
def doc() -> str:
    return render_format_doc()


def test_column_rows_written_out(doc):
    # column | Vietnamese header | kind | required | may be empty | meaning | values | spellings
    assert "| `held_on` | Ngày sinh hoạt | date | yes | no | held on |  | `Ngày họp`, " in doc
    assert (
        "| `parent_id` | Mã tổ chức cấp trên | id | yes | yes "
        "| parent organisation (empty for the top) |  | `ma cap tren` |"
    ) in doc
    assert (
        "| `duration_min` | Thời lượng (phút) | int | no | yes | duration (minutes) | 1 to 1440 |"
        in doc
    )
    assert "| `amount` | Số tiền | amount | no | yes | amount (đồng) | at least 0 |" in doc
    assert "| `superior_attended` | Cấp ủy cấp trên dự | bool | no | yes |" in doc
    assert "- Personal data (kept out of shared reports): `full_name`, `birth_date`." in doc


def test_allowed_values_with_vietnamese_labels(doc):
    assert "Allowed values of `attendance.status` (Tình trạng):" in doc
    assert "| `excused` | Vắng có lý do | `p`, `cp`, `có phép`, `vắng có phép`," in doc
    assert "Refused, never guessed (they do not say which of the values above is meant): `v`" in doc
    assert "| `residential` | Thôn, tổ dân phố |" in doc  # a label with a comma, in a table cell


def test_tables_listed_with_required_flag(doc):
    assert "| [`meetings`](#meetings-sinh-hoạt-chi-bộ) | Sinh hoạt chi bộ | yes |" in doc
    assert "| [`dues`](#dues-đảng-phí) | Đảng phí | no |" in doc
    assert "## `meetings` (Sinh hoạt chi bộ)" in doc


def test_input_formats_documented(doc):
    assert "`03/01/2022` → `2022-01-03`" in doc  # day first: 3 January
    assert "`03/2022` → `2022-03-01`" in doc
    assert "`50.000` → `50000`" in doc
    assert "`Có` → `True`" in doc
    assert "`co`, `yes`, `y`, `true`, `1`, `x`, `du` for yes" in doc


def test_every_table_and_column_appears(doc):
    for table in TABLES.values():
        assert f"## `{table.name}` ({table.vi})" in doc
        for column in table.columns:
            assert f"| `{column.name}` | {column.vi} | {column.kind} |" in doc


def test_every_kind_documented():
    assert tuple(KIND_DOCS) == KINDS


def _example_column(kind: str) -> Column:
    choices = STATUSES if kind == "category" else ()  # the doc says: from attendance.status
    return Column("x", kind, "x", "x", choices=choices)


def _as_shown(value) -> object:
    """A parsed value the way INPUT_EXAMPLES writes it."""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return value.item() if hasattr(value, "item") else value


@pytest.mark.parametrize(
    ("kind", "raw", "expected"),
    [(kind, raw, expected) for kind, pairs in INPUT_EXAMPLES.items() for raw, expected in pairs],
)
def test_documented_examples_really_load(kind, raw, expected):
    parsed = parse_column(pd.Series([raw], dtype=object), _example_column(kind))
    assert parsed.errors.dropna().tolist() == []  # no reason code
    assert _as_shown(parsed.values.iloc[0]) == expected
