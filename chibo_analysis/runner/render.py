"""Render an executed notebook for its readers: HTML without code, and PDF.

The HTML is one self-contained file: no code cells or prompts, figures
embedded as ``data:`` URIs, styles inline, a Content-Security-Policy that
allows no script (see :mod:`chibo_analysis.present.markup`, which escapes
every text from the data), and no ``<script>`` at all (the
reports are static text, tables and PNG figures; nbconvert's templates would
otherwise pull require.js, MathJax and mermaid from a CDN). It opens offline.

The PDF is printed from that HTML by headless Chromium, Debian's ``chromium``
package, started with the flags this machine's closed network needs.
"""

from __future__ import annotations

import copy
import functools
import re
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

from chibo_analysis.errors import ChiboError
from chibo_analysis.present.markup import html_text, md_plain, with_policy

_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script\s*>", re.IGNORECASE | re.DOTALL)
_STYLE = re.compile(r"(<style\b[^>]*>)(.*?)(</style\s*>)", re.IGNORECASE | re.DOTALL)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_EXTERNAL = re.compile(
    r"""<(?:script|link|img|iframe|source|video|audio|embed)\b[^>]*?"""
    r"""\b(?:src|href)\s*=\s*["']?((?:https?:)?//[^"'\s>]+)"""
    r"""|url\(\s*["']?((?:https?:)?//[^"')\s]+)"""
    r"""|@import\s+["']((?:https?:)?//[^"']+)""",
    re.IGNORECASE,
)

#: Chromium flags for a headless run on a machine without internet.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def external_references(html: str) -> list[str]:
    """Addresses an HTML page would fetch from the network (scripts, styles, images).

    Plain links (``<a href=...>``) are not fetched and are not listed.

    Examples
    --------
    >>> external_references('<script src="https://cdn.example/x.js"></script><a href="https://x">')
    ['https://cdn.example/x.js']
    """
    return [next(g for g in m.groups() if g) for m in _EXTERNAL.finditer(html)]


def _reader_copy(nb):
    """The notebook without what readers must not see: stderr streams and empty cells."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.get("cell_type") == "code":
            cell.outputs = [
                o
                for o in cell.get("outputs", [])
                if not (o.get("output_type") == "stream" and o.get("name") == "stderr")
            ]
    nb.cells = [
        c
        for c in nb.cells
        if (c.get("cell_type") != "code" or c.get("outputs"))
        and "remove-cell" not in c.get("metadata", {}).get("tags", [])
    ]
    return nb


#: The reader's page: compact print (A4), tables left-aligned and full width, figures fitted.
READER_CSS = """
@page { size: A4; margin: 14mm 12mm; }
body { font-size: 10.5pt; line-height: 1.3; }
.jp-RenderedHTMLCommon table, table { font-size: 8.5pt; border-collapse: collapse;
  width: 100%; table-layout: fixed; margin: 0.3em 0 0.6em; }
.jp-RenderedHTMLCommon th, .jp-RenderedHTMLCommon td, th, td { text-align: left !important;
  vertical-align: top; padding: 2px 5px !important; }
.jp-RenderedHTMLCommon h1 { font-size: 17pt; } .jp-RenderedHTMLCommon h2 { font-size: 13pt;
  margin-top: 0.8em; margin-bottom: 0.3em; break-after: avoid; } .jp-RenderedHTMLCommon h3 { font-size: 11pt;
  break-after: avoid; }
