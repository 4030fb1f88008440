"""Text from data made safe for HTML and Markdown (more cases in tests/runner/test_escaping*.py)."""

from __future__ import annotations

import pytest

from chibo_analysis.present.markup import md_plain, md_text, with_policy


def test_markdown_text_escapes_quotes_as_well():
    # a heading's text becomes a figure's alt attribute: its quotes must not end the attribute
    assert md_text("Chi bộ \"A\" 'B'") == "Chi bộ &quot;A&quot; &#x27;B&#x27;"
    assert md_plain(md_text("Chi bộ \"A\" 'B'")) == "Chi bộ \"A\" 'B'"


def test_a_page_without_head_gets_no_policy():
    with pytest.raises(ValueError, match=r"^the page has no <head>$"):
        with_policy("<p>x</p>")
