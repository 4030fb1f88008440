"""The language of the chibo command (chibo_analysis.commands.language): help, argparse, errors."""

from __future__ import annotations

import argparse
import re
import shutil

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


# --- messages on bad input: every command, both languages ----------------------------

#: Words of an English sentence; a Vietnamese message must hold none of them once the paths
#: and the values quoted as written (headers, file names) are taken out.
ENGLISH = re.compile(
    r"\b(the|is|are|not|no|cannot|missing|expected|failed|file|folder|column|table|required|"
    r"which|with|must|found|allowed|read|sheet|notebook|error|unknown|such|of|in|a|an|or)\b",
    re.IGNORECASE,
)
VIETNAMESE = re.compile(
    r"[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]", re.I
)


def _words(text: str) -> str:
    """``text`` without its paths, quoted values and parameter names (as written, in any language)."""
    # In [6]: Jupyter's name of a run cell; notebook='nope': a parameter as the user typed it
    text = re.sub(r"\S*/\S*|In \[\d+\]|\b\w+=", " ", text)
    text = re.sub(r"'[^']*'|\"[^\"]*\"|\([^()]*'[^()]*\)", " ", text)
    return text


def leaks(text: str, lang: str) -> list[str]:
    """The words of the other language in a message meant to be in ``lang``.

    >>> leaks("chibo validate: /d/x.csv: không có tệp hay thư mục này", "vi")
    []
    >>> leaks("chibo validate: /d/x.csv: no such file or folder", "vi")
    ['no', 'such', 'file', 'or', 'folder']
    >>> leaks("meetings.csv: required column(s) missing: held_on ('Ngày sinh hoạt')", "en")
    []
    """
    words = _words(text)
    if lang == "vi":
        return ENGLISH.findall(words)
    return VIETNAMESE.findall(words)


@pytest.fixture
def bad_inputs(tmp_path, clean_dir):
    """Data a user gets wrong: each path with the file its message must name."""
    bad = tmp_path / "bad"
    bad.mkdir()
    nocol = bad / "nocol"
    shutil.copytree(clean_dir, nocol)
    text = (nocol / "meetings.csv").read_text("utf-8")
    (nocol / "meetings.csv").write_text(text.replace("held_on", "xheld", 1), "utf-8")
    wrong = bad / "wrong"
    shutil.copytree(clean_dir, wrong)
    (wrong / "meetings.csv").rename(wrong / "meetings.xlsx")  # CSV text under an Excel name
    broken = bad / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 cut short")
    book = bad / "codebook.yaml"
    book.write_text("values:\n  status:\n    V: excusd\n", "utf-8")
    goals = bad / "targets.yaml"
    goals.write_text("targets:\n  regular:\n    column: regular_ratee\n", "utf-8")
    return {
        "missing": (str(bad / "none"), "none"),
        "nocol": (str(nocol), "meetings.csv"),
        "wrong": (str(wrong), "meetings.xlsx"),
        "broken": (str(broken), "broken.xlsx"),
        "codebook": (str(book), "codebook.yaml"),
        "targets": (str(goals), "targets.yaml"),
        "clean": (str(clean_dir), ""),
        # a value of a parameter, named in its message
        "nope": ("", "nope"),
        "2022-13": ("", "2022-13"),
        "CB9": ("", "CB9"),
    }


