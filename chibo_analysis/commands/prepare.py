"""``chibo prepare DATA --store STORE``: read and check the data once, write a store.

The store (:mod:`chibo_analysis.runner.store`) is the cleaned dataset as Parquet
partitioned by committee and base organisation. ``chibo scorecard STORE`` computes
the scorecard by DuckDB over it, and ``chibo audit`` / ``chibo batch`` give each
audit its organisation's slice, instead of reading and validating every file again.
"""

from __future__ import annotations

import argparse
import sys


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "prepare",
        help="read and check the data once, and write it as a store of Parquet files",
        description="Read and check the data, then write the cleaned data as a store.",
    )
    p.add_argument("data", help="folder of table files, or one workbook")
    p.add_argument("--store", required=True, metavar="STORE", help="folder of the store to write")
    p.add_argument("--codebook", metavar="FILE", help="YAML file of the team's marks and headers")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from chibo_analysis.checks.validation import ensure_usable, validated
    from chibo_analysis.commands.language import cli_lang, say
    from chibo_analysis.intake.load import load_dataset
    from chibo_analysis.present.data_notice import data_notice
    from chibo_analysis.runner.cache import hash_inputs
    from chibo_analysis.runner.store import write_store

    inputs = hash_inputs(args.data)
    dataset = ensure_usable(validated(load_dataset(args.data, codebook=args.codebook)))
    notice = data_notice(dataset.report, args.data, cli_lang())
    if notice:
        print(notice, file=sys.stderr)
    store = write_store(dataset, args.store, inputs)
    rows = sum(len(f) for f in dataset.tables.values() if f is not None)
    tables = sum(f is not None for f in dataset.tables.values())
    print(say("prepare_done", store=store, rows=f"{rows:,}", tables=tables))
    return 0
