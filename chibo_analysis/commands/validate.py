"""``chibo validate DATA [--out FILE]``: check a dataset and summarise the problems.

Exit status: 0 when nothing was found, 1 when problems were found, 2 when the
data cannot be read at all (the message names the file and what is expected).
"""

from __future__ import annotations

import argparse

from chibo_analysis.errors import check_argument

LABELS = {
    "vi": {
        "title": "Kiểm tra dữ liệu",
        "clean": "Không phát hiện vấn đề nào.",
        "found": "{errors} lỗi và {warnings} cảnh báo.",
        "rejected": "Số dòng bị loại ra: {n}; số giá trị bị bỏ trống (dòng vẫn được giữ): {blank}.",
        "set_aside": "lỗi, dòng bị loại",
        "blanked": "lỗi, giá trị bị bỏ trống",
        "kept": "cảnh báo",
        "info": "thông tin",
        "row": "dòng",
        "more": "… và {n} trường hợp khác",
        "written": "Đã ghi báo cáo: {path}",
    },
    "en": {
        "title": "Data check",
        "clean": "No problem found.",
        "found": "{errors} errors and {warnings} warnings.",
        "rejected": "Rows set aside: {n}; values blanked (their rows kept): {blank}.",
        "set_aside": "error, row set aside",
        "blanked": "error, value blanked",
        "kept": "warning",
        "info": "note",
        "row": "row",
        "more": "… and {n} more",
        "written": "Report written: {path}",
    },
}


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "validate",
        help="check a dataset and list every problem",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("data", help="folder of table files, or one workbook")
    p.add_argument(
        "--codebook",
        metavar="FILE",
        help="YAML file mapping the team's own marks and headers (default: DATA/codebook.yaml)",
    )
    p.add_argument("--out", help="write the full report to FILE.xlsx or FILE.csv")
    p.add_argument("--lang", default="vi", help="language of messages: vi (default) or en")
    p.add_argument("--examples", type=int, default=3, help="examples shown per reason (default 3)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from chibo_analysis.checks.validation import validate
    from chibo_analysis.intake.load import load_dataset

    check_argument("--lang", args.lang, ("vi", "en"))
    text = LABELS[args.lang]
    report = _by_committee(args)
    if report is None:
        report = validate(load_dataset(args.data, codebook=args.codebook))
    print(format_report(report, text, args.lang, args.examples))
    if args.out:
        print(text["written"].format(path=report.write(args.out)))
    return 0 if report.ok else 1


def _by_committee(args: argparse.Namespace):
    """The report of a folder of Parquet files, checked committee by committee (the memory
    of one committee: a nation's data); None for other data."""
    import sys
    from pathlib import Path

    from chibo_analysis.intake.codebook import find_codebook, load_codebook
    from chibo_analysis.intake.load import STORE_MANIFEST
    from chibo_analysis.runner.staging import parquet_layout, prepare_by_committee

    root = Path(args.data)
    if not root.is_dir() or (root / STORE_MANIFEST).is_file():
        return None  # the loader says what is wrong
    found = args.codebook or find_codebook(root)
    book = load_codebook(found) if found else None
    layout = parquet_layout(root, book)
    if layout is None:
        return None
    tables, unread = layout
    _, report, _ = prepare_by_committee(
        root, None, tables, unread, [], book, progress=sys.stderr.isatty()
    )
    return report


def format_report(report, text: dict, lang: str, examples: int) -> str:
    """Counts per reason with the first examples of each (file, row, column, value, message)."""
    from chibo_analysis.texts import LONG_TEXT, shorten

    lines = [text["title"]]
    if report.issues.empty:
        return "\n".join(lines + [text["clean"]])
    lines.append(text["found"].format(errors=report.n_errors, warnings=report.n_warnings))
    blank = sum(len(i) for i in report.blanked_index().values())
    lines.append(text["rejected"].format(n=len(report.rejected()), blank=blank))
    issues = report.to_frame(lang)
    for row in report.counts().itertuples(index=False):
        tag = text["info"] if row.severity == "info" else text[row.action]
        lines.append(f"\n[{tag}] {row.code} — {row.table}: {row.count}")
        group = issues[(issues["code"] == row.code) & (issues["table"] == row.table)]
        for issue in group.head(examples).itertuples(index=False):
            sheet = f" [{issue.sheet}]" if issue.sheet else ""
            # values from the data are cut in the report already: this is a safety net
            value = f" = {shorten(issue.value, LONG_TEXT, lang)!r}" if issue.value != "" else ""
            column = f", {shorten(issue.column, LONG_TEXT, lang)}" if issue.column else ""
            lines.append(
                f"  {issue.file}{sheet}, {text['row']} {issue.row}{column}{value}: "
                f"{shorten(issue.message, LONG_TEXT, lang)}"
            )
        if len(group) > examples:
            lines.append("  " + text["more"].format(n=len(group) - examples))
    return "\n".join(lines)
