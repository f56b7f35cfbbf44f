"""Where commands print: tables to stdout, wide enough to read when piped; errors to stderr."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from slo.durations import parse_duration

# Piped output has no terminal width; rich would fold tables into 80 columns of ellipses.
PIPED_WIDTH = 200


def stdout_console() -> Console:
    return Console(width=None if sys.stdout.isatty() else PIPED_WIDTH, highlight=False)


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print ``error: message`` on stderr and return the Exit to raise."""
    Console(stderr=True, highlight=False, soft_wrap=True).print(f"error: {message}", markup=False)
    return typer.Exit(code)


def positive_duration(text: str, option: str) -> float:
    """A duration option in seconds, or exit 2 with ``error: --option: reason``."""
    try:
        seconds = parse_duration(text)
    except ValueError as exc:
        raise fail(f"{option}: {exc}") from None
    if seconds <= 0:
        raise fail(f"{option}: must be longer than zero")
    return seconds
