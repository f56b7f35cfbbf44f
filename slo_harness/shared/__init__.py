"""What several commands share: where they print (``terminal``), the options that name recorded data
(``source_options``, for ``gate`` and ``report``), and worker processes that die with the command
that started them (``workers``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slo.foundation.lazy_api import lazy_api

if TYPE_CHECKING:
    from slo_harness.shared.source_options import (
        GoodOption,
        PrometheusOption,
        SelectorOption,
        StoreOption,
        TotalOption,
    )
    from slo_harness.shared.terminal import fail, positive_duration, print_table, stdout_console, table
    from slo_harness.shared.workers import bound_pool

__all__ = [
    "GoodOption",
    "PrometheusOption",
    "SelectorOption",
    "StoreOption",
    "TotalOption",
    "bound_pool",
    "fail",
    "positive_duration",
    "print_table",
    "stdout_console",
    "table",
]

__getattr__, __dir__ = lazy_api(
    __name__,
    {
        "source_options": ("GoodOption", "PrometheusOption", "SelectorOption", "StoreOption", "TotalOption"),
        "terminal": ("fail", "positive_duration", "print_table", "stdout_console", "table"),
        "workers": ("bound_pool",),
    },
)
