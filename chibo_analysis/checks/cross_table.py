"""Cross-table checks of a dataset (references, lifetimes, memberships).

Each check takes the tables and the rows already in error, and returns issue
rows (see :mod:`chibo_analysis.problems`). Checks run parents before children:
a row whose parent was set aside is reported as ``rejected_reference``.

Membership follows :func:`chibo_analysis.rules.on_roll`; the checks about
members live in :mod:`chibo_analysis.checks.memberships`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chibo_analysis.checks.memberships import (
    missing_dues_months,
    missing_register_rows,
    outside_membership,
    overlapping_membership,
)
from chibo_analysis.intake.codes import code_hints
from chibo_analysis.problems import make_issues
from chibo_analysis.rules import month_number as _month_number
from chibo_analysis.schema import CELL_LEVELS, TABLES

# Allowed parent levels of each level (None: no parent).
PARENT_LEVELS = {
    "committee": {None, "committee"},
    "base": {"committee"},
    "base_cell": {"committee"},
    "cell": {"base"},
}


def check_all(tables: dict[str, pd.DataFrame], errors: dict[str, set]) -> list[pd.DataFrame]:
    """Run every cross-table check; ``errors`` (table -> index set) is updated."""
    out: list[pd.DataFrame] = []

    def add(frame: pd.DataFrame) -> None:
        if frame is not None and not frame.empty:
            out.append(frame)
            err = frame[frame["action"] == "set_aside"]
            for table, group in err.groupby("table"):
                errors.setdefault(table, set()).update(group["index"].tolist())

    kept: dict[str, tuple[int, pd.DataFrame]] = {}

    def alive(name: str) -> pd.DataFrame | None:
        """The table without the rows set aside so far (recomputed only when that grew)."""
        frame = tables.get(name)
        if frame is None:
            return None
        gone = errors.get(name)
        if not gone:
            return frame
        if name not in kept or kept[name][0] != len(gone):
            kept[name] = (len(gone), frame.drop(index=list(gone), errors="ignore"))
        return kept[name][1]

    orgs = tables["organisations"]
    for frame in check_organisations(orgs, alive):
        add(frame)
    add(_date_order(alive("organisations"), "organisations", "founded_on", "dissolved_on"))
    cells_ok = alive("organisations")
    cells_ok = cells_ok[cells_ok["level"].isin(CELL_LEVELS)]

    members = alive("members")
    add(
        reference(
            members,
            "members",
            "cell_id",
            orgs["org_id"],
            alive("organisations")["org_id"],
            "organisations",
        )
    )
    add(wrong_level(alive("members"), "members", "cell_id", alive("organisations")))
    members = alive("members")
    add(_date_order(members, "members", "joined_on", "left_on"))
    add(_date_order(alive("members"), "members", "admitted_on", "confirmed_on"))
    add(_date_order(alive("members"), "members", "exempt_from", "exempt_until"))
    add(overlapping_membership(alive("members")))

    add(
        reference(
            alive("meetings"),
            "meetings",
            "cell_id",
            orgs["org_id"],
            alive("organisations")["org_id"],
            "organisations",
        )
    )
    add(wrong_level(alive("meetings"), "meetings", "cell_id", alive("organisations")))
    add(outside_lifetime(alive("meetings"), cells_ok))

    meetings_ok = alive("meetings")
    members_ok = alive("members")
    add(
        reference(
            alive("attendance"),
            "attendance",
            "meeting_id",
            tables["meetings"]["meeting_id"],
            meetings_ok["meeting_id"],
            "meetings",
        )
    )
    add(
        reference(
            alive("attendance"),
            "attendance",
            "member_id",
            tables["members"]["member_id"],
            members_ok["member_id"],
            "members",
        )
    )
    add(outside_membership(alive("attendance"), meetings_ok, members_ok))
    add(missing_register_rows(meetings_ok, members_ok, alive("attendance")))

    if tables.get("inspections") is not None:
        add(
            reference(
                alive("inspections"),
                "inspections",
                "meeting_id",
                tables["meetings"]["meeting_id"],
                meetings_ok["meeting_id"],
                "meetings",
            )
        )
    if tables.get("dues") is not None:
        add(
            reference(
                alive("dues"),
                "dues",
                "member_id",
                tables["members"]["member_id"],
                members_ok["member_id"],
                "members",
            )
        )
        add(missing_dues_months(alive("dues"), members_ok))
    subjects_all = pd.concat([tables["members"]["member_id"], orgs["org_id"]])
    subjects_ok = pd.concat([members_ok["member_id"], alive("organisations")["org_id"]])
    for name in ("disciplines", "reviews"):
        if tables.get(name) is not None:
            add(
                reference(
                    alive(name),
                    name,
                    "subject_id",
                    subjects_all,
                    subjects_ok,
                    "members or organisations",
                )
            )
    add(minutes_mismatch(meetings_ok, alive("attendance")))
    return out


def reference(frame, table, column, all_keys, ok_keys, parent) -> pd.DataFrame | None:
    """Rows whose ``column`` names no record (or one set aside) of ``parent``."""
    if frame is None or frame.empty:
        return None
    values = frame[column]
    present = values.notna()
    known = values.isin(all_keys)
    standing = values.isin(ok_keys)
    unknown = frame[present & ~known]
    gone = frame[present & known & ~standing]
    spec = TABLES[table].column(column)
    hints = code_hints(unknown[column], pd.Series(all_keys)) if len(unknown) else ""
    out = [
        make_issues(
            unknown,
            table,
            "unknown_reference",
            column,
            None,
            f"{column}: no such record in {parent}" + hints,
            f"{spec.vi}: không có trong bảng {parent}"
            + (
                hints.str.replace("did you mean", "có phải là", regex=False) if len(unknown) else ""
            ),
        ),
        make_issues(
            gone,
            table,
            "rejected_reference",
            column,
            None,
            f"{column}: the record in {parent} was set aside (see its own issue)",
            f"{spec.vi}: bản ghi trong bảng {parent} đã bị loại (xem lỗi của nó)",
        ),
    ]
    return pd.concat(out, ignore_index=True)


def check_organisations(orgs: pd.DataFrame, alive) -> list[pd.DataFrame]:
    """Unknown parents, cycles of parents, wrong parent levels, and their cascade."""
    out = []
    ids = orgs["org_id"]
    parent = orgs["parent_id"]
    has_parent = parent.notna()
    unknown = orgs[has_parent & ~parent.isin(ids)]
    out.append(
        make_issues(
            unknown,
            "organisations",
            "unknown_reference",
            "parent_id",
            None,
            "parent_id: no such organisation",
            "Mã tổ chức cấp trên: không có tổ chức này",
        )
    )
    in_cycle = _cycle_members(orgs)
    cyc = orgs[in_cycle]
    out.append(
        make_issues(
            cyc,
            "organisations",
            "parent_cycle",
            "parent_id",
            None,
            "parent_id: the chain of parents comes back to this organisation",
            "Mã tổ chức cấp trên: quan hệ cấp trên quay vòng về chính tổ chức này",
        )
    )
    first = alive("organisations").drop(index=unknown.index.union(cyc.index), errors="ignore")
    parent_level = first["parent_id"].map(
        orgs.drop_duplicates("org_id").set_index("org_id")["level"]
    )
    allowed = [
        (p if pd.notna(p) else None) in PARENT_LEVELS.get(lv, set())
        for lv, p in zip(first["level"].astype(object), parent_level.astype(object), strict=True)
    ]
    bad = first[~np.array(allowed, dtype=bool)]
    out.append(
        make_issues(
            bad,
            "organisations",
            "wrong_level",
            "parent_id",
            bad["parent_id"].fillna("") + " (" + parent_level[bad.index].astype(str) + ")",
            "parent_id: a " + bad["level"].astype(str) + " cannot sit under this level",
            "Mã tổ chức cấp trên: sai cấp tổ chức cấp trên",
        )
    )
    # cascade: children of organisations set aside
    gone = set(unknown.index) | set(cyc.index) | set(bad.index)
    standing = orgs.drop(index=list(gone))
    while True:
        orphans = standing[
            standing["parent_id"].notna() & ~standing["parent_id"].isin(standing["org_id"])
        ]
        if orphans.empty:
            break
        out.append(
            make_issues(
                orphans,
                "organisations",
                "rejected_reference",
                "parent_id",
                None,
                "parent_id: the parent organisation was set aside",
                "Mã tổ chức cấp trên: tổ chức cấp trên đã bị loại",
            )
        )
        standing = standing.drop(index=orphans.index)
    return out


def _cycle_members(orgs: pd.DataFrame) -> pd.Series:
    """True for organisations on a cycle of parents (pointer doubling)."""
    ids = orgs["org_id"].to_numpy()
    pos = pd.Series(np.arange(len(ids)), index=ids)
    pos = pos[~pos.index.duplicated()]
    nxt = orgs["parent_id"].map(pos).fillna(-1).to_numpy(dtype=np.int64)
    n = len(ids)
    # after n steps a node not on a cycle has reached the top (-1) or a cycle
    step = nxt.copy()
    hops = 1
    while hops < n:
        step = np.where(step >= 0, step[np.maximum(step, 0)], -1)
        hops *= 2
    on_path = step >= 0  # ends inside a cycle
    if not on_path.any():
        return pd.Series(False, index=orgs.index)
    # a node is on the cycle if walking from it returns to it within n steps
    cycle_nodes = set()
    for start in np.unique(step[on_path]):  # one walk per cycle, not per row
        node, seen = int(start), []
        while node not in seen:
            seen.append(node)
            node = int(nxt[node])
        cycle_nodes.update(seen[seen.index(node) :])
    return pd.Series(np.isin(np.arange(n), list(cycle_nodes)), index=orgs.index)


def wrong_level(frame, table, column, orgs) -> pd.DataFrame | None:
    """Members or meetings attached to an organisation that holds no meetings."""
    if frame is None or frame.empty:
        return None
    level = frame[column].map(orgs.drop_duplicates("org_id").set_index("org_id")["level"])
    bad = frame[level.notna() & ~level.isin(CELL_LEVELS)]
    return make_issues(
        bad,
        table,
        "wrong_level",
        column,
        None,
        f"{column}: not a cell (level cell or base_cell)",
        "Mã chi bộ: không phải chi bộ (chi bộ trực thuộc hoặc chi bộ cơ sở)",
    )


def _date_order(frame, table, early, late) -> pd.DataFrame | None:
    if frame is None or frame.empty:
        return None
    bad = frame[frame[early].notna() & frame[late].notna() & (frame[late] < frame[early])]
    spec_e, spec_l = TABLES[table].column(early), TABLES[table].column(late)
    return make_issues(
        bad,
        table,
        "date_order",
        late,
        None,
        f"{late} is before {early}",
        f"{spec_l.vi} trước {spec_e.vi}",
    )


def outside_lifetime(meetings, cells) -> pd.DataFrame | None:
    """Meetings in a month before the cell's founding month or after its dissolution month."""
    if meetings is None or meetings.empty:
        return None
    life = cells.drop_duplicates("org_id").set_index("org_id")[["founded_on", "dissolved_on"]]
    start = meetings["cell_id"].map(life["founded_on"])
    end = meetings["cell_id"].map(life["dissolved_on"])
    month = _month_number(meetings["held_on"])
    early = start.notna() & (month < _month_number(start))
    late = end.notna() & (month > _month_number(end))
    bad = meetings[(early | late).fillna(False).astype(bool)]
    return make_issues(
        bad,
        "meetings",
        "outside_lifetime",
        "held_on",
        None,
        "held_on: the cell did not exist in that month",
        "Ngày sinh hoạt: chi bộ chưa thành lập hoặc đã giải thể trong tháng này",
    )


