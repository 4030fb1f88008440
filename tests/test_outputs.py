"""Text from the data stays text in the files the package writes (issue 10: formulas)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import append_line, replace_in
from openpyxl import load_workbook

from chibo_analysis import load_dataset, validate
from chibo_analysis.commands.cli import main
from chibo_analysis.errors import ChiboError
from chibo_analysis.outputs import EXCEL_CELL_LIMIT, write_tables

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


@pytest.mark.parametrize("command", ["validate", "scorecard"])
@pytest.mark.parametrize("where", ["missing folder", "a folder", "under a file", "read-only"])
def test_an_output_that_cannot_be_written_exits_2_with_one_line(
    clean_dir, tmp_path, capsys, command, where
):
    # Issue 10: tracebacks, and validate exiting 1 (its code for "problems found").
    (tmp_path / "plain.txt").write_text("x")
    out = {
        "missing folder": tmp_path / "no" / "such" / "r.xlsx",
        "a folder": tmp_path,
        "under a file": tmp_path / "plain.txt" / "r.xlsx",
        "read-only": Path("/proc/chibo-r.xlsx"),  # root ignores chmod; /proc refuses anyone
    }[where]
    argv = [command, str(clean_dir), "--out", str(out)]
    if command == "scorecard":
        argv += ["--period", "2022"]
    if where == "a folder" and command == "scorecard":
        argv[-3] = str(tmp_path / "dir.xlsx")
        (tmp_path / "dir.xlsx").mkdir()
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"chibo {command}: ") and "Traceback" not in err
    assert len(err.splitlines()) == 1, err
    assert not list(tmp_path.glob(".*.part*"))  # no temporary file left behind


def test_a_text_over_a_workbook_cell_is_cut_with_a_warning(tmp_path):
    long = "x" * (EXCEL_CELL_LIMIT + 5)
    frame = pd.DataFrame({"name": ["Chi bộ 1", long], "n": [1, 2]})
    warnings = write_tables(tmp_path / "t.xlsx", {"danh sách": frame})
    assert warnings == [
        "sheet danh sách, row 3, column name: a text of 32,772 characters was cut "
        "to the 32,767 a workbook cell holds"
    ]
    cells = [c.value for c in load_workbook(tmp_path / "t.xlsx")["danh sách"]["A"]]
    assert cells == ["name", "Chi bộ 1", "x" * EXCEL_CELL_LIMIT]
    assert frame["name"].iloc[1] == long  # the caller's frame is untouched


def test_a_file_appears_only_when_complete(tmp_path, monkeypatch):
    target = tmp_path / "t.xlsx"
    target.write_text("old")

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_excel", broken)
    with pytest.raises(ChiboError, match="No space left on device"):
        write_tables(target, {"s": pd.DataFrame({"a": [1]})})
    assert target.read_text() == "old" and sorted(tmp_path.iterdir()) == [target]


def test_a_written_file_gets_the_usual_mode_not_the_temporary_files(tmp_path):
    import os

    old = os.umask(0o022)
    try:
        write_tables(tmp_path / "t.csv", {"s": pd.DataFrame({"a": [1]})})
    finally:
        os.umask(old)
    assert (tmp_path / "t.csv").stat().st_mode & 0o777 == 0o644
