"""The index of reports, cell by cell (more cases in tests/runner/test_folders.py and
tests/runner/test_escaping_boundaries.py)."""

from __future__ import annotations

import json
import re

from chibo_analysis.runner.index import build_index, read_reports


def test_every_row_of_the_index_has_one_cell_per_header(tmp_path):
    # a report with a count, a rate and a yes/no figure: 5 + 3 + 1 columns, each one <td>
    folder = tmp_path / "A" / "2022"
    folder.mkdir(parents=True)
    run = {"status": "ok", "name": "Đảng bộ A", "level": "base",
           "parameters": {"org_id": "A", "period": "2022"}, "outputs": {"html": "r.html"}}  # fmt: skip
    (folder / "audit_organisation.run.json").write_text(json.dumps(run), encoding="utf-8")
    figures = {"cells": 3, "regular_rate": 0.25, "complete": False}
    (folder / "audit_organisation.figures.json").write_text(json.dumps(figures), "utf-8")
    (folder / "r.html").write_text("<html></html>", encoding="utf-8")
    page = build_index(tmp_path).read_text(encoding="utf-8")
    body = page.split("<tbody>")[1].split("</tbody>")[0]
    assert page.count("<th>") == 9 and body.count("<td") == 9 and "<td><td" not in body
    cells = re.findall(r"<td[^>]*>(.*?)</td>", body)
    assert cells[5:8] == ["3", "25,0%", "Không"]
    en = build_index(tmp_path, "en").read_text(encoding="utf-8")
    assert re.findall(r"<td[^>]*>(.*?)</td>", en.split("<tbody>")[1])[7] == "No"


def test_reports_are_listed_by_period_then_folder(tmp_path):
    # folder a holds 2023, b and c hold 2022: 2022 first (b, c), then 2023
    for folder, period in (("a/x", "2023"), ("c/x", "2022"), ("b/x", "2022")):
        path = tmp_path / folder
        path.mkdir(parents=True)
        run = {"status": "failed", "parameters": {"org_id": folder[0], "period": period}}
        (path / "audit_organisation.run.json").write_text(json.dumps(run), encoding="utf-8")
    assert [r["folder"] for r in read_reports(tmp_path)] == ["b/x", "c/x", "a/x"]
