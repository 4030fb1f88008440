"""Key figures of a report, and ``reports/index.html`` listing every report.

A notebook run by the runner calls :func:`record_figures` with a few key
figures (scorecard numbers of the audited organisation); they are written to
``<study>.figures.json`` in the report folder, whose path the runner passes to the
kernel in the environment variable :data:`FIGURES_ENV`. :func:`build_index`
reads every ``<study>.run.json`` and its figures under the reports folder and
writes one static page listing each report with its status and key figures.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import quote

from chibo_analysis.errors import ParameterError

#: Environment variable holding where :func:`record_figures` writes.
FIGURES_ENV = "CHIBO_FIGURES_PATH"
#: Ending of the key figures' file of a study (``<study>.figures.json``) in a report folder.
FIGURES_SUFFIX = ".figures.json"
#: Ending of the run record of a study (``<study>.run.json``) in a report folder.
RUN_SUFFIX = ".run.json"


def figures_path(folder: str | Path, study: str) -> Path:
    """Where the key figures of ``study`` (a notebook name, ``-shared`` when shared) go."""
    return Path(folder) / f"{study}{FIGURES_SUFFIX}"


def run_path(folder: str | Path, study: str) -> Path:
    """Where the run record of ``study`` goes."""
    return Path(folder) / f"{study}{RUN_SUFFIX}"


def _plain(key: str, value: object) -> object:
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()  # numpy scalar
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if type(value).__name__ == "NAType":
        return None
    raise ParameterError(
        f"key figure {key!r} is a {type(value).__name__}; expected a number, text, "
        "True/False or None"
    )


def record_figures(figures: Mapping[str, object]) -> None:
    """Record a report's key figures for ``reports/index.html``.

    Called once near the end of an audit notebook. When the notebook is run
    by the runner, the figures go to ``figures.json`` in the report folder;
    run by hand (no :data:`FIGURES_ENV`), nothing is written.

    Parameters
    ----------
    figures : mapping of str to scalar
        Names are scorecard column names where one fits (``regular_rate``,
        ``attendance_rate``, ``flagged_meetings``...): the index labels them
        from the label catalogue and shows ``*_rate`` as percentages.

    Nothing is returned, so that a call as a cell's last line shows nothing
    in the report.

    Raises
    ------
    ParameterError
        For a value that is not a number, text, True/False or None.

    Examples
    --------
    >>> record_figures({"cells": 12, "regular_rate": 0.95})  # not under the runner: no file
    """
    plain = {str(k): _plain(str(k), v) for k, v in figures.items()}
    target = os.environ.get(FIGURES_ENV)
    if not target:
        return
    path = Path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(plain, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(path)


#: Environment variable holding where :func:`record_evidence` writes the evidence workbook.
EVIDENCE_ENV = "CHIBO_EVIDENCE_PATH"
#: Ending of a study's evidence workbook (``<study>.evidence.xlsx``) in a report folder.
EVIDENCE_SUFFIX = ".evidence.xlsx"


def evidence_path(folder: str | Path, study: str) -> Path:
    """Where the evidence workbook of ``study`` goes: beside its page."""
    return Path(folder) / f"{study}{EVIDENCE_SUFFIX}"


def evidence_file() -> str | None:
    """The file name of this run's evidence workbook, for the page; None when run by hand."""
    target = os.environ.get(EVIDENCE_ENV)
    return Path(target).name if target else None


def workbook_sentence(lang: str = "vi") -> str:
    """The sentence naming this run's evidence workbook, which holds a study's tables in full.

    Empty when the notebook is run by hand (no workbook is written).
    """
    from chibo_analysis.labels import label

    name = evidence_file()
    return label("evidence.see_workbook", lang, file=name) if name else ""


def record_evidence(
    lists: Mapping[str, object],
    *,
    lang: str = "vi",
    share: bool = False,
    organisations: object | None = None,
) -> list[str]:
    """Write the study's full lists to its evidence workbook; return the warnings.

    When the notebook is run by the runner, the workbook goes beside the page
    (``<study>.evidence.xlsx``, the path in :data:`EVIDENCE_ENV`); run by hand,
    nothing is written. See
    :func:`chibo_analysis.present.evidence_book.write_evidence` for ``lists``
    and ``organisations`` (the dataset's, for names that say where);
    the warnings (texts cut to fit a cell) are for the notebook to show.
    """
    target = os.environ.get(EVIDENCE_ENV)
    if not target:
        return []
    from chibo_analysis.present.evidence_book import write_evidence

    return write_evidence(target, lists, lang=lang, share=share, organisations=organisations)


def beside_report(name: str, org_id: str, period: object) -> Path:
    """Where a notebook writes a file of its own (a worksheet): beside its report.

    Under the runner (:data:`FIGURES_ENV` set) that is the report folder; run
    by hand in JupyterLab (whose working folder is ``notebooks/``) it is
    ``reports/<org folder>/<period>/`` at the top of the project, never
    ``notebooks/``, which git tracks.
    """
    target = os.environ.get(FIGURES_ENV)
    if target:
        return Path(target).parent / name
    from chibo_analysis.outputs import org_folder_name

    top = Path.cwd().parent if Path.cwd().name == "notebooks" else Path.cwd()
    folder = top / "reports" / org_folder_name(str(org_id)) / str(period)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


def _text(key: str, lang: str, **values: object) -> str:
    from chibo_analysis import labels

    return labels.label(f"index.{key}", lang, **values)


