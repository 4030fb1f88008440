"""Legacy Vietnamese text (TCVN3 / VNI-Windows): tables, round trips, known values, detection."""

from __future__ import annotations

import string
import unicodedata

import pytest

from chibo_analysis.intake.legacy import (
    LEGACY_ENCODINGS,
    decode_bytes,
    detect,
    detect_bytes,
    encode_bytes,
    from_unicode,
    to_unicode,
)

# Built here from combining marks, independently of the module's tables.
VOWELS = "a ă â e ê i o ô ơ u ư y".split()
# none, grave, hook, tilde, acute, dot below
TONES = ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")
LOWER = [
    unicodedata.normalize("NFC", v + t) for v in VOWELS for t in TONES if (v + t) not in "aeiouy"
] + ["đ"]
UPPER = [c.upper() for c in LOWER]
PLAIN_CAPITALS = ["Ă", "Â", "Ê", "Ô", "Ơ", "Ư", "Đ"]  # what a normal TCVN3 font has in capitals
ASCII = string.printable


def test_the_letter_lists_are_the_134_vietnamese_letters():
    assert len(LOWER) == len(set(LOWER)) == 67
    assert len(UPPER) == len(set(UPPER)) == 67
    assert all(len(c) == 1 and not c.isascii() for c in LOWER + UPPER)


# --- round trips -----------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", LEGACY_ENCODINGS)
def test_every_lower_case_letter_round_trips(encoding):
    for letter in LOWER:
        glyphs = from_unicode(letter, encoding)
        assert to_unicode(glyphs, encoding) == letter, (letter, glyphs)
        assert decode_bytes(encode_bytes(letter, encoding), encoding) == letter, letter


def test_every_vni_capital_round_trips():
    for letter in UPPER:
        glyphs = from_unicode(letter, "vni")
        assert glyphs == glyphs.upper(), (letter, glyphs)  # capital base, capital-form marks
        assert to_unicode(glyphs, "vni") == letter, (letter, glyphs)
        assert decode_bytes(encode_bytes(letter, "vni"), "vni") == letter, letter


def test_every_tcvn3_capital_round_trips_through_an_h_font():
    for letter in UPPER + LOWER:
        glyphs = from_unicode(letter, "tcvn3", capitals=True)
        assert to_unicode(glyphs, "tcvn3", capitals=True) == letter.upper(), (letter, glyphs)
        data = encode_bytes(letter, "tcvn3", capitals=True)
        assert decode_bytes(data, "tcvn3", capitals=True) == letter.upper(), letter


def test_a_normal_tcvn3_font_has_the_seven_plain_capitals_and_no_capital_with_a_tone():
    for letter in PLAIN_CAPITALS:
        glyphs = from_unicode(letter, "tcvn3")
        assert to_unicode(glyphs, "tcvn3") == letter
        assert decode_bytes(encode_bytes(letter, "tcvn3"), "tcvn3") == letter
    for letter in set(UPPER) - set(PLAIN_CAPITALS):
        with pytest.raises(ValueError, match="capitals=True"):
            from_unicode(letter, "tcvn3")
    assert to_unicode("NGUYEN VAN AN", "tcvn3") == "NGUYEN VAN AN"


@pytest.mark.parametrize("encoding", LEGACY_ENCODINGS)
def test_the_tables_are_one_to_one_and_single_byte_characters(encoding):
    letters = LOWER + (UPPER if encoding == "vni" else PLAIN_CAPITALS)
    spelt = [from_unicode(c, encoding) for c in letters]
    assert len(set(spelt)) == len(letters)
    for glyphs in spelt:
        assert 1 <= len(glyphs) <= (1 if encoding == "tcvn3" else 2)
        assert len(glyphs.encode("cp1252")) == len(glyphs)  # Windows-1252 glyphs, no 0x81 etc.


@pytest.mark.parametrize("encoding", LEGACY_ENCODINGS)
def test_letters_next_to_each_other_round_trip(encoding):
    letters = LOWER + (UPPER if encoding == "vni" else PLAIN_CAPITALS) + list("aeiouyAEIOUYdnD ")
    for first in letters:
        for second in letters:
            text = first + second
            assert to_unicode(from_unicode(text, encoding), encoding) == text, text


@pytest.mark.parametrize("encoding", LEGACY_ENCODINGS)
def test_plain_ascii_passes_through_unchanged(encoding):
    assert from_unicode(ASCII, encoding) == ASCII
    assert to_unicode(ASCII, encoding) == ASCII
    assert encode_bytes(ASCII, encoding) == ASCII.encode("ascii")
    assert decode_bytes(ASCII.encode("ascii"), encoding) == ASCII


