"""Parameter checks of the runner: every bad parameter fails before a kernel starts."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest

from chibo_analysis.commands.cli import main
from chibo_analysis.errors import ChiboError, ParameterError
from chibo_analysis.runner import execute
from chibo_analysis.runner.audit import run_audit
from chibo_analysis.runner.params import (
    AuditParams,
    check_notebook_parameters,
    check_organisation,
    check_period,
    find_notebook,
    read_parameters_cell,
)

HERE = Path(__file__).parents[1]
NOTEBOOKS = HERE / "notebooks"
DATA = NOTEBOOKS / "data"


@pytest.fixture
def no_kernel(monkeypatch):
    """Fail the test if anything tries to start a kernel."""
    import papermill

    calls = []

    def refuse(*args, **kw):
        calls.append(args)
        raise AssertionError("a kernel was started")

    monkeypatch.setattr(papermill, "execute_notebook", refuse)
    monkeypatch.setattr(execute, "execute_notebook", refuse)
    return calls


def params(**kw) -> AuditParams:
    return AuditParams.create(**{"data": DATA, "org_id": "B01", "period": 2022, **kw})


# --- AuditParams -----------------------------------------------------------------


def test_create_normalises_values():
    p = params()
    assert p.period == "2022"  # int -> text
    assert p.data == str(DATA.resolve())  # absolute path
    assert (p.lang, p.share, p.targets) == ("vi", False, None)


def test_params_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        params().org_id = "B02"


@pytest.mark.parametrize(
    ("name", "suggested"),
    [("perod", "'period'"), ("org", "'org_id'"), ("language", "'lang'"), ("target", "'targets'")],
)
def test_unknown_parameter_suggests_close_name(name, suggested):
    with pytest.raises(ParameterError, match=f"unknown audit parameter '{name}'.*{suggested}"):
        params(**{name: "x"})


def test_unknown_parameter_far_from_all_lists_them():
    with pytest.raises(ParameterError, match="the parameters are: data, org_id, period"):
        params(colour="red")


def test_missing_required_parameter():
    with pytest.raises(ParameterError, match="missing audit parameter.*org_id"):
        AuditParams.create(data=DATA, period=2022)


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"lang": "fr"}, "lang='fr' is not allowed; expected one of: 'vi', 'en'"),
        ({"share": "yes"}, "share='yes' is not allowed"),
        ({"data": "/no/such/folder"}, "no such file or folder"),
        ({"targets": "/no/such.yaml"}, "targets='/no/such.yaml': no such file"),
        ({"period": "22"}, "is not a period"),
    ],
)
def test_bad_values(kw, message):
    with pytest.raises(ParameterError, match=message.replace("(", r"\(").replace("[", r"\[")):
        params(**kw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (2022, "2022"),
        ("2022q3", "2022Q3"),
        (" 2020-2022 ", "2020-2022"),
        ("2022-2022", "2022-2022"),
    ],
)
def test_check_period_accepts(raw, expected):
    assert check_period(raw) == expected


@pytest.mark.parametrize("raw", ["2022Q5", "2023-2021", "1800", "2022-13-01", True, ""])
def test_check_period_rejects(raw):
    with pytest.raises(ParameterError, match="is not a period"):
        check_period(raw)


def test_explicit_keeps_required_and_changed_values():
    assert set(params().explicit()) == {"data", "org_id", "period"}
    assert set(params(lang="en", share=True).explicit()) == {
        "data",
        "org_id",
        "period",
        "lang",
        "share",
    }


# --- notebooks -------------------------------------------------------------------


def test_find_notebook_with_or_without_suffix():
    assert find_notebook("tiny_audit", NOTEBOOKS).name == "tiny_audit.ipynb"
    assert find_notebook("tiny_audit.ipynb", NOTEBOOKS).name == "tiny_audit.ipynb"


def test_find_notebook_suggests_close_names():
    with pytest.raises(ParameterError, match="notebook='tiny_audt' is not in .*'tiny_audit'"):
        find_notebook("tiny_audt", NOTEBOOKS)


def test_find_notebook_missing_folder():
    with pytest.raises(ParameterError, match="pass --notebooks DIR"):
        find_notebook("x", NOTEBOOKS / "absent")


def test_read_parameters_cell():
    declared = read_parameters_cell(NOTEBOOKS / "tiny_audit.ipynb")
    assert declared == {
        "data": "",
        "org_id": "",
        "period": "2022",
        "lang": "vi",
        "share": False,
        "targets": None,
    }


def test_missing_parameters_cell_is_an_error():
    with pytest.raises(ChiboError, match="no_parameters.ipynb has no cell tagged 'parameters'"):
        read_parameters_cell(NOTEBOOKS / "no_parameters.ipynb")


def test_notebook_must_declare_every_parameter_set():
    declared = read_parameters_cell(NOTEBOOKS / "few_parameters.ipynb")
    # defaults of lang/share/targets are not passed to a notebook without them
    assert check_notebook_parameters(params(), declared, "few_parameters.ipynb") == {
        "data": str(DATA.resolve()),
        "org_id": "B01",
        "period": "2022",
    }
    with pytest.raises(ParameterError, match="does not take parameter\\(s\\) lang, share"):
        check_notebook_parameters(params(lang="en", share=True), declared, "few_parameters.ipynb")


# --- organisations ---------------------------------------------------------------

ORGS = pd.DataFrame(
    {
        "org_id": ["TP", "B01", "B02", "C01"],
        "name": ["Đảng bộ Thành phố", "Đảng bộ phường Một", "Đảng bộ phường Hai", "Chi bộ Cơ quan"],
        "level": ["committee", "base", "base", "base_cell"],
    }
)


def test_unknown_org_suggests_close_ids():
    with pytest.raises(
        ParameterError, match="org_id='B03' is not in .*did you mean 'B0[12]' or 'B0[12]'"
    ):
        check_organisation("B03", ORGS)


def test_unknown_org_matched_by_name():
    # typed the name instead of the id, with a typo: the id is suggested
    with pytest.raises(ParameterError, match="did you mean 'B02' \\(Đảng bộ phường Hai\\)"):
        check_organisation("Đảng bộ phường Hải", ORGS)


def test_unknown_org_far_from_all():
    with pytest.raises(ParameterError, match="has 4 organisations \\(e.g. TP, B01"):
        check_organisation("zzzz", ORGS)


# --- nothing starts before the checks pass ---------------------------------------


@pytest.mark.parametrize(
    ("kw", "audit", "error", "message"),
    [
        ({"org_id": "B03"}, {}, ParameterError, "did you mean 'B0[12]' or 'B0[12]'"),
        ({}, {"notebook": "tiny_audt"}, ParameterError, "did you mean 'tiny_audit'"),
        ({}, {"notebook": "no_parameters"}, ChiboError, "no cell tagged 'parameters'"),
        ({"lang": "en"}, {"notebook": "few_parameters"}, ParameterError, "parameter\\(s\\) lang"),
    ],
)
def test_run_audit_checks_before_any_kernel(no_kernel, tmp_path, kw, audit, error, message):
    audit = {"notebook": "tiny_audit", **audit}
    with pytest.raises(error, match=message):
        run_audit(params(**kw), notebooks_dir=NOTEBOOKS, out=tmp_path, **audit)
    assert no_kernel == []
    assert not any(tmp_path.iterdir())  # no report folder either


@pytest.mark.parametrize(
    "lang, expected",
    [
        ("", "org_id='B03' không có trong bảng tổ chức; có phải là"),  # CHIBO_LANG unset: vi
        ("en", "org_id='B03' is not in the organisations table; did you mean"),
    ],
)
def test_cli_unknown_org_is_a_clear_error(no_kernel, tmp_path, capsys, monkeypatch, lang, expected):
    monkeypatch.setenv("CHIBO_LANG", lang)
    code = main(
        ["audit", str(DATA), "--org", "B03", "--period", "2022", "--notebook", "tiny_audit"]
        + ["--notebooks", str(NOTEBOOKS), "--out", str(tmp_path)]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert expected in err
    assert "'B01'" in err and "'B02'" in err
    assert "Traceback" not in err
    assert no_kernel == []


@pytest.mark.parametrize(
    "lang, expected",
    [("vi", "lang='fr' không hợp lệ; chỉ nhận một trong: 'vi', 'en'"),
     ("en", "lang='fr' is not allowed; expected one of: 'vi', 'en'")],
)  # fmt: skip
def test_cli_bad_lang(no_kernel, tmp_path, capsys, monkeypatch, lang, expected):
    monkeypatch.setenv("CHIBO_LANG", lang)
    code = main(["audit", str(DATA), "--org", "B01", "--period", "2022", "--lang", "fr"])
    assert code == 2
    assert expected in capsys.readouterr().err


def test_pdf_without_chromium_fails_before_any_kernel(no_kernel, tmp_path, monkeypatch):
    from chibo_analysis.runner import render

    monkeypatch.setattr(render, "find_chromium", lambda: None)
    with pytest.raises(ChiboError, match="apt-get install chromium"):
        run_audit(params(), notebook="tiny_audit", notebooks_dir=NOTEBOOKS, out=tmp_path, pdf=True)
    assert no_kernel == [] and not any(tmp_path.iterdir())
