"""How a command reports bad input: one line on stderr naming what was wrong, and a non-zero exit."""

from __future__ import annotations

import typer
from rich.console import Console

_stderr = Console(stderr=True, highlight=False, soft_wrap=True)


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print ``error: message`` on stderr and return the Exit to raise."""
    _stderr.print(f"error: {message}", markup=False)
    return typer.Exit(code)
