"""Charts drawn on the server as inline SVG: no script, no CDN, readable in the PDF report."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import count
from xml.sax.saxutils import escape

from markupsafe import Markup

BAR = "#1d4f91"
ROW = 22
LABEL_WIDTH = 300
CHART_WIDTH = 720
MAX_LABEL = 46
MAX_COLUMN = 56
_ids = count(1)


def _number(value: float, suffix: str) -> str:
    text = f"{value:.1f}" if isinstance(value, float) and not value.is_integer() else f"{value:g}"
    return text.replace(".", ",") + suffix


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"


def bar_chart(
    items: Sequence[tuple[str, float]], title: str, suffix: str = "", maximum: float | None = None
) -> Markup:
    """Horizontal bars, one per (label, value); the title is the SVG's accessible name."""
    chart_id = f"grafico-{next(_ids)}"
    top = max([maximum or 0, *(value for _, value in items)]) or 1
    span = CHART_WIDTH - LABEL_WIDTH - 70
    height = ROW * max(len(items), 1) + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{chart_id}" '
        f'width="{CHART_WIDTH}" height="{height}" viewBox="0 0 {CHART_WIDTH} {height}" '
        f'font-family="sans-serif" font-size="12">',
        f'<title id="{chart_id}">{escape(title)}</title>',
    ]
    for index, (label, value) in enumerate(items):
        y = 5 + index * ROW
        width = max(span * value / top, 1 if value else 0)
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 14}" text-anchor="end">'
            f"<title>{escape(label)}</title>{escape(_short(label))}</text>"
            f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{width:.1f}" height="{ROW - 8}" '
            f'fill="{BAR}"/>'
            f'<text x="{LABEL_WIDTH + width + 5:.1f}" y="{y + 14}">{_number(value, suffix)}</text>'
        )
    if not items:
        parts.append(f'<text x="{LABEL_WIDTH}" y="18">Sin datos en el período</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text above is escaped)


def column_chart(items: Sequence[tuple[str, float]], title: str) -> Markup:
    """Vertical columns over time (months), labelled below."""
    chart_id = f"grafico-{next(_ids)}"
    top = max([value for _, value in items] or [0]) or 1
    height, base = 220, 190
    step = (CHART_WIDTH - 40) / max(len(items), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{chart_id}" '
        f'width="{CHART_WIDTH}" height="{height}" viewBox="0 0 {CHART_WIDTH} {height}" '
        f'font-family="sans-serif" font-size="11">',
        f'<title id="{chart_id}">{escape(title)}</title>',
        f'<line x1="20" y1="{base}" x2="{CHART_WIDTH - 10}" y2="{base}" stroke="#555"/>',
    ]
    for index, (label, value) in enumerate(items):
        x = 25 + index * step
        bar = (base - 25) * value / top
        width = min(step * 0.7, MAX_COLUMN)
        middle = x + width / 2
        parts.append(
            f'<rect x="{x:.1f}" y="{base - bar:.1f}" width="{width:.1f}" height="{bar:.1f}" '
            f'fill="{BAR}"/>'
            f'<text x="{middle:.1f}" y="{base - bar - 4:.1f}" text-anchor="middle">'
            f"{_number(value, '')}</text>"
            f'<text x="{middle:.1f}" y="{base + 16}" text-anchor="middle">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text above is escaped)
