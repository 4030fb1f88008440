"""Targets file, its validation, assess and the risk components."""

from __future__ import annotations

import pandas as pd
import pytest
from fixtures_indicators import small_city

from chibo_analysis.errors import ParameterError
from chibo_analysis.indicators.planning import RISK_COMPONENTS, risk_components
from chibo_analysis.indicators.scorecard import scorecard, scorecard_counts
from chibo_analysis.indicators.targets import assess, load_targets


def test_defaults_have_sources_and_domain_values():
    t = load_targets()
    values = {name: (x.column, x.op, x.value) for name, x in t.targets.items()}
    assert values == {
        "regular_rate": ("regular_rate", ">=", 1.0),
        "thematic_rate": ("thematic_rate", ">=", 1.0),
        "attendance_rate": ("attendance_rate", ">=", 0.9),
        "rating_accuracy": ("implausible_good", "<=", 0.0),
        "admissions": ("admissions", ">=", 1.0),
        "residential_members": ("members", ">=", 5.0),
    }
    assert all(x.source.startswith("Đề án 16-ĐA/TU, 03/01/2020") for x in t.targets.values())
    assert t.thresholds == {"r9_cap_share": 0.2, "r9_cap_basis": "good"}
    assert set(t.risk_weights) == set(RISK_COMPONENTS)
    assert sum(t.risk_weights.values()) == pytest.approx(1.0)


def test_own_file_over_defaults(tmp_path):
    own = tmp_path / "own.yaml"
    own.write_text(
        "targets:\n"
        "  attendance_rate: {value: 0.95}\n"
        "  admissions: {enabled: false}\n"
        "  standard: {column: standard_meeting_rate, op: '>=', value: 0.8, source: 'Kế hoạch 1-KH of 01/01/2022'}\n"
        "thresholds: {r9_cap_basis: good_or_better}\n"
        "risk_weights: {no_admissions: 0}\n",
        encoding="utf-8",
    )
    t = load_targets(own)
    assert t.targets["attendance_rate"].value == 0.95
    assert t.targets["attendance_rate"].source.startswith("Đề án 16")  # kept from the default
    assert "admissions" not in t.targets
    assert t.targets["standard"].column == "standard_meeting_rate"
    assert t.thresholds["r9_cap_basis"] == "good_or_better"
    assert t.risk_weights["no_admissions"] == 0.0 and t.risk_weights["short_share"] == 0.1


@pytest.mark.parametrize(
    "text, key",
    [
        ("colour: red\n", "'colour'"),
        ("targets:\n  attendance_rate: {valeu: 0.95}\n", "targets.attendance_rate.valeu"),
        ("targets:\n  attendance_rate: {value: high}\n", "targets.attendance_rate.value='high'"),
        ("targets:\n  attendance_rate: {op: '>>'}\n", "targets.attendance_rate.op='>>'"),
        (
            "targets:\n  x: {column: nope, op: '>=', value: 1, source: s}\n",
            "targets.x.column='nope'",
        ),
        ("targets:\n  x: {column: members, op: '>=', value: 1}\n", "targets.x.source is missing"),
        (
            "targets:\n  x: {column: members, op: '>=', value: 1, source: s, kinds: [farm]}\n",
            "targets.x.kinds",
        ),
        ("thresholds: {r9_cap_basis: all}\n", "thresholds.r9_cap_basis='all'"),
        ("thresholds: {r9_cap_share: 1.5}\n", "thresholds.r9_cap_share"),
        ("thresholds: {cap: 1}\n", "thresholds.cap"),
        ("risk_weights: {luck: 1}\n", "risk_weights.luck"),
        ("risk_weights: {short_share: -1}\n", "risk_weights.short_share"),
        ("- a\n- b\n", "mapping"),
        ("targets: [\n", "not valid YAML"),
    ],
)
def test_bad_files_name_the_key(tmp_path, text, key):
    own = tmp_path / "own.yaml"
    own.write_text(text, encoding="utf-8")
    with pytest.raises(ParameterError) as err:
        load_targets(own)
    assert key in str(err.value)


def test_a_targets_labels_and_note_are_read_or_empty(tmp_path):
    own = tmp_path / "own.yaml"
    own.write_text(
        "targets:\n"
        "  standard: {column: standard_meeting_rate, op: '>=', value: 0.8, source: s}\n"
        "  noted: {column: members, op: '>=', value: 3, source: s, note: 'đếm cả dự bị'}\n",
        encoding="utf-8",
    )
    t = load_targets(own).targets
    # no label: empty (the reports then show the target's name), not a placeholder
    assert (t["standard"].label_vi, t["standard"].label_en, t["standard"].note) == ("", "", "")
    assert t["noted"].note == "đếm cả dự bị"
    assert t["thematic_rate"].note == "93.76% was reported in one district after two years"


def test_an_unknown_column_lists_the_scorecard_columns(tmp_path):
    own = tmp_path / "own.yaml"
    own.write_text("targets:\n  x: {column: nope, op: '>=', value: 1, source: s}\n", "utf-8")
    with pytest.raises(ParameterError, match="expected one of members, months_expected, "):
        load_targets(own)


def test_missing_file():
    with pytest.raises(ParameterError, match="no such file"):
        load_targets("/nonexistent/targets.yaml")


def test_assess():
    ds = small_city()
    card = scorecard(ds, "2022")
    out = assess(card, load_targets(), ds.organisations).set_index(["org_id", "target"])
    # C2 attendance 9/10 meets 0.9 exactly, gap 0; C1 29/38 misses by 0.9 - 29/38
    assert out.loc[("C2", "attendance_rate"), "met"]
    assert out.loc[("C2", "attendance_rate"), "gap"] == pytest.approx(0.0, abs=1e-12)
    assert not out.loc[("C1", "attendance_rate"), "met"]
    assert out.loc[("C1", "attendance_rate"), "gap"] == pytest.approx(29 / 38 - 0.9)
    # "<=" gap is target - value: C1 has 3 implausible Tốt ratings
    assert out.loc[("C1", "rating_accuracy"), "gap"] == -3
    # residential target: only C1 (residential cell), 4 < 5
    res = out.xs("residential_members", level="target")
    assert list(res.index) == ["C1"] and not res.loc["C1", "met"]
    # without the organisations table, the kind-restricted target is left out
    assert "residential_members" not in set(assess(card)["target"])


def test_assess_na_value_gives_na_met():
    card = scorecard(small_city(), "2022")
    card.loc[card["org_id"] == "BC", "attendance_rate"] = pd.NA
    out = assess(card).set_index(["org_id", "target"])
    assert pd.isna(out.loc[("BC", "attendance_rate"), "met"])
    assert pd.isna(out.loc[("BC", "attendance_rate"), "gap"])
    assert str(out["met"].dtype) == "boolean"


def test_risk_components():
    counts = scorecard_counts(small_city(), "2022")
    comp = risk_components(counts).set_axis(counts["org_id"])
    assert list(comp.columns) == list(RISK_COMPONENTS)
    c1 = comp.loc["C1"]
    assert c1["regular_shortfall"] == pytest.approx(5 / 12)
    assert c1["short_share"] == pytest.approx(3 / 9)
    assert c1["implausible_good_share"] == pytest.approx(3 / 5)
    assert c1["rating_inflation"] == pytest.approx(0.5 / 3)
    assert c1["no_admissions"] == 1.0
    assert pd.isna(comp.loc["BC", "rating_inflation"])  # nothing inspected
    values = comp.to_numpy(dtype=float, na_value=0.0)
    assert ((values >= 0) & (values <= 1)).all()
