"""Charts of the audit, one function per chart, seaborn style.

Every function takes a result the package has already computed, draws it on
``ax`` (a new figure when None) and returns the Axes: no computation beyond
arranging what to draw, no ``plt.show()``, no file writing. All text comes
from the label catalogue (:mod:`chibo_analysis.labels`) in ``lang``.

For print: titles, axis labels with units, colours that stay apart in grey
scale and for colour-blind readers (Okabe-Ito blue for *met*, vermillion for
*not met*, the same in every chart), and DejaVu Sans, which ships with
matplotlib and has every Vietnamese glyph (no font download).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from chibo_analysis.labels import category_labels, check_lang, label
from chibo_analysis.schema import RATINGS

#: Names on a chart (axis labels, annotations) are cut to this many characters.
NAME_WIDTH = 40


def short_name(value: object, width: int = NAME_WIDTH) -> str:
    """A name cut to a width a chart can show, with an ellipsis when cut.

    >>> short_name("Chi bộ Tổ dân phố số 12 phường Phan Thiết thành phố Tuyên Quang", 20)
    'Chi bộ Tổ dân phố s…'
    """
    text = " ".join(str(value).split())
    return text if len(text) <= width else text[: width - 1] + "…"


if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

    from chibo_analysis.stats.control import ControlChart
    from chibo_analysis.stats.funnel import FunnelResult

#: Colour of what meets a rule or target, in every chart.
MET = "#0072B2"
#: Colour of what does not.
NOT_MET = "#D55E00"
#: Colour of what is neither (within limits, reference lines).
NEUTRAL = "#7F7F7F"
#: Colour of months or quarters in which a cell did not exist.
ABSENT = "#E8E8E8"
#: The font: bundled with matplotlib, covers Vietnamese.
FONT = "DejaVu Sans"

#: A presence grid with more rows than this shows no row names (they would not be legible).
MAX_NAMED_ROWS = 80

#: Text sizes (points) of titles and of everything else.
TITLE_SIZE, TEXT_SIZE = 11, 9


def check_font() -> str:
    """Path of the chart font (DejaVu Sans, with every Vietnamese glyph), pyplot loaded.

    Call it once before the data is ready: it fails early, with a clear
    message, where the font is missing (charts would otherwise show boxes for
    ư, ơ, ạ ...), and it loads pyplot and the font cache, so the first chart
    does not pay for them. The audit notebooks call it while the dataset is
    being loaded.

    Raises
    ------
    ChiboError
        DejaVu Sans is not installed with matplotlib.
    """
    import matplotlib.pyplot  # noqa: F401 - the charts draw through it
    from matplotlib import font_manager

    from chibo_analysis.errors import ChiboError

    try:
        return font_manager.findfont(
            font_manager.FontProperties(family=FONT), fallback_to_default=False
        )
    except ValueError as err:
        raise ChiboError(
            f"the chart font {FONT} is missing; it ships with matplotlib: "
            "reinstall matplotlib (pip install --force-reinstall matplotlib)"
        ) from err


def _style():
    """Nothing global is changed (rc_context would upset the notebook's inline backend):
    fonts and sizes are set on each chart's own texts by :func:`_finish`."""
    return nullcontext()


def _finish(ax: Axes) -> Axes:
    """Set the font (DejaVu Sans: every Vietnamese glyph) and sizes on every text of the chart."""
    from matplotlib.text import Text

    for text in ax.figure.findobj(Text):
        text.set_fontfamily(FONT)
    ax.title.set_fontsize(TITLE_SIZE)
    ax.title.set_fontweight("bold")
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)
    return ax


def _axes(ax: Axes | None, size: tuple[float, float]) -> Axes:
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=size, layout="constrained")
    return ax


