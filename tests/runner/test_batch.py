"""Batches of audits, the index page, key figures, and ``chibo demo``."""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from chibo_analysis.commands import demo
from chibo_analysis.commands.cli import build_parser, main
from chibo_analysis.errors import ChiboError, ParameterError
from chibo_analysis.runner import index as index_module
from chibo_analysis.runner.batch import run_batch, select_organisations
from chibo_analysis.runner.index import FIGURES_ENV, build_index, record_figures

HERE = Path(__file__).parents[1]
NOTEBOOKS = HERE / "notebooks"
DATA = NOTEBOOKS / "data"


@pytest.fixture(scope="module")
def batch_cli(tmp_path_factory):
    """``chibo batch`` on the fixture data: B01 and C01 succeed, B02 raises (planted)."""
    out = tmp_path_factory.mktemp("reports")
    code = main(
        ["batch", str(DATA), "--level", "base", "--period", "2022", "--jobs", "2"]
        + ["--notebook", "tiny_audit", "--notebooks", str(NOTEBOOKS), "--out", str(out)]
    )
    return code, out


def test_batch_exit_status_is_1_when_one_failed(batch_cli):
    assert batch_cli[0] == 1


def test_batch_runs_every_base_organisation(batch_cli):
    _, out = batch_cli
    # level base = base + base_cell: B01, B02 (base) and C01 (base_cell); not TP nor cells
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["B01", "B02", "C01"]
    status = {
        org: json.loads((out / org / "2022" / "tiny_audit.run.json").read_text(encoding="utf-8"))[
            "status"
        ]
        for org in ("B01", "B02", "C01")
    }
    assert status == {"B01": "ok", "B02": "failed", "C01": "ok"}
    assert (out / "B01" / "2022" / "tiny_audit.html").is_file()
    assert (out / "C01" / "2022" / "tiny_audit.html").is_file()
    assert not (out / "B02" / "2022" / "tiny_audit.html").exists()


def test_batch_index_lists_both_outcomes(batch_cli):
    _, out = batch_cli
    page = (out / "index.html").read_text(encoding="utf-8")
    rows = page.split("<tbody>")[1].split("</tr>")[:-1]
    assert len(rows) == 3
    by_org = {org: next(r for r in rows if f"<td>{org}</td>" in r) for org in ("B01", "B02", "C01")}
    assert "Hoàn tất" in by_org["B01"] and 'href="B01/2022/tiny_audit.html"' in by_org["B01"]
    assert "Lỗi" in by_org["B02"] and "planted failure for B02" in by_org["B02"]
    assert "href=" not in by_org["B02"]
    assert "Đảng bộ phường Một" in by_org["B01"] and "Chi bộ cơ sở" in by_org["C01"]
    assert "93,8%" in by_org["C01"]  # its key figure regular_rate
    assert "3 báo cáo, 1 lỗi." in page


def test_batch_kernels_share_a_dataset_cache_removed_afterwards(batch_cli):
    _, out = batch_cli
    caches = {
        json.loads((out / org / "2022" / "tiny_audit.figures.json").read_text(encoding="utf-8"))[
            "cache"
        ]
        for org in ("B01", "C01")
    }
    assert len(caches) == 1  # one folder for the whole batch, given to every kernel
    (cache,) = caches
    assert cache is not None and Path(cache).name.startswith("chibo-cache-")
    assert not Path(cache).exists()  # removed: it held the cleaned records


def test_run_batch_in_process(tmp_path):
    orgs = pd.DataFrame(
        {
            "org_id": ["TP", "C01"],
            "name": ["Thành phố", "Chi bộ Ba"],
            "level": ["committee", "base_cell"],
        }
    )
    result = run_batch(
        DATA,
        period=2022,
        jobs=1,
        notebook="few_parameters",
        notebooks_dir=NOTEBOOKS,
        out=tmp_path,
        organisations=orgs,
        progress=False,
    )
    assert [r["org_id"] for r in result.results] == ["C01"]
    assert result.ok and result.index == tmp_path / "index.html"


def test_run_batch_checks_everything_first(tmp_path):
    with pytest.raises(ParameterError, match="level='city' is not allowed"):
        run_batch(DATA, period=2022, level="city", notebooks_dir=NOTEBOOKS, out=tmp_path)
    with pytest.raises(ParameterError, match="does not take parameter\\(s\\) lang"):
        run_batch(
            DATA,
            period=2022,
            lang="en",
            notebook="few_parameters",
            notebooks_dir=NOTEBOOKS,
            out=tmp_path,
        )
    with pytest.raises(ParameterError, match="jobs=-1 is not allowed"):
        run_batch(DATA, period=2022, jobs=-1, out=tmp_path)
    assert not any(tmp_path.iterdir())