#: (command line, which bad input, what the message is about): {DATA} is the input's path.
BAD_RUNS = [
    (["validate", "{DATA}"], "missing"),
    (["validate", "{DATA}"], "nocol"),
    (["validate", "{DATA}"], "wrong"),
    (["validate", "{DATA}"], "broken"),
    (["summary", "{DATA}"], "nocol"),
    (["summary", "{DATA}"], "broken"),
    (["scorecard", "{DATA}", "--period", "2022"], "wrong"),
    (["scorecard", "{CLEAN}", "--period", "2022", "--targets", "{DATA}"], "targets"),
    (["lists", "{DATA}", "--period", "2022", "--list", "r6_meetings"], "missing"),
    (["lists", "{DATA}", "--period", "2022", "--list", "r6_meetings"], "nocol"),
    (["plan", "{DATA}", "--period", "2022", "--out", "{TMP}/p.xlsx"], "broken"),
    (["plan", "--evaluate", "{DATA}"], "broken"),
    (["template", "--cell", "CB1", "--data", "{DATA}", "--out", "{TMP}/t.xlsx"], "missing"),
    (["validate", "{CLEAN}", "--codebook", "{DATA}"], "codebook"),
    (["audit", "{DATA}", "--org", "CB1", "--period", "2022", "--out", "{TMP}/r"], "broken"),
    (["audit", "{DATA}", "--org", "CB1", "--period", "2022", "--out", "{TMP}/r"], "missing"),
    (["batch", "{DATA}", "--period", "2022", "--jobs", "1", "--out", "{TMP}/r"], "wrong"),
    # notebook parameters: a notebook that is not there, a period that is none
    (["audit", "{CLEAN}", "--org", "CB1", "--period", "2022", "--notebook", "nope"], "nope"),
    (["audit", "{CLEAN}", "--org", "CB1", "--period", "2022-13"], "2022-13"),
    (["audit", "{CLEAN}", "--org", "CB9", "--period", "2022"], "CB9"),
]


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize(("argv", "which"), BAD_RUNS, ids=[f"{a[0]}-{w}" for a, w in BAD_RUNS])
def test_a_command_on_bad_input_names_the_file_in_the_users_language(
    argv, which, lang, bad_inputs, tmp_path, capsys, monkeypatch
):
    monkeypatch.setenv("CHIBO_LANG", lang)
    data, named = bad_inputs[which]
    values = {"{DATA}": data, "{CLEAN}": bad_inputs["clean"][0], "{TMP}": str(tmp_path)}
    args = [values.get(a, a).replace("{TMP}", str(tmp_path)) for a in argv]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"chibo {argv[0]}: ") and named in err
    assert "Traceback" not in err and "\n" not in err.rstrip("\n"), err  # one language, one line
    assert leaks(err, lang) == [], err


def test_the_message_carries_what_the_user_must_fix(bad_inputs, capsys, monkeypatch):
    # the column that is missing, by its Vietnamese header and its name; what the file really is
    assert main(["validate", bad_inputs["nocol"][0]]) == 2
    assert "thiếu cột bắt buộc: Ngày sinh hoạt (held_on)" in capsys.readouterr().err
    assert main(["validate", bad_inputs["wrong"][0]]) == 2
    assert "tệp này là văn bản thường (CSV?), không phải tệp Excel như tên tệp: đổi đuôi" in (
        capsys.readouterr().err
    )
    monkeypatch.setenv("CHIBO_LANG", "en")
    assert main(["validate", bad_inputs["clean"][0], "--codebook", bad_inputs["codebook"][0]]) == 2
    err = capsys.readouterr().err
    assert "'V' maps to 'excusd', which is not one of" in err
    assert "(did you mean 'excused'?)" in err


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_notebook_that_fails_on_bad_data_says_so_in_the_users_language(
    lang, bad_inputs, tmp_path, capsys, monkeypatch
):
    # the notebook raises in its kernel: the package's message comes back in the language
    monkeypatch.setenv("CHIBO_LANG", lang)
    data = bad_inputs["nocol"][0]
    args = ["audit", data, "--org", "CB1", "--period", "2022", "--out", str(tmp_path / "r")]
    assert main(args) == 1
    err = capsys.readouterr().err
    first, *rest = err.splitlines()
    if lang == "vi":
        assert first.startswith("chibo audit: sổ tay audit_organisation.ipynb bị lỗi ở ô ")
        assert "DataReadError: meetings.csv: thiếu cột bắt buộc: Ngày sinh hoạt (held_on)" in first
        assert rest[-1].startswith("sổ tay đã chạy, có đầy đủ thông tin lỗi: ")
    else:
        assert first.startswith("chibo audit: notebook audit_organisation.ipynb failed in cell ")
        assert "meetings.csv: required column(s) missing: held_on ('Ngày sinh hoạt')" in first
        assert rest[-1].startswith("the executed notebook, with the full traceback: ")
    assert leaks(first.split(": ", 1)[1], lang) == [] or lang == "en"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_usage_lines_show_value_placeholders_in_the_users_language(lang):
    with language.argparse_words(lang):
        usage = subparsers(build_parser(lang))["audit"].format_usage()
    if lang == "vi":
        assert "--org MÃ --period KỲ" in usage and "DỮ_LIỆU" in usage and "NƠI_GHI" in usage
    else:
        assert "--org ID --period PERIOD" in usage and "DATA" in usage and "OUT" in usage


def test_every_value_placeholder_of_every_command_is_in_the_catalogue():
    for name, sub in subparsers(build_parser("en")).items():
        for action in sub._actions:
            key = language.metavar_key(action)
            assert key is None or language.has_label(key), f"chibo {name}: {key}"
