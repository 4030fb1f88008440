"""The toolkit's exceptions.

Every error a user can cause derives from :class:`ChiboError`; the CLI prints
its message (no traceback) and exits with the error's ``exit_code``.
A failed audit check is a finding in a report, never an exception.
"""

from __future__ import annotations


class ChiboError(Exception):
    """Base class of the toolkit's own errors."""

    exit_code = 2


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
        raise ParameterError(f"{name}={value!r} is not allowed; expected one of: {choices}")
