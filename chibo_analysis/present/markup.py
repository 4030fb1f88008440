"""The one way text from the data reaches a page: escaped, shortened, made inert.

Names of organisations, members' codes, reasons, minutes and file names come
from files anybody can write. On their way into a report they pass through
here and nowhere else:

- :func:`html_text` for HTML (tables, the index, attributes): ``& < > " '``
  become character references, control characters are dropped, newlines
  become spaces, and a text over :data:`LONG` characters is shortened with
  its length stated;
- :func:`md_text` for the Markdown a notebook displays (headings, paragraphs,
  findings): the same, and every Markdown punctuation mark escaped with a
  backslash, so a name such as ``*B*`` or ``[x](javascript:…)`` shows as
  typed and never becomes emphasis, a link or raw HTML;
- :func:`md_plain` reads such Markdown back as plain text (for alt texts).

Each page also carries :data:`CONTENT_SECURITY_POLICY`, which allows no
script at all and images only from ``data:``, so a text that escaped this
module still could not run.
"""

from __future__ import annotations

import html
import re

from chibo_analysis.texts import CONTROL_RE, LONG_TEXT, shorten

#: Texts longer than this are shortened in reports, with their length stated.
LONG = LONG_TEXT

#: No script of any kind, images only embedded, styles only inline, nothing fetched.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'none'; img-src data:; style-src 'unsafe-inline'; "
    "font-src data:; base-uri 'none'; form-action 'none'; object-src 'none'"
)

#: The ``<meta>`` element carrying the policy, first in every page's ``<head>``.
CSP_META = f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">'

_SPACE = re.compile(r"[\t\r\n\u2028\u2029]+")
# CommonMark lets any ASCII punctuation be escaped with a backslash; the five that
# HTML escaping turns into references (& < > " ') are left to it.
_MD_PUNCT = re.compile(r"""([\\`*_\[\]()#+\-.!|~$%=:;,/?@^])""")
_MD_ESCAPED = re.compile(r"\\(.)")


def _clean(value: object, limit: int | None, lang: str) -> str:
    text = "" if value is None else str(value)
    text = _SPACE.sub(" ", CONTROL_RE.sub("", text))
    return text if limit is None else shorten(text, limit, lang)


def html_text(value: object, limit: int | None = LONG, lang: str = "vi") -> str:
    """``value`` as text safe in HTML content and in quoted attributes.

    ``limit=None`` keeps the whole text (a sentence already built of shortened parts).

    Examples
    --------
    >>> html_text('<img src=x onerror="alert(1)">')
    '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'
    >>> html_text("Chi bộ\\nsố 1\\x00")
    'Chi bộ số 1'
    """
    return html.escape(_clean(value, limit, lang), quote=True)


def md_text(value: object, limit: int | None = LONG, lang: str = "vi") -> str:
    """``value`` as Markdown that renders exactly as typed, and never as markup.

    Examples
    --------
    >>> md_text("*Chi bộ* <b>1</b>")
    '\\\\*Chi bộ\\\\* &lt;b&gt;1&lt;\\\\/b&gt;'
    """
    return html.escape(_MD_PUNCT.sub(r"\\\1", _clean(value, limit, lang)), quote=True)


def md_plain(markdown: str) -> str:
    """The plain text of Markdown written by :func:`md_text` (its escapes undone).

    >>> md_plain(md_text('Phường "A" <1>'))
    'Phường "A" <1>'
    """
    return html.unescape(_MD_ESCAPED.sub(r"\1", markdown))


def with_policy(page: str) -> str:
    """``page`` with :data:`CSP_META` as the first element of its ``<head>``."""
    page = re.sub(r"<meta\s+http-equiv=[\"']?Content-Security-Policy[^>]*>", "", page, flags=re.I)
    found = re.search(r"<head\b[^>]*>", page, re.IGNORECASE)
    if found is None:
        raise ValueError("the page has no <head>")
    return page[: found.end()] + "\n" + CSP_META + page[found.end() :]
