"""Stable pseudonyms for members, for reports that leave the inspection team.

A pseudonym is a keyed hash (HMAC-SHA256) of the member's code: the same
member gets the same pseudonym in every report made with the same key, and
nobody without the key can go back from the pseudonym to the member. The key
is a file kept *outside* every report:

1. the file named by the environment variable ``CHIBO_KEY_FILE``, else
2. ``~/.config/chibo/key``,

created on first use with 32 random bytes from :mod:`secrets` (readable by its
owner only). Keep it: a new key gives every member a new pseudonym.

Shared reports show members only through :func:`pseudonymise`, which also
drops the columns the schema marks as personal (``full_name``, ``birth_date``).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from chibo_analysis.errors import ChiboError, ParameterError
from chibo_analysis.schema import TABLES

#: Environment variable naming the key file.
KEY_ENV = "CHIBO_KEY_FILE"
#: Prefix of every pseudonym ("bí danh" without diacritics, so it prints anywhere).
PREFIX = "BD-"
#: Hex digits of the hash kept in a pseudonym (40 bits: collisions are
#: negligible for a city's 10,000 members and checked for anyway).
DIGITS = 10
#: Columns that :func:`pseudonymise` drops: those the schema marks personal.
PERSONAL_COLUMNS = tuple(
    dict.fromkeys(c.name for t in TABLES.values() for c in t.columns if c.personal)
)


def key_path() -> Path:
    """Where the key lives: ``$CHIBO_KEY_FILE`` or ``~/.config/chibo/key``."""
    env = os.environ.get(KEY_ENV)
    if env:
        return Path(env).expanduser()
    return Path.home() / ".config" / "chibo" / "key"


def load_key(path: str | Path | None = None, *, create: bool = True) -> bytes:
    """The pseudonym key, read from ``path`` (default :func:`key_path`).

    With ``create`` (the default), a missing key file is created with a new
    random key, readable by its owner only.

    Raises
    ------
    ChiboError
        When the file is missing (and ``create`` is False), unreadable or too
        short to be a key.
    """
    path = Path(path) if path is not None else key_path()
    if not path.exists():
        if not create:
            raise ChiboError(f"pseudonym key file {str(path)!r} does not exist")
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secrets.token_hex(32) + "\n")
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as err:
        raise ChiboError(f"cannot read the pseudonym key file {str(path)!r}: {err}") from err
    if len(text) < 32:
        raise ChiboError(
            f"pseudonym key file {str(path)!r} holds {len(text)} characters; a key needs at "
            "least 32 (delete the file to have a new key made)"
        )
    return text.encode("ascii")


def pseudonym(value: object, key: bytes) -> str:
    """The pseudonym of one value under ``key``.

    Examples
    --------
    >>> pseudonym("M0001", b"k" * 32)
    'BD-6f9ca3a007'
    >>> pseudonym("M0001", b"k" * 32) == pseudonym(" M0001", b"k" * 32)
    True
    """
    digest = hmac.new(key, str(value).strip().encode("utf-8"), hashlib.sha256).hexdigest()
    return PREFIX + digest[:DIGITS]


def pseudonymise(
    frame: pd.DataFrame,
    columns: Iterable[str] = ("member_id",),
    *,
    key: bytes | None = None,
    drop: Iterable[str] = PERSONAL_COLUMNS,
) -> pd.DataFrame:
    """A copy of ``frame`` with ``columns`` replaced by pseudonyms and personal columns dropped.

    Parameters
    ----------
    frame : DataFrame
    columns : iterable of str
        Columns holding member codes (or any identifier) to replace. Empty
        values stay empty.
    key : bytes, optional
        The key; default :func:`load_key` (created on first use).
    drop : iterable of str
        Columns removed when present; by default every column the schema marks
        personal (``full_name``, ``birth_date``).

    Raises
    ------
    ParameterError
        For a column in ``columns`` that ``frame`` does not have.

    Examples
    --------
    >>> df = pd.DataFrame({"member_id": ["M1", "M2", "M1"], "full_name": ["A", "B", "A"]})
    >>> out = pseudonymise(df, ["member_id"], key=b"k" * 32)
    >>> list(out.columns), out["member_id"].nunique()
    (['member_id'], 2)
    """
    columns = list(columns)
    unknown = [c for c in columns if c not in frame.columns]
    if unknown:
        raise ParameterError(
            f"columns={unknown!r} not in the frame; it has: {', '.join(map(str, frame.columns))}"
        )
    key = load_key() if key is None else key
    out = frame.drop(columns=[c for c in drop if c in frame.columns])
    for name in columns:
        col = out[name]
        uniques = pd.unique(col.dropna().astype(str))
        names = pd.Series([pseudonym(u, key) for u in uniques], index=uniques, dtype="object")
        if names.duplicated().any():  # pragma: no cover - needs a 40-bit collision
            raise ChiboError(f"two values of {name!r} share a pseudonym; use a longer DIGITS")
        out[name] = col.astype("object").where(col.isna(), col.astype(str).map(names))
    return out
