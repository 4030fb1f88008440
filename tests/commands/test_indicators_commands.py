"""``chibo scorecard`` and ``chibo lists`` on the small city written as CSV files."""

from __future__ import annotations

import pandas as pd
import pytest
from fixtures_indicators import frames

from chibo_analysis.commands.cli import main
from chibo_analysis.commands.lists import DESCRIPTIONS
from chibo_analysis.indicators.lists import LISTS


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("city")
    for name, frame in frames().items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    return folder


def test_scorecard_csv(data_dir, tmp_path):
    out = tmp_path / "card.csv"
    assert main(["scorecard", str(data_dir), "--period", "2022", "--out", str(out)]) == 0
    card = pd.read_csv(out, encoding="utf-8-sig").set_index("org_id")
    # read back through the loader and validator: same hand-worked values
    assert card.loc["C1", "members"] == 4
    assert card.loc["C1", "attendance_rate"] == pytest.approx(29 / 38)
    assert card.loc["TP", "minutes_mismatches"] == 3


def test_scorecard_xlsx_has_assessment(data_dir, tmp_path):
    out = tmp_path / "card.xlsx"
    code = main(
        ["scorecard", str(data_dir), "--period", "2022Q3", "--org", "B1", "--out", str(out)]
    )
    assert code == 0
    sheets = pd.read_excel(out, sheet_name=None, engine="calamine")
    assert set(sheets) == {"scorecard", "assessment"}
    assert sheets["scorecard"]["org_id"].tolist() == ["B1", "C1", "C2"]


def test_scorecard_prints(data_dir, capsys):
    assert main(["scorecard", str(data_dir), "--period", "2022"]) == 0
    assert "regular_rate" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--period", "2022Q9"], "period='2022Q9'"),
        (["--period", "2022", "--org", "ZZ"], "org_id='ZZ'"),
        (["--period", "2022", "--out", "x.txt"], ".csv or .xlsx"),
    ],
)
def test_scorecard_errors(data_dir, capsys, argv, message):
    assert main(["scorecard", str(data_dir), *argv]) == 2
    assert message in capsys.readouterr().err


def test_lists(data_dir, tmp_path, capsys):
    out = tmp_path / "r6.csv"
    assert (
        main(
            ["lists", str(data_dir), "--period", "2022", "--list", "r6_meetings", "--out", str(out)]
        )
        == 0
    )
    r6 = pd.read_csv(out, encoding="utf-8-sig")
    assert sorted(r6["member_id"]) == ["m1", "m3"]
    assert set(r6["_file"]) == {"members.csv"}
    assert (
        main(
            [
                "lists",
                str(data_dir),
                "--period",
                "2022",
                "--list",
                "failing_meetings",
                "--lang",
                "en",
            ]
        )
        == 0
    )
    assert "no register rows" in capsys.readouterr().out
    assert main(["lists", str(data_dir), "--period", "2022", "--list", "nope"]) == 2
    assert "list='nope'" in capsys.readouterr().err


def test_every_list_described():
    assert list(DESCRIPTIONS) == list(LISTS)
