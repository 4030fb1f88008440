"""The parameters of an audit, checked before any kernel starts.

An audit is one notebook run on one organisation's records for one period.
Its parameters are one frozen :class:`AuditParams`; :meth:`AuditParams.create`
rejects unknown names (suggesting the close ones), and the other checks here
(notebook name, the notebook's own ``parameters`` cell, organisation) run
before papermill is called, because papermill only *warns* about a parameter
the notebook does not declare.
"""

from __future__ import annotations

import ast
import difflib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import pandas as pd

from chibo_analysis.errors import ChiboError, ParameterError, check_argument

#: Report languages.
LANGS = ("vi", "en")

#: A year (``2022``), a quarter (``2022Q3``) or a range of years (``2020-2022``).
_PERIOD = re.compile(r"^(\d{4})(?:Q([1-4])|-(\d{4}))?$")


def suggest(value: str, candidates: Iterable[str], n: int = 3) -> str:
    """A ``"; did you mean ...?"`` clause for the candidates close to ``value``.

    Examples
    --------
    >>> suggest("perod", ["period", "org_id"])
    "; did you mean 'period'?"
    >>> suggest("xyz", ["period"])
    ''
    """
    close = difflib.get_close_matches(str(value), [str(c) for c in candidates], n=n, cutoff=0.6)
    if not close:
        return ""
    return "; did you mean " + " or ".join(repr(c) for c in close) + "?"


def suggest_hint(value: str, candidates: Iterable[str], n: int = 3) -> tuple | None:
    """:func:`suggest` as a clause of a keyed error (``error.did_you_mean``), or None.

    >>> suggest_hint("perod", ["period", "org_id"])
    ('did_you_mean', {'names': "'period'"})
    """
    close = difflib.get_close_matches(str(value), [str(c) for c in candidates], n=n, cutoff=0.6)
    return ("did_you_mean", {"names": ", ".join(repr(c) for c in close)}) if close else None


def check_period(period: object) -> str:
    """The period as text, or :class:`ParameterError` if it is not one.

    Examples
    --------
    >>> check_period(2022)
    '2022'
    >>> check_period("2022q3")
    '2022Q3'
    >>> check_period("2022-13")
    Traceback (most recent call last):
    ...
    chibo_analysis.errors.ParameterError: period='2022-13' is not a period; expected a year (2022), a quarter (2022Q3) or a range of years (2020-2022)
    """
    text = str(period).strip().upper() if not isinstance(period, bool) else ""
    match = _PERIOD.match(text)
    ok = match is not None and 1900 <= int(match.group(1)) <= 2100
    if ok and match.group(3):
        ok = int(match.group(1)) <= int(match.group(3)) <= 2100
    if not ok:
        raise ParameterError(
            f"period={period!r} is not a period; expected a year (2022), a quarter (2022Q3) "
            "or a range of years (2020-2022)",
            key="period", period=period,
        )  # fmt: skip
    return text