@pytest.mark.parametrize("encoding", LEGACY_ENCODINGS)
def test_whole_sentences_round_trip_as_nfc(encoding):
    text = "Đảng bộ phường Phan Thiết; Nguyễn Thị Thuỷ (Bí thư) – “Vắng có phép”, 50.000đ!"
    glyphs = from_unicode(unicodedata.normalize("NFD", text), encoding)
    assert to_unicode(glyphs, encoding) == text
    assert decode_bytes(encode_bytes(text, encoding), encoding) == text
    assert unicodedata.is_normalized("NFC", to_unicode(glyphs, encoding))


@pytest.mark.parametrize("encoding", LEGACY_ENCODINGS)
def test_bytes_0x80_to_0x9f_keep_their_windows_meaning_in_both_forms(encoding):
    # a workbook or Python's latin-1 may hand over U+0093 instead of the cp1252 “
    assert to_unicode("\x93Chi\x94 \x96 \x85", encoding) == "“Chi” – …"
    assert to_unicode("“Chi” – …", encoding) == "“Chi” – …"
    assert decode_bytes(b"\x93Chi\x94 \x96 \x85 \x81", encoding) == "“Chi” – … \x81"
    assert encode_bytes("“Chi” – … \x81", encoding) == b"\x93Chi\x94 \x96 \x85 \x81"


def test_characters_the_legacy_font_cannot_hold_are_refused():
    with pytest.raises(ValueError):
        from_unicode("Müller", "tcvn3")  # ü is TCVN3 ỹ
    with pytest.raises(ValueError):
        from_unicode("Müller", "vni")  # ü is a VNI mark
    with pytest.raises(ValueError):
        encode_bytes("Chi bộ 中", "vni")
    with pytest.raises(ValueError):
        from_unicode("Đảng", "vni", capitals=True)  # H fonts are TCVN3's
    with pytest.raises(ValueError, match="unknown legacy encoding"):
        to_unicode("x", "viscii")
    assert from_unicode("€ 5 “x”", "tcvn3") == "€ 5 “x”"


# --- known values, written by hand -----------------------------------------------------------

KNOWN = [  # Unicode, TCVN3 (.VnTime) glyphs, VNI-Windows glyphs
    ("Nguyễn Văn An", "NguyÔn V¨n An", "Nguyeãn Vaên An"),
    ("Đảng bộ", "§¶ng bé", "Ñaûng boä"),
    ("Chi bộ Tổ dân phố 1", "Chi bé Tæ d©n phè 1", "Chi boä Toå daân phoá 1"),
    ("Vắng có phép", "V¾ng cã phÐp", "Vaéng coù pheùp"),
    ("Trường", "Tr\xadêng", "Tröôøng"),
    ("Thường kỳ", "Th\xadêng kú", "Thöôøng kyø"),
    ("Miễn sinh hoạt", "MiÔn sinh ho¹t", "Mieãn sinh hoaït"),
    ("Họ và tên", "Hä vµ tªn", "Hoï vaø teân"),
    ("Xin chào các bạn", "Xin chµo c¸c b¹n", "Xin chaøo caùc baïn"),
    ("Bảo Thắng", "B¶o Th¾ng", "Baûo Thaéng"),
    ("Mường Khương", "M\xadêng Kh\xad¬ng", "Möôøng Khöông"),
    ("Khuỷu tay, quyết nghị", "Khuûu tay, quyÕt nghÞ", "Khuyûu tay, quyeát nghò"),
    ("Ỷ lại", None, "YÛ laïi"),
    ("Đỗ Thị Mỹ Ngọc", "§ç ThÞ Mü Ngäc", "Ñoã Thò Myõ Ngoïc"),
    ("Lữ đoàn", "L÷ ®oµn", "Löõ ñoaøn"),
]


@pytest.mark.parametrize(("text", "tcvn3", "vni"), KNOWN)
def test_known_values(text, tcvn3, vni):
    assert to_unicode(vni, "vni") == text
    assert from_unicode(text, "vni") == vni
    assert decode_bytes(vni.encode("cp1252"), "vni") == text
    if tcvn3 is not None:
        assert to_unicode(tcvn3, "tcvn3") == text
        assert from_unicode(text, "tcvn3") == tcvn3
        assert decode_bytes(tcvn3.encode("cp1252"), "tcvn3") == text


def test_known_tcvn3_bytes():
    assert decode_bytes(b"Nguy\xd4n V\xa8n An", "tcvn3") == "Nguyễn Văn An"
    assert encode_bytes("Trường", "tcvn3") == b"Tr\xad\xeang"
    assert encode_bytes("Đ ă â ê ô ơ ư đ", "tcvn3") == b"\xa7 \xa8 \xa9 \xaa \xab \xac \xad \xae"


