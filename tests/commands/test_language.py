"""The language of the chibo command (chibo_analysis.commands.language): help, argparse, errors."""

from __future__ import annotations

import argparse

import pytest

from chibo_analysis.commands import language
from chibo_analysis.commands.cli import COMMANDS, build_parser, main


def subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_every_option_of_every_command_has_its_help_in_the_catalogue():
    for name, sub in subparsers(build_parser()).items():
        assert language.has_label(f"cli.{name}_help") and language.has_label(
            f"cli.{name}_description"
        ), name
        for action in sub._actions:
            assert language._help_key(name, action.dest), f"chibo {name}: {action.dest}"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_help_page_formats_in_both_languages(lang):
    # a lone % in a help text would make argparse fail here (help is %-formatted)
    with language.argparse_words(lang):
        parser = build_parser(lang)
        pages = [parser.format_help()] + [s.format_help() for s in subparsers(parser).values()]
    assert len(pages) == 1 + len(COMMANDS)
    usage = "cách dùng: chibo" if lang == "vi" else "usage: chibo"
    assert all(page.startswith(usage) for page in pages)


def test_help_is_vietnamese_by_default_and_english_with_chibo_lang(capsys, monkeypatch):
    monkeypatch.delenv("CHIBO_LANG", raising=False)
    with pytest.raises(SystemExit) as done:
        main(["plan", "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("cách dùng: chibo plan")
    assert "tùy chọn:" in out and "-h, --help            in hướng dẫn này rồi thoát" in out
    assert "59 buổi ở độ tin cậy 95%," in out and "hạt giống của việc chọn mẫu" in out
    assert "usage" not in out and "options:" not in out and "seed of the selection" not in out
    monkeypatch.setenv("CHIBO_LANG", "en")
    with pytest.raises(SystemExit):
        main(["plan", "--help"])
    out = capsys.readouterr().out
    assert out.startswith("usage: chibo plan") and "options:" in out
    assert "59 at 95% confidence" in out and "seed of the selection (default 0)" in out
    assert argparse._("usage: ") == "usage: "  # argparse's own words are restored after main


def test_a_usage_error_is_in_the_users_language(capsys, monkeypatch):
    monkeypatch.delenv("CHIBO_LANG", raising=False)
    with pytest.raises(SystemExit) as done:
        main(["audit", "data"])
    assert done.value.code == 2
    assert "chibo audit: lỗi: thiếu tham số bắt buộc: --org, --period" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["lists", "data", "--period", "2022", "--list", "x", "--lang", "fr"])
    err = capsys.readouterr().err
    assert "tham số --lang: giá trị không hợp lệ: 'fr' (chọn một trong: 'vi', 'en')" in err


def test_an_unknown_chibo_lang_is_refused_saying_what_is_allowed(capsys, monkeypatch):
    monkeypatch.setenv("CHIBO_LANG", "fr")
    assert main(["summary", "x"]) == 2
    assert (
        "CHIBO_LANG='fr': chỉ dùng vi (tiếng Việt) hoặc en (tiếng Anh)" in capsys.readouterr().err
    )


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_lang_option_defaults_to_the_commands_language(lang):
    parser = build_parser(lang)
    args = parser.parse_args(["audit", "D", "--org", "X", "--period", "2022"])
    assert args.lang == lang
    assert parser.parse_args(["template", "--out", "a.xlsx"]).lang == lang


def test_error_text_fills_a_clause_and_falls_back_to_the_message():
    from chibo_analysis.errors import ParameterError

    err = ParameterError(
        "org_id='X' is not in the organisations table; the organisations table has 2 ...",
        key="no_organisation", org_id="X",
        hint=("organisations_are", {"n": 2, "names": "TP, CB1"}),
    )  # fmt: skip
    assert language.error_text(err, "vi") == (
        "org_id='X' không có trong bảng tổ chức; bảng tổ chức có 2 tổ chức (ví dụ TP, CB1)"
    )
    assert language.error_text(err, "en") == (
        "org_id='X' is not in the organisations table; the organisations table has 2 "
        "organisations (e.g. TP, CB1)"
    )
    assert language.error_text(ParameterError("no key"), "vi") == "no key"


def test_a_batch_error_and_a_missing_chromium_are_in_the_users_language(capsys, monkeypatch):
    from chibo_analysis.runner import render

    monkeypatch.setattr(render, "find_chromium", lambda: None)
    assert main(["batch", "data", "--period", "2022", "--jobs", "-1"]) == 2
    assert "chibo batch: jobs=-1 không hợp lệ; cần từ 1 trở lên" in capsys.readouterr().err
    assert main(["batch", "data", "--period", "2022", "--jobs", "1", "--pdf"]) == 2
    err = capsys.readouterr().err
    assert "muốn in PDF cần cài Chromium (chưa có)" in err and "apt-get install chromium" in err
