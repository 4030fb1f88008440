"""``chibo template --out FILE.xlsx``: write the data-collection workbook."""

from __future__ import annotations

import argparse


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "template",
        help="write the Excel workbook that cells fill in",
        description=(
            "Write the data-collection workbook: an instruction sheet, then one sheet per "
            "table with headers, drop-down lists and date formats. The filled-in workbook "
            "is read by `chibo validate`."
        ),
    )
    parser.add_argument("--out", required=True, metavar="FILE.xlsx", help="workbook to write")
    parser.add_argument(
        "--data",
        metavar="DATA",
        help="with --cell: the committee's dataset, whose organisations and roll fill the workbook",
    )
    parser.add_argument(
        "--cell",
        metavar="ID",
        help="write one cell's workbook (its roll, meetings and paper register) instead",
    )
    parser.add_argument(
        "--lang",
        choices=("vi", "en"),
        default="vi",
        help="language of sheet names, headers and instructions (default: vi)",
    )
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from chibo_analysis.errors import ParameterError

    if bool(args.cell) != bool(args.data):
        raise ParameterError("--cell and --data go together: chibo template --data DATA --cell ID")
    if args.cell:
        from chibo_analysis.intake.cell_template import write_cell_workbook
        from chibo_analysis.intake.load import load_dataset

        dataset = load_dataset(args.data, ("organisations", "members"))
        print(write_cell_workbook(dataset, args.cell, args.out))
        return 0
    from chibo_analysis.intake.template import write_template

    path = write_template(args.out, lang=args.lang)
    print(path)
    return 0