def percent_tick_labels(values, lang: str = "vi", max_digits: int = 3) -> list[str]:
    """Labels of percentage ticks (shares in [0, 1]), with just enough decimals to differ.

    The fewest decimals (up to ``max_digits``) that write every tick exactly
    (ticks are round numbers: 93.25% needs two), so that no two labels are
    the same (a p′ chart's axis spanning 93% to 94% repeated "93, 93, 94");
    ticks that are not round numbers get the fewest decimals that tell them
    apart. Written in the language's notation.

    Examples
    --------
    >>> percent_tick_labels([0.5, 0.75, 1.0])
    ['50', '75', '100']
    >>> percent_tick_labels([0.932, 0.934, 0.936, 0.938], "vi")
    ['93,2', '93,4', '93,6', '93,8']
    >>> percent_tick_labels([0.9325, 0.935], "en")
    ['93.25', '93.50']
    """
    from chibo_analysis.labels import fmt_number

    shown = [float(v) * 100 for v in values]
    texts: list[str] = []
    for digits in range(max_digits + 1):
        texts = [fmt_number(v + 0.0, lang, digits) for v in shown]
        exact = all(abs(round(v, digits) - v) < 1e-6 for v in shown)
        if len(set(texts)) == len(texts) and exact:
            break
    else:  # ticks that are not round numbers: the fewest decimals that tell them apart
        for digits in range(max_digits + 1):
            texts = [fmt_number(v + 0.0, lang, digits) for v in shown]
            if len(set(texts)) == len(texts):
                break
    # "-0" for a tick a hair below zero reads as a mistake
    return [t[1:] if t.startswith("-") and not t.strip("-0.,") else t for t in texts]


def _percent_axis(axis, lang: str = "vi") -> None:
    """Tick labels of a share axis as percentages, always distinct (see :func:`percent_tick_labels`)."""
    from matplotlib.ticker import Formatter

    class _Percent(Formatter):
        def set_locs(self, locs) -> None:
            ticks = [float(v) for v in locs]
            self._texts = dict(zip(ticks, percent_tick_labels(ticks, lang), strict=True))

        def __call__(self, x, pos=None) -> str:
            text = getattr(self, "_texts", {}).get(x)
            return text if text is not None else percent_tick_labels([x], lang)[0]

    axis.set_major_formatter(_Percent())


def _share_limits(ax) -> None:
    """Keep a share axis within 0%–100% (a flat line at 100% was drawn between 96% and 104%).

    A small margin beyond the bound keeps a line at exactly 0% or 100% visible.
    """
    low, high = ax.get_ylim()
    margin = 0.03 * (min(high, 1.0) - max(low, 0.0) or 0.04)
    ax.set_ylim(max(low, -margin), min(high, 1.0 + margin))


def _grouped_axis(axis, lang: str) -> None:
    from matplotlib.ticker import FuncFormatter

    from chibo_analysis.labels import fmt_int

    axis.set_major_formatter(FuncFormatter(lambda v, _: fmt_int(v, lang)))


def _month_text(lang: str) -> Callable[[pd.Timestamp], str]:
    return (
        (lambda t: f"{t.month:02d}/{t.year}") if lang == "vi" else (lambda t: t.strftime("%b %Y"))
    )


def _period_text(value: object, lang: str) -> str:
    if isinstance(value, pd.Timestamp | np.datetime64):
        stamp = pd.Timestamp(value)
        return _month_text(lang)(stamp)
    if isinstance(value, pd.Period) and value.freqstr.startswith("Q"):
        return (
            f"Q{value.quarter}/{value.year}" if lang == "vi" else f"{value.year} Q{value.quarter}"
        )
    return str(value)


