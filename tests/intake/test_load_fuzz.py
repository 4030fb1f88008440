"""Property: mangled files never crash the loader with anything but our own errors,
and every input row is either loaded or reported."""

from __future__ import annotations

import csv
import io
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
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


# --- issue 10: `chibo validate` on one mangled file of the clean dataset ---------------------

FILES = sorted(p.name for p in CLEAN.iterdir() if p.suffix == ".csv")
#: Odd cell values from issue 10: formulas, markup, NUL, a bidi override, a long text,
#: a meeting in 2099, quotes and delimiters, huge numbers.
ODD = [
    "", " ", "=1+1", '=HYPERLINK("http://example.invalid","x")', "+1", "-1", "@SUM(A1:A9)",
    "\x00", "M\x001", "Tr\x00ần\x07", "\u202eCB1", "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>", "x" * 3000, "05/02/2099", "31/02/2022", '"', '""', ",", ";",
    "\t", "\r", "Có mặt", "NaN", "None", "1e309", "99999999999999999999", "đ",
]  # fmt: skip
MANGLES = ("truncate", "insert", "encoding", "pasted_line", "duplicate", "delete", "cell",
           "renamed")  # fmt: skip


def _cp1258(text: str) -> bytes:
    from test_load import encode_cp1258

    return encode_cp1258(text)


@st.composite
def mangled_file(draw):
    """One file of tests/data/clean with one fault: (file name afterwards, its bytes, what)."""
    name = draw(st.sampled_from(FILES))
    data = (CLEAN / name).read_bytes()
    text = data.decode("utf-8")
    lines = text.splitlines(keepends=True)
    how = draw(st.sampled_from(MANGLES))
    if how == "truncate":  # cut at any byte, inside a UTF-8 character too
        data = data[: draw(st.integers(0, len(data)))]
    elif how == "insert":  # random bytes (NUL, bare quotes, invalid UTF-8…) anywhere
        at = draw(st.integers(0, len(data)))
        extra = draw(
            st.one_of(
                st.binary(min_size=1, max_size=8),
                st.sampled_from([b"\x00", b'"', b"\r", b"\n\n", b"\xff\xfe"]),
            )
        )
        data = data[:at] + extra + data[at:]  # fmt: skip
    elif how == "encoding":  # the whole file saved in another encoding
        enc = draw(st.sampled_from(["utf-16", "utf-8-sig", "cp1258"]))
        data = _cp1258(text) if enc == "cp1258" else text.encode(enc)
    elif how == "pasted_line":  # one line in Windows-1258 among UTF-8 ones
        i = draw(st.integers(1, len(lines) - 1))
        data = "".join(lines[:i]).encode() + _cp1258(lines[i]) + "".join(lines[i + 1 :]).encode()
    elif how in ("duplicate", "delete"):
        i = draw(st.integers(0, len(lines) - 1))
        lines = lines[: i + 1] + lines[i:] if how == "duplicate" else lines[:i] + lines[i + 1 :]
        data = "".join(lines).encode()
    elif how == "cell":  # a cell emptied or replaced by an odd value
        records = list(csv.reader(io.StringIO(text, newline="")))
        row = draw(st.integers(1, len(records) - 1))
        col = draw(st.integers(0, len(records[row]) - 1))
        records[row][col] = draw(st.sampled_from(ODD))
        out = io.StringIO(newline="")
        csv.writer(out, lineterminator="\n").writerows(records)
        data = out.getvalue().encode()
    else:  # renamed: a CSV under a workbook's name
        name = name.replace(".csv", draw(st.sampled_from([".xlsx", ".xls"])))
    return name, data, how


def _accounted_rows(folder: Path, name: str, problems: pd.DataFrame, clean) -> None:
    """Every record of the mangled CSV is kept in the cleaned dataset or listed in the problems.

    Checked when the file still has its header on line 1 (otherwise the loader either
    stops or reads it another way, e.g. finds no table and lists the whole file).
    """
    from chibo_analysis.intake.readers import decode_text, sniff_delimiter
    from chibo_analysis.schema import TABLES

    listed = problems[problems["file"] == name]
    if listed["code"].isin(["unread_file", "empty_file"]).any():
        return  # the whole file was not read, and said so
    path = folder / name
    if path.suffix != ".csv":
        return
    text = decode_text(path.read_bytes(), path)
    sep = sniff_delimiter(text)
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
    original = next(csv.reader(io.StringIO((CLEAN / name).read_text(encoding="utf-8"))))
    if not records or records[0] != original:
        return
    expected = {i for i, r in enumerate(records, start=1) if i > 1 and any(f != "" for f in r)}
    table = TABLES[Path(name).stem].name
    frame = clean.tables.get(table)
    kept = set() if frame is None else set(frame.loc[frame["_file"] == name, "_row"])
    rows = set(listed["row"].astype(int))
    assert expected <= kept | rows, sorted(expected - kept - rows)
    aside = set(listed.loc[listed["action"] == "set_aside", "row"].astype(int))
    assert not kept & aside, sorted(kept & aside)


def _validate_mangled(case) -> None:
    """Run ``chibo validate --out`` in-process on the mangled copy and check what it did."""
    import contextlib
    import tempfile
    from unittest import mock

    from chibo_analysis.checks import validation
    from chibo_analysis.commands.cli import main

    name, data, how = case
    seen = []  # the dataset and report of the command's own run
    original = validation.validate

    def spy(dataset, *args, **kwargs):
        report = original(dataset, *args, **kwargs)
        seen.append((dataset, report))
        return report

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "data"
        shutil.copytree(CLEAN, folder)
        (folder / Path(name).with_suffix(".csv").name).unlink()
        (folder / name).write_bytes(data)
        before = {p.name: p.read_bytes() for p in folder.iterdir()}
        out = Path(tmp) / "problems.csv"
        printed, said = io.StringIO(), io.StringIO()
        with (
            contextlib.redirect_stdout(printed),
            contextlib.redirect_stderr(said),
            mock.patch.object(validation, "validate", spy),
        ):
            code = main(["validate", str(folder), "--out", str(out), "--lang", "en"])
        assert code in (0, 1, 2), (how, code)
        assert {p.name: p.read_bytes() for p in folder.iterdir()} == before  # inputs untouched
        if code == 2:  # could not run: one message, no traceback, no report
            assert said.getvalue().startswith("chibo validate: ") and not out.exists()
            assert "Traceback" not in said.getvalue()
            return
        problems = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        problems["row"] = problems["row"].astype(int)
        ((ds, report),) = seen
        clean = ds.clean(report)
        listed = set(
            problems.loc[problems["action"] == "set_aside", ["table", "file", "row"]].itertuples(
                index=False, name=None
            )
        )
        for table, frame in clean.set_aside.items():  # every row set aside is listed
            for file, row in zip(frame["_file"].astype(str), frame["_row"], strict=True):
                assert (table, file, int(row)) in listed, (how, table, file, row)
        _accounted_rows(folder, name, problems, clean)


@settings(max_examples=30, deadline=None)
@given(case=mangled_file())
def test_validate_survives_a_mangled_file(case):
    _validate_mangled(case)


@pytest.mark.skipif(
    os.environ.get("CHIBO_FUZZ") != "long", reason="long run: set CHIBO_FUZZ=long to run it"
)
@settings(max_examples=int(os.environ.get("CHIBO_FUZZ_EXAMPLES", "1500")), deadline=None)
@given(case=mangled_file())
def test_validate_survives_a_mangled_file_long(case):
    _validate_mangled(case)
