"""The HR dashboard's charts, drawn on the server with matplotlib as SVG (no script in the
page), the way the sandbox e-office draws its campaign charts (sandbox_eoffice/mail/charts.py).

Figures are ``matplotlib.figure.Figure`` objects (never pyplot: no global state shared between
requests) saved by the SVG canvas; text stays text (``svg.fonttype: none``), so labels are
real words the browser draws with its own fonts (Vietnamese diacritics included) and the
output is deterministic (no date in the metadata, a fixed id salt). Every text arrives
translated and every number formatted by the caller: this module knows no language.

The colours survive a black-and-white printer: bars are one dark colour with the value
written beside them, and the heatmap's scale (``YlGnBu``) darkens steadily from 0 % to
100 % with the percentage written in every cell.
"""

from __future__ import annotations

import base64
import io
import textwrap
from collections.abc import Callable, Sequence

import matplotlib

matplotlib.use("Agg")  # no display on a server; the SVG canvas is used for output

from matplotlib.colors import Normalize  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

BLUE = "#1d4e89"
GREY = "#d9e2ec"
MUTED = "#5f6b7a"
HEATMAP_COLOURS = "YlGnBu"
_STYLE = {
    "svg.fonttype": "none",
    "svg.hashsalt": "academy-dashboards-hr",
    "font.family": "DejaVu Sans",
    "font.size": 10,
}
LABEL_WIDTH = 38  # characters per line of a row label (agencies can be long)

Percent = Callable[[float], str]


def _svg(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    return buffer.getvalue()


def data_uri(svg: bytes) -> str:
    """The SVG as a ``data:`` URI for an ``<img>``: an image cannot run script, whatever
    it holds, and the page needs no second request."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def _wrap(label: str, width: int = LABEL_WIDTH) -> str:
    return "\n".join(textwrap.wrap(label, width)[:3]) or label


def completion_bars(title: str, labels: Sequence[str], completed: Sequence[int],
                    enrolled: Sequence[int], percent: Percent, axis_label: str,
                    empty_label: str) -> bytes:
    """Horizontal bars, one per agency or course: the completion rate (0–100 %), written
    beside each bar as "66,7 % (2/3)"; a pale bar behind shows the whole (100 %)."""
    with matplotlib.rc_context(_STYLE):
        rows = len(labels)
        figure = Figure(figsize=(8, 0.45 * max(rows, 2) + 1.3))
        axes = figure.add_subplot()
        axes.set_title(title, loc="left", fontweight="bold")
        axes.set_xlim(0, 100)
        axes.set_xlabel(axis_label)
        axes.xaxis.set_major_formatter(lambda value, _pos: percent(value / 100))
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        if not rows:
            axes.set_yticks([])
            axes.text(0.5, 0.5, empty_label, ha="center", va="center",
                      transform=axes.transAxes, color=MUTED)
            return _svg(figure)
        positions = list(range(rows))[::-1]  # the first label on top
        rates = [100 * c / n if n else 0.0 for c, n in zip(completed, enrolled, strict=True)]
        axes.barh(positions, [100] * rows, color=GREY, height=0.6)
        axes.barh(positions, rates, color=BLUE, height=0.6)
        axes.set_yticks(positions, labels=[_wrap(label) for label in labels])
        for y, rate, c, n in zip(positions, rates, completed, enrolled, strict=True):
            text = f"{percent(rate / 100)} ({c}/{n})" if n else "—"
            inside = rate > 70
            axes.text(rate - 1 if inside else rate + 1, y, text, va="center",
                      ha="right" if inside else "left", color="white" if inside else "black",
                      fontsize=9)
        return _svg(figure)


def coverage_heatmap(title: str, row_labels: Sequence[str], column_labels: Sequence[str],
                     shares: Sequence[Sequence[float | None]], percent: Percent,
                     scale_label: str, empty_label: str) -> bytes:
    """Agencies (rows) x competencies (columns): each cell the share of the agency's learners
    who reached the competency, coloured on one scale from 0 to 100 % and written in the
    cell; a cell without learners is left blank (white)."""
    with matplotlib.rc_context(_STYLE):
        rows, columns = len(row_labels), len(column_labels)
        figure = Figure(figsize=(max(6.0, 1.1 * columns + 4.5), 0.5 * max(rows, 2) + 2.2))
        axes = figure.add_subplot()
        axes.set_title(title, loc="left", fontweight="bold")
        if not rows or not columns:
            axes.set_xticks([])
            axes.set_yticks([])
            axes.text(0.5, 0.5, empty_label, ha="center", va="center",
                      transform=axes.transAxes, color=MUTED)
            return _svg(figure)
        values = [[float("nan") if share is None else 100 * share for share in row]
                  for row in shares]
        norm = Normalize(0, 100)
        image = axes.imshow(values, cmap=HEATMAP_COLOURS, norm=norm, aspect="auto")
        cmap = image.get_cmap()
        axes.set_xticks(range(columns), labels=list(column_labels), rotation=30, ha="right",
                        rotation_mode="anchor")
        axes.set_yticks(range(rows), labels=[_wrap(label) for label in row_labels])
        axes.tick_params(length=0)
        for spine in axes.spines.values():
            spine.set_visible(False)
        for r, row in enumerate(shares):
            for c, share in enumerate(row):
                if share is None:
                    continue
                red, green, blue, _alpha = cmap(norm(100 * share))
                dark = 0.299 * red + 0.587 * green + 0.114 * blue < 0.5
                axes.text(c, r, percent(share), ha="center", va="center", fontsize=9,
                          color="white" if dark else "black")
        bar = figure.colorbar(image, ax=axes, fraction=0.04, pad=0.02)
        bar.set_label(scale_label)
        bar.ax.yaxis.set_major_formatter(lambda value, _pos: percent(value / 100))
        return _svg(figure)