def _format(key: str, value: object, lang: str) -> str:
    from chibo_analysis import labels
    from chibo_analysis.present import display

    if value is None:
        return "–"
    if isinstance(value, bool):
        return labels.yes_no(value, lang)
    if isinstance(value, int | float) and (key.endswith("_rate") or key in display.RATE_COLUMNS):
        return labels.fmt_percent(value, lang)
    if isinstance(value, int):
        return labels.fmt_int(value, lang)
    if isinstance(value, float):
        return labels.fmt_number(value, lang)
    return str(value)


def read_reports(out_dir: str | Path) -> list[dict]:
    """Every study under ``out_dir``: its run record with ``figures`` and ``folder`` added.

    A study whose record says ``ok`` but whose HTML is missing (deleted, or a
    run killed while writing) is listed as failed, saying so; one whose
    record says ``running`` is listed as not finished. Neither links anywhere.
    """
    out_dir = Path(out_dir)
    reports = []
    for run_file in sorted(out_dir.glob(f"*/*/*{RUN_SUFFIX}")):
        try:
            run = json.loads(run_file.read_text(encoding="utf-8"))
        except ValueError:
            continue
        if not isinstance(run, dict):
            continue
        html = (run.get("outputs") or {}).get("html")
        if run.get("status") == "ok" and not (html and (run_file.parent / html).is_file()):
            run["status"] = "failed"
            run["error"] = {"type": "MissingReport", "message": f"{html or 'HTML'}: file missing"}
        run["study"] = run_file.name[: -len(RUN_SUFFIX)]
        figures_file = run_file.parent / (run["study"] + FIGURES_SUFFIX)
        try:
            run["figures"] = json.loads(figures_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            run["figures"] = {}
        run["folder"] = run_file.parent.relative_to(out_dir).as_posix()
        reports.append(run)
    reports.sort(key=lambda r: (str(r.get("parameters", {}).get("period")), r["folder"]))
    return reports


_STYLE = """
body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; }
th { background: #f0f0f0; text-align: left; }
td.num { text-align: right; }
.ok { color: #1b7837; font-weight: bold; }
.failed { color: #b2182b; font-weight: bold; }
.error { color: #b2182b; font-size: 0.85em; max-width: 40em; }
"""


def error_message_in(error: dict, lang: str) -> str:
    """The message of a recorded error (``run.json``) in ``lang`` when recorded so, else as written.

    >>> error_message_in({"message": "x", "texts": {"vi": "y", "en": "x"}}, "vi")
    'y'
    >>> error_message_in({"message": "x"}, "vi")
    'x'
    """
    return str((error.get("texts") or {}).get(lang) or error.get("message", ""))


def build_index(out_dir: str | Path, lang: str = "vi") -> Path:
    """Write ``out_dir/index.html``: every report, its status and key figures.

    The page is static, self-contained and links to each report's HTML by a
    relative path, so the reports folder can be copied or zipped as a whole.
    """
    from chibo_analysis import labels

    labels.check_lang(lang)
    out_dir = Path(out_dir)
    reports = read_reports(out_dir)
    keys: list[str] = []
    for report in reports:
        keys += [k for k in report["figures"] if k not in keys]
    from chibo_analysis.present.markup import CSP_META
    from chibo_analysis.present.markup import html_text as esc

    head = [
        labels.column_label("org_id", lang, "organisations"),
        labels.column_label("name", lang, "organisations"),
        labels.column_label("level", lang, "organisations"),
        _text("period", lang),
        _text("status", lang),
        *(labels.column_label(k, lang) for k in keys),
        _text("report", lang),
    ]
    rows = []
    for r in reports:
        params = r.get("parameters", {})
        ok = r.get("status") == "ok"
        state = "ok" if ok else "running" if r.get("status") == "running" else "failed"
        status = f'<span class="{state}">{esc(_text(state, lang))}</span>'
        if not ok and r.get("error"):
            message = error_message_in(r["error"], lang).splitlines()[0]
            status += f'<div class="error">{esc(message)}</div>'
        level = r.get("level")
        cells = [
            esc(str(params.get("org_id", ""))),
            esc(str(r.get("name") or "")),
            esc(labels.category_label("organisations", "level", level, lang) if level else ""),
            esc(str(params.get("period", ""))),
            status,
        ]
        for key in keys:
            value = r["figures"].get(key)
            cls = ' class="num"' if isinstance(value, int | float) else ""
            cells.append(f"<td{cls}>{esc(_format(key, value, lang))}</td>")
        link = r.get("outputs", {}).get("html")
        cells.append(
            f'<a href="{esc(quote(r["folder"]))}/{esc(quote(link))}">{esc(link)}</a>'
            if ok and link
            else ""
        )
        rows.append(
            "<tr>" + "".join(c if c.startswith("<td") else f"<td>{c}</td>" for c in cells) + "</tr>"
        )
    failed = sum(r.get("status") != "ok" for r in reports)
    title = _text("title", lang)
    page = (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n{CSP_META}\n<meta charset="utf-8">\n'
        f"<title>{esc(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        f"<h1>{esc(title)}</h1>\n<p>{esc(_text('summary', lang, n=len(reports), failed=failed))}</p>\n"
        "<table>\n<thead><tr>"
        + "".join(f"<th>{esc(h)}</th>" for h in head)
        + "</tr></thead>\n<tbody>\n"
        + "\n".join(rows)
        + "\n</tbody>\n</table>\n</body>\n</html>\n"
    )
    from chibo_analysis.outputs import atomic_path

    path = out_dir / "index.html"
    out_dir.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        tmp.write_text(page, encoding="utf-8")
    return path
