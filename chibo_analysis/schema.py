"""The dataset's tables, declared once (DOMAIN.md section 3).

This module only *declares*: each table, its columns, their kinds, whether
they are required, the allowed values and the Vietnamese aliases of headers,
table names and category values. The loader (:mod:`chibo_analysis.intake.load`),
the validator (:mod:`chibo_analysis.checks.validation`), the data-format docs and the
Excel template all read this declaration; none of them repeats it.

Column kinds and the pandas dtype each one is loaded as:

========== ==================================== ============================
kind       accepted input                       dtype
========== ==================================== ============================
``id``     any text (trimmed)                   ``str``
``text``   any text                             ``str``
``category`` code or Vietnamese label            ``category`` (English codes)
``date``   ISO, ``03/01/2022`` (day first),     ``datetime64[ns]``
           Excel date cells
``month``  ``2022-03``, ``03/2022``, a date     ``datetime64[ns]`` (1st day)
``int``    whole number                         ``Int64``
``amount`` ``50.000`` = 50000 đồng              ``Int64``
``bool``   Có/Không, yes/no                     ``boolean``
========== ==================================== ============================
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

KINDS = ("id", "text", "category", "date", "month", "int", "amount", "bool")


def fold(text: str) -> str:
    """Fold text for lenient matching: no diacritics, lower case, single spaces.

    Punctuation becomes a space, so ``"Thời lượng (phút)"`` matches
    ``"thoi luong phut"`` and ``"duration_min"`` matches ``"Duration min"``.

    Examples
    --------
    >>> fold("  Vắng có LÝ DO ")
    'vang co ly do'
    >>> fold("Đảng_viên")
    'dang vien'
    """
    text = unicodedata.normalize("NFD", str(text))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    text = text.replace("đ", "d").replace("Đ", "D").lower()
    return re.sub(r"[\W_]+", " ", text).strip()


#: Invisible characters that offices' files carry inside codes and labels
#: (zero-width spaces and joiners, the BOM, soft hyphens); removed on reading.
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_INVISIBLE_RE = re.compile(f"[{INVISIBLE}]")


def strip_invisible(text: str) -> str:
    """``text`` without zero-width characters; non-breaking spaces become spaces.

    Examples
    --------
    >>> strip_invisible("C\u200b001\u00a0")
    'C001 '
    """
    return _INVISIBLE_RE.sub("", str(text)).replace("\u00a0", " ").replace("\u202f", " ")


def strict_key(text: str) -> str:
    """The key a value must match *exactly* to be read without comment.

    Like :func:`fold` (no diacritics, any case, ``_``/``-``/spaces alike) but
    punctuation is kept: ``"Có mặt"`` and ``"co mat"`` give the same key,
    ``"Co mat?"`` does not. A value that matches only after :func:`fold`
    drops its punctuation is read with a ``lenient_value`` warning.

    Examples
    --------
    >>> strict_key(" Vắng  có-phép "), strict_key("Co mat?"), strict_key("✓")
    ('vang co phep', 'co mat?', '✓')
    """
    text = unicodedata.normalize("NFD", strip_invisible(text))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    text = text.replace("đ", "d").replace("Đ", "D").lower()
    return re.sub(r"[\s_\-]+", " ", text).strip()


@dataclass(frozen=True)
class Choice:
    """An allowed value of a category column: its code and Vietnamese label."""

    code: str
    vi: str
    aliases: tuple[str, ...] = ()

    def spellings(self) -> tuple[str, ...]:
        return (self.code, self.vi, *self.aliases)


@dataclass(frozen=True)
class Column:
    """One column of a table.

    ``required``: the column must be present in the file.
    ``nullable``: a row may leave the value empty.
    """

    name: str
    kind: str
    vi: str
    en: str
    required: bool = False
    nullable: bool = True
    choices: tuple[Choice, ...] = ()
    aliases: tuple[str, ...] = ()
    min: int | None = None
    max: int | None = None
    personal: bool = False
    #: Spellings refused because they could mean more than one value (e.g. a
    #: bare "Vắng"), with the explanation given to the user (en, vi).
    ambiguous: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"column {self.name}: unknown kind {self.kind!r}")
        if (self.kind == "category") != bool(self.choices):
            raise ValueError(f"column {self.name}: category columns and only they have choices")

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.choices)

    def header_spellings(self) -> tuple[str, ...]:
        return (self.name, self.vi, *self.aliases)

    def label(self, code: str, lang: str = "vi") -> str:
        """The reader's label of a category code."""
        for c in self.choices:
            if c.code == code:
                return c.vi if lang == "vi" else c.code
        return code


