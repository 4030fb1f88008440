"""Text from the data stays text in the files the package writes (issue 10: formulas)."""

from __future__ import annotations

import pandas as pd
from conftest import append_line, replace_in
from openpyxl import load_workbook

from chibo_analysis import load_dataset, validate
from chibo_analysis.commands.cli import main

FORMULA = '=HYPERLINK("http://example.invalid","bấm vào đây")'


def test_validation_report_keeps_a_formula_as_text(clean_dir, tmp_path):
    # a meeting topic and an unknown member code that look like formulas
    replace_in(
        clean_dir / "meetings.csv", "Triển khai nghị quyết", '"' + FORMULA.replace('"', '""') + '"'
    )
    append_line(clean_dir / "attendance.csv", "S1,@SUM(A1:A9),present")
    report = validate(load_dataset(clean_dir))
    book = load_workbook(report.write(tmp_path / "r.xlsx"))
    cells = [c for row in book["issues"].iter_rows() for c in row if isinstance(c.value, str)]
    assert any(c.value == "@SUM(A1:A9)" for c in cells)
    assert all(c.data_type == "s" for c in cells)  # strings, not formulas
    text = (report.write(tmp_path / "r.csv")).read_text(encoding="utf-8-sig")
    assert "'@SUM(A1:A9)" in text and "\n@SUM" not in text and ",@SUM" not in text


def test_scorecard_and_lists_files_keep_text(clean_dir, tmp_path):
    replace_in(clean_dir / "organisations.csv", "Chi bộ tổ dân phố 1", "=1+1")
    out = tmp_path / "card.xlsx"
    assert main(["scorecard", str(clean_dir), "--period", "2022", "--out", str(out)]) == 0
    sheet = load_workbook(out)["scorecard"]
    names = [c for c in sheet["B"] if c.value == "=1+1"]
    assert names and all(c.data_type == "s" for c in names)
    csv = tmp_path / "card.csv"
    assert main(["scorecard", str(clean_dir), "--period", "2022", "--out", str(csv)]) == 0
    assert pd.read_csv(csv)["name"].tolist().count("'=1+1") == 1
