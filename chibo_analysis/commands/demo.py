"""``chibo demo``: the sample city's audit, from nothing to an HTML report."""

from __future__ import annotations

import argparse
from pathlib import Path

from chibo_analysis.errors import ChiboError


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "demo",
        help="make the sample city (if missing) and write its audit report",
        description=(
            "Make the synthetic sample city in DATA with `chibo synth` unless it is there "
            "already, run the audit notebook on the city's committee and print where the "
            "HTML report is."
        ),
    )
    parser.add_argument(
        "--data", default="data/sample", help="sample data folder (default: data/sample)"
    )
    parser.add_argument("--period", default="2022", help="period audited (default: 2022)")
    parser.add_argument("--lang", default="vi", help="language of the report: vi (default) or en")
    parser.add_argument("--pdf", action="store_true", help="also print a PDF (needs chromium)")
    parser.add_argument("--out", default="reports", help="reports folder (default: reports/)")
    parser.add_argument(
        "--notebooks",
        metavar="DIR",
        help="folder of the notebooks (default: the repository's notebooks/)",
    )
    parser.set_defaults(func=run)
    return parser


def committee_of(organisations) -> str:
    """The org_id of the one top organisation (level committee)."""
    top = organisations.loc[organisations["level"].astype(str) == "committee", "org_id"]
    if len(top) != 1:
        raise ChiboError(
            f"the sample data should have exactly one committee organisation; found {len(top)}"
        )
    return str(top.iloc[0])


def make_sample(data: Path) -> None:
    """Write the sample city (``chibo synth``'s defaults: seed 0, 2020-2025) to ``data``."""
    from chibo_analysis.synth import synthesize

    synthesize(data)


def ensure_sample(data: Path) -> bool:
    """Make the sample city in ``data`` unless the folder has files; True if made."""
    if data.is_dir() and any(data.iterdir()):
        return False
    from chibo_analysis.commands.language import say

    print(say("demo_making", data=data), flush=True)
    make_sample(data)
    if not (data.is_dir() and any(data.iterdir())):
        raise ChiboError(f"making the sample city wrote nothing to {data}")
    return True


def run(args: argparse.Namespace) -> int:
    from chibo_analysis.runner.audit import DEFAULT_NOTEBOOK, read_organisations, run_audit
    from chibo_analysis.runner.params import AuditParams

    data = Path(args.data)
    ensure_sample(data)
    organisations = read_organisations(data)
    params = AuditParams.create(
        data=data, org_id=committee_of(organisations), period=args.period, lang=args.lang
    )
    result = run_audit(
        params,
        notebook=DEFAULT_NOTEBOOK,
        out=args.out,
        pdf=args.pdf,
        notebooks_dir=args.notebooks,
        organisations=organisations,
    )
    from chibo_analysis.commands.language import say

    print(say("demo_report", path=result.html))
    if "pdf" in result.outputs:
        print(say("demo_pdf", path=result.outputs["pdf"]))
    return 0
