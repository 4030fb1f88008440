"""The runner end to end on tiny notebooks: execution, errors, retries, run.json."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import papermill
import pytest

from chibo_analysis.commands.cli import main
from chibo_analysis.errors import ChiboError
from chibo_analysis.runner import execute
from chibo_analysis.runner.audit import AuditFailed, run_audit
from chibo_analysis.runner.execute import KernelStartError, NotebookError, is_transient
from chibo_analysis.runner.params import AuditParams
from chibo_analysis.runner.render import external_references

HERE = Path(__file__).parents[1]
NOTEBOOKS = HERE / "notebooks"
DATA = NOTEBOOKS / "data"


def params(**kw) -> AuditParams:
    return AuditParams.create(**{"data": DATA, "org_id": "B01", "period": 2022, **kw})


@pytest.fixture(scope="module")
def tiny_report(tmp_path_factory):
    """One run of tests/notebooks/tiny_audit.ipynb for B01 (a kernel starts once)."""
    out = tmp_path_factory.mktemp("reports")
    run = run_audit(params(), notebook="tiny_audit", notebooks_dir=NOTEBOOKS, out=out)
    return out, run


def test_report_folder_layout(tiny_report):
    out, run = tiny_report
    folder = out / "B01" / "2022"
    assert run.status == "ok" and run.folder == folder
    names = {p.name for p in folder.iterdir() if not p.name.startswith(".")}
    assert names == {
        "tiny_audit.ipynb", "tiny_audit.html", "tiny_audit.run.json", "tiny_audit.figures.json",
        "tiny_audit.evidence.xlsx",
    }  # fmt: skip
    assert {p.name for p in folder.iterdir() if p.name.startswith(".")} == {".tiny_audit.lock"}
    assert (out / "index.html").is_file()


def test_html_has_no_code(tiny_report):
    html = tiny_report[1].html.read_text(encoding="utf-8")
    assert "In [" not in html and "In&nbsp;[" not in html
    assert "Out[" not in html
    # the source of code cells is not shown...
    assert "record_figures" not in html
    assert "plt.subplots" not in html
    assert 'if org_id == "B02"' not in html and "if org_id ==" not in html
    body = html.split("<body", 1)[1]
    assert "jp-InputPrompt" not in body and "jp-Editor" not in body
    assert 'class="highlight' not in body  # no syntax-highlighted source


def test_html_embeds_the_figure_and_keeps_vietnamese(tiny_report):
    html = tiny_report[1].html.read_text(encoding="utf-8")
    assert re.search(r'<img[^>]+src="data:image/png;base64,[A-Za-z0-9+/]{100}', html)
    assert "Tỷ lệ sinh hoạt đúng kỳ của B01: 93,76% (vi, 2022)" in html  # printed output
    assert "Sinh hoạt thường kỳ" in html  # markdown heading
    assert "figures.json" not in html  # record_figures shows nothing
    assert '<html lang="vi">' in html
    assert "<title>Đảng bộ phường Một – 2022</title>" in html


def test_html_opens_offline(tiny_report):
    html = tiny_report[1].html.read_text(encoding="utf-8")
    assert "<script" not in html
    assert external_references(html) == []


def test_run_json(tiny_report):
    out, run = tiny_report
    record = json.loads((run.folder / "tiny_audit.run.json").read_text(encoding="utf-8"))
    assert record["status"] == "ok" and record["error"] is None
    assert record["parameters"] == params().as_dict()
    assert (record["name"], record["level"]) == ("Đảng bộ phường Một", "base")
    hashes = {i["path"]: i["sha256"] for i in record["inputs"]}
    assert set(hashes) == {"organisations.csv", "members.csv", "meetings.csv", "attendance.csv"}
    expected = hashlib.sha256((DATA / "organisations.csv").read_bytes()).hexdigest()
    assert hashes["organisations.csv"] == expected
    assert {"check", "hash", "execute", "html", "total"} <= set(record["timings"])
    assert record["versions"]["papermill"] == papermill.__version__
    assert record["attempts"] == 1
    assert record["outputs"] == {
        "notebook": "tiny_audit.ipynb", "evidence": "tiny_audit.evidence.xlsx",
        "html": "tiny_audit.html",
    }  # fmt: skip


def test_figures_recorded_by_the_notebook(tiny_report):
    figures = json.loads(
        (tiny_report[1].folder / "tiny_audit.figures.json").read_text(encoding="utf-8")
    )
    # run alone, the kernel gets a private dataset cache, prepared while it starts, then removed
    cache = figures.pop("cache")
    assert figures == {"regular_rate": 0.9376, "members": 120, "org": "B01"}
    assert Path(cache).name.startswith("chibo-cache-") and not Path(cache).exists()


def test_a_cache_folder_of_the_users_is_kept_and_reused(tmp_path, monkeypatch):
    from chibo_analysis.runner.cache import fingerprint, is_cached

    cache = tmp_path / "my-cache"
    monkeypatch.setenv("CHIBO_CACHE_DIR", str(cache))
    out = tmp_path / "reports"
    first = run_audit(params(), notebook="tiny_audit", notebooks_dir=NOTEBOOKS, out=out)
    figures = json.loads((first.folder / "tiny_audit.figures.json").read_text(encoding="utf-8"))
    assert figures["cache"] == str(cache)  # the kernel was pointed at it
    assert is_cached(DATA, cache)  # prepared during the first run, and kept
    entry = cache / fingerprint(DATA)
    stamp = (entry / "manifest.json").stat().st_mtime_ns
    second = run_audit(params(), notebook="tiny_audit", notebooks_dir=NOTEBOOKS, out=out)
    reused = (entry / "manifest.json").stat().st_mtime_ns == stamp  # not rewritten
    assert second.status == "ok" and reused
    assert [p.name for p in cache.iterdir()] == [entry.name]
    assert cache.stat().st_mode & 0o077 == 0 and entry.stat().st_mode & 0o077 == 0  # private


def test_index_lists_the_report(tiny_report):
    out, _ = tiny_report
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="B01/2022/tiny_audit.html"' in index
    assert "93,8%" in index  # regular_rate as a Vietnamese percentage


def test_executed_notebook_has_injected_parameters(tiny_report):
    import nbformat

    nb = nbformat.read(tiny_report[1].outputs["notebook"], as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and 'org_id = "B01"' in injected[0].source


# --- a notebook that raises ---------------------------------------------------------


def test_failing_cell_is_named(tmp_path):
    with pytest.raises(AuditFailed) as info:
        run_audit(params(), notebook="raises", notebooks_dir=NOTEBOOKS, out=tmp_path)
    message = str(info.value)
    # raises.ipynb: 1 markdown, 2 parameters, 3 `meetings_checked = 3`, 4 the raise
    assert "notebook raises.ipynb failed in cell 4 (In [" in message
    assert "ValueError: thiếu dữ liệu cuộc họp" in message
    assert '| raise ValueError("thiếu dữ liệu cuộc họp")' in message
    assert "Traceback" not in message
    folder = tmp_path / "B01" / "2022"
    record = json.loads((folder / "raises.run.json").read_text(encoding="utf-8"))
    assert record["status"] == "failed"
    assert (record["error"]["cell"], record["error"]["ename"]) == (4, "ValueError")
    assert not (folder / "raises.html").exists()
    assert (folder / "raises.ipynb").is_file()  # kept, with the traceback in it
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "Lỗi" in index and "thiếu dữ liệu cuộc họp" in index


def test_cli_failing_notebook_exits_1_without_traceback(tmp_path, capsys):
    code = main(
        ["audit", str(DATA), "--org", "C01", "--period", "2022", "--notebook", "raises"]
        + ["--notebooks", str(NOTEBOOKS), "--out", str(tmp_path)]
    )
    err = capsys.readouterr().err
    assert code == 1
    # in the user's language (vi by default): the runner's words and the cell's own message
    assert err.startswith("chibo audit: sổ tay raises.ipynb bị lỗi ở ô 4 (In [4]): ValueError:")
    assert "sổ tay đã chạy, có đầy đủ thông tin lỗi:" in err and "raises.ipynb" in err
    assert "Traceback" not in err


# --- kernel start-up failures ---------------------------------------------------------


@pytest.mark.parametrize(
    ("err", "transient"),
    [
        (RuntimeError("Kernel died before replying to kernel_info"), True),
        (RuntimeError("Kernel didn't respond in 60 seconds"), True),
        (type("ZMQError", (Exception,), {})("Address already in use"), True),
        (RuntimeError("something else"), False),
        (ValueError("Kernel died before replying to kernel_info"), False),
    ],
)
def test_is_transient(err, transient):
    assert is_transient(err) is transient


def test_transient_start_failure_is_retried(tmp_path, monkeypatch):
    real = papermill.execute_notebook
    calls = []

    def flaky(*args, **kw):
        calls.append(kw["kernel_manager_class"])
        if len(calls) == 1:
            raise RuntimeError("Kernel died before replying to kernel_info")
        return real(*args, **kw)

    monkeypatch.setattr(papermill, "execute_notebook", flaky)
    nb = execute.execute_notebook(
        NOTEBOOKS / "few_parameters.ipynb",
        tmp_path / "out.ipynb",
        {"data": "x", "org_id": "B01", "period": "2022"},
    )
    assert len(calls) == 2 and nb.metadata["chibo"]["attempts"] == 2
    assert "B01 2022" in nb.cells[-1].outputs[0]["text"]


def test_persistent_start_failure_gives_up(tmp_path, monkeypatch):
    def dead(*args, **kw):
        raise RuntimeError("Kernel died before replying to kernel_info")

    monkeypatch.setattr(papermill, "execute_notebook", dead)
    monkeypatch.setattr(execute.time, "sleep", lambda s: None)
    with pytest.raises(KernelStartError, match="did not start after 3 attempts"):
        execute.execute_notebook(NOTEBOOKS / "raises.ipynb", tmp_path / "o.ipynb", {}, retries=2)


def test_other_papermill_errors_become_chibo_errors(tmp_path, monkeypatch):
    def broken(*args, **kw):
        raise OSError("disk full")

    monkeypatch.setattr(papermill, "execute_notebook", broken)
    with pytest.raises(ChiboError, match="could not run notebook raises.ipynb: OSError: disk full"):
        execute.execute_notebook(NOTEBOOKS / "raises.ipynb", tmp_path / "o.ipynb", {})


def test_notebook_error_message_without_cell():
    err = NotebookError("x.ipynb", cell=None, exec_count=None, source="", ename="E", evalue="v")
    assert str(err) == "notebook x.ipynb failed in a cell: E: v"


def test_cell_timeout_names_the_cell(tmp_path):
    with pytest.raises(NotebookError) as info:
        execute.execute_notebook(
            NOTEBOOKS / "sleeps.ipynb",
            tmp_path / "o.ipynb",
            {"data": "x", "org_id": "B01", "period": "2022"},
            timeout=1,
        )
    # sleeps.ipynb: 1 markdown, 2 parameters, 3 the sleep
    assert str(info.value).startswith(
        "notebook sleeps.ipynb failed in cell 3: CellTimeoutError: "
        "the cell ran longer than the 1 s allowed"
    )
    assert "| time.sleep(60)" in str(info.value)


RACE = """
import threading
from chibo_analysis.runner import execute, render
side = threading.Thread(target=render.warm_up)
side.start()
try:  # execute_notebook imports papermill first, while render loads nbconvert
    execute.execute_notebook("/nonexistent/x.ipynb", "/nonexistent/y.ipynb", {})
except execute.ChiboError as err:
    assert "circular" not in str(err), err
side.join()
import nbconvert, papermill
print("imported", render._exporter() is not None)
"""


@pytest.mark.parametrize("attempt", range(4))
def test_engines_import_in_two_threads_without_a_circular_import(attempt):
    # The warm-cache crash of issue 10: nbconvert imported in a side thread while the
    # main thread starts papermill. Before the import lock this failed in every run.
    done = subprocess.run([sys.executable, "-c", RACE], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "circular import" not in done.stderr
    assert done.stdout.strip() == "imported True"


def test_the_engines_skip_a_slow_optional_import_no_audit_needs():
    # JupyterLab brings rfc3987-syntax, which jsonschema imported with nbformat: 1.3 s of
    # every audit (benchmarks/bench_lab.py). The engines' import leaves it out.
    code = (
        "import sys\n"
        "from chibo_analysis.runner.execute import import_engines\n"
        "import_engines()\n"
        "import nbformat, jsonschema\n"
        "print(sys.modules.get('rfc3987_syntax', 'absent'))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "None"
