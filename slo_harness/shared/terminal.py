"""Where commands print: tables to stdout, wide enough to read when piped; errors to stderr.

rich is imported when something is printed, not when the CLI loads (every command pays for that).
"""

from __future__ import annotations

import sys
from collections.abc import Collection
from typing import TYPE_CHECKING

import typer

from slo.foundation import durations

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

# Piped output has no terminal width; rich would fold tables into 80 columns of ellipses.
PIPED_WIDTH = 200


def stdout_console() -> Console:
    from rich.console import Console

    return Console(width=None if sys.stdout.isatty() else PIPED_WIDTH, highlight=False)


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print ``error: message`` on stderr and return the Exit to raise."""
    from rich.console import Console

    Console(stderr=True, highlight=False, soft_wrap=True).print(f"error: {message}", markup=False)
    return typer.Exit(code)


def positive_duration(text: str, option: str) -> float:
    """A duration option in seconds, or exit 2 with ``error: --option: reason``."""
    try:
        return durations.positive_duration(text, option)
    except ValueError as exc:
        raise fail(str(exc)) from None


def table(title: str, columns: Collection[str], keys: Collection[str] = ()) -> Table:
    """A table for :func:`print_table` whose ``keys`` columns (ids, verdicts) are never cut or wrapped;
    the other columns wrap their text onto more lines instead of ending in an ellipsis."""
    from rich.table import Table

    grid = Table(title=title, title_justify="left")
    for column in columns:
        if column in keys:
            grid.add_column(column, no_wrap=True, overflow="ignore")
        else:
            grid.add_column(column, overflow="fold")
    return grid


def print_table(grid: Table, console: Console | None = None) -> None:
    """Print on stdout; a terminal too narrow for the key columns gets a wider table, never a cut id."""
    from rich.measure import Measurement

    out = console or stdout_console()
    for column in grid.columns:
        if column.no_wrap:
            cells = [column.header, *column.cells]
            column.min_width = max(Measurement.get(out, out.options, c).maximum for c in cells)
    out.print(grid)
