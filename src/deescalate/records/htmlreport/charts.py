"""The report's charts, drawn by Matplotlib as SVG to go inline in the page.

Matplotlib because it is the well-kept plotting library that writes SVG with no
browser, no JavaScript and no network: the page then opens offline and prints as it
is. Each series is told apart by hatching, markers and line styles as well as colour,
so a chart reads in black and white. Every mark (a bar, a point) gets an id ending in
`-mark-N`, so a test in a browser can count what was drawn.
Needs the `report` extra (`pip install 'deescalate[report]'`); imported only here.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from typing import Any

from deescalate.errors import BadInput
from deescalate.records.format import OUTCOMES

MISSING = ("records report needs matplotlib, which is not installed: "
           "pip install 'deescalate[report]'")
_HATCHES = ("", "//", "xx", "..", "\\\\", "++", "oo")
_GREYS = ("#1b6ca8", "#f2a541", "#c0392b", "#7f8c8d", "#2c3e50", "#16a085", "#8e44ad")


def matplotlib() -> Any:
    """Matplotlib, set up for SVG with text kept as text (small, selectable)."""
    try:
        import matplotlib as mpl
    except ImportError:
        raise BadInput(MISSING) from None
    mpl.use("svg", force=True)
    # Text from playbooks and records is text: never mathtext ("$20 or $30").
    mpl.rcParams.update({"svg.fonttype": "none", "svg.hashsalt": "deescalate",
                         "text.parse_math": False,
                         "font.size": 9, "font.family": "sans-serif",
                         "axes.spines.top": False, "axes.spines.right": False,
                         "hatch.linewidth": 0.6})
    return mpl


def _figure(width: float, height: float) -> tuple[Any, Any]:
    from matplotlib.figure import Figure

    matplotlib()
    figure = Figure(figsize=(width, height), layout="constrained")
    return figure, figure.add_subplot()


def svg(figure: Any) -> str:
    """The figure as an SVG element for an HTML page (no XML prolog, no fixed size)."""
    out = io.StringIO()
    figure.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    text = out.getvalue()
    text = text[text.index("<svg"):]
    return re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r'<svg\1', text, count=1)


def _mark(artist: Any, chart: str, count: list[int]) -> None:
    artist.set_gid(f"{chart}-mark-{count[0]}")
    count[0] += 1


def outcomes_by_week(weeks: Sequence[str], counts: Mapping[str, Sequence[int]]
                     ) -> tuple[str, int]:
    """Calls per week, stacked by outcome; the SVG and how many marks."""
    figure, axes = _figure(7.5, 3.2)
    bottom = [0] * len(weeks)
    marks = [0]
    for n, outcome in enumerate(OUTCOMES):
        values = counts[outcome]
        bars = axes.bar(range(len(weeks)), values, bottom=bottom, label=outcome,
                        color=_GREYS[n], hatch=_HATCHES[n], edgecolor="white", linewidth=0.3)
        for bar, value in zip(bars, values, strict=True):
            if value:
                _mark(bar, "weeks", marks)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    _week_axis(axes, weeks)
    axes.set_ylabel("calls")
    axes.legend(ncols=len(OUTCOMES), loc="upper left", bbox_to_anchor=(0, 1.15),
                frameon=False, fontsize=8)
    return svg(figure), marks[0]


def _week_axis(axes: Any, weeks: Sequence[str]) -> None:
    step = max(1, len(weeks) // 12)
    axes.set_xticks(range(0, len(weeks), step), [weeks[i] for i in range(0, len(weeks), step)],
                    rotation=45, ha="right", fontsize=7)
    axes.set_xlim(-0.7, len(weeks) - 0.3)


def mood_by_week(weeks: Sequence[str], start: Sequence[float | None],
                 end: Sequence[float | None]) -> tuple[str, int]:
    """The mean first and last mood rating per week (1 calm to 5 hostile)."""
    figure, axes = _figure(7.5, 2.8)
    marks = [0]
    for values, label, style, marker, colour in (
            (start, "at the start", "-", "o", _GREYS[2]),
            (end, "at the end", "--", "s", _GREYS[0])):
        points = [(i, v) for i, v in enumerate(values) if v is not None]
        axes.plot([i for i, _ in points], [v for _, v in points], linestyle=style,
                  color=colour, label=label, linewidth=1.2)
        for i, value in points:
            (dot,) = axes.plot([i], [value], marker=marker, color=colour, markersize=4,
                               linestyle="none")
            _mark(dot, "mood", marks)
    _week_axis(axes, weeks)
    axes.set_ylim(1, 5)
    axes.set_ylabel("mood (1 calm, 5 hostile)")
    axes.legend(loc="upper right", frameon=False, fontsize=8)
    return svg(figure), marks[0]


def horizontal(chart: str, labels: Sequence[str], values: Sequence[float], *,
               axis: str, share: bool = False) -> tuple[str, int]:
    """One bar per label, top to bottom (the funnel, the agents)."""
    figure, axes = _figure(7.5, max(1.6, 0.28 * len(labels) + 0.8))
    marks = [0]
    bars = axes.barh(range(len(labels)), values, color=_GREYS[0], hatch="//",
                     edgecolor="white", linewidth=0.3)
    for bar, value in zip(bars, values, strict=True):
        if value:
            _mark(bar, chart, marks)
    axes.set_yticks(range(len(labels)), [_short(label) for label in labels], fontsize=8)
    axes.invert_yaxis()
    axes.set_xlabel(axis)
    if share:
        axes.set_xlim(0, 1)
        axes.xaxis.set_major_formatter(lambda x, _: f"{x:.0%}")
    return svg(figure), marks[0]


def _short(label: str) -> str:
    from deescalate.text import one_line

    label = one_line(label)
    return label if len(label) <= 38 else label[:37] + "…"


def versions(names: Sequence[str], shares: Mapping[str, Sequence[tuple[float, float, float]
                                                             | None]]) -> tuple[str, int]:
    """Each figure per version, a bar with its 95% interval as an error bar."""
    figure, axes = _figure(7.5, 2.8)
    marks = [0]
    width = 0.8 / max(1, len(names))
    for n, name in enumerate(names):
        places, heights, below, above = [], [], [], []
        for place, figure_name in enumerate(shares):
            found = shares[figure_name][n]
            if found is not None:
                value, low, high = found
                places.append(place + (n - (len(names) - 1) / 2) * width)
                heights.append(value)
                below.append(max(0.0, value - low))  # no rounding below zero
                above.append(max(0.0, high - value))
        bars = axes.bar(places, heights, width * 0.95, yerr=[below, above], capsize=3,
                        label=name, color=_GREYS[n % len(_GREYS)],
                        hatch=_HATCHES[n % len(_HATCHES)], edgecolor="white",
                        linewidth=0.3, error_kw={"elinewidth": 1, "ecolor": "black"})
        for bar, height in zip(bars, heights, strict=True):
            if height:
                _mark(bar, "versions", marks)
    axes.set_xticks(range(len(shares)), [f"{name} share" for name in shares])
    axes.set_ylim(0, 1)
    axes.yaxis.set_major_formatter(lambda y, _: f"{y:.0%}")
    axes.legend(frameon=False, fontsize=8, loc="upper right")
    return svg(figure), marks[0]
