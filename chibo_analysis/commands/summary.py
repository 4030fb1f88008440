"""``chibo summary DATA``: what a dataset holds (tables, rows, files, organisations, dates)."""

from __future__ import annotations

import argparse

import pandas as pd


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("summary", help="summarise what a dataset holds", description=__doc__)
    p.add_argument("data", help="folder of table files, or one workbook")
    p.add_argument(
        "--codebook",
        metavar="FILE",
        help="YAML file mapping the team's own marks and headers (default: DATA/codebook.yaml)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from chibo_analysis.intake.load import load_dataset

    print(describe(load_dataset(args.data, codebook=args.codebook)))
    return 0


def describe(dataset) -> str:
    """A short plain-text description of a dataset."""
    lines = [f"Dataset: {dataset.root}", ""]
    summary = dataset.summary()
    summary["rows"] = summary["rows"].map(lambda n: "absent" if pd.isna(n) else f"{int(n):,}")
    lines.append(summary.to_string())
    orgs = dataset.organisations
    levels = orgs["level"].value_counts().reindex(orgs["level"].cat.categories, fill_value=0)
    lines += ["", "Organisations by level: " + ", ".join(f"{k} {v}" for k, v in levels.items())]
    held = dataset.meetings["held_on"].dropna()
    if len(held):
        lines.append(f"Meetings from {held.min():%d/%m/%Y} to {held.max():%d/%m/%Y}")
    lines.append(f"Members (distinct): {dataset.members['member_id'].nunique():,}")
    return "\n".join(lines)
