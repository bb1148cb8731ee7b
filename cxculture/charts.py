"""Server-rendered SVG charts (no JavaScript), for web pages and WeasyPrint PDFs alike.

Each function returns Markup holding one accessible <svg role="img"> with a <title> and a <desc> that states
every number the chart draws. Colours are from the Okabe-Ito colour-blind-safe palette, and never carry meaning
alone: series differ in line style and marker shape, bar segments in pattern, and values are printed.
"""
from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from babel.numbers import format_decimal
from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup, escape

from .formatting import format_percent

BLUE, ORANGE, VERMILLION, GREY, INK, GRID = "#0072B2", "#E69F00", "#D55E00", "#BBBBBB", "#1f2937", "#d1d5db"
FONT = 'font-family="DejaVu Sans, Arial, Helvetica, sans-serif"'
#: Line dash, marker shape and colour of the first and second radar series.
SERIES_STYLES = (("", "circle", BLUE), ("6 4", "square", ORANGE))


@dataclass(frozen=True)
class Series:
    """A named list of values, one per axis; None where the value is hidden or missing."""

    label: str
    values: Sequence[float | None]


@dataclass(frozen=True)
class Distribution:
    """Favourable / neutral / unfavourable percentages of one bar; hidden bars show a note instead."""

    label: str
    favourable: float | None = None
    neutral: float | None = None
    unfavourable: float | None = None
    hidden: bool = False


def _decimal(value: float, locale: str) -> str:
    return format_decimal(value, "0.0", locale=locale)


def _percent(value: float, locale: str) -> str:
    return format_percent(value, locale=locale)


def _new_id(prefix: str | None) -> str:
    return prefix or "chart-" + uuid.uuid4().hex[:8]


def _svg(chart_id: str, width: int, height: int, title: str, desc: str, body: list[str]) -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{chart_id}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" {FONT}>'
        f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(desc)}</desc>'
        + "".join(body) + "</svg>"
    )


def radar_chart(axes: Sequence[str], series: Sequence[Series], title: str, scale: tuple[int, int] = (1, 5),
                locale: str = "en", chart_id: str | None = None) -> Markup:
    """A radar (spider) chart of one or two series on a 1-5 scale; a series with a hidden value is not drawn.

    Compact, so that a phone shows it at three quarters of its size with its words still about 11 px: the side
    labels sit above or below their corner, reaching outwards, rather than beside it.
    """
    chart_id = _new_id(chart_id)
    low, high = scale
    width, cx, cy, radius = 400, 200, 126, 96
    legend_y = cy + radius + 58
    height = legend_y + 24 * (len(series[:2]) - 1) + 14
    count = len(axes)

    def point(index: int, value: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * index / count
        r = radius * value / high
        return cx + r * math.cos(angle), cy + r * math.sin(angle)

    body = []
    for ring in range(low, high + 1):
        points = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, ring) for i in range(count)))
        body.append(f'<polygon points="{points}" fill="none" stroke="{GRID}" stroke-width="1"/>')
        x, y = point(0, ring)
        body.append(f'<text x="{x + 7:.1f}" y="{y + 5:.1f}" font-size="13" fill="#4b5563">{ring}</text>')
    for index, label in enumerate(axes):
        x, y = point(index, high)
        body.append(f'<line x1="{cx}" y1="{cy}" x2="{x:.1f}" y2="{y:.1f}" stroke="{GRID}" stroke-width="1"/>')
        body.append(_axis_label(label, x - cx, y - cy, x, y))

    drawn = []
    for number, one in enumerate(series[:2]):
        dash, marker, colour = SERIES_STYLES[number]
        if not one.values or any(v is None for v in one.values):
            continue
        drawn.append(number)
        points = [point(i, float(v)) for i, v in enumerate(one.values)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        body.append(f'<polygon points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in points)}" fill="{colour}" '
                    f'fill-opacity="{0.18 if number == 0 else 0.08}" stroke="{colour}" stroke-width="2.5"{dash_attr}/>')
        for (x, y), value in zip(points, one.values, strict=True):
            body.append(_marker(marker, x, y, colour))
            if len(series) == 1:
                # Above its marker, but left of it on the first axis, whose right side holds the scale's numbers.
                on_scale = abs(x - cx) < 1
                body.append(f'<text x="{x - 8 if on_scale else x:.1f}" y="{y + 5 if on_scale else y - 9:.1f}" '
                            f'text-anchor="{"end" if on_scale else "middle"}" font-size="14" font-weight="bold" '
                            f'fill="{INK}">{_decimal(value, locale)}</text>')
    for number, one in enumerate(series[:2]):
        dash, marker, colour = SERIES_STYLES[number]
        y = legend_y + 24 * number
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        body.append(f'<line x1="8" y1="{y}" x2="44" y2="{y}" stroke="{colour}" stroke-width="2.5"{dash_attr}/>')
        body.append(_marker(marker, 26, y, colour))
        note = "" if number in drawn else " — " + _("not enough answers")
        body.append(f'<text x="54" y="{y + 5}" font-size="14" fill="{INK}">{escape(_fit(one.label + note, 44))}</text>')

    desc = _("Scale from %(low)s to %(high)s.", low=low, high=high) + " " + " ".join(
        f"{one.label}: " + ", ".join(
            f"{axis} {_decimal(v, locale) if v is not None else _('not enough answers')}"
            for axis, v in zip(axes, one.values, strict=True)) + "."
        for one in series[:2])
    return _svg(chart_id, width, height, title, desc, body)


def _axis_label(label: str, dx: float, dy: float, x: float, y: float) -> str:
    """A radar axis's name at its outer corner (x, y), `dx`, `dy` from the centre: centred above the top corner
    and below the bottom one; at a side corner above it (upper half) or below it (lower half), starting just
    inside the corner and running outwards, clear of the outer ring; beside a corner level with the centre."""
    if abs(dx) < 10:
        anchor, lx, ly = "middle", x, y - 14 if dy < 0 else y + 26
    elif abs(dy) < 10:
        anchor, lx, ly = ("start", x + 8, y + 5) if dx > 0 else ("end", x - 8, y + 5)
    else:
        anchor, lx = ("start", x - 22) if dx > 0 else ("end", x + 22)
        ly = y - 16 if dy < 0 else y + 27
    return (f'<text x="{lx:.1f}" y="{ly:.1f}" text-anchor="{anchor}" font-size="15" font-weight="bold" '
            f'fill="{INK}">{escape(label)}</text>')


def _fit(text: str, characters: int) -> str:
    """`text` cut to about `characters` with an ellipsis (a legend line cannot wrap; the full text is in the
    chart's description and its caption)."""
    return text if len(text) <= characters else text[: characters - 1].rstrip() + "…"


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "square":
        return (f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}" '
                f'stroke="#fff" stroke-width="1"/>')
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="{colour}" stroke="#fff" stroke-width="1"/>'


