"""Codes that refer to other records: letter case reconciled, with a warning.

An office may type ``c001`` in the register where the roll says ``C001``. A
reference that matches no code exactly but matches exactly one code once
letter case is ignored is read as that code, and the loader lists it as a
``case_mismatch`` warning with the value as written. (Zero-width characters
and non-breaking spaces are removed from every code when it is parsed; a
reference whose leading zeros Excel dropped gets a hint in its
``unknown_reference`` error: see :func:`code_hints`.)
"""

from __future__ import annotations

import pandas as pd

from chibo_analysis.problems import empty_issues, make_issues, shorten_texts
from chibo_analysis.schema import TABLES

#: (table, column) -> the tables and key columns it refers to.
REFERENCES: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {
    ("organisations", "parent_id"): (("organisations", "org_id"),),
    ("members", "cell_id"): (("organisations", "org_id"),),
    ("meetings", "cell_id"): (("organisations", "org_id"),),
    ("attendance", "meeting_id"): (("meetings", "meeting_id"),),
    ("attendance", "member_id"): (("members", "member_id"),),
    ("inspections", "meeting_id"): (("meetings", "meeting_id"),),
    ("dues", "member_id"): (("members", "member_id"),),
    ("disciplines", "subject_id"): (("members", "member_id"), ("organisations", "org_id")),
    ("reviews", "subject_id"): (("members", "member_id"), ("organisations", "org_id")),
}


def reconcile_case(frames: dict[str, pd.DataFrame]) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """References matched to their key ignoring letter case; the changes as warnings.

    Examples
    --------
    >>> orgs = pd.DataFrame({"org_id": ["TP", "C001"], "parent_id": ["", "tp"],
    ...                      "_file": "o.csv", "_sheet": "", "_row": [2, 3]})
    >>> out, issues = reconcile_case({"organisations": orgs})
    >>> out["organisations"]["parent_id"].tolist(), issues["value"].tolist()
    (['', 'TP'], ['tp'])
    """
    out = dict(frames)
    issues = []
    for (table, column), targets in REFERENCES.items():
        frame = out.get(table)
        if frame is None or column not in frame or frame.empty:
            continue
        present = [out[t][c] for t, c in targets if out.get(t) is not None and c in out[t]]
        if not present:  # the table referred to was not read (tables= asked for others)
            continue
        keys = pd.concat(present, ignore_index=True).dropna()
        exact = set(keys)
        folded: dict[str, set[str]] = {}
        for key in exact:
            folded.setdefault(str(key).casefold(), set()).add(key)
        values = frame[column]
        strangers = [v for v in pd.unique(values.dropna()) if v not in exact]
        mapping = {
            v: next(iter(folded[str(v).casefold()]))
            for v in strangers
            if len(folded.get(str(v).casefold(), ())) == 1
        }
        if not mapping:
            continue
        hit = values.isin(list(mapping))
        rows = frame[hit]
        read_as = rows[column].map(mapping)
        quoted = shorten_texts(read_as.astype(str))
        issues.append(
            make_issues(
                rows,
                table,
                "case_mismatch",
                column,
                rows[column],
                f"{column}: read as '" + quoted + "' (the codes differ only in "
                "letter case); write it as in its own table",
                f"{TABLES[table].column(column).vi}: đọc là '" + quoted + "' (mã "
                "chỉ khác chữ hoa/chữ thường); hãy ghi đúng như trong bảng gốc",
            )
        )
        frame = frame.copy()
        frame.loc[hit, column] = read_as
        out[table] = frame
    return out, (pd.concat(issues, ignore_index=True) if issues else empty_issues())


def code_hints(values: pd.Series, keys: pd.Series) -> pd.Series:
    """A hint per unknown reference: the code it would match with its leading zeros back.

    Excel turns a code typed as ``00123`` into the number 123. A digits-only
    value that matches exactly one key once that key's leading zeros are
    dropped gets ``" (did you mean '00123'? …)"``; others get ``""``.

    Examples
    --------
    >>> code_hints(pd.Series(["123", "9"]), pd.Series(["00123", "00124"])).tolist()
    [" (did you mean '00123'? Excel drops the leading zeros of codes typed as numbers: format the column as text)", '']
    """
    padded: dict[str, set[str]] = {}
    for key in pd.unique(keys.dropna()):
        text = str(key)
        if text.isdigit() and text.startswith("0"):
            padded.setdefault(text.lstrip("0") or "0", set()).add(text)

    def hint(value) -> str:
        found = padded.get(str(value).lstrip("0") or "0") if str(value).isdigit() else None
        if not found or len(found) != 1:
            return ""
        return (
            f" (did you mean '{next(iter(found))}'? Excel drops the leading zeros of codes "
            "typed as numbers: format the column as text)"
        )

    return values.map(hint).astype(object)
