"""Cross-table checks about members: register rows against the rolls, rolls
against each other, dues months against membership.

See :mod:`chibo_analysis.checks.cross_table` for how checks are run, and
:func:`chibo_analysis.rules.on_roll` for the membership rule.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chibo_analysis.problems import make_issues
from chibo_analysis.rules import month_number as _month_number
from chibo_analysis.rules import on_roll


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
    joined = members["joined_on"].to_numpy()
    left = members["left_on"].to_numpy()
    # most (member, cell) pairs have one membership row: compare directly
    single = ~pd.Series(right_key).duplicated(keep=False).to_numpy()
    row = pd.Index(right_key[single]).get_indexer(left_key)
    direct = row >= 0
    rows = np.flatnonzero(single)[row[direct]]
    day_d = day[direct]
    ok = np.zeros(len(att), dtype=bool)
    j, lv = joined[rows], left[rows]
    ok[direct] = (np.isnat(j) | (j <= day_d)) & (np.isnat(lv) | (day_d < lv))
    # pairs with several rows (a member who came back to a cell): any row covers the day
    rest = np.flatnonzero(~direct)
    if len(rest):
        where = pd.DataFrame({"_i": rest, "key": left_key[rest], "held_on": day[rest]})
        spans = pd.DataFrame(
            {"key": right_key[~single], "joined_on": joined[~single], "left_on": left[~single]}
        )
        both = where.merge(spans, on="key", how="inner")
        covered = both.loc[on_roll(both, both["held_on"]).to_numpy(), "_i"].unique()
        ok[covered] = True
    ok = pd.Series(ok, index=att.index)
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


def missing_register_rows(meetings, members, attendance) -> pd.DataFrame | None:
    """Members on a meeting cell's roll that day who have no register row for it (warning).

    A blank mark in a paper register means "not on the roll for that meeting"
    (DOMAIN §5); when the roll says the member was, the two records disagree,
    and the member silently drops out of that meeting's attendance. Members
    whose exemption covers the day are not expected; meetings without any
    register row are left to the indicators (they count as not standard). One
    warning per meeting, on its row, listing the members. Computed on integer
    codes (a city: ~900k expected pairs in a fraction of a second).
    """
    if meetings is None or meetings.empty or members is None or members.empty:
        return None
    if attendance is None or attendance.empty:
        return None
    registered = meetings["meeting_id"].isin(attendance["meeting_id"]).to_numpy()
    mt = meetings[registered]
    cells, cell_uniques = pd.factorize(
        pd.concat([mt["cell_id"], members["cell_id"]], ignore_index=True)
    )
    m_cell, r_cell = cells[: len(mt)], cells[len(mt) :]
    ids, id_uniques = pd.factorize(
        pd.concat([members["member_id"], attendance["member_id"]], ignore_index=True)
    )
    r_member, a_member = ids[: len(members)], ids[len(members) :]
    # pairs (meeting, membership row) of the same cell, through integer codes
    left = pd.DataFrame({"cell": m_cell, "m": np.arange(len(mt))})
    right = pd.DataFrame({"cell": r_cell, "r": np.arange(len(members))})
    pairs = left.merge(right, on="cell", how="inner")
    m, r = pairs["m"].to_numpy(), pairs["r"].to_numpy()
    day = mt["held_on"].to_numpy(dtype="datetime64[ns]")[m]
    joined = members["joined_on"].to_numpy(dtype="datetime64[ns]")[r]
    gone = members["left_on"].to_numpy(dtype="datetime64[ns]")[r]
    ex_from = members["exempt_from"].to_numpy(dtype="datetime64[ns]")[r]
    ex_until = members["exempt_until"].to_numpy(dtype="datetime64[ns]")[r]
    on = (np.isnat(joined) | (joined <= day)) & (np.isnat(gone) | (day < gone))
    exempt = ~np.isnat(ex_from) & (ex_from <= day) & (np.isnat(ex_until) | (day <= ex_until))
    keep = on & ~exempt
    m, member = m[keep], r_member[r[keep]]
    # register rows as (meeting position, member code)
    a_pos = pd.Index(mt["meeting_id"]).get_indexer(attendance["meeting_id"])
    ok = a_pos >= 0
    width = np.int64(len(id_uniques) + 1)
    have = np.sort(a_pos[ok].astype(np.int64) * width + a_member[ok])
    want = m.astype(np.int64) * width + member
    if len(have) == 0:
        missing = np.ones(len(want), dtype=bool)
    else:  # sorted search: numpy's hash-based isin is slow on a city's ~900k keys
        at = np.searchsorted(have, want).clip(max=len(have) - 1)
        missing = have[at] != want
    if not missing.any():
        return None
    found = pd.DataFrame(
        {"m": m[missing], "member_id": np.asarray(id_uniques, dtype=object)[member[missing]]}
    ).drop_duplicates()
    names = found.groupby("m", sort=True)["member_id"].agg(lambda s: ", ".join(sorted(map(str, s))))
    rows = mt.iloc[names.index.to_numpy()]
    listed = pd.Series(names.to_numpy(), index=rows.index)
    return make_issues(
        rows,
        "meetings",
        "missing_register_row",
        "member_id",
        listed,
        "members on the cell's roll that day have no register row (a blank mark?): they are "
        "not counted in this meeting's attendance; mark them, or correct their membership dates",
        "đảng viên có tên trong danh sách chi bộ ngày đó nhưng không có dòng điểm danh (ô để "
        "trống?): không được tính vào buổi này; hãy ghi ký hiệu hoặc sửa ngày sinh hoạt",
    )
