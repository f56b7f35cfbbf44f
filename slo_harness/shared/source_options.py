"""The options that name recorded data, shared by ``gate`` and ``report`` so both read sources alike."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = ["GoodOption", "PrometheusOption", "SelectorOption", "StoreOption", "TotalOption"]

StoreOption = Annotated[Path | None, typer.Option("--store", help="The exporter's results file.")]
PrometheusOption = Annotated[str | None, typer.Option("--prometheus", help="Prometheus base URL.")]
GoodOption = Annotated[str | None, typer.Option("--good", help="PromQL good events: $window or a counter.")]
TotalOption = Annotated[str | None, typer.Option("--total", help="PromQL all events: $window or a counter.")]
SelectorOption = Annotated[str, typer.Option("--selector", help='Default queries narrowed: module="rpc".')]