def test_select_organisations():
    orgs = pd.DataFrame(
        {
            "org_id": ["T", "B2", "B1", "C", "X"],
            "level": ["committee", "base", "base", "base_cell", "cell"],
        }
    )
    assert select_organisations(orgs, "base")["org_id"].tolist() == ["B1", "B2", "C"]
    assert select_organisations(orgs, "committee")["org_id"].tolist() == ["T"]
    assert select_organisations(orgs, "cell")["org_id"].tolist() == ["C", "X"]


# --- key figures -----------------------------------------------------------------


def test_record_figures_outside_the_runner_writes_nothing(monkeypatch):
    monkeypatch.delenv(FIGURES_ENV, raising=False)
    record_figures({"members": 3})
    assert not list(Path.cwd().glob("figures.json"))


def test_record_figures_converts_numpy_and_missing(monkeypatch, tmp_path):
    target = tmp_path / "r" / "figures.json"
    monkeypatch.setenv(FIGURES_ENV, str(target))
    shown = record_figures(
        {"members": np.int64(7), "attendance_rate": np.float64(0.5), "x": float("nan"), "y": pd.NA}
    )
    assert shown is None  # nothing displayed in the report
    assert json.loads(target.read_text()) == {
        "members": 7,
        "attendance_rate": 0.5,
        "x": None,
        "y": None,
    }