def test_tcvn3_h_fonts_draw_every_letter_as_a_capital():
    assert to_unicode("§¶NG Bé PH\xadêNG PHAN THIÕT", "tcvn3", capitals=True) == (
        "ĐẢNG BỘ PHƯỜNG PHAN THIẾT"
    )
    assert to_unicode("§¶ng bé ph\xadêng phan thiÕt", "tcvn3", capitals=True) == (
        "ĐẢNG BỘ PHƯỜNG PHAN THIẾT"
    )
    assert to_unicode("Chi bé 1 “A”", "tcvn3", capitals=True) == "CHI BỘ 1 “A”"


def test_vni_also_reads_marks_in_the_other_case_and_two_marks():
    assert to_unicode("Aù aÙ", "vni") == "Á á"
    assert to_unicode("caâù Caâù CAÂÙ", "vni") == "cấ Cấ CẤ"  # circumflex, then the tone
    assert to_unicode("yï YÏ iù", "vni") == "ỵ Ỵ í"
    assert to_unicode("Xuaân Xuâ", "vni") == "Xuân Xuâ"  # u takes no circumflex: left as it is


def test_to_unicode_leaves_unmapped_characters_alone():
    assert to_unicode("Tæ 12/3: 50.000 (x)", "tcvn3") == "Tổ 12/3: 50.000 (x)"
    assert to_unicode("Toå 12/3: 50.000 (x)", "vni") == "Tổ 12/3: 50.000 (x)"
    assert to_unicode("ù ê Bù", "vni") == "ù ê Bù"  # marks with no vowel before them


# --- detection -------------------------------------------------------------------------------

UNICODE_PHRASES = [
    "Họ và tên", "Nguyễn Văn An", "Trần Thị Bích Ngọc", "Lê Hoàng Nam", "Phạm Minh Tuấn",
    "Đảng bộ phường Phan Thiết", "ĐẢNG BỘ PHƯỜNG PHAN THIẾT", "Chi bộ Tổ dân phố 1",
    "Chi bộ Khu phố 3", "Vắng có phép", "Vắng không phép", "Có mặt", "Sinh hoạt thường kỳ",
    "Sinh hoạt chuyên đề", "Miễn sinh hoạt", "Đảng viên dự bị", "Đảng viên chính thức",
    "Bí thư chi bộ", "Phó bí thư", "Ngày sinh hoạt", "Nội dung sinh hoạt", "Kết luận của chi bộ",
    "Nghị quyết", "Đóng đảng phí", "Số đảng viên có mặt", "Hoà Bình", "Thuý Kiều", "Quảng Ngãi",
    "Thừa Thiên Huế", "Bà Rịa – Vũng Tàu", "Khánh Hoà", "Bé Tâm", "Chú Tư", "Ông Bảy",
    "Ủy ban nhân dân xã Ea Kao", "Giữa năm 2023, chi bộ họp 12 lần",
]  # fmt: skip
# Unicode words written only with Windows-1252 letters: they also read as legacy text.
CP1252_ONLY = [
    "Hà", "Tâm", "Bé", "Xuân", "Thuý", "Hoà", "Nhã", "Châu", "Quý", "Lê Tú", "Ánh", "Ý", "Ông",
    "Hoà Bình", "Ân", "Oanh", "Uyên", "Yên", "Khoá", "Toàn", "Thùy", "Chi bé",
]  # fmt: skip
FOREIGN = [
    "café", "Müller", "© 2024 ACME", "½ cup", "naïve façade", "São Paulo", "Zürich", "Ærøskøbing",
    "Señor Muñoz", "Crème brûlée", "Noël", "Björk Guðmundsdóttir", "£ 100", "¥ 500", "°C",
    "€ 20", "Straße", "Größe", "Dvořák", "Ångström", "El niño", "smörgåsbord", "déjà vu",
    "Øresund", "Ñu", "«citation»", "§ 4 ¶ 2", "± 0,5 µm",
]  # fmt: skip
ASCII_SAMPLE = ["Nguyen Van An", "Chi bo 1", "2024-01-05", "50.000", "", "  "]


def legacy(phrases, encoding, **kwargs):
    """The phrases a legacy font can hold, as glyph strings."""
    out = []
    for phrase in phrases:
        try:
            out.append(from_unicode(phrase, encoding, **kwargs))
        except ValueError:
            pass  # a TCVN3 capital with a tone needs an H font
    return out