@dataclass(frozen=True)
class AuditParams:
    """The parameters of one audit, as the notebook receives them.

    Build it with :meth:`create`, which checks every value; the fields are
    exactly the names of the audit notebooks' ``parameters`` cell.

    Attributes
    ----------
    data : str
        Absolute path of the dataset (a folder of tables or one workbook).
    org_id : str
        The organisation audited (its ``org_id`` in the organisations table).
    period : str
        A year (``"2022"``), a quarter (``"2022Q3"``) or years (``"2020-2022"``).
    lang : {'vi', 'en'}
        Language of everything the reader sees.
    share : bool
        Pseudonymise members, for a report that leaves the inspection team.
    targets : str or None
        Absolute path of a targets YAML file; None for the default targets.
    """

    data: str
    org_id: str
    period: str
    lang: str = "vi"
    share: bool = False
    targets: str | None = None

    @classmethod
    def create(cls, **kw: object) -> AuditParams:
        """Check the parameters and build the object.

        Raises
        ------
        ParameterError
            For an unknown name (with the close names), a missing required
            one, or a value that is not allowed.

        Examples
        --------
        >>> AuditParams.create(data=".", org_id="TP", period=2022).period
        '2022'
        >>> AuditParams.create(data=".", org_id="TP", perod=2022)
        Traceback (most recent call last):
        ...
        chibo_analysis.errors.ParameterError: unknown audit parameter 'perod'; did you mean 'period'?
        """
        names = [f.name for f in fields(cls)]
        for name in kw:
            if name not in names:
                allowed = ", ".join(names)
                hint = suggest(name, names) or f"; the parameters are: {allowed}"
                clause = suggest_hint(name, names) or ("parameters_are", {"names": allowed})
                raise ParameterError(
                    f"unknown audit parameter {name!r}{hint}",
                    key="unknown_parameter", name=name, hint=clause,
                )  # fmt: skip
        missing = [n for n in ("data", "org_id", "period") if kw.get(n) in (None, "")]
        if missing:
            raise ParameterError(
                f"missing audit parameter(s): {', '.join(missing)}",
                key="missing_parameters", names=", ".join(missing),
            )  # fmt: skip
        data = Path(str(kw["data"])).expanduser()
        if not data.exists():
            raise ParameterError(
                f"data={str(data)!r}: no such file or folder", key="no_data", data=str(data)
            )
        lang = kw.get("lang", "vi")
        check_argument("lang", lang, LANGS)
        share = kw.get("share", False)
        if not isinstance(share, bool):
            raise ParameterError(
                f"share={share!r} is not allowed; expected True or False", key="share", share=share
            )
        targets = kw.get("targets")
        if targets is not None:
            targets = Path(str(targets)).expanduser()
            if not targets.is_file():
                raise ParameterError(
                    f"targets={str(targets)!r}: no such file",
                    key="no_targets",
                    targets=str(targets),
                )
            targets = str(targets.resolve())
        return cls(
            data=str(data.resolve()),
            org_id=str(kw["org_id"]).strip(),
            period=check_period(kw["period"]),
            lang=str(lang),
            share=share,
            targets=targets,
        )

    def as_dict(self) -> dict[str, object]:
        """The parameters as a plain dict (for papermill and run.json)."""
        return asdict(self)

    def explicit(self) -> dict[str, object]:
        """The parameters that differ from their defaults, plus the required ones."""
        defaults = {f.name: f.default for f in fields(self)}
        return {
            k: v
            for k, v in self.as_dict().items()
            if k in ("data", "org_id", "period") or v != defaults[k]
        }


def read_parameters_cell(notebook: str | Path) -> dict[str, object]:
    """The names assigned in a notebook's cell tagged ``parameters``, with their defaults.

    Defaults that are not literals are given as their source text.

    Raises
    ------
    ChiboError
        When the notebook cannot be read, has no ``parameters`` cell, or that
        cell is not plain assignments.
    """
    path = Path(notebook)
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise ChiboError(
            f"cannot read notebook {str(path)!r}: {err}",
            key="notebook_unreadable", path=str(path), reason=str(err),
        ) from err  # fmt: skip
    for cell in nb.get("cells", []):
        tags = cell.get("metadata", {}).get("tags", [])
        if cell.get("cell_type") == "code" and "parameters" in tags:
            source = cell.get("source", "")
            source = "".join(source) if isinstance(source, list) else source
            break
    else:
        raise ChiboError(
            f"notebook {path.name} has no cell tagged 'parameters'; tag the cell that "
            "assigns data, org_id, period... (View > Cell toolbar > Tags in Jupyter)",
            key="notebook_no_parameters", notebook=path.name,
        )  # fmt: skip
    try:
        tree = ast.parse(source)
    except SyntaxError as err:
        raise ChiboError(
            f"notebook {path.name}: the parameters cell is not Python: {err}",
            key="notebook_parameters_not_python", notebook=path.name, reason=str(err),
        ) from err  # fmt: skip
    declared: dict[str, object] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        for target in targets:
            if isinstance(target, ast.Name):
                try:
                    declared[target.id] = ast.literal_eval(value)
                except ValueError:
                    declared[target.id] = ast.get_source_segment(source, value)
    return declared


