"""``chibo validate`` and ``chibo summary``: exit codes, summaries, no tracebacks."""

from __future__ import annotations

from conftest import CLEAN, append_line

from chibo_analysis.commands.cli import main


def test_clean_exits_0(capsys):
    assert main(["validate", str(CLEAN)]) == 0
    assert "Không phát hiện vấn đề nào." in capsys.readouterr().out


def test_problems_exit_1_with_examples(clean_dir, capsys, tmp_path):
    row = append_line(clean_dir / "attendance.csv", "S1,M99,present")
    assert main(["validate", str(clean_dir), "--lang", "en", "--out", str(tmp_path / "r.csv")]) == 1
    out = capsys.readouterr().out
    assert "[error, row set aside] unknown_reference — attendance: 1" in out
    assert f"attendance.csv, row {row}, member_id = 'M99'" in out
    assert (tmp_path / "r.csv").exists()


def test_unreadable_exits_2_without_traceback(clean_dir, capsys):
    (clean_dir / "meetings.csv").write_text("meeting_id,cell_id\nS1,CB1\n", encoding="utf-8")
    assert main(["validate", str(clean_dir)]) == 2
    err = capsys.readouterr().err
    assert "meetings.csv" in err and "thiếu cột bắt buộc: Ngày sinh hoạt (held_on)" in err
    assert "Traceback" not in err


def test_bad_lang_is_a_clear_error(capsys, monkeypatch):
    assert main(["validate", str(CLEAN), "--lang", "fr"]) == 2
    assert "--lang='fr' không hợp lệ; chỉ nhận một trong: 'vi', 'en'" in capsys.readouterr().err
    monkeypatch.setenv("CHIBO_LANG", "en")
    assert main(["validate", str(CLEAN), "--lang", "fr"]) == 2
    assert "--lang='fr' is not allowed" in capsys.readouterr().err


def test_summary_in_the_users_language(capsys, monkeypatch):
    assert main(["summary", str(CLEAN)]) == 0  # CHIBO_LANG unset: Vietnamese
    out = capsys.readouterr().out
    levels = "Đảng bộ cấp trên cơ sở 1, Đảng bộ cơ sở 1, Chi bộ cơ sở 1, Chi bộ trực thuộc 2"
    assert f"Tổ chức đảng theo cấp: {levels}" in out
    assert "Số đảng viên (không trùng): 6" in out
    assert "Điểm danh" in out and "attendance.csv" in out and "không có" not in out
    monkeypatch.setenv("CHIBO_LANG", "en")
    assert main(["summary", str(CLEAN)]) == 0
    out = capsys.readouterr().out
    assert "Organisations by level: Committee 1, Base 1, Base cell 1, Cell 2" in out
    assert "Members (distinct): 6" in out and "Meetings from 2022-" in out


def test_blank_template_fails_validate(tmp_path, capsys):
    from chibo_analysis.intake.template import write_template

    write_template(tmp_path / "mau.xlsx")
    assert main(["validate", str(tmp_path / "mau.xlsx"), "--lang", "en"]) == 1
    assert "no_records" in capsys.readouterr().out


def test_scorecard_says_what_was_set_aside(clean_dir, capsys):
    row = append_line(clean_dir / "attendance.csv", "S1,M99,present")
    assert row == 12
    assert main(["scorecard", str(clean_dir), "--period", "2022"]) == 0
    err = capsys.readouterr().err
    assert err.startswith("Dữ liệu: 1 dòng bị loại (Điểm danh 1);")
    assert f"chibo validate {clean_dir}" in err


def test_scorecard_says_an_empty_optional_file_was_not_read(clean_dir, capsys):
    (clean_dir / "dues.csv").write_bytes(b"")  # issue 10: the dues indicators are left out
    assert main(["scorecard", str(clean_dir), "--period", "2022"]) == 0
    assert capsys.readouterr().err.startswith("Dữ liệu: 1 tệp trống không được đọc;")


def test_scorecard_is_quiet_on_data_read_whole(capsys):
    assert main(["scorecard", str(CLEAN), "--period", "2022"]) == 0
    assert capsys.readouterr().err == ""


def test_everything_set_aside_stops_the_command(clean_dir, capsys, tmp_path):
    # each cell's office filled only its own row: the parents are missing, every row goes
    lines = (clean_dir / "organisations.csv").read_text(encoding="utf-8").splitlines()
    (clean_dir / "organisations.csv").write_text(
        "\n".join([lines[0]] + [line for line in lines[1:] if line.startswith("CB")]) + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "card.csv"
    assert main(["scorecard", str(clean_dir), "--period", "2022", "--out", str(out)]) == 2
    assert "mọi dòng của bảng Tổ chức đảng đều bị loại (2 dòng)" in capsys.readouterr().err
    assert not out.exists()


def test_audit_says_what_was_set_aside(clean_dir, capsys, tmp_path):
    append_line(clean_dir / "attendance.csv", "S1,M99,present")
    code = main(["audit", str(clean_dir), "--org", "PT", "--period", "2022",
                 "--out", str(tmp_path / "reports")])  # fmt: skip
    assert code == 0
    err = capsys.readouterr().err
    assert "Dữ liệu: 1 dòng bị loại;" in err
