"""Prometheus' HTTP query API, read with a timeout, a cap on every answer and at most 10,000 points a call.

Queries are PromQL with ``$window`` where the range goes, as ``slo-harness rules`` writes them (the
events in ``(t − window, t]`` are ``sum(increase(counter[$window]))``), or a counter expression such as
``sum(requests_total)``, whose increase over the window is read through a subquery. An instant query
with the SLO window gives the budget now; a range query with the step as window gives counts per step.
Prometheus refuses range queries of more than 11,000 points, so long periods are read in pieces.
"""

from __future__ import annotations

import json
import math
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from slo.catalogs.catalog import SLO, LatencyObjective
from slo.foundation.durations import format_duration
from slo.prometheus.prometheus_rules import WINDOW_PLACEHOLDER

__all__ = ["PrometheusSource", "SourceError", "default_queries", "queries_for", "with_window"]

FloatArray = NDArray[np.float64]
POINTS_PER_QUERY = 10_000
PROBE_COUNTER = "slo_harness_probe_total"
LATENCY_HISTOGRAM = "slo_harness_sli_latency_seconds"


class SourceError(Exception):
    """A source could not answer (unreachable, refused the query, answered too much); one line."""


def _matchers(selector: str, extra: str = "") -> str:
    parts = [p for p in (extra, selector.strip().strip(",")) if p]
    return "{" + ",".join(parts) + "}" if parts else ""


def default_queries(slo: SLO, selector: str = "") -> tuple[str, str]:
    """Good and total events of the scheduled prober's series, narrowed by ``selector``.

    A ratio objective counts probes (``slo_harness_probe_total``, good = ``result="success"``); a
    latency objective counts the latency histogram's observations at or under its threshold.
    """
    if isinstance(slo.objective, LatencyObjective):
        le = 'le="' + repr(float(slo.objective.threshold_seconds)) + '"'
        good = f"{LATENCY_HISTOGRAM}_bucket{_matchers(selector, le)}"
        total = f"{LATENCY_HISTOGRAM}_count{_matchers(selector)}"
    else:
        success = 'result="success"'
        good = f"{PROBE_COUNTER}{_matchers(selector, success)}"
        total = f"{PROBE_COUNTER}{_matchers(selector)}"
    return f"sum(increase({good}[{WINDOW_PLACEHOLDER}]))", f"sum(increase({total}[{WINDOW_PLACEHOLDER}]))"


def queries_for(slo: SLO, good: str | None, total: str | None, selector: str = "") -> tuple[str, str]:
    """The user's ``--good``/``--total`` (both or neither), else the default queries for ``slo``."""
    if good is not None and total is not None:
        return good, total
    if good is not None or total is not None:
        raise SourceError("--good and --total go together")
    return default_queries(slo, selector)


def with_window(query: str, window_seconds: float) -> str:
    """Events in the window: ``$window`` replaced by it, or a counter expression's increase over it.

    A query without ``$window`` is read as a counter (``sum(requests_total)``, as ``backtest`` takes
    it) and becomes ``increase((Q)[window:])``, a subquery at the server's evaluation interval.
    """
    window = format_duration(window_seconds)
    if WINDOW_PLACEHOLDER in query:
        return query.replace(WINDOW_PLACEHOLDER, window)
    return f"increase(({query})[{window}:])"


@dataclass(frozen=True)
class PrometheusSource:
    """A Prometheus server's query API at ``url`` (e.g. ``http://127.0.0.1:9090``)."""

    url: str
    timeout_seconds: float = 30.0
    max_response_bytes: int = 32 * 1024 * 1024

    def _get(self, path: str, params: dict[str, str]) -> Any:
        endpoint = f"{self.url.rstrip('/')}{path}?{urllib.parse.urlencode(params)}"
        try:
            with urllib.request.urlopen(endpoint, timeout=self.timeout_seconds) as response:
                raw = response.read(self.max_response_bytes + 1)
        except urllib.error.HTTPError as exc:
            raw = exc.read(self.max_response_bytes + 1)
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise SourceError(f"{self.url}: cannot query Prometheus: {reason}") from None
        if len(raw) > self.max_response_bytes:
            raise SourceError(f"{self.url}: answer larger than {self.max_response_bytes} bytes")
        try:
            body = json.loads(raw)
        except ValueError:
            raise SourceError(f"{self.url}: answer is not Prometheus JSON") from None
        if not isinstance(body, dict) or body.get("status") != "success":
            error = body.get("error", "unknown error") if isinstance(body, dict) else "unknown error"
            raise SourceError(f"{self.url}: query {params.get('query', '')!r} failed: {error}")
        return body["data"]

    @staticmethod
    def _one_series(query: str, result: list[Any]) -> Any | None:
        if len(result) > 1:
            raise SourceError(f"query {query!r} returns {len(result)} series; wrap it in sum(...)")
        return result[0] if result else None

    def instant(self, query: str, at: float) -> float | None:
        """The value of ``query`` at ``at`` (Unix seconds); None when it has no sample or is NaN."""
        data = self._get("/api/v1/query", {"query": query, "time": repr(at)})
        if data.get("resultType") == "scalar":
            value = float(data["result"][1])
        else:
            series = self._one_series(query, data["result"])
            if series is None:
                return None
            value = float(series["value"][1])
        return None if math.isnan(value) else value

    def range(self, query: str, *, first: float, step_seconds: float, points: int) -> FloatArray:
        """Values at ``first + i·step`` for ``i < points``; NaN where Prometheus has none."""
        out = np.full(points, np.nan)
        for offset in range(0, points, POINTS_PER_QUERY):
            count = min(POINTS_PER_QUERY, points - offset)
            start = first + offset * step_seconds
            params = {
                "query": query,
                "start": repr(start),
                "end": repr(start + (count - 1) * step_seconds),
                "step": repr(step_seconds),
            }
            series = self._one_series(query, self._get("/api/v1/query_range", params)["result"])
            if series is None:
                continue
            for t, v in series["values"]:
                i = round((float(t) - first) / step_seconds)
                if 0 <= i < points:
                    out[i] = float(v)
        return out
