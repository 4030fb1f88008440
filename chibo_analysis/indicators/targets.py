"""Targets: what an organisation aims for, and whether each unit meets it.

The defaults of DOMAIN.md §2 live in ``resources/targets.yaml``, each with its
source document and date, together with the thresholds the lists read and
the weights of the inspection-planning risk score. An organisation passes its
own file, read over the defaults (see the comments at the top of that file).

>>> t = load_targets()
>>> t.targets["attendance_rate"].value, t.thresholds["r9_cap_basis"]
(0.9, 'good')
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import MappingProxyType

import pandas as pd

from chibo_analysis.errors import ParameterError
from chibo_analysis.schema import LEVELS, ORG_KINDS

from .scorecard import SCORECARD_COLUMNS

OPS = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt, "==": operator.eq}
_TOP_KEYS = {"version", "targets", "thresholds", "risk_weights"}
_TARGET_KEYS = {
    "column",
    "op",
    "value",
    "levels",
    "kinds",
    "label_vi",
    "label_en",
    "source",
    "note",
    "enabled",
}
#: Thresholds and the values each may take.
THRESHOLDS = {
    "r9_cap_share": "a number between 0 and 1",
    "r9_cap_basis": ("good", "good_or_better"),
}


@dataclass(frozen=True)
class Target:
    """One target: ``column op value`` for rows of ``levels`` (and cell ``kinds``)."""

    name: str
    column: str
    op: str
    value: float
    source: str
    levels: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    label_vi: str = ""
    label_en: str = ""
    note: str = ""


@dataclass(frozen=True)
class Targets:
    """The targets, thresholds and risk weights of an audit (read-only)."""

    targets: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    thresholds: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    risk_weights: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    source: str = ""


#: Each risk component: (description, numerator or formula, denominator).
RISK_COMPONENTS = {
    "regular_shortfall": "1 - regular_months / months_expected (R1)",
    "thematic_shortfall": "1 - thematic_quarters / quarters_expected (R2)",
    "attendance_shortfall": "1 - attendance_rate (R4)",
    "nonstandard_share": "1 - standard_meeting_rate (R4)",
    "short_share": "short_meetings / meetings (R3)",
    "implausible_good_share": "implausible_good / good_self_ratings (R5)",
    "rating_inflation": "max(0, rating_inflation) / 3 (inspections)",
    "minutes_mismatch_share": "minutes_mismatches / meetings",
    "flagged_share": "min(1, flagged_meetings / members) (R6)",
    "no_admissions": "1 when admissions == 0, else 0",
}


def _read_yaml(text: str, where: str) -> dict:
    import yaml

    from chibo_analysis.yamlio import safe_load

    try:
        data = safe_load(text) or {}
    except yaml.YAMLError as err:
        raise ParameterError(f"targets file {where}: not valid YAML ({err})") from err
    if not isinstance(data, dict):
        raise ParameterError(f"targets file {where}: expected a mapping of sections at the top")
    return data


def load_targets(path: str | Path | None = None) -> Targets:
    """The default targets, with an organisation's own file read over them.

    Raises
    ------
    ParameterError
        Naming the key, for an unknown key or a value that is not allowed.
    """
    default = (
        resources.files("chibo_analysis").joinpath("resources/targets.yaml").read_text("utf-8")
    )
    data = _read_yaml(default, "(default)")
    where = "(default)"
    if path is not None:
        path = Path(path)
        if not path.is_file():
            raise ParameterError(f"targets={str(path)!r}: no such file")
        where = str(path)
        own = _read_yaml(path.read_text("utf-8"), where)
        _check_keys(own, _TOP_KEYS, where)
        for section in ("thresholds", "risk_weights"):
            data[section] = {**data.get(section, {}), **(own.get(section) or {})}
        merged = dict(data["targets"])
        for name, entry in (own.get("targets") or {}).items():
            if not isinstance(entry, dict):
                raise ParameterError(f"{where}: targets.{name} must be a mapping of fields")
            merged[name] = {**merged.get(name, {}), **entry}
        data["targets"] = merged
    return _build(data, where)


def _check_keys(mapping: dict, allowed: set, where: str, prefix: str = "") -> None:
    unknown = sorted(set(mapping) - allowed)
    if unknown:
        raise ParameterError(
            f"{where}: unknown key '{prefix}{unknown[0]}'; allowed: {', '.join(sorted(allowed))}"
        )


def _number(value: object, key: str, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ParameterError(f"{where}: {key}={value!r} is not allowed; expected a number")
    return float(value)


def _build(data: dict, where: str) -> Targets:
    _check_keys(data, _TOP_KEYS, where)
    targets = {}
    for name, entry in (data.get("targets") or {}).items():
        key = f"targets.{name}"
        _check_keys(entry, _TARGET_KEYS, where, key + ".")
        if entry.get("enabled", True) is False:
            continue
        for needed in ("column", "op", "value", "source"):
            if needed not in entry:
                raise ParameterError(f"{where}: {key}.{needed} is missing")
        if entry["column"] not in SCORECARD_COLUMNS:
            raise ParameterError(
                f"{where}: {key}.column={entry['column']!r} is not a scorecard column; "
                f"expected one of {', '.join(SCORECARD_COLUMNS)}"
            )
        if entry["op"] not in OPS:
            raise ParameterError(
                f"{where}: {key}.op={entry['op']!r} is not allowed; expected one of {list(OPS)}"
            )
        levels = tuple(entry.get("levels") or ())
        kinds = tuple(entry.get("kinds") or ())
        for field_name, given, allowed in (
            ("levels", levels, [c.code for c in LEVELS]),
            ("kinds", kinds, [c.code for c in ORG_KINDS]),
        ):
            bad = [v for v in given if v not in allowed]
            if bad:
                raise ParameterError(
                    f"{where}: {key}.{field_name} has {bad[0]!r}; allowed: {allowed}"
                )
        if not str(entry["source"]).strip():
            raise ParameterError(f"{where}: {key}.source is empty; every target cites its source")
        targets[name] = Target(
            name=name,
            column=entry["column"],
            op=entry["op"],
            value=_number(entry["value"], f"{key}.value", where),
            source=str(entry["source"]),
            levels=levels,
            kinds=kinds,
            label_vi=str(entry.get("label_vi", "")),
            label_en=str(entry.get("label_en", "")),
            note=str(entry.get("note", "")),
        )
    thresholds = dict(data.get("thresholds") or {})
    _check_keys(thresholds, set(THRESHOLDS), where, "thresholds.")
    share = _number(thresholds.get("r9_cap_share", 0.2), "thresholds.r9_cap_share", where)
    if not 0 <= share <= 1:
        raise ParameterError(f"{where}: thresholds.r9_cap_share={share!r} must be between 0 and 1")
    basis = thresholds.get("r9_cap_basis", "good")
    if basis not in THRESHOLDS["r9_cap_basis"]:
        raise ParameterError(
            f"{where}: thresholds.r9_cap_basis={basis!r} is not allowed; expected one of "
            f"{list(THRESHOLDS['r9_cap_basis'])}"
        )
    weights = dict(data.get("risk_weights") or {})
    _check_keys(weights, set(RISK_COMPONENTS), where, "risk_weights.")
    for name, w in weights.items():
        if _number(w, f"risk_weights.{name}", where) < 0:
            raise ParameterError(f"{where}: risk_weights.{name}={w!r} must be >= 0")
    return Targets(
        targets=MappingProxyType(targets),
        thresholds=MappingProxyType({"r9_cap_share": share, "r9_cap_basis": basis}),
        risk_weights=MappingProxyType({k: float(v) for k, v in weights.items()}),
        source=where,
    )


ASSESS_COLUMNS = [
    "org_id", "name", "level", "period", "target", "column", "op", "value", "target_value",
    "met", "gap", "source",
]  # fmt: skip


def assess(
    scorecard: pd.DataFrame,
    targets: Targets | None = None,
    organisations: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Each organisation's value against each target that applies to it.

    Parameters
    ----------
    scorecard : DataFrame
        From :func:`~chibo_analysis.indicators.scorecard.scorecard`.
    targets : Targets, optional
        :func:`load_targets` by default.
    organisations : DataFrame, optional
        The organisations table, for targets restricted to cell ``kinds``
        (the residential-cell size). Without it those targets are left out.

    Returns
    -------
    DataFrame
        One row per organisation and applicable target: ``org_id``,
        ``name``, ``level``, ``period``, ``target``, ``column``, ``op``,
        ``value``, ``target_value``, ``met`` (boolean; NA when the value is
        NA), ``gap`` (the margin: ``value - target`` for ``>=``/``>``,
        ``target - value`` for ``<=``/``<``, ``-|value - target|`` for
        ``==``; negative means short of the target), ``source``.
    """
    targets = targets or load_targets()
    kind = None
    if organisations is not None:
        kind = scorecard["org_id"].map(organisations.set_index("org_id")["kind"].astype("object"))
    parts = []
    for t in targets.targets.values():
        rows = pd.Series(True, index=scorecard.index)
        if t.levels:
            rows &= scorecard["level"].isin(t.levels)
        if t.kinds:
            if kind is None:
                continue
            rows &= kind.isin(t.kinds)
        sc = scorecard[rows]
        value = sc[t.column].astype("Float64")
        met = OPS[t.op](value, t.value).astype("boolean")
        if t.op in (">=", ">"):
            gap = value - t.value
        elif t.op in ("<=", "<"):
            gap = t.value - value
        else:
            gap = -(value - t.value).abs()
        parts.append(
            sc[["org_id", "name", "level", "period"]].assign(
                target=t.name,
                column=t.column,
                op=t.op,
                value=value,
                target_value=t.value,
                met=met,
                gap=gap,
                source=t.source,
            )  # fmt: skip
        )
    if not parts:
        return pd.DataFrame(columns=ASSESS_COLUMNS)
    return pd.concat(parts).sort_index(kind="stable").reset_index(drop=True)[ASSESS_COLUMNS]