.jp-RenderedHTMLCommon p, .jp-RenderedHTMLCommon ul { margin: 0.3em 0; }
.jp-OutputArea-output img, img { max-width: 100%; max-height: 80mm; width: auto; height: auto; }
.jp-OutputArea-output img.fig-tall, img.fig-tall { max-height: 225mm; }
th:first-child { width: 22%; }
tr { break-inside: avoid; } .more-rows { font-style: italic; color: #444; }
nav.toc { font-size: 8.5pt; margin: 0.4em 0 0.8em; } nav.toc ol { columns: 2; margin: 0;
  padding-left: 1.6em; } nav.toc li { break-inside: avoid; } .toc-title { font-weight: bold;
  margin: 0 0 0.2em; }
td, th { overflow-wrap: anywhere; } th { font-size: 7.5pt; line-height: 1.15; }
.jp-Cell, .jp-Cell-outputWrapper, .jp-OutputArea, .jp-OutputArea-child, .jp-OutputArea-output
  { break-inside: auto !important; page-break-inside: auto !important; }
.jp-OutputArea-output, .jp-RenderedHTMLCommon { overflow: visible !important; max-width: none !important; }
.jp-OutputArea-prompt { display: none !important; }
.jp-Cell { padding: 0 !important; } .jp-OutputArea-child { margin: 0 !important; }
"""

_IMG = re.compile(r'<img(?=\s+src="data:image/png;base64,([A-Za-z0-9+/]{32}))(?![^>]*\balt=)')
#: A figure this much taller than wide (a ranking of many units) may fill a page in print.
TALL = 1.25


def _is_tall(head: str) -> bool:
    """Whether the PNG whose base64 starts with ``head`` is taller than :data:`TALL` × wide."""
    import base64
    import struct

    try:
        raw = base64.b64decode(head[:32])
        width, height = struct.unpack(">II", raw[16:24])
    except (ValueError, struct.error):
        return False
    return width > 0 and height / width > TALL


_CHAR_REF = re.compile(r"&#(\d+);")
_HEADING = re.compile(r"^#+\s+(.+)$", re.MULTILINE)


def _letter(match: re.Match) -> str:
    """A numeric character reference as its letter; markup (< 128) and invalid ones stay."""
    code = int(match[1])
    if 128 <= code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF:
        return chr(code)
    return match[0]


def _alt_texts(nb) -> list[str]:
    """An alt text for every PNG figure of ``nb``, in order: the heading it follows.

    Screen readers, and a reader whose mail client blocks images, then know
    what each figure is about ("Sinh hoạt thường kỳ", not a file name).
    """
    texts, last = [], ""
    for cell in nb.cells:
        if cell.get("cell_type") == "markdown":
            headings = _HEADING.findall(cell.get("source", ""))
            last = headings[-1].strip() if headings else last
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            headings = _HEADING.findall(data.get("text/markdown", ""))
            if headings:
                last = headings[-1].strip()
            if "image/png" in data:
                texts.append(last)
    return texts


@functools.cache
def _exporter_class() -> type:
    from chibo_analysis.runner.execute import import_engines

    import_engines()  # never nbconvert in one thread while papermill loads in another
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class ReaderExporter(HTMLExporter):
        """nbconvert's HTML exporter without its last pass over the page.

        ``HTMLExporter.from_notebook_node`` re-parses the finished page with
        BeautifulSoup only to add ``tabindex`` attributes to code and output
        areas and a generic alt text to images; on the committee's report
        that pass took 0.6 s of a 1.1 s render. Readers' reports have no code
        areas, and :func:`render_html` gives each figure its own alt text.
        """

        def from_notebook_node(self, nb, resources=None, **kw):
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            highlight = self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)
            )
            resources = self._init_resources(resources)
            self.register_filter("highlight_code", highlight)
            self.register_filter(
                "filter_data_type",
                WidgetsDataTypeFilter(
                    notebook_metadata=self._nb_metadata, parent=self, resources=resources
                ),
            )
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    return ReaderExporter


_lock = threading.Lock()


@functools.cache
def _exporter():
    return _exporter_class()(
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )


def warm_up() -> None:
    """Import nbconvert and load its templates now (the runner does it while a notebook runs)."""
    with _lock:
        _exporter()


def render_html(nb, *, title: str, lang: str = "vi") -> str:
    """The reader's HTML of an executed notebook: no code, nothing fetched.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The executed notebook.
    title : str
        The page title.
    lang : str
        Language of the page (its ``<html lang>``).

    Raises
    ------
    ChiboError
        If the page would still fetch anything from the network.
    """
    reader = _reader_copy(nb)
    with _lock:  # one exporter per process, reused: its templates load once
        html, _ = _exporter().from_notebook_node(reader, resources={"metadata": {"name": "-"}})
    # nbconvert writes the letters of headings as references (&#7875; for ể): write them
    # as letters, as the rest of the page is, so the file reads and searches as text
    html = _CHAR_REF.sub(_letter, html)
    alts = iter(_alt_texts(reader))
    html = _IMG.sub(
        lambda m: (
            f'<img alt="{html_text(md_plain(next(alts, "")))}"'
            + (' class="fig-tall"' if _is_tall(m[1]) else "")
        ),
        html,
    )
    html = _SCRIPT.sub("", html)
    html = _STYLE.sub(lambda m: m[1] + _CSS_COMMENT.sub("", m[2]) + m[3], html)
    html = html.replace("</head>", f"<style>{READER_CSS}</style>\n</head>", 1)
    html = re.sub(r"<html\b[^>]*>", f'<html lang="{lang}">', html, count=1)
    page_title = f"<title>{html_text(title)}</title>"
    html = re.sub(r"<title>.*?</title>", lambda m: page_title, html, count=1, flags=re.S)
    html = with_contents(html, lang)
    html = with_policy(html)  # no script can run, whatever a text from the data holds
    left = external_references(html)
    if left:
        raise ChiboError(f"the report would fetch from the network: {', '.join(left[:5])}")
    return html


_H2 = re.compile(r'<h2 id="([^"]+)"[^>]*>(.*?)(?:<a class="anchor-link".*?)?</h2>', re.S)


def with_contents(html: str, lang: str = "vi") -> str:
    """``html`` with a table of contents after its title: a link to every section (h2).

    The headings keep nbconvert's anchors (``id``); the texts are the headings'
    own, already escaped. A page with fewer than three sections gets none.
    """
    from chibo_analysis.labels import label

    sections = [
        (anchor, re.sub(r"<[^>]+>", "", text).strip()) for anchor, text in _H2.findall(html)
    ]
    if len(sections) < 3:
        return html
    items = "".join(f'<li><a href="#{anchor}">{text}</a></li>' for anchor, text in sections)
    toc = (
        f'<nav class="toc"><p class="toc-title">{html_text(label("heading.contents", lang))}</p>'
        f"<ol>{items}</ol></nav>"
    )
    end = html.find("</h1>")
    if end < 0:
        return html
    cut = html.find("</div>", end)  # the end of the title's cell
    cut = end + len("</h1>") if cut < 0 else cut
    return html[:cut] + toc + html[cut:]


def find_chromium() -> str | None:
    """Path of the Chromium executable, or None."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def require_chromium() -> str:
    """Path of the Chromium executable, or a :class:`ChiboError` saying how to install it."""
    exe = find_chromium()
    if exe is None:
        raise ChiboError(
            "PDF output needs Chromium, which is not installed; on Debian/Ubuntu: "
            "sudo apt-get install chromium",
            key="no_chromium",
        )
    return exe


def run_chromium(args: list[str], *, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run headless Chromium with ``args`` and a throw-away profile.

    Raises
    ------
    ChiboError
        Chromium is not installed, fails or times out.
    """
    exe = require_chromium()
    with tempfile.TemporaryDirectory(prefix="chibo-chromium-") as profile:
        cmd = [exe, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired as err:
            raise ChiboError(f"Chromium did not finish within {timeout:.0f} s") from err
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-5:])
        raise ChiboError(f"Chromium failed (exit {done.returncode}): {tail}")
    return done


def render_pdf(html_path: str | Path, pdf_path: str | Path) -> Path:
    """Print the HTML report to PDF (A4) with headless Chromium."""
    html_path, pdf_path = Path(html_path).resolve(), Path(pdf_path).resolve()
    run_chromium(
        [
            f"--print-to-pdf={pdf_path}",
            "--no-pdf-header-footer",
            "--run-all-compositor-stages-before-draw",
            html_path.as_uri(),
        ]
    )
    if not pdf_path.is_file() or pdf_path.stat().st_size == 0:
        raise ChiboError(f"Chromium wrote no PDF for {html_path.name}")
    return pdf_path
