"""Instants, months and the trend's previous period; the default PromQL per objective kind."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from recorded.periods import format_time, month_period, parse_time, previous_period
from recorded.prometheus import SourceError, default_queries, queries_for, with_window
from slo import load_catalog


def ts(*parts: int) -> float:
    return datetime(*parts, tzinfo=UTC).timestamp()


def test_times_parse_as_utc_unless_they_say_otherwise() -> None:
    assert parse_time("2026-11-30T12:00:00Z") == ts(2026, 11, 30, 12)
    assert parse_time("2026-11-30T12:00:00") == ts(2026, 11, 30, 12)
    assert parse_time("2026-11-30T13:00:00+01:00") == ts(2026, 11, 30, 12)
    assert parse_time("1790000000") == 1_790_000_000.0
    assert format_time(ts(2026, 11, 30, 12)) == "2026-11-30T12:00:00Z"
    with pytest.raises(ValueError, match="not a time"):
        parse_time("yesterday")


def test_months_are_half_open_and_wrap_the_year() -> None:
    assert month_period("2026-11") == (ts(2026, 11, 1), ts(2026, 12, 1))
    assert month_period("2026-12") == (ts(2026, 12, 1), ts(2027, 1, 1))
    with pytest.raises(ValueError, match="not a month"):
        month_period("2026-13")


def test_the_previous_period_is_the_previous_month_or_the_same_length_before() -> None:
    assert previous_period(*month_period("2026-03"), "2026-03") == month_period("2026-02")  # 28 days
    assert previous_period(*month_period("2027-01"), "2027-01") == month_period("2026-12")
    assert previous_period(100.0, 160.0) == (40.0, 100.0)


def test_default_queries_count_probes_or_latency_buckets() -> None:
    catalog = load_catalog()
    good, total = default_queries(catalog.slo("SLO-API-001"), 'module="rpc"')
    assert good == 'sum(increase(slo_harness_probe_total{result="success",module="rpc"}[$window]))'
    assert total == 'sum(increase(slo_harness_probe_total{module="rpc"}[$window]))'
    good, total = default_queries(catalog.slo("SLO-NODE-007"))  # P95 block production under 7 s
    assert good == 'sum(increase(slo_harness_sli_latency_seconds_bucket{le="7.0"}[$window]))'
    assert total == "sum(increase(slo_harness_sli_latency_seconds_count[$window]))"
    assert with_window(total, 3600) == "sum(increase(slo_harness_sli_latency_seconds_count[1h]))"


def test_user_queries_come_in_pairs_with_a_window() -> None:
    slo = load_catalog().slo("SLO-API-001")
    assert queries_for(slo, "a[$window]", "b[$window]") == ("a[$window]", "b[$window]")
    with pytest.raises(SourceError, match="go together"):
        queries_for(slo, "a[$window]", None)
    # Without $window a query is a counter expression: its increase over the window, via a subquery.
    assert with_window("sum(requests_total)", 3600) == "increase((sum(requests_total))[1h:])"
