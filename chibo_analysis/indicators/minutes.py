"""Formulaic minutes: near-duplicate minutes text within and across cells.

The article's "meetings slow to renew" shows in the records as minutes
copied from month to month, or from one cell to another. Each meeting's
``minutes_text`` is normalised (Unicode NFC, lower case, punctuation dropped;
diacritics kept, since "bàn" and "bán" are different words), cut into word
shingles of ``k`` words, and two minutes are near-duplicates when the
Jaccard similarity of their shingle sets reaches ``threshold``.

Finding the pairs: ``method="minhash"`` (default) computes MinHash
signatures (multiply-shift hashing of the shingles, numpy-vectorised) and
uses locality-sensitive hashing (``b`` bands of ``r`` rows of the signature)
to propose candidate pairs; every candidate's *exact* Jaccard is then
computed, so no reported pair is a false positive. A pair may be missed:
with the default 128 permutations and threshold 0.8 (18 bands of 7 rows),
a pair at similarity 0.8 is proposed with probability
``1 - (1 - 0.8^7)^18 = 0.986``, at 0.9 with 0.99999. (Fewer rows per band
would flood the check with honest minutes written from the same templates.) ``method="exact"``
compares every pair (small data and tests).

A meeting counts as *copied* when it has a near-duplicate held earlier (the
earliest of a group is its original). Pairs within a cell count only across
months by default (a regular and a thematic meeting of the same month may
share a header legitimately). Minutes shorter than ``min_words`` words are
left out: they are not evidence of copying (``short_texts`` counts them).
"""

from __future__ import annotations

import os
import re
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from chibo_analysis.errors import ParameterError, check_argument

METHODS = ("minhash", "exact")
_WORD = re.compile(r"\w+")
_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)
_SIDE = ["meeting_id", "cell_id", "held_on", "_file", "_row"]
PAIR_COLUMNS = [f"{c}_{s}" for s in ("a", "b") for c in _SIDE] + ["similarity", "same_cell"]
CELL_COLUMNS = [
    "cell_id",
    "meetings",
    "short_texts",
    "compared",
    "copied",
    "copied_within",
    "copied_across",
    "copied_share",
]


def normalise_text(text: str) -> str:
    """Minutes text as compared: NFC, lower case, words separated by one space.

    Diacritics are kept: they distinguish Vietnamese words.

    Examples
    --------
    >>> normalise_text("Chi bộ  BÀN về công tác;  phát triển đảng viên.")
    'chi bộ bàn về công tác phát triển đảng viên'
    >>> normalise_text("ba\u0300n") == normalise_text("bàn")  # decomposed vs composed
    True
    >>> normalise_text("bàn") == normalise_text("bán")
    False
    """
    return " ".join(_WORD.findall(unicodedata.normalize("NFC", str(text)).lower()))


