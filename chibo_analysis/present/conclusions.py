"""The form of an inspection report: its header, the rules, "Kết luận" and "Kiến nghị".

A Vietnamese inspection report (báo cáo kết quả kiểm tra) opens with who
issued it, what was inspected, for which period, when, and from which
records; it closes with the conclusions (what the findings mean, rule by
rule) and the recommendations (what each organisation should do). The texts
come from the label catalogue (sections ``form``, ``rule`` and ``advice``);
the recommendations are generated from the targets each organisation missed
and can be extended by the report's parameters.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from chibo_analysis.labels import check_lang, fmt_int, has_label, label
from chibo_analysis.texts import shorten

if TYPE_CHECKING:  # pragma: no cover
    from chibo_analysis.dataset import Dataset

#: Rules of DOMAIN.md explained in every report (R1–R11).
RULES = tuple(f"R{i}" for i in range(1, 12))
#: Organisations named one by one in the recommendations; the rest are counted.
RECOMMEND_SHOWN = 5


def report_header(
    dataset: Dataset,
    org_name: str,
    period: object,
    *,
    issuer: str | None = None,
    report_date: dt.date | str | None = None,
    lang: str = "vi",
) -> pd.DataFrame:
    """The opening block of a report: issuer, organisation, period, date and data used.

    Two columns, ``item`` and ``value`` (display text). ``issuer`` defaults to the
    catalogue's "Đoàn kiểm tra"; ``report_date`` to today, written as the
    language writes dates. The data are named by their folder (never an
    absolute path) with their number of files and records.
    """
    check_lang(lang)
    day = report_date or dt.date.today()
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    files = {s.path for s in dataset.sources}
    # the records the files hold (a store's slice holds fewer: they are the folder's)
    records = sum(s.rows for s in dataset.sources if s.table != "codebook")
    data = label("form.data_value", lang, folder=Path(dataset.root).name or dataset.root,
                 files=fmt_int(len(files), lang), records=fmt_int(records, lang))  # fmt: skip
    rows = [
        ("form.issuer", issuer or label("form.default_issuer", lang)),
        ("form.subject", shorten(org_name, lang=lang)),
        ("form.period", str(period)),
        ("form.date", day.strftime("%d/%m/%Y" if lang == "vi" else "%Y-%m-%d")),
        ("form.data", data),
    ]
    return pd.DataFrame({"item": [label(k, lang) for k, _ in rows], "value": [v for _, v in rows]})


def rules_table(lang: str = "vi", rules: Sequence[str] = RULES) -> pd.DataFrame:
    """The rules a report checks, each in one plain sentence: ``rule`` and ``rule_text``."""
    check_lang(lang)
    return pd.DataFrame(
        {"rule": list(rules), "rule_text": [label(f"rule.{r}", lang) for r in rules]}
    )


def _target_names(targets, lang: str) -> dict[str, str]:
    return {
        n: (t.label_vi if lang == "vi" else t.label_en) or n for n, t in targets.targets.items()
    }


def conclusions(assessment: pd.DataFrame, targets, org_id: str, *, lang: str = "vi") -> list[str]:
    """One sentence per target: how many organisations met it, and the audited one.

    ``assessment`` is :func:`chibo_analysis.indicators.assess` of the audited
    organisation and those below it; organisations without a value for a
    target (NA) are left out of its count.

    Examples
    --------
    >>> from chibo_analysis.indicators.targets import load_targets
    >>> a = pd.DataFrame({"org_id": ["B", "C1", "C2"], "name": ["Phường X", "CB 1", "CB 2"],
    ...                   "target": "regular_rate", "met": pd.array([False, True, False])})
    >>> conclusions(a, load_targets(), "B")
    ['Sinh hoạt thường kỳ hằng tháng: 1 trong số 2 tổ chức đạt, 1 chưa đạt; Phường X chưa đạt chỉ tiêu này.']

    A cell audited alone has no organisation below it: its sentence says only
    whether it met the target.

    >>> conclusions(a[a["org_id"] == "C2"], load_targets(), "C2", lang="en")
    ['Regular meeting every month: CB 2 did not meet it.']
    """
    check_lang(lang)
    names = _target_names(targets, lang)
    out = []
    for target, rows in assessment.groupby("target", sort=False):
        own = rows[rows["org_id"] == org_id]
        below = rows[(rows["org_id"] != org_id) & rows["met"].notna()]
        if below.empty and own["met"].isna().all():
            continue
        own_text = ""
        if len(own) and not pd.isna(own["met"].iloc[0]):
            key = "form.own_met" if bool(own["met"].iloc[0]) else "form.own_missed"
            own_text = label(key, lang, org=shorten(str(own["name"].iloc[0]), lang=lang))
        met = int(below["met"].astype(bool).sum())
        if below.empty:  # a cell audited alone: no organisation below it to count
            key = (
                "form.conclusion_own_met"
                if bool(own["met"].iloc[0])
                else "form.conclusion_own_missed"
            )
            out.append(label(key, lang, target=names.get(target, target),
                             org=shorten(str(own["name"].iloc[0]), lang=lang)))  # fmt: skip
            continue
        out.append(label("form.conclusion_target", lang, target=names.get(target, target),
                         met=fmt_int(met, lang), total=fmt_int(len(below), lang),
                         missed=fmt_int(len(below) - met, lang), own=own_text))  # fmt: skip
    return out or [label("form.conclusion_none", lang)]


def recommendations(
    assessment: pd.DataFrame,
    targets,
    org_id: str,
    *,
    names: dict[str, str] | None = None,
    extra: Iterable[str] = (),
    lang: str = "vi",
    shown: int = RECOMMEND_SHOWN,
) -> list[str]:
    """What each organisation that missed a target should do, most misses first.

    One sentence per organisation (the audited one first when it missed any),
    its actions taken from the catalogue's ``advice`` for each target it
    missed; past ``shown`` organisations, a count. ``names`` gives the name to
    print for an organisation (e.g. a cell with its base); ``extra`` lines (the
    report's ``recommendations`` parameter) come last, as written.

    Examples
    --------
    >>> from chibo_analysis.indicators.targets import load_targets
    >>> a = pd.DataFrame({"org_id": ["B", "C1", "C1"], "name": ["Phường X", "CB 1", "CB 1"],
    ...                   "target": ["regular_rate", "regular_rate", "admissions"],
    ...                   "met": pd.array([True, False, False])})
    >>> recommendations(a, load_targets(), "B", extra=["Báo cáo kết quả khắc phục trước 31/3."])
    ['CB 1: tổ chức sinh hoạt thường kỳ đủ hằng tháng (R1); chú trọng tạo nguồn, kết nạp đảng viên mới.', 'Báo cáo kết quả khắc phục trước 31/3.']
    """
    check_lang(lang)
    target_names = _target_names(targets, lang)
    missed = assessment[
        assessment["met"].notna() & ~assessment["met"].astype("boolean").fillna(True)
    ]
    order = missed.groupby("org_id", sort=False).size().sort_values(ascending=False, kind="stable")
    ids = sorted(order.index, key=lambda i: (i != org_id, -order[i]))
    out = []
    for oid in ids[:shown]:
        rows = missed[missed["org_id"] == oid]
        actions = [
            label(f"advice.{t}", lang) if has_label(f"advice.{t}")
            else label("form.advice_generic", lang, target=target_names.get(t, t))
            for t in dict.fromkeys(rows["target"])
        ]  # fmt: skip
        name = (names or {}).get(oid) or str(rows["name"].iloc[0])
        out.append(label("form.recommend_org", lang, org=shorten(name, lang=lang),
                         actions="; ".join(actions)))  # fmt: skip
    if len(ids) > shown:
        out.append(label("form.recommend_more", lang, n=fmt_int(len(ids) - shown, lang)))
    if not out:
        out.append(label("form.recommend_none", lang))
    return out + [str(e) for e in extra if str(e).strip()]
