"""The notebooks of notebooks/: their shape, and each one run on a small synthetic city.

The audit notebooks run through the runner (papermill, then the reader's HTML);
``explore.ipynb`` runs under nbval (``--nbval-lax``). The share test checks that
no member's name (``full_name`` of the input) appears anywhere in a shared
report, HTML or executed notebook, while the same report unshared does show
names (so the test can fail).
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from chibo_analysis import labels
from chibo_analysis.runner.audit import run_audit
from chibo_analysis.runner.params import AuditParams
from chibo_analysis.schema import TABLES

NOTEBOOKS = Path(__file__).parents[1] / "notebooks"
ALL = sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb"))
AUDITS = [n for n in ALL if n != "explore"]
#: What each notebook audits in the sample city: a base organisation or the committee.
ORG = {
    "audit_organisation": "H001-B01",
    "compare_organisations": "H001",
    "rating_accuracy": "H001-B01",
    "plan_inspection": "H001-B01",
}
#: Signs of code or of Python reprs in a reader's HTML.
CODE_SIGNS = ("import ", "def ", "params.", "<Axes", "object at 0x", "Traceback", "dtype:")


@pytest.fixture(scope="module")
def city(tmp_path_factory) -> Path:
    """A small synthetic city: 2 base organisations, 17 cells, ~600 members, 2021-2022."""
    from chibo_analysis.synth import synthesize

    folder = tmp_path_factory.mktemp("city")
    synthesize(folder, seed=1, scale=0.05, start=2021, end=2022, progress=False)
    return folder


@pytest.fixture(scope="module")
def key_file(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("key") / "key"


@pytest.fixture(scope="module")
def reports(city, key_file, tmp_path_factory):
    """Every audit notebook run once in Vietnamese; audit_organisation also shared and in English."""
    out = tmp_path_factory.mktemp("reports")
    runs = {}
    cases = [(n, "vi", False) for n in AUDITS] + [
        ("audit_organisation", "vi", True),
        ("audit_organisation", "en", False),
    ]
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CHIBO_KEY_FILE", str(key_file))  # the kernels inherit it
        for name, lang, share in cases:
            params = AuditParams.create(
                data=city, org_id=ORG[name], period="2022", lang=lang, share=share
            )
            folder = out / f"{name}-{lang}-{'shared' if share else 'internal'}"
            runs[name, lang, share] = run_audit(params, notebook=name, out=folder, index=False)
    return runs


def _html(run) -> str:
    return run.outputs["html"].read_text(encoding="utf-8")


def _text(html: str) -> str:
    """The visible text of a report: no styles, tags or image data."""
    html = re.sub(r"<style.*?</style>", " ", html, flags=re.S)
    html = re.sub(r"<img[^>]*>", " ", html)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- the committed notebooks ----------------------------------------------------


@pytest.mark.parametrize("name", ALL)
def test_committed_without_outputs_and_thin(name):
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    # First code cell: the parameters, plain literal assignments, each with its comment.
    first = code[0]
    assert "parameters" in first.metadata.get("tags", [])
    for line in first.source.splitlines():
        assert re.match(r"^\w+ = .+  # \S", line), line
        ast.literal_eval(line.split(" = ", 1)[1].split("  #")[0])
    # One import cell, right after; no def, class or file read anywhere.
    assert all(ln.startswith(("from ", "import ")) for ln in code[1].source.splitlines() if ln)
    for cell in code[2:]:
        assert "import " not in cell.source
        assert not re.search(r"^\s*(def|class) |open\(|read_csv|read_excel", cell.source, re.M)
    # Markdown cells are notes for the notebook's authors, removed from reports.
    assert all(
        "remove-cell" in c.metadata.get("tags", []) for c in nb.cells if c.cell_type == "markdown"
    )


@pytest.mark.parametrize("name", AUDITS)
def test_audit_notebooks_take_the_runner_parameters(name):
    from chibo_analysis.runner.params import read_parameters_cell

    declared = read_parameters_cell(NOTEBOOKS / f"{name}.ipynb")
    assert {"data", "org_id", "period", "lang", "share", "targets"} <= set(declared)
    assert declared["lang"] == "vi" and declared["share"] is False


# --- executed on the sample city ----------------------------------------------------


@pytest.mark.parametrize("name", AUDITS)
def test_report_is_vietnamese_without_code_and_with_figures(reports, name):
    run = reports[name, "vi", False]
    assert run.status == "ok"
    html = _html(run)
    text = _text(html)
    assert not [s for s in CODE_SIGNS if s in text]
    if name != "plan_inspection":  # the plan is tables and a worksheet, no chart
        assert html.count("<img") >= 1 and 'src="data:image/png;base64,' in html
    # Headings and labels come from the catalogue, in Vietnamese with diacritics.
    assert labels.label("heading.provenance", "vi") in text
    assert "Chi bộ" in text and "đảng" in text.lower()


def test_audit_opens_with_findings_and_shows_every_section(reports):
    text = _text(_html(reports["audit_organisation", "vi", False]))
    order = [
        "heading.findings", "heading.scorecard", "heading.regular", "heading.thematic",
        "heading.attendance", "heading.control", "heading.review", "heading.ratings",
        "heading.copied", "heading.admissions", "heading.discipline", "heading.cap",
        "heading.quality", "heading.provenance",
    ]  # fmt: skip
    # Each heading found after the one before it (some also occur earlier as labels).
    at = 0
    for key in order:
        at = text.find(labels.label(key, "vi"), at)
        assert at >= 0, key
    assert "Đảng bộ phường Phan Thiết có 12 chi bộ" in text  # the first finding, with numbers
    assert labels.label("word.not_met", "vi") in text or labels.label("word.met", "vi") in text


def test_english_report_has_no_vietnamese_catalogue_text(reports, city):
    from chibo_analysis.indicators import load_targets

    text = _text(_html(reports["audit_organisation", "en", False]))
    assert labels.label("heading.findings", "en") in text
    # Input is shown as it was written: organisation names, free-text reasons, and the
    # targets file's own labels. Take them out; what is left must be English.
    data = pd.read_csv(city / "organisations.csv")["name"].tolist()
    data += pd.read_csv(city / "disciplines.csv")["reason"].dropna().tolist()
    data += [t.label_en for t in load_targets().targets.values()]
    for value in sorted(set(data), key=len, reverse=True):
        text = text.replace(value, " ")
    vietnamese = [e["vi"] for e in labels.catalogue().values() if len(e["vi"].split()) >= 2]
    vietnamese += [c.vi for t in TABLES.values() for col in t.columns for c in col.choices]
    # Organisation names are data (Vietnamese in any language); labels must not be.
    leaked = [v for v in vietnamese if "{" not in v and f" {v} " in f" {text} "]
    assert leaked == []


def test_shared_report_shows_no_member_name(reports, city):
    names = pd.read_csv(city / "members.csv", usecols=["full_name"])["full_name"].dropna().unique()
    internal = reports["audit_organisation", "vi", False]
    shared = reports["audit_organisation", "vi", True]

    def found(run) -> list[str]:
        blobs = [_html(run), run.outputs["notebook"].read_text(encoding="utf-8")]
        return [n for n in names if any(n in b for b in blobs)]

    assert found(internal), "the unshared report lists members by name: the check can fail"
    assert found(shared) == []
    assert "BD-" in _html(shared)  # members appear under pseudonyms instead


def test_index_figures_recorded(reports):
    import json

    folder = reports["audit_organisation", "vi", False].folder
    figures = json.loads((folder / "audit_organisation.figures.json").read_text(encoding="utf-8"))
    assert figures["cells"] == 12 and 0 < figures["attendance_rate"] <= 1


def test_explore_runs_under_nbval(city, tmp_path):
    # nbval cannot inject parameters: a copy with the sample city's path in its parameters cell.
    nb = nbformat.read(NOTEBOOKS / "explore.ipynb", as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    cell.source = re.sub(r'^data = ".*?"', f"data = {str(city)!r}", cell.source, flags=re.M)
    cell.source = re.sub(r'^org_id = ".*?"', 'org_id = "H001-B01"', cell.source, flags=re.M)
    copy = tmp_path / "explore.ipynb"
    nbformat.write(nb, copy)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--nbval-lax",
            "--nbval-kernel-name",
            "python3",
            "-q",
            "-p",
            "no:cacheprovider",
            str(copy),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    # the inspector's next step, export to Excel, wrote beside the reports, not beside the notebook
    exported = list((tmp_path / "reports" / "H001-B01" / "2022").glob("kham-pha-*.xlsx"))
    assert len(exported) == 1 and not list(tmp_path.glob("*.xlsx"))


def test_plan_writes_the_worksheet_beside_the_report(reports):
    from chibo_analysis.indicators.planning import read_worksheet

    folder = reports["plan_inspection", "vi", False].folder
    sheet = read_worksheet(folder / "inspection_worksheet.xlsx")
    # 95% confidence, 5% tolerable, none expected: 59 meetings (or the whole population).
    assert 0 < len(sheet) <= 59


def _rows_with_members(html: str, pattern: str) -> list[str]:
    rows = re.findall(r"<tr>(.*?)</tr>", html, flags=re.S)
    return [r for r in rows if re.search(pattern, r)]


def test_shared_report_gives_nothing_that_finds_a_member_in_the_files(reports, city):
    # Issue 10: beside each pseudonym a shared report showed the member's row in members.csv
    # and the admission date; the provenance showed the absolute path of the data folder.
    internal = _html(reports["audit_organisation", "vi", False])
    shared = _html(reports["audit_organisation", "vi", True])
    members = pd.read_csv(city / "members.csv", usecols=["member_id"])["member_id"].astype(str)
    codes = "|".join(re.escape(m) for m in members.head(2000))
    exact_date, source_row = r"\b\d{2}/\d{2}/\d{4}\b", r"\.(csv|xlsx)[^<]*:\d+"
    # the unshared report shows them, so the checks below can fail
    assert _rows_with_members(internal, rf">({codes})<") != []
    assert [r for r in _rows_with_members(internal, rf">({codes})<") if re.search(source_row, r)]
    pseudonymous = _rows_with_members(shared, r">BD-[0-9a-f]{10}<")
    assert pseudonymous
    assert [r for r in pseudonymous if re.search(source_row, r)] == []
    assert [r for r in pseudonymous if re.search(exact_date, r)] == []
    for page in (internal, shared):
        assert str(city) not in page and str(city.parent) not in page  # no absolute path


def _a_cell(city: Path) -> str:
    orgs = pd.read_csv(city / "organisations.csv", dtype=str)
    return sorted(orgs.loc[orgs["level"] == "cell", "org_id"])[0]


#: Each audit notebook at the levels its default (ORG) does not cover, and a period with
#: no data at all (issue 11: every study runs, or says in the page why a section does not).
LEVEL_CASES = [(n, "cell", "2022") for n in AUDITS] + [(n, "committee", "2030") for n in AUDITS]
LEVEL_CASES += [
    ("audit_organisation", "committee", "2022"),
    ("compare_organisations", "base", "2022"),
]


@pytest.mark.parametrize(("name", "level", "period"), LEVEL_CASES)
def test_every_study_runs_for_any_level_and_a_period_without_data(
    city, key_file, tmp_path, monkeypatch, name, level, period
):
    monkeypatch.setenv("CHIBO_KEY_FILE", str(key_file))
    org_id = {"cell": _a_cell(city), "committee": "H001", "base": "H001-B01"}[level]
    params = AuditParams.create(data=city, org_id=org_id, period=period)
    run = run_audit(params, notebook=name, out=tmp_path, index=False)
    assert run.status == "ok"
    text = _text(_html(run))
    assert not [s for s in CODE_SIGNS if s in text]
    if period == "2030":  # said in the page, not a table of zeros
        assert "2030" in text
    if level == "cell" and period == "2022":
        # a cell alone: no "1 of 1 cells", no "0 of 0 organisations", nothing compared with
        # itself; the page says why the comparison does not apply (issue 11, read in Chromium)
        assert " trong số 1 chi bộ" not in text and "0 trong số 0 tổ chức" not in text
        if name == "compare_organisations":
            assert "không có từ hai chi bộ trở lên để so sánh với nhau" in text
            assert labels.label("heading.shrunk", "vi") not in text
        if name == "audit_organisation":
            assert "báo cáo này chỉ có một chi bộ nên không vẽ biểu đồ" in text


# --- the evidence workbooks of the smaller studies ---------------------------------------

RATING_POINTS = {"good": 3, "fair": 2, "average": 1, "poor": 0}


def _book(run, study: str) -> dict[str, pd.DataFrame]:
    return pd.read_excel(run.folder / f"{study}.evidence.xlsx", sheet_name=None, engine="calamine")


def test_rating_accuracy_writes_the_meetings_compared_to_its_evidence_workbook(reports, city):
    run = reports["rating_accuracy", "vi", False]
    book = _book(run, "rating_accuracy")
    assert list(book) == [
        "Tổng hợp", "Buổi được đối chiếu xếp loại", "Xếp loại theo chi bộ",
        "Xếp loại Tốt chưa xác đáng", "Tự đánh giá cao hơn kiểm tra",
    ]  # fmt: skip
    rated = book["Buổi được đối chiếu xếp loại"]
    assert list(rated.columns) == [
        "Mã buổi sinh hoạt", "Mã chi bộ", "Tên chi bộ", "Ngày sinh hoạt", "Tự đánh giá",
        "Đoàn kiểm tra xếp loại", "Chênh lệch (bậc, tự xếp trừ kiểm tra)", "Tệp", "Dòng",
        "Căn cứ (tệp:dòng)",
    ]  # fmt: skip
    # worked out from the files themselves: H001-B01's cells, their 2022 meetings with a
    # self-rating, and the latest inspection of each (the file's last row for a meeting)
    orgs = pd.read_csv(city / "organisations.csv", dtype=str)
    cells = set(orgs.loc[orgs["parent_id"] == "H001-B01", "org_id"])
    meetings = pd.read_csv(city / "meetings.csv", dtype=str)
    meetings["_row"] = meetings.index + 2
    mine = meetings[
        meetings["cell_id"].isin(cells)
        & meetings["held_on"].str.startswith("2022")
        & meetings["self_rating"].notna()
    ].set_index("meeting_id")
    ins = pd.read_csv(city / "inspections.csv", dtype=str)
    ins["_row"] = ins.index + 2
    latest = ins[ins["rating"].notna()].sort_values(["inspected_on", "_row"])
    latest = latest.drop_duplicates("meeting_id", keep="last").set_index("meeting_id")
    both = sorted(set(mine.index) & set(latest.index))
    assert len(both) == 12 and sorted(rated["Mã buổi sinh hoạt"]) == both
    rows = rated.set_index("Mã buổi sinh hoạt")
    for meeting in both:
        gap = (
            RATING_POINTS[mine.at[meeting, "self_rating"]]
            - RATING_POINTS[latest.at[meeting, "rating"]]
        )
        assert rows.at[meeting, "Chênh lệch (bậc, tự xếp trừ kiểm tra)"] == gap, meeting
        assert rows.at[meeting, "Dòng"] == mine.at[meeting, "_row"]
        assert (
            rows.at[meeting, "Căn cứ (tệp:dòng)"] == f"inspections.csv:{latest.at[meeting, '_row']}"
        )
    # most serious first: the cell's rating furthest above the inspectors'
    gaps = rated["Chênh lệch (bậc, tự xếp trừ kiểm tra)"].tolist()
    assert gaps == sorted(gaps, reverse=True)
    # one row per cell of H001-B01 in the by-cell sheet; the summary counts each sheet's rows
    assert sorted(book["Xếp loại theo chi bộ"]["Mã tổ chức"]) == sorted(
        orgs.loc[orgs["parent_id"] == "H001-B01", "org_id"]
    )
    summary = book["Tổng hợp"].set_index("Trang tính")["Số trường hợp"]
    assert summary["Buổi được đối chiếu xếp loại"] == 12
    assert summary["Xếp loại theo chi bộ"] == 12
    # the page shows the 10 most serious meetings, says how many there are and where the rest are
    text = _text(_html(run))
    assert labels.label("heading.rated_meetings", "vi") in text
    assert "Nêu 10 trong số 12 dòng. Xem đầy đủ trong tệp bằng chứng kèm theo báo cáo." in text


def test_compare_organisations_writes_its_comparison_tables_to_the_evidence_workbook(reports, city):
    run = reports["compare_organisations", "vi", False]
    book = _book(run, "compare_organisations")
    assert list(book) == [
        "Tổng hợp", "So sánh các tổ chức", "Tỷ lệ dự họp đã hiệu chỉnh", "Chỉ tiêu theo năm",
    ]  # fmt: skip
    orgs = pd.read_csv(city / "organisations.csv", dtype=str)
    bases = sorted(orgs.loc[orgs["parent_id"] == "H001", "org_id"])  # H001-B01, H001-B02
    units = book["So sánh các tổ chức"]
    assert list(units.columns[:4]) == ["Mã tổ chức", "Tổ chức cấp trên", "Tên tổ chức cấp trên",
                                       "Tên tổ chức"]  # fmt: skip
    assert sorted(units["Mã tổ chức"]) == bases and set(units["Tổ chức cấp trên"]) == {"H001"}
    rates = units["Tỷ lệ đảng viên dự sinh hoạt"].tolist()
    assert rates == sorted(rates)  # lowest attendance first
    # each base's attendance from the register: present / (rows other than exempt), 2022
    att = pd.read_csv(city / "attendance.csv", dtype=str)
    meetings = pd.read_csv(city / "meetings.csv", dtype=str)
    parent = orgs.set_index("org_id")["parent_id"]
    att = att.merge(meetings[["meeting_id", "cell_id", "held_on"]], on="meeting_id")
    att = att[att["held_on"].str.startswith("2022") & (att["status"] != "exempt")]
    shrunk = book["Tỷ lệ dự họp đã hiệu chỉnh"].set_index("Tên tổ chức")
    names = orgs.set_index("org_id")["name"]
    for base in bases:
        rows = att[att["cell_id"].map(parent) == base]
        assert shrunk.at[names[base], "Lượt điểm danh được tính"] <= len(rows)  # exemptions too
    # the trend sheet: each base in each of the three years ending with 2022
    yearly = book["Chỉ tiêu theo năm"]
    assert sorted(zip(yearly["Kỳ"], yearly["Mã tổ chức"], strict=True)) == [
        (y, b) for y in (2020, 2021, 2022) for b in bases
    ]
    assert "Xem đầy đủ trong tệp bằng chứng compare_organisations.evidence.xlsx." in _text(
        _html(run)
    )
