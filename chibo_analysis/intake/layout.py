"""Where the table is in a sheet: title block, header, data, footer.

Offices' sheets rarely start with the header. Above it sits a title block
(the committee's and the cell's names, the table's title, merged across the
columns, a blank row); a header may span two rows (a merged group header
such as "Số đảng viên" above "Triệu tập | Có mặt | …") or hold line breaks;
under the data a signature footer ("Người lập biểu", "T/M CHI ỦY", "BÍ
THƯ", names). :func:`locate` finds, in a grid of cell values, the header
row (or pair of rows) that names the required columns of a table, and
where the data ends; the loader reads the rows between, keeping every
row's own number.

Which table a sheet holds is found from its header, whatever the file or
sheet is called; a name that matches a table is only a hint, which wins
a tie.

Examples
--------
>>> from chibo_analysis.intake.headers import MAX_HEADER, HeaderMatcher, _keys
>>> from chibo_analysis.schema import TABLES
>>> grid = [["ĐẢNG BỘ PHƯỜNG TÂN QUANG", None, None],
...         ["SỔ ĐIỂM DANH", None, None],
...         [None, None, None],
...         ["Mã buổi sinh hoạt", "Mã đảng viên", "Tình trạng"],
...         ["S1", "M1", "x"],
...         [None, None, None],
...         [None, "Người lập biểu", None]]
>>> loc = locate(grid, {n: HeaderMatcher.of(t) for n, t in TABLES.items()})
>>> loc.table, loc.first, loc.last, loc.end, loc.footer
('attendance', 3, 3, 5, (6,))
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from chibo_analysis.intake.headers import MAX_HEADER, HeaderMatcher, _keys
from chibo_analysis.schema import TABLES, fold

#: How many rows from the top are searched for the header.
HEADER_SCAN = 30

_FOOTER = re.compile(
    r"\b(nguoi lap|nguoi ghi|t ?m (chi|dang) (uy|bo)|bi thu|pho bi thu|xac nhan|ky ten|"
    r"ky ghi ro|ky va ghi ro|ngay \S* thang \S* nam|thu ky)\b"
)


@dataclass(frozen=True)
class Location:
    """Where one table sits in a grid (0-based row positions).

    ``first``..``last``: the header row(s); data rows are ``last + 1`` up to
    ``end`` (exclusive); ``footer`` lists the non-blank rows after ``end``;
    ``title`` the text of the non-blank rows above the header.
    """

    table: str
    first: int
    last: int
    headers: tuple[str, ...]
    end: int
    footer: tuple[int, ...]
    title: tuple[str, ...]
    complete: bool


def filled(value) -> bool:
    """Whether a cell holds anything (text that is not only spaces, a number, a date)."""
    return (
        value is not None
        and not (isinstance(value, str) and value.strip() == "")
        and not (isinstance(value, float) and value != value)
    )


def text_of(value) -> str:
    if not filled(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _row_headers(grid, first: int, last: int, matcher: HeaderMatcher) -> tuple[str, ...]:
    """The header of each column from rows ``first``..``last`` (one or two rows).

    With two rows, a column takes its sub-header, its group header (the
    merged cell above, carried right over the columns it spans), or both
    together, whichever names a column; otherwise the sub-header.
    """
    width = max(len(grid[r]) for r in range(first, last + 1))
    top = [text_of(v) for v in grid[first]] + [""] * width
    if first == last:
        return tuple(top[:width])
    sub = [text_of(v) for v in grid[last]] + [""] * width
    out, group = [], ""
    for j in range(width):
        if top[j]:
            group = top[j]
        elif not sub[j]:
            group = ""  # a gap in both rows ends the merged group
        choices = [sub[j], f"{group} {sub[j]}".strip(), top[j]] if sub[j] else [top[j]]
        named = next((c for c in choices if c and matcher.column(c)), None)
        out.append(named or sub[j] or top[j])
    return tuple(out)


def _names_required(row, required, matchers) -> set[str]:
    """The tables a required column of which a cell of ``row`` names (a header may be here)."""
    found: set[str] = set()
    for value in row:
        if isinstance(value, str) and 0 < len(value) <= MAX_HEADER:
            marked, exact, folded = _keys(value)
            if (exact in required[0] or folded in required[2]) if marked else folded in required[1]:
                found.update(t for t, m in matchers.items() if m.column(value) in _REQUIRED[t])
    return found


_REQUIRED = {name: {c.name for c in t.required_columns} for name, t in TABLES.items()}
#: id(matchers) -> (matchers, keys): the matchers are held so that their id is not reused.
_REQUIRED_KEYS: dict[int, tuple[dict, tuple[set, set, set]]] = {}


def _required_keys(matchers: dict[str, HeaderMatcher]) -> tuple[set, set, set]:
    """The exact, folded and plain keys of every required column's spellings, once per matchers."""
    key = id(matchers)
    if key not in _REQUIRED_KEYS:
        sets: tuple[set, set, set] = (set(), set(), set())
        for table, m in matchers.items():
            need = _REQUIRED[table]
            for keys, out in ((m.exact, sets[0]), (m.folded, sets[1]), (m.plain, sets[2])):
                out.update(k for k, c in keys.items() if c in need)
        if len(_REQUIRED_KEYS) > 64:
            _REQUIRED_KEYS.clear()
        _REQUIRED_KEYS[key] = (matchers, sets)
    return _REQUIRED_KEYS[key][1]


