"""Hand-made datasets for the indicator tests; expected values are worked out in the tests.

The small city (:func:`small_city`), 2022 unless said otherwise:

- ``TP`` committee; ``B1`` base under TP; ``C1`` (residential) and ``C2``
  (agency, founded 20/05/2022) cells under B1; ``BC`` a base cell under TP;
  ``C9`` a cell under B1 dissolved 30/06/2021.
- C1 roll: m1, m2, m3 (transferred to C2 on 01/07/2022), m4 (exempt from
  01/01/2022, open-ended), m5 (exempt 01/03/2022-30/06/2022), m8 (left
  31/12/2022, deceased). C2 roll: m3 (from 01/07), m6 (admitted 01/06/2022),
  m7 (probationary since 01/03/2021), m9. BC roll: b1, b2, b3, b4 (joined and
  admitted 31/12/2022).

Register codes in :data:`REGISTER`: P present, E excused, A absent, X exempt.
Every dataset is valid by construction and is marked clean with an empty
validation report, so these tests do not depend on the validator.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from chibo_analysis.intake.load import dataset_from_frames
from chibo_analysis.problems import ValidationReport, empty_issues

ORGANISATIONS = [
    # org_id, name, parent_id, level, kind, founded_on, dissolved_on
    ("TP", "Đảng bộ Thành phố", "", "committee", "", "", ""),
    ("B1", "Đảng bộ phường Phan Thiết", "TP", "base", "", "", ""),
    ("C1", "Chi bộ tổ dân phố 1", "B1", "cell", "residential", "", ""),
    ("C2", "Chi bộ cơ quan", "B1", "cell", "agency", "20/05/2022", ""),
    ("BC", "Chi bộ Công ty", "TP", "base_cell", "enterprise", "", ""),
    ("C9", "Chi bộ cũ", "B1", "cell", "residential", "01/01/2010", "30/06/2021"),
]

MEMBERS = [
    # member_id, cell_id, gender, birth_date, admitted_on, confirmed_on,
    # joined_on, left_on, left_reason, exempt_from, exempt_until
    ("m1", "C1", "Nam", "1970-01-01", "2010-01-01", "2011-01-01", "2015-01-01", "", "", "", ""),
    ("m2", "C1", "Nữ", "1975-01-01", "2012-01-01", "2013-01-01", "2018-01-01", "", "", "", ""),
    ("m3", "C1", "Nam", "1980-01-01", "2014-01-01", "2015-01-01", "2016-01-01", "2022-07-01",
     "transfer", "", ""),
    ("m3", "C2", "Nam", "1980-01-01", "2014-01-01", "2015-01-01", "2022-07-01", "", "", "", ""),
    ("m4", "C1", "Nam", "1950-05-01", "1975-01-01", "1976-01-01", "1990-01-01", "", "",
     "2022-01-01", ""),
    ("m5", "C1", "Nữ", "1980-02-01", "2005-01-01", "2006-01-01", "2010-01-01", "", "",
     "2022-03-01", "2022-06-30"),
    ("m6", "C2", "Nữ", "1995-01-01", "2022-06-01", "", "2022-06-01", "", "", "", ""),
    ("m7", "C2", "Nam", "1990-01-01", "2021-03-01", "", "2022-05-20", "", "", "", ""),
    ("m8", "C1", "Nam", "1940-01-01", "1965-01-01", "1966-01-01", "2000-01-01", "2022-12-31",
     "deceased", "", ""),
    ("m9", "C2", "Nữ", "1985-01-01", "2008-01-01", "2009-01-01", "2022-05-20", "", "", "", ""),
    ("b1", "BC", "Nam", "1980-01-01", "2005-01-01", "2006-01-01", "2010-01-01", "", "", "", ""),
    ("b2", "BC", "Nam", "1981-01-01", "2005-01-01", "2006-01-01", "2010-01-01", "", "", "", ""),
    ("b3", "BC", "Nữ", "1982-01-01", "2005-01-01", "2006-01-01", "2010-01-01", "", "", "", ""),
    ("b4", "BC", "Nữ", "1999-01-01", "2022-12-31", "", "2022-12-31", "", "", "", ""),
    ("c9a", "C9", "Nam", "1960-01-01", "1990-01-01", "1991-01-01", "2015-01-01", "2021-06-30",
     "transfer", "", ""),
]  # fmt: skip

MEETINGS = [
    # meeting_id, cell_id, held_on, kind, duration, self_rating, superior,
    # n_summoned, n_present, n_excused, n_absent
    ("C1-00", "C1", "2021-12-20", "regular", "90", "", "", "", "", "", ""),
    ("C1-01", "C1", "2022-01-10", "regular", "120", "good", "Có", "5", "5", "", ""),
    ("C1-02", "C1", "2022-02-14", "regular", "80", "good", "Không", "6", "4", "1", "1"),
    ("C1-03", "C1", "2022-03-31", "combined", "130", "fair", "", "", "3", "", ""),
    ("C1-04", "C1", "2022-04-20", "thematic", "60", "good", "", "", "", "", ""),
    ("C1-05", "C1", "2022-05-16", "regular", "", "good", "", "", "", "", ""),
    ("C1-06", "C1", "2022-07-05", "regular", "90", "good", "Có", "", "", "", ""),
    ("C1-07", "C1", "2022-09-12", "regular", "100", "", "", "5", "", "", ""),
    ("C1-08", "C1", "2022-11-08", "regular", "95", "average", "", "", "", "", ""),
    ("C1-09", "C1", "2022-12-05", "extraordinary", "45", "", "", "", "", "", ""),
    ("C2-01", "C2", "2022-05-25", "combined", "120", "good", "", "", "", "", ""),
    ("C2-02", "C2", "2022-08-10", "regular", "90", "fair", "", "", "", "", ""),
    ("C2-03", "C2", "2022-09-30", "thematic", "90", "", "Có", "", "", "", ""),
    ("C2-04", "C2", "2022-10-12", "regular", "100", "good", "", "", "4", "", ""),
    ("BC-01", "BC", "2022-06-15", "regular", "90", "good", "", "", "", "", ""),
    ("C9-01", "C9", "2021-03-10", "regular", "90", "", "", "", "", "", ""),
]  # fmt: skip

#: meeting_id -> "member:code ..." (P present, E excused, A absent, X exempt)
REGISTER = {
    "C1-00": "m1:P m2:E m3:P m8:P",
    "C1-01": "m1:P m2:P m3:P m4:X m5:P m8:P",
    "C1-02": "m1:P m2:E m3:A m4:P m5:P m8:P",
    "C1-03": "m1:P m2:E m3:A m4:X m5:A m8:P",
    "C1-04": "m1:P m2:E m3:P m5:E m8:P",
    "C1-05": "m1:P m2:E m3:P m4:P m8:P",
    "C1-06": "m1:P m2:P m4:X m5:P m8:P",
    "C1-07": "m1:A m2:P m5:P m8:P",
    "C1-08": "m1:A m2:P m5:P m8:P",
    "C1-09": "m1:A m2:P m5:P m8:P",
    "C2-01": "m7:P m9:P",
    "C2-02": "m3:A m6:P m7:P m9:P",
    "C2-03": "m3:P m6:P m7:P m9:P",
    "BC-01": "b1:P b2:P b3:P",
    "C9-01": "c9a:P",
}
_STATUS = {"P": "Có mặt", "E": "Vắng có lý do", "A": "Vắng không lý do", "X": "Miễn sinh hoạt"}

INSPECTIONS = [
    # inspection_id, meeting_id, inspected_on, rating
    ("I1", "C1-01", "2022-02-01", "Khá"),
    ("I2", "C1-03", "2022-04-01", "Kém"),
    ("I3", "C1-03", "2022-05-01", "Khá"),
    ("I4", "C1-07", "2022-10-01", "Tốt"),
    ("I5", "C2-02", "2022-09-01", "fair"),
]

DUES = [
    # member_id, month, amount, paid_on
    ("m1", "01/2022", "10.000", "2022-01-10"),
    ("m1", "02/2022", "10.000", ""),
    ("m1", "03/2022", "10.000", ""),
    ("m2", "01/2022", "10.000", ""),
    ("m2", "06/2022", "10.000", ""),
    ("m2", "10/2022", "10.000", ""),
    ("m3", "01/2022", "10.000", ""),
    ("m3", "08/2022", "10.000", ""),
    ("m3", "09/2022", "10.000", ""),
    ("m8", "11/2021", "10.000", ""),
    ("m8", "12/2021", "10.000", ""),
    ("m8", "01/2022", "10.000", ""),
]

REVIEWS = [
    # subject_id, year, level
    ("m1", 2022, "excellent"),
    ("m2", 2022, "excellent"),
    ("m3", 2022, "good"),
    ("m5", 2022, "good"),
    ("m7", 2022, "good"),
    ("m8", 2022, "good"),
    ("m9", 2022, "good"),
    ("m4", 2022, "complete"),
    ("b1", 2022, "good"),
    ("b2", 2022, "good"),
    ("b3", 2022, "good"),
    ("B1", 2022, "excellent"),
]


def frames() -> dict[str, pd.DataFrame]:
    """The small city's tables as raw text, the way a file would hold them."""
    orgs = pd.DataFrame(
        ORGANISATIONS,
        columns=["org_id", "name", "parent_id", "level", "kind", "founded_on", "dissolved_on"],
    )
    members = pd.DataFrame(
        MEMBERS,
        columns=[
            "member_id", "cell_id", "gender", "birth_date", "admitted_on", "confirmed_on",
            "joined_on", "left_on", "left_reason", "exempt_from", "exempt_until",
        ],
    )  # fmt: skip
    meetings = pd.DataFrame(
        MEETINGS,
        columns=[
            "meeting_id", "cell_id", "held_on", "kind", "duration_min", "self_rating",
            "superior_attended", "n_summoned", "n_present", "n_excused", "n_absent",
        ],
    )  # fmt: skip
    attendance = pd.DataFrame(
        [
            (meeting, entry.split(":")[0], _STATUS[entry.split(":")[1]])
            for meeting, line in REGISTER.items()
            for entry in line.split()
        ],
        columns=["meeting_id", "member_id", "status"],
    )
    return {
        "organisations": orgs,
        "members": members,
        "meetings": meetings,
        "attendance": attendance,
        "inspections": pd.DataFrame(
            INSPECTIONS, columns=["inspection_id", "meeting_id", "inspected_on", "rating"]
        ),
        "dues": pd.DataFrame(DUES, columns=["member_id", "month", "amount", "paid_on"]),
        "reviews": pd.DataFrame(REVIEWS, columns=["subject_id", "year", "level"]).astype(str),
    }


def as_clean(**tables: pd.DataFrame | None):
    """A dataset from raw frames, marked clean (valid by construction)."""
    ds = dataset_from_frames(**tables)
    assert ds.load_issues is None or ds.load_issues.empty, ds.load_issues
    return replace(ds, report=ValidationReport(empty_issues()))


def small_city(without: tuple[str, ...] = ()):
    """The small city, optionally without some optional tables."""
    tables = {k: v for k, v in frames().items() if k not in without}
    return as_clean(**tables)
