"""The loader reads what offices really send; expected values written by hand."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import CLEAN, DATA, append_line

from chibo_analysis import DataReadError, load_dataset, validate
from chibo_analysis.intake.load import dataset_from_frames

ORG_VI = (
    "Mã tổ chức;Tên tổ chức;Mã tổ chức cấp trên;Cấp;Loại hình;Ngày thành lập\n"
    "TP;Đảng bộ Thành phố;;Đảng bộ cấp trên cơ sở;;\n"
    "PT;Đảng bộ phường Phan Thiết;TP;dang bo co so;;\n"
    "CQ;Chi bộ Cơ quan;TP;  CHI BỘ CƠ SỞ ;Cơ quan;\n"
    "CB1;Chi bộ tổ 1;PT;Chi bộ trực thuộc;Thôn, tổ dân phố;3/1/2020\n"
    "CB2;Chi bộ tổ 2;PT;chi bo truc thuoc;thon, to dan pho;01/02/2022\n"
)


def encode_cp1258(text: str) -> bytes:
    """Encode as Windows-1258 does: precomposed base letters plus combining tone marks."""
    import unicodedata

    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    out = []
    for ch in text:
        decomposed = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in tones))
        out.append(base + "".join(c for c in decomposed if c in tones))
    return "".join(out).encode("cp1258")


def _with_orgs(clean_dir: Path, data: bytes, name: str = "organisations.csv") -> Path:
    (clean_dir / "organisations.csv").unlink()
    (clean_dir / name).write_bytes(data)
    return clean_dir


def _check_orgs(ds) -> None:
    orgs = ds.organisations
    assert orgs["org_id"].tolist() == ["TP", "PT", "CQ", "CB1", "CB2"]
    assert orgs["name"].iloc[1] == "Đảng bộ phường Phan Thiết"
    assert orgs["level"].astype(str).tolist() == ["committee", "base", "base_cell", "cell", "cell"]
    assert orgs["kind"].astype(object).where(orgs["kind"].notna(), None).tolist() == [
        None,
        None,
        "agency",
        "residential",
        "residential",
    ]
    # 3/1/2020 is day first: 3 January 2020
    assert orgs["founded_on"].iloc[3] == pd.Timestamp("2020-01-03")
    assert orgs["founded_on"].iloc[4] == pd.Timestamp("2022-02-01")
    assert orgs["_row"].tolist() == [2, 3, 4, 5, 6]


@pytest.mark.parametrize(
    "encoding,sep",
    [("utf-8-sig", ";"), ("utf-8", ";"), ("utf-16", "\t"), ("cp1258", ";"), ("utf-8", ",")],
    ids=["utf8-bom-semicolon", "utf8-semicolon", "utf16-tab", "windows-1258", "utf8-comma"],
)
def test_csv_encodings_and_delimiters(clean_dir, encoding, sep):
    text = ORG_VI.replace(";", sep) if sep != ";" else ORG_VI
    if sep == ",":
        text = text.replace("Thôn, tổ dân phố", '"Thôn, tổ dân phố"').replace(
            "thon, to dan pho", '"thon, to dan pho"'
        )
    data = encode_cp1258(text) if encoding == "cp1258" else text.encode(encoding)
    ds = load_dataset(_with_orgs(clean_dir, data))
    _check_orgs(ds)
    issues = validate(ds).to_frame("en")
    if encoding == "cp1258":  # a conversion: read, and said
        assert issues[["table", "code", "severity"]].values.tolist() == [
            ["organisations", "encoding_converted", "warning"]
        ]
        assert "Windows-1258" in issues["message"].iloc[0]
    else:
        assert issues.empty


def test_decomposed_unicode_is_normalised(clean_dir):
    import unicodedata

    ds = load_dataset(_with_orgs(clean_dir, unicodedata.normalize("NFD", ORG_VI).encode()))
    assert ds.organisations["name"].iloc[1] == "Đảng bộ phường Phan Thiết"  # NFC
    assert ds.organisations["level"].astype(str).iloc[1] == "base"


def test_vietnamese_file_name(clean_dir):
    ds = load_dataset(_with_orgs(clean_dir, ORG_VI.encode("utf-8-sig"), "Tổ chức đảng.csv"))
    assert ds.organisations["_file"].iloc[0] == "Tổ chức đảng.csv"


def test_amounts_months_and_yes_no(clean_dir):
    (clean_dir / "dues.csv").write_text(
        "Mã đảng viên;Tháng;Số tiền;Ngày nộp\n"
        "M1;01/2022;50.000;05/01/2022\n"
        "M1;2022-02;1.250.000 đ;\n"
        "M2;2022-01;30000;2022-01-05\n",
        encoding="utf-8-sig",
    )
    ds = load_dataset(clean_dir)
    dues = ds.dues
    assert dues["month"].tolist() == [
        pd.Timestamp("2022-01-01"),
        pd.Timestamp("2022-02-01"),
        pd.Timestamp("2022-01-01"),
    ]
    assert dues["amount"].tolist() == [50000, 1250000, 30000]
    assert dues["paid_on"].isna().tolist() == [False, True, False]
    # meetings.csv writes superior_attended as no/yes/Có/Không
    assert ds.meetings["superior_attended"].tolist() == [False, True, True, False]
    assert str(ds.meetings["superior_attended"].dtype) == "boolean"


def test_dtypes(clean_dir):
    ds = load_dataset(clean_dir)
    m = ds.meetings
    assert str(m["held_on"].dtype) == "datetime64[ns]"
    assert str(m["kind"].dtype) == "category"
    assert list(m["kind"].cat.categories) == ["regular", "thematic", "combined", "extraordinary"]
    assert str(m["duration_min"].dtype) == "Int64"
    assert ds.attendance["status"].astype(str).tolist()[:2] == ["exempt", "present"]
    assert ds.disciplines["form"].astype(str).tolist() == ["reprimand"]
    assert ds.reviews["year"].tolist() == [2022, 2022, 2022]


def test_optional_table_absent_is_none(clean_dir):
    (clean_dir / "dues.csv").unlink()
    ds = load_dataset(clean_dir)
    assert ds.dues is None and not ds.has("dues") and ds.has("meetings")


def test_missing_required_column_names_file_and_column(clean_dir):
    (clean_dir / "attendance.csv").write_text("meeting_id,member\nS1,M1\n", encoding="utf-8")
    with pytest.raises(DataReadError) as err:
        load_dataset(clean_dir)
    msg = str(err.value)
    assert "attendance.csv" in msg
    assert "member_id ('Mã đảng viên')" in msg and "status ('Tình trạng')" in msg


def test_missing_required_table(clean_dir):
    (clean_dir / "meetings.csv").unlink()
    with pytest.raises(DataReadError, match="required table.*meetings"):
        load_dataset(clean_dir)


def test_missing_path():
    with pytest.raises(DataReadError, match="no such file"):
        load_dataset("/nonexistent/chibo")


def _workbook(path: Path) -> None:
    """Write the clean dataset as one workbook with Vietnamese sheet names and real date cells."""
    import openpyxl

    sheet_names = {
        "organisations": "Tổ chức đảng",
        "members": "Đảng viên",
        "meetings": "Sinh hoạt chi bộ",
        "attendance": "Điểm danh",
    }
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    notes = wb.create_sheet("Hướng dẫn")
    notes["A1"] = "Điền mỗi bảng vào một trang."
    for table, title in sheet_names.items():
        frame = pd.read_csv(CLEAN / f"{table}.csv", dtype=str, keep_default_na=False)
        ws = wb.create_sheet(title)
        ws.append([])  # a blank first row: the header is on row 2
        ws.append(list(frame.columns))
        for record in frame.itertuples(index=False):
            cells = []
            for name, value in zip(frame.columns, record, strict=True):
                if value and ("_on" in name or name == "birth_date"):
                    d, m, y = (int(x) for x in value.split("/"))
                    cells.append(dt.datetime(y, m, d))  # a real date cell
                elif name == "duration_min" and value:
                    cells.append(int(value))
                else:
                    cells.append(value or None)
            ws.append(cells)
    wb.save(path)


def test_single_workbook_with_sheets(tmp_path):
    book = tmp_path / "du_lieu.xlsx"
    _workbook(book)
    ds = load_dataset(book)
    assert set(ds.tables) == {"organisations", "members", "meetings", "attendance"}
    m = ds.meetings
    assert m["held_on"].tolist()[:2] == [pd.Timestamp("2022-01-05"), pd.Timestamp("2022-02-05")]
    assert m["duration_min"].tolist() == [95, 125, 90, 60]
    assert m["_sheet"].iloc[0] == "Sinh hoạt chi bộ" and m["_file"].iloc[0] == "du_lieu.xlsx"
    assert m["_row"].tolist() == [3, 4, 5, 6]  # header on row 2
    assert ds.members["birth_date"].iloc[0] == pd.Timestamp("1950-05-01")
    assert validate(ds).ok


def test_parquet_and_split_files(clean_dir):
    attendance = pd.read_csv(clean_dir / "attendance.csv", dtype=str)
    (clean_dir / "attendance.csv").unlink()
    attendance.iloc[:4].to_csv(clean_dir / "attendance_CB1_thang1.csv", index=False)
    attendance.iloc[4:].to_csv(clean_dir / "attendance_rest.csv", index=False)
    meetings = load_dataset(clean_dir).meetings.drop(columns=["_file", "_sheet", "_row"])
    (clean_dir / "meetings.csv").unlink()
    meetings.to_parquet(clean_dir / "meetings.parquet")
    ds = load_dataset(clean_dir)
    assert (
        ds.attendance["_file"].astype(str).tolist()
        == ["attendance_CB1_thang1.csv"] * 4 + ["attendance_rest.csv"] * 6
    )
    assert ds.attendance["_row"].tolist() == [2, 3, 4, 5, 2, 3, 4, 5, 6, 7]
    assert ds.meetings["held_on"].iloc[0] == pd.Timestamp("2022-01-05")
    assert validate(ds).ok


def test_inputs_are_never_modified(clean_dir):
    before = {p.name: p.read_bytes() for p in clean_dir.iterdir()}
    validate(load_dataset(clean_dir)).write(clean_dir.parent / "report.xlsx")
    assert {p.name: p.read_bytes() for p in clean_dir.iterdir()} == before


def test_sources_carry_hashes(clean_dir):
    import hashlib

    ds = load_dataset(clean_dir)
    src = {s.path: s for s in ds.sources}
    assert src["members.csv"].rows == 7
    assert (
        src["members.csv"].sha256
        == hashlib.sha256((clean_dir / "members.csv").read_bytes()).hexdigest()
    )


def test_dataset_from_frames_uses_the_same_parsing():
    ds = dataset_from_frames(
        organisations=pd.DataFrame(
            {
                "org_id": ["TP", "CB1"],
                "name": ["TP", "Chi bộ 1"],
                "parent_id": [None, "TP"],
                "level": ["committee", "Chi bộ cơ sở"],
            }
        ),
        members=pd.DataFrame(
            {"member_id": ["M1"], "cell_id": ["CB1"], "joined_on": ["31/12/2021"]}
        ),
        meetings=pd.DataFrame(
            {
                "meeting_id": ["S1"],
                "cell_id": ["CB1"],
                "held_on": ["2022-01-05"],
                "kind": ["thường kỳ"],
            }
        ),
        attendance=pd.DataFrame({"meeting_id": ["S1"], "member_id": ["M1"], "status": ["Có mặt"]}),
    )
    assert ds.members["joined_on"].iloc[0] == pd.Timestamp("2021-12-31")
    assert ds.meetings["kind"].astype(str).iloc[0] == "regular"
    assert validate(ds).ok
    assert ds.members["full_name"].isna().all()  # optional column absent: present and empty


def test_clean_copy_matches_fixture():
    # guards the fixture itself: tests above rely on these row counts
    assert shutil.disk_usage(CLEAN)  # the folder exists
    assert len(pd.read_csv(CLEAN / "attendance.csv")) == 10


def test_workbooks_written_by_libreoffice(clean_dir):
    """LibreOffice: real date cells, numbers as floats, Vietnamese headers and labels."""
    for table in ("members", "meetings"):
        (clean_dir / f"{table}.csv").unlink()
        shutil.copy(DATA / "libreoffice" / f"{table}.xlsx", clean_dir / f"{table}.xlsx")
    ds = load_dataset(clean_dir)
    m = ds.meetings
    assert m["meeting_id"].tolist() == ["S1", "S2", "S3", "S4"]
    assert m["held_on"].tolist() == [
        pd.Timestamp(d) for d in ("2022-01-05", "2022-02-05", "2022-02-10", "2022-01-07")
    ]
    assert m["kind"].astype(str).tolist() == ["regular", "combined", "regular", "regular"]
    assert m["duration_min"].tolist() == [95, 125, 90, 60]  # 95.0 in the workbook
    assert m["self_rating"].astype(str).tolist() == ["good", "fair", "good", "good"]
    assert m["superior_attended"].tolist() == [False, True, True, False]
    assert m["n_summoned"].tolist() == [3, 2, 2, 1]
    assert (m["_file"].astype(str) == "meetings.xlsx").all() and m["_row"].tolist() == [2, 3, 4, 5]
    members = ds.members
    assert members["birth_date"].iloc[0] == pd.Timestamp("1950-05-01")
    assert members["left_reason"].astype(str).iloc[3] == "transfer"
    assert members["gender"].astype(str).tolist()[:2] == ["male", "female"]
    assert validate(ds).ok


def test_only_the_tables_asked_for(clean_dir):
    (clean_dir / "meetings.csv").unlink()  # a required table missing: fine when not asked for
    ds = load_dataset(clean_dir, tables=("organisations",))
    assert list(ds.tables) == ["organisations"] and len(ds.organisations) == 5
    with pytest.raises(DataReadError, match="unknown table"):
        load_dataset(clean_dir, tables=("orgs",))


# --- issue 10: big and odd values, empty files --------------------------------------


def test_nul_and_control_characters_are_removed_with_a_warning_each(clean_dir):
    # NUL bytes inside a name (row 3, Trần Thị Bình) and inside a member code (row 8, M6)
    data = (clean_dir / "members.csv").read_bytes()
    data = data.replace("Trần".encode(), b"Tr\x00\x01\xe1\xba\xa7n").replace(b"\nM6,", b"\nM\x006,")
    (clean_dir / "members.csv").write_bytes(data)
    ds = load_dataset(clean_dir)
    assert ds.members["full_name"].iloc[1] == "Trần Thị Bình"
    assert ds.members["member_id"].iloc[6] == "M6"  # the code still matches its records
    issues = validate(ds).to_frame("en")
    assert issues[["table", "file", "row", "column", "value", "code", "severity"]].values.tolist() == [
        ["members", "members.csv", 3, "full_name", "Tr␀␁ần Thị Bình", "control_characters", "warning"],
        ["members", "members.csv", 8, "member_id", "M␀6", "control_characters", "warning"],
    ]  # fmt: skip


def test_a_200000_character_value_is_shortened_in_the_problem_list(clean_dir, capsys):
    from chibo_analysis.commands.cli import main

    append_line(clean_dir / "attendance.csv", "S1," + "M" * 200_000 + ",present")
    (clean_dir / "organisations.csv").write_text(
        (clean_dir / "organisations.csv")
        .read_text(encoding="utf-8")
        .replace("Chi bộ tổ 1", "Chi bộ " + "x" * 200_000),
        encoding="utf-8",
    )
    issue = validate(load_dataset(clean_dir)).to_frame("en").set_index("code")
    value = issue.loc["unknown_reference", "value"]
    assert value == "M" * 200 + "… (200000 ký tự/characters)"
    assert main(["validate", str(clean_dir), "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert "(200000 ký tự/characters)" in out
    assert max(len(line) for line in out.splitlines()) < 1000


@pytest.mark.parametrize(
    "name,data",
    [
        ("dues.csv", b""),  # the issue's 0-byte optional dues.csv
        ("dues.csv", b"\xef\xbb\xbf\r\n"),  # Excel's "CSV UTF-8" of an empty sheet: BOM only
        ("dues.xlsx", b""),  # a 0-byte workbook
    ],
    ids=["zero-bytes", "bom-only", "zero-byte-workbook"],
)
def test_empty_optional_file_is_a_warning_and_the_table_absent(clean_dir, name, data):
    (clean_dir / "dues.csv").unlink()
    (clean_dir / name).write_bytes(data)
    ds = load_dataset(clean_dir)
    assert not ds.has("dues") and ds.dues is None
    issues = validate(ds).to_frame("en")
    assert issues[["table", "file", "code", "severity"]].values.tolist() == [
        ["dues", name, "empty_file", "warning"]
    ]
    assert "treated as not supplied" in issues["message"].iloc[0]
    assert {(s.path, s.table, s.rows) for s in ds.sources} >= {(name, "dues", 0)}


def test_empty_workbook_of_empty_sheets_is_an_empty_file(clean_dir):
    from openpyxl import Workbook

    (clean_dir / "dues.csv").unlink()
    Workbook().save(clean_dir / "dues.xlsx")  # one sheet, no cell
    ds = load_dataset(clean_dir)
    assert not ds.has("dues")
    assert ds.load_issues[["table", "code"]].values.tolist() == [["dues", "empty_file"]]


def test_empty_required_file_stops_with_a_clear_message(clean_dir):
    from chibo_analysis.commands.cli import main

    (clean_dir / "members.csv").write_bytes(b"")
    with pytest.raises(DataReadError) as err:
        load_dataset(clean_dir)
    msg = str(err.value)
    assert "members.csv: the file is empty" in msg and "members is a required table" in msg
    assert "member_id, cell_id" in msg  # which header to export
    assert main(["validate", str(clean_dir)]) == 2


def test_empty_file_beside_a_full_one_of_a_required_table_is_only_listed(clean_dir):
    (clean_dir / "attendance_cb02.csv").write_bytes(b"")  # a second file of attendance, empty
    (clean_dir / "ghi chu.csv").write_bytes(b"")  # an empty file named after no table
    ds = load_dataset(clean_dir)
    assert len(ds.attendance) == 10
    assert ds.load_issues[["table", "file", "code"]].values.tolist() == [
        ["attendance", "attendance_cb02.csv", "empty_file"],
        ["", "ghi chu.csv", "empty_file"],
    ]
