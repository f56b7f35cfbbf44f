"""The failure tree, Go-style number formatting and the exposition / debug rendering."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from prometheus_client.parser import text_string_to_metric_families

from probes.result import (
    FailureReason,
    LogRecord,
    ProbeFailure,
    ProbeResult,
    Sample,
    failure_class,
    format_value,
    render_debug,
    render_result,
)


def test_every_reason_has_exactly_one_class() -> None:
    classes = [failure_class(reason) for reason in FailureReason]
    assert len(set(classes)) == len(FailureReason)
    for reason, cls in zip(FailureReason, classes, strict=True):
        assert issubclass(cls, ProbeFailure)
        assert cls.reason is reason


def test_go_float_formatting_matches_blackbox_exporter_output() -> None:
    # Values copied from a run of blackbox_exporter 0.23.
    assert format_value(3668918509.0) == "3.668918509e+09"
    assert format_value(1.8608e-05) == "1.8608e-05"
    assert format_value(0.003672453) == "0.003672453"
    assert format_value(302.0) == "302"
    assert format_value(1.1) == "1.1"
    assert format_value(-1.0) == "-1"
    assert format_value(1234567.0) == "1.234567e+06"


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_formatted_values_parse_back_exactly(value: float) -> None:
    assert float(format_value(value)) == value


def _digits(text: str) -> str:
    return text.split("e", maxsplit=1)[0].replace("-", "").replace(".", "").strip("0")


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_formatting_follows_gos_shortest_g_rules(value: float) -> None:
    """strconv.FormatFloat(v, 'g', -1, 64): the shortest round-trip digits (Python's repr has the
    same), exponent form exactly when the decimal exponent is below -4 or at least 6 (a zero has
    none), a mantissa in [1, 10) and a signed exponent of two digits at least."""
    text = format_value(value)
    magnitude = abs(value)
    assert ("e" in text) == (magnitude != 0 and not 1e-4 <= magnitude < 1e6)
    if "e" in text:
        mantissa, exponent = text.split("e")
        assert 1 <= abs(float(mantissa)) < 10
        assert exponent[0] in "+-" and len(exponent) >= 3 and exponent[1:].isdigit()
    assert _digits(text) == _digits(repr(value))


def _result() -> ProbeResult:
    return ProbeResult(
        success=False,
        duration_seconds=0.5,
        failure=FailureReason.STATUS_CODE,
        samples=(
            Sample("probe_http_status_code", 404, "Response HTTP status code"),
            Sample("probe_http_duration_seconds", 0.1, "phases", (("phase", "connect"),)),
            Sample("probe_http_duration_seconds", 0.2, "phases", (("phase", "transfer"),)),
        ),
        log=(LogRecord(0.0, "info", "http.py", "Beginning probe", (("probe", "http"),)),),
    )


def test_render_is_valid_exposition_sorted_by_name() -> None:
    text = render_result(_result())
    families = {f.name: f for f in text_string_to_metric_families(text)}
    names = [f.name for f in text_string_to_metric_families(text)]
    assert names == sorted(names)
    assert families["probe_success"].samples[0].value == 0
    assert families["probe_http_status_code"].samples[0].value == 404
    assert families["probe_failure_info"].samples[0].labels == {"reason": "status_code"}
    assert all(f.type == "gauge" for f in families.values())


def test_success_has_no_failure_info() -> None:
    text = render_result(ProbeResult(success=True, duration_seconds=0.1))
    assert "probe_failure_info" not in text
    assert "probe_success 1\n" in text


def test_debug_layout_is_blackbox_exporters() -> None:
    text = render_debug(_result(), "http_2xx", "example.com", "prober: http\n")
    logs, rest = text.split("\n\n\n\nMetrics that would have been returned:\n")
    assert logs.startswith("Logs for the probe:\nts=1970-01-01T00:00:00.000000Z caller=http.py")
    assert 'module=http_2xx target=example.com level=info msg="Beginning probe" probe=http' in logs
    metrics, config = rest.split("\n\n\nModule configuration:\n")
    assert "probe_success 0" in metrics
    assert config == "prober: http\n"
