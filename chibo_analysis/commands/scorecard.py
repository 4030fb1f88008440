"""``chibo scorecard DATA --period 2022 [--org ID] [--out FILE.csv|.xlsx]``: the §4 scorecard."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from chibo_analysis.errors import ParameterError
from chibo_analysis.outputs import write_tables


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "scorecard",
        help="the scorecard of every cell and organisation (DOMAIN §4)",
        description=(
            "Compute the scorecard: one row per cell and per organisation above it, with "
            "every indicator of DOMAIN.md §4. Rows that validation sets aside count nowhere. "
            "With --out FILE.xlsx the workbook also holds the assessment against the targets."
        ),
    )
    p.add_argument("data", help="folder of table files, or one workbook")
    p.add_argument(
        "--codebook",
        metavar="FILE",
        help="YAML file mapping the team's own marks and headers (default: DATA/codebook.yaml)",
    )
    p.add_argument(
        "--period", required=True, help="a year (2022), a quarter (2022Q3) or years (2020-2025)"
    )
    p.add_argument(
        "--org", default=None, metavar="ID", help="only this organisation and those below it"
    )
    p.add_argument("--out", default=None, metavar="FILE", help="write to FILE.csv or FILE.xlsx")
    p.add_argument(
        "--targets", default=None, metavar="FILE.yaml", help="the organisation's own targets"
    )
    p.set_defaults(func=run)


def check_out(out: str | Path) -> Path:
    """``out`` as a Path if it names a ``.csv`` or ``.xlsx`` file, else ParameterError."""
    out = Path(out)
    if out.suffix.lower() not in (".csv", ".xlsx"):
        raise ParameterError(f"out={str(out)!r}: expected a file name ending in .csv or .xlsx")
    return out


def write_frame(frames: dict[str, pd.DataFrame], out: str | Path) -> Path:
    """Write one frame to ``.csv`` (the first one) or several sheets to ``.xlsx``.

    Cells cut to fit a workbook are listed on stderr.
    """
    out = check_out(out)
    for warning in write_tables(out, frames):
        print(f"warning: {warning}", file=sys.stderr)
    return out


def run(args: argparse.Namespace) -> int:
    from chibo_analysis.checks.validation import ensure_usable, validated
    from chibo_analysis.indicators.periods import parse_period
    from chibo_analysis.indicators.scorecard import scorecard
    from chibo_analysis.indicators.targets import assess, load_targets
    from chibo_analysis.intake.load import load_dataset
    from chibo_analysis.present.data_notice import data_notice
    from chibo_analysis.runner.store import Store, is_store, store_scorecard

    period = parse_period(args.period)
    targets = load_targets(args.targets)  # checked before the data is read
    if args.out:
        check_out(args.out)
    if is_store(args.data):  # prepared: the counts are DuckDB queries over its files
        store = Store(args.data)
        report, organisations = store.problems().report, store.organisations
        card = store_scorecard(store, period, args.org)
        source = store.manifest["root"]  # `chibo validate` lists the problems of the files
    else:
        dataset = ensure_usable(validated(load_dataset(args.data, codebook=args.codebook)))
        report, organisations = dataset.report, dataset.organisations
        card = scorecard(dataset, period, args.org)
        source = args.data
    notice = data_notice(report, source, "vi")
    if notice:
        print(notice, file=sys.stderr)
    if args.out:
        frames = {"scorecard": card, "assessment": assess(card, targets, organisations)}
        print(write_frame(frames, args.out))
    else:
        with pd.option_context("display.max_columns", None, "display.width", 200):
            print(card.to_string(index=False))
    return 0
