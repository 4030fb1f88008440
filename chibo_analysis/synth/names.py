"""Names for the synthetic city: people, places and organisations.

People's names are a family name, a middle name and a given name drawn
independently at random, so no generated name stands for a real person.
Place names are the 10 wards and 5 communes of Tuyên Quang City in 2022
(DOMAIN.md section 1) for the first committee; further committees (a
province or a nation at ``scale > 1``) get place names made of two common
Sino-Vietnamese syllables.
"""

from __future__ import annotations

import numpy as np

WARDS = (
    "Phan Thiết",
    "Minh Xuân",
    "Tân Quang",
    "Nông Tiến",
    "Ỷ La",
    "Tân Hà",
    "Hưng Thành",
    "Mỹ Lâm",
    "An Tường",
    "Đội Cấn",
)
COMMUNES = ("Tràng Đà", "Kim Phú", "An Khang", "Lưỡng Vượng", "Thái Long")

#: Family names with rough weights (Kinh names and those common among the Tày,
#: Dao and Sán Dìu people of Tuyên Quang).
FAMILY = (
    ("Nguyễn", 30),
    ("Trần", 9),
    ("Lê", 8),
    ("Phạm", 6),
    ("Hoàng", 6),
    ("Vũ", 4),
    ("Đỗ", 3),
    ("Bùi", 3),
    ("Đặng", 3),
    ("Ngô", 2),
    ("Dương", 2),
    ("Đinh", 2),
    ("Lý", 2),
    ("Ma", 3),
    ("Hà", 3),
    ("Nông", 2),
    ("Lương", 2),
    ("Quan", 1),
    ("Triệu", 2),
    ("Bàn", 1),
    ("Lâm", 1),
    ("Mai", 1),
    ("Phan", 2),
    ("Chu", 1),
)
MIDDLE_MALE = (
    "Văn",
    "Đức",
    "Hữu",
    "Quang",
    "Minh",
    "Xuân",
    "Mạnh",
    "Thanh",
    "Công",
    "Tiến",
    "Ngọc",
)
MIDDLE_FEMALE = (
    "Thị",
    "Thị",
    "Thị",
    "Ngọc",
    "Thu",
    "Thanh",
    "Hồng",
    "Minh",
    "Kim",
    "Phương",
    "Bích",
)
GIVEN_MALE = (
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Đạt",
    "Định",
    "Giang",
    "Hải",
    "Hiếu",
    "Hùng",
    "Huy",
    "Khánh",
    "Kiên",
    "Lâm",
    "Long",
    "Mạnh",
    "Nam",
    "Nghĩa",
    "Phong",
    "Phúc",
    "Quân",
    "Sơn",
    "Tài",
    "Thắng",
    "Thành",
    "Thịnh",
    "Tiến",
    "Toàn",
    "Trung",
    "Tuấn",
    "Việt",
    "Vinh",
)
GIVEN_FEMALE = (
    "Anh",
    "Châu",
    "Dung",
    "Duyên",
    "Giang",
    "Hà",
    "Hạnh",
    "Hằng",
    "Hiền",
    "Hoa",
    "Huệ",
    "Hương",
    "Lan",
    "Liên",
    "Linh",
    "Loan",
    "Mai",
    "Minh",
    "Nga",
    "Ngân",
    "Nhung",
    "Oanh",
    "Phương",
    "Quyên",
    "Tâm",
    "Thảo",
    "Thủy",
    "Trang",
    "Tuyết",
    "Vân",
    "Xuân",
    "Yến",
)

#: Syllables for made-up place names of further committees.
SYLLABLES = (
    "An",
    "Bình",
    "Hòa",
    "Phú",
    "Tân",
    "Thành",
    "Trung",
    "Yên",
    "Minh",
    "Kim",
    "Đông",
    "Hưng",
    "Phúc",
    "Thịnh",
    "Xuân",
    "Vĩnh",
    "Lạc",
    "Hồng",
    "Quang",
    "Sơn",
    "Long",
    "Thái",
    "Mỹ",
    "Đức",
    "Hợp",
    "Tiến",
    "Lâm",
    "Khánh",
)


def _pick(rng: np.random.Generator, words: tuple, n: int, weights=None) -> np.ndarray:
    values = np.array(words, dtype=object)
    return values[rng.choice(len(values), size=n, p=weights)]


def person_names(rng: np.random.Generator, female: np.ndarray) -> np.ndarray:
    """Random full names (object array), one per entry of the boolean ``female``.

    Examples
    --------
    >>> names = person_names(np.random.default_rng(0), np.array([True, False]))
    >>> [len(n.split()) for n in names]
    [3, 3]
    """
    n = len(female)
    fam_words, fam_w = zip(*FAMILY, strict=True)
    w = np.array(fam_w, dtype=float)
    family = _pick(rng, fam_words, n, w / w.sum())
    middle = np.where(female, _pick(rng, MIDDLE_FEMALE, n), _pick(rng, MIDDLE_MALE, n))
    given = np.where(female, _pick(rng, GIVEN_FEMALE, n), _pick(rng, GIVEN_MALE, n))
    return family + " " + middle + " " + given


def place_names(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` distinct made-up place names of two syllables."""
    out: list[str] = []
    seen: set[str] = set()
    while len(out) < n:
        a, b = rng.choice(len(SYLLABLES), size=2, replace=False)
        name = f"{SYLLABLES[a]} {SYLLABLES[b]}"
        if name not in seen:
            seen.add(name)
            out.append(name)
    return out
