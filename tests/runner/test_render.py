"""Rendering: HTML for readers (no kernel needed), PDF and a look in headless Chromium."""

from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from chibo_analysis.errors import ChiboError
from chibo_analysis.runner import render
from chibo_analysis.runner.render import external_references, render_html, run_chromium

CHROMIUM = shutil.which("chromium")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="/usr/bin/chromium is absent (CI installs it: apt-get install chromium)",
)

GREEN = (0x1B, 0x78, 0x37)  # the bar colour of the figure below


def _png() -> bytes:
    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4, 3), dpi=80)
    ax.bar(["Đạt", "Không đạt"], [30, 3], color=["#1b7837", "#b2182b"])
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def executed_nb():
    """An 'executed' notebook built by hand: outputs as a kernel would have left them."""
    code = new_code_cell("secret_source_line = 1\nprint('x')", execution_count=1)
    code.outputs = [
        new_output("stream", name="stdout", text="Đảng viên vắng không lý do: 3\n"),
        new_output("stream", name="stderr", text="UserWarning: internal noise\n"),
        new_output(
            "display_data",
            data={"image/png": base64.b64encode(_png()).decode(), "text/plain": "<Figure>"},
        ),
    ]
    silent = new_code_cell("import pandas as pd", execution_count=2)
    removed = new_markdown_cell("Ghi chú nội bộ", metadata={"tags": ["remove-cell"]})
    return new_notebook(
        cells=[new_markdown_cell("# Kiểm tra sinh hoạt chi bộ"), code, silent, removed],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}},
    )


@pytest.fixture(scope="module")
def report_file(executed_nb, tmp_path_factory):
    path = tmp_path_factory.mktemp("html") / "report.html"
    path.write_text(render_html(executed_nb, title="Thử nghiệm", lang="vi"), encoding="utf-8")
    return path


def test_render_html_for_readers(report_file):
    html = report_file.read_text(encoding="utf-8")
    body = html.split("<body", 1)[1]
    assert "Kiểm tra sinh hoạt chi bộ" in body
    assert "Đảng viên vắng không lý do: 3" in body
    assert "secret_source_line" not in html and "import pandas" not in html
    assert "UserWarning" not in html  # stderr is for the analyst, not the reader
    assert "Ghi chú nội bộ" not in html  # cell tagged remove-cell
    assert body.count('src="data:image/png;base64,') == 1
    # the figure's alt text is the heading it follows
    assert body.count('<img alt="Kiểm tra sinh hoạt chi bộ" src="data:image/png') == 1
    assert "<script" not in html and external_references(html) == []


@pytest.mark.parametrize(
    ("html", "found"),
    [
        ('<link rel="stylesheet" href="https://cdn.x/a.css">', ["https://cdn.x/a.css"]),
        ("<img src='//cdn.x/i.png'>", ["//cdn.x/i.png"]),
        ("<style>body{background:url(https://x/bg.png)}</style>", ["https://x/bg.png"]),
        ('<style>@import "https://x/f.css";</style>', ["https://x/f.css"]),
        ('<a href="https://x">link</a><img src="data:image/png;base64,AAAA">', []),
    ],
)
def test_external_references(html, found):
    assert external_references(html) == found


def test_pdf_without_chromium_says_how_to_install(monkeypatch, tmp_path):
    monkeypatch.setattr(render, "find_chromium", lambda: None)
    with pytest.raises(ChiboError, match="apt-get install chromium"):
        render.render_pdf(tmp_path / "a.html", tmp_path / "a.pdf")


