"""``chibo synth --out DIR``: write a synthetic city with planted problems."""

from __future__ import annotations

import argparse


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "synth",
        help="write a synthetic city (calibrated to Tuyên Quang 2022) to audit",
        description=(
            "Write a synthetic dataset: one file per table, a ground_truth file listing every "
            "planted problem, manifest.json and a README. Scale 1 is Tuyên Quang City on "
            "30/09/2022 (33 base organisations, 337 cells, 10,677 members); scale 7 a province, "
            "scale 500 a nation (Parquet, written committee by committee)."
        ),
    )
    parser.add_argument("--out", required=True, metavar="DIR", help="folder to write")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    parser.add_argument("--start", type=int, default=2020, help="first year (default: 2020)")
    parser.add_argument("--end", type=int, default=2025, help="last year (default: 2025)")
    parser.add_argument("--scale", type=float, default=1.0, help="size, 1 = the city (default: 1)")
    parser.add_argument(
        "--format",
        dest="fmt",
        choices=("csv", "parquet", "xlsx"),
        help="file format (default: csv up to scale 1, parquet above)",
    )
    parser.add_argument(
        "--rate",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="rate of a planted problem, e.g. --rate short_meetings=0 (repeatable)",
    )
    parser.add_argument(
        "--layout",
        choices=("canonical", "office"),
        default="canonical",
        help="canonical: one file per table; office: one workbook per cell with title blocks, "
        "paper registers and footers, as cell offices keep them (default: canonical)",
    )
    parser.add_argument("--clean", action="store_true", help="plant no problem at all")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(func=run)
    return parser


def parse_rates(items: list[str], clean: bool) -> dict:
    """``["short_meetings=0", "record_faults=2"]`` as a mapping for :class:`Rates`."""
    from chibo_analysis.errors import ParameterError
    from chibo_analysis.synth import Rates

    rates = {k: 0 for k in Rates.__dataclass_fields__} if clean else {}
    for item in items:
        name, sep, value = item.partition("=")
        try:
            if not sep:
                raise ValueError
            rates[name.strip()] = int(value) if name.strip() == "record_faults" else float(value)
        except ValueError as err:
            raise ParameterError(f"--rate {item!r}: expected NAME=NUMBER") from err
    return rates


def run(args: argparse.Namespace) -> int:
    import shutil
    import tempfile
    from pathlib import Path

    from chibo_analysis.errors import ParameterError
    from chibo_analysis.synth import synthesize

    if args.layout == "office":
        if args.fmt not in (None, "csv"):
            raise ParameterError("--layout office writes workbooks: leave out --format")
        canonical = Path(tempfile.mkdtemp(prefix="chibo-synth-"))
        try:
            result = synthesize(
                canonical, seed=args.seed, start=args.start, end=args.end, scale=args.scale,
                fmt="csv", rates=parse_rates(args.rate, args.clean),
                progress=False if args.quiet else None,
            )  # fmt: skip
            from chibo_analysis.synth.office import write_office_layout

            out = Path(args.out)
            if out.exists():
                for old in out.glob("*"):
                    if old.is_file():
                        old.unlink()
            written = write_office_layout(canonical, out, seed=args.seed)
        finally:
            shutil.rmtree(canonical, ignore_errors=True)
        print(
            f"{out}: {written['cell_workbooks']} cell workbooks (office layout), "
            f"{written['leftover_register_rows']} register rows in a long CSV"
        )
        return 0
    result = synthesize(
        args.out,
        seed=args.seed,
        start=args.start,
        end=args.end,
        scale=args.scale,
        fmt=args.fmt,
        rates=parse_rates(args.rate, args.clean),
        progress=False if args.quiet else None,
    )
    c = result.calibration
    print(
        f"{result.path}: {c['bases']} base organisations, {c['cells']} cells, "
        f"{c['members']:,} members on {c['date']}; {result.rows.get('ground_truth', 0):,} "
        "planted cases in ground_truth"
    )
    return 0