def _score(headers, table: str, matcher: HeaderMatcher) -> tuple[bool, int, int]:
    found = {matcher.column(h) for h in headers if h} - {None}
    required = {c.name for c in TABLES[table].required_columns}
    return required <= found, len(found & required), len(found)


def locate(
    grid: list[list], matchers: dict[str, HeaderMatcher], hint: str | None = None
) -> Location | None:
    """The table in ``grid`` and where its header, data and footer are.

    Parameters
    ----------
    grid : list of rows
        Cell values as read (text, numbers, dates, None for empty cells).
    matchers : dict
        ``{table: HeaderMatcher}`` of the tables that may be there.
    hint : str, optional
        The table the file or sheet name stands for; it wins a tie.

    Returns
    -------
    Location or None
        The best header found: ``complete`` when it names every required
        column of its table. None when no row names any column at all.
    """
    best, best_key = None, None
    scan = min(len(grid), HEADER_SCAN)
    required = _required_keys(matchers)
    named = [_names_required(grid[r], required, matchers) for r in range(min(len(grid), scan + 1))]
    named.append(set())
    for first in range(scan):
        tables = named[first] | named[first + 1]
        if sum(filled(v) for v in grid[first]) < 2 or not tables:
            continue  # a title line, a blank row, or rows naming no required column
        for last in (first, first + 1):
            if last >= len(grid) or (last > first and not any(filled(v) for v in grid[last])):
                continue
            for table, matcher in matchers.items():
                if table not in tables:
                    continue
                headers = _row_headers(grid, first, last, matcher)
                complete, required, found = _score(headers, table, matcher)
                if found == 0:
                    continue
                # complete first; then the name's hint; then more columns; a single row
                key = (complete, table == hint, required, found, last == first, -first)
                if best_key is None or key > best_key:
                    best_key, best = key, (table, first, last, headers, complete)
    if best is None:
        return None
    table, first, last, headers, complete = best
    if complete:
        end, footer = _data_end(grid, last + 1, table, headers, matchers[table])
    else:  # not read as this table: where its data would end does not matter
        end, footer = len(grid), ()
    title = tuple(
        " ".join(text_of(v) for v in grid[r] if filled(v))
        for r in range(first)
        if any(filled(v) for v in grid[r])
    )
    return Location(table, first, last, headers, end, footer, title, complete)


def _data_end(grid, start: int, table: str, headers, matcher) -> tuple[int, tuple[int, ...]]:
    """Where the data ends, and the footer rows after it.

    The data ends at the first blank row after which no row has every
    required value of the table; a run of rows at the very end that lack
    them and read like a signature block ("Người lập biểu", "BÍ THƯ") is a
    footer too, blank row or not.
    """
    required = {c.name for c in TABLES[table].required_columns if not c.nullable}
    cols = [j for j, h in enumerate(headers) if h and matcher.column(h) in required]
    n = len(grid)

    def complete(r: int) -> bool:
        row = grid[r]
        return all(j < len(row) and filled(row[j]) for j in cols)

    def blank(r: int) -> bool:  # no text at all (a row of spaces is a record to report)
        return all(v is None or v == "" for v in grid[r])

    later_complete = [False] * (n + 1)
    for r in range(n - 1, start - 1, -1):
        later_complete[r] = later_complete[r + 1] or complete(r)
    end = n
    for r in range(start, n):
        if blank(r) and not later_complete[r + 1]:
            end = r
            break
    # a signature block straight under the data (no blank row between): the rows after the
    # last complete one, when the first of them reads like one ("Người lập biểu", "BÍ THƯ")
    r = end
    while r > start and not complete(r - 1):
        r -= 1
    tail = [k for k in range(r, end) if not blank(k)]
    if tail and _FOOTER.search(fold(" ".join(text_of(v) for v in grid[tail[0]]))):
        end = r
    footer = tuple(k for k in range(end, n) if not blank(k))
    return end, footer
