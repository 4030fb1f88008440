"""Which schema column a header written in a file stands for.

A header matches a column's spelling (its English name, its Vietnamese
header, an alias, or a codebook entry) in any case, with any spacing and
punctuation, and *with or without* diacritics: written with diacritics, it
must carry the spelling's own (``Thời lượng (phút)``), or match a spelling
declared without any (``thoi luong``); written without diacritics, it matches
the folded spelling (``thoi luong phut``). A header with *wrong* diacritics
("Thòi lượng (phút)") matches nothing, and the loader lists it with the
closest spelling as a suggestion, instead of reading a column it is not sure
of.

Row-number columns ("STT", "TT", "Số TT") are recognised and ignored.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from dataclasses import dataclass, field

from chibo_analysis.schema import Table, fold, strip_invisible

#: Headers of a row-number column, folded: recognised and not read.
ROW_NUMBER_HEADERS = ("stt", "tt", "so tt", "so thu tu", "thu tu", "no", "#")


def exact_key(text: str) -> str:
    """Lower case, NFC, punctuation and spacing collapsed; diacritics kept.

    Examples
    --------
    >>> exact_key("  Thời lượng\\n(phút) ")
    'thời lượng phút'
    """
    text = unicodedata.normalize("NFC", strip_invisible(str(text))).lower()
    return re.sub(r"[\W_]+", " ", text).strip()


@functools.lru_cache(maxsize=200_000)
def _keys(text: str) -> tuple[bool, str, str]:
    """(has diacritics, exact key, folded key) of a header text, computed once."""
    exact, folded = exact_key(text), fold(text)
    return exact != folded, exact, folded


def has_diacritics(text: str) -> bool:
    """Whether ``text`` holds a letter beyond ASCII (a Vietnamese one, say)."""
    return exact_key(text) != fold(text)


#: Longest text taken for a header; longer cells (minutes, names with notes) are data.
MAX_HEADER = 80


@dataclass(frozen=True)
class HeaderMatcher:
    """The spellings of one table's columns, ready to match headers."""

    table: Table
    exact: dict[str, str]  # exact_key(spelling) -> column
    folded: dict[str, str]  # fold(spelling) -> column, for any spelling
    plain: dict[str, str]  # fold(spelling) -> column, spellings without diacritics
    seen: dict = field(default_factory=dict, compare=False, repr=False)  # header -> column

    @classmethod
    def of(cls, table: Table, extra: dict[str, str] | None = None) -> HeaderMatcher:
        """The matcher of ``table``; ``extra`` (a codebook) maps more headers to columns."""
        exact, folded, plain = {}, {}, {}
        pairs = [(h, c) for h, c in (extra or {}).items()]
        pairs += [(s, c.name) for c in table.columns for s in c.header_spellings()]
        for spelling, column in pairs:
            exact.setdefault(exact_key(spelling), column)
            folded.setdefault(fold(spelling), column)
            if not has_diacritics(spelling):
                plain.setdefault(fold(spelling), column)
        return cls(table, exact, folded, plain)

    def column(self, header: object) -> str | None:
        """The column ``header`` stands for, or None."""
        text = str(header)
        if len(text) > MAX_HEADER:
            return None
        if text in self.seen:
            return self.seen[text]
        marked, exact, folded = _keys(text)
        if marked:
            found = self.exact.get(exact) or self.plain.get(folded)
        else:
            found = self.folded.get(folded)
        if len(self.seen) < 100_000:
            self.seen[text] = found
        return found

    def suggest(self, header: object) -> str | None:
        """The column's Vietnamese header closest to an unmatched ``header``, if any is close."""
        key = fold(str(header))
        if not key:
            return None
        close = difflib.get_close_matches(key, list(self.folded), n=1, cutoff=0.75)
        if not close:
            return None
        return self.table.column(self.folded[close[0]]).vi


def is_row_number(header: object) -> bool:
    """Whether ``header`` heads a row-number column (STT)."""
    return fold(str(header)) in ROW_NUMBER_HEADERS
