"""Topics and minutes text (biên bản) of synthetic meetings, in Vietnamese.

Each minutes text is a header naming the cell and the date, the attendance
as written in the minutes, and sentences drawn at random from variants for
each part of a meeting (review of the month, the thematic talk, discussion,
tasks, closing time). Because the header names the cell and the date, two
honest minutes never coincide; copied minutes are planted separately
(:mod:`chibo_analysis.synth.faults`). Built with vectorised concatenation of
object arrays: no loop over meetings.
"""

from __future__ import annotations

import numpy as np

#: Thematic topics, with the first and last year each was in use.
THEMES = (
    ("Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh về xây dựng Đảng", 2020, 2025),
    ("Nâng cao chất lượng sinh hoạt chi bộ theo Đề án 16-ĐA/TU", 2020, 2025),
    ("Phòng, chống dịch COVID-19 tại cơ sở", 2020, 2021),
    ("Quán triệt Nghị quyết Đại hội đại biểu toàn quốc lần thứ XIII của Đảng", 2021, 2022),
    ("Xây dựng khu dân cư văn minh, đô thị xanh - sạch - đẹp", 2020, 2025),
    ("Chuyển đổi số trong công tác đảng và chính quyền", 2022, 2025),
    ("Công tác phát triển đảng viên ở chi bộ", 2020, 2025),
    ("Phòng, chống tham nhũng, lãng phí, tiêu cực", 2020, 2025),
    ("Bảo vệ nền tảng tư tưởng của Đảng, đấu tranh phản bác quan điểm sai trái", 2020, 2025),
    ("Trách nhiệm nêu gương của cán bộ, đảng viên theo Quy định 08-QĐi/TW", 2020, 2025),
    ("Phát huy vai trò của đảng viên nơi cư trú", 2020, 2025),
    ("Công tác dân vận và thực hiện quy chế dân chủ ở cơ sở", 2020, 2025),
    ("Bảo đảm trật tự an toàn giao thông và phòng cháy, chữa cháy", 2020, 2025),
    ("Phòng, chống thiên tai và ứng phó với biến đổi khí hậu", 2020, 2025),
    ("Sắp xếp tổ chức bộ máy của hệ thống chính trị tinh gọn, hiệu quả", 2025, 2025),
    ("Chuẩn bị đại hội đảng bộ các cấp nhiệm kỳ 2025 - 2030", 2024, 2025),
)
EXTRAORDINARY = (
    "Xem xét kết nạp đảng viên mới",
    "Xem xét công nhận đảng viên chính thức",
    "Kiện toàn cấp ủy chi bộ",
    "Triển khai nhiệm vụ đột xuất của cấp trên",
)
_OPENING = (
    "Chủ trì: đồng chí Bí thư chi bộ; thư ký: đồng chí chi ủy viên.",
    "Đồng chí Bí thư chi bộ chủ trì, đồng chí Phó Bí thư làm thư ký.",
    "Chủ trì hội nghị: đồng chí Bí thư; thư ký hội nghị: đồng chí đảng viên được phân công.",
    "Đồng chí Phó Bí thư chi bộ chủ trì do đồng chí Bí thư đi công tác.",
)
_REVIEW = (
    "Chi bộ đánh giá kết quả lãnh đạo thực hiện nhiệm vụ chính trị tháng trước, nêu rõ ưu điểm và hạn chế.",
    "Đồng chí Bí thư thông báo tình hình thời sự nổi bật trong nước, trong tỉnh và của địa phương.",
    "Chi bộ kiểm điểm việc thực hiện nghị quyết tháng trước; các chỉ tiêu cơ bản đạt kế hoạch.",
    "Chi ủy báo cáo kết quả thực hiện nhiệm vụ, một số việc còn chậm được chỉ rõ nguyên nhân.",
    "Chi bộ nghe thông báo văn bản mới của cấp trên và kết quả thu nộp đảng phí.",
    "Chi bộ rà soát việc thực hiện các nhiệm vụ được giao, đối chiếu với nghị quyết đã đề ra.",
)
_LOCAL = {
    "residential": (
        "Nhân dân trong tổ tích cực tham gia vệ sinh môi trường, giữ gìn an ninh trật tự.",
        "Việc thu quỹ và vận động nhân dân xây dựng khu dân cư văn minh được duy trì.",
        "Tình hình an ninh trật tự trên địa bàn ổn định, không có vụ việc phức tạp.",
        "Công tác hòa giải ở cơ sở được quan tâm, các mâu thuẫn nhỏ được giải quyết kịp thời.",
    ),
    "other": (
        "Cơ quan hoàn thành nhiệm vụ chuyên môn đúng tiến độ, bảo đảm chất lượng.",
        "Đơn vị thực hiện nghiêm giờ giấc làm việc và quy chế văn hóa công sở.",
        "Một số nhiệm vụ chuyên môn còn chậm, cần tập trung chỉ đạo trong tháng tới.",
        "Công tác cải cách hành chính, ứng dụng công nghệ thông tin tiếp tục được đẩy mạnh.",
    ),
}
_THEME_TALK = (
    "Đồng chí báo cáo viên trình bày chuyên đề: ",
    "Chi bộ sinh hoạt chuyên đề, đồng chí Bí thư giới thiệu nội dung: ",
    "Đồng chí chi ủy viên được phân công trình bày chuyên đề: ",
    "Chi bộ thảo luận chuyên đề theo kế hoạch của cấp ủy cấp trên: ",
)
_DISCUSS = (
    "Các đồng chí đảng viên tham gia ý kiến sôi nổi, thẳng thắn.",
    "Có nhiều ý kiến phát biểu, tập trung vào giải pháp khắc phục hạn chế.",
    "Đảng viên thảo luận, đóng góp ý kiến xây dựng nghị quyết của chi bộ.",
    "Một số đảng viên đề xuất cách làm mới, được chi bộ ghi nhận.",
    "Ý kiến thảo luận còn ít, chủ yếu đồng tình với báo cáo của chi ủy.",
    "Chi bộ dành thời gian cho tự phê bình và phê bình, không khí cởi mở.",
)
_TASKS = (
    "Chi bộ thống nhất ra nghị quyết lãnh đạo thực hiện nhiệm vụ tháng tới.",
    "Chi bộ phân công đảng viên phụ trách từng nhiệm vụ cụ thể trong tháng tới.",
    "Nghị quyết tháng tới tập trung vào các nhiệm vụ trọng tâm và thời hạn hoàn thành.",
    "Chi bộ giao chi ủy theo dõi, đôn đốc việc thực hiện nghị quyết.",
    "Đồng chí Bí thư kết luận, giao nhiệm vụ cho các đồng chí đảng viên.",
)
_KIND_PHRASE = {
    "regular": "sinh hoạt thường kỳ",
    "thematic": "sinh hoạt chuyên đề",
    "combined": "sinh hoạt thường kỳ kết hợp sinh hoạt chuyên đề",
    "extraordinary": "sinh hoạt bất thường",
}


