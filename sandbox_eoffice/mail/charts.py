"""The campaign charts, drawn on the server with matplotlib as SVG (no script in the page).

Figures are made with `matplotlib.figure.Figure` (never pyplot: no global state shared
between requests) on the Agg-free SVG backend; text stays text (`svg.fonttype: none`) so the
labels are real, translatable and searchable words, and the output is deterministic (no date
in the metadata, a fixed id salt).
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")  # no display on a server; the SVG canvas is used for output

from matplotlib.figure import Figure  # noqa: E402

BLUE = "#0b4f8a"
RED = "#b3261e"
GREEN = "#2e7d32"
ORANGE = "#c25e00"
_STYLE = {
    "svg.fonttype": "none",
    "svg.hashsalt": "sandbox-eoffice-mail",
    "font.family": "DejaVu Sans",
    "font.size": 10,
}


def _svg(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    return buffer.getvalue()


def funnel_chart(title: str, labels: Sequence[str], values: Sequence[int], total_label: str,
                 ) -> bytes:
    """Horizontal bars, one per stage (delivered, opened, clicked, ...), recipients counted."""
    with matplotlib.rc_context(_STYLE):
        figure = Figure(figsize=(7, 0.5 * len(labels) + 1.2))
        axes = figure.add_subplot()
        colours = [BLUE, BLUE, ORANGE, RED, RED, GREEN][:len(labels)]
        positions = list(range(len(labels)))[::-1]
        bars = axes.barh(positions, values, color=colours)
        axes.set_yticks(positions, labels=list(labels))
        axes.bar_label(bars, padding=3)
        axes.set_xlim(0, max([*values, 1]) * 1.15)
        axes.set_xlabel(total_label)
        axes.set_title(title, loc="left", fontweight="bold")
        axes.xaxis.get_major_locator().set_params(integer=True)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        return _svg(figure)


def report_timeline_chart(title: str, delays_hours: Sequence[float], delivered: int,
                          x_label: str, y_label: str, empty_label: str,
                          delivered_label: str) -> bytes:
    """The cumulative number of recipients who reported, by hours after delivery."""
    with matplotlib.rc_context(_STYLE):
        figure = Figure(figsize=(7, 3.2))
        axes = figure.add_subplot()
        if delays_hours:
            xs = [0.0, *delays_hours]
            ys = list(range(len(delays_hours) + 1))
            end = max(delays_hours) * 1.1 or 1.0
            axes.step([*xs, end], [*ys, ys[-1]], where="post", color=GREEN, linewidth=2)
            axes.plot(delays_hours, ys[1:], "o", color=GREEN)
            axes.set_xlim(0, end)
        else:
            axes.text(0.5, 0.5, empty_label, ha="center", va="center",
                      transform=axes.transAxes, color="#5f6b76")
            axes.set_xlim(0, 24)
        axes.axhline(delivered, color=BLUE, linestyle="--", linewidth=1, label=delivered_label)
        axes.legend(loc="lower right", frameon=False)
        axes.set_ylim(0, max(delivered, 1) * 1.1)
        axes.set_xlabel(x_label)
        axes.set_ylabel(y_label)
        axes.set_title(title, loc="left", fontweight="bold")
        axes.yaxis.get_major_locator().set_params(integer=True)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        return _svg(figure)
