"""The ``chibo`` command line.

Each subcommand lives in ``chibo_analysis/commands/<name>.py`` and exposes
``add_parser(subparsers)`` (which sets ``func`` on its parser) so that adding a
command touches one line here. A :class:`~chibo_analysis.errors.ChiboError`
is printed without a traceback and exits with its ``exit_code``.

Help, usage errors and argparse's own words are in the language of
``CHIBO_LANG`` (vi when unset; see :mod:`chibo_analysis.commands.language`),
which is also the default of every ``--lang`` option.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from chibo_analysis.errors import ChiboError

#: Subcommand modules under ``chibo_analysis.commands``, in help order.
COMMANDS = [
    "validate",
    "summary",
    "synth",
    "template",
    "prepare",
    "scorecard",
    "lists",
    "plan",
    "audit",
    "batch",
    "demo",
]


def build_parser(lang: str = "vi") -> argparse.ArgumentParser:
    """The ``chibo`` parser with its help texts in ``lang`` (the catalogue's ``cli`` section).

    argparse's own words are those bound when it is built and used: build and
    parse inside :func:`~chibo_analysis.commands.language.argparse_words`, as
    :func:`main` does.
    """
    from chibo_analysis.commands.language import translate_parser

    parser = argparse.ArgumentParser(prog="chibo")
    from chibo_analysis import __version__

    parser.add_argument("--version", action="version", version=f"chibo-analysis {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"chibo_analysis.commands.{name}")
        except ModuleNotFoundError as err:
            if err.name == f"chibo_analysis.commands.{name}":
                continue  # command not built yet
            raise
        module.add_parser(sub)
    translate_parser(parser, lang)
    return parser


def main(argv: list[str] | None = None) -> int:
    from chibo_analysis.commands.language import argparse_words, cli_lang, error_text, say

    try:
        lang = cli_lang()
    except ChiboError as err:
        print(f"chibo: {err}", file=sys.stderr)
        return err.exit_code
    with argparse_words(lang):
        parser = build_parser(lang)
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help()
            return 2
    try:
        return int(args.func(args) or 0)
    except ChiboError as err:
        print(f"chibo {args.command}: {error_text(err, lang)}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print(say("interrupted"), file=sys.stderr)
        return 130


def console() -> None:
    """The ``chibo`` command: :func:`main`, then exit without a last garbage collection.

    The process ends right after; with pandas, papermill and nbconvert
    loaded, the interpreter's final collection pass alone took 0.13 s of an
    audit's ~7 s. ``gc.freeze()`` leaves the objects to be freed with the
    process (files are closed by then and ``atexit`` handlers still run).
    """
    import gc

    code = main()
    sys.stdout.flush()
    if "duckdb" not in sys.modules:
        # DuckDB's bindings (nanobind) print "leaked instances" at exit when their objects
        # are left to the process instead of being collected: the last pass is kept then
        gc.freeze()
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    console()
