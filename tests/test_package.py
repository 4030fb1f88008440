"""The package's public face: lazy API, nothing at import time, the CLI's commands."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import chibo_analysis
from chibo_analysis.commands.cli import COMMANDS, build_parser


def test_import_does_no_work():
    code = "import sys, chibo_analysis; print('pandas' in sys.modules, 'matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_public_api_names_are_functions_or_classes():
    for name in chibo_analysis.__all__:
        if name == "__version__":
            continue
        obj = getattr(chibo_analysis, name)
        assert callable(obj), f"chibo_analysis.{name} is {type(obj).__name__}, not callable"


def test_every_listed_command_is_registered():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert list(sub.choices) == [c for c in COMMANDS if c in sub.choices]
    assert set(COMMANDS) == set(sub.choices), set(COMMANDS) - set(sub.choices)


def test_console_command_passes_output_and_exit_status_through(tmp_path):
    # the `chibo` entry point (cli.console): what main printed arrives, its status is the exit
    data = str(Path(__file__).parent / "data" / "clean")
    ok = subprocess.run(
        [sys.executable, "-m", "chibo_analysis", "summary", data],
        capture_output=True,
        text=True,
    )
    assert ok.returncode == 0 and "attendance" in ok.stdout
    missing = subprocess.run(
        [sys.executable, "-m", "chibo_analysis", "validate", str(tmp_path / "none")],
        capture_output=True,
        text=True,
    )
    assert missing.returncode == 2 and "không có tệp hay thư mục này" in missing.stderr
