"""The package's layers (import-linter contracts in pyproject.toml) and their map in docs/."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "chibo_analysis"
LINT = Path(sys.executable).with_name("lint-imports")


def lint_imports(package_parent: Path) -> subprocess.CompletedProcess:
    """Run the contracts of pyproject.toml on the package found in ``package_parent``."""
    env = {**os.environ, "PYTHONPATH": str(package_parent)}
    return subprocess.run(
        [str(LINT), str(ROOT / "pyproject.toml"), "--no-cache"],
        cwd=package_parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def lint_available():
    if not LINT.exists():  # pragma: no cover - the dev extra installs it
        pytest.fail(f"{LINT} is missing: install the dev extra (pip install -e '.[dev]')")


def test_layers_and_no_cycles_contracts_are_kept(lint_available):
    done = lint_imports(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 kept, 0 broken" in done.stdout


@pytest.mark.parametrize(
    ("module", "planted", "broken"),
    [
        # reading must not reach up into the audit runner
        ("intake/parse.py", "from chibo_analysis.runner import audit", "Data flows one way"),
        # the checks must not call the indicators (the cycle this layout removed)
        (
            "checks/cross_table.py",
            "from chibo_analysis.indicators import lists",
            "Data flows one way",
        ),
        # two list modules importing each other are a cycle inside one layer
        (
            "indicators/evidence.py",
            "from chibo_analysis.indicators import lists",
            "No import cycles",
        ),
    ],
)
def test_a_planted_import_breaks_the_contract(lint_available, tmp_path, module, planted, broken):
    copy = tmp_path / "chibo_analysis"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "resources"))
    target = copy / module
    target.write_text(
        target.read_text(encoding="utf-8") + f"\n\ndef _planted():\n    {planted}\n",
        encoding="utf-8",
    )
    done = lint_imports(tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    broken_part = done.stdout.split("Broken contracts", 1)[1].replace("\n", " ")
    assert broken in broken_part


def test_architecture_page_names_every_subpackage_and_root_module():
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`([a-z_]+)(?:/|\.py)`", page)) - {"notebooks", "tests"}
    subpackages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    modules = {p.stem for p in PACKAGE.glob("*.py") if not p.stem.startswith("__")}
    assert subpackages - named == set(), "subpackages missing from docs/architecture.md"
    assert modules - named == set(), "root modules missing from docs/architecture.md"
    assert named - subpackages - modules == set(), "docs/architecture.md names what is not there"