@dataclass(frozen=True)
class CopiedMinutes:
    """Result of :func:`copied_minutes`; unpacks as ``pairs, cells``.

    Attributes
    ----------
    pairs : DataFrame
        One row per near-duplicate pair, ``a`` the earlier meeting:
        ``meeting_id_a``, ``cell_id_a``, ``held_on_a``, ``_file_a``,
        ``_row_a``, the same for ``b``, ``similarity`` (exact Jaccard of the
        shingle sets) and ``same_cell``.
    cells : DataFrame
        Per cell: ``meetings`` (with minutes text), ``short_texts`` (too short
        to compare), ``compared``, ``copied`` (meetings with an earlier
        near-duplicate), ``copied_within`` (an earlier one in the same cell),
        ``copied_across`` (only in other cells), ``copied_share`` =
        copied / compared (empty when nothing was compared).
    threshold : float
    k : int
        Words per shingle.
    method : str
    """

    pairs: pd.DataFrame
    cells: pd.DataFrame
    threshold: float
    k: int
    method: str

    def __iter__(self):
        return iter((self.pairs, self.cells))

    def __len__(self) -> int:
        return 2


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: a well-spread 64-bit hash of 64-bit integers."""
    with np.errstate(over="ignore"):
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def _word_chars(top: int) -> np.ndarray:
    """Lookup table: is code point ``i <= top`` part of a word (letter, digit, ``_``)?"""
    return np.fromiter((chr(c).isalnum() or c == 0x5F for c in range(top + 1)), bool, top + 1)


def token_hashes(texts: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """A 64-bit hash of every word of every text, and the text it belongs to.

    Equivalent to hashing the words of :func:`normalise_text`, but done on the
    whole column at once: the texts are joined with a NUL separator,
    normalised (NFC, lower case) in one call, turned into a numpy array of
    code points, and each word's hash is the wrapping sum of a mix of
    (code point, position in word): no Python loop over texts or words.
    """
    joined = "\x00".join(t.replace("\x00", " ") for t in texts.astype(str).tolist())
    joined = unicodedata.normalize("NFC", joined).lower()
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    if codes.size == 0:
        return np.array([], dtype=np.uint64), np.array([], dtype=np.int64)
    word = _word_chars(int(codes.max()))[codes]
    edge = np.diff(np.r_[False, word, False].astype(np.int8))
    starts, ends = np.flatnonzero(edge == 1), np.flatnonzero(edge == -1)
    lengths = ends - starts
    doc = np.searchsorted(np.flatnonzero(codes == 0), starts)
    pos = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    chars = codes[np.repeat(starts, lengths) + pos].astype(np.uint64)
    mixed = _mix((chars << np.uint64(16)) | pos.astype(np.uint64))
    with np.errstate(over="ignore"):
        hashes = np.add.reduceat(mixed, np.cumsum(lengths) - lengths) if lengths.size else mixed
    return _mix(hashes), doc


def shingle_table(texts: pd.Series, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(document, shingle hash) pairs and each document's word count.

    Returns ``doc`` and ``shingle`` (uint64) in text order (grouped by
    document; a shingle repeated within a text appears again), and ``words`` (per document, in the order of ``texts``). A shingle's hash
    chains the hashes of its ``k`` words, so it does not depend on Python's
    per-process string hashing.
    """
    ids, doc = token_hashes(texts)
    words = np.bincount(doc, minlength=len(texts)).astype(np.int64)
    m = ids.size - k + 1
    if m <= 0:
        return np.array([], dtype=np.int64), np.array([], dtype=np.uint64), words
    h = np.zeros(m, dtype=np.uint64)
    for j in range(k):
        h = _mix(h ^ ids[j : j + m])
    valid = doc[:m] == doc[k - 1 :]
    return doc[:m][valid], h[valid], words


