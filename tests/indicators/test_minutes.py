"""Formulaic (copied) minutes."""

import numpy as np
import pandas as pd
import pytest

from chibo_analysis.errors import ParameterError
from chibo_analysis.indicators.minutes import (
    PAIR_COLUMNS,
    copied_minutes,
    lsh_params,
    normalise_text,
    shingle_table,
    token_hashes,
)

BODY = (
    "chi bộ đã kiểm điểm việc thực hiện nhiệm vụ tháng trước đánh giá kết quả phát triển "
    "kinh tế xã hội ở địa phương công tác vệ sinh môi trường và an ninh trật tự được giữ vững "
    "đảng viên tham gia ý kiến sôi nổi thống nhất phương hướng nhiệm vụ tháng tới"
)
OTHER = (
    "buổi sinh hoạt chuyên đề bàn về việc nâng cao chất lượng giáo dục chính trị tư tưởng "
    "cho đảng viên trẻ các đồng chí phát biểu nhiều ý kiến thiết thực về cách làm mới "
    "chi ủy phân công nhiệm vụ cụ thể cho từng tổ và hẹn kiểm tra vào cuối quý"
)


def meetings(rows):
    frame = pd.DataFrame(rows, columns=["meeting_id", "cell_id", "held_on", "minutes_text"])
    frame["held_on"] = pd.to_datetime(frame["held_on"])
    frame["_file"] = "meetings.csv"
    frame["_row"] = np.arange(len(frame)) + 2
    return frame


def test_normalise_keeps_diacritics_and_composes():
    assert normalise_text("Bàn  VỀ, việc!") == "bàn về việc"
    assert normalise_text("ba\u0300n") == "bàn"  # NFD input composes to NFC
    assert normalise_text("bàn") != normalise_text("bán")


def test_token_hashes_agree_with_normalise_text():
    texts = pd.Series(["Bàn về việc, bán hàng.", "", "ba\u0300n VỀ việc bán hàng"])
    hashes, doc = token_hashes(texts)
    assert doc.tolist() == [0, 0, 0, 0, 0, 2, 2, 2, 2, 2]
    # same words (after NFC and lower case) hash alike; bàn and bán differ
    assert hashes[:5].tolist() == hashes[5:].tolist()
    assert hashes[0] != hashes[3]


def test_shingles_by_hand():
    # "a b c d e" with k = 3: shingles abc, bcd, cde -> 3; "a b" has none.
    doc, sh, words = shingle_table(pd.Series(["a b c d e", "a b"]), 3)
    assert doc.tolist() == [0, 0, 0]
    assert len(set(sh.tolist())) == 3
    assert words.tolist() == [5, 2]
    # exactly k words in all: one shingle
    doc, sh, words = shingle_table(pd.Series(["a b c"]), 3)
    assert doc.tolist() == [0] and sh.size == 1 and words.tolist() == [3]


def test_mix_is_splitmix64s_finaliser():
    # splitmix64 seeded with 0 gives 0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4 (its published
    # first outputs): the finaliser of the states 1 and 2 times the golden gamma
    from chibo_analysis.indicators.minutes import _mix

    gamma = 0x9E3779B97F4A7C15
    states = np.array([gamma, (2 * gamma) % 2**64], dtype=np.uint64)
    assert _mix(states).tolist() == [0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4]


def test_bucket_pairs_by_hand():
    from chibo_analysis.indicators.minutes import _bucket_pairs

    # members 0, 2, 3 share key 5: pairs (0, 2), (0, 3), (2, 3); member 1 is alone
    keys = np.array([5, 1, 5, 5], dtype=np.uint64)
    assert _bucket_pairs(keys, np.array([0, 1, 2, 3])).tolist() == [[0, 2], [0, 3], [2, 3]]
    # no shared key: no pair, still two columns (bands' pairs are concatenated)
    none = _bucket_pairs(np.array([1, 2, 3], dtype=np.uint64), np.array([0, 1, 2]))
    assert none.shape == (0, 2)


