"""The toolkit's exceptions.

Every error a user can cause derives from :class:`ChiboError`; the CLI prints
its message (no traceback) and exits with the error's ``exit_code``.
A failed audit check is a finding in a report, never an exception.
"""

from __future__ import annotations

import os

#: Environment variable naming the language in which a :class:`ChiboError` that carries
#: its texts prints itself (``str(err)``); the runner sets it in the kernels it starts,
#: so that a failed notebook's message is in the report's language.
MESSAGE_LANG_ENV = "CHIBO_MESSAGE_LANG"


class ChiboError(Exception):
    """Base class of the toolkit's own errors.

    The message (``str(err)``) is English, for logs and tracebacks. An error
    a user reads may also carry ``key``, the name of its text in the label
    catalogue's ``error`` section, and the ``values`` to fill in: the ``chibo``
    command prints that text in the user's language
    (:func:`chibo_analysis.commands.language.error_text`). A value may itself be
    ``(key, values)``: a clause of the message (a suggestion) in the same language.

    An error built from the catalogue by :func:`chibo_analysis.labels.catalogued`
    also carries ``texts``, its message in every language; ``str(err)`` is then
    the English and the Vietnamese text, one line each, or only the text in the
    language named by ``$CHIBO_MESSAGE_LANG`` (:data:`MESSAGE_LANG_ENV`) when set.

    >>> err = ParameterError("share=1 is not allowed; expected True or False", key="share", share=1)
    >>> str(err), err.key, err.values
    ('share=1 is not allowed; expected True or False', 'share', {'share': 1})
    """

    exit_code = 2

    def __init__(
        self,
        *args: object,
        key: str | None = None,
        texts: dict[str, str] | None = None,
        **values: object,
    ) -> None:
        super().__init__(*args)
        self.key = key
        self.values = values
        self.texts = texts or {}

    def __str__(self) -> str:
        lang = os.environ.get(MESSAGE_LANG_ENV, "")
        if lang in self.texts:
            return self.texts[lang]
        return super().__str__()


class DataReadError(ChiboError):
    """The data cannot be read at all (missing file, table or required column)."""

    exit_code = 2


class ParameterError(ChiboError, ValueError):
    """A parameter has a value that is not allowed."""

    exit_code = 2


def check_argument(name: str, value: object, allowed: list | tuple | set | frozenset) -> None:
    """Raise :class:`ParameterError` naming the parameter unless ``value`` is allowed.

    Examples
    --------
    >>> check_argument("lang", "vi", ["vi", "en"])
    >>> check_argument("lang", "fr", ["vi", "en"])
    Traceback (most recent call last):
    ...
    chibo_analysis.errors.ParameterError: lang='fr' is not allowed; expected one of: 'vi', 'en'
    """
    if value not in allowed:
        choices = ", ".join(repr(a) for a in allowed)
        raise ParameterError(
            f"{name}={value!r} is not allowed; expected one of: {choices}",
            key="not_allowed", name=name, value=value, choices=choices,
        )  # fmt: skip
