"""load_clean: the same dataset with or without the cache; a cache that cannot lie or run code."""

from __future__ import annotations

import json
import os
import shutil

import pandas as pd
from conftest import append_line, replace_in

from chibo_analysis.runner import cache
from chibo_analysis.runner.cache import fingerprint, is_cached, load_clean


def _entries(folder):
    return sorted(p for p in folder.iterdir() if not p.name.startswith("."))


def test_without_cache_it_loads_and_cleans(clean_dir, monkeypatch):
    monkeypatch.delenv("CHIBO_CACHE_DIR", raising=False)
    ds = load_clean(clean_dir)
    assert ds.is_clean and len(ds.meetings) == 4


def test_cache_is_reused_and_invalidated(clean_dir, tmp_path, monkeypatch):
    cache_dir = tmp_path / "cache"
    monkeypatch.setenv("CHIBO_CACHE_DIR", str(cache_dir))
    assert not is_cached(clean_dir, cache_dir)
    first = load_clean(clean_dir)
    assert is_cached(clean_dir, cache_dir)
    assert len(_entries(cache_dir)) == 1
    second = load_clean(clean_dir)
    assert second.meetings.equals(first.meetings) and second.report.ok
    key = fingerprint(clean_dir)
    row = append_line(clean_dir / "attendance.csv", "S1,M99,present")
    assert fingerprint(clean_dir) != key and not is_cached(clean_dir, cache_dir)
    third = load_clean(clean_dir)
    assert third.report.to_frame()[["row", "code"]].values.tolist() == [[row, "unknown_reference"]]
    assert len(_entries(cache_dir)) == 2


def test_an_edit_of_the_same_size_and_time_is_read_again(clean_dir, tmp_path):
    # Issue 10: a file edited to the same size with its modification time restored was
    # served from the old cache. The key is the files' content now.
    cache_dir = tmp_path / "cache"
    meetings = clean_dir / "meetings.csv"
    before = load_clean(clean_dir, cache_dir)
    stat = meetings.stat()
    replace_in(meetings, "S1,CB1,05/01/2022,regular,95", "S1,CB1,05/01/2022,regular,35")
    os.utime(meetings, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert (
        meetings.stat().st_size == stat.st_size and meetings.stat().st_mtime_ns == stat.st_mtime_ns
    )
    after = load_clean(clean_dir, cache_dir)
    held = {
        m: d for m, d in zip(after.meetings.meeting_id, after.meetings.duration_min, strict=True)
    }
    assert before.meetings.duration_min.iloc[0] == 95 and held["S1"] == 35


def test_an_entry_is_parquet_and_json_and_comes_back_exactly(clean_dir, tmp_path):
    cache_dir = tmp_path / "cache"
    append_line(clean_dir / "attendance.csv", "S1,M99,present")  # a problem list with a row
    first = load_clean(clean_dir, cache_dir)
    (entry,) = _entries(cache_dir)
    names = {p.suffix for p in entry.iterdir()}
    assert names == {".parquet", ".json"}  # no pickle anywhere
    assert not any(b"pickle" in p.read_bytes()[:64] for p in entry.iterdir())
    again = load_clean(clean_dir, cache_dir)
    for name, frame in cache._frames(first).items():
        back = cache._frames(again)[name]
        pd.testing.assert_frame_equal(frame, back)
        for column in [c for c in frame.columns if pd.api.types.is_object_dtype(frame[c])]:
            assert list(map(type, frame[column])) == list(map(type, back[column])), column
    assert again.sources == first.sources and again.absent == first.absent
    assert again.report.to_frame()["row"].tolist() == first.report.to_frame()["row"].tolist()


def test_a_tampered_entry_is_rebuilt(clean_dir, tmp_path):
    cache_dir = tmp_path / "cache"
    load_clean(clean_dir, cache_dir)
    (entry,) = _entries(cache_dir)
    manifest = json.loads((entry / "manifest.json").read_text())
    meetings_file = entry / manifest["frames"]["table.meetings"]["file"]
    other = entry / manifest["frames"]["table.organisations"]["file"]
    shutil.copy(other, meetings_file)  # someone swapped a file: its hash no longer matches
    ds = load_clean(clean_dir, cache_dir)
    assert len(ds.meetings) == 4 and "meeting_id" in ds.meetings
    (entry,) = _entries(cache_dir)
    fresh = json.loads((entry / "manifest.json").read_text())
    assert (
        fresh["frames"]["table.meetings"]["sha256"]
        == manifest["frames"]["table.meetings"]["sha256"]
    )


def test_an_entry_without_manifest_or_of_another_version_is_rebuilt(clean_dir, tmp_path):
    cache_dir = tmp_path / "cache"
    load_clean(clean_dir, cache_dir)
    (entry,) = _entries(cache_dir)
    manifest = json.loads((entry / "manifest.json").read_text())
    manifest["format"] = cache.CACHE_FORMAT - 1
    (entry / "manifest.json").write_text(json.dumps(manifest))
    assert len(load_clean(clean_dir, cache_dir).meetings) == 4
    assert json.loads((entry / "manifest.json").read_text())["format"] == cache.CACHE_FORMAT
    (entry / "manifest.json").unlink()
    assert len(load_clean(clean_dir, cache_dir).meetings) == 4
    assert (entry / "manifest.json").is_file()


def test_load_clean_waits_for_a_dataset_being_prepared(clean_dir, tmp_path, monkeypatch):
    from chibo_analysis.runner.cache import prepare_in_background

    cache_dir = tmp_path / "cache"
    monkeypatch.setenv("CHIBO_CACHE_DIR", str(cache_dir))
    worker = prepare_in_background(clean_dir, cache_dir)
    ds = load_clean(clean_dir)  # waits for the thread's entry, or loads itself if it is gone
    worker.join()
    assert ds.is_clean and len(ds.attendance) == 10
    assert [p.suffix for p in cache_dir.iterdir()] == [""]  # the .pending marker is removed
