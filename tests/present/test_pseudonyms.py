"""Stable keyed pseudonyms (chibo_analysis.present.pseudonyms)."""

from __future__ import annotations

import hashlib
import hmac
import stat

import pandas as pd
import pytest

from chibo_analysis.errors import ChiboError, ParameterError
from chibo_analysis.present.pseudonyms import KEY_ENV, key_path, load_key, pseudonym, pseudonymise

KEY = b"0123456789abcdef0123456789abcdef"


def test_pseudonym_is_the_keyed_hash():
    # Worked out independently: HMAC-SHA256 of the code, first 10 hex digits.
    expected = "BD-" + hmac.new(KEY, b"M0001", hashlib.sha256).hexdigest()[:10]
    assert pseudonym("M0001", KEY) == expected
    assert pseudonym("M0001", KEY) != pseudonym("M0002", KEY)
    assert pseudonym("M0001", KEY) != pseudonym("M0001", KEY[::-1])  # another key, another name


def test_key_is_created_once_private_and_then_reused(tmp_path, monkeypatch):
    path = tmp_path / "conf" / "key"
    monkeypatch.setenv(KEY_ENV, str(path))
    assert key_path() == path
    first = load_key()
    assert path.exists()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first) == 64  # 32 random bytes as hex
    assert load_key() == first  # stable: the second use reads the same key


def test_the_default_key_lives_in_the_users_config(tmp_path, monkeypatch):
    monkeypatch.delenv(KEY_ENV, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert key_path() == tmp_path / ".config" / "chibo" / "key"
    # created with the folders above it (.config and chibo do not exist yet)
    assert len(load_key()) == 64 and (tmp_path / ".config" / "chibo" / "key").is_file()


def test_a_key_file_that_is_not_ascii_is_refused_naming_it(tmp_path):
    odd = tmp_path / "odd"
    odd.write_text("é" * 40, encoding="utf-8")
    with pytest.raises(ChiboError, match=r"cannot read the pseudonym key file '.*odd'"):
        load_key(odd)


def test_missing_or_bad_key_is_a_clear_error(tmp_path):
    with pytest.raises(ChiboError, match="does not exist"):
        load_key(tmp_path / "nokey", create=False)
    short = tmp_path / "short"
    short.write_text("abc")
    with pytest.raises(ChiboError, match="holds 3 characters"):
        load_key(short)


def test_pseudonymise_replaces_ids_and_drops_personal_columns():
    frame = pd.DataFrame(
        {
            "member_id": ["M1", "M2", "M1", None],
            "full_name": ["Nguyễn Văn An", "Trần Thị Bình", "Nguyễn Văn An", "Lê Văn C"],
            "birth_date": pd.to_datetime(["1960-01-01"] * 4),
            "months": [3, 4, 3, 5],
        }
    )
    out = pseudonymise(frame, ["member_id"], key=KEY)
    assert list(out.columns) == ["member_id", "months"]
    assert out["member_id"].tolist()[:3] == [
        pseudonym("M1", KEY), pseudonym("M2", KEY), pseudonym("M1", KEY),
    ]  # fmt: skip
    assert pd.isna(out["member_id"].iloc[3])  # empty stays empty
    assert frame["member_id"].iloc[0] == "M1"  # input untouched


def test_pseudonymise_rejects_unknown_column():
    with pytest.raises(ParameterError, match="not in the frame; it has: a, b$"):
        pseudonymise(pd.DataFrame({"a": [1], "b": [2]}), ["member_id"], key=KEY)


def test_pseudonymise_uses_the_key_file_by_default(tmp_path, monkeypatch):
    monkeypatch.setenv(KEY_ENV, str(tmp_path / "key"))
    out = pseudonymise(pd.DataFrame({"member_id": ["M1"]}), ["member_id"])
    assert out["member_id"].iloc[0] == pseudonym("M1", load_key())
