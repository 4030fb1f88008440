"""``chibo batch DATA --level base --period 2022``: audit every organisation of a level."""

from __future__ import annotations

import argparse
import sys

from chibo_analysis.commands.audit import add_common, print_data_notice


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "batch",
        help="audit every organisation of a level in parallel; write reports/index.html",
        description=(
            "Run the audit notebook for every organisation at LEVEL (base: the base "
            "organisations, levels base and base_cell), JOBS at a time. One failure does "
            "not stop the others; OUT/index.html lists every report with its status and "
            "key figures. Exit status 1 if any audit failed, 2 if none could run (e.g. the "
            "Dask scheduler of --scheduler cannot be reached)."
        ),
    )
    parser.add_argument("--level", default="base", help="committee, base (default) or cell")
    parser.add_argument(
        "--jobs", type=int, metavar="N", help="audits run at once (default: number of CPUs)"
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="skip organisations whose report is complete for the same files, parameters "
        "and version (after a batch was stopped)",
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run the audits as tasks on a Dask cluster, e.g. tcp://10.0.0.5:8786 (needs the "
        "'cluster' extra); DATA, the notebooks, OUT and the cache must be at the same paths on "
        "every worker (shared storage); see README, 'On a cluster'",
    )
    parser.add_argument(
        "--cache-dir",
        metavar="DIR",
        help="folder in which the batch makes its private dataset cache, removed at the end "
        "(default: the system's temporary folder; with --scheduler, OUT/.cache, which the "
        "workers share)",
    )
    add_common(parser)
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from chibo_analysis.runner.batch import run_batch

    result = run_batch(
        args.data,
        period=args.period,
        level=args.level,
        jobs=args.jobs,
        notebook=args.notebook,
        out=args.out,
        lang=args.lang,
        share=args.share,
        targets=args.targets,
        pdf=args.pdf,
        notebooks_dir=args.notebooks,
        timeout=args.timeout,
        resume=args.resume,
        scheduler=args.scheduler,
        cache_dir=args.cache_dir,
    )
    from chibo_analysis.commands.language import say

    done = len(result.results) - len(result.failed)
    skipped = sum(bool(r.get("skipped")) for r in result.results)
    if skipped:
        print(say("batch_kept", n=skipped))
    first = next((r for r in result.results if r["status"] == "ok" and r.get("html")), None)
    if first is not None:  # one dataset for every audit: one notice
        print_data_notice(first["html"], args.data, args.lang)
    from chibo_analysis.commands.language import cli_lang
    from chibo_analysis.labels import fmt_number
    from chibo_analysis.runner.index import error_message_in

    seconds = fmt_number(result.seconds, cli_lang(), 1)
    print(say("batch_done", done=done, n=len(result.results), seconds=seconds, index=result.index))
    for item in result.failed:
        message = error_message_in(item.get("error") or {}, cli_lang())
        first = message.splitlines()[0] if message else ""
        print(say("batch_failed", org=item["org_id"], message=first), file=sys.stderr)
    return 1 if result.failed else 0