def _distribution_fills(chart_id: str) -> tuple[str, dict[str, str]]:
    """The <defs> and the fill of each part of a favourable / neutral / unfavourable bar: solid blue, dotted grey,
    hatched vermillion (distribution_bars, statement_bar and distribution_swatch draw alike)."""
    defs = (
        "<defs>"
        f'<pattern id="{chart_id}-neu" width="6" height="6" patternUnits="userSpaceOnUse">'
        f'<rect width="6" height="6" fill="{GREY}"/><circle cx="3" cy="3" r="1" fill="#8a8a8a"/></pattern>'
        f'<pattern id="{chart_id}-unf" width="8" height="8" patternUnits="userSpaceOnUse">'
        f'<rect width="8" height="8" fill="{VERMILLION}"/>'
        f'<path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4" stroke="#9a3d00" stroke-width="2"/></pattern>'
        "</defs>"
    )
    # The solid part is filled directly: PDF renderers tile even plain patterns visibly.
    return defs, {"favourable": BLUE, "neutral": f"url(#{chart_id}-neu)", "unfavourable": f"url(#{chart_id}-unf)"}


def statement_bar(row: Distribution, locale: str = "en", chart_id: str | None = None, width: int = 200,
                  height: int = 16) -> Markup:
    """A small 100% bar of one statement's favourable, neutral and unfavourable shares, without text: it sits in a
    table row beside the same percentages, so it stays readable however narrow the screen (its description
    says the numbers for screen readers). Hidden figures get no bar: callers draw none."""
    chart_id = _new_id(chart_id)
    defs, fills = _distribution_fills(chart_id)
    shares = {"favourable": row.favourable or 0, "neutral": row.neutral or 0, "unfavourable": row.unfavourable or 0}
    body, x = [defs], 0.0
    for key in ("favourable", "neutral", "unfavourable"):
        segment = width * shares[key] / 100
        if segment > 0:
            body.append(f'<rect x="{x:.1f}" y="0" width="{segment:.1f}" height="{height}" fill="{fills[key]}"/>')
        x += segment
    body.append(f'<rect x=".5" y=".5" width="{width - 1}" height="{height - 1}" fill="none" stroke="{INK}" '
                f'stroke-opacity=".35"/>')
    return _svg(chart_id, width, height, _("Answers to this statement"), _shares_text(row.label, shares, locale) + ".",
                body)


def _shares_text(label: str, shares: dict[str, float], locale: str) -> str:
    return _("%(label)s: %(favourable)s favourable, %(neutral)s neutral, %(unfavourable)s unfavourable",
             label=label, favourable=_percent(shares["favourable"], locale),
             neutral=_percent(shares["neutral"], locale), unfavourable=_percent(shares["unfavourable"], locale))


def distribution_swatch(part: str, chart_id: str) -> Markup:
    """A 14 px square filled like `part` ("favourable", "neutral" or "unfavourable") of a distribution bar, for a
    key written in HTML (whose words wrap on a phone, unlike a chart's); decorative, so hidden from screen readers."""
    defs, fills = _distribution_fills(chart_id)
    return Markup(f'<svg xmlns="http://www.w3.org/2000/svg" class="swatch" aria-hidden="true" focusable="false" '
                  f'width="14" height="14" viewBox="0 0 14 14">{defs}<rect x=".5" y=".5" width="13" height="13" '
                  f'fill="{fills[part]}" stroke="{INK}" stroke-width=".5"/></svg>')


