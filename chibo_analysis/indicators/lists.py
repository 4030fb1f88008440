"""The lists behind the scorecard's counts, each a function returning a DataFrame.

Every row names the record it rests on: ``_file`` and ``_row`` are the file
(relative to the dataset folder) and the row as the user sees it (header =
row 1) of the list's *primary* record: the meeting for meeting lists, the
membership row for member lists, the organisation row for cell and base
lists. Where a finding also rests on other records (register rows, dues
rows, reviews), ``evidence`` lists them as ``file:row; file:row``.

The registry :data:`LISTS` maps each list's CLI name to its function;
:func:`run_list` calls one by name. The
list ``minutes_mismatches`` rests on :mod:`chibo_analysis.checks.minutes_counts`,
which the validator shares.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable

import pandas as pd

from chibo_analysis.checks.minutes_counts import minutes_mismatches  # noqa: F401
from chibo_analysis.errors import ParameterError, check_argument
from chibo_analysis.labels import label

from . import engine, standards
from . import lists_cells as sc
from . import lists_members as sm
from .evidence import join_evidence, list_context, period_meetings
from .periods import Period


def failing_meetings(
    dataset, period: str | int | Period, org_id: str | None = None, *, lang: str = "vi"
) -> pd.DataFrame:
    """Meetings of the period that fail R3 (too short) or R4 (attendance standard).

    Returns one row per failing meeting: ``meeting_id``, ``cell_id``,
    ``held_on``, ``kind``, ``duration_min``, ``self_rating``, ``present``,
    ``counted`` (register rows not left out), ``reasons`` (codes:
    ``r3_short``, ``r4_no_register``, ``r4_presence``, ``r4_unexcused``,
    ``r4_excused_run``), ``reason_text`` (in ``lang``: ``"vi"`` or ``"en"``),
    the meeting's ``_file``/``_row`` and ``evidence`` (the register rows of
    unexcused absences and of 4th+ excused absences).
    """
    check_argument("lang", lang, ("vi", "en"))
    ds, period, inside = list_context(dataset, period, org_id)
    mt = period_meetings(ds, period, inside)
    reg = engine.year_register(ds, period)
    f = engine.meeting_facts(ds, period).loc[mt["meeting_id"]].set_axis(mt.index)
    failing = f["short"] | ~f["standard"]
    mt, f = mt[failing], f[failing]

    run_pos = reg["run_pos"]
    streak = reg[
        (run_pos > standards.R4_MAX_EXCUSED_RUN) & reg["meeting_id"].isin(mt["meeting_id"])
    ]
    who = streak.groupby("meeting_id")["member_id"].agg(", ".join)
    bad_rows = reg[
        reg["meeting_id"].isin(mt["meeting_id"])
        & (
            (run_pos > standards.R4_MAX_EXCUSED_RUN)
            | (reg["status"].eq("absent") & ~reg["left_out"])
        )
    ]
    ev = join_evidence(bad_rows, ["meeting_id"]).set_index("meeting_id")["evidence"]

    parts = {
        "r3_short": (
            f["short"],
            _fmt("r3_short", lang, min=f["min_minutes"], dur=mt["duration_min"]),
        ),
        "r4_no_register": (f["n_counted"] == 0, _fmt("r4_no_register", lang)),
        "r4_presence": (
            f["low_presence"] & (f["n_counted"] > 0),
            _fmt("r4_presence", lang, p=f["n_present"], n=f["n_counted"]),
        ),
        "r4_unexcused": (f["n_absent"] > 0, _fmt("r4_unexcused", lang, a=f["n_absent"])),
        "r4_excused_run": (
            f["n_streak"] > 0,
            _fmt("r4_excused_run", lang, who=mt["meeting_id"].map(who).astype(object).fillna("")),
        ),
    }
    codes = pd.Series("", index=mt.index)
    texts = pd.Series("", index=mt.index)
    for code, (mask, text) in parts.items():
        codes = codes.where(~mask, codes + ", " + code)
        texts = texts.where(~mask, texts + "; " + text)
    out = pd.DataFrame(
        {
            "meeting_id": mt["meeting_id"],
            "cell_id": mt["cell_id"],
            "held_on": mt["held_on"],
            "kind": mt["kind"].astype("object"),
            "duration_min": mt["duration_min"],
            "self_rating": mt["self_rating"].astype("object"),
            "present": f["n_present"],
            "counted": f["n_counted"],
            "reasons": codes.str.lstrip(", "),
            "reason_text": texts.str.lstrip("; "),
            "_file": mt["_file"].astype(str),
            "_row": mt["_row"].astype("int64"),
            "evidence": mt["meeting_id"].map(ev).fillna(""),
        }
    )
    return out.sort_values(["cell_id", "held_on", "meeting_id"]).reset_index(drop=True)


def _fmt(key: str, lang: str, **values: pd.Series) -> pd.Series | str:
    """The catalogue's reason text ``reason.<key>``, one per row from Series of values (vectorised)."""
    pieces = re.split(r"\{(\w+)\}", label(f"reason.{key}", lang))
    if not values:
        return "".join(pieces)
    index = next(iter(values.values())).index
    text = pd.Series(pieces[0], index=index)
    for name, literal in zip(pieces[1::2], pieces[2::2], strict=True):
        text = text + values[name].astype(str) + literal
    return text


def implausible_good(
    dataset, period: str | int | Period, org_id: str | None = None, *, lang: str = "vi"
) -> pd.DataFrame:
    """Meetings the cell rated Tốt although they fail R3 or R4, with why.

    Same columns as :func:`failing_meetings`, restricted to meetings rated good.
    """
    out = failing_meetings(dataset, period, org_id, lang=lang)
    return out[out["self_rating"] == "good"].reset_index(drop=True)


def minutes_list(dataset, period: str | int | Period, org_id: str | None = None) -> pd.DataFrame:
    """:func:`minutes_mismatches` for the meetings of the period within ``org_id``."""
    ds, period, inside = list_context(dataset, period, org_id)
    return minutes_mismatches(period_meetings(ds, period, inside), ds.attendance)


def _lists() -> dict[str, Callable[..., pd.DataFrame]]:
    return {
        "r6_meetings": sm.r6_meetings,
        "r6_dues": sm.r6_dues,
        "excused_streaks": sm.excused_streaks,
        "failing_meetings": failing_meetings,
        "implausible_good": implausible_good,
        "minutes_mismatches": minutes_list,
        "probation_overdue": sm.probation_overdue,
        "exemption_age": sm.exemption_age,
        "small_residential": sc.small_residential,
        "no_admissions": sc.no_admissions,
        "r9_cap": sc.r9_cap,
        "inflated_ratings": sc.inflated_ratings,
    }


#: Names of the lists, in the order the CLI shows them.
LISTS = (
    "r6_meetings", "r6_dues", "excused_streaks", "failing_meetings", "implausible_good",
    "minutes_mismatches", "probation_overdue", "exemption_age", "small_residential",
    "no_admissions", "r9_cap", "inflated_ratings",
)  # fmt: skip


def run_list(
    name: str, dataset, period: str | int | Period, org_id: str | None = None, **options
) -> pd.DataFrame:
    """Compute the list called ``name`` (one of :data:`LISTS`).

    ``options`` go to the list's function (e.g. ``lang="en"``).
    """
    check_argument("list", name, LISTS)
    func = _lists()[name]
    accepted = inspect.signature(func).parameters
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        raise ParameterError(
            f"list {name!r} does not take option(s) {unknown}; it takes "
            f"{[p for p in accepted if p not in ('dataset', 'period', 'org_id')]}"
        )
    return func(dataset, period, org_id, **options)
