"""The pieces every HTML report is built from: style, tables, inlined images, and the page around them.

The simulator's run report, the backtest and the periodic SLO report are all pages of this one
renderer, so they look alike and stay self-contained (images as data URIs, no external assets).
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from html import escape

from slo.foundation.durations import format_duration

__all__ = ["STYLE", "duration", "image", "page", "pct", "table"]

STYLE = """
body{font-family:system-ui,sans-serif;margin:2em;max-width:1100px;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px}
th{background:#f0f0f0;text-align:left}.pass{color:#176f2c}.fail{color:#b00020;font-weight:bold}
img{max-width:100%}code{background:#f4f4f4;padding:0 3px}
"""


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    return ("-" if seconds < 0 else "") + format_duration(round(abs(seconds)))


def pct(ratio: float | None, digits: int = 3) -> str:
    return "—" if ratio is None else f"{ratio * 100:.{digits}f}%"


def table(header: list[str], rows: list[list[str]]) -> str:
    """Cells are HTML already (escape text before); an empty table reads "none"."""
    if not rows:
        return "<p>none</p>"
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def image(png: bytes, alt: str) -> str:
    return f'<img alt="{escape(alt)}" src="data:image/png;base64,{base64.b64encode(png).decode()}">'


def page(title: str, parts: Iterable[str], extra_style: str = "") -> str:
    """A whole document: head with title and style (plus ``extra_style``), then ``parts`` in order."""
    head = f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(title)}</title>"
    return "".join([head, f"<style>{STYLE}{extra_style}</style></head><body>", *parts, "</body></html>\n"])