@dataclass(frozen=True)
class Table:
    """One table of the dataset."""

    name: str
    vi: str
    en: str
    required: bool
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    aliases: tuple[str, ...] = field(default=())
    #: Columns a row cannot live without (DOMAIN §5): its key, its references,
    #: the dates that place it in time, a register row's status, a meeting's
    #: kind. An unreadable value there sets the row aside; anywhere else the
    #: value is blanked and the row stays.
    essential: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        unknown = set(self.essential) - set(self.names)
        if unknown:
            raise ValueError(f"table {self.name}: essential columns {unknown} are not columns")

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"table {self.name} has no column {name!r}")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)

    def file_spellings(self) -> tuple[str, ...]:
        return (self.name, self.vi, *self.aliases)


# --- category values ---------------------------------------------------------

LEVELS = (
    Choice(
        "committee",
        "Đảng bộ cấp trên cơ sở",
        ("cap tren co so", "dang bo huyen", "dang bo thanh pho"),
    ),
    Choice("base", "Đảng bộ cơ sở"),
    Choice("base_cell", "Chi bộ cơ sở"),
    Choice("cell", "Chi bộ trực thuộc", ("chi bo truc thuoc dang uy co so", "chi bo")),
)
ORG_KINDS = (
    Choice(
        "residential", "Thôn, tổ dân phố", ("thon", "to dan pho", "thon to dan pho", "khu dan cu")
    ),
    Choice("agency", "Cơ quan"),
    Choice("public_service", "Đơn vị sự nghiệp", ("truong hoc", "y te", "su nghiep")),
    Choice("enterprise", "Doanh nghiệp"),
    Choice("armed_forces", "Lực lượng vũ trang", ("quan su", "cong an", "luc luong vu trang")),
    Choice("other", "Khác"),
)
GENDERS = (
    Choice("male", "Nam", ("m",)),
    Choice("female", "Nữ", ("f",)),
)
LEFT_REASONS = (
    Choice("transfer", "Chuyển sinh hoạt", ("chuyen di", "chuyen sinh hoat dang")),
    Choice("removed", "Xóa tên"),
    Choice("expelled", "Khai trừ"),
    Choice("resigned", "Xin ra khỏi Đảng", ("xin ra khoi dang",)),
    Choice("deceased", "Từ trần", ("tu tran", "chet", "qua doi")),
)
MEETING_KINDS = (
    Choice("regular", "Thường kỳ", ("thuong ki", "dinh ky", "dinh ki")),
    Choice("thematic", "Chuyên đề"),
    Choice("combined", "Thường kỳ kết hợp chuyên đề", ("thuong ki ket hop chuyen de", "ket hop")),
    Choice("extraordinary", "Bất thường"),
)
RATINGS = (
    Choice("good", "Tốt"),
    Choice("fair", "Khá"),
    Choice("average", "Trung bình"),
    Choice("poor", "Kém", ("yeu", "yeu kem")),
)
#: Points of each rating on the 0-3 scale (good = 3), for agreement and inflation.
RATING_POINTS = {"good": 3, "fair": 2, "average": 1, "poor": 0}
STATUSES = (
    Choice(
        "present",
        "Có mặt",
        ("x", "✓", "✔", "có", "cm", "đi muộn", "đến muộn", "muộn", "present"),
    ),
    Choice(
        "excused",
        "Vắng có lý do",
        (
            "p", "cp", "có phép", "vắng có phép", "vắng cp", "vắng clđ", "vắng cld", "vcld",
            "vclđ", "vắng có lí do", "có lý do", "có lí do", "vắng p",
        ),
    ),
    Choice(
        "absent",
        "Vắng không lý do",
        (
            "k", "kp", "không phép", "vắng không phép", "vắng kp", "vắng klđ", "vắng kld",
            "vkld", "vklđ", "vắng không lí do", "không lý do", "không lí do", "vắng k",
        ),
    ),
    Choice("exempt", "Miễn sinh hoạt", ("miễn", "miễn sh", "msh", "miễn sinh hoạt đảng")),
)  # fmt: skip
#: Register marks that do not say whether an absence was excused: refused, never guessed.
AMBIGUOUS_STATUS = ("v", "vắng", "vắng mặt", "vm", "nghỉ", "không")
FORMS = (
    Choice("reprimand", "Khiển trách"),
    Choice("warning", "Cảnh cáo"),
    Choice("dismissal", "Cách chức"),
    Choice("expulsion", "Khai trừ"),
    Choice("dissolution", "Giải tán"),
)
REVIEW_LEVELS = (
    Choice("excellent", "Hoàn thành xuất sắc nhiệm vụ", ("xuat sac", "httsnv")),
    Choice("good", "Hoàn thành tốt nhiệm vụ", ("hoan thanh tot", "httnv")),
    Choice("complete", "Hoàn thành nhiệm vụ", ("hoan thanh", "htnv")),
    Choice("incomplete", "Không hoàn thành nhiệm vụ", ("khong hoan thanh", "khtnv")),
)

