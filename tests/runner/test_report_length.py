"""The bundled sample's reports fit a committee's reading: Chromium's A4 PDF page count.

Issue 11: the city committee's audit was 156 pages. It must fit in at most 15
A4 pages, a base organisation's in at most 10. The sample city is the one
``chibo demo`` makes (``chibo synth``'s defaults); the PDF is Chromium's print
of the reader's HTML, as ``chibo audit --pdf`` writes it.
"""

from __future__ import annotations

import re
import shutil

import pytest

from chibo_analysis.commands.demo import make_sample
from chibo_analysis.runner.audit import run_audit
from chibo_analysis.runner.params import AuditParams

pytestmark = pytest.mark.skipif(
    shutil.which("chromium") is None, reason="chromium absent (CI installs it)"
)

#: Most pages of each report of the sample city (issue 11).
LIMITS = {"H001": 15, "H001-B01": 10}


def pdf_pages(path) -> int:
    """Pages of a PDF written by Chromium (its page objects)."""
    return len(re.findall(rb"/Type\s*/Page[^s]", path.read_bytes()))


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sample")
    make_sample(folder)
    return folder


@pytest.mark.parametrize("org_id", sorted(LIMITS))
def test_the_sample_report_fits_its_page_limit(sample, tmp_path, org_id):
    run = run_audit(
        AuditParams.create(data=sample, org_id=org_id, period="2022"), out=tmp_path, pdf=True
    )
    pages = pdf_pages(run.outputs["pdf"])
    assert 1 < pages <= LIMITS[org_id], f"{org_id}: {pages} pages"
