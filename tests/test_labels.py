"""The label catalogue and the number formats of chibo_analysis.labels."""

from __future__ import annotations

import re
import string

import numpy as np
import pandas as pd
import pytest

from chibo_analysis import labels
from chibo_analysis.errors import ParameterError
from chibo_analysis.present import charts, display
from chibo_analysis.present.markup import md_plain
from chibo_analysis.schema import TABLES

#: The scorecard columns of DOMAIN.md section 4, names exact.
SCORECARD_COLUMNS = [
    "org_id", "period", "members", "months_expected", "regular_months", "regular_rate",
    "quarters_expected", "thematic_quarters", "thematic_rate", "short_meetings",
    "attendance_rate", "unexcused_absences", "standard_meeting_rate", "flagged_meetings",
    "flagged_dues", "excused_streaks", "good_self_ratings", "implausible_good",
    "inspected_meetings", "rating_agreement", "rating_inflation", "superior_attended",
    "admissions", "minutes_mismatches",
]  # fmt: skip

#: Letters that only Vietnamese uses (with diacritics); at least one should
#: appear in any real Vietnamese sentence of the catalogue.
VI_MARKS = re.compile(
    r"[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]", re.I
)


def test_every_entry_has_both_languages_and_the_same_placeholders():
    for key, entry in labels.catalogue().items():
        assert set(entry) == {"vi", "en"}, key
        fields = [
            {f for _, f, _, _ in string.Formatter().parse(entry[lang]) if f}
            for lang in "vi en".split()
        ]
        assert fields[0] == fields[1], key


def test_vietnamese_texts_carry_diacritics():
    # Each sentence-like Vietnamese text (3+ words) must contain Vietnamese letters:
    # a text typed without diacritics ("Ty le du sinh hoat") would fail here.
    for key, entry in labels.catalogue().items():
        if len(entry["vi"].split()) >= 3:
            assert VI_MARKS.search(entry["vi"]), key


def test_label_fills_values_and_rejects_unknown_key_and_language():
    assert labels.label("finding.flagged_dues", "vi", n="3").startswith("3 đảng viên không đóng")
    with pytest.raises(ParameterError, match="not in the label catalogue"):
        labels.label("finding.nope")
    with pytest.raises(ParameterError, match="lang='fr'"):
        labels.label("word.met", "fr")


def test_every_scorecard_column_has_a_label_in_both_languages():
    for col in SCORECARD_COLUMNS:
        vi, en = labels.column_label(col, "vi"), labels.column_label(col, "en")
        assert vi != col and en != col, col
        assert vi != en, col


def test_column_label_falls_back_to_schema_and_then_to_the_name():
    # members.gender is not in the catalogue: the schema's headers are used.
    assert labels.column_label("gender", "vi") == "Giới tính"
    assert labels.column_label("gender", "en") == "Gender"
    assert labels.column_label("no_such_column", "vi") == "no_such_column"


@pytest.mark.parametrize(
    ("value", "lang", "expected"),
    [
        (10677, "vi", "10.677"),  # the article's member count, Vietnamese grouping
        (10677, "en", "10,677"),
        (0, "vi", "0"),
        (None, "vi", "–"),
        (pd.NA, "en", "–"),
    ],
)
def test_fmt_int(value, lang, expected):
    assert labels.fmt_int(value, lang) == expected


@pytest.mark.parametrize(
    ("value", "lang", "expected"),
    [
        (0.9376, "vi", "93,8%"),  # the district's thematic compliance in the article
        (0.9376, "en", "93.8%"),
        (1.0, "vi", "100,0%"),
        (12.345, "vi", "1.234,5%"),  # grouping and decimal comma together
        (np.nan, "vi", "–"),  # an empty rate stays empty, not 0%
    ],
)
def test_fmt_percent(value, lang, expected):
    assert labels.fmt_percent(value, lang) == expected


def test_fmt_list_summarises_the_rest():
    assert labels.fmt_list(["A", "B", "C", "D"], "vi", limit=2) == "A, B và 2 chi bộ khác"
    assert labels.fmt_list(["A"], "en") == "A"


def test_category_labels_come_from_the_schema():
    statuses = labels.category_labels("attendance", "status", "vi")
    assert statuses == {c.code: c.vi for c in TABLES["attendance"].column("status").choices}
    assert labels.category_label("organisations", "level", "base_cell", "en") == "Base cell"
    assert labels.category_label("meetings", "self_rating", None, "vi") == ""


def test_relabel_formats_values_and_translates_headers():
    frame = pd.DataFrame(
        {
            "org_id": ["C1", "C2"],
            "level": pd.Categorical(["cell", "base_cell"]),
            "regular_rate": [11 / 12, np.nan],
            "members": pd.array([1234, 5], dtype="Int64"),
            "met": pd.array([True, pd.NA], dtype="boolean"),
        }
    )
    vi = display.relabel(frame, "vi")
    assert list(vi.columns) == [
        "Mã tổ chức", "Cấp", "Tỷ lệ tháng có sinh hoạt thường kỳ", "Số đảng viên", "Kết quả",
    ]  # fmt: skip
    assert vi.iloc[0].tolist() == ["C1", "Chi bộ trực thuộc", "91,7%", "1.234", "Đạt"]
    assert vi.iloc[1].tolist() == ["C2", "Chi bộ cơ sở", "–", "5", "Không có dữ liệu"]
    en = display.relabel(frame, "en")
    assert en.iloc[0].tolist() == ["C1", "Cell", "91.7%", "1,234", "Met"]
    assert frame["regular_rate"].iloc[0] == pytest.approx(11 / 12)  # input untouched


def test_table_of_an_empty_frame_says_nothing_found():
    shown = display.table(pd.DataFrame({"member_id": []}), "en")
    assert md_plain(shown.data) == "No cases found."
    plain = display.table(pd.DataFrame({"members": pd.array([3], dtype="Int64")}), "vi")
    assert "<th>Số đảng viên</th>" in plain.data and "<td>3</td>" in plain.data
    assert "<th>" not in plain.data.split("<tbody>")[1]  # no index column


def test_table_escapes_values_and_colours_met():
    plain = display.table(pd.DataFrame({"note": ["<b>x</b> & y"]}), "en")
    assert "&lt;b&gt;x&lt;/b&gt; &amp; y" in plain.data
    styled = display.table(pd.DataFrame({"org_id": ["C1", "C2"], "met": [True, False]}), "vi")
    html = styled.to_html()
    assert (
        f"background-color: {charts.MET}" in html and f"background-color: {charts.NOT_MET}" in html
    )


def test_catalogue_keys_are_text_and_yes_no_resolve():
    # YAML reads bare yes/no keys as booleans: the catalogue must quote them.
    assert all(
        isinstance(k, str) and "True" not in k and "False" not in k for k in labels.catalogue()
    )
    assert (labels.yes_no(True, "vi"), labels.yes_no(False, "en"), labels.yes_no(None)) == (
        "Có",
        "No",
        "",
    )


def test_years_and_row_numbers_are_not_grouped():
    frame = pd.DataFrame(
        {"year": pd.array([2022], dtype="Int64"), "_row": [1234], "members": [1234]}
    )
    assert display.relabel(frame, "vi").iloc[0].tolist() == ["2022", "1234", "1.234"]


def test_relabel_also_maps_values_written_as_vietnamese_labels():
    frame = pd.DataFrame({"self_rating": ["Khá", "good", None]})
    out = display.relabel(frame, "en", categories={"self_rating": ("meetings", "self_rating")})
    assert out.iloc[:, 0].tolist() == ["Fair", "Good", ""]
