"""Text from the data reaches HTML as text, and a shared report shows no member (issue 14).

One helper, :func:`markup_of`, serves every place data text reaches a reader's HTML: it
parses the page and returns every element the text would have made had it been pasted in
raw. The hostile text :data:`HOSTILE` carries an element with ``id="hostile"``, a double
quote (ends an attribute), ``<`` and ``&``.

The last part runs the audit notebook on a small synthetic city twice, shared (``--share``)
and not, with hostile organisation names and free texts, and checks the shared page for
every member code, name and free-text value of the tables the notebook shows.

(These were written as strict xfails before the escaping of issue 10 landed.)
"""

from __future__ import annotations

import base64
import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from chibo_analysis.present import display
from chibo_analysis.runner.index import build_index
from chibo_analysis.runner.render import render_html

#: Text from the data that would be markup if pasted into HTML unescaped.
HOSTILE = 'Chi bộ <i id="hostile" title="x">"A" & <B></i>'
#: A tiny valid PNG (1 x 1 pixel).
PNG = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360606060000000050001a5f645400000000049454e44ae426082"
    )
).decode()


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hostile: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.alts: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        # the <i id="hostile"> and <B> elements; or, where a double quote ended an attribute
        # early (alt="Chi bộ <i id="hostile" ...), the attributes that spilled out of it
        spilled = any("hostile" in name for name in attrs) or attrs.get("title") == "x"
        if attrs.get("id") == "hostile" or (tag == "b" and not attrs) or spilled:
            self.hostile.append((tag, attrs))
        if tag == "img" and "alt" in attrs:
            self.alts.append(attrs["alt"])

    def handle_data(self, data):
        self.text.append(data)


def markup_of(page: str) -> list[tuple[str, dict]]:
    """Elements of ``page`` that :data:`HOSTILE`, pasted in raw, would have made."""
    parser = _Elements()
    parser.feed(page)
    return parser.hostile


def visible_text(page: str) -> str:
    parser = _Elements()
    parser.feed(page)
    return re.sub(r"\s+", " ", "".join(parser.text))


def alt_texts(page: str) -> list[str]:
    parser = _Elements()
    parser.feed(page)
    return parser.alts


def test_the_helper_sees_raw_markup():
    # the check can fail: HOSTILE pasted raw makes the element; escaped, it is text
    assert markup_of(f"<p>{HOSTILE}</p>") != []
    assert markup_of(f'<img alt="{HOSTILE}">') != []  # a quote ends the attribute
    assert markup_of(f"<p>{html.escape(HOSTILE)}</p>") == []
    assert HOSTILE in visible_text(f"<p>{html.escape(HOSTILE)}</p>")


# --- index.html ----------------------------------------------------------------------------


def _report(out: Path, folder: str, run: dict, figures: dict) -> None:
    path = out / folder
    path.mkdir(parents=True)
    (path / "audit_organisation.run.json").write_text(json.dumps(run), encoding="utf-8")
    (path / "audit_organisation.figures.json").write_text(json.dumps(figures), encoding="utf-8")
    html = (run.get("outputs") or {}).get("html")
    if html:
        (path / html).write_text("<html></html>", encoding="utf-8")


def test_index_shows_names_messages_and_figures_as_text(tmp_path):
    _report(tmp_path, "a/2022", {"status": "ok", "name": HOSTILE, "level": "base",
            "parameters": {"org_id": HOSTILE, "period": "2022"},
            "outputs": {"html": 'r"><i id="hostile">.html'}}, {"note": HOSTILE})  # fmt: skip
    _report(tmp_path, "b/2022", {"status": "failed", "name": "B", "level": "base",
            "parameters": {"org_id": "B", "period": "2022"},
            "error": {"message": HOSTILE}}, {})  # fmt: skip
    page = build_index(tmp_path).read_text(encoding="utf-8")
    assert markup_of(page) == []
    # organisation code, name, key figure, error message: four times, as text
    assert visible_text(page).count(HOSTILE) == 4
    assert 'href="a/2022/r%22%3E%3Ci%20id%3D%22hostile%22%3E.html"' in page