def _minhash(doc: np.ndarray, sh: np.ndarray, num_perm: int, seed: int) -> tuple:
    """MinHash signatures (documents with shingles x num_perm, uint32).

    Permutations are 32-bit multiply-add hashes ``(a x + b) mod 2^32`` of the
    shingles' high 32 bits (already well mixed); ``doc`` must be grouped.
    """
    starts = np.flatnonzero(np.r_[True, doc[1:] != doc[:-1]])
    docs = doc[starts]
    rng = np.random.default_rng(seed)
    a = rng.integers(1, 2**32, size=num_perm, dtype=np.uint64).astype(np.uint32) | np.uint32(1)
    b = rng.integers(0, 2**32, size=num_perm, dtype=np.uint64).astype(np.uint32)
    x = (sh >> np.uint64(32)).astype(np.uint32)
    sig = np.empty((docs.size, num_perm), dtype=np.uint32)
    step = max(1, 4_000_000 // max(x.size, 1))  # about 16 MB of hashes per block

    def block(lo: int) -> None:
        hi = min(num_perm, lo + step)
        with np.errstate(over="ignore"):
            hashed = x[:, None] * a[None, lo:hi] + b[None, lo:hi]
            sig[:, lo:hi] = np.minimum.reduceat(hashed, starts, axis=0)

    # numpy releases the GIL in these loops: two threads fill disjoint columns
    with ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
        list(pool.map(block, range(0, num_perm, step)))
    return docs, sig


def lsh_params(threshold: float, num_perm: int, recall: float = 0.98) -> tuple[int, int]:
    """Bands and rows per band for LSH at a Jaccard ``threshold``.

    A pair of similarity ``s`` becomes a candidate with probability
    ``1 - (1 - s^r)^b``. The rule: the most rows per band (fewest spurious
    candidates to verify) such that, with ``b = num_perm // r`` bands, a pair
    exactly at the threshold is still proposed with probability ``recall``.

    Examples
    --------
    At 0.8 with 128 permutations: r = 8 (16 bands) gives 0.947, r = 7
    (18 bands) gives 0.986:

    >>> lsh_params(0.8, 128)
    (18, 7)
    """
    best = (num_perm, 1)
    for rows in range(1, num_perm + 1):
        bands = num_perm // rows
        if 1 - (1 - threshold**rows) ** bands >= recall:
            best = (bands, rows)
    return best


def _bucket_pairs(keys: np.ndarray, members: np.ndarray) -> np.ndarray:
    """All pairs of ``members`` sharing a key, as an (n, 2) array (i < j)."""
    order = np.argsort(keys, kind="stable")
    keys, members = keys[order], members[order]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    sizes = np.diff(np.r_[starts, keys.size])
    big = sizes > 1
    starts, sizes = starts[big], sizes[big]
    if starts.size == 0:
        return np.empty((0, 2), dtype=np.int64)
    # every position p of a bucket pairs with the positions after it
    within = np.arange(sizes.sum()) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    pos = np.repeat(starts, sizes) + within
    ends = np.repeat(starts + sizes, sizes)
    counts = ends - pos - 1
    first = np.repeat(pos, counts)
    offset = np.arange(first.size) - np.repeat(np.cumsum(counts) - counts, counts)
    second = first + 1 + offset
    pairs = np.column_stack([members[first], members[second]])
    return np.sort(pairs, axis=1)


def _candidates(
    doc, sh, num_perm: int, bands: int, rows: int, seed: int, floor: float
) -> np.ndarray:
    """Candidate pairs from LSH, kept if their MinHash estimate reaches ``floor``."""
    docs, sig = _minhash(doc, sh, num_perm, seed)
    found = []
    for band in range(bands):
        part = sig[:, band * rows : (band + 1) * rows]
        key = np.zeros(docs.size, dtype=np.uint64)
        for col in range(rows):
            key = _mix(key ^ part[:, col].astype(np.uint64))
        found.append(_bucket_pairs(key, docs))
    found = np.concatenate(found)
    code = np.unique(found[:, 0] * (int(doc.max()) + 1) + found[:, 1])
    pairs = np.column_stack(np.divmod(code, int(doc.max()) + 1))
    # MinHash estimate of each candidate (sd <= 0.5 / sqrt(num_perm)); only
    # those near the threshold go on to the exact check.
    row = np.full(int(doc.max()) + 1, -1, dtype=np.int64)
    row[docs] = np.arange(docs.size)
    est = np.empty(len(pairs))
    for lo in range(0, len(pairs), 100_000):
        p = pairs[lo : lo + 100_000]
        est[lo : lo + 100_000] = (sig[row[p[:, 0]]] == sig[row[p[:, 1]]]).mean(axis=1)
    return pairs[est >= floor]


def _incidence(doc: np.ndarray, sh: np.ndarray, n_docs: int) -> sparse.csr_matrix:
    """Binary document x shingle matrix (repeated shingles counted once)."""
    col = pd.factorize(sh)[0]
    mat = sparse.csr_matrix(
        (np.ones(doc.size, dtype=np.int32), (doc, col)), shape=(n_docs, int(col.max()) + 1)
    )
    mat.sum_duplicates()
    mat.data[:] = 1
    return mat


def _jaccard(mat: sparse.csr_matrix, pairs: np.ndarray, chunk: int = 200_000) -> np.ndarray:
    """Exact Jaccard of each pair of rows of the binary matrix ``mat``."""
    sizes = np.diff(mat.indptr)
    out = np.empty(len(pairs), dtype=float)
    for lo in range(0, len(pairs), chunk):
        p = pairs[lo : lo + chunk]
        inter = np.asarray(mat[p[:, 0]].multiply(mat[p[:, 1]]).sum(axis=1)).ravel()
        out[lo : lo + chunk] = inter / (sizes[p[:, 0]] + sizes[p[:, 1]] - inter)
    return out


def _all_pairs(mat: sparse.csr_matrix, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """Every pair at or above ``threshold`` (sparse product: small data only)."""
    inter = sparse.triu(mat @ mat.T, k=1).tocoo()
    sizes = np.diff(mat.indptr)
    sim = inter.data / (sizes[inter.row] + sizes[inter.col] - inter.data)
    keep = sim >= threshold
    return np.column_stack([inter.row[keep], inter.col[keep]]).astype(np.int64), sim[keep]


def copied_minutes(
    meetings,
    threshold: float = 0.8,
    *,
    k: int = 4,
    min_words: int = 20,
    method: str = "minhash",
    num_perm: int = 128,
    bands: int | None = None,
    same_month: bool = False,
    seed: int = 0,
    about=None,
) -> CopiedMinutes:
    """Near-duplicate minutes within cells across months and across cells.

    Parameters
    ----------
    meetings : DataFrame or Dataset
        The meetings table (``meeting_id``, ``cell_id``, ``held_on``,
        ``minutes_text``, ``_file``, ``_row``), or a dataset (cleaned first).
    threshold : float
        Jaccard similarity of the shingle sets from which two minutes are
        near-duplicates.
    k : int
        Words per shingle (3 to 5 work for minutes of a few paragraphs).
    min_words : int
        Minutes with fewer words are not compared.
    method : {"minhash", "exact"}
        MinHash + LSH candidates (scales to a city's ~30,000 meetings), or
        every pair.
    num_perm : int
        MinHash permutations.
    bands : int, optional
        LSH bands (rows per band = ``num_perm // bands``); default chosen for
        the threshold by :func:`lsh_params`.
    same_month : bool
        Also report pairs of the same cell in the same month.
    seed : int
        Seed of the MinHash permutations.
    about : collection of str, optional
        The ``meeting_id`` of the meetings the result is about (an audited
        organisation's meetings of the period). Every minutes text of
        ``meetings`` is still compared, so a copy of a meeting of another
        year or organisation is found, but only the pairs whose *later*
        meeting is among these are kept, and only these meetings are counted
        per cell. Default: every meeting.

    Returns
    -------
    CopiedMinutes

    Examples
    --------
    >>> text = "chi bộ thảo luận nghị quyết về phát triển kinh tế và xây dựng đảng tháng này"
    >>> m = pd.DataFrame({
    ...     "meeting_id": ["M1", "M2", "M3"], "cell_id": ["C1", "C1", "C2"],
    ...     "held_on": pd.to_datetime(["2022-01-05", "2022-02-05", "2022-02-07"]),
    ...     "minutes_text": [text, text.upper(), "ngắn"],
    ...     "_file": "meetings.csv", "_row": [2, 3, 4]})
    >>> pairs, cells = copied_minutes(m, min_words=10, method="exact")
    >>> pairs[["meeting_id_a", "meeting_id_b", "similarity", "same_cell"]].values.tolist()
    [['M1', 'M2', 1.0, True]]
    >>> cells[["cell_id", "compared", "copied", "copied_share"]].values.tolist()
    [['C1', 2, 1, 0.5], ['C2', 0, 0, nan]]
    """
    check_argument("method", method, METHODS)
    if not 0.0 < float(threshold) <= 1.0:
        raise ParameterError(f"threshold={threshold!r} is not allowed; expected 0 < threshold <= 1")
    if int(k) < 1:
        raise ParameterError(f"k={k!r} is not allowed; expected a whole number of words >= 1")
    if bands is None:
        bands, rows = lsh_params(float(threshold), int(num_perm))
    elif not 1 <= int(bands) <= int(num_perm):
        raise ParameterError(f"bands={bands!r} is not allowed; expected 1 to num_perm={num_perm}")
    else:
        rows = int(num_perm) // int(bands)
    if hasattr(meetings, "tables"):
        from chibo_analysis.checks.validation import validated

        meetings = validated(meetings).tables["meetings"]
    missing = [c for c in ("meeting_id", "cell_id", "held_on", "minutes_text") if c not in meetings]
    if missing:
        raise ParameterError(f"meetings lacks columns {missing}")
    frame = meetings.loc[meetings["minutes_text"].notna()].reset_index(drop=True)
    for col in ("_file", "_row"):
        if col not in frame:
            frame[col] = pd.NA
    doc, sh, words = shingle_table(frame["minutes_text"].astype(str), int(k))
    long_enough = words >= max(int(min_words), int(k))
    keep = long_enough[doc] if doc.size else np.array([], dtype=bool)
    doc, sh = doc[keep], sh[keep]
    wanted = np.ones(len(frame), dtype=bool)
    if about is not None:
        wanted = frame["meeting_id"].isin(pd.Index(list(about))).to_numpy()
    if doc.size == 0 or not wanted.any():
        pairs, sim = np.empty((0, 2), dtype=np.int64), np.array([], dtype=float)
    elif method == "exact":
        pairs, sim = _all_pairs(_incidence(doc, sh, len(frame)), float(threshold))
    else:
        floor = float(threshold) - 4 * 0.5 / np.sqrt(int(num_perm))
        pairs = _candidates(doc, sh, int(num_perm), int(bands), rows, int(seed), floor)
        # only pairs that may concern a meeting asked about go on to the exact check
        pairs = pairs[wanted[pairs[:, 0]] | wanted[pairs[:, 1]]]
        sim = _jaccard(_incidence(doc, sh, len(frame)), pairs)
        found = sim >= float(threshold)
        pairs, sim = pairs[found], sim[found]
    pair_frame = _pair_frame(frame, pairs, sim, same_month)
    if about is not None:
        pair_frame = pair_frame[pair_frame["meeting_id_b"].isin(frame["meeting_id"][wanted])]
        pair_frame = pair_frame.reset_index(drop=True)
    cells = _cell_shares(frame[wanted], long_enough[wanted], pair_frame)
    return CopiedMinutes(pair_frame, cells, float(threshold), int(k), method)


def _pair_frame(frame: pd.DataFrame, pairs: np.ndarray, sim: np.ndarray, same_month: bool):
    side = frame[_SIDE]
    a = side.iloc[pairs[:, 0]].reset_index(drop=True) if len(pairs) else side.iloc[:0]
    b = side.iloc[pairs[:, 1]].reset_index(drop=True) if len(pairs) else side.iloc[:0]
    # a is the earlier meeting (ties: meeting_id)
    swap = (b["held_on"] < a["held_on"]) | (
        (b["held_on"] == a["held_on"]) & (b["meeting_id"] < a["meeting_id"])
    )
    first = a.where(~swap, b)
    second = b.where(~swap, a)
    out = pd.concat([first.add_suffix("_a"), second.add_suffix("_b")], axis=1)
    out["similarity"] = np.round(sim, 6)
    out["same_cell"] = (out["cell_id_a"] == out["cell_id_b"]).astype(bool)
    if not same_month and len(out):
        month_a = out["held_on_a"].dt.to_period("M")
        month_b = out["held_on_b"].dt.to_period("M")
        out = out[~(out["same_cell"] & (month_a == month_b))]
    out = out.sort_values(["cell_id_b", "held_on_b", "meeting_id_b", "meeting_id_a"])
    return out.reset_index(drop=True)[PAIR_COLUMNS]


def _cell_shares(frame: pd.DataFrame, long_enough: np.ndarray, pairs: pd.DataFrame):
    per = pd.DataFrame({"cell_id": frame["cell_id"].to_numpy(),
                        "meeting_id": frame["meeting_id"].to_numpy()})  # fmt: skip
    per["short"] = ~long_enough
    within = set(pairs.loc[pairs["same_cell"], "meeting_id_b"])
    copied = set(pairs["meeting_id_b"])
    per["copied"] = per["meeting_id"].isin(copied)
    per["within"] = per["meeting_id"].isin(within)
    g = per.groupby("cell_id", sort=True, observed=True)
    cells = pd.DataFrame(
        {
            "meetings": g.size(),
            "short_texts": g["short"].sum(),
            "copied": g["copied"].sum(),
            "copied_within": g["within"].sum(),
        }
    ).astype("int64")
    cells["compared"] = cells["meetings"] - cells["short_texts"]
    cells["copied_across"] = cells["copied"] - cells["copied_within"]
    cells["copied_share"] = (cells["copied"] / cells["compared"]).where(cells["compared"] > 0)
    return cells.reset_index()[CELL_COLUMNS]


def copied_minutes_in(dataset, period, org_id: str | None = None, **options) -> CopiedMinutes:
    """Copied minutes among the meetings of ``period`` within ``org_id``, against every text.

    Each meeting of the audited organisation and period is compared with
    every minutes text of the dataset, of every year and organisation: a
    copy of last year's minutes, or of a cell of another base organisation,
    is found as well as a copy within the organisation. A pair is listed when
    its *later* meeting (``b``, the copy) is one of the audited meetings; its
    earlier meeting (``a``, the source) may lie anywhere. ``options`` go to
    :func:`copied_minutes` (threshold, k, ...).

    Returns
    -------
    CopiedMinutes
        As :func:`copied_minutes`; ``cells`` counts the audited meetings only.
    """
    from chibo_analysis.checks.validation import validated

    from . import roll
    from .periods import parse_period

    ds = validated(dataset)
    period = parse_period(period)
    inside = roll.subtree(ds.organisations, org_id)
    mt = ds.meetings
    held = mt["held_on"]
    audited = mt.loc[
        mt["cell_id"].isin(inside) & (held >= period.start) & (held <= period.end), "meeting_id"
    ]
    return copied_minutes(mt, about=audited, **options)