def cp1258(text: str, *, all_tones_apart: bool = False) -> bytes:
    """Windows-1258 bytes: precomposed where the code page has the letter, else tone apart."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", ch)
        try:
            if all_tones_apart and parts != ch:
                raise UnicodeEncodeError("cp1258", ch, 0, 1, "keep the tone apart")
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            tone = "".join(c for c in parts if c in TONES)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONES))
            out += base.encode("cp1258") + tone.encode("cp1258")
    return bytes(out)


def test_legacy_samples_are_detected_as_their_encoding():
    assert detect(["Hä vµ tªn", "Ngµy sinh"]) == "tcvn3"
    assert detect(["Hoï vaø teân", "Ngaøy sinh"]) == "vni"
    assert detect(["NguyÔn V¨n An"]) == "tcvn3"
    assert detect(["Nguyeãn Vaên An"]) == "vni"
    assert detect(legacy(UNICODE_PHRASES, "tcvn3")) == "tcvn3"
    assert detect(legacy(UNICODE_PHRASES, "tcvn3", capitals=True)) == "tcvn3"
    assert detect(legacy(UNICODE_PHRASES, "vni")) == "vni"
    assert detect(legacy([p.upper() for p in UNICODE_PHRASES], "vni")) == "vni"
    assert detect(["\n".join(legacy(UNICODE_PHRASES, "vni"))]) == "vni"  # a file's text


def test_the_c1_form_of_a_glyph_string_is_detected_too():
    assert detect(["\x93Hä vµ tªn\x94"]) == "tcvn3"


@pytest.mark.parametrize(
    "sample",
    [
        UNICODE_PHRASES,
        [unicodedata.normalize("NFD", p) for p in UNICODE_PHRASES],
        [p.upper() for p in UNICODE_PHRASES],
        [unicodedata.normalize("NFD", p.upper()) for p in UNICODE_PHRASES],
        [p.lower() for p in UNICODE_PHRASES],
        CP1252_ONLY,
        [p.upper() for p in CP1252_ONLY],
        FOREIGN,
        ASCII_SAMPLE,
        [],
        [None, 3.5, 12],
    ],
    ids=["nfc", "nfd", "upper", "upper-nfd", "lower", "cp1252-only", "cp1252-upper", "foreign",
         "ascii", "empty", "not-text"],
)  # fmt: skip
def test_unicode_ascii_and_foreign_samples_are_never_legacy(sample):
    assert detect(sample) is None
    for value in sample:
        assert detect([value]) is None, value


def test_a_single_word_of_evidence_is_not_enough():
    assert detect(["V¨n"]) is None
    assert detect(["Vaên"]) is None


def test_detect_bytes_on_legacy_csv_files():
    rows = ["Họ và tên;Chi bộ;Tình trạng"] + [
        f"{name};Chi bộ Tổ dân phố {i};{status}"
        for i, (name, status) in enumerate(
            [("Nguyễn Văn An", "Có mặt"), ("Trần Thị Bích", "Vắng có phép"),
             ("Lê Hoàng Nam", "Miễn sinh hoạt"), ("Phạm Thường", "Vắng không phép")], 1)
    ]  # fmt: skip
    text = "\r\n".join(rows) + "\r\n"
    for encoding in LEGACY_ENCODINGS:
        data = encode_bytes(text, encoding)
        assert detect_bytes(data) == encoding
        assert decode_bytes(data, encoding) == text
    assert detect_bytes(encode_bytes(text, "tcvn3", capitals=True)) == "tcvn3"


def test_detect_bytes_is_none_for_unicode_and_windows_1258_files():
    text = "\n".join(UNICODE_PHRASES + CP1252_ONLY) + "\n"
    assert detect_bytes(text.encode("utf-8")) is None
    assert detect_bytes(text.encode("utf-8") + "ễ".encode()[:2]) is None  # cut mid-letter
    assert detect_bytes(b"\xef\xbb\xbf" + text.encode("utf-8")) is None
    assert detect_bytes(text.encode("utf-16")) is None
    assert detect_bytes(b"") is None
    assert detect_bytes("\n".join(FOREIGN).encode("cp1252", errors="replace")) is None
    for apart in (False, True):
        data = cp1258(text, all_tones_apart=apart)
        assert unicodedata.normalize("NFC", data.decode("cp1258")) == text  # real cp1258
        assert detect_bytes(data) is None
        for phrase in UNICODE_PHRASES + CP1252_ONLY:
            assert detect_bytes(cp1258(phrase, all_tones_apart=apart)) is None, phrase
        # the same bytes as a workbook would show them (cp1252 glyphs)
        assert detect([data.decode("cp1252", errors="replace")]) is None
