"""load_clean: the same dataset with or without the cache; a changed input is read again."""

from __future__ import annotations

import os

from conftest import append_line

from chibo_analysis.runner.cache import fingerprint, is_cached, load_clean


def test_without_cache_it_loads_and_cleans(clean_dir, monkeypatch):
    monkeypatch.delenv("CHIBO_CACHE_DIR", raising=False)
    ds = load_clean(clean_dir)
    assert ds.is_clean and len(ds.meetings) == 4


def test_cache_is_reused_and_invalidated(clean_dir, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("CHIBO_CACHE_DIR", str(cache))
    assert not is_cached(clean_dir, cache)
    first = load_clean(clean_dir)
    assert is_cached(clean_dir, cache)
    files = list(cache.glob("*.pkl"))
    assert len(files) == 1
    second = load_clean(clean_dir)
    assert second.meetings.equals(first.meetings) and second.report.ok
    key = fingerprint(clean_dir)
    row = append_line(clean_dir / "attendance.csv", "S1,M99,present")
    os.utime(clean_dir / "attendance.csv", ns=(1, 1))  # a change even within the same mtime tick
    assert fingerprint(clean_dir) != key and not is_cached(clean_dir, cache)
    third = load_clean(clean_dir)
    assert third.report.to_frame()[["row", "code"]].values.tolist() == [[row, "unknown_reference"]]
    assert len(list(cache.glob("*.pkl"))) == 2


def test_load_clean_waits_for_a_dataset_being_prepared(clean_dir, tmp_path, monkeypatch):
    from chibo_analysis.runner.cache import prepare_in_background

    cache = tmp_path / "cache"
    monkeypatch.setenv("CHIBO_CACHE_DIR", str(cache))
    worker = prepare_in_background(clean_dir, cache)
    ds = load_clean(clean_dir)  # waits for the thread's pickle, or loads itself if it is gone
    worker.join()
    assert ds.is_clean and len(ds.attendance) == 10
    assert [p.suffix for p in cache.iterdir()] == [".pkl"]  # the .pending marker is removed
