"""Text from the data made fit to show (issue 10: big and odd values)."""

from __future__ import annotations

import pytest

from chibo_analysis.errors import ParameterError
from chibo_analysis.texts import LONG_TEXT, shorten, show_controls, strip_controls


@pytest.mark.parametrize(
    "text,limit,lang,expected",
    [
        # at the limit: shown whole
        ("a" * 1000, 1000, "vi", "a" * 1000),
        # one over: cut at 1,000, the whole length said, grouped the Vietnamese way
        ("a" * 1001, 1000, "vi", "a" * 1000 + "… (1.001 ký tự)"),
        ("a" * 1001, 1000, "en", "a" * 1000 + "… (1,001 characters)"),
        # the issue's 200,000-character organisation name, in a short message
        ("Chi bộ " + "x" * 199_993, 6, "vi", "Chi bộ… (200.000 ký tự)"),
        # the problem list (read in both languages): both words, digits ungrouped
        ("b" * 250, 200, None, "b" * 200 + "… (250 ký tự/characters)"),
        (None, 10, "vi", ""),
        (12345, 3, "en", "123… (5 characters)"),
    ],
)
def test_shorten(text, limit, lang, expected):
    assert shorten(text, limit, lang) == expected


def test_shorten_defaults_to_the_issue_limit():
    assert LONG_TEXT == 1000
    assert len(shorten("x" * 5000)) == 1000 + len("… (5000 ký tự/characters)")


def test_shorten_refuses_an_unknown_language():
    with pytest.raises(ParameterError, match="lang='fr'"):
        shorten("x", lang="fr")


def test_control_characters_removed_but_tab_and_line_breaks_kept():
    # NUL, BEL, ESC, DEL, a C1 control, a right-to-left override and an isolate
    text = "Tr\x00ần\x07\x1b Thị\x7f\x85\u202e\u2066\tBình\r\n"
    assert strip_controls(text) == "Trần Thị\tBình\r\n"


def test_control_characters_shown_as_visible_marks():
    assert show_controls("A\x00B\x1fC\x7fD\u202eE\tF") == "A␀B␟C␡D[U+202E]E\tF"
    assert show_controls("Nguyễn Văn An") == "Nguyễn Văn An"


def test_the_re2_pattern_finds_the_same_characters_as_pythons():
    # pyarrow (RE2) searches Arrow text, Python's re the rest: the same set, every code point
    # of the Basic Multilingual Plane but the surrogates
    import pyarrow as pa
    import pyarrow.compute as pc

    from chibo_analysis.texts import CONTROL_PATTERN_RE2, CONTROL_RE

    chars = [chr(c) for c in range(0x10000) if not 0xD800 <= c <= 0xDFFF]
    by_re2 = pc.match_substring_regex(pa.array(chars), CONTROL_PATTERN_RE2).to_pylist()
    by_python = [CONTROL_RE.search(c) is not None for c in chars]
    assert by_re2 == by_python
    assert sum(by_python) == 29 + 1 + 32 + 5 + 4  # C0 but tab/LF/CR, DEL, C1, bidi
