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
from chibo_analysis.labels import catalogued
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


def _error(entry: str, where: str, /, **values: object) -> ParameterError:
    """The targets file's error ``error.<key>`` of the catalogue, naming the file."""
    shown = {"en": where, "vi": "(mặc định)"} if where == "(default)" else where
    return catalogued(ParameterError, entry, where=shown, **values)


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
        raise _error("targets_not_yaml", where, reason=str(err)) from err
    if not isinstance(data, dict):
        raise _error("targets_not_mapping", where)
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
            raise catalogued(ParameterError, "no_targets", targets=str(path))
        where = str(path)
        own = _read_yaml(path.read_text("utf-8"), where)
        _check_keys(own, _TOP_KEYS, where)
        for section in ("thresholds", "risk_weights"):
            data[section] = {**data.get(section, {}), **(own.get(section) or {})}
        merged = dict(data["targets"])
        for name, entry in (own.get("targets") or {}).items():
            if not isinstance(entry, dict):
                raise _error("targets_entry_shape", where, name=name)
            merged[name] = {**merged.get(name, {}), **entry}
        data["targets"] = merged
    return _build(data, where)


def _check_keys(mapping: dict, allowed: set, where: str, prefix: str = "") -> None:
    unknown = sorted(set(mapping) - allowed)
    if unknown:
        key, allowed_keys = f"{prefix}{unknown[0]}", ", ".join(sorted(allowed))
        raise _error("targets_unknown_key", where, item=key, allowed=allowed_keys)


def _number(value: object, key: str, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _error("targets_not_number", where, item=key, value=value)
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
                raise _error("targets_missing_field", where, item=f"{key}.{needed}")
        if entry["column"] not in SCORECARD_COLUMNS:
            raise _error(
                "targets_bad_column", where, item=key, column=entry["column"],
                columns=", ".join(SCORECARD_COLUMNS),
            )  # fmt: skip
        if entry["op"] not in OPS:
            raise _error("targets_bad_op", where, item=key, op=entry["op"], ops=list(OPS))
        levels = tuple(entry.get("levels") or ())
        kinds = tuple(entry.get("kinds") or ())
        for field_name, given, allowed in (
            ("levels", levels, [c.code for c in LEVELS]),
            ("kinds", kinds, [c.code for c in ORG_KINDS]),
        ):
            bad = [v for v in given if v not in allowed]
            if bad:
                raise _error(
                    "targets_bad_value", where, item=f"{key}.{field_name}", value=bad[0],
                    allowed=allowed,
                )  # fmt: skip
        if not str(entry["source"]).strip():
            raise _error("targets_no_source", where, item=key)
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
        raise _error("targets_cap_share", where, share=share)
    basis = thresholds.get("r9_cap_basis", "good")
    if basis not in THRESHOLDS["r9_cap_basis"]:
        allowed = list(THRESHOLDS["r9_cap_basis"])
        raise _error("targets_cap_basis", where, basis=basis, allowed=allowed)
    weights = dict(data.get("risk_weights") or {})
    _check_keys(weights, set(RISK_COMPONENTS), where, "risk_weights.")
    for name, w in weights.items():
        if _number(w, f"risk_weights.{name}", where) < 0:
            raise _error("targets_negative_weight", where, name=name, weight=w)
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