def distribution_bars(
    rows: Sequence[Distribution], title: str, locale: str = "en", chart_id: str | None = None
) -> Markup:
    """Horizontal 100% bars of favourable (solid), neutral (dotted) and unfavourable (hatched) answers.

    Each bar has its name on a line above it and the chart is as wide as the radar it sits beside, so that on a
    phone (about three quarters of its size) its words stay near 11 px.
    """
    chart_id = _new_id(chart_id)
    width, bar_height, row_height, top = 400, 24, 52, 50
    bar_width = width - 4
    height = top + row_height * len(rows)
    defs, fills = _distribution_fills(chart_id)
    parts = tuple((key, label, fills[key], text) for key, label, text in (
        ("favourable", _("Favourable (4-5)"), "#fff"),
        ("neutral", _("Neutral (3)"), INK),
        ("unfavourable", _("Unfavourable (1-2)"), "#fff"),
    ))
    body = [defs]
    for index, (_key, label, fill, _text) in enumerate(parts):  # two to a line: three do not fit at this size
        x, y = 2 + 190 * (index % 2), 4 + 22 * (index // 2)
        body.append(f'<rect x="{x}" y="{y}" width="14" height="14" fill="{fill}" stroke="{INK}" stroke-width=".5"/>')
        body.append(f'<text x="{x + 20}" y="{y + 12}" font-size="14" fill="{INK}">{escape(label)}</text>')
    lines = []
    for index, row in enumerate(rows):
        y = top + index * row_height
        bar_y = y + 20
        body.append(f'<text x="2" y="{y + 15}" font-size="14" font-weight="bold" fill="{INK}">'
                    f'{escape(row.label)}</text>')
        if row.hidden or row.favourable is None:
            body.append(f'<rect x="2" y="{bar_y}" width="{bar_width}" height="{bar_height}" fill="#f3f4f6" '
                        f'stroke="{GRID}"/>')
            body.append(f'<text x="12" y="{bar_y + 17}" font-size="14" font-style="italic" '
                        f'fill="#4b5563">{escape(_("not enough answers"))}</text>')
            lines.append(f"{row.label}: " + _("not enough answers"))
            continue
        x = 2.0
        values = {"favourable": row.favourable, "neutral": row.neutral or 0, "unfavourable": row.unfavourable or 0}
        for key, _label, fill, text_colour in parts:
            share = values[key]
            segment = bar_width * share / 100
            if segment > 0:
                body.append(f'<rect x="{x:.1f}" y="{bar_y}" width="{segment:.1f}" height="{bar_height}" '
                            f'fill="{fill}"/>')
                if share >= 10:
                    body.append(f'<text x="{x + segment / 2:.1f}" y="{bar_y + 17}" text-anchor="middle" '
                                f'font-size="14" font-weight="bold" fill="{text_colour}">'
                                f'{_percent(share, locale)}</text>')
            x += segment
        lines.append(_shares_text(row.label, values, locale))
    return _svg(chart_id, width, height, title, "; ".join(lines) + ".", body)


@dataclass(frozen=True)
class WeightBar:
    """One stacked bar: a label and the weight (in %) of each part, in the order of the chart's parts."""

    label: str
    weights: Sequence[float]


#: Fill, pattern mark and text colour of the parts of weight_bars, in order: solid, dotted, striped, cross-hatched.
_WEIGHT_STYLES = (
    (BLUE, "", "#fff"),
    ("#009E73", '<circle cx="3" cy="3" r="1.2" fill="#005c43"/>', INK),
    (ORANGE, '<path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4" stroke="#8a5a00" stroke-width="1.5"/>', INK),
    ("#CC79A7", '<path d="M0,0 l8,8 M8,0 l-8,8" stroke="#8c3f6b" stroke-width="1.2"/>', INK),
)


def weight_bars(
    rows: Sequence[WeightBar],
    parts: Sequence[str],
    title: str,
    goal: float | None = None,
    goal_label: str = "",
    locale: str = "en",
    chart_id: str | None = None,
) -> Markup:
    """Horizontal bars of up to four stacked weights each (solid, dotted, striped, cross-hatched), on 0-100%.

    A bar whose weights add up to less than 100 shows the rest as an empty outline; one above 100 is drawn to
    scale past the 100% mark. `goal` draws a dashed line at that percentage, labelled `goal_label`.
    """
    chart_id = _new_id(chart_id)
    label_width, bar_width, row_height = 170, 400, 34
    scale_max = max([100.0] + [sum(row.weights) for row in rows])
    unit = bar_width / scale_max
    legend_rows = (len(parts) + 1) // 2
    top = 12 + 20 * legend_rows + (14 if goal is not None else 0)
    width = label_width + bar_width + 30
    height = top + row_height * len(rows) + 22
    defs = []
    fills = []
    for index, (fill, mark, _text) in enumerate(_WEIGHT_STYLES[: len(parts)]):
        if not mark:  # a solid part is filled directly: PDF renderers tile even plain patterns visibly
            fills.append(fill)
            continue
        defs.append(
            f'<pattern id="{chart_id}-p{index}" width="6" height="6" patternUnits="userSpaceOnUse">'
            f'<rect width="6" height="6" fill="{fill}"/>{mark}</pattern>'
        )
        fills.append(f"url(#{chart_id}-p{index})")
    body = ["<defs>" + "".join(defs) + "</defs>"]
    for index, label in enumerate(parts):
        x = label_width + (index % 2) * 210
        y = 6 + 20 * (index // 2)
        body.append(
            f'<rect x="{x}" y="{y}" width="14" height="14" fill="{fills[index]}" stroke="{INK}" stroke-width=".5"/>'
        )
        body.append(f'<text x="{x + 19}" y="{y + 11}" font-size="11" fill="{INK}">{escape(label)}</text>')
    lines = []
    for number, row in enumerate(rows):
        y = top + number * row_height
        body.append(
            f'<text x="{label_width - 8}" y="{y + 20}" text-anchor="end" font-size="12" '
            f'fill="{INK}">{escape(row.label)}</text>'
        )
        body.append(
            f'<rect x="{label_width}" y="{y + 5}" width="{100 * unit:.1f}" height="{row_height - 10}" '
            f'fill="#f9fafb" stroke="{GRID}" stroke-dasharray="3 2"/>'
        )
        x = float(label_width)
        for index, weight in enumerate(row.weights[: len(parts)]):
            segment = unit * weight
            if segment <= 0:
                continue
            body.append(
                f'<rect x="{x:.1f}" y="{y + 5}" width="{segment:.1f}" height="{row_height - 10}" '
                f'fill="{fills[index]}" stroke="#fff" stroke-width="1"/>'
            )
            if weight >= 9:
                if index:  # a light plate keeps the number readable on a pattern
                    body.append(
                        f'<rect x="{x + segment / 2 - 17:.1f}" y="{y + 10}" width="34" height="15" rx="3" '
                        f'fill="#fff" fill-opacity=".9"/>'
                    )
                body.append(
                    f'<text x="{x + segment / 2:.1f}" y="{y + 21}" text-anchor="middle" font-size="11" '
                    f'font-weight="bold" fill="{_WEIGHT_STYLES[index][2]}">{_percent(weight, locale)}</text>'
                )
            x += segment
        total = sum(row.weights)
        lines.append(
            f"{row.label}: "
            + ", ".join(f"{label} {_percent(weight, locale)}" for label, weight in zip(parts, row.weights, strict=True))
            + " ("
            + _("total %(total)s", total=_percent(total, locale))
            + ")"
        )
    axis_y = top + row_height * len(rows)
    for tick in (0, 50, 100):
        x = label_width + unit * tick
        body.append(
            f'<text x="{x:.1f}" y="{axis_y + 14}" text-anchor="middle" font-size="10" fill="#4b5563">{tick}%</text>'
        )
    if goal is not None:
        x = label_width + unit * goal
        body.append(
            f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{axis_y + 2}" stroke="{INK}" '
            f'stroke-width="1.5" stroke-dasharray="5 3"/>'
        )
        body.append(f'<text x="{x + 4:.1f}" y="{top - 6}" font-size="10" fill="{INK}">{escape(goal_label)}</text>')
    return _svg(chart_id, width, height, title, "; ".join(lines) + ".", body)


@dataclass(frozen=True)
class TargetBar:
    """One KPI against its target: the bar is the value, the solid tick the target, the dashed tick the threshold.

    `status` ("met", "below_target", "below_threshold") picks the bar's fill; the texts go into the description.
    """

    label: str
    value: float | None
    target: float | None
    threshold: float | None
    status: str | None
    value_text: str
    target_text: str


#: A target bar's fill per status: solid, dotted and hatched, so that colour never carries the meaning alone.
_TARGET_FILLS = {"met": "solid", "below_target": "dotted", "below_threshold": "hatched"}


def target_bar(row: TargetBar, chart_id: str | None = None, width: int = 130, height: int = 18) -> Markup:
    """A small bullet chart of one KPI against its target, drawn without text (it sits next to the numbers).

    Each bar has its own scale from zero (or the lowest value) to just past the largest of value, target and
    threshold: KPIs differ in unit, so bars compare a value with its own target, never with another KPI.
    """
    chart_id = _new_id(chart_id)
    points = [v for v in (row.value, row.target, row.threshold) if v is not None]
    body = [f'<rect x="0" y="3" width="{width}" height="{height - 6}" fill="#f3f4f6"/>']
    if points:
        low, high = min(0.0, *points), max(0.0, *points)
        high = high + (high - low) * 0.1 or 1.0

        def x_of(v: float) -> float:
            return width * (v - low) / (high - low)

        if row.value is not None:
            start, end = sorted((x_of(0.0), x_of(row.value)))
            style = _TARGET_FILLS.get(row.status or "", "")
            fill = {"solid": BLUE, "dotted": ORANGE, "hatched": VERMILLION}.get(style, GREY)
            body.append(
                f'<rect x="{start:.1f}" y="5" width="{max(end - start, 1.5):.1f}" height="{height - 10}" '
                f'fill="{fill}"/>'
            )
            if style == "dotted":
                body.append(
                    f'<line x1="{start:.1f}" y1="{height / 2}" x2="{end:.1f}" y2="{height / 2}" '
                    f'stroke="#fff" stroke-width="2" stroke-dasharray="1 3"/>'
                )
            elif style == "hatched":
                body.append(
                    f'<line x1="{start:.1f}" y1="{height / 2}" x2="{end:.1f}" y2="{height / 2}" '
                    f'stroke="#fff" stroke-width="1.5"/>'
                )
        if row.threshold is not None:
            tx = x_of(row.threshold)
            body.append(
                f'<line x1="{tx:.1f}" y1="1" x2="{tx:.1f}" y2="{height - 1}" stroke="{INK}" '
                f'stroke-width="1.2" stroke-dasharray="2 2"/>'
            )
        if row.target is not None:
            body.append(f'<rect x="{x_of(row.target) - 1.2:.1f}" y="0" width="2.4" height="{height}" fill="{INK}"/>')
    desc = _("%(label)s: %(value)s, target %(target)s", label=row.label, value=row.value_text, target=row.target_text)
    return _svg(chart_id, width, height, row.label, desc, body)


@dataclass(frozen=True)
class BenchmarkRow:
    """One pillar in the benchmark network: the network's lower quartile, median and upper quartile, and the
    organisation's own score (None when it may not be shown)."""

    label: str
    q1: float
    median: float
    q3: float
    own: float | None = None


def benchmark_bars(rows: Sequence[BenchmarkRow], title: str, own_label: str, network_label: str,
                   median_label: str, locale: str = "en", chart_id: str | None = None) -> Markup:
    """Per pillar on the 1-5 scale: the network's middle half as a hatched band, its median as a tick, and the
    organisation's own score as a labelled dot, so where it stands reads at a glance."""
    chart_id = _new_id(chart_id)
    label_width, scale_width, row_height, top = 170, 360, 30, 44
    width, height = label_width + scale_width + 40, top + row_height * len(rows) + 26

    def x_of(score: float) -> float:
        return label_width + (score - 1) / 4 * scale_width

    body = [
        (
            "<defs>"
            f'<pattern id="{chart_id}-band" width="6" height="6" patternUnits="userSpaceOnUse">'
            f'<rect width="6" height="6" fill="#e5e7eb"/><path d="M-1,1 l2,-2 M0,6 l6,-6 M5,7 l2,-2" '
            f'stroke="#9ca3af" stroke-width="1"/></pattern></defs>'
        ),
        # Legend: the band, the median tick, our dot.
        f'<rect x="{label_width}" y="6" width="26" height="12" fill="url(#{chart_id}-band)" stroke="{GRID}"/>',
        f'<text x="{label_width + 32}" y="16" font-size="11" fill="{INK}">{escape(network_label)}</text>',
        f'<line x1="{label_width}" y1="26" x2="{label_width}" y2="38" stroke="{INK}" stroke-width="2.5"/>',
        f'<text x="{label_width + 8}" y="36" font-size="11" fill="{INK}">{escape(median_label)}</text>',
        f'<circle cx="{label_width + 222}" cy="12" r="5.5" fill="{BLUE}" stroke="#fff" stroke-width="1"/>',
        f'<text x="{label_width + 232}" y="16" font-size="11" fill="{INK}">{escape(own_label)}</text>',
    ]
    lines = []
    for number, row in enumerate(rows):
        y = top + number * row_height
        middle = y + row_height / 2
        body.append(f'<text x="{label_width - 8}" y="{middle + 4:.1f}" text-anchor="end" font-size="12" '
                    f'fill="{INK}">{escape(row.label)}</text>')
        body.append(f'<line x1="{label_width}" y1="{middle:.1f}" x2="{label_width + scale_width}" y2="{middle:.1f}" '
                    f'stroke="{GRID}" stroke-width="1"/>')
        band_left, band_right = x_of(row.q1), x_of(row.q3)
        body.append(f'<rect x="{band_left - 3:.1f}" y="{middle - 8:.1f}" width="{band_right - band_left + 6:.1f}" '
                    f'height="16" fill="url(#{chart_id}-band)" stroke="#9ca3af" stroke-width=".8"/>')
        body.append(f'<line x1="{x_of(row.median):.1f}" y1="{middle - 10:.1f}" x2="{x_of(row.median):.1f}" '
                    f'y2="{middle + 10:.1f}" stroke="{INK}" stroke-width="2.5"/>')
        text = (f"{row.label}: {network_label} {_decimal(row.q1, locale)}–{_decimal(row.q3, locale)}, "
                f"{median_label} {_decimal(row.median, locale)}")
        if row.own is not None:
            x = x_of(row.own)
            body.append(f'<circle cx="{x:.1f}" cy="{middle:.1f}" r="5.5" fill="{BLUE}" stroke="#fff" '
                        f'stroke-width="1"/>')
            body.append(f'<text x="{x:.1f}" y="{middle - 11:.1f}" text-anchor="middle" font-size="10.5" '
                        f'font-weight="bold" fill="{INK}">{_decimal(row.own, locale)}</text>')
            text += f", {own_label} {_decimal(row.own, locale)}"
        lines.append(text)
    axis_y = top + row_height * len(rows) + 14
    for tick in range(1, 6):
        body.append(f'<text x="{x_of(tick):.1f}" y="{axis_y}" text-anchor="middle" font-size="10" '
                    f'fill="#4b5563">{tick}</text>')
    desc = _("Scale from %(low)s to %(high)s.", low=1, high=5) + " " + "; ".join(lines) + "."
    return _svg(chart_id, width, height, title, desc, body)


def trend_panel(points: Sequence[str], one: Series, locale: str = "en", chart_id: str | None = None) -> Markup:
    """A small line chart of one series (a pillar) on the 1-5 scale over `points` (campaigns, oldest first):
    each value printed, the latest in bold, a missing one (too few answers) left as a gap. Pages set several
    side by side, one to a row on a phone, so its text stays readable at any width."""
    chart_id = _new_id(chart_id)
    width, height = 250, 150
    plot_left, plot_right, plot_top, plot_bottom = 22, width - 8, 40, height - 30
    inset = 30  # the first and last points keep clear of the scale's numbers and of the chart's edge
    count = max(len(points), 1)

    def x_of(index: int) -> float:
        if count == 1:
            return (plot_left + plot_right) / 2
        return plot_left + inset + (plot_right - plot_left - 2 * inset) * index / (count - 1)

    def y_of(score: float) -> float:
        return plot_bottom - (score - 1) / 4 * (plot_bottom - plot_top)

    body = [f'<text x="0" y="16" font-size="14" font-weight="bold" fill="{INK}">{escape(one.label)}</text>',
            *_gridlines((1, 3, 5), y_of, plot_left, plot_right, str)]
    body += _line_with_gaps(one.values, x_of, y_of)
    for index, value in enumerate(one.values):
        x = x_of(index)
        if value is None:
            body.append(f'<text x="{x:.1f}" y="{y_of(3) + 4:.1f}" text-anchor="middle" font-size="11" '
                        f'fill="#4b5563">–</text>')
            continue
        y = y_of(float(value))
        weight = ' font-weight="bold"' if index == len(one.values) - 1 else ""
        body.append(_marker("circle", x, y, BLUE))
        body.append(f'<text x="{x:.1f}" y="{y - 9:.1f}" text-anchor="middle" font-size="12"{weight} '
                    f'fill="{INK}">{_decimal(value, locale)}</text>')
    for index, label in enumerate(points):
        body.append(f'<text x="{x_of(index):.1f}" y="{height - 10}" text-anchor="middle" font-size="11" '
                    f'fill="#4b5563">{escape(label)}</text>')
    desc = _("Scale from %(low)s to %(high)s.", low=1, high=5) + " " + ", ".join(
        f"{label} {_decimal(v, locale) if v is not None else _('not enough answers')}"
        for label, v in zip(points, one.values, strict=True)) + "."
    return _svg(chart_id, width, height, one.label, desc, body)


def value_histogram(values: Sequence[float], targets: Sequence[float], better: str, number: Callable[[float], str],
                    title: str, note: str = "", bins: int = 8, chart_id: str | None = None) -> Markup:
    """How people's values of one KPI spread: a histogram of `values` with each target as a line and, for a single
    target, the side that meets it shaded, so where the people stand against the target reads at a glance.

    `number` formats a value in the KPI's unit and the reader's language; `note` (the share on target) ends the
    description. Counts are printed over the bars; the scale's ends and the targets are labelled in words."""
    chart_id = _new_id(chart_id)
    width, height = 300, 160
    plot_left, plot_right, plot_top, plot_bottom = 8, width - 8, 30, 112
    points = [*values, *targets]
    low, high = min(points), max(points)
    if high - low < 1e-9:
        low, high = low - 1, high + 1
    step = (high - low) / bins

    def x_of(value: float) -> float:
        return plot_left + (plot_right - plot_left) * (value - low) / (high - low)

    counts = [0] * bins
    for value in values:
        counts[min(int((value - low) / step), bins - 1)] += 1
    tallest = max(counts) or 1
    body = []
    if len(targets) == 1:
        start, end = (x_of(targets[0]), plot_right) if better == "higher" else (plot_left, x_of(targets[0]))
        body.append(f'<rect x="{start:.1f}" y="{plot_top - 6}" width="{end - start:.1f}" '
                    f'height="{plot_bottom - plot_top + 6}" fill="#e6f0f7"/>')
    bar_width = (plot_right - plot_left) / bins
    counts_text = []  # drawn over the target lines
    for index, count in enumerate(counts):
        if not count:
            continue
        bar_height = (plot_bottom - plot_top - 14) * count / tallest
        x, y = plot_left + index * bar_width, plot_bottom - bar_height
        body.append(f'<rect x="{x + 1.5:.1f}" y="{y:.1f}" width="{bar_width - 3:.1f}" height="{bar_height:.1f}" '
                    f'fill="{BLUE}"/>')
        middle = x + bar_width / 2
        if any(abs(x_of(target) - middle) < 12 for target in targets):  # a plate keeps it clear of the line
            counts_text.append(f'<rect x="{middle - 4 - 4 * len(str(count)):.1f}" y="{y - 16:.1f}" '
                               f'width="{8 + 8 * len(str(count))}" height="14" rx="2" fill="#fff"/>')
        counts_text.append(f'<text x="{middle:.1f}" y="{y - 4:.1f}" text-anchor="middle" font-size="12" '
                           f'font-weight="bold" fill="{INK}">{count}</text>')
    body.append(f'<line x1="{plot_left}" y1="{plot_bottom}" x2="{plot_right}" y2="{plot_bottom}" stroke="{INK}" '
                f'stroke-width="1"/>')
    for target in targets:
        x = x_of(target)
        body.append(f'<line x1="{x:.1f}" y1="{plot_top - 10}" x2="{x:.1f}" y2="{plot_bottom + 4}" stroke="{INK}" '
                    f'stroke-width="2" stroke-dasharray="5 3"/>')
    body += counts_text
    if targets:
        label = (_("target %(value)s", value=number(targets[0])) if len(targets) == 1 else
                 _("targets %(low)s–%(high)s", low=number(targets[0]), high=number(targets[-1])))
        x = x_of(targets[0]) if len(targets) == 1 else (x_of(targets[0]) + x_of(targets[-1])) / 2
        anchor = "start" if x < width * 0.35 else ("end" if x > width * 0.65 else "middle")
        offset = {"start": -2, "end": 2, "middle": 0}[anchor]
        body.append(f'<text x="{x + offset:.1f}" y="14" text-anchor="{anchor}" font-size="12" font-weight="bold" '
                    f'fill="{INK}">{escape(label)}</text>')
    body.append(f'<text x="{plot_left}" y="{plot_bottom + 16}" font-size="12" fill="#4b5563">{escape(number(low))}'
                f'</text>')
    body.append(f'<text x="{plot_right}" y="{plot_bottom + 16}" text-anchor="end" font-size="12" '
                f'fill="#4b5563">{escape(number(high))}</text>')
    direction = _("better →") if better == "higher" else _("← better")
    body.append(f'<text x="{width / 2:.1f}" y="{plot_bottom + 38}" text-anchor="middle" font-size="12" '
                f'fill="#4b5563">{escape(direction)}</text>')
    spans = [(low + step * index, low + step * (index + 1), count) for index, count in enumerate(counts)]
    desc = (ngettext("%(num)s value from %(low)s to %(high)s.", "%(num)s values from %(low)s to %(high)s.",
                     len(values), low=number(min(values)), high=number(max(values))) if values else "")
    desc += " " + "; ".join(f"{number(start)}–{number(end)}: {count}" for start, end, count in spans if count) + "."
    if targets:
        desc += " " + label + "."
    if note:
        desc += " " + note
    return _svg(chart_id, width, height, title, desc.strip(), body)


def pillar_trend_panels(trend, locale: str = "en", chart_prefix: str = "trend") -> list[Markup]:
    """A trend_panel per pillar of a PillarTrend (assessments' results summary), ids `<chart_prefix>-<pillar>`:
    the results page, the leader's dashboard and the café PDF draw the same trend the same way."""
    return [trend_panel(trend.points, Series(label, values), locale=locale, chart_id=f"{chart_prefix}-{pillar}")
            for pillar, label, values in trend.pillars]


def share_over_time(labels: Sequence[str], shares: Sequence[float], title: str, long_labels: Sequence[str] = (),
                    locale: str = "en", chart_id: str | None = None) -> Markup:
    """A share (0-100%) over time as a line with its area filled, one point per period (months, oldest first):
    the latest value printed in bold, and the first one, with every other period named on the axis (the latest
    always) so the labels stay readable on a phone. `long_labels` name the periods in full in the description."""
    chart_id = _new_id(chart_id)
    width, height = 300, 176
    plot_left, plot_right, plot_top, plot_bottom = 42, width - 18, 26, height - 34
    count = max(len(shares), 1)

    def x_of(index: int) -> float:
        return plot_left + (plot_right - plot_left) * (index / (count - 1) if count > 1 else 0.5)

    def y_of(share: float) -> float:
        return plot_bottom - (plot_bottom - plot_top) * max(0.0, min(share, 100.0)) / 100

    body = _gridlines((0, 50, 100), y_of, plot_left, plot_right, lambda tick: _percent(tick, locale), font_size=12)
    points = [f"{x_of(i):.1f},{y_of(share):.1f}" for i, share in enumerate(shares)]
    if points:
        area = f"{x_of(0):.1f},{plot_bottom} " + " ".join(points) + f" {x_of(len(shares) - 1):.1f},{plot_bottom}"
        body.append(f'<polygon points="{area}" fill="{BLUE}" fill-opacity=".12"/>')
        body.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="{BLUE}" stroke-width="2.5"/>')
    for index, share in enumerate(shares):
        body.append(_marker("circle", x_of(index), y_of(share), BLUE))
    for index in {0, len(shares) - 1} if shares else ():
        x, y = x_of(index), y_of(shares[index])
        latest = index == len(shares) - 1
        anchor = "end" if latest and len(shares) > 1 else ("start" if index == 0 and len(shares) > 1 else "middle")
        offset = {"end": 4, "start": -4, "middle": 0}[anchor]
        weight = ' font-weight="bold"' if latest else ""
        body.append(f'<text x="{x + offset:.1f}" y="{y - 10:.1f}" text-anchor="{anchor}" font-size="13"{weight} '
                    f'fill="{INK}">{_percent(shares[index], locale)}</text>')
    for index, label in enumerate(labels):
        if (len(labels) - 1 - index) % 2:
            continue
        body.append(f'<text x="{x_of(index):.1f}" y="{height - 14}" text-anchor="middle" font-size="12" '
                    f'fill="#4b5563">{escape(label)}</text>')
    names = long_labels or labels
    desc = ", ".join(f"{name} {_percent(share, locale)}" for name, share in zip(names, shares, strict=True)) + "."
    return _svg(chart_id, width, height, title, desc, body)


def _gridlines(ticks: Sequence[float], y_of: Callable[[float], float], left: float, right: float,
               label: Callable[[float], str], font_size: int = 11) -> list[str]:
    """A line chart's horizontal grid: a line at each tick, labelled with `label(tick)` left of the plot."""
    parts = []
    for tick in ticks:
        y = y_of(tick)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" stroke="{GRID}" stroke-width="1"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="{font_size}" '
                     f'fill="#4b5563">{escape(label(tick))}</text>')
    return parts


@dataclass(frozen=True)
class ImportanceBar:
    """One pillar in a drivers chart: its share of what the pillars explain (in %), its score on the 1-5 scale
    (None when hidden), and whether it is a pillar to focus on."""

    label: str
    share: float
    score: float | None
    focus: bool = False


def importance_bars(rows: Sequence[ImportanceBar], title: str, score_label: str, focus_label: str,
                    locale: str = "en", chart_id: str | None = None) -> Markup:
    """Horizontal bars of relative importance, most important first, each pillar's score written beside it.

    Narrow (360 wide) so a phone shows it near full size with its words still 11 px or more: the pillar's name has
    a line of its own above its bar, the score sits at the bar's right. A pillar to focus on is drawn striped
    orange and named so in words, never by colour alone.
    """
    chart_id = _new_id(chart_id)
    width, row_height, bar_width, top = 360, 50, 200, 4
    scale_max = max([10.0] + [row.share for row in rows])
    height = top + row_height * len(rows)
    body = [
        (f'<defs><pattern id="{chart_id}-focus" width="6" height="6" patternUnits="userSpaceOnUse">'
         f'<rect width="6" height="6" fill="{ORANGE}"/>'
         f'<path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4" stroke="#8a5a00" stroke-width="1.5"/></pattern></defs>')
    ]
    lines = []
    for number, row in enumerate(rows):
        y = top + number * row_height
        label = f"{row.label} · {focus_label}" if row.focus else row.label
        weight = ' font-weight="bold"' if row.focus else ""
        body.append(f'<text x="0" y="{y + 15}" font-size="14"{weight} fill="{INK}">{escape(_fit(label, 40))}</text>')
        length = max(bar_width * row.share / scale_max, 1.5)
        fill = f"url(#{chart_id}-focus)" if row.focus else BLUE
        body.append(f'<rect x="0" y="{y + 22}" width="{length:.1f}" height="20" fill="{fill}"/>')
        body.append(f'<text x="{length + 5:.1f}" y="{y + 37}" font-size="13" font-weight="bold" fill="{INK}">'
                    f'{_percent(row.share, locale)}</text>')
        score = _decimal(row.score, locale) if row.score is not None else "–"
        body.append(f'<text x="{width}" y="{y + 37}" text-anchor="end" font-size="13" fill="{INK}">'
                    f'{escape(score_label)} {score}</text>')
        lines.append(f"{label}: {_percent(row.share, locale)}, {score_label} {score}")
    return _svg(chart_id, width, height, title, "; ".join(lines) + ".", body)


def enps_trend(labels: Sequence[str], scores: Sequence[float | None], title: str, long_labels: Sequence[str] = (),
               locale: str = "en", chart_id: str | None = None) -> Markup:
    """The employee Net Promoter Score (−100..100) over pulse rounds, oldest first: a line with zero marked,
    every value printed (the latest in bold), a dash where a round showed none (too few answered). `long_labels`
    name the rounds in full in the description."""
    chart_id = _new_id(chart_id)
    width, height = 320, 180
    plot_left, plot_right, plot_top, plot_bottom = 40, width - 14, 28, height - 34
    count = max(len(scores), 1)

    def x_of(index: int) -> float:
        return plot_left + 16 + (plot_right - plot_left - 32) * (index / (count - 1) if count > 1 else 0.5)

    def y_of(score: float) -> float:
        return plot_bottom - (plot_bottom - plot_top) * (max(-100.0, min(score, 100.0)) + 100) / 200

    body = _gridlines((-100, 0, 100), y_of, plot_left, plot_right, lambda tick: f"{tick:+d}" if tick else "0",
                      font_size=12)
    body += _line_with_gaps(scores, x_of, y_of)
    for index, score in enumerate(scores):
        x = x_of(index)
        if score is None:
            body.append(f'<text x="{x:.1f}" y="{y_of(0) - 6:.1f}" text-anchor="middle" font-size="12" '
                        f'fill="#4b5563">–</text>')
            continue
        y = y_of(score)
        weight = ' font-weight="bold"' if index == len(scores) - 1 else ""
        body.append(_marker("circle", x, y, BLUE))
        label_y = y - 9 if score < 80 else y + 18
        body.append(f'<text x="{x:.1f}" y="{label_y:.1f}" text-anchor="middle" font-size="12"{weight} '
                    f'fill="{INK}">{round(score):+d}</text>')
    step = 1 if len(labels) <= 4 else 2
    for index, label in enumerate(labels):
        if (len(labels) - 1 - index) % step:
            continue
        body.append(f'<text x="{x_of(index):.1f}" y="{height - 12}" text-anchor="middle" font-size="12" '
                    f'fill="#4b5563">{escape(label)}</text>')
    names = long_labels or labels
    desc = _("Scale from %(low)s to %(high)s.", low=-100, high=100) + " " + ", ".join(
        f"{name} {f'{round(score):+d}' if score is not None else _('not enough answers')}"
        for name, score in zip(names, scores, strict=True)) + "."
    return _svg(chart_id, width, height, title, desc, body)


def _line_with_gaps(values: Sequence[float | None], x_of: Callable[[int], float], y_of: Callable[[float], float]
                    ) -> list[str]:
    """A line chart's line through `values` (one per point, in order), broken where a value is None: a hidden
    point is a gap, never a line drawn across it."""
    lines, segment = [], []
    for index, value in enumerate([*values, None]):
        if value is None:
            if len(segment) > 1:
                lines.append(f'<polyline points="{" ".join(segment)}" fill="none" stroke="{BLUE}" '
                             f'stroke-width="2.5"/>')
            segment = []
            continue
        segment.append(f"{x_of(index):.1f},{y_of(float(value)):.1f}")
    return lines