@needs_chromium
def test_pdf(report_file, tmp_path):
    pdf = render.render_pdf(report_file, tmp_path / "report.pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-"


@needs_chromium
def test_chromium_renders_text(report_file):
    dom = run_chromium(["--dump-dom", report_file.as_uri()]).stdout
    assert "Kiểm tra sinh hoạt chi bộ" in dom
    assert "Đảng viên vắng không lý do: 3" in dom
    assert '<html lang="vi">' in dom


@needs_chromium
def test_chromium_renders_the_image(report_file, tmp_path):
    import matplotlib.image

    shot = tmp_path / "shot.png"
    run_chromium(["--window-size=1000,1400", f"--screenshot={shot}", report_file.as_uri()])
    pixels = (matplotlib.image.imread(shot)[..., :3] * 255).round().astype(int)
    # pixels of the figure's green bar are on screen: the embedded PNG was decoded
    green = (abs(pixels - GREEN).max(axis=-1) <= 3).sum()
    assert green > 500
    # and the page is not blank: dark text pixels too
    assert (pixels.max(axis=-1) < 80).sum() > 200


def test_render_keeps_vietnamese_through_nbformat(executed_nb, tmp_path):
    path = tmp_path / "nb.ipynb"
    nbformat.write(executed_nb, path)
    html = render_html(nbformat.read(path, as_version=4), title="Tiêu đề", lang="en")
    assert "<title>Tiêu đề</title>" in html and '<html lang="en">' in html


def test_alt_texts_follow_headings_of_cells_and_outputs():
    md = {"text/markdown": "## Sinh hoạt thường kỳ", "text/plain": "<Markdown>"}
    png = {"image/png": "AAAA", "text/plain": "<Figure>"}
    first = new_code_cell("x")
    first.outputs = [new_output("display_data", data=png)]
    second = new_code_cell("y")
    second.outputs = [new_output("display_data", data=md), new_output("display_data", data=png)]
    nb = new_notebook(cells=[new_markdown_cell("# Báo cáo\n\nvăn bản"), first, second])
    assert render._alt_texts(nb) == ["Báo cáo", "Sinh hoạt thường kỳ"]


def test_headings_of_outputs_are_written_as_letters():
    cell = new_code_cell("display.heading(...)")
    md = {"text/markdown": "# Kiểm tra chất lượng & <kết quả>", "text/plain": "<Markdown>"}
    cell.outputs = [new_output("display_data", data=md)]
    html = render_html(new_notebook(cells=[cell]), title="x")
    assert '">Kiểm tra chất lượng &amp; &lt;kết quả&gt;<a' in html
    assert "&#7875;" not in html
    odd = new_code_cell("x")
    odd.outputs = [
        new_output("display_data", data={"text/html": "<p>&#99999999; &#55296; &#60;</p>"})
    ]
    assert "<p>&#99999999; &#55296; &#60;</p>" in render_html(new_notebook(cells=[odd]), title="x")


def test_render_html_does_not_change_the_notebook(executed_nb):
    before = nbformat.writes(executed_nb)
    render_html(executed_nb, title="x")
    assert nbformat.writes(executed_nb) == before


def test_no_chromium_for_run_chromium(monkeypatch):
    monkeypatch.setattr(render, "find_chromium", lambda: None)
    with pytest.raises(ChiboError, match="sudo apt-get install chromium"):
        run_chromium(["--version"])


def _fake_chromium(monkeypatch, run):
    """Chromium "found" at a made-up path, and ``subprocess.run`` replaced by ``run``."""
    monkeypatch.setattr(render, "find_chromium", lambda: "/opt/fake/chromium")
    monkeypatch.setattr(render.subprocess, "run", run)


def test_chromium_that_hangs_is_stopped_saying_after_how_long(monkeypatch):
    def hang(cmd, **kw):
        raise subprocess.TimeoutExpired(cmd, kw["timeout"])

    _fake_chromium(monkeypatch, hang)
    with pytest.raises(ChiboError, match=r"^Chromium did not finish within 5 s$"):
        run_chromium(["--version"], timeout=5)


def test_chromium_runs_with_its_own_throw_away_profile(monkeypatch):
    # the profile folder is named for the package (a killed run's leftover says whose it is),
    # exists while Chromium runs and is gone afterwards
    seen = {}

    def run(cmd, **kw):
        (flag,) = [a for a in cmd if a.startswith("--user-data-dir=")]
        profile = Path(flag.split("=", 1)[1])
        seen.update(cmd=cmd, profile=profile, existed=profile.is_dir())
        return subprocess.CompletedProcess(cmd, 0, "out", "")

    _fake_chromium(monkeypatch, run)
    assert run_chromium(["--dump-dom", "x.html"]).stdout == "out"
    assert seen["cmd"][0] == "/opt/fake/chromium" and seen["cmd"][-2:] == ["--dump-dom", "x.html"]
    assert seen["profile"].name.startswith("chibo-chromium-") and seen["existed"]
    assert not seen["profile"].exists()


def test_render_module_imports_nothing_heavy():
    import sys

    code = "import sys, chibo_analysis.runner.render; print('nbconvert' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_report_is_a_file(report_file):
    assert Path(report_file).stat().st_size > 1000


def _png_of(width: float, height: float) -> str:
    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt

    fig, _ = plt.subplots(figsize=(width, height), dpi=50)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode()


def test_a_tall_figure_may_fill_a_printed_page_a_wide_one_is_capped():
    cell = new_code_cell("plot()", execution_count=1)
    cell.outputs = [
        new_output("display_data", data={"image/png": _png_of(6, 3), "text/plain": "<F>"}),
        new_output("display_data", data={"image/png": _png_of(4, 9), "text/plain": "<F>"}),
    ]
    html = render_html(new_notebook(cells=[new_markdown_cell("# Hình"), cell]), title="t")
    tags = re.findall(r"<img[^>]*>", html)
    assert len(tags) == 2 and 'class="fig-tall"' not in tags[0] and 'class="fig-tall"' in tags[1]
    assert "img.fig-tall { max-height: 225mm; }" in html


def test_a_report_opens_with_its_contents_linking_every_section():
    cells = [new_markdown_cell("# Báo cáo")] + [
        new_markdown_cell(f"## Mục {k} <b>") for k in range(1, 4)
    ]  # fmt: skip
    html = render_html(new_notebook(cells=cells), title="t", lang="vi")
    nav = html.split('<nav class="toc">')[1].split("</nav>")[0]
    assert "Mục lục" in nav and nav.count("<li>") == 3 and "<b>" not in nav
    anchors = re.findall(r'href="#([^"]+)"', nav)
    assert all(f'id="{a}"' in html for a in anchors)
    assert html.index('<nav class="toc">') > html.index("</h1>")
    few = render_html(new_notebook(cells=cells[:2]), title="t")
    assert '<nav class="toc">' not in few  # one section: no contents


def test_an_inline_png_of_an_html_output_gets_an_empty_alt_text():
    # a PNG inside an HTML output is no figure output: no heading is counted for it, and it
    # still gets alt="" (screen readers then skip it) rather than failing the report
    png = base64.b64encode(_png()).decode()
    cell = new_code_cell("show()")
    html_out = f'<img src="data:image/png;base64,{png}">'
    cell.outputs = [new_output("display_data", data={"text/html": html_out, "text/plain": ""})]
    nb = new_notebook(cells=[new_markdown_cell("# Hình"), cell])
    body = render_html(nb, title="x").split("<body", 1)[1]
    assert body.count('<img alt="" src="data:image/png;base64,') == 1
