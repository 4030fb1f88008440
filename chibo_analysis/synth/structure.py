"""The organisations of one committee (a city): bases, cells and their lifetimes.

Dates are whole days since 1970-01-01 (``int64``) throughout the generator;
:data:`OPEN` stands for "no date" at the end of an interval (not dissolved,
not left) and :data:`PAST` for "long before the period" at its start.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from chibo_analysis.synth.names import COMMUNES, WARDS, place_names

OPEN = 10**6
PAST = -(10**6)

#: Day the 2025 reorganisation took effect (merged cells are founded that day).
MERGE_DAY = int(np.datetime64("2025-07-01", "D").astype(np.int64))

#: Cells per base (relative) and cell size at the calibration date (mean) by kind.
CELLS_PER_BASE = {
    "ward": 17,
    "commune": 21,
    "agency": 8,
    "armed_forces": 6,
    "public_service": 5,
    "enterprise": 4,
    "base_cell": 0,
}
MEAN_SIZE = {
    "residential": 34,
    "agency": 20,
    "armed_forces": 22,
    "public_service": 18,
    "enterprise": 14,
    "other": 16,
}
BASE_CELL_SIZE = 26

# Priority order of the city's 33 base organisations: the first n give a mix.
_ORDER = "W A W B C F W B W P C B W A B W F C B W E B W A C B W P B W C B B".split()
_BASE_NAMES = {
    "A": (
        "Đảng bộ Cơ quan Chính quyền {city}",
        "Đảng bộ các cơ quan Đảng - Đoàn thể {city}",
        "Đảng bộ Cơ quan Ủy ban Mặt trận Tổ quốc {city}",
    ),
    "F": ("Đảng bộ Quân sự {city}", "Đảng bộ Công an {city}"),
    "P": ("Đảng bộ Trung tâm Y tế {city}", "Đảng bộ Ban Quản lý dự án đầu tư xây dựng {city}"),
    "E": ("Đảng bộ Công ty Cổ phần Môi trường và Dịch vụ đô thị {city}",),
}
_BASE_CELLS = (
    ("public_service", "Chi bộ Trung tâm Văn hóa - Thông tin {city}"),
    ("agency", "Chi bộ Ngân hàng Chính sách xã hội {city}"),
    ("agency", "Chi bộ Chi cục Thuế {city}"),
    ("public_service", "Chi bộ Trung tâm Giáo dục nghề nghiệp {city}"),
    ("agency", "Chi bộ Kho bạc Nhà nước {city}"),
    ("enterprise", "Chi bộ Công ty Quản lý thủy lợi {city}"),
    ("agency", "Chi bộ Tòa án nhân dân {city}"),
    ("public_service", "Chi bộ Ban Quản lý các khu du lịch {city}"),
    ("agency", "Chi bộ Viện Kiểm sát nhân dân {city}"),
    ("enterprise", "Chi bộ Hợp tác xã Dịch vụ nông nghiệp {city}"),
)
_KIND_OF = {
    "W": "residential",
    "C": "residential",
    "A": "agency",
    "F": "armed_forces",
    "P": "public_service",
    "E": "enterprise",
}
_WEIGHT_OF = {
    "W": "ward",
    "C": "commune",
    "A": "agency",
    "F": "armed_forces",
    "P": "public_service",
    "E": "enterprise",
}
_WARD_CELLS = (
    ("agency", "Chi bộ Cơ quan {p}"),
    ("armed_forces", "Chi bộ Quân sự {p}"),
    ("public_service", "Chi bộ Trường Tiểu học {p}"),
    ("armed_forces", "Chi bộ Công an {p}"),
    ("public_service", "Chi bộ Trường Mầm non {p}"),
    ("public_service", "Chi bộ Trường Trung học cơ sở {p}"),
    ("public_service", "Chi bộ Trạm Y tế {p}"),
)
_UNIT_NAMES = {
    "agency": (
        "Văn phòng",
        "Phòng Nội vụ",
        "Phòng Tài chính - Kế hoạch",
        "Phòng Tư pháp",
        "Phòng Kinh tế",
        "Phòng Quản lý đô thị",
        "Phòng Tài nguyên và Môi trường",
        "Phòng Giáo dục và Đào tạo",
        "Phòng Văn hóa và Thông tin",
        "Thanh tra",
        "Ban Tổ chức",
        "Ban Tuyên giáo",
        "Ủy ban Kiểm tra",
        "Ban Dân vận",
    ),
    "armed_forces": (
        "Ban Chỉ huy",
        "Đội Cảnh sát giao thông",
        "Đội Cảnh sát hình sự",
        "Đội Tham mưu",
        "Đội An ninh",
        "Trung đội Cơ động",
        "Hậu cần",
    ),
    "public_service": (
        "Khoa Khám bệnh",
        "Khoa Nội",
        "Khoa Ngoại",
        "Khoa Sản",
        "Khoa Nhi",
        "Khoa Dược",
        "Phòng Kế hoạch",
        "Ban Điều hành dự án",
    ),
    "enterprise": ("Phân xưởng Vệ sinh", "Đội Cây xanh", "Phòng Kỹ thuật", "Đội Chiếu sáng"),
}


@dataclass(frozen=True)
class Structure:
    """One committee's organisations.

    ``orgs`` holds the organisations table (dates as day numbers, ``PAST``
    meaning unknown founding, ``OPEN`` not dissolved). ``cells`` holds the
    meeting-holding units (levels ``cell`` and ``base_cell``), indexed 0..n-1,
    with the generator's working columns.
    """

    orgs: pd.DataFrame
    cells: pd.DataFrame


def _dates_in(rng, lo: int, hi: int, n: int, day_from: int = 2, day_to: int = 25) -> np.ndarray:
    """Random days in [lo, hi] whose day of month lies in [day_from, day_to]."""
    out = rng.integers(lo, hi + 1, size=n)
    dom = out.astype("datetime64[D]") - out.astype("datetime64[D]").astype("datetime64[M]")
    dom = dom.astype(np.int64) + 1
    return out + np.clip(day_from - dom, 0, None) - np.clip(dom - day_to, 0, None)


def apportion(raw: np.ndarray, total: int, minimum: np.ndarray) -> np.ndarray:
    """Integers proportional to ``raw``, each at least ``minimum``, summing to ``total``.

    Examples
    --------
    >>> apportion(np.array([1.0, 1.0, 2.0]), 10, np.array([1, 1, 1])).tolist()
    [3, 2, 5]
    """
    if total < minimum.sum():
        raise ValueError(f"cannot apportion {total} with minimum {int(minimum.sum())}")
    lo, hi = 0.0, total / max(raw.sum(), 1e-9) * 4 + 1
    for _ in range(60):
        f = (lo + hi) / 2
        if np.maximum(minimum, np.floor(raw * f)).sum() > total:
            hi = f
        else:
            lo = f
    out = np.maximum(minimum, np.floor(raw * lo)).astype(np.int64)
    frac = raw * lo - np.floor(raw * lo)
    order = np.argsort(-frac, kind="stable")
    i = 0
    while out.sum() < total:
        out[order[i % len(out)]] += 1
        i += 1
    return out


def build_structure(
    rng: np.random.Generator,
    k: int,
    n_bases: int,
    n_cells: int,
    n_members: int,
    start: int,
    end: int,
    cal: int,
    small_share: float,
    no_adm_share: float,
) -> Structure:
    """Organisations of committee ``k`` (0 is Tuyên Quang City).

    On day ``cal`` exactly ``n_bases`` base organisations, ``n_cells`` cells
    under them and ``n_members`` members on the rolls (the sizes returned in
    ``cells.size`` sum to it); more cells are dissolved before, founded after
    and, from 1 July 2025, merged.
    """
    prefix = f"H{k + 1:03d}"
    if k == 0:
        city, city_name = "thành phố", "Đảng bộ Thành phố Tuyên Quang"
        wards, communes = list(WARDS), list(COMMUNES)
    else:
        places = place_names(rng, 1 + 40)
        city, city_name = f"huyện {places[0]}", f"Đảng bộ huyện {places[0]}"
        wards, communes = places[1:11], places[11:]
    org_rows = [(prefix, city_name, "", "committee", None, PAST, OPEN)]
    bases = []  # (org_id, level, code, kind, name, place)
    counters = {c: 0 for c in "WCAFPEB"}
    for i in range(n_bases):
        code = _ORDER[i % len(_ORDER)] if i < len(_ORDER) else "C"
        j = counters[code]
        counters[code] += 1
        base_id = f"{prefix}-B{i + 1:02d}"
        if code == "W" and j < len(wards):
            name, place, level = f"Đảng bộ phường {wards[j]}", wards[j], "base"
        elif code in "WC":
            pool = communes if code == "C" else wards
            place = pool[j % len(pool)] + ("" if j < len(pool) else f" {j // len(pool) + 1}")
            code, name, level = "C", f"Đảng bộ xã {place}", "base"
        elif code == "B":
            kind, pattern = _BASE_CELLS[j % len(_BASE_CELLS)]
            name = pattern.format(city=city) + ("" if j < len(_BASE_CELLS) else f" {j + 1}")
            bases.append((base_id, "base_cell", code, kind, name, ""))
            continue
        else:
            names = _BASE_NAMES[code]
            name = names[j % len(names)].format(city=city) + ("" if j < len(names) else f" {j + 1}")
            place, level = "", "base"
        bases.append((base_id, level, code, _KIND_OF[code], name, place))
    for base_id, level, _code, kind, name, _p in bases:
        org_rows.append((base_id, name, prefix, level, kind, PAST, OPEN))

    # cells alive on the calibration date, apportioned to the bases
    holders = [b for b in bases if b[1] == "base"]
    weights = np.array([CELLS_PER_BASE[_WEIGHT_OF[b[2]]] for b in holders], dtype=float)
    per_base = (
        apportion(weights, n_cells, np.ones(len(holders), dtype=np.int64))
        if holders
        else np.zeros(0, dtype=np.int64)
    )
    cells = []  # dict rows
    for (base_id, _level, code, kind, _name, place), count in zip(holders, per_base, strict=True):
        if kind == "residential":
            n_other = min(len(_WARD_CELLS), int(round(count * 0.2)))
            for i in range(count):
                if i < n_other:
                    ckind, pattern = _WARD_CELLS[i]
                    cname = pattern.format(p=place)
                else:
                    ckind = "residential"
                    unit = "Tổ dân phố" if code == "W" else "Thôn"
                    cname = f"Chi bộ {unit} {i - n_other + 1}"
                cells.append(dict(base_id=base_id, kind=ckind, name=cname))
        else:
            units = _UNIT_NAMES[kind]
            for i in range(count):
                cname = f"Chi bộ {units[i % len(units)]}" + ("" if i < len(units) else f" {i + 1}")
                cells.append(dict(base_id=base_id, kind=kind, name=cname))
    for b in bases:
        if b[1] == "base_cell":
            cells.append(dict(base_id=b[0], kind=b[3], name=b[4], org_id=b[0], level="base_cell"))
    cells = pd.DataFrame(cells)
    if "org_id" not in cells:
        cells["org_id"] = np.nan
        cells["level"] = np.nan
    is_cell = cells["level"].isna().to_numpy()
    cells["level"] = np.where(is_cell, "cell", cells["level"])
    n = len(cells)
    cells["at_cal"] = True
    founded = np.where(rng.random(n) < 0.6, _dates_in(rng, start - 45 * 365, start - 400, n), PAST)
    new = is_cell & (rng.random(n) < 0.04) & (cal - start > 120)
    founded = np.where(new, _dates_in(rng, start, cal - 60, n), founded)
    cells["founded"] = founded
    cells["dissolved"] = OPEN
    cells["successor"] = -1
    res = (cells["kind"] == "residential").to_numpy() & is_cell
    small = res & (rng.random(n) < small_share) & ~new
    cells["small"] = small
    cells["no_adm"] = rng.random(n) < no_adm_share
    raw = rng.lognormal(np.log(cells["kind"].map(MEAN_SIZE).fillna(BASE_CELL_SIZE)), 0.45)
    raw = np.where(is_cell, raw, rng.lognormal(np.log(BASE_CELL_SIZE), 0.35, n))
    sizes = np.where(small, rng.integers(3, 5, n), 0)
    minimum = np.where(res, 10, 6)
    free = ~small
    sizes[free] = apportion(raw[free], n_members - int(sizes.sum()), minimum[free])
    cells["size"] = sizes

    extra = []
    base_of = cells["base_id"].to_numpy()
    # cells dissolved before the calibration date: members move to a sibling
    if cal - start > 240 and len(holders):
        for i in range(int(round(0.015 * n_cells))):
            pos = int(rng.integers(0, n))
            if not is_cell[pos]:
                continue
            sib = np.flatnonzero((base_of == base_of[pos]) & is_cell & (founded < start) & ~small)
            if len(sib) == 0:
                continue
            d = int(_dates_in(rng, start + 60, cal - 60, 1, 10, 25)[0])
            extra.append(
                dict(
                    base_id=base_of[pos],
                    kind=cells.at[pos, "kind"],
                    name=f"{cells.at[pos, 'name']} (cũ {i + 1})",
                    level="cell",
                    at_cal=False,
                    founded=PAST,
                    dissolved=d,
                    successor=int(rng.choice(sib)),
                    small=False,
                    no_adm=False,
                    size=int(max(6, raw[pos])),
                )
            )
    # cells founded after the calibration date (new agencies, enterprises)
    if end - cal > 400 and len(holders):
        for _ in range(int(round(0.01 * n_cells))):
            h = holders[int(rng.integers(0, len(holders)))]
            kind = h[3] if h[3] != "residential" else "enterprise"
            d = int(_dates_in(rng, cal + 60, end - 200, 1)[0])
            units = _UNIT_NAMES[kind]
            extra.append(
                dict(
                    base_id=h[0],
                    kind=kind,
                    level="cell",
                    at_cal=False,
                    founded=d,
                    name=f"Chi bộ {units[int(rng.integers(0, len(units)))]} (mới)",
                    dissolved=OPEN,
                    successor=-1,
                    small=False,
                    no_adm=False,
                    size=int(rng.integers(6, 15)),
                )
            )
    # the 2025 reorganisation: pairs of residential cells of a base merge
    if cal < MERGE_DAY <= end - 31:
        merge_cand = res & ~small & ~new
        for base_id in pd.unique(base_of[merge_cand]):
            pool = np.flatnonzero(merge_cand & (base_of == base_id))
            m = len(pool) // 10
            chosen = rng.permutation(pool)[: 2 * m].reshape(m, 2) if m else []
            for a, b in chosen:
                new_pos = n + len(extra)
                for p in (a, b):
                    cells.at[p, "dissolved"] = MERGE_DAY - 1
                    cells.at[p, "successor"] = new_pos
                extra.append(
                    dict(
                        base_id=base_id,
                        kind="residential",
                        level="cell",
                        at_cal=False,
                        founded=MERGE_DAY,
                        dissolved=OPEN,
                        successor=-1,
                        name=f"{cells.at[a, 'name']} - {cells.at[b, 'name'][7:]} (sáp nhập)",
                        small=False,
                        no_adm=False,
                        size=0,
                    )
                )
    if extra:
        cells = pd.concat([cells, pd.DataFrame(extra)], ignore_index=True)
    # ids: cells numbered within their base
    is_cell = (cells["level"] == "cell").to_numpy()
    seq = cells.groupby("base_id", sort=False).cumcount() + 1
    cells["org_id"] = np.where(
        is_cell, cells["base_id"] + "-C" + seq.map("{:03d}".format), cells["org_id"]
    )
    for r in cells.itertuples():
        if r.level == "cell":
            org_rows.append((r.org_id, r.name, r.base_id, "cell", r.kind, r.founded, r.dissolved))
    orgs = pd.DataFrame(
        org_rows,
        columns=["org_id", "name", "parent_id", "level", "kind", "founded_on", "dissolved_on"],
    )
    # base_cells carry their founding/dissolution in the orgs table too
    bc = cells[cells["level"] == "base_cell"].set_index("org_id")
    mask = orgs["org_id"].isin(bc.index)
    orgs.loc[mask, "founded_on"] = bc.loc[orgs.loc[mask, "org_id"], "founded"].to_numpy()
    orgs = orgs.sort_values("org_id", kind="stable").reset_index(drop=True)
    cells = cells.astype(
        {
            "founded": np.int64,
            "dissolved": np.int64,
            "successor": np.int64,
            "size": np.int64,
            "small": bool,
            "no_adm": bool,
            "at_cal": bool,
        }
    )
    return Structure(orgs=orgs, cells=cells)
