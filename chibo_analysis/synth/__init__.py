"""A synthetic city to audit, calibrated to Tuyên Quang City in 2022.

Real member records are personal data, so every demo, test and benchmark
runs on this generator's output: a dataset folder in the format of
DOMAIN.md section 3, with problems planted on purpose and a ground-truth file
listing each one (:mod:`chibo_analysis.synth.faults`).

On the calibration date (30 September 2022) a city at ``scale=1`` has
exactly 1 committee, 33 base organisations, 337 cells under them and 10,677
members on the rolls, as the seed article reports. ``scale`` multiplies
these counts (rounded), one committee per city's worth: ``scale=7`` is a
province, ``scale=500`` a nation of about 5 million members. The work is
done committee by committee, so memory stays that of one city.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from chibo_analysis.errors import ParameterError, check_argument
from chibo_analysis.synth.faults import Rates
from chibo_analysis.synth.writer import FORMATS, DatasetWriter

__all__ = ["Rates", "SynthResult", "synthesize", "sample_data", "CITY"]

#: The seed article's counts on 30/09/2022 (base organisations, cells, members).
CITY = {"bases": 33, "cells": 337, "members": 10_677}
CALIBRATION_DAY = "09-30"


@dataclass(frozen=True)
class SynthResult:
    """What :func:`synthesize` wrote: the folder, rows per file and the calibration counts."""

    path: Path
    rows: dict
    calibration: dict


def _targets(scale: float, committees: int | None = None) -> list[tuple[int, int, int]]:
    """(bases, cells, members) on the calibration date for each committee (by default
    one committee per city of the scale)."""
    total = [
        max(1, round(CITY["bases"] * scale)),
        max(1, round(CITY["cells"] * scale)),
        max(1, round(CITY["members"] * scale)),
    ]
    k = max(1, int(np.floor(scale + 0.5))) if committees is None else committees
    return [tuple(t // k + (i < t % k) for t in total) for i in range(k)]


def _day(text: str) -> int:
    return int(np.datetime64(text, "D").astype(np.int64))


def synthesize(
    out: str | Path,
    seed: int = 0,
    start: int = 2020,
    end: int = 2025,
    scale: float = 1.0,
    fmt: str | None = None,
    rates: Rates | dict | None = None,
    progress: bool | None = None,
    committees: int | None = None,
) -> SynthResult:
    """Write a synthetic dataset to the folder ``out``.

    Parameters
    ----------
    out : folder to write (created; files of a previous run are replaced).
    seed : the same seed gives byte-identical files.
    start, end : first and last calendar year of the records.
    scale : 1 is the city of the seed article; 7 a province; 500 a nation.
    fmt : "csv" (default up to scale 1), "parquet" (default above) or "xlsx"
        (small outputs only: a worksheet holds 1,048,576 rows).
    rates : how often each problem is planted (:class:`Rates` or a mapping
        of its field names); ``Rates().none()`` plants nothing.
    progress : show a progress bar (default: when writing to a terminal).
    committees : split the scale's organisations among this many committees (default:
        one per city, as a province or a nation has them; a few small committees make
        a test dataset of several committees).

    Returns
    -------
    SynthResult
        The folder, rows written per file and the counts on the calibration
        date (30 September 2022, or 30 September of ``start`` when 2022 lies
        outside the period).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     res = synthesize(tmp, scale=0.02, start=2022, end=2022, progress=False)
    >>> res.calibration["members"]
    214
    """
    if not isinstance(seed, int | np.integer) or isinstance(seed, bool) or seed < 0:
        raise ParameterError(f"seed={seed!r} is not allowed; expected a whole number >= 0")
    for name, year in (("start", start), ("end", end)):
        if not isinstance(year, int | np.integer) or not 1990 <= year <= 2100:
            raise ParameterError(f"{name}={year!r} is not allowed; expected a year 1990-2100")
    if end < start:
        raise ParameterError(f"end={end!r} is before start={start!r}")
    if not isinstance(scale, int | float) or not 0 < scale <= 5000:
        raise ParameterError(f"scale={scale!r} is not allowed; expected a number in (0, 5000]")
    fmt = fmt or ("csv" if scale <= 1 else "parquet")
    check_argument("fmt", fmt, FORMATS)
    if fmt == "xlsx" and scale > 1:
        raise ParameterError(
            f"fmt='xlsx' is for small outputs (scale <= 1), not scale={scale!r}; use 'parquet'"
        )
    if not isinstance(rates, Rates):
        rates = Rates.from_mapping(rates)
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ParameterError(f"out={str(out)!r} is a file; expected a folder")
    day0, day1 = _day(f"{start}-01-01"), _day(f"{end}-12-31")
    cal_year = 2022 if start <= 2022 <= end else start
    cal = _day(f"{cal_year}-{CALIBRATION_DAY}")

    if committees is not None and (
        not isinstance(committees, int | np.integer)
        or isinstance(committees, bool)
        or not 1 <= committees <= 100_000
    ):
        raise ParameterError(
            f"committees={committees!r} is not allowed; expected a whole number from 1 to 100,000"
        )
    targets = _targets(scale, committees)
    return _run(
        out, seed, start, end, scale, fmt, rates, progress, targets, day0, day1, cal, cal_year
    )


def _run(out, seed, start, end, scale, fmt, rates, progress, targets, day0, day1, cal, cal_year):
    from tqdm.auto import tqdm

    from chibo_analysis.synth.city import generate_committee

    writer = DatasetWriter(out, fmt)
    calibration = {
        "date": f"{cal_year}-{CALIBRATION_DAY}",
        "committees": 0,
        "bases": 0,
        "cells": 0,
        "members": 0,
    }
    kinds: dict[str, int] = {}
    try:
        bar = tqdm(
            total=len(targets),
            unit="committee",
            desc="chibo synth",
            disable=None if progress is None else not progress,
        )
        for k, (n_bases, n_cells, n_members) in enumerate(targets):
            tables, truth = generate_committee(
                seed,
                k,
                n_bases,
                n_cells,
                n_members,
                day0,
                day1,
                cal,
                rates,
                rates.record_faults if k == 0 else 0,
            )
            for name, frame in tables.items():
                writer.write(name, frame)
            writer.write_ground_truth(truth, first=k == 0)
            for kind, n in truth["kind"].value_counts().items():
                kinds[kind] = kinds.get(kind, 0) + int(n)
            for key, n in _calibration(tables, cal).items():
                calibration[key] += n
            bar.update(1)
        bar.close()
    finally:
        writer.close()
    params = dict(
        seed=int(seed), start=int(start), end=int(end), scale=scale, format=fmt, rates=asdict(rates)
    )
    manifest = dict(
        generator="chibo_analysis.synth",
        parameters=params,
        calibration=calibration,
        rows=dict(sorted(writer.rows.items())),
        ground_truth=dict(sorted(kinds.items())),
    )
    (out / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    (out / "README.md").write_text(_readme(manifest), encoding="utf-8")
    return SynthResult(out, dict(writer.rows), calibration)


def _calibration(tables: dict[str, pd.DataFrame], cal: int) -> dict[str, int]:
    """Committees, base organisations, cells and members on the rolls on day ``cal``."""
    from chibo_analysis.synth.structure import OPEN, PAST

    orgs = tables["organisations"]
    founded = pd.to_numeric(orgs["founded_on"]).fillna(PAST)
    dissolved = pd.to_numeric(orgs["dissolved_on"]).fillna(OPEN)
    alive = (founded <= cal) & (dissolved > cal)
    m = tables["members"]
    joined = pd.to_numeric(m["joined_on"])
    left = pd.to_numeric(m["left_on"]).fillna(OPEN)
    return {
        "committees": int((alive & (orgs["level"] == "committee")).sum()),
        "bases": int((alive & orgs["level"].isin(["base", "base_cell"])).sum()),
        "cells": int((alive & (orgs["level"] == "cell")).sum()),
        "members": int(((joined <= cal) & (left > cal)).sum()),
    }


def _readme(manifest: dict) -> str:
    p, c = manifest["parameters"], manifest["calibration"]
    lines = [
        "# Synthetic party-cell records (chibo synth)",
        "",
        "Dữ liệu tổng hợp, không phải hồ sơ thật: tên người được ghép ngẫu nhiên.",
        "Synthetic data, not real records: names are random combinations.",
        "",
        f"Seed {p['seed']}, years {p['start']}-{p['end']}, scale {p['scale']}, format {p['format']}.",
        f"On {c['date']}: {c['bases']} base organisations, {c['cells']} cells, "
        f"{c['members']} members on the rolls.",
        "",
        "One file per table (DOMAIN.md section 3). `ground_truth` lists every planted problem:",
        "scope `audit` for what the indicators must find, scope `record` for faulty records",
        "that validation must report (kind = its reason code). `manifest.json` has the rows",
        "per file and the rates used.",
        "",
    ]
    return "\n".join(lines)


def sample_data(path: str | Path = "data/sample", refresh: bool = False) -> Path:
    """The bundled sample city (seed 0, 2020-2025), generated on first use.

    The folder is git-ignored; it is written when missing or when ``refresh``.
    """
    path = Path(path)
    manifest = path / "manifest.json"
    if refresh or not manifest.exists():
        synthesize(path, seed=0, progress=False)
    return path