def test_record_evidence_writes_where_the_runner_says_and_nothing_by_hand(monkeypatch, tmp_path):
    import openpyxl

    from chibo_analysis.runner.index import EVIDENCE_ENV, evidence_file, record_evidence

    lists = {"no_admissions": pd.DataFrame({"org_id": ["CB1"], "members": [3]})}
    monkeypatch.delenv(EVIDENCE_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    assert (record_evidence(lists), evidence_file()) == ([], None)
    assert list(tmp_path.iterdir()) == []
    target = tmp_path / "B01" / "audit_organisation-shared.evidence.xlsx"
    target.parent.mkdir()
    monkeypatch.setenv(EVIDENCE_ENV, str(target))
    assert record_evidence(lists, lang="en", share=True) == []
    assert evidence_file() == "audit_organisation-shared.evidence.xlsx"
    assert openpyxl.load_workbook(target).sheetnames == ["Summary", "No admissions"]


def test_record_figures_rejects_tables(monkeypatch):
    monkeypatch.delenv(FIGURES_ENV, raising=False)
    with pytest.raises(ParameterError, match="key figure 'scorecard' is a DataFrame"):
        record_figures({"scorecard": pd.DataFrame()})


def test_index_in_english_with_no_reports(tmp_path):
    page = build_index(tmp_path, lang="en").read_text(encoding="utf-8")
    assert "<h1>Audit reports</h1>" in page and "0 reports, 0 failed." in page


def test_index_skips_unreadable_run_files(tmp_path):
    folder = tmp_path / "B9" / "2022"
    folder.mkdir(parents=True)
    (folder / "tiny_audit.run.json").write_text("{half")
    assert index_module.read_reports(tmp_path) == []


# --- chibo demo ------------------------------------------------------------------


def test_demo_makes_the_sample_and_audits_the_committee(tmp_path, monkeypatch, capsys):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    shutil.copy(NOTEBOOKS / "tiny_audit.ipynb", notebooks / "audit_organisation.ipynb")
    made = []

    def fake_synth(folder):  # stands in for the synthetic city: the fixture data
        shutil.copytree(DATA, folder)
        made.append(folder)

    monkeypatch.setattr(demo, "make_sample", fake_synth)
    sample, out = tmp_path / "data" / "sample", tmp_path / "reports"
    args = build_parser().parse_args(
        ["demo", "--data", str(sample), "--out", str(out), "--notebooks", str(notebooks)]
    )
    assert args.func(args) == 0
    assert made == [sample]
    html = out / "TP" / "2022" / "audit_organisation.html"  # TP: the committee
    assert html.is_file()
    assert f"báo cáo: {html}" in capsys.readouterr().out  # CHIBO_LANG unset: Vietnamese
    # second run: the sample is there, nothing is made again
    assert args.func(args) == 0 and made == [sample]


def test_demo_needs_one_committee():
    orgs = pd.DataFrame({"org_id": ["A", "B"], "level": ["committee", "committee"]})
    with pytest.raises(ChiboError, match="exactly one committee organisation; found 2"):
        demo.committee_of(orgs)


def test_demo_reports_a_sample_not_made(tmp_path, monkeypatch):
    monkeypatch.setattr(demo, "make_sample", lambda folder: None)
    with pytest.raises(ChiboError, match="making the sample city wrote nothing to"):
        demo.ensure_sample(tmp_path / "sample")


def test_parsers_are_registered():
    parser = build_parser()
    for argv in (
        ["audit", "D", "--org", "X", "--period", "2022"],
        ["batch", "D", "--period", "2022"],
        ["demo"],
    ):
        assert isinstance(parser.parse_args(argv), argparse.Namespace)


def test_resume_skips_complete_reports_and_redoes_the_rest(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    out = tmp_path / "reports"
    argv = ["batch", str(data), "--level", "base", "--period", "2022", "--jobs", "1"]
    argv += ["--notebook", "tiny_audit", "--notebooks", str(NOTEBOOKS), "--out", str(out)]
    assert main(argv) == 1  # B02 fails (planted)
    b01, c01 = (out / org / "2022" / "tiny_audit.html" for org in ("B01", "C01"))
    stamp = b01.stat().st_mtime_ns
    c01.unlink()  # as if the batch had been killed while writing C01
    assert main([*argv, "--resume"]) == 1
    assert b01.stat().st_mtime_ns == stamp  # complete: kept
    assert c01.is_file()  # incomplete: audited again
    # A changed input file makes every report stale.
    with (data / "meetings.csv").open("a", encoding="utf-8") as handle:
        handle.write("")
    (data / "organisations.csv").write_text(
        (data / "organisations.csv").read_text(encoding="utf-8") + "\n", encoding="utf-8"
    )
    assert main([*argv, "--resume"]) == 1
    assert b01.stat().st_mtime_ns != stamp


def test_stale_temporary_folders_of_a_dead_run_are_swept(tmp_path):
    import subprocess
    import sys

    from chibo_analysis.runner.tempdirs import private_dir, sweep

    mine = private_dir("chibo-cache-")
    script = (
        "from chibo_analysis.runner.tempdirs import private_dir; print(private_dir('chibo-cache-'))"
    )
    dead = Path(subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                               check=True).stdout.strip())  # fmt: skip
    try:
        assert dead.is_dir() and mine.stat().st_mode & 0o077 == 0
        removed = sweep()
        assert dead in removed and not dead.exists()
        assert mine.exists()  # its owner (this process) is alive
    finally:
        shutil.rmtree(mine, ignore_errors=True)
        shutil.rmtree(dead, ignore_errors=True)


# --- on a Dask cluster (--scheduler) ------------------------------------------------


def _records(out: Path) -> dict[str, dict]:
    """Per organisation: its run record and key figures (absent for a failed audit)."""
    found = {}
    for run in sorted(out.glob("*/2022/tiny_audit.run.json")):
        figures = run.with_name("tiny_audit.figures.json")
        found[run.parts[-3]] = {
            "run": json.loads(run.read_text(encoding="utf-8")),
            "figures": json.loads(figures.read_text(encoding="utf-8"))
            if figures.is_file()
            else None,
        }
    return found


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as local:
        yield local


def test_batch_on_a_cluster_gives_the_records_of_a_local_batch(cluster, tmp_path):
    common = dict(
        period=2022,
        notebook="tiny_audit",
        notebooks_dir=NOTEBOOKS,
        progress=False,
    )
    local = run_batch(DATA, jobs=1, out=tmp_path / "local", **common)
    remote = run_batch(
        DATA, scheduler=cluster.scheduler_address, out=tmp_path / "cluster", **common
    )
    assert [(r["org_id"], r["status"]) for r in remote.results] == [
        ("B01", "ok"),
        ("B02", "failed"),
        ("C01", "ok"),
    ]
    assert [(r["org_id"], r["status"]) for r in local.results] == [
        (r["org_id"], r["status"]) for r in remote.results
    ]
    mine, theirs = _records(tmp_path / "local"), _records(tmp_path / "cluster")
    assert sorted(theirs) == sorted(mine) == ["B01", "B02", "C01"]
    for org in mine:
        a, b = mine[org], theirs[org]
        for key in ("status", "parameters", "inputs", "notebook", "name", "level"):
            assert a["run"][key] == b["run"][key], (org, key)
        assert (a["run"]["error"] is None) == (b["run"]["error"] is None)
        if a["figures"] is None:  # B02: the planted failure, no figures on either side
            assert b["figures"] is None and "planted failure for B02" in str(b["run"]["error"])
            continue
        assert {k: v for k, v in a["figures"].items() if k != "cache"} == {
            k: v for k, v in b["figures"].items() if k != "cache"
        }
        assert b["figures"]["org"] == org and b["figures"]["regular_rate"] == 0.9376
        # the cluster's cache was a private folder under <out>/.cache, removed at the end
        cache = Path(b["figures"]["cache"])
        assert cache.parent == (tmp_path / "cluster" / ".cache").resolve()
        assert cache.name.startswith("chibo-cache-")
    assert not (tmp_path / "cluster" / ".cache").exists()
    page = (tmp_path / "cluster" / "index.html").read_text(encoding="utf-8")
    assert "3 báo cáo, 1 lỗi." in page


def test_batch_cli_on_a_cluster_with_a_cache_dir(cluster, tmp_path):
    out, cache_dir = tmp_path / "reports", tmp_path / "shared-cache"
    argv = ["batch", str(DATA), "--period", "2022", "--notebook", "tiny_audit"]
    argv += ["--notebooks", str(NOTEBOOKS), "--out", str(out)]
    argv += ["--scheduler", cluster.scheduler_address, "--cache-dir", str(cache_dir)]
    assert main(argv) == 1  # B02 fails (planted), as in a local batch
    figures = json.loads((out / "B01" / "2022" / "tiny_audit.figures.json").read_text("utf-8"))
    assert Path(figures["cache"]).parent == cache_dir.resolve()
    assert cache_dir.is_dir() and not any(cache_dir.iterdir())  # the user's folder is kept, empty


def test_batch_cannot_reach_the_scheduler(tmp_path, monkeypatch, capsys):
    pytest.importorskip("distributed")
    from chibo_analysis.runner import batch

    monkeypatch.setattr(batch, "CONNECT_SECONDS", 0.5)
    argv = ["batch", str(DATA), "--period", "2022", "--notebook", "tiny_audit"]
    argv += ["--notebooks", str(NOTEBOOKS), "--out", str(tmp_path / "reports")]
    assert main([*argv, "--scheduler", "tcp://127.0.0.1:1"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("chibo batch: cannot reach the Dask scheduler at 'tcp://127.0.0.1:1'")
    assert len(err.splitlines()) == 1
    assert main([*argv, "--scheduler", "no-port"]) == 2
    assert "missing port number" in capsys.readouterr().err
    assert not (tmp_path / "reports").exists()  # nothing ran, nothing written


def test_batch_on_a_cluster_runs_again_an_audit_whose_worker_was_killed(cluster, tmp_path):
    import os
    import signal
    import threading

    import distributed
    import nbformat

    # The first attempt writes a marker (with its worker's pid) in the report folder and
    # waits; the test kills that worker; the scheduler runs the task again elsewhere.
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    nb = nbformat.read(NOTEBOOKS / "tiny_audit.ipynb", as_version=4)  # its kernel metadata
    nb.cells = [
        nbformat.v4.new_code_cell(
            'data = ""\norg_id = ""\nperiod = "2022"', metadata={"tags": ["parameters"]}
        ),
        nbformat.v4.new_code_cell(
            "import os, time\n"
            "from pathlib import Path\n"
            "marker = Path('first-attempt')\n"
            "if not marker.exists():\n"
            "    parent = os.getppid()\n"
            "    marker.write_text(str(parent))\n"
            "    while os.getppid() == parent:  # until the worker is gone\n"
            "        time.sleep(0.2)\n"
            "    raise SystemExit"
        ),
    ]
    nbformat.write(nb, notebooks / "slow_once.ipynb")
    out = tmp_path / "reports"
    marker = out / "C01" / "2022" / "first-attempt"
    workers = set(cluster.scheduler_info["workers"])
    with distributed.Client(cluster) as client:
        pids = set(client.run(os.getpid, workers=list(workers)).values())
    killed, done = [], threading.Event()

    def kill_first_attempt():
        while not done.wait(0.1):
            if marker.is_file() and marker.read_text():
                killed.append(int(marker.read_text()))
                os.kill(killed[0], signal.SIGKILL)
                return

    killer = threading.Thread(target=kill_first_attempt)
    killer.start()
    orgs = pd.DataFrame({"org_id": ["C01"], "name": ["Chi bộ Ba"], "level": ["base_cell"]})
    try:
        result = run_batch(
            DATA,
            period=2022,
            notebook="slow_once",
            notebooks_dir=notebooks,
            out=out,
            organisations=orgs,
            progress=False,
            scheduler=cluster.scheduler_address,
        )
    finally:
        done.set()
        killer.join()
    assert killed and killed[0] in pids  # a worker of the cluster died mid-task
    assert [(r["org_id"], r["status"]) for r in result.results] == [("C01", "ok")]
    record = json.loads((out / "C01" / "2022" / "slow_once.run.json").read_text("utf-8"))
    assert record["status"] == "ok"
