"""``chibo summary DATA``: what a dataset holds (tables, rows, files, organisations, dates).

Printed in the language of ``CHIBO_LANG`` (vi when unset).
"""

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
    from chibo_analysis.commands.language import cli_lang
    from chibo_analysis.intake.load import load_dataset

    print(describe(load_dataset(args.data, codebook=args.codebook), cli_lang()))
    return 0


def describe(dataset, lang: str = "vi") -> str:
    """A short plain-text description of a dataset, in ``lang``.

    Tables by their Vietnamese names in ``vi`` (by their file names in ``en``),
    organisation levels by their labels, numbers and dates as the language
    writes them.
    """
    from chibo_analysis.labels import category_label, fmt_int, label
    from chibo_analysis.schema import TABLES

    def say(key: str, **values) -> str:
        return label(f"cli.summary_{key}", lang, **values)

    summary = dataset.summary().reset_index()
    shown = pd.DataFrame(
        {
            say("table"): summary["table"].map(lambda t: TABLES[t].vi if lang == "vi" else t),
            say("rows"): summary["rows"].map(
                lambda n: say("absent") if pd.isna(n) else fmt_int(n, lang)
            ),
            say("files"): summary["files"],
        }
    )
    lines = [say("dataset", root=dataset.root), "", shown.to_string(index=False)]
    orgs = dataset.organisations
    levels = orgs["level"].value_counts().reindex(orgs["level"].cat.categories, fill_value=0)
    counts = ", ".join(
        f"{category_label('organisations', 'level', k, lang)} {fmt_int(v, lang)}"
        for k, v in levels.items()
    )
    lines += ["", say("levels", levels=counts)]
    held = dataset.meetings["held_on"].dropna()
    if len(held):
        fmt = "%d/%m/%Y" if lang == "vi" else "%Y-%m-%d"
        lines.append(say("meetings", first=held.min().strftime(fmt), last=held.max().strftime(fmt)))
    lines.append(say("members", n=fmt_int(dataset.members["member_id"].nunique(), lang)))
    return "\n".join(lines)
