"""Cross-table checks of a dataset (references, lifetimes, memberships).

Each check takes the tables and the rows already in error, and returns issue
rows (see :mod:`chibo_analysis.report`). Checks run parents before children:
a row whose parent was set aside is reported as ``rejected_reference``.

Membership is half-open: a member is on a cell's roll on day ``d`` when
``joined_on <= d`` (or ``joined_on`` is empty: since before the records) and
``left_on`` is empty or ``d < left_on``. A transfer on day ``d`` thus puts
the member on the new roll, not the old one, that day.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chibo_analysis.report import make_issues
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
            err = frame[frame["severity"] == "error"]
            for table, group in err.groupby("table"):
                errors.setdefault(table, set()).update(group["index"].tolist())

    def alive(name: str) -> pd.DataFrame | None:
        frame = tables.get(name)
        if frame is None:
            return None
        gone = errors.get(name)
        return frame.drop(index=list(gone), errors="ignore") if gone else frame

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
    out = [
        make_issues(
            unknown,
            table,
            "unknown_reference",
            column,
            None,
            f"{column}: no such record in {parent}",
            f"{spec.vi}: không có trong bảng {parent}",
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


def _month_number(dates: pd.Series) -> pd.Series:
    """year * 12 + month - 1 of each date (NaN where empty), computed on the numpy values."""
    values = dates.to_numpy(dtype="datetime64[ns]")
    months = values.astype("datetime64[M]").astype(np.int64).astype(float) + 1970 * 12
    months[np.isnat(values)] = np.nan
    return pd.Series(months, index=dates.index)


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


def on_roll(members: pd.DataFrame, day: pd.Series) -> pd.Series:
    """Whether each members row covers the aligned ``day`` (half-open membership)."""
    joined = members["joined_on"]
    left = members["left_on"]
    return ((joined.isna() | (joined <= day)) & (left.isna() | (day < left))).fillna(False)


def _pair_codes(left_a, left_b, right_a, right_b) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of (a, b) pairs, shared between a left and a right frame."""
    a_codes, _ = pd.factorize(pd.concat([left_a, right_a], ignore_index=True))
    b_codes, b_uniques = pd.factorize(pd.concat([left_b, right_b], ignore_index=True))
    pair = a_codes.astype(np.int64) * (len(b_uniques) + 1) + b_codes
    return pair[: len(left_a)], pair[len(left_a) :]


def outside_membership(attendance, meetings, members) -> pd.DataFrame | None:
    """Register rows for a member who was not on the meeting cell's roll that day."""
    if attendance is None or attendance.empty:
        return None
    pos = pd.Index(meetings["meeting_id"]).get_indexer(attendance["meeting_id"])
    found = pos >= 0
    att = attendance[found]
    pos = pos[found]
    cell = meetings["cell_id"].to_numpy(dtype=object)[pos]
    day = meetings["held_on"].to_numpy()[pos]
    left_key, right_key = _pair_codes(
        att["member_id"].reset_index(drop=True),
        pd.Series(cell, dtype=object),
        members["member_id"].reset_index(drop=True),
        members["cell_id"].reset_index(drop=True),
    )
    where = pd.DataFrame({"_idx": att.index.to_numpy(), "key": left_key, "held_on": day})
    spans = pd.DataFrame(
        {
            "key": right_key,
            "joined_on": members["joined_on"].to_numpy(),
            "left_on": members["left_on"].to_numpy(),
        }
    )
    both = where.merge(spans, on="key", how="left", indicator=True)
    both["ok"] = (both["_merge"] == "both") & on_roll(both, both["held_on"])
    ok = both.groupby("_idx", sort=False)["ok"].any()
    bad_idx = ok.index[~ok.to_numpy()]
    if len(bad_idx) == 0:
        return None
    bad = attendance.loc[bad_idx]
    at = pd.Series(np.arange(len(att)), index=att.index).loc[bad_idx].to_numpy()
    value = (
        bad["member_id"].astype(str)
        + " @ "
        + cell[at].astype(str)
        + " "
        + pd.Series(day[at]).dt.strftime("%d/%m/%Y").to_numpy()
    )
    return make_issues(
        bad,
        "attendance",
        "outside_membership",
        "member_id",
        value,
        "member_id: not on the roll of the meeting's cell on the meeting date",
        "Mã đảng viên: không có tên trong chi bộ vào ngày sinh hoạt",
    )