#: Spellings accepted for yes/no cells (folded).
YES = ("co", "yes", "y", "true", "1", "x", "du")
NO = ("khong", "no", "n", "false", "0")


def _c(name: str, kind: str, vi: str, en: str, **kw) -> Column:
    return Column(name, kind, vi, en, **kw)


ORGANISATIONS = Table(
    "organisations",
    "Tổ chức đảng",
    "Party organisations: the committee, base organisations and cells",
    required=True,
    essential=("org_id", "parent_id"),
    key=("org_id",),
    aliases=("organizations", "to chuc", "orgs"),
    columns=(
        _c("org_id", "id", "Mã tổ chức", "organisation code", required=True, nullable=False),
        _c("name", "text", "Tên tổ chức", "name", required=True, nullable=False, aliases=("ten",)),
        _c(
            "parent_id",
            "id",
            "Mã tổ chức cấp trên",
            "parent organisation (empty for the top)",
            required=True,
            aliases=("ma cap tren",),
        ),
        _c("level", "category", "Cấp", "level", required=True, nullable=False, choices=LEVELS),
        _c("kind", "category", "Loại hình", "kind of cell", choices=ORG_KINDS),
        _c("founded_on", "date", "Ngày thành lập", "founded on"),
        _c("dissolved_on", "date", "Ngày giải thể", "dissolved on"),
    ),
)

MEMBERS = Table(
    "members",
    "Đảng viên",
    "Party members, one row per member per cell period",
    required=True,
    essential=("member_id", "cell_id", "joined_on"),
    key=("member_id", "cell_id", "joined_on"),
    aliases=("dang vien", "members"),
    columns=(
        _c(
            "member_id",
            "id",
            "Mã đảng viên",
            "member code",
            required=True,
            nullable=False,
            aliases=("Mã ĐV", "Mã số đảng viên", "Số thẻ đảng viên"),
        ),
        _c(
            "cell_id",
            "id",
            "Mã chi bộ",
            "cell code",
            required=True,
            nullable=False,
            aliases=("Mã CB",),
        ),
        _c(
            "full_name",
            "text",
            "Họ và tên",
            "full name (personal data)",
            personal=True,
            aliases=("ho ten", "Họ tên", "Họ và tên đảng viên", "Tên đảng viên"),
        ),
        _c("gender", "category", "Giới tính", "gender", choices=GENDERS),
        _c("birth_date", "date", "Ngày sinh", "date of birth", personal=True),
        _c(
            "admitted_on",
            "date",
            "Ngày vào Đảng",
            "admitted to the Party on",
            aliases=("ngay ket nap", "Ngày kết nạp", "Ngày kết nạp Đảng", "Ngày vào Đảng CSVN"),
        ),
        _c(
            "confirmed_on",
            "date",
            "Ngày chính thức",
            "full member since (empty while probationary)",
            aliases=("Ngày công nhận chính thức", "Ngày đảng viên chính thức"),
        ),
        _c(
            "joined_on",
            "date",
            "Ngày chuyển đến chi bộ",
            "joined this cell on",
            aliases=("ngay den",),
        ),
        _c("left_on", "date", "Ngày ra khỏi chi bộ", "left this cell on", aliases=("ngay di",)),
        _c(
            "left_reason",
            "category",
            "Lý do",
            "reason for leaving",
            choices=LEFT_REASONS,
            aliases=("li do", "ly do ra khoi chi bo"),
        ),
        _c("exempt_from", "date", "Ngày miễn sinh hoạt", "exempt from meetings since"),
        _c("exempt_until", "date", "Miễn đến ngày", "exempt until (empty: open-ended)"),
    ),
)