def plot_presence_grid(
    grid: pd.DataFrame,
    *,
    kind: str = "regular",
    ax: Axes | None = None,
    lang: str = "vi",
) -> Axes:
    """Heatmap of units × periods: held (met colour), missed (not met), did not exist (grey).

    Parameters
    ----------
    grid : DataFrame
        Index: the units as they should be labelled (cell names); columns: the
        periods in order (month Timestamps, quarter Periods or text); values:
        meetings held (0 = missed), empty where the unit did not exist.
    kind : {'regular', 'thematic'}
        Which title and axis the chart gets: monthly regular meetings (R1) or
        quarterly thematic meetings (R2).
    """
    check_lang(lang)
    if kind not in ("regular", "thematic"):
        from chibo_analysis.errors import check_argument

        check_argument("kind", kind, ("regular", "thematic"))
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    values = grid.astype("float64").to_numpy()
    state = np.where(np.isnan(values), 0, np.where(values > 0, 2, 1))
    show_names = len(grid) <= MAX_NAMED_ROWS
    grouped = isinstance(grid.index, pd.MultiIndex) and grid.index.nlevels == 2
    units = grid.index.get_level_values(-1) if grouped else grid.index
    shown = units if show_names else grid.index.get_level_values(0) if grouped else []
    longest = max((len(str(x)) for x in shown), default=0)
    with _style():
        # named rows need room for their names; beyond that a fixed height (a
        # 337-row chart 24 inches tall took a second to draw and no one reads it);
        # the width grows with the longest name so that the grid keeps its size
        height = 2.0 + 0.22 * len(grid) if show_names else 9.0
        width = max(8.0, 0.32 * grid.shape[1] + 5) + max(0.0, 0.075 * longest - 2.0)
        ax = _axes(ax, (width, height))
        cmap = ListedColormap([ABSENT, NOT_MET, MET])
        ax.imshow(state, aspect="auto", cmap=cmap, vmin=0, vmax=2, interpolation="nearest")
        ax.set_xticks(range(grid.shape[1]), [_period_text(c, lang) for c in grid.columns])
        ax.tick_params(axis="x", labelrotation=90 if grid.shape[1] > 8 else 0)
        ax.set_yticks(range(len(grid)) if show_names else [])
        if show_names:
            ax.set_yticklabels([short_name(i) for i in units])
        if grouped:
            _group_rows(ax, grid.index.get_level_values(0), label_groups=not show_names, lang=lang)
        ax.set_xticks(np.arange(-0.5, grid.shape[1]), minor=True)
        ax.set_yticks(np.arange(-0.5, len(grid)) if show_names else [], minor=True)
        ax.grid(which="minor", color="white", linewidth=1)
        ax.tick_params(which="minor", length=0)
        for side in ("top", "right", "left", "bottom"):
            ax.spines[side].set_visible(False)
        ax.set_title(
            label(f"chart.{'regular_heatmap' if kind == 'regular' else 'thematic_quarters'}", lang)
        )
        ax.set_xlabel(label("unit.month" if kind == "regular" else "unit.quarter", lang))
        grouped_labels = grouped and not show_names
        ax.set_ylabel(label("unit.base_of_cells" if grouped_labels else "unit.cell", lang))
        handles = [
            Patch(color=MET, label=label("word.held", lang)),
            Patch(color=NOT_MET, label=label("word.missed", lang)),
            Patch(color=ABSENT, label=label("word.not_existing", lang)),
        ]
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    return _finish(ax)


def _group_rows(ax: Axes, groups: pd.Index, *, label_groups: bool, lang: str) -> None:
    """Lines between consecutive groups of rows; with ``label_groups``, their names as y labels.

    Group names go at the middle of their rows, skipping a group whose label
    would touch the one above; the empty group is the cells that are base
    organisations themselves (``base_cell``), named by that level.
    """
    keys = np.asarray(groups, dtype=object)
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    ends = np.r_[starts[1:], len(keys)]
    for start in starts[1:]:
        ax.axhline(start - 0.5, color="black", linewidth=0.8)
    if not label_groups:
        return
    height_in = ax.figure.get_size_inches()[1] - 2.0  # about the plotting area
    gap = 0.16 * len(keys) / max(height_in, 1.0)  # rows a 9-point label needs
    level = category_labels("organisations", "level", lang)["base_cell"]
    ticks, names, last = [], [], -np.inf
    for start, end in zip(starts, ends, strict=True):
        middle = (start + end - 1) / 2
        if middle - last >= gap:
            ticks.append(middle)
            names.append(short_name(keys[start]) or level)
            last = middle
    ax.set_yticks(ticks, names)


#: Points outside the 95% limits a funnel plot names (the furthest from the overall rate).
FUNNEL_NAMED = 20


