"""Text from the data made fit to show: long texts shortened, control characters handled.

One place for what every layer does to a text that comes from the records
before a reader sees it: :func:`shorten` (a text over :data:`LONG_TEXT`
characters is cut, its length stated) and the control characters that
intake removes (:func:`strip_controls`) or a problem list shows
(:func:`show_controls`). The few words here ("ký tự", "characters") sit
with the code rather than in the label catalogue because the problem list,
a layer below the catalogue, needs them.
"""

from __future__ import annotations

import re

from chibo_analysis.errors import check_argument

#: Longest text shown whole in a report, a chart or a message.
LONG_TEXT = 1000

#: Control characters that no value of an office's file holds on purpose: C0 controls but
#: tab, line feed and carriage return; DEL; C1 controls; the bidirectional embeddings,
#: overrides and isolates (which make a name display reversed).
CONTROL_PATTERN = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"
CONTROL_RE = re.compile(CONTROL_PATTERN)
#: The same characters in RE2's syntax (pyarrow's regular expressions, for Arrow text).
CONTROL_PATTERN_RE2 = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\x{202a}-\x{202e}\x{2066}-\x{2069}]"

_UNIT = {"vi": "ký tự", "en": "characters", None: "ký tự/characters"}
_GROUP = {"vi": ".", "en": ",", None: ""}


def shorten(text: object, limit: int = LONG_TEXT, lang: str | None = None) -> str:
    """``text`` cut at ``limit`` characters, with its whole length stated; shorter ones as is.

    ``lang`` "vi" or "en" says the length in that language; None (the problem
    list, read in both) says it in both.

    Examples
    --------
    >>> shorten("Chi bộ 1")
    'Chi bộ 1'
    >>> shorten("x" * 200_000, limit=5, lang="vi")
    'xxxxx… (200.000 ký tự)'
    >>> shorten("x" * 1234, limit=3, lang="en")
    'xxx… (1,234 characters)'
    >>> shorten("x" * 1001, limit=4)
    'xxxx… (1001 ký tự/characters)'
    """
    check_argument("lang", lang, tuple(_UNIT))
    text = "" if text is None else str(text)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({length_of(text, lang)} {_UNIT[lang]})"


def length_of(text: str, lang: str | None = None) -> str:
    """The number of characters of ``text``, grouped as ``lang`` writes numbers."""
    return f"{len(text):,}".replace(",", _GROUP[lang])


def strip_controls(text: str) -> str:
    """``text`` without control characters (see :data:`CONTROL_PATTERN`).

    Examples
    --------
    >>> strip_controls("Tr\\x00ần\\x07 Thị\\tBình\\u202e")
    'Trần Thị\\tBình'
    """
    return CONTROL_RE.sub("", text)


def show_controls(text: str) -> str:
    """``text`` with each control character shown as a visible mark: ``␀`` for NUL, ``[U+202E]``.

    C0 controls and DEL become their Unicode control pictures (U+2400…); the
    others their code point in brackets. Tab and line breaks stay.

    Examples
    --------
    >>> show_controls("Tr\\x00ần\\u202e")
    'Tr␀ần[U+202E]'
    """
    return CONTROL_RE.sub(_picture, text)


def _picture(match: re.Match) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    return f"[U+{code:04X}]"