MEETINGS = Table(
    "meetings",
    "Sinh hoạt chi bộ",
    "Cell meetings",
    required=True,
    essential=("meeting_id", "cell_id", "held_on", "kind"),
    key=("meeting_id",),
    aliases=("buoi sinh hoat", "sinh hoat"),
    columns=(
        _c("meeting_id", "id", "Mã buổi sinh hoạt", "meeting code", required=True, nullable=False),
        _c("cell_id", "id", "Mã chi bộ", "cell code", required=True, nullable=False),
        _c(
            "held_on",
            "date",
            "Ngày sinh hoạt",
            "held on",
            required=True,
            nullable=False,
            aliases=("Ngày họp", "Ngày tháng sinh hoạt"),
        ),
        _c(
            "kind",
            "category",
            "Loại",
            "kind of meeting",
            required=True,
            nullable=False,
            choices=MEETING_KINDS,
            aliases=("loai sinh hoat", "hinh thuc"),
        ),
        _c(
            "duration_min",
            "int",
            "Thời lượng (phút)",
            "duration (minutes)",
            min=1,
            max=24 * 60,
            aliases=(
                "thoi luong",
                "Thời gian (phút)",
                "Thời gian",
                "Thời lượng",
                "Số phút",
                "Thời gian sinh hoạt (phút)",
            ),  # fmt: skip
        ),
        _c(
            "self_rating",
            "category",
            "Tự đánh giá",
            "self-rating",
            choices=RATINGS,
            aliases=("Tự xếp loại", "Chi bộ tự đánh giá", "Tự đánh giá xếp loại", "Xếp loại buổi"),
        ),
        _c(
            "superior_attended",
            "bool",
            "Cấp ủy cấp trên dự",
            "higher-level committee member attended",
            aliases=("cap uy cap tren du sinh hoat",),
        ),
        _c("topic", "text", "Chủ đề", "topic", aliases=("Chủ đề sinh hoạt", "Nội dung chính")),
        _c("minutes_text", "text", "Nội dung biên bản", "minutes text", aliases=("bien ban",)),
        _c(
            "n_summoned",
            "int",
            "Số triệu tập",
            "members summoned (minutes)",
            min=0,
            aliases=("so dang vien trieu tap", "trieu tap"),
        ),
        _c("n_present", "int", "Có mặt", "present (minutes)", min=0, aliases=("so co mat",)),
        _c(
            "n_excused",
            "int",
            "Vắng có lý do",
            "absent with reason (minutes)",
            min=0,
            aliases=("vang co li do", "so vang co ly do"),
        ),
        _c(
            "n_absent",
            "int",
            "Vắng không lý do",
            "absent without reason (minutes)",
            min=0,
            aliases=("vang khong li do", "so vang khong ly do"),
        ),
    ),
)

ATTENDANCE = Table(
    "attendance",
    "Điểm danh",
    "Attendance register, one row per member per meeting",
    required=True,
    essential=("meeting_id", "member_id", "status"),
    key=("meeting_id", "member_id"),
    aliases=("diem danh", "register"),
    columns=(
        _c("meeting_id", "id", "Mã buổi sinh hoạt", "meeting code", required=True, nullable=False),
        _c("member_id", "id", "Mã đảng viên", "member code", required=True, nullable=False),
        _c(
            "status",
            "category",
            "Tình trạng",
            "status",
            required=True,
            nullable=False,
            choices=STATUSES,
            aliases=("trang thai", "diem danh", "tinh hinh"),
            ambiguous=AMBIGUOUS_STATUS,
        ),
    ),
)