def plot_funnel(
    result: FunnelResult,
    curve: pd.DataFrame,
    *,
    names: pd.Series | None = None,
    ax: Axes | None = None,
    lang: str = "vi",
) -> Axes:
    """Funnel plot: each unit's rate against its size, with 95% and 99.8% limits.

    Parameters
    ----------
    result : FunnelResult
        From :func:`chibo_analysis.stats.funnel.funnel_limits` (attendance:
        events = present, trials = counted register rows).
    curve : DataFrame
        The limit lines, from :func:`chibo_analysis.stats.funnel.funnel_curve`.
    names : Series, optional
        Label of each unit (indexed like ``result.table``); every unit outside
        the 95% limits (a coloured point) is annotated with it, up to
        :data:`FUNNEL_NAMED`, the furthest first (default: the table's index).
    """
    check_lang(lang)
    table = result.table
    smallest = table.loc[table["trials"] > 0, "trials"].min()
    curve = curve[curve["trials"] >= (smallest / 2 if smallest == smallest else 1)]
    colour = table["label_95"].map({"above": MET, "below": NOT_MET}).fillna(NEUTRAL)
    with _style():
        ax = _axes(ax, (7.0, 4.5))
        for tag, style, key in (("95", "--", "word.limit_95"), ("998", ":", "word.limit_998")):
            if f"lower_{tag}" in curve:
                ax.plot(curve["trials"], curve[f"lower_{tag}"], style, color=NEUTRAL, lw=1,
                        label=label(key, lang))  # fmt: skip
                ax.plot(curve["trials"], curve[f"upper_{tag}"], style, color=NEUTRAL, lw=1)
        if result.target == result.target:  # NaN without data
            ax.axhline(result.target, color="black", lw=1, label=label("word.overall", lang))
        ax.scatter(table["trials"], table["rate"], c=colour.tolist(), s=22, zorder=3,
                   edgecolors="white", linewidths=0.5)  # fmt: skip
        if names is None:
            names = pd.Series(table.index, index=table.index)
        # every coloured point (outside the 95% limits) is named, the furthest first
        outside = table[table["label_95"].isin(["above", "below"])]
        far = (outside["rate"] - result.target).abs().sort_values(ascending=False)
        for k, idx in enumerate(far.index[:FUNNEL_NAMED]):
            row = outside.loc[idx]
            ax.annotate(short_name(names.get(idx, idx), 28), (row["trials"], row["rate"]),
                        fontsize=6.5, xytext=(4, 3 if k % 2 else -7),
                        textcoords="offset points")  # fmt: skip
        if len(far) > FUNNEL_NAMED:
            ax.text(0.99, 0.02, label("word.more_outside", lang, n=len(far) - FUNNEL_NAMED),
                    transform=ax.transAxes, ha="right", va="bottom", fontsize=7)  # fmt: skip
        if not len(table):
            _no_data(ax, lang)
        _grouped_axis(ax.xaxis, lang)
        ax.set_xlim(left=0)
        _percent_axis(ax.yaxis, lang)
        ax.set_title(label("chart.funnel", lang))
        ax.set_xlabel(label("unit.register_rows", lang))
        ax.set_ylabel(label("unit.percent", lang))
        _legend_positions(ax, lang)
    return _finish(ax)


def _no_data(ax: Axes, lang: str) -> None:
    """Say on an empty chart that there is nothing to draw, rather than show bare axes."""
    ax.text(0.5, 0.5, label("word.no_data", lang), transform=ax.transAxes, ha="center",
            va="center", color=NEUTRAL, fontsize=TITLE_SIZE)  # fmt: skip


def _legend_positions(ax: Axes, lang: str) -> None:
    from matplotlib.lines import Line2D

    handles, _ = ax.get_legend_handles_labels()
    marks = [
        Line2D([], [], ls="", marker="o", color=c, label=label(k, lang))
        for c, k in ((MET, "word.above"), (NEUTRAL, "word.within"), (NOT_MET, "word.below"))
    ]
    ax.legend(handles=handles + marks, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False,
              fontsize=8)  # fmt: skip


