"""pyproject.toml pins every dependency; environment.yml must list the same pins (runtime,
``dev``, ``cluster``, ``mutation`` and ``lab``: a conda user gets JupyterLab, as the stack
names it)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _pyproject_pins() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    return set(project["dependencies"]).union(
        *(extras[name] for name in ("dev", "cluster", "mutation", "lab"))
    )


def _environment_pins() -> set[str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    return {p for p in pip if not p.startswith("-")}


def test_every_dependency_is_pinned_exactly():
    pins = _pyproject_pins()
    assert pins and all("==" in p for p in pins), sorted(p for p in pins if "==" not in p)


def test_environment_yml_agrees_with_pyproject():
    in_pyproject, in_env = _pyproject_pins(), _environment_pins()
    assert in_env == in_pyproject, {
        "only in pyproject.toml": sorted(in_pyproject - in_env),
        "only in environment.yml": sorted(in_env - in_pyproject),
    }


def test_environment_python_matches_requires_python():
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python="))
    assert project["requires-python"] == ">=" + python.split("=")[1]
