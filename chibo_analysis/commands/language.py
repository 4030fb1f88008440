"""The language of the ``chibo`` command: help, argparse's own words, messages.

argparse prints help and usage errors before any ``--lang`` is read, so the
command's language comes from the environment variable :data:`LANG_ENV`
(``CHIBO_LANG``: ``vi``, the default, or ``en``); it is also the default of
every ``--lang`` option.

Help texts come from the label catalogue's ``cli`` section (see
:func:`translate_parser`). argparse's own words ("usage:", "options",
"show this help message and exit", its error messages) go through
``gettext.gettext``, bound in the ``argparse`` module as ``_`` and
``ngettext``: :func:`argparse_words` rebinds both to the catalogue for the
duration of a ``with`` block (building the parser and parsing the command
line) and restores them afterwards; nothing is changed at import time.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
from collections.abc import Iterator

from chibo_analysis.labels import LANGS, error_message, has_label, label

#: Environment variable giving the language of the command (vi when unset).
LANG_ENV = "CHIBO_LANG"

#: argparse's messages (as written in its source) and their catalogue keys.
ARGPARSE_WORDS = {
    "usage: ": "argparse_usage",
    "positional arguments": "argparse_positionals",
    "options": "argparse_options",
    "show this help message and exit": "opt_help",
    "the following arguments are required: %s": "argparse_required",
    "unrecognized arguments: %s": "argparse_unrecognized",
    "invalid choice: %(value)r (choose from %(choices)s)": "argparse_invalid_choice",
    "argument %(argument_name)s: %(message)s": "argparse_argument",
    "%(prog)s: error: %(message)s\n": "argparse_error",
    "expected one argument": "argparse_expected_one",
    "expected at most one argument": "argparse_expected_at_most_one",
    "expected at least one argument": "argparse_expected_at_least_one",
    "invalid %(type)s value: %(value)r": "argparse_invalid_value",
    "ambiguous option: %(option)s could match %(matches)s": "argparse_ambiguous",
    "not allowed with argument %s": "argparse_not_allowed",
    "one of the arguments %s is required": "argparse_one_of",
    "ignored explicit argument %r": "argparse_explicit",
}

#: Commands whose options share help texts under ``cli.<group>_<dest>``.
GROUPS = {"audit": "report", "batch": "report", "demo": "report"}


def cli_lang() -> str:
    """The command's language: ``$CHIBO_LANG``, or ``vi`` when unset or empty.

    Raises
    ------
    ParameterError
        For a value other than ``vi`` or ``en``, saying which are allowed.
    """
    from chibo_analysis.errors import ParameterError

    value = os.environ.get(LANG_ENV, "").strip() or LANGS[0]
    if value not in LANGS:
        raise ParameterError(label("cli.bad_lang", LANGS[0], value=value))
    return value


def say(key: str, **values: object) -> str:
    """The catalogue text ``cli.<key>`` in the command's language."""
    return label(f"cli.{key}", cli_lang(), **values)


@contextlib.contextmanager
def argparse_words(lang: str) -> Iterator[None]:
    """argparse's own words in ``lang`` inside the block (restored after it).

    >>> import argparse
    >>> with argparse_words("vi"):
    ...     argparse._("usage: ")
    'cách dùng: '
    >>> argparse._("usage: ")
    'usage: '
    """

    def gettext(message: str) -> str:
        key = ARGPARSE_WORDS.get(message)
        return label(f"cli.{key}", lang) if key else message

    def ngettext(singular: str, plural: str, n: int) -> str:
        if singular == "expected %s argument":
            return label("cli.argparse_expected_n", lang)
        return singular if n == 1 else plural

    saved = argparse._, argparse.ngettext
    argparse._, argparse.ngettext = gettext, ngettext
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved


def error_text(err: BaseException, lang: str) -> str:
    """The message of ``err`` in ``lang``: its catalogue text (``error.<key>``), else ``str(err)``.

    >>> from chibo_analysis.errors import ParameterError
    >>> err = ParameterError("x", key="unknown_parameter", name="perod",
    ...                      hint=("did_you_mean", {"names": "'period'"}))
    >>> error_text(err, "vi")
    "không có tham số kiểm tra 'perod'; có phải là 'period'?"
    >>> error_text(ValueError("plain"), "vi")
    'plain'
    """
    texts = getattr(err, "texts", None) or {}
    if lang in texts:
        return texts[lang]
    key = getattr(err, "key", None)
    if not key or not has_label(f"error.{key}"):
        return str(err)
    return error_message(key, getattr(err, "values", {}), lang)


def _help_key(command: str, dest: str) -> str | None:
    # -h and --version: the same words everywhere (cli.<command>_help is the command's line)
    prefixes = ("opt",) if dest in ("help", "version") else (command, GROUPS.get(command), "opt")
    for prefix in prefixes:
        if prefix and has_label(f"cli.{prefix}_{dest}"):
            return f"cli.{prefix}_{dest}"
    return None


def metavar_key(action: argparse.Action) -> str | None:
    """The catalogue key of the placeholder ``action`` shows in usage lines (``cli.metavar_DATA``).

    None for an option that takes no value or shows its choices.

    >>> metavar_key(argparse.ArgumentParser().add_argument("--out", metavar="FILE.xlsx"))
    'cli.metavar_FILE_xlsx'
    >>> metavar_key(argparse.ArgumentParser().add_argument("data"))
    'cli.metavar_DATA'
    """
    if action.nargs == 0 or (action.choices is not None and action.metavar is None):
        return None
    if isinstance(action.metavar, tuple):
        return None
    shown = action.metavar or (action.dest.upper() if action.option_strings else action.dest)
    return "cli.metavar_" + re.sub(
        r"[^A-Za-z]", "_", shown.upper() if shown == action.dest else shown
    )


def translate_parser(parser: argparse.ArgumentParser, lang: str, command: str = "chibo") -> None:
    """Put the catalogue's help texts (``cli.*``) in ``lang`` on ``parser`` and its subcommands.

    A subcommand gets ``cli.<command>_help`` and ``cli.<command>_description``;
    an option ``cli.<command>_<dest>``, else ``cli.<group>_<dest>``, else
    ``cli.opt_<dest>``. An option without one keeps its text (a test checks
    that none is left without one).
    """
    if has_label(f"cli.{command}_description"):
        parser.description = label(f"cli.{command}_description", lang)
    if command == "lists":  # the lists and what each holds, from the catalogue
        from chibo_analysis.indicators import LISTS

        parser.description += "\n" + "\n".join(f"  {n}: {label(f'list.{n}', lang)}" for n in LISTS)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            action.metavar = label("cli.metavar_command", lang)
            for choice in action._choices_actions:
                choice.help = label(f"cli.{choice.dest}_help", lang)
            for name, sub in action.choices.items():
                translate_parser(sub, lang, name)
            continue
        key = _help_key(command, action.dest)
        if key:
            action.help = label(key, lang)
        shown = metavar_key(action)
        if shown and has_label(shown):
            action.metavar = label(shown, lang)
        if action.dest == "lang":  # every --lang defaults to the command's language
            action.default = lang