def minutes_mismatch(meetings, attendance) -> pd.DataFrame | None:
    """Meetings whose counts in the minutes disagree with the register (warning)."""
    from chibo_analysis.checks.minutes_counts import minutes_mismatches

    if meetings is None or meetings.empty or attendance is None:
        return None
    found = minutes_mismatches(meetings, attendance)
    if found is None or len(found) == 0:
        return None
    bad = meetings.loc[meetings["meeting_id"].isin(found["meeting_id"])]
    detail = found.drop_duplicates("meeting_id").set_index("meeting_id")
    parts = []
    for count in ("n_summoned", "n_present", "n_excused", "n_absent"):
        differs = detail["mismatched"].str.contains(count, regex=False)
        text = (
            count
            + " "
            + detail[count].astype(str)
            + " ≠ "
            + detail["register_" + count[2:]].astype(str)
        )
        parts.append(text.where(differs, ""))
    summary = pd.concat(parts, axis=1).agg(lambda r: "; ".join(x for x in r if x), axis=1)
    first = detail["mismatched"].str.split(", ").str[0]
    return make_issues(
        bad,
        "meetings",
        "minutes_mismatch",
        "n_summoned",
        bad["meeting_id"].map(summary),
        "counts in the minutes disagree with the register",
        "số liệu trong biên bản không khớp với điểm danh",
    ).assign(column=bad["meeting_id"].map(first).to_numpy())