def check_notebook_parameters(
    params: AuditParams, declared: Mapping[str, object], notebook: str
) -> dict[str, object]:
    """The parameters to pass to ``notebook``; error for any it does not declare.

    Every required parameter and every one set away from its default must be
    declared in the notebook's ``parameters`` cell; the rest are passed when
    the notebook declares them and otherwise left out.
    """
    missing = [name for name in params.explicit() if name not in declared]
    if missing:
        names = ", ".join(declared) or "none"
        raise ParameterError(
            f"notebook {notebook} does not take parameter(s) {', '.join(missing)}"
            f"{suggest(missing[0], declared)}; its parameters cell declares: {names}",
            key="notebook_parameters", notebook=notebook, names=", ".join(missing),
            hint=suggest_hint(missing[0], declared), declared=", ".join(declared) or "–",
        )  # fmt: skip
    return {k: v for k, v in params.as_dict().items() if k in declared}


def default_notebooks_dir() -> Path:
    """The repository's ``notebooks/`` folder, beside the (editable) package."""
    return Path(__file__).resolve().parents[2] / "notebooks"


def find_notebook(name: str, notebooks_dir: str | Path | None = None) -> Path:
    """The notebook called ``name`` (with or without ``.ipynb``) in ``notebooks_dir``.

    A path to an existing ``.ipynb`` file is accepted as is.
    """
    candidate = Path(name)
    if candidate.suffix == ".ipynb" and candidate.is_file():
        return candidate.resolve()
    folder = Path(notebooks_dir) if notebooks_dir is not None else default_notebooks_dir()
    if not folder.is_dir():
        raise ParameterError(
            f"notebooks folder {str(folder)!r} does not exist; pass --notebooks DIR "
            "(the repository's notebooks/ folder)",
            key="no_notebooks_folder", folder=str(folder),
        )  # fmt: skip
    stem = candidate.name.removesuffix(".ipynb")
    path = folder / f"{stem}.ipynb"
    if path.is_file():
        return path.resolve()
    available = sorted(p.stem for p in folder.glob("*.ipynb"))
    hint = suggest(stem, available) or f"; available: {', '.join(available) or 'none'}"
    clause = suggest_hint(stem, available) or ("available", {"names": ", ".join(available) or "–"})
    raise ParameterError(
        f"notebook={name!r} is not in {folder}{hint}",
        key="no_notebook", name=name, folder=str(folder), hint=clause,
    )  # fmt: skip


def check_organisation(org_id: str, organisations: pd.DataFrame) -> pd.Series:
    """The row of ``org_id`` in the organisations table, or an error suggesting close ones."""
    match = organisations.loc[organisations["org_id"] == org_id]
    if len(match):
        return match.iloc[0]
    ids = organisations["org_id"].astype(str).tolist()
    hint = suggest(org_id, ids)
    clause = suggest_hint(org_id, ids)
    if not hint:
        names = organisations["name"].astype(str).tolist()
        close = difflib.get_close_matches(org_id, names, n=3, cutoff=0.6)
        if close:
            ids_of = organisations.drop_duplicates("name").set_index("name")["org_id"]
            hint = "; did you mean " + " or ".join(f"{ids_of[c]!r} ({c})" for c in close) + "?"
            clause = ("did_you_mean", {"names": ", ".join(f"{ids_of[c]!r} ({c})" for c in close)})
    if not hint:
        hint = f"; the organisations table has {len(ids)} organisations (e.g. {', '.join(ids[:5])})"
        clause = ("organisations_are", {"n": len(ids), "names": ", ".join(ids[:5])})
    raise ParameterError(
        f"org_id={org_id!r} is not in the organisations table{hint}",
        key="no_organisation", org_id=org_id, hint=clause,
    )  # fmt: skip