def _pick(rng, variants: tuple, n: int) -> np.ndarray:
    return np.array(variants, dtype=object)[rng.integers(0, len(variants), n)]


def _str(values: np.ndarray) -> np.ndarray:
    return values.astype(str).astype(object)


def _str2(values: np.ndarray) -> np.ndarray:
    return np.strings.zfill(values.astype(str), 2).astype(object)


def choose_themes(rng: np.random.Generator, year: np.ndarray) -> np.ndarray:
    """A thematic topic in use in each ``year``."""
    out = np.empty(len(year), dtype=object)
    todo = np.arange(len(year))
    lo = np.array([t[1] for t in THEMES])
    hi = np.array([t[2] for t in THEMES])
    names = np.array([t[0] for t in THEMES], dtype=object)
    while len(todo):
        pick = rng.integers(0, len(THEMES), len(todo))
        ok = (lo[pick] <= year[todo]) & (year[todo] <= hi[pick])
        ok |= (year[todo] < lo.min()) | (year[todo] > hi.max())
        out[todo[ok]] = names[pick[ok]]
        todo = todo[~ok]
    return out


def topics(
    rng: np.random.Generator, kind: np.ndarray, held: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Topic of each meeting and the thematic subject (empty for regular meetings)."""
    d = held.astype("datetime64[D]")
    year = d.astype("datetime64[Y]").astype(int) + 1970
    month = d.astype("datetime64[M]").astype(int) % 12 + 1
    theme = choose_themes(rng, year)
    monthly = "Sinh hoạt thường kỳ tháng " + _str(month) + "/" + _str(year)
    topic = np.where(kind == "regular", monthly, "Chuyên đề: " + theme)
    topic = np.where(kind == "combined", monthly + " kết hợp chuyên đề: " + theme, topic)
    topic = np.where(kind == "extraordinary", _pick(rng, EXTRAORDINARY, len(kind)), topic)
    return topic, np.where(np.isin(kind, ["thematic", "combined"]), theme, "")


def minutes_text(
    rng: np.random.Generator,
    cell_name: np.ndarray,
    residential: np.ndarray,
    kind: np.ndarray,
    held: np.ndarray,
    duration: np.ndarray,
    theme: np.ndarray,
    summoned: np.ndarray,
    present: np.ndarray,
    excused: np.ndarray,
    absent: np.ndarray,
) -> np.ndarray:
    """Minutes text of each meeting (object array of str).

    Examples
    --------
    >>> text = minutes_text(np.random.default_rng(1), np.array(["Chi bộ Thôn 1"], dtype=object),
    ...     np.array([True]), np.array(["regular"]), np.array([19000]), np.array([120]),
    ...     np.array([""], dtype=object), *[np.array([v]) for v in (20, 18, 2, 0)])
    >>> text[0].startswith("Hôm nay, ngày 08 tháng 01 năm 2022, Chi bộ Thôn 1 tổ chức")
    True
    """
    n = len(kind)
    d = held.astype("datetime64[D]")
    months = d.astype("datetime64[M]")
    day = _str2((d - months).astype(np.int64) + 1)
    month = _str2(months.astype(np.int64) % 12 + 1)
    year = _str(months.astype(np.int64) // 12 + 1970)
    start_min = np.where(residential, 19 * 60 + 30, 14 * 60) + 15 * rng.integers(-2, 3, n)
    end_min = start_min + np.asarray(duration, dtype=np.int64)
    phrase = np.array([_KIND_PHRASE[k] for k in kind], dtype=object)
    text = (
        "Hôm nay, ngày "
        + day
        + " tháng "
        + month
        + " năm "
        + year
        + ", "
        + cell_name
        + " tổ chức "
        + phrase
        + ". "
    )
    text = text + _pick(rng, _OPENING, n) + " "
    text = (
        text
        + "Tổng số đảng viên được triệu tập: "
        + _str(summoned)
        + "; có mặt: "
        + _str(present)
        + "; vắng có lý do: "
        + _str(excused)
        + "; vắng không lý do: "
        + _str(absent)
        + ". "
    )
    is_regular = np.isin(kind, ["regular", "combined"])
    local = np.where(
        residential, _pick(rng, _LOCAL["residential"], n), _pick(rng, _LOCAL["other"], n)
    )
    text = text + np.where(is_regular, _pick(rng, _REVIEW, n) + " " + local + " ", "")
    talk = _pick(rng, _THEME_TALK, n) + "«" + theme + "». "
    text = text + np.where(theme != "", talk, "")
    text = text + _pick(rng, _DISCUSS, n) + " " + _pick(rng, _TASKS, n) + " "
    text = (
        text
        + "Buổi sinh hoạt bắt đầu lúc "
        + _str(start_min // 60)
        + " giờ "
        + _str(start_min % 60)
        + " phút, kết thúc lúc "
        + _str(end_min // 60 % 24)
        + " giờ "
        + _str(end_min % 60)
        + " phút cùng ngày."
    )
    return text