INSPECTIONS = Table(
    "inspections",
    "Kiểm tra, giám sát",
    "Inspections of meetings by the higher level",
    required=False,
    essential=("inspection_id", "meeting_id"),
    key=("inspection_id",),
    aliases=("kiem tra", "giam sat", "kiem tra giam sat"),
    columns=(
        _c("inspection_id", "id", "Mã kiểm tra", "inspection code", required=True, nullable=False),
        _c(
            "meeting_id",
            "id",
            "Mã buổi sinh hoạt",
            "meeting observed",
            required=True,
            nullable=False,
        ),
        _c("inspected_on", "date", "Ngày kiểm tra", "inspected on"),
        _c("rating", "category", "Xếp loại", "inspection rating", required=True, choices=RATINGS),
        _c("findings", "text", "Kết luận", "findings"),
        _c("follow_up_due", "date", "Hạn khắc phục", "follow-up due"),
        _c("follow_up_done_on", "date", "Ngày khắc phục", "follow-up done on"),
    ),
)

DUES = Table(
    "dues",
    "Đảng phí",
    "Monthly party dues",
    required=False,
    essential=("member_id", "month"),
    key=("member_id", "month"),
    aliases=("dang phi",),
    columns=(
        _c("member_id", "id", "Mã đảng viên", "member code", required=True, nullable=False),
        _c("month", "month", "Tháng", "month", required=True, nullable=False),
        _c(
            "amount",
            "amount",
            "Số tiền",
            "amount (đồng)",
            min=0,
            aliases=("so tien dong", "Mức đóng", "Số tiền (đồng)"),
        ),
        _c("paid_on", "date", "Ngày nộp", "paid on (empty: unpaid)", aliases=("Ngày đóng",)),
    ),
)

DISCIPLINES = Table(
    "disciplines",
    "Kỷ luật",
    "Discipline decisions",
    required=False,
    essential=("subject_id", "decided_on", "form"),
    key=("subject_id", "decided_on", "form"),
    aliases=("ky luat",),
    columns=(
        _c(
            "subject_id",
            "id",
            "Mã đối tượng",
            "member or organisation",
            required=True,
            nullable=False,
        ),
        _c("decided_on", "date", "Ngày quyết định", "decided on", required=True, nullable=False),
        _c("form", "category", "Hình thức", "form", required=True, nullable=False, choices=FORMS),
        _c("reason", "text", "Lý do", "reason", aliases=("li do",)),
    ),
)

REVIEWS = Table(
    "reviews",
    "Đánh giá, xếp loại",
    "Annual reviews of members and organisations",
    required=False,
    essential=("subject_id", "year"),
    key=("subject_id", "year"),
    aliases=("danh gia", "xep loai", "danh gia xep loai"),
    columns=(
        _c(
            "subject_id",
            "id",
            "Mã đối tượng",
            "member or organisation",
            required=True,
            nullable=False,
        ),
        _c("year", "int", "Năm", "year", required=True, nullable=False, min=1930, max=2100),
        _c(
            "level",
            "category",
            "Xếp loại",
            "rating",
            required=True,
            nullable=False,
            choices=REVIEW_LEVELS,
        ),
    ),
)

#: Every table, in load and validation order (parents before children).
TABLES: dict[str, Table] = {
    t.name: t
    for t in (ORGANISATIONS, MEMBERS, MEETINGS, ATTENDANCE, INSPECTIONS, DUES, DISCIPLINES, REVIEWS)
}

#: Columns added by the loader to every table: where each record came from.
SOURCE_COLUMNS = ("_file", "_sheet", "_row")

#: Meeting-holding levels.
CELL_LEVELS = ("cell", "base_cell")
#: Base organisations (the 33 of the article).
BASE_LEVELS = ("base", "base_cell")


def match_table(name: str) -> Table | None:
    """The table a file or sheet name stands for, or None.

    Leading numbering such as ``01_`` is ignored.

    Examples
    --------
    >>> match_table("Đảng viên").name
    'members'
    >>> match_table("02 - Sinh hoạt chi bộ").name
    'meetings'
    >>> match_table("notes") is None
    True
    """
    key = re.sub(r"^\d+\s*", "", fold(name))
    for table in TABLES.values():
        if key in {fold(s) for s in table.file_spellings()}:
            return table
    return None
