"""
Small server-side SVG charts for the dashboard (no JavaScript, no build step): the view computes the geometry, a
template draws it. Every mark carries ``data-`` attributes with its series, label and value, for readers and tests.
"""
from __future__ import annotations

from django.utils.functional import Promise

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 40, 16, 56
COLORS = ["#0a6c8a", "#d97706", "#7c3aed", "#15803d", "#b91c1c"]


def _ticks(top: float, count: int = 4):
    return [round(top * i / count, 4) for i in range(count + 1)]


def _nice_top(value: float, count: int = 4) -> float:
    """The smallest whole 1, 2 or 5 times a power of ten that, times ``count``, reaches ``value``."""
    import math

    raw = max(value, 1) / count
    power = 10 ** max(0, math.floor(math.log10(raw)))  # counts: whole steps
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return step * count


def line_chart(chart_id: str, title: str | Promise, labels: list[str], series: dict[str, list], *,
               percent=False) -> dict:
    """Geometry of a line chart: one polyline (and its points) per series over the labels."""
    values = [v for points in series.values() for v in points if v is not None]
    top = max(values + [0.0]) or 1.0
    top = 1.0 if percent and top <= 1.0 else top
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(labels) - 1, 1)

    def xy(index, value):
        return round(LEFT + index * step, 1), round(TOP + plot_h - (value / top) * plot_h, 1)

    drawn = []
    for number, (name, points) in enumerate(series.items()):
        marks = [
            {"x": xy(i, v)[0], "y": xy(i, v)[1], "label": labels[i], "value": v,
             "text": f"{v:.0%}" if percent else str(v)}
            for i, v in enumerate(points) if v is not None
        ]
        drawn.append({"name": name, "color": COLORS[number % len(COLORS)], "marks": marks,
                      "polyline": " ".join(f"{m['x']},{m['y']}" for m in marks)})
    return {
        "id": chart_id, "title": title, "kind": "line", "width": WIDTH, "height": HEIGHT, "series": drawn,
        "x_labels": [{"x": xy(i, 0)[0], "text": label} for i, label in enumerate(labels)],
        "y_ticks": [{"y": xy(0, t)[1], "text": f"{t:.0%}" if percent else f"{t:g}"} for t in _ticks(top)],
        "plot": {"left": LEFT, "right": WIDTH - RIGHT, "top": TOP, "bottom": TOP + plot_h},
    }


BAR_BOTTOM = 110  # room for the slanted labels


def bar_chart(chart_id: str, title: str | Promise, labels: list[str], series: dict[str, list[int]]) -> dict:
    """Geometry of a grouped bar chart: for each label, one bar per series (at most 60% of the width each group)."""
    values = [v for points in series.values() for v in points]
    top = _nice_top(max(values + [1]))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT + 60 - TOP - BAR_BOTTOM
    group_w = plot_w / max(len(labels), 1)
    bar_w = group_w * 0.8 / max(len(series), 1)
    drawn = []
    for number, (name, points) in enumerate(series.items()):
        bars = []
        for i, value in enumerate(points):
            height = (value / top) * plot_h
            bars.append({"x": round(LEFT + i * group_w + group_w * 0.1 + number * bar_w, 1),
                         "y": round(TOP + plot_h - height, 1), "w": round(bar_w, 1), "h": round(height, 1),
                         "label": labels[i], "value": value})
        drawn.append({"name": name, "color": COLORS[number % len(COLORS)], "bars": bars})
    return {
        "id": chart_id, "title": title, "kind": "bar", "width": WIDTH, "height": HEIGHT + 60, "series": drawn,
        "x_labels": [{"x": round(LEFT + (i + 0.5) * group_w, 1), "text": label} for i, label in enumerate(labels)],
        "y_ticks": [{"y": round(TOP + plot_h - (t / top) * plot_h, 1), "text": f"{t:g}"} for t in _ticks(top)],
        "plot": {"left": LEFT, "right": WIDTH - RIGHT, "top": TOP, "bottom": TOP + plot_h},
    }