def test_copies_within_and_across_cells_exact_and_minhash():
    rows = [
        ("M1", "C1", "2022-01-10", "Biên bản tháng 1. " + BODY),
        ("M2", "C1", "2022-02-10", "Biên bản tháng 2. " + BODY),  # copy of M1, same cell
        ("M3", "C2", "2022-03-05", BODY.upper()),  # copy across cells, case changed
        ("M4", "C2", "2022-01-05", OTHER),
        ("M5", "C3", "2022-01-06", "Ngắn quá."),  # too short to compare
        ("M6", "C1", "2022-02-20", "Biên bản tháng 2. " + BODY),  # same cell, same month as M2
    ]
    frame = meetings(rows)
    for method in ("exact", "minhash"):
        pairs, cells = copied_minutes(frame, method=method, min_words=10)
        got = set(zip(pairs["meeting_id_a"], pairs["meeting_id_b"], strict=True))
        # M1-M2, M1-M6 (same cell, other month), M1-M3, M2-M3, M3-M6 (across cells);
        # M2-M6 share a cell and a month: left out by default.
        assert got == {("M1", "M2"), ("M1", "M6"), ("M1", "M3"), ("M2", "M3"), ("M6", "M3")}
        assert list(pairs.columns) == PAIR_COLUMNS
        row = pairs.set_index(["meeting_id_a", "meeting_id_b"]).loc[("M1", "M3")]
        # BODY has 55 words -> 52 four-word shingles; M1 adds "biên bản tháng 1" in
        # front: 59 words -> 56 shingles, all 52 of BODY among them; J = 52/56.
        assert row["similarity"] == pytest.approx(52 / 56, abs=1e-6)
        assert not row["same_cell"] and row["_row_a"] == 2 and row["_file_b"] == "meetings.csv"
        c = cells.set_index("cell_id")
        # C1: M1 original, M2 and M6 copied (from M1, same cell) -> 2 of 3
        assert c.loc["C1", ["compared", "copied", "copied_within", "copied_across"]].tolist() == [
            3,
            2,
            2,
            0,
        ]
        assert c.loc["C1", "copied_share"] == pytest.approx(2 / 3)
        # C2: M3 copied from C1 (across), M4 original -> 1 of 2
        assert c.loc["C2", ["copied", "copied_across"]].tolist() == [1, 1]
        # C3: the only text is too short: nothing compared, share empty
        assert c.loc["C3", "short_texts"] == 1 and pd.isna(c.loc["C3", "copied_share"])
    pairs, _ = copied_minutes(frame, method="exact", min_words=10, same_month=True)
    assert ("M2", "M6") in set(zip(pairs["meeting_id_a"], pairs["meeting_id_b"], strict=True))


def test_diacritics_make_a_difference():
    # Every word's diacritic stripped: no shared shingle, so no copy.
    plain = "chi bo da kiem diem viec thuc hien nhiem vu thang truoc danh gia ket qua"
    accented = "chi bộ đã kiểm điểm việc thực hiện nhiệm vụ tháng trước đánh giá kết quả"
    frame = meetings([("A", "C1", "2022-01-01", plain), ("B", "C2", "2022-01-01", accented)])
    pairs, _ = copied_minutes(frame, method="exact", min_words=5, threshold=0.1)
    assert pairs.empty


def test_minhash_finds_planted_copies_among_many():
    rng = np.random.default_rng(0)
    vocab = np.array([f"từ{i}" for i in range(3000)], dtype=object)
    texts = [" ".join(rng.choice(vocab, 60)) for _ in range(400)]
    texts[300] = texts[10]  # exact copy
    texts[301] = texts[20] + " thêm một câu"  # near copy
    frame = meetings(
        [
            (f"M{i:03d}", f"C{i % 40:02d}", f"2022-{i % 12 + 1:02d}-01", t)
            for i, t in enumerate(texts)
        ]
    )
    exact, _ = copied_minutes(frame, method="exact")
    fast, _ = copied_minutes(frame, seed=3)
    assert set(fast["meeting_id_b"]) == set(exact["meeting_id_b"])
    found = {frozenset(p) for p in zip(exact["meeting_id_a"], exact["meeting_id_b"], strict=True)}
    assert found == {frozenset({"M010", "M300"}), frozenset({"M020", "M301"})}


