"""Report folders and records: distinct folders, a lock per report, a record that never lies."""

from __future__ import annotations

import json
import multiprocessing
import shutil
from pathlib import Path

import pytest

from chibo_analysis.commands.cli import main
from chibo_analysis.errors import ParameterError
from chibo_analysis.runner import index as index_module
from chibo_analysis.runner.audit import (
    ReportBusy,
    org_folder_name,
    report_folder,
    report_lock,
    run_audit,
    study_name,
)
from chibo_analysis.runner.batch import check_distinct_folders
from chibo_analysis.runner.params import AuditParams

HERE = Path(__file__).parents[1]
NOTEBOOKS = HERE / "notebooks"
DATA = NOTEBOOKS / "data"


def test_ids_that_look_alike_get_different_folders():
    # Issue 10: B/01 and B_01 both wrote to B_01 and the batch said "2 of 2 done".
    names = {org_folder_name(i) for i in ("B/01", "B_01", "B 01", "B\\01", "../B01", "B01")}
    assert len(names) == 6
    assert org_folder_name("H001-B01") == "H001-B01"  # a safe id is its own folder
    assert all("/" not in n and not n.startswith(".") for n in names)
    assert report_folder("out", "../../etc", "2022").parent.parent == Path("out")


def test_a_batch_refuses_ids_whose_folders_differ_only_by_case():
    check_distinct_folders(["B/01", "B_01"])
    with pytest.raises(ParameterError, match="'B01' and 'b01' would share the report folder"):
        check_distinct_folders(["B01", "b01"])


def test_a_shared_report_never_has_the_name_of_an_unshared_one():
    assert study_name("notebooks/audit_organisation.ipynb", False) == "audit_organisation"
    assert study_name("audit_organisation", True) == "audit_organisation-shared"


def _hold_lock(folder, ready, release):
    with report_lock(Path(folder), "audit_organisation"):
        ready.set()
        release.wait(30)


def test_one_run_per_report_at_a_time(tmp_path):
    context = multiprocessing.get_context("spawn")
    ready, release = context.Event(), context.Event()
    holder = context.Process(target=_hold_lock, args=(str(tmp_path), ready, release))
    holder.start()
    try:
        assert ready.wait(30)
        with pytest.raises(ReportBusy, match="another run is writing"):
            with report_lock(tmp_path, "audit_organisation"):
                pass
        with report_lock(tmp_path, "audit_organisation-shared"):  # another study: free
            pass
    finally:
        release.set()
        holder.join(30)
    with report_lock(tmp_path, "audit_organisation"):  # free again once the holder is gone
        pass


def test_a_killed_holder_leaves_the_lock_free(tmp_path):
    context = multiprocessing.get_context("spawn")
    ready, release = context.Event(), context.Event()
    holder = context.Process(target=_hold_lock, args=(str(tmp_path), ready, release))
    holder.start()
    assert ready.wait(30)
    holder.kill()  # SIGKILL: no cleanup runs
    holder.join(30)
    with report_lock(tmp_path, "audit_organisation"):
        pass


def _write_record(folder: Path, study: str, status: str, html: str | None) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    record = {
        "status": status,
        "parameters": {"org_id": folder.parent.name, "period": "2022"},
        "outputs": {"html": html} if html else {},
        "error": None,
    }
    (folder / f"{study}.run.json").write_text(json.dumps(record), encoding="utf-8")


def test_the_index_links_only_reports_whose_files_exist(tmp_path):
    _write_record(tmp_path / "A" / "2022", "audit_organisation", "ok", "audit_organisation.html")
    (tmp_path / "A" / "2022" / "audit_organisation.html").write_text("<html></html>")
    _write_record(tmp_path / "B" / "2022", "audit_organisation", "ok", "audit_organisation.html")
    _write_record(tmp_path / "C" / "2022", "audit_organisation", "running", None)
    _write_record(tmp_path / "A" / "2022", "rating_accuracy", "failed", None)
    reports = {(r["folder"], r["study"]): r for r in index_module.read_reports(tmp_path)}
    assert len(reports) == 4  # two studies of A, each with its own record
    status = {r["folder"] + ":" + str(r.get("status")) for r in reports.values()}
    assert status == {"A/2022:ok", "A/2022:failed", "B/2022:failed", "C/2022:running"}
    page = index_module.build_index(tmp_path).read_text(encoding="utf-8")
    assert page.count("<a href=") == 1 and 'href="A/2022/audit_organisation.html"' in page
    assert "file missing" in page and "Chưa xong" in page


def test_a_report_record_says_running_until_the_end(tmp_path):
    folder = tmp_path / "B01" / "2022"
    folder.mkdir(parents=True)
    killed = folder / ".tiny_audit.abc123.part.ipynb"  # left by a run killed while writing
    killed.write_text("{")
    other = folder / ".tiny_audit-shared.abc123.part.html"  # another study's: not ours
    other.write_text("<")
    run = run_audit(
        AuditParams.create(data=DATA, org_id="B01", period=2022),
        notebook="tiny_audit",
        notebooks_dir=NOTEBOOKS,
        out=tmp_path,
    )
    record = json.loads((run.folder / "tiny_audit.run.json").read_text(encoding="utf-8"))
    assert record["status"] == "ok" and record["outputs"]["html"] == "tiny_audit.html"
    # the notebook's record_evidence wrote the workbook beside the page, named after the study
    assert record["outputs"]["evidence"] == "tiny_audit.evidence.xlsx"
    assert [p.name for p in run.folder.iterdir() if ".part" in p.name] == [other.name]


def test_audit_into_an_unwritable_out_exits_2(tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    for out in (tmp_path / "file", "/proc/chibo-reports"):
        code = main(
            ["audit", str(data), "--org", "B01", "--period", "2022", "--out", str(out)]
            + ["--notebook", str(NOTEBOOKS / "tiny_audit.ipynb")]
        )
        err = capsys.readouterr().err
        assert code == 2 and "Traceback" not in err and "không ghi được báo cáo vào" in err, err


def test_a_notebooks_own_file_goes_beside_its_report_never_into_notebooks(tmp_path, monkeypatch):
    from chibo_analysis.runner.index import FIGURES_ENV, beside_report

    monkeypatch.setenv(FIGURES_ENV, str(tmp_path / "out" / "B_01" / "2022" / "plan.figures.json"))
    assert beside_report("ws.xlsx", "B/01", 2022) == tmp_path / "out" / "B_01" / "2022" / "ws.xlsx"
    monkeypatch.delenv(FIGURES_ENV)
    (tmp_path / "notebooks").mkdir()
    monkeypatch.chdir(tmp_path / "notebooks")  # JupyterLab's working folder
    path = beside_report("ws.xlsx", "H001", "2022")
    assert path == tmp_path / "reports" / "H001" / "2022" / "ws.xlsx" and path.parent.is_dir()