def plot_control_chart(chart: ControlChart, *, ax: Axes | None = None, lang: str = "vi") -> Axes:
    """p or Laney p′ chart: the monthly rate, its centre line and control limits.

    Parameters
    ----------
    chart : ControlChart
        From :func:`chibo_analysis.stats.control.laney_p_chart` (or ``p_chart``),
        its table indexed by month.
    """
    check_lang(lang)
    table = chart.table
    x = np.arange(len(table))
    outside = table["label"].isin(["above", "below"]).to_numpy()
    with _style():
        ax = _axes(ax, (7.0, 3.8))
        ax.step(x, table["ucl"], where="mid", color=NEUTRAL, lw=1, ls="--",
                label=label("word.control_limits", lang))  # fmt: skip
        ax.step(x, table["lcl"], where="mid", color=NEUTRAL, lw=1, ls="--")
        ax.axhline(chart.center, color="black", lw=1, label=label("word.centre", lang))
        ax.plot(x, table["rate"], color=MET, marker="o", ms=4, lw=1.2,
                label=label("word.observed", lang))  # fmt: skip
        if outside.any():
            ax.scatter(x[outside], table["rate"].to_numpy()[outside], color=NOT_MET, s=40,
                       zorder=3, label=label("word.out_of_control", lang))  # fmt: skip
        ax.set_xticks(x, [_period_text(i, lang) for i in table.index])
        ax.tick_params(axis="x", labelrotation=90 if len(x) > 12 else 45)
        _percent_axis(ax.yaxis, lang)
        ax.set_title(label("chart.control", lang))
        ax.set_xlabel(label("unit.month", lang))
        ax.set_ylabel(label("unit.percent", lang))
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=8)
    return _finish(ax)


def plot_confusion(table: pd.DataFrame, *, ax: Axes | None = None, lang: str = "vi") -> Axes:
    """Heatmap of the confusion table: self-ratings (rows) against inspection ratings (columns).

    Parameters
    ----------
    table : DataFrame
        Counts of meetings, index and columns the rating codes (good, fair,
        average, poor); the diagonal is agreement.
    """
    check_lang(lang)
    names = category_labels("meetings", "self_rating", lang)
    order = [c.code for c in RATINGS]
    counts = table.reindex(index=order, columns=order, fill_value=0).astype(float).fillna(0)
    values = counts.to_numpy()
    with _style():
        ax = _axes(ax, (5.2, 4.4))
        ax.imshow(values, cmap="Blues", vmin=0, vmax=max(values.max(), 1))
        top = values.max() if values.size else 0
        for (i, j), v in np.ndenumerate(values):
            weight = "bold" if i == j else "normal"
            ax.text(j, i, f"{int(v)}", ha="center", va="center", fontweight=weight,
                    color="white" if v > top * 0.6 else "black")  # fmt: skip
        ax.set_xticks(range(len(order)), [names[c] for c in order])
        ax.set_yticks(range(len(order)), [names[c] for c in order])
        for side in ("top", "right", "left", "bottom"):
            ax.spines[side].set_visible(False)
        ax.set_title(label("chart.confusion", lang))
        ax.set_xlabel(label("word.inspection_rating", lang))
        ax.set_ylabel(label("word.self_rating", lang))
    return _finish(ax)