# --- the reader's HTML of a notebook --------------------------------------------------------


def _page(*outputs: dict) -> str:
    """The reader's HTML of a notebook whose one cell displayed ``outputs`` (MIME bundles)."""
    cell = new_code_cell("display(...)")
    cell.outputs = [new_output("display_data", data=o) for o in outputs]
    return render_html(new_notebook(cells=[cell]), title="x")


def _bundle(obj) -> dict:
    """What IPython would put in a notebook for ``obj`` (its Markdown or HTML, and text)."""
    if hasattr(obj, "_repr_markdown_"):
        return {"text/markdown": obj._repr_markdown_(), "text/plain": "<Markdown>"}
    return {"text/html": obj._repr_html_(), "text/plain": "<HTML>"}


def test_figure_alt_text_under_a_heading_with_a_quote_and_a_less_than():
    # the alt text is the heading above the figure: a double quote must not end the attribute
    # (spilling title="x" out of it), nor "<" and "&" stay raw inside it
    text = 'Tỉ lệ "có mặt" title="x" & a < b'
    page = render_html(new_notebook(cells=[new_markdown_cell("## " + text), _figure_cell()]),
                       title="x")  # fmt: skip
    assert markup_of(page) == []
    assert alt_texts(page) == [text]
    assert 'alt="Tỉ lệ &quot;có mặt&quot; title=&quot;x&quot; &amp; a &lt; b"' in page


def test_figure_alt_text_reads_as_the_heading_when_the_heading_is_escaped():
    page = render_html(
        new_notebook(cells=[new_markdown_cell("## " + html.escape(HOSTILE)), _figure_cell()]),
        title="x",
    )
    assert markup_of(page) == []
    assert HOSTILE in visible_text(page)
    assert alt_texts(page) == [HOSTILE]


def test_figure_alt_text_from_a_displayed_heading():
    cell = _figure_cell()
    heading = display.heading("heading.audit_title", "vi", level=1, org=HOSTILE, period="2022")
    cell.outputs.insert(0, new_output("display_data", data=_bundle(heading)))
    page = render_html(new_notebook(cells=[cell]), title="x")
    assert markup_of(page) == []
    assert [HOSTILE in alt for alt in alt_texts(page)] == [True]


def _figure_cell():
    cell = new_code_cell("plot()")
    cell.outputs = [new_output("display_data", data={"image/png": PNG, "text/plain": "<Fig>"})]
    return cell


def test_an_organisation_name_in_a_heading_is_text():
    page = _page(_bundle(display.heading("heading.audit_title", "vi", level=1, org=HOSTILE,
                                         period="2022")))  # fmt: skip
    assert markup_of(page) == []
    assert HOSTILE in visible_text(page)


def test_an_organisation_name_in_a_paragraph_is_text():
    page = _page(_bundle(display.paragraph("text.audit_intro", "vi", org=HOSTILE, period="2022")))
    assert markup_of(page) == []
    assert HOSTILE in visible_text(page)


def test_a_plain_table_shows_data_as_text():
    frame = pd.DataFrame({"org_id": ["X"], "name": [HOSTILE], "members": [3]})
    page = _page(_bundle(display.table(frame, "vi", table="organisations")))
    assert markup_of(page) == []
    assert HOSTILE in visible_text(page)


def test_a_table_with_met_colours_shows_data_as_text():
    # a frame with a "met" column is shown through a pandas Styler, which does not escape
    frame = pd.DataFrame({"name": [HOSTILE], "met": [True]})
    page = _page(_bundle(display.table(frame, "vi", table="organisations")))
    assert markup_of(page) == []
    assert HOSTILE in visible_text(page)


# --- a whole report: hostile names and free texts, and what a shared report shows ------------

