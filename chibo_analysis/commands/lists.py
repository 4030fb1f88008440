"""``chibo lists DATA --period 2022 --list NAME [--org ID] [--out FILE]``: a list behind the scorecard."""

from __future__ import annotations

import argparse
import sys

import pandas as pd

#: One line per list for ``--help`` (names from chibo_analysis.indicators.lists.LISTS).
DESCRIPTIONS = {
    "r6_meetings": "members absent without reason in 3+ months of a year (R6)",
    "r6_dues": "members with 3+ unpaid months of dues in a year (R6; needs dues)",
    "excused_streaks": "4+ excused absences in a row (R4)",
    "failing_meetings": "meetings failing R3 (duration) or R4 (attendance), with the reasons",
    "implausible_good": "meetings rated Tốt that fail R3 or R4, and why",
    "minutes_mismatches": "minutes whose counts disagree with the register",
    "probation_overdue": "probationary members past 12 months without confirmation (R10)",
    "exemption_age": "exempted members not meeting R8's age condition (for review)",
    "small_residential": "residential cells under 5 members (local target)",
    "no_admissions": "cells that admitted no member in the period",
    "r9_cap": "base organisations over R9's 20% cap of excellent ratings (needs reviews)",
    "inflated_ratings": "cells rating their meetings 2+ grades above the inspectors (R5; needs inspections)",
}


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "lists",
        help="the members, meetings or cells behind a scorecard count",
        description=__doc__
        + "\n\nLists:\n"
        + "\n".join(f"  {k}: {v}" for k, v in DESCRIPTIONS.items()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
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
        "--list", required=True, dest="list_name", metavar="NAME", help="which list (see above)"
    )
    p.add_argument(
        "--org", default=None, metavar="ID", help="only this organisation and those below it"
    )
    p.add_argument("--out", default=None, metavar="FILE", help="write to FILE.csv or FILE.xlsx")
    p.add_argument("--lang", choices=("vi", "en"), default="vi", help="language of reason texts")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from chibo_analysis.checks.validation import ensure_usable, validated
    from chibo_analysis.commands.scorecard import check_out, write_frame
    from chibo_analysis.errors import check_argument
    from chibo_analysis.indicators.lists import LISTS, run_list
    from chibo_analysis.indicators.periods import parse_period
    from chibo_analysis.intake.load import load_dataset
    from chibo_analysis.present.data_notice import data_notice
    from chibo_analysis.runner.store import data_folder_of, is_store, load_data

    check_argument("list", args.list_name, LISTS)
    period = parse_period(args.period)
    if args.out:
        check_out(args.out)
    options = (
        {"lang": args.lang} if args.list_name in ("failing_meetings", "implausible_good") else {}
    )
    if is_store(args.data):  # prepared: the organisation's slice (the whole for one committee)
        dataset = load_data(args.data, args.org)
    else:
        dataset = ensure_usable(validated(load_dataset(args.data, codebook=args.codebook)))
    notice = data_notice(dataset.report, data_folder_of(args.data), args.lang)
    if notice:
        print(notice, file=sys.stderr)
    frame = run_list(args.list_name, dataset, period, args.org, **options)
    if args.out:
        print(write_frame({args.list_name: frame}, args.out))
    else:
        with pd.option_context("display.max_columns", None, "display.width", 200):
            from chibo_analysis.commands.language import say

            empty = say("lists_empty", name=args.list_name)
            print(frame.to_string(index=False) if len(frame) else empty)
    return 0