def test_lsh_params_and_bad_input():
    bands, rows = lsh_params(0.8, 128)
    assert bands * rows <= 128 and 1 - (1 - 0.8**rows) ** bands >= 0.98
    frame = meetings([("A", "C1", "2022-01-01", BODY)])
    with pytest.raises(ParameterError, match="threshold"):
        copied_minutes(frame, threshold=0)
    with pytest.raises(ParameterError, match="method"):
        copied_minutes(frame, method="fuzzy")
    with pytest.raises(ParameterError, match="lacks"):
        copied_minutes(frame.drop(columns="minutes_text"))
    pairs, cells = copied_minutes(frame)
    assert pairs.empty and cells["copied"].tolist() == [0]


def _two_bases():
    """TP with bases B1 (cell C1) and B2 (cells C2, C3); minutes of 2021 and 2022."""
    from chibo_analysis.intake.load import dataset_from_frames

    orgs = pd.DataFrame(
        [("TP", "Thành phố", "", "committee"), ("B1", "Phường X", "TP", "base"),
         ("C1", "Tổ 1", "B1", "cell"), ("B2", "Phường Y", "TP", "base"),
         ("C2", "Tổ 1", "B2", "cell"), ("C3", "Tổ 2", "B2", "cell")],
        columns=["org_id", "name", "parent_id", "level"],
    )  # fmt: skip
    rows = [
        ("M1", "C1", "10/11/2021", "Biên bản. " + BODY),  # the source: B1, the year before
        ("M2", "C2", "10/02/2022", "Biên bản. " + BODY),  # copy in B2, of M1 (other base, year)
        ("M3", "C1", "10/03/2022", "Biên bản. " + BODY),  # copy in B1, of M1 (same cell)
        ("M4", "C3", "10/04/2022", OTHER),  # honest, B2
        ("M5", "C3", "10/05/2023", OTHER),  # copy of M4, but the year after
    ]
    mt = pd.DataFrame(rows, columns=["meeting_id", "cell_id", "held_on", "minutes_text"])
    return dataset_from_frames(organisations=orgs, meetings=mt.assign(kind="regular"),
                               members=None, attendance=None)  # fmt: skip


@pytest.mark.parametrize("method", ["exact", "minhash"])
def test_audited_meetings_are_compared_with_every_year_and_organisation(method):
    from chibo_analysis.indicators.minutes import copied_minutes_in

    ds = _two_bases()
    opts = dict(method=method, min_words=10)
    # B2 in 2022: M2 is a copy of M1, held in 2021 in C1 of B1: found, M1 the source.
    # M4's copy M5 is later (2023): M4 is not a copy, and M5 is outside the audit.
    pairs, cells = copied_minutes_in(ds, "2022", "B2", **opts)
    assert pairs[["meeting_id_a", "cell_id_a", "meeting_id_b"]].values.tolist() == [
        ["M1", "C1", "M2"]
    ]
    assert not pairs["same_cell"].iloc[0]
    # only B2's meetings of 2022 are counted per cell: C2 (M2 copied), C3 (M4 not)
    c = cells.set_index("cell_id")
    assert c.index.tolist() == ["C2", "C3"]
    assert c["copied"].tolist() == [1, 0] and c["copied_across"].tolist() == [1, 0]
    # B1 in 2022: M3 has two earlier near-duplicates, M1 (same cell, the year before) and
    # M2 (B2, a month before): both pairs listed; M2's own pair (B2's copy) is not
    pairs, _ = copied_minutes_in(ds, "2022", "B1", **opts)
    assert pairs[["meeting_id_a", "meeting_id_b"]].values.tolist() == [["M1", "M3"], ["M2", "M3"]]
    # 2023 in B2: M5 copies M4 of 2022
    pairs, _ = copied_minutes_in(ds, "2023", "B2", **opts)
    assert pairs[["meeting_id_a", "meeting_id_b"]].values.tolist() == [["M4", "M5"]]
    # 2021: M1 is the earliest: a source, not a copy
    assert copied_minutes_in(ds, "2021", "TP", **opts).pairs.empty


def test_copied_minutes_in_names_the_source_organisation():
    from chibo_analysis.present.study_data import copied_minutes_in

    pairs, cells = copied_minutes_in(_two_bases(), "2022", "B2", method="exact", min_words=10)
    # the source M1 is C1 "Tổ 1" of Phường X: two cells are called "Tổ 1", its base tells
    assert pairs[["name_a", "base_a", "meeting_id_a"]].values.tolist() == [
        ["Tổ 1", "Phường X", "M1"]
    ]
    assert cells["cell_id"].tolist() == ["C2"]  # only cells with copies