#: The base organisation audited in the sample city (as in tests/test_notebooks.py).
AUDITED = "H001-B01"
#: Free-text columns of the input, per table: they may name people.
FREE_TEXT = {"disciplines": ["reason"], "inspections": ["findings"],
             "meetings": ["topic", "minutes_text"]}  # fmt: skip


@pytest.fixture(scope="module")
def city(tmp_path_factory) -> Path:
    """The sample city of tests/test_notebooks.py, with hostile text in names and free texts:
    the audited base organisation, one of its cells, and every discipline reason."""
    from chibo_analysis.synth import synthesize

    folder = tmp_path_factory.mktemp("city")
    synthesize(folder, seed=1, scale=0.05, start=2021, end=2022, progress=False)
    orgs = pd.read_csv(folder / "organisations.csv", dtype=str, keep_default_na=False)
    cell = orgs.loc[orgs["parent_id"] == AUDITED, "org_id"].iloc[0]
    orgs.loc[orgs["org_id"] == AUDITED, "name"] = HOSTILE
    orgs.loc[orgs["org_id"] == cell, "name"] = HOSTILE.replace("Chi bộ", "Tổ 1")
    orgs.to_csv(folder / "organisations.csv", index=False)
    disc = pd.read_csv(folder / "disciplines.csv", dtype=str, keep_default_na=False)
    disc["reason"] = [f"{r} {HOSTILE} #{i}" for i, r in enumerate(disc["reason"])]
    disc.to_csv(folder / "disciplines.csv", index=False)
    return folder


@pytest.fixture(scope="module")
def reports(city, tmp_path_factory):
    """audit_organisation on the city, shared and not (each run once)."""
    from chibo_analysis.runner.audit import run_audit
    from chibo_analysis.runner.params import AuditParams

    out = tmp_path_factory.mktemp("reports")
    runs = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CHIBO_KEY_FILE", str(out / "key"))  # the kernels inherit it
        for share in (False, True):
            params = AuditParams.create(data=city, org_id=AUDITED, period="2022", share=share)
            run = run_audit(params, notebook="audit_organisation", out=out / str(share),
                            index=False)  # fmt: skip
            assert run.status == "ok"
            runs[share] = run.outputs["html"].read_text(encoding="utf-8")
    return runs


def _private(city: Path) -> dict[str, set[str]]:
    """Every member code, full name and free-text value (10+ characters) of the input."""
    members = pd.read_csv(city / "members.csv", dtype=str, keep_default_na=False)
    found = {"member_id": set(members["member_id"]), "full_name": set(members["full_name"])}
    for table, columns in FREE_TEXT.items():
        frame = pd.read_csv(city / f"{table}.csv", dtype=str, keep_default_na=False)
        for column in columns:
            found[f"{table}.{column}"] = {v for v in frame[column] if len(v) >= 10}
    # a topic may be words of the catalogue ("Sinh hoạt thường kỳ", in a heading): not private
    from chibo_analysis import labels

    catalogue = " | ".join(e[lang] for e in labels.catalogue().values() for lang in ("vi", "en"))
    return {k: {v for v in values if v and v not in catalogue} for k, values in found.items()}


def _shown(page: str, private: dict[str, set[str]]) -> dict[str, list[str]]:
    """Which private values the page shows (as text or inside markup), by field.

    A page cuts long texts ("…"): a value counts as shown when its first 40
    characters are.
    """
    text = visible_text(page)
    return {field: sorted(v for v in values if v[:40] in text or html.escape(v[:40]) in page)
            for field, values in private.items()}  # fmt: skip


def test_a_report_shows_hostile_names_and_reasons_as_text(reports):
    for page in reports.values():
        assert markup_of(page) == []


def test_the_unshared_report_shows_members_so_the_check_can_fail(reports, city):
    shown = _shown(reports[False], _private(city))
    assert shown["member_id"] and shown["full_name"] and shown["disciplines.reason"]


def test_a_shared_report_shows_no_member_code_name_or_free_text(reports, city):
    shown = _shown(reports[True], _private(city))
    assert {field: values for field, values in shown.items() if values} == {}