def plot_caterpillar(
    rates: pd.DataFrame,
    *,
    target: float | None = None,
    ax: Axes | None = None,
    lang: str = "vi",
) -> Axes:
    """Shrunken rates with their intervals, units sorted by rate.

    Parameters
    ----------
    rates : DataFrame
        Index: unit labels; columns ``shrunken`` (the estimate), ``lower``,
        ``upper`` (shares in [0, 1]) and optionally ``rate`` (the observed rate,
        drawn hollow): the ``table`` of
        :func:`chibo_analysis.stats.shrinkage.shrunken_rates`.
    target : float, optional
        A target line; units whose upper limit is below it are drawn in the
        not-met colour, those whose lower limit reaches it in the met colour.
    """
    check_lang(lang)
    if rates.empty or rates["shrunken"].isna().all():
        # no unit, or shrinkage does not apply (fewer than two units to estimate from)
        ax = _axes(ax, (6.5, 2.5))
        key = "word.no_data" if rates.empty else "text.shrinkage_not_applicable"
        ax.text(0.5, 0.5, label(key, lang), transform=ax.transAxes, ha="center", va="center",
                wrap=True, color=NEUTRAL, fontsize=TEXT_SIZE)  # fmt: skip
        ax.set_axis_off()
        ax.set_title(label("chart.caterpillar", lang))
        return _finish(ax)
    data = rates.sort_values("shrunken")
    y = np.arange(len(data))
    colour = np.full(len(data), NEUTRAL, dtype=object)
    if target is not None:
        colour[(data["upper"] < target).to_numpy()] = NOT_MET
        colour[(data["lower"] >= target).to_numpy()] = MET
    with _style():
        ax = _axes(ax, (6.5, min(2.0 + 0.2 * len(data), 24.0)))
        ax.hlines(y, data["lower"], data["upper"], colors=colour.tolist(), lw=1.5)
        ax.scatter(data["shrunken"], y, c=colour.tolist(), s=18, zorder=3)
        ax.plot([], [], color=NEUTRAL, lw=1.5, label=label("word.interval_95", lang))
        ax.plot([], [], ls="", marker="o", ms=4, color=NEUTRAL, label=label("word.shrunk", lang))
        if "rate" in data:
            ax.scatter(data["rate"], y, facecolors="none", edgecolors=NEUTRAL, s=18, zorder=2,
                       label=label("word.observed", lang))  # fmt: skip
        if target is not None:
            ax.axvline(target, color="black", lw=1, ls="--", label=label("column.target", lang))
        show_names = len(data) <= MAX_NAMED_ROWS
        ax.set_yticks(y if show_names else [])
        if show_names:
            ax.set_yticklabels([short_name(i) for i in data.index])
        _percent_axis(ax.xaxis, lang)
        ax.set_title(label("chart.caterpillar", lang))
        ax.set_xlabel(label("unit.percent", lang))
        ax.set_ylabel(label("unit.organisation", lang))
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=8)
    return _finish(ax)


#: Lines a trend chart of many organisations names (the lowest in the last year).
TREND_NAMED = 6


def plot_trend(
    frame: pd.DataFrame,
    column: str,
    *,
    by: str = "name",
    target: float | None = None,
    ax: Axes | None = None,
    lang: str = "vi",
) -> Axes:
    """Lines of a yearly rate, one per organisation.

    Parameters
    ----------
    frame : DataFrame
        Scorecard rows of several periods: ``period``, ``by`` and ``column``.
    column : str
        A rate column of the scorecard (share in [0, 1]).
    by : str
        The column naming each line.
    target : float, optional
        A target line in the not-met colour's complement (black, dashed).
    """
    check_lang(lang)
    from chibo_analysis.labels import column_label

    wide = frame.pivot_table(
        index="period", columns=by, values=column, aggfunc="first", observed=True
    )
    with _style():
        ax = _axes(ax, (7.0, 4.0))
        x = [str(p) for p in wide.index]
        # many lines: the TREND_NAMED lowest in the last year in colour and named, the others
        # grey in one legend entry (33 unnamed colours tell a reader nothing)
        last = wide.ffill().iloc[-1].astype(float) if len(wide) else pd.Series(dtype=float)
        named = list(last.sort_values(kind="stable").index[:TREND_NAMED])
        if len(wide.columns) <= 12:
            named = list(wide.columns)
        others = [c for c in wide.columns if c not in named]
        for k, name in enumerate(others):
            ax.plot(x, wide[name].astype(float), color=NEUTRAL, lw=0.7, alpha=0.5,
                    label=label("word.other_units", lang, n=len(others)) if k == 0 else None)  # fmt: skip
        for name in named:
            ax.plot(x, wide[name].astype(float), marker="o", ms=3, lw=1.4,
                    label=short_name(name))  # fmt: skip
        if target is not None:
            ax.axhline(target, color="black", lw=1, ls="--", label=label("column.target", lang))
        _share_limits(ax)
        _percent_axis(ax.yaxis, lang)
        ax.set_title(f"{label('chart.trend', lang)}: {column_label(column, lang)}")
        ax.set_xlabel(label("unit.year", lang))
        ax.set_ylabel(label("unit.percent", lang))
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=7)
    return _finish(ax)
