"""Property: mangled files never crash the loader with anything but our own errors,
and every input row is either loaded or reported."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

from conftest import CLEAN
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chibo_analysis import ChiboError, load_dataset, validate

PRINTABLE = st.characters(exclude_categories=("Cc", "Cs", "Cf", "Zl", "Zp"))
CELL = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "M1",
            "M2",
            "S1",
            "S3",
            "CB1",
            "31/02/2022",
            "03/01/2022",
            "Có mặt",
            "vang",
            "present",
            "excused",
            "50.000",
            "-1",
            "abc",
            "Tốt",
            "0",
            '"',
            ";",
            ",",
            "\t",
            "đ",
        ]
    ),
    st.text(alphabet=PRINTABLE, max_size=12),
)


@st.composite
def mangled_attendance(draw):
    header = draw(
        st.sampled_from(
            [
                ["meeting_id", "member_id", "status"],
                ["Mã buổi sinh hoạt", "Mã đảng viên", "Tình trạng"],
                ["meeting_id", "member_id"],  # a required column missing
                ["status", "member_id", "meeting_id", "extra"],
            ]
        )
    )
    rows = draw(st.lists(st.lists(CELL, max_size=5), max_size=12))
    sep = draw(st.sampled_from([",", ";", "\t"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1258"]))
    return header, rows, sep, encoding


def expected_rows(text: str, sep: str) -> set[int]:
    """Row numbers (header = 1) of the records with any text, by Python's csv module."""
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
    return {i for i, r in enumerate(records, start=1) if i > 1 and any(f != "" for f in r)}


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(case=mangled_attendance())
def test_loader_never_crashes_and_loses_no_row(tmp_path_factory, case):
    header, rows, sep, encoding = case
    folder: Path = tmp_path_factory.mktemp("fuzz") / "data"
    shutil.copytree(CLEAN, folder)
    text = "\n".join([sep.join(header)] + [sep.join(r) for r in rows]) + "\n"
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        encoding, data = "utf-8", text.encode("utf-8")
    (folder / "attendance.csv").write_bytes(data)
    try:
        ds = load_dataset(folder)
        report = validate(ds)
    except ChiboError:
        return  # our own readable error (here: the missing required column)
    issues = report.issues[report.issues["table"] == "attendance"]
    bad_rows = set(issues.loc[issues["code"] == "bad_row", "row"])
    # rows after a blank row without any required value: a footer, noted row by row
    footer = set(issues.loc[issues["code"] == "footer_skipped", "row"])
    loaded = set(ds.attendance["_row"])
    expected = expected_rows(data.decode(encoding).lstrip("\ufeff"), sep)
    assert loaded | bad_rows | footer == expected
    assert not loaded & bad_rows and not (loaded | bad_rows) & footer
    kept = set(ds.clean(report).attendance["_row"])
    errors = set(issues.loc[issues["severity"] == "error", "row"])
    assert loaded - kept == loaded & errors  # set aside exactly the rows listed with an error
