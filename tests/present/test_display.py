"""Result tables as a reader sees them: labels of codes, yes/no, the met column's colours.

More cases of :func:`relabel` and :func:`table` are in tests/test_labels.py.
"""

from __future__ import annotations

import re

import pandas as pd

from chibo_analysis.present import charts, display


def _coloured_cells(html: str) -> dict[tuple[int, int], str]:
    """``(row, column)`` of each cell a Styler's CSS colours, with its background colour.

    A rule may name several cells (``#T_x_row0_col0, #T_x_row0_col1 {...}``).
    """
    cells = {}
    for selectors, colour in re.findall(r"([^{}]+)\{[^}]*background-color: (#\w+);", html):
        for r, c in re.findall(r"_row(\d+)_col(\d+)", selectors):
            cells[int(r), int(c)] = colour
    return cells


def test_codes_of_a_level_column_are_shown_as_their_labels():
    frame = pd.DataFrame({"level": ["cell", "base", None]})
    assert display.relabel(frame, "vi")["Cấp"].tolist() == [
        "Chi bộ trực thuộc",
        "Đảng bộ cơ sở",
        "",
    ]


def test_booleans_are_shown_as_yes_and_no():
    frame = pd.DataFrame({"flag": [True, False]})
    assert display.relabel(frame, "vi")["flag"].tolist() == ["Có", "Không"]
    assert display.relabel(frame, "en")["flag"].tolist() == ["Yes", "No"]


def test_a_table_is_in_vietnamese_unless_told():
    html = display.table(pd.DataFrame({"members": [3]})).data
    assert "<th>Số đảng viên</th>" in html


def test_only_the_met_column_is_coloured():
    # the note says "Đạt" too, as text: only the met column (the second) carries colours
    frame = pd.DataFrame({"note": ["Đạt", "x"], "met": [True, False]})
    html = display.table(frame, "vi").to_html()
    assert _coloured_cells(html) == {(0, 1): charts.MET, (1, 1): charts.NOT_MET}


def test_the_met_column_is_coloured_in_english_too():
    frame = pd.DataFrame({"org_id": ["C1", "C2"], "met": [False, True]})
    html = display.table(frame, "en").to_html()
    assert ">Result</th>" in html
    assert _coloured_cells(html) == {(0, 1): charts.NOT_MET, (1, 1): charts.MET}
