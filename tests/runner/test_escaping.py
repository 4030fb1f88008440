"""Hostile text from the data in a report: escaped in one place, and no script can run.

Issue 10: an organisation named ``<img src=x onerror=…>`` ran in the reader's
browser (and in Chromium printing the PDF). Here the payloads go into every
text field of a small synthetic city (names of organisations and members,
topics, minutes, inspection findings, discipline reasons); the committee's
audit and the index are rendered, and headless Chromium shows that no element
was created, no script ran, and the text reads as typed.
"""

from __future__ import annotations

import shutil
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from chibo_analysis.present.markup import CSP_META, html_text, md_plain, md_text, with_policy
from chibo_analysis.runner.audit import run_audit
from chibo_analysis.runner.params import AuditParams
from chibo_analysis.runner.render import run_chromium

CHROMIUM = shutil.which("chromium")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="chromium absent (CI installs it)")

MARK = "document.body.setAttribute('data-pwned','{}')"
PAYLOADS = (
    f'<img src=x onerror="{MARK.format(1)}">',
    f'<svg onload="{MARK.format(2)}">',
    f'"><script>{MARK.format(3)}</script>',
    "*đậm* [liên kết](javascript:alert(1)) `mã` $x$ # &amp; \\",
)
#: text field of each table that gets a payload (cycled through the rows)
FIELDS = {
    "organisations.csv": "name",
    "members.csv": "full_name",
    "meetings.csv": "topic",
    "inspections.csv": "findings",
    "disciplines.csv": "reason",
}


class _Dom(HTMLParser):
    """Every element and attribute of a page, and its visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        self._skip += tag in ("style", "title")

    def handle_endtag(self, tag):
        self._skip -= tag in ("style", "title") and self._skip > 0

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def _dom(page: str) -> _Dom:
    dom = _Dom()
    dom.feed(page)
    return dom


def assert_inert(page: str) -> None:
    """No element or attribute a payload would have created; every image embedded."""
    dom = _dom(page)
    tags = [tag for tag, _ in dom.elements]
    assert "script" not in tags and "svg" not in tags and "iframe" not in tags
    for tag, attrs in dom.elements:
        assert "data-pwned" not in attrs, (tag, attrs)
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        if tag == "img":
            assert attrs.get("src", "").startswith("data:image/png;base64,"), attrs.get("src")
        if tag == "a":
            assert not attrs.get("href", "").lower().startswith("javascript"), attrs


@pytest.fixture(scope="module")
def hostile_city(tmp_path_factory) -> Path:
    from chibo_analysis.synth import synthesize

    folder = tmp_path_factory.mktemp("hostile")
    synthesize(folder, seed=3, scale=0.03, start=2022, end=2022, progress=False)
    for name, column in FIELDS.items():
        path = folder / name
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        if frame.empty:
            continue
        tags = [PAYLOADS[i % len(PAYLOADS)] for i in range(len(frame))]
        frame[column] = [f"{v} {t}" for v, t in zip(frame[column], tags, strict=True)]
        frame.to_csv(path, index=False)
    return folder


@pytest.fixture(scope="module")
def hostile_report(hostile_city, tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    params = AuditParams.create(data=hostile_city, org_id="H001", period="2022")
    run = run_audit(params, out=out)
    return out, run


def test_markup_escapes_the_payloads_and_reads_back_as_typed():
    for payload in PAYLOADS:
        assert "<" not in html_text(payload) and '"' not in html_text(payload)
        assert md_plain(md_text(payload)) == " ".join(payload.split())
    assert html_text("x" * 1500).endswith("… (1.500 ký tự)")
    assert html_text("a\x00b\x1fc\nd") == "abc d"


def test_every_page_carries_a_policy_without_script(hostile_report):
    out, run = hostile_report
    for page in (run.outputs["html"], out / "index.html"):
        html = page.read_text(encoding="utf-8")
        head = html.split("</head>")[0]
        assert CSP_META in head and "script-src 'none'" in head
        assert "<script" not in html


def test_the_report_and_the_index_are_inert_and_show_the_text_as_typed(hostile_report):
    out, run = hostile_report
    assert run.status == "ok"
    report = run.outputs["html"].read_text(encoding="utf-8")
    assert_inert(report)
    assert_inert((out / "index.html").read_text(encoding="utf-8"))
    text = " ".join(_dom(report).text)
    # The committee's name (first row of organisations.csv) in the heading, as typed.
    assert f"Tuyên Quang {PAYLOADS[0]}, năm 2022" in text
    for payload in PAYLOADS[:3]:
        assert payload in text, payload
    index = " ".join(_dom((out / "index.html").read_text(encoding="utf-8")).text)
    assert PAYLOADS[0] in index
    # Alt texts and the page title are attributes and text: escaped, never markup.
    title = report.split("<title>")[1].split("</title>")[0]
    assert "<" not in title and "&lt;img" in title


@needs_chromium
def test_chromium_creates_no_element_and_runs_no_script(hostile_report):
    out, run = hostile_report
    for page in (run.outputs["html"], out / "index.html"):
        dumped = run_chromium(["--dump-dom", page.resolve().as_uri()], timeout=60).stdout
        assert "data-pwned" not in dumped.split("<body")[1].split(">")[0]
        assert_inert(dumped)
        assert PAYLOADS[0] in " ".join(_dom(dumped).text)


@needs_chromium
def test_the_policy_alone_stops_a_script_that_escaped_escaping(tmp_path):
    # A page with the payload written raw: without the policy Chromium runs it (so this
    # test can fail), with the policy it does not.
    raw = f"<!DOCTYPE html><html><head><title>t</title></head><body>{PAYLOADS[2]}</body></html>"
    bare, guarded = tmp_path / "bare.html", tmp_path / "guarded.html"
    bare.write_text(raw, encoding="utf-8")
    guarded.write_text(with_policy(raw), encoding="utf-8")
    ran = run_chromium(["--dump-dom", bare.as_uri()], timeout=60).stdout
    stopped = run_chromium(["--dump-dom", guarded.as_uri()], timeout=60).stdout
    assert 'data-pwned="3"' in ran
    assert "data-pwned" not in stopped.split("<body")[1].split(">")[0]
