"""A team's own marks, labels and headers: the codebook.

Offices write register marks and headers of their own ("V" for an excused
absence in one commune, "Thời gian họp" for the duration in another). What
the toolkit would otherwise refuse, a codebook maps: a small YAML file named
``codebook.yaml`` in the dataset folder (read automatically), or any file
given with ``--codebook FILE``::

    # codebook.yaml
    values:
      status:                 # a column (every table that has it) or table.column
        V: excused            # a bare "V" means "vắng có lý do" in our registers
        "Có (muộn)": present
    headers:
      meetings:               # a table
        "Thời gian họp": duration_min

Values are compared like the schema's own spellings (any case, with or
without diacritics). Every entry is checked against the schema when the
codebook is read: an unknown table, column or code is refused with the
allowed names. The codebook's file and SHA-256 are kept with the dataset's
sources, so a report says which codebook it was read with.
"""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from chibo_analysis.errors import DataReadError
from chibo_analysis.labels import catalogued
from chibo_analysis.schema import TABLES

#: File names of a codebook found in the dataset folder.
CODEBOOK_NAMES = ("codebook.yaml", "codebook.yml")


@dataclass(frozen=True)
class Codebook:
    """Extra spellings of category values and headers, checked against the schema.

    Attributes
    ----------
    values : dict
        ``{(table, column): {spelling: code}}``.
    headers : dict
        ``{table: {header as written: column}}``.
    path, sha256 : str
        Where it was read from, for provenance ("" for an empty codebook).
    """

    values: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    path: str = ""
    sha256: str = ""

    def values_for(self, table: str, column: str) -> dict[str, str] | None:
        return self.values.get((table, column))

    def headers_for(self, table: str) -> dict[str, str]:
        return self.headers.get(table, {})

    def __len__(self) -> int:
        return sum(map(len, self.values.values())) + sum(map(len, self.headers.values()))


def _suggest(word: str, options) -> tuple | str:
    """The clause suggesting the option closest to ``word`` (catalogue ``error.close_match``)."""
    close = difflib.get_close_matches(str(word), list(options), n=1, cutoff=0.6)
    return ("close_match", {"name": close[0]}) if close else ""


def _error(key: str, path: Path, **values: object) -> DataReadError:
    """The codebook's error ``error.<key>`` of the catalogue, naming the file."""
    return catalogued(DataReadError, key, path=str(path), **values)


def load_codebook(path: str | Path) -> Codebook:
    """Read and check a codebook file.

    Raises
    ------
    DataReadError
        The file cannot be read, is not YAML of the documented shape, or
        names a table, column or code the schema does not have.

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "codebook.yaml")
    ...     _ = open(p, "w", encoding="utf-8").write("values:\\n  status:\\n    V: excused\\n")
    ...     book = load_codebook(p)
    >>> book.values_for("attendance", "status")
    {'V': 'excused'}
    """
    from chibo_analysis.yamlio import safe_load

    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise _error("codebook_unreadable", path, reason=err.strerror) from err
    try:
        raw = safe_load(data.decode("utf-8-sig"))
    except Exception as err:  # yaml's errors, or bytes that are not UTF-8
        raise _error("codebook_not_yaml", path, reason=str(err)) from err
    raw = raw or {}
    if not isinstance(raw, dict) or set(raw) - {"values", "headers"}:
        found = sorted(raw) if isinstance(raw, dict) else type(raw).__name__
        raise _error("codebook_sections", path, found=found)
    values: dict[tuple[str, str], dict[str, str]] = {}
    for target, mapping in (raw.get("values") or {}).items():
        places = _columns(path, str(target))
        if not isinstance(mapping, dict) or not mapping:
            raise _error("codebook_values_shape", path, target=target)
        for table, column in places:
            col = TABLES[table].column(column)
            if col.kind != "category":
                raise _error("codebook_not_category", path, target=target)
            codes = col.codes
            for spelling, code in mapping.items():
                if str(code) not in codes:
                    raise _error(
                        "codebook_bad_code", path, target=target, spelling=spelling, code=code,
                        codes=", ".join(codes), hint=_suggest(code, codes),
                    )  # fmt: skip
                values.setdefault((table, column), {})[str(spelling)] = str(code)
    headers: dict[str, dict[str, str]] = {}
    for table, mapping in (raw.get("headers") or {}).items():
        if table not in TABLES:
            raise _error(
                "codebook_no_table", path, section="headers", table=table,
                hint=_suggest(table, TABLES), tables=", ".join(TABLES),
            )  # fmt: skip
        if not isinstance(mapping, dict):
            raise _error("codebook_headers_shape", path, table=table)
        for header, column in mapping.items():
            names = TABLES[table].names
            if column not in names:
                raise _error(
                    "codebook_bad_column", path, table=table, header=header, column=column,
                    hint=_suggest(column, names),
                )  # fmt: skip
            headers.setdefault(table, {})[str(header)] = str(column)
    return Codebook(values, headers, path.as_posix(), hashlib.sha256(data).hexdigest())


def _columns(path: Path, target: str) -> list[tuple[str, str]]:
    """The (table, column) pairs that ``status`` or ``attendance.status`` names."""
    if "." in target:
        table, column = target.split(".", 1)
        if table not in TABLES:
            raise _error(
                "codebook_no_table", path, section="values", table=table,
                hint=_suggest(table, TABLES), tables=", ".join(TABLES),
            )  # fmt: skip
        if column not in TABLES[table].names:
            raise _error(
                "codebook_no_column", path, table=table, column=column,
                hint=_suggest(column, TABLES[table].names),
            )  # fmt: skip
        return [(table, column)]
    found = [(t.name, target) for t in TABLES.values() if target in t.names]
    if not found:
        every = sorted({c for t in TABLES.values() for c in t.names})
        raise _error("codebook_no_such_column", path, column=target, hint=_suggest(target, every))
    return found


def find_codebook(root: Path) -> Path | None:
    """The codebook file in a dataset folder, if there is one."""
    if not root.is_dir():
        return None
    for name in CODEBOOK_NAMES:
        if (root / name).is_file():
            return root / name
    return None
