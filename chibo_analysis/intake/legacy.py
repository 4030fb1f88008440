"""Legacy (pre-Unicode) Vietnamese text: TCVN3 (ABC) and VNI-Windows to Unicode.

Offices typed in legacy fonts long after Unicode arrived. The text reaches us
as the **bytes** of a CSV file, or as workbook cells holding the *glyph
string*: the Windows-1252 reading of those bytes (``NguyÔn V¨n An``).

* **TCVN3** (TCVN 5712:1993, table VN3; fonts ``.VnTime``, ``.VnArial``):
  one byte per letter. The font has lower-case letters with tones and the
  seven capitals Ă Â Ê Ô Ơ Ư Đ; capitals with tones need an "H" font
  (``.VnTimeH``), which draws *every* position as a capital: pass
  ``capitals=True``.
* **VNI-Windows** (``VNI-Times`` ...): a Latin letter followed by a mark byte
  (``eã`` = ễ); ơ ư đ and i with tones are single bytes; capitals use the
  capital-form marks (``EÃ`` = Ễ).

Neither table uses bytes 0x80-0x9F: they keep their Windows-1252 meaning.
In a glyph string such a byte may appear as the cp1252 character (``“``) or
as the C1 control of the same number (U+0093); both are accepted.
:func:`detect` and :func:`detect_bytes` tell whether a sample is legacy text.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Iterable

LEGACY_ENCODINGS = ("tcvn3", "vni")

# The twelve vowels, each with its six tones: none, grave, hook, tilde, acute, dot below.
_VOWELS = (
    "aàảãáạ ăằẳẵắặ âầẩẫấậ eèẻẽéẹ êềểễếệ iìỉĩíị oòỏõóọ ôồổỗốộ ơờởỡớợ uùủũúụ ưừửữứự yỳỷỹýỵ".split()
)
_TONE_MARKS = "\u0300\u0309\u0303\u0301\u0323"  # grave, hook, tilde, acute, dot (tone order)

# TCVN3 (VN3): the byte (as its Latin-1 glyph) of each letter of _VOWELS, row by row.
_TCVN3_ROWS = (
    "aµ¶·¸¹ ¨»¼½¾Æ ©ÇÈÉÊË eÌÎÏÐÑ ªÒÓÔÕÖ i×ØÜÝÞ oßáâãä «åæçèé ¬êëìíî uïñòóô \xadõö÷øù yúûüýþ"
)
_TCVN3_EXTRA = {"đ": "®", "Ă": "¡", "Â": "¢", "Ê": "£", "Ô": "¤", "Ơ": "¥", "Ư": "¦", "Đ": "§"}

# VNI-Windows: marks after a base letter, in tone order (none, grave, hook, tilde, acute, dot).
_VNI_TONE = ("", "ø", "û", "õ", "ù", "ï")
_VNI_CIRCUMFLEX = ("â", "à", "å", "ã", "á", "ä")
_VNI_BREVE = ("ê", "è", "ú", "ü", "é", "ë")
_VNI_SPELLING = {
    "a": ("a", _VNI_TONE), "ă": ("a", _VNI_BREVE), "â": ("a", _VNI_CIRCUMFLEX),
    "e": ("e", _VNI_TONE), "ê": ("e", _VNI_CIRCUMFLEX), "o": ("o", _VNI_TONE),
    "ô": ("o", _VNI_CIRCUMFLEX), "ơ": ("ô", _VNI_TONE), "u": ("u", _VNI_TONE),
    "ư": ("ö", _VNI_TONE), "y": ("y", _VNI_TONE),
}  # fmt: skip
_VNI_I = ("i", "ì", "æ", "ó", "í", "ò")  # i with a tone is one byte


# Byte -> its character in a glyph string: cp1252, or Latin-1 where cp1252 has none (0x81 ...).
_GLYPH = {b: bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in range(256)}
_C1_TO_CP1252 = {b: _GLYPH[b] for b in range(0x80, 0xA0) if _GLYPH[b] != chr(b)}
_BYTE_OF = {g: b for b, g in _GLYPH.items()} | {chr(b): b for b in range(0x80, 0xA0)}


def _tcvn3_tables() -> tuple[dict[str, str], dict[str, str], dict[int, str], dict[int, str]]:
    encode = dict(_TCVN3_EXTRA)
    for letters, glyphs in zip(_VOWELS, _TCVN3_ROWS.split(" "), strict=True):
        encode.update((u, g) for u, g in zip(letters, glyphs, strict=True) if not u.isascii())
    decode = {g: u for u, g in encode.items()}
    lower = {ord(g): u for g, u in decode.items()}
    upper = {k: v.upper() for k, v in lower.items()} | {c: chr(c).upper() for c in range(97, 123)}
    return encode, decode, lower | _C1_TO_CP1252, upper | _C1_TO_CP1252


def _vni_tables() -> tuple[dict[str, str], dict[str, str]]:
    encode = {"đ": "ñ", "Đ": "Ñ"}
    for letters in _VOWELS:
        if letters[0] == "i":
            spelt = _VNI_I
        else:
            base, marks = _VNI_SPELLING[letters[0]]
            spelt = tuple(base + m for m in marks)
            if base == "y":
                spelt = spelt[:5] + ("î",)  # ỵ is one byte
        for u, v in zip(letters, spelt, strict=True):
            if not u.isascii():  # ý and í are their own glyphs
                encode[u], encode[u.upper()] = v, v.upper()
    decode = {v: u for u, v in encode.items()}
    lenient = {}  # forms converters and typists also produced; never written by us
    for v, u in decode.items():
        if len(v) == 2:  # a mark in the other case: the base letter decides
            lenient[v[0] + v[1].swapcase()] = u
    for row, base, lead in ((2, "a", "â"), (1, "a", "ê"), (4, "e", "â"), (7, "o", "â")):
        for tone in range(1, 6):  # two marks: circumflex or breve, then the tone
            lenient[base + lead + _VNI_TONE[tone]] = _VOWELS[row][tone]
    for tone in range(1, 6):
        lenient["i" + _VNI_TONE[tone]] = _VOWELS[5][tone]
    lenient["yï"] = "ỵ"
    for v, u in list(lenient.items()):
        lenient.setdefault(v.upper(), u.upper())
    return encode, lenient | decode


_TCVN3_ENCODE, _TCVN3_DECODE, _TCVN3_LOWER, _TCVN3_UPPER = _tcvn3_tables()
_VNI_ENCODE, _VNI_DECODE = _vni_tables()
_VNI_STARTS = {k[0] for k in _VNI_DECODE}
_VIETNAMESE = set(_TCVN3_ENCODE) | set(_VNI_ENCODE) | {c.upper() for c in _TCVN3_ENCODE}
_GLYPHS = {
    "tcvn3": {c for c in _TCVN3_DECODE if not c.isascii()},
    "vni": {c for k in _VNI_DECODE for c in k if not c.isascii()},
}


def _glyph_text(data: bytes) -> str:
    """Bytes -> glyph string: cp1252, and the Latin-1 character where cp1252 has none."""
    return bytes(data).decode("latin-1").translate(_C1_TO_CP1252)


def _check(encoding: str) -> str:
    if str(encoding).lower() not in LEGACY_ENCODINGS:
        raise ValueError(f"unknown legacy encoding {encoding!r}, not in {LEGACY_ENCODINGS}")
    return str(encoding).lower()


def to_unicode(text: str, encoding: str, *, capitals: bool = False) -> str:
    """Convert a glyph string (cp1252 reading of legacy bytes) to NFC Unicode.

    Characters the table does not map are left unchanged (digits,
    punctuation, ASCII letters; in VNI a letter not followed by a mark).

    Parameters
    ----------
    text : str
        Glyph string, e.g. a workbook cell typed in a legacy font.
    encoding : {'tcvn3', 'vni'}
        The legacy encoding.
    capitals : bool, default False
        TCVN3 only: the text was typed in an "H" font (``.VnTimeH``), where
        lower-case positions, ASCII letters included, are drawn as capitals.

    Returns
    -------
    str
        NFC Unicode text.

    Examples
    --------
    >>> to_unicode("NguyÔn V¨n An", "tcvn3")
    'Nguyễn Văn An'
    >>> to_unicode("§¶ng bé tæ", "tcvn3", capitals=True)
    'ĐẢNG BỘ TỔ'
    >>> to_unicode("Nguyeãn Vaên An", "vni")
    'Nguyễn Văn An'
    """
    encoding = _check(encoding)
    if encoding == "tcvn3":
        out = text.translate(_TCVN3_UPPER if capitals else _TCVN3_LOWER)
        return unicodedata.normalize("NFC", out)
    if capitals:
        raise ValueError("capitals=True is for TCVN3 'H' fonts; VNI has its own capitals")
    text = text.translate(_C1_TO_CP1252)
    parts, i = [], 0
    while i < len(text):  # the longest spelling first: "aâù", then "aâ", then "a"
        key = text[i]
        if key in _VNI_STARTS:
            key = next((text[i : i + w] for w in (3, 2) if text[i : i + w] in _VNI_DECODE), key)
        parts.append(_VNI_DECODE.get(key, key))
        i += len(key)
    return unicodedata.normalize("NFC", "".join(parts))


def from_unicode(text: str, encoding: str, *, capitals: bool = False) -> str:
    """The inverse of :func:`to_unicode`: Unicode -> glyph string (tests, fixtures).

    Parameters
    ----------
    text : str
        Unicode text (any normal form).
    encoding : {'tcvn3', 'vni'}
        The legacy encoding.
    capitals : bool, default False
        TCVN3 only: write for an "H" font; every letter comes back as a capital.

    Returns
    -------
    str
        The glyph string.

    Raises
    ------
    ValueError
        A character the font cannot show (a TCVN3 capital with a tone without
        ``capitals=True``) or one that would read back as a Vietnamese letter.

    Examples
    --------
    >>> from_unicode("Đảng bộ", "tcvn3")
    '§¶ng bé'
    >>> from_unicode("ĐẢNG BỘ", "tcvn3", capitals=True)
    '®¶ng bé'
    >>> from_unicode("Đảng bộ", "vni")
    'Ñaûng boä'
    """
    encoding = _check(encoding)
    text = unicodedata.normalize("NFC", text)
    if encoding == "tcvn3":
        table, glyphs = _TCVN3_ENCODE, _GLYPHS["tcvn3"]
        if capitals:
            text = text.lower()
    else:
        if capitals:
            raise ValueError("capitals=True is for TCVN3 'H' fonts; VNI has its own capitals")
        table, glyphs = _VNI_ENCODE, _GLYPHS["vni"]
    parts = []
    for i, ch in enumerate(text):
        got = table.get(ch)
        if got is None and (ch in glyphs or ch in _VIETNAMESE):
            hint = " (use capitals=True for an H font)" if ch in _VIETNAMESE else ""
            raise ValueError(f"{encoding} cannot write {ch!r} at position {i}{hint}")
        parts.append(ch if got is None else got)
    return "".join(parts)


def decode_bytes(data: bytes, encoding: str, *, capitals: bool = False) -> str:
    """Decode legacy bytes (a CSV file) to NFC Unicode.

    Examples
    --------
    >>> decode_bytes(b"H\\xe4 v\\xb5 t\\xaan", "tcvn3")
    'Họ và tên'
    >>> decode_bytes(b"Ho\\xef va\\xf8 te\\xe2n", "vni")
    'Họ và tên'
    """
    return to_unicode(_glyph_text(data), encoding, capitals=capitals)


def encode_bytes(text: str, encoding: str, *, capitals: bool = False) -> bytes:
    """The inverse of :func:`decode_bytes`, for writing legacy CSV fixtures.

    Examples
    --------
    >>> encode_bytes("Họ và tên", "tcvn3")
    b'H\\xe4 v\\xb5 t\\xaan'
    """
    glyphs = from_unicode(text, encoding, capitals=capitals)
    try:
        return bytes(_BYTE_OF[c] for c in glyphs)
    except KeyError as err:
        raise ValueError(f"{encoding} bytes cannot hold {err.args[0]!r}") from None


# --- detection -------------------------------------------------------------------------------

_ONSETS = "ngh ng gh gi kh ch nh ph th tr qu b c d đ g h k l m n p r s t v x"
_OPEN = "iêu yêu oai oao oay oeo uây uôi ươi ươu uya uyu ai ao au ay âu ây eo êu ia iu oi ôi ơi ui ưi ưu ưa ua uơ ya"
_FREE = "oa oe uê uy a e ê i o ô ơ u ư y"  # with or without a final consonant
_CLOSED = "uyê iê yê uô ươ uâ oă oo ă â"  # always with a final consonant
_CODA = "ch|ng|nh|[cmnpt]"


def _alternatives(words: str) -> str:
    return "|".join(sorted(words.split(" "), key=len, reverse=True))


_SYLLABLE = re.compile(
    f"(?:{_alternatives(_ONSETS)})?(?:(?P<open>{_alternatives(_OPEN)})"
    f"|(?P<free>{_alternatives(_FREE)})(?P<coda>{_CODA})?"
    f"|(?P<closed>{_alternatives(_CLOSED)})(?P<coda_>{_CODA}))"
)
_WORD = re.compile(
    "(?:[^\\W\\d_]|[\u0300-\u036f"
    + re.escape("".join(sorted(_GLYPHS["tcvn3"] | _GLYPHS["vni"])))
    + "])+"
)
_CP1252 = set(_BYTE_OF)
_MAX_WORDS = 20_000  # non-ASCII words looked at per sample
MIN_EVIDENCE = 2  # words that only the legacy reading makes Vietnamese
MIN_SHARE = 0.8  # of the words that say anything, the share that must be such evidence


def _is_syllable(word: str) -> bool:
    """One Vietnamese syllable (any case): known parts, one tone at most, on the right vowel."""
    letters = unicodedata.normalize("NFC", word.lower())
    bare, tone, at = [], None, -1
    for i, ch in enumerate(letters):
        parts = unicodedata.normalize("NFD", ch)
        marks = [c for c in parts if c in _TONE_MARKS]
        if marks:
            if tone is not None or len(marks) > 1:
                return False
            tone, at = marks[0], i
        bare.append(unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONE_MARKS)))
    match = _SYLLABLE.fullmatch("".join(bare))
    if match is None:
        return False
    kind = next(k for k in ("open", "free", "closed") if match.group(k))
    coda = match.group("coda") or match.group("coda_")
    if coda in ("c", "ch", "p", "t") and tone not in ("\u0301", "\u0323"):
        return False  # a stop ending takes only the acute or the dot
    if tone is None:
        return True
    nucleus, k = match.group(kind), at - match.start(kind)
    if not 0 <= k < len(nucleus):
        return False  # the tone sits on the onset ("gìa")
    marked = [i for i, c in enumerate(nucleus) if c in "ăâêôơư"]
    if marked:
        return k in marked  # người, tiếng, thuở: on the vowel with a hat or horn
    if len(nucleus) == 1 or nucleus in ("oa", "oe", "uy", "oo"):
        return True  # hòa and hoà are both in use
    return k == (1 if len(nucleus) == 3 else 0)  # mái, múa; khoái, khuỷu


def _evidence(words: dict[str, int], encoding: str, unicode_words: int) -> tuple[int, int]:
    """(words only the legacy reading makes Vietnamese, words that say anything)."""
    good, counted = 0, unicode_words
    for word, count in words.items():
        as_is = _is_syllable(word)
        converted = to_unicode(word, encoding)
        as_legacy = _is_syllable(converted)
        if as_is and as_legacy:
            continue  # both readings are Vietnamese ("Hoà" is also VNI "Hồ"): says nothing
        if as_legacy and len(converted) < 2:
            continue  # a lone symbol ("£" is TCVN3 "Ê"): too weak
        counted += count
        good += count if as_legacy else 0
    return good, counted


def detect(texts: Iterable[str]) -> str | None:
    """'tcvn3', 'vni' or None for a sample of glyph strings (a column or a file's text).

    Conservative. Each word with a non-ASCII character is read two ways: as
    it stands and converted from the legacy encoding. Words that are a
    Vietnamese syllable only when converted (``V¨n``, ``Nguyeãn``) are
    evidence for the encoding; words that are Vietnamese only as they stand,
    or that hold Unicode-only Vietnamese letters (ă đ ơ ư ạ ..., combining
    marks), or that are a syllable neither way (``Müller``) count against it;
    words that are Vietnamese both ways (``Hoà`` = VNI ``Hồ``) are ignored.
    An encoding is returned when it has at least :data:`MIN_EVIDENCE`
    evidence words making at least :data:`MIN_SHARE` of the counted words,
    and clearly more evidence than the other encoding; otherwise None.

    Examples
    --------
    >>> detect(["Hä vµ tªn", "NguyÔn V¨n An"])
    'tcvn3'
    >>> detect(["Hoï vaø teân", "Nguyeãn Vaên An"])
    'vni'
    >>> detect(["Họ và tên", "Nguyễn Văn An"]) is None
    True
    >>> detect(["café", "Müller", "© 2024", "½"]) is None
    True
    """
    words: dict[str, int] = {}
    unicode_words = seen = 0
    for text in texts:
        if not isinstance(text, str) or text.isascii():
            continue
        for word in _WORD.findall(text.translate(_C1_TO_CP1252)):
            if word.isascii():
                continue
            seen += 1
            if not set(word) <= _CP1252:  # cannot come from a legacy font
                unicode_words += _is_syllable(unicodedata.normalize("NFC", word))
            else:
                words[word] = words.get(word, 0) + 1
        if seen >= _MAX_WORDS:
            break
    scores = {e: _evidence(words, e, unicode_words) for e in LEGACY_ENCODINGS}
    passing = {
        e: good for e, (good, counted) in scores.items()
        if good >= MIN_EVIDENCE and good >= MIN_SHARE * counted
    }  # fmt: skip
    if len(passing) == 1:
        return next(iter(passing))
    if len(passing) == 2:
        (e1, g1), (e2, g2) = sorted(passing.items(), key=lambda kv: kv[1], reverse=True)
        return e1 if g1 >= 2 * g2 else None
    return None


def detect_bytes(data: bytes) -> str | None:
    """Same as :func:`detect` for raw file bytes (a CSV file).

    Valid UTF-8 (an incomplete character at the very end allowed) and UTF-16
    give None: decode those and call :func:`detect` on the text instead, as
    the answer is meant for :func:`decode_bytes`.

    Examples
    --------
    >>> detect_bytes(encode_bytes("Họ và tên\\nNguyễn Văn An\\n", "tcvn3"))
    'tcvn3'
    >>> detect_bytes("Họ và tên\\nNguyễn Văn An\\n".encode("utf-8")) is None
    True
    """
    data = bytes(data)
    utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in data[:4096]
    if not data or utf16:  # UTF-16 text has zero bytes in its ASCII letters
        return None
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data, final=False)
        return None
    except UnicodeDecodeError:
        pass
    return detect(_glyph_text(data).splitlines())
