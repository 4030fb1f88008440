"""The charts of chibo_analysis.present.charts, drawn on small hand-made results."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.ft2font import FT2Font  # noqa: E402

from chibo_analysis import labels
from chibo_analysis.errors import ChiboError, ParameterError  # noqa: E402
from chibo_analysis.present import charts  # noqa: E402
from chibo_analysis.stats.control import laney_p_chart  # noqa: E402
from chibo_analysis.stats.funnel import funnel_curve, funnel_limits  # noqa: E402

MONTHS = pd.date_range("2022-01-01", periods=4, freq="MS")


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _texts(ax) -> str:
    legend = ax.get_legend()
    parts = [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
    parts += [t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels()]
    if legend is not None:
        parts += [t.get_text() for t in legend.get_texts()]
    return " | ".join(parts)


def test_dejavu_sans_has_every_glyph_of_the_catalogue():
    # The font ships with matplotlib; every Vietnamese character of the
    # catalogue (Ỷ, ữ, ợ, ...) must be in it, or charts would show boxes.
    path = charts.check_font()
    assert "DejaVuSans" in path
    charmap = FT2Font(path).get_charmap()
    text = "".join(e["vi"] + e["en"] for e in labels.catalogue().values())
    missing = {ch for ch in text if ord(ch) not in charmap and not ch.isspace()}
    assert missing == set()


def test_presence_grid_of_many_cells_keeps_a_readable_size():
    # 200 cells: no names (illegible), no white line per row, a page-sized chart
    grid = pd.DataFrame(
        np.ones((200, 12)),
        index=[f"CB{i}" for i in range(200)],
        columns=pd.date_range("2022-01-01", periods=12, freq="MS"),
    )
    ax = charts.plot_presence_grid(grid)
    assert ax.figure.get_size_inches()[1] == 9.0
    assert len(ax.get_yticks()) == 0 and len(ax.get_yticks(minor=True)) == 0
    assert len(ax.get_xticks(minor=True)) == 13
    few = charts.plot_presence_grid(grid.iloc[:10])
    assert [t.get_text() for t in few.get_yticklabels()][:2] == ["CB0", "CB1"]
    assert few.figure.get_size_inches()[1] == pytest.approx(2.0 + 0.22 * 10)
    plt.close("all")


def test_presence_grid_by_base_separates_and_names_the_groups():
    months = pd.date_range("2022-01-01", periods=12, freq="MS")
    bases = ["Phường Ỷ La"] * 50 + ["Xã Tràng Đà"] * 40 + [""] * 10
    index = pd.MultiIndex.from_arrays([bases, [f"CB{i}" for i in range(100)]])
    ax = charts.plot_presence_grid(pd.DataFrame(np.ones((100, 12)), index=index, columns=months))
    # more rows than can be named: the groups are, at their middles; "" is the base_cells
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "Phường Ỷ La",
        "Xã Tràng Đà",
        "Chi bộ cơ sở",
    ]
    assert ax.get_yticks().tolist() == [24.5, 69.5, 94.5]
    assert sorted(line.get_ydata()[0] for line in ax.get_lines()) == [49.5, 89.5]
    assert ax.get_ylabel() == "Chi bộ, theo đảng bộ cơ sở"
    few = charts.plot_presence_grid(
        pd.DataFrame(np.ones((3, 12)), index=index[48:51], columns=months), lang="en"
    )
    # few rows: the cells are named, the groups only separated
    assert [t.get_text() for t in few.get_yticklabels()] == ["CB48", "CB49", "CB50"]
    assert [line.get_ydata()[0] for line in few.get_lines()] == [1.5]
    assert few.get_ylabel() == "Cell"
    plt.close("all")


def test_check_font_names_the_missing_font(monkeypatch):
    def missing(*args, **kw):
        raise ValueError("Failed to find font")

    monkeypatch.setattr(font_manager, "findfont", missing)
    with pytest.raises(ChiboError, match="DejaVu Sans is missing"):
        charts.check_font()


def test_presence_grid_colours_held_missed_and_absent_months():
    # Cell A: held, missed, held, held; cell B: founded in March (2 empty months), then held.
    grid = pd.DataFrame(
        [[1, 0, 2, 1], [np.nan, np.nan, 1, 1]],
        index=["Chi bộ Ỷ La", "Chi bộ Mỹ Lâm"],
        columns=MONTHS,
    )
    ax = charts.plot_presence_grid(grid, lang="vi")
    image = ax.images[0]
    colours = [[to_hex(image.cmap(image.norm(v))) for v in row] for row in image.get_array()]
    met, miss, gone = charts.MET.lower(), charts.NOT_MET.lower(), charts.ABSENT.lower()
    assert colours == [[met, miss, met, met], [gone, gone, met, met]]
    text = _texts(ax)
    assert "Sinh hoạt thường kỳ theo tháng" in text and "Chi bộ Ỷ La" in text
    assert "01/2022" in text and "Không sinh hoạt" in text
    en = _texts(charts.plot_presence_grid(grid, kind="thematic", lang="en"))
    assert "Thematic meetings by quarter" in en and "Quarter" in en


def test_presence_grid_rejects_unknown_kind():
    with pytest.raises(ParameterError, match="kind='monthly'"):
        charts.plot_presence_grid(pd.DataFrame([[1]]), kind="monthly")


def test_funnel_colours_units_by_position():
    # Same worked case as the funnel's doctest: 9/10 is above, 35/100 below a 50% target;
    # 50/100 sits on the target, within.
    res = funnel_limits(pd.Series([9, 35, 50], index=["A", "B", "C"]), [10, 100, 100], target=0.5)
    curve = funnel_curve(0.5, 100)
    fig, ax = plt.subplots()
    out = charts.plot_funnel(
        res,
        curve,
        names=pd.Series(["An", "Bình", "Cường"], index=["A", "B", "C"]),
        ax=ax,
        lang="en",
    )
    assert out is ax  # drawn on the axes given, nothing new
    points = ax.collections[-1]
    assert [to_hex(c) for c in points.get_facecolors()] == [
        charts.MET.lower(), charts.NOT_MET.lower(), charts.NEUTRAL.lower(),
    ]  # fmt: skip
    text = _texts(ax)
    assert "Funnel plot" in text and "Register rows" in text and "Rate (%)" in text
    # Every coloured unit (outside the 95% limits: A above, B below) is named, the furthest
    # from the target first: A (|0.9 - 0.5| = 0.4) before B (|0.35 - 0.5| = 0.15); C is not.
    assert res.table["label_95"].tolist() == ["above", "below", "within"]
    assert [t.get_text() for t in ax.texts] == ["An", "Bình"]


def test_funnel_names_at_most_its_limit_and_counts_the_rest(monkeypatch):
    monkeypatch.setattr(charts, "FUNNEL_NAMED", 1)
    res = funnel_limits(pd.Series([9, 35, 50], index=["A", "B", "C"]), [10, 100, 100], target=0.5)
    fig, ax = plt.subplots()
    charts.plot_funnel(res, funnel_curve(0.5, 100), ax=ax, lang="vi")
    assert [t.get_text() for t in ax.texts] == ["A", "và 1 đơn vị khác ngoài giới hạn"]


def test_control_chart_marks_points_outside_the_limits():
    # Laney doctest case widened: months 40, 60, 50, 50 of 100 -> none outside;
    # a p-chart-like case with a month at 10% has that month outside.
    events = pd.Series([50, 52, 10, 49], index=MONTHS)
    chart = laney_p_chart(events, [100, 100, 100, 100], nsigmas=1.0)
    ax = charts.plot_control_chart(chart, lang="vi")
    outside = chart.table["label"].isin(["above", "below"])
    assert outside.iloc[2]
    red = [c for c in ax.collections if to_hex(c.get_facecolors()[0]) == charts.NOT_MET.lower()]
    assert len(red) == 1 and len(red[0].get_offsets()) == int(outside.sum())
    assert "Biểu đồ kiểm soát p′" in ax.get_title() and "Tỷ lệ (%)" in ax.get_ylabel()


def test_confusion_heatmap_shows_counts_in_schema_order_with_labels():
    table = pd.DataFrame([[3, 1], [0, 2]], index=["fair", "good"], columns=["fair", "good"])
    ax = charts.plot_confusion(table, lang="vi")
    # Reindexed to good, fair, average, poor: good/good = 2, good/fair = 0, fair/good = 1, fair/fair = 3.
    assert [t.get_text() for t in ax.texts][:6] == ["2", "0", "0", "0", "1", "3"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Tốt", "Khá", "Trung bình", "Kém"]
    assert ax.get_ylabel() == "Chi bộ tự xếp loại"


def test_caterpillar_sorts_and_colours_against_target():
    rates = pd.DataFrame(
        {"shrunken": [0.95, 0.80, 0.90], "lower": [0.92, 0.70, 0.85], "upper": [0.98, 0.88, 0.95]},
        index=["Đội Cấn", "Phan Thiết", "Tràng Đà"],
    )
    ax = charts.plot_caterpillar(rates, target=0.9, lang="en")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Phan Thiết", "Tràng Đà", "Đội Cấn"]
    dots = ax.collections[1]  # after the interval lines
    assert [to_hex(c) for c in dots.get_facecolors()] == [
        charts.NOT_MET.lower(), charts.NEUTRAL.lower(), charts.MET.lower(),
    ]  # fmt: skip


def test_trend_draws_one_line_per_organisation():
    frame = pd.DataFrame(
        {"period": ["2021", "2022", "2021", "2022"], "name": ["A", "A", "B", "B"],
         "attendance_rate": [0.8, 0.9, 0.95, 0.93]}
    )  # fmt: skip
    ax = charts.plot_trend(frame, "attendance_rate", target=0.9, lang="vi")
    lines = [ln for ln in ax.lines if ln.get_label() in ("A", "B")]
    assert [list(ln.get_ydata()) for ln in lines] == [[0.8, 0.9], [0.95, 0.93]]
    assert "Tỷ lệ đảng viên dự sinh hoạt" in ax.get_title() and ax.get_xlabel() == "Năm"


def test_a_trend_at_100_percent_shows_no_tick_above_100_percent():
    # a cell meeting every month of three years, target 100%: the axis was 96%..104% (issue 11)
    frame = pd.DataFrame(
        {"period": ["2020", "2021", "2022"], "name": ["A"] * 3, "regular_rate": [1.0] * 3}
    )
    ax = charts.plot_trend(frame, "regular_rate", target=1.0, lang="vi")
    ax.figure.canvas.draw()
    low, high = ax.get_ylim()
    assert high <= 1.01 and low >= 0.0
    shown = [t.get_text() for t in ax.get_yticklabels() if low <= t.get_position()[1] <= high]
    assert shown and all(float(t.rstrip("%").replace(",", ".")) <= 100 for t in shown), shown


def test_plots_neither_show_nor_write(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(plt, "show", lambda *a, **k: pytest.fail("plt.show called"))
    charts.plot_presence_grid(pd.DataFrame([[1.0]], index=["A"], columns=MONTHS[:1]))
    assert list(tmp_path.iterdir()) == []


def test_plots_leave_global_settings_alone():
    # rc_context would reset rcParams["interactive"] on exit and stop the notebook's inline
    # backend from showing later figures: the charts change nothing global.
    before = dict(matplotlib.rcParams)
    charts.plot_confusion(pd.DataFrame([[1]], index=["good"], columns=["good"]), lang="vi")
    assert dict(matplotlib.rcParams) == before


def _drawn_tick_labels(axis) -> list[str]:
    """The tick labels a reader sees (only the ticks within the axis' view)."""
    axis.figure.canvas.draw()
    low, high = sorted(axis.get_view_interval())
    return [t.get_text() for t, v in zip(axis.get_ticklabels(), axis.get_ticklocs(), strict=True)
            if low <= v <= high]  # fmt: skip


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_control_chart_tick_labels_are_distinct_on_a_narrow_axis(lang):
    # The issue's p' chart: every month between 93% and 94%, so whole
    # percentages repeat on the axis (94, 94, 94, 93, 93). Present 9,320 to
    # 9,380 of 10,000 each month: limits about +-0.8 points, ticks 0.2 apart.
    months = pd.date_range("2022-01-01", periods=6, freq="MS")
    present = pd.Series([9320, 9380, 9350, 9330, 9370, 9340], index=months)
    counted = pd.Series(10_000, index=months)
    ax = charts.plot_control_chart(laney_p_chart(present, counted), lang=lang)
    shown = _drawn_tick_labels(ax.yaxis)
    assert len(shown) >= 3
    assert len(set(shown)) == len(shown), shown
    sep = "," if lang == "vi" else "."
    assert all(sep in t for t in shown), shown  # decimals were needed, in the reader's notation


def test_percent_tick_labels_keep_whole_percentages_when_they_differ():
    # 0%, 25%, ... 100%: whole numbers already differ, so no decimals are added
    assert charts.percent_tick_labels([0, 0.25, 0.5, 0.75, 1.0], "vi") == [
        "0", "25", "50", "75", "100"
    ]  # fmt: skip
    # 93.2% and 93.25%: two decimals needed; "-0" never shown for a tick at -0.0001%
    assert charts.percent_tick_labels([0.932, 0.9325], "en") == ["93.20", "93.25"]
    assert charts.percent_tick_labels([-0.000001, 0.5], "en") == ["0", "50"]


def test_a_trend_of_many_organisations_names_the_lowest_and_greys_the_rest():
    # 20 organisations over 2020-2022; in 2022 organisation k has rate k/100: the six lowest
    # in the last year (0..5) are named, the other 14 grey under one legend entry.
    rows = [(y, f"Tổ chức {k:02d}", (k + (2022 - y)) / 100) for y in (2020, 2021, 2022)
            for k in range(20)]  # fmt: skip
    frame = pd.DataFrame(rows, columns=["period", "name", "attendance_rate"])
    fig, ax = plt.subplots()
    charts.plot_trend(frame, "attendance_rate", lang="en", ax=ax)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["Other organisations (14)"] + [f"Tổ chức {k:02d}" for k in range(6)]
    assert len(ax.lines) == 20
