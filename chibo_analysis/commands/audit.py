"""``chibo audit DATA --org ID --period 2022``: one audit study, as HTML (and PDF)."""

from __future__ import annotations

import argparse


def add_common(parser: argparse.ArgumentParser) -> None:
    """Options shared by ``chibo audit`` and ``chibo batch``."""
    parser.add_argument("data", metavar="DATA", help="dataset folder or workbook")
    parser.add_argument(
        "--period", required=True, help="year (2022), quarter (2022Q3) or 2020-2022"
    )
    parser.add_argument(
        "--notebook",
        default="audit_organisation",
        help="notebook to run, by name (default: audit_organisation)",
    )
    parser.add_argument("--lang", default="vi", help="language of the report: vi (default) or en")
    parser.add_argument(
        "--share", action="store_true", help="pseudonymise members (for a report that is shared)"
    )
    parser.add_argument("--targets", metavar="FILE.yaml", help="targets file (default targets)")
    parser.add_argument(
        "--pdf", action="store_true", help="also print a PDF (needs Debian's chromium)"
    )
    parser.add_argument("--out", default="reports", help="reports folder (default: reports/)")
    parser.add_argument(
        "--notebooks",
        metavar="DIR",
        help="folder of the notebooks (default: the repository's notebooks/)",
    )
    parser.add_argument(
        "--timeout", type=float, metavar="SECONDS", help="time allowed per notebook cell"
    )


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "audit",
        help="run an audit notebook on one organisation and write its report",
        description=(
            "Check the parameters, run the audit notebook with papermill and write "
            "OUT/ORG/PERIOD/: the executed notebook, a self-contained HTML report "
            "without code (opens offline), optionally a PDF, and run.json "
            "(parameters, input hashes, versions, timings, status)."
        ),
    )
    parser.add_argument("--org", required=True, metavar="ID", help="org_id of the organisation")
    add_common(parser)
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from chibo_analysis.runner.audit import run_audit
    from chibo_analysis.runner.params import AuditParams

    params = AuditParams.create(
        data=args.data,
        org_id=args.org,
        period=args.period,
        lang=args.lang,
        share=args.share,
        targets=args.targets,
    )
    result = run_audit(
        params,
        notebook=args.notebook,
        out=args.out,
        pdf=args.pdf,
        notebooks_dir=args.notebooks,
        timeout=args.timeout,
    )
    for name in ("html", "pdf"):
        if name in result.outputs:
            print(result.outputs[name])
    print_data_notice(result.outputs.get("html"), args.data, args.lang)
    return 0


def print_data_notice(report_file, data: str, lang: str) -> None:
    """Say on stderr what the audited data lost, from the figures its notebook recorded."""
    import json
    import sys
    from pathlib import Path

    from chibo_analysis.present.data_notice import notice_from_figures
    from chibo_analysis.runner.index import figures_path
    from chibo_analysis.runner.store import data_folder_of

    data = data_folder_of(data)  # a store's problems are those of its data folder

    if not report_file:
        return
    figures = figures_path(Path(report_file).parent, Path(report_file).stem)
    if figures.is_file():
        notice = notice_from_figures(json.loads(figures.read_text("utf-8")), data, lang)
        if notice:
            print(notice, file=sys.stderr)