def overlapping_membership(members) -> pd.DataFrame | None:
    """Members rows that overlap another row of the same member (two rolls at once)."""
    if members is None or len(members) < 2:
        return None
    m = members[["member_id", "joined_on", "left_on"]].copy()
    m["_idx"] = m.index
    far = pd.Timestamp("2262-01-01")
    m["start"] = m["joined_on"].fillna(pd.Timestamp("1900-01-01"))
    m["end"] = m["left_on"].fillna(far)
    m = m.sort_values(["member_id", "start", "end"])
    prev_end = m.groupby("member_id", sort=False)["end"].shift()
    prev_max = prev_end.groupby(m["member_id"], sort=False).cummax()
    bad = members.loc[m.loc[prev_max.notna() & (m["start"] < prev_max), "_idx"]]
    return make_issues(
        bad,
        "members",
        "overlapping_membership",
        "joined_on",
        None,
        "joined_on: the member is still on another roll at this date",
        "Ngày chuyển đến chi bộ: đảng viên vẫn còn tên ở chi bộ khác",
    )


def missing_dues_months(dues, members) -> pd.DataFrame | None:
    """Months of membership (within the dues table's span) with no dues row."""
    if dues is None or dues.empty or members.empty:
        return None
    lo, hi = _month_number(dues["month"]).min(), _month_number(dues["month"]).max()
    start = _month_number(members["joined_on"]).fillna(lo).clip(lower=lo)
    last_day = members["left_on"] - pd.Timedelta(days=1)
    end = _month_number(last_day).fillna(hi).clip(upper=hi)
    n = (end - start + 1).clip(lower=0).astype("int64").to_numpy()
    pos = np.repeat(np.arange(len(members)), n)
    offsets = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    month = np.repeat(start.astype("int64").to_numpy(), n) + offsets
    # one integer key per (member, month), shared by both sides
    ids, _ = pd.factorize(pd.concat([members["member_id"], dues["member_id"]], ignore_index=True))
    span = int(hi - lo + 1)
    need_key = ids[: len(members)][pos].astype(np.int64) * span + (month - lo)
    due_month = _month_number(dues["month"]).to_numpy(dtype=np.int64)
    have_key = ids[len(members) :].astype(np.int64) * span + (due_month - lo)
    last = ~pd.Series(need_key).duplicated(keep="last").to_numpy()  # a transfer month once
    found = pd.Index(np.unique(have_key)).get_indexer(need_key) >= 0
    lacking = last & ~found
    missing = pd.DataFrame({"_idx": members.index.to_numpy()[pos[lacking]], "m": month[lacking]})
    if missing.empty:
        return None
    label = (
        (missing["m"] // 12).astype(str) + "-" + (missing["m"] % 12 + 1).astype(str).str.zfill(2)
    )
    per_row = label.groupby(missing["_idx"]).agg(", ".join)
    bad = members.loc[per_row.index]
    return make_issues(
        bad,
        "members",
        "missing_dues_month",
        "member_id",
        bad["member_id"].astype(str) + ": " + per_row.to_numpy(),
        "no dues row for these months of membership",
        "không có dòng đảng phí cho các tháng này",
    )


def minutes_mismatch(meetings, attendance) -> pd.DataFrame | None:
    """Meetings whose counts in the minutes disagree with the register (warning)."""
    from chibo_analysis.indicators.screens import minutes_mismatches

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
