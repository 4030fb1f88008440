"""``chibo plan``: risk ranking and a seeded sample of meetings to inspect.

``chibo plan DATA --period 2022 [--org ID] [--confidence 0.95 --tolerable 0.05
--expected 0] [--seed N] [--simple] [--targets FILE] --out worksheet.xlsx``
writes the inspectors' worksheet; ``chibo plan --evaluate worksheet.xlsx``
reads a filled-in worksheet back and evaluates the sample.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from chibo_analysis.errors import ParameterError


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "plan",
        help="plan an inspection: risk ranking, sample of meetings, worksheet",
        description=(
            "Rank the cells by a transparent risk score (weights in the targets file), size "
            "an attribute sample of meetings (binomial; 59 at 95%% confidence, 5%% tolerable, "
            "0 expected), select it with a seed, stratified by cell, and write the Excel "
            "worksheet the inspectors fill in. With --evaluate, read a filled-in worksheet "
            "and give the upper deviation limit."
        ),
    )
    p.add_argument("data", nargs="?", help="folder of table files, or one workbook")
    p.add_argument(
        "--codebook",
        metavar="FILE",
        help="YAML file mapping the team's own marks and headers (default: DATA/codebook.yaml)",
    )
    p.add_argument("--period", help="a year (2022), a quarter (2022Q3) or years (2020-2025)")
    p.add_argument("--org", default=None, metavar="ID", help="organisation to inspect")
    p.add_argument("--confidence", type=float, default=0.95, help="default 0.95")
    p.add_argument("--tolerable", type=float, default=0.05, help="tolerable deviation rate")
    p.add_argument("--expected", type=float, default=0.0, help="expected deviation rate")
    p.add_argument("--seed", type=int, default=0, help="seed of the selection (default 0)")
    p.add_argument("--simple", action="store_true", help="simple random, not by cell")
    p.add_argument("--targets", default=None, metavar="FILE.yaml", help="risk_weights from here")
    p.add_argument("--out", default=None, metavar="FILE.xlsx", help="worksheet to write")
    p.add_argument("--evaluate", default=None, metavar="FILE.xlsx", help="evaluate a worksheet")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from chibo_analysis.commands.language import cli_lang, say
    from chibo_analysis.indicators import planning as plan
    from chibo_analysis.labels import fmt_int, fmt_percent

    lang = cli_lang()
    if args.evaluate:
        ev = plan.evaluate_worksheet(args.evaluate)
        print(
            say(
                "plan_evaluated",
                n=fmt_int(ev.n, lang),
                deviations=fmt_int(ev.deviations, lang),
                rate=fmt_percent(ev.sample_rate, lang),
                confidence=fmt_percent(ev.confidence, lang, 0),
                upper=fmt_percent(ev.upper_limit, lang),
                tolerable=fmt_percent(ev.tolerable, lang, 0),
                verdict=say("plan_supported" if ev.supported else "plan_not_supported"),
            )
        )
        return 0 if ev.supported else 1
    if not (args.data and args.period and args.out):
        raise ParameterError(
            "plan needs DATA, --period and --out (or --evaluate FILE.xlsx)", key="plan_needs"
        )
    if Path(args.out).suffix.lower() != ".xlsx":
        raise ParameterError(
            f"out={args.out!r}: expected a file name ending in .xlsx", key="plan_xlsx", out=args.out
        )
    from chibo_analysis.checks.validation import ensure_usable, validated
    from chibo_analysis.intake.load import load_dataset
    from chibo_analysis.present.data_notice import data_notice
    from chibo_analysis.runner.store import data_folder_of, is_store, load_data

    weights = plan.load_risk_weights(args.targets) if args.targets else None
    if is_store(args.data):  # prepared: the organisation's slice (the whole for one committee)
        dataset = load_data(args.data, args.org)
    else:
        dataset = ensure_usable(validated(load_dataset(args.data, codebook=args.codebook)))
    notice = data_notice(dataset.report, data_folder_of(args.data), lang)
    if notice:
        print(notice, file=sys.stderr)
    result = plan.plan_inspection(
        dataset,
        args.period,
        args.org,
        confidence=args.confidence,
        tolerable=args.tolerable,
        expected=args.expected,
        seed=args.seed,
        stratify=not args.simple,
        weights=weights,
    )
    out = plan.write_worksheet(result, args.out, lang=lang)
    prm = result.parameters
    print(
        say(
            "plan_written",
            n=fmt_int(prm["sample_size"], lang),
            population=fmt_int(prm["population"], lang),
            allowed=fmt_int(prm["allowed_deviations"], lang),
            cells=fmt_int(len(result.risk), lang),
            path=out,
        )
    )
    return 0
