"""``chibo prepare DATA --store STORE``: read and check the data once, write a store.

The store (:mod:`chibo_analysis.runner.store`) is the cleaned dataset as Parquet
partitioned by committee and base organisation. ``chibo scorecard STORE`` computes
the scorecard by DuckDB over it, and ``chibo audit`` / ``chibo batch`` give each
audit its organisation's slice, instead of reading and validating every file again.

A folder of Parquet files is prepared committee by committee
(:mod:`chibo_analysis.runner.staging`): memory stays that of one committee, so a
nation's data can be prepared on one machine. Other data (CSV, workbooks) are read
and checked whole.
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
    p.add_argument(
        "--jobs", type=int, default=2, metavar="N",
        help="committees checked at once, for Parquet data (default: 2)",
    )  # fmt: skip
    p.add_argument(
        "--whole", action="store_true",
        help="read and check Parquet data whole, not committee by committee",
    )  # fmt: skip
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from chibo_analysis.checks.validation import ensure_usable, validated
    from chibo_analysis.commands.language import cli_lang, say
    from chibo_analysis.errors import ParameterError
    from chibo_analysis.intake.codebook import find_codebook, load_codebook
    from chibo_analysis.intake.load import load_dataset
    from chibo_analysis.labels import catalogued
    from chibo_analysis.present.data_notice import data_notice
    from chibo_analysis.runner.cache import hash_inputs
    from chibo_analysis.runner.staging import parquet_layout, prepare_by_committee
    from chibo_analysis.runner.store import write_store

    if args.jobs < 1:
        raise catalogued(ParameterError, "jobs", jobs=args.jobs)
    root = Path(args.data)
    _check_store(root, Path(args.store))  # before any work: the nation's takes half an hour
    inputs = hash_inputs(args.data)
    found = args.codebook or (find_codebook(root) if root.is_dir() else None)
    book = load_codebook(found) if found else None
    layout = None if args.whole else parquet_layout(root, book)
    if layout is None and not args.whole and root.is_dir() and any(root.rglob("*.parquet")):
        print(say("prepare_whole_notice", data=str(root)), file=sys.stderr)
    if layout is not None:
        tables, unread = layout
        progress = not args.quiet and sys.stderr.isatty()
        store, report, counts = prepare_by_committee(
            root, args.store, tables, unread, inputs, book, jobs=args.jobs, progress=progress
        )
        rows, n_tables = sum(counts.values()), len(counts)
    else:
        dataset = ensure_usable(validated(load_dataset(args.data, codebook=book)))
        report = dataset.report
        store = write_store(dataset, args.store, inputs)
        rows = sum(len(f) for f in dataset.tables.values() if f is not None)
        n_tables = sum(f is not None for f in dataset.tables.values())
    notice = data_notice(report, args.data, cli_lang())
    if notice:
        print(notice, file=sys.stderr)
    print(say("prepare_done", store=store, rows=f"{rows:,}", tables=n_tables))
    return 0


def _check_store(data, store) -> None:
    """Refuse a store that would be read as data, replace something else, or cannot be written."""
    import os
    import tempfile

    from chibo_analysis.errors import DataReadError, ParameterError
    from chibo_analysis.labels import catalogued
    from chibo_analysis.runner.store import is_store

    if not data.exists():
        raise catalogued(DataReadError, "no_data_path", path=str(data))
    folder = (data if data.is_dir() else data.parent).resolve()
    target = store.resolve()
    if target == folder or folder in target.parents:
        raise catalogued(ParameterError, "store_in_data", store=str(store), data=str(data))
    if store.exists() and not is_store(store):
        raise catalogued(ParameterError, "store_not_store", store=str(store))
    try:
        store.parent.mkdir(parents=True, exist_ok=True)
        os.rmdir(tempfile.mkdtemp(dir=store.parent, prefix=f".{store.name}.probe-"))
    except OSError as err:
        raise catalogued(
            ParameterError, "store_unwritable", store=str(store), reason=err.strerror or str(err)
        ) from err
