"""The outcome of one probe, why it failed, and its rendering as Prometheus exposition text.

A probe either succeeds or fails for exactly one reason. Every reason is one exception class and one
``reason`` label value of ``probe_failure_info``, so the label set stays small and fixed (the
bounded-enum design of dns_exporter's ``dnsexp_failure_reason``, and blackbox_exporter PR #1334)::

    ProbeFailure
    ├── TargetRefused ............. refused          (allowlist, also on a redirect)
    ├── UnsupportedProber ......... unsupported      (a module this exporter cannot run, e.g. icmp)
    ├── NetworkFailure
    │   ├── DnsFailure ............ dns
    │   ├── ConnectFailure ........ connect
    │   ├── TlsFailure ............ tls
    │   └── ProbeTimeout .......... timeout          (the probe deadline passed, in any phase)
    ├── ProtocolFailure ........... protocol         (a response we could not read: truncated, not JSON)
    ├── CheckFailure
    │   ├── StatusCodeFailure ..... status_code
    │   ├── HttpVersionFailure .... http_version
    │   ├── SslFailure ............ ssl              (fail_if_ssl / fail_if_not_ssl)
    │   ├── BodyRegexFailure ...... body_regex
    │   ├── HeaderFailure ......... header           (fail_if_header_matches / _not_matches)
    │   ├── JsonFailure ........... json             (a JSON assertion on the body)
    │   └── ExpectFailure ......... expect           (tcp query_response)
    ├── GrpcFailure
    │   ├── GrpcStatusFailure ..... grpc_status      (the RPC ended with a non-OK code)
    │   ├── GrpcUnimplemented ..... grpc_unimplemented
    │   └── NotServingFailure ..... not_serving      (Check answered, but not SERVING)
    └── ChainFailure
        ├── BlockAgeFailure ....... block_age
        ├── HeightStalledFailure .. height_stalled
        ├── CatchingUpFailure ..... catching_up
        ├── PeersFailure .......... peers
        ├── TxRejectedFailure ..... tx_rejected
        └── TxTimeoutFailure ...... tx_timeout

Metric samples are plain gauges with blackbox_exporter's names; ``render_result`` is a pure function
of the result (as client_python's ``generate_latest`` is of a registry), so the aiohttp handler stays
thin and the text can be tested without a server.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import ClassVar

__all__ = [
    "BlockAgeFailure",
    "BodyRegexFailure",
    "CatchingUpFailure",
    "ChainFailure",
    "CheckFailure",
    "ConnectFailure",
    "DnsFailure",
    "ExpectFailure",
    "FailureReason",
    "GrpcFailure",
    "GrpcStatusFailure",
    "GrpcUnimplemented",
    "HeaderFailure",
    "HeightStalledFailure",
    "HttpVersionFailure",
    "JsonFailure",
    "LogRecord",
    "NetworkFailure",
    "NotServingFailure",
    "PeersFailure",
    "ProbeFailure",
    "ProbeResult",
    "ProbeTimeout",
    "ProtocolFailure",
    "Sample",
    "SslFailure",
    "StatusCodeFailure",
    "TargetRefused",
    "TlsFailure",
    "TxRejectedFailure",
    "TxTimeoutFailure",
    "UnsupportedProber",
    "all_samples",
    "failure_class",
    "format_log",
    "format_value",
    "render_debug",
    "render_result",
]


class FailureReason(StrEnum):
    """The ``reason`` label values of ``probe_failure_info``; the set is closed on purpose."""

    REFUSED = "refused"
    UNSUPPORTED = "unsupported"
    DNS = "dns"
    CONNECT = "connect"
    TLS = "tls"
    TIMEOUT = "timeout"
    PROTOCOL = "protocol"
    STATUS_CODE = "status_code"
    HTTP_VERSION = "http_version"
    SSL = "ssl"
    BODY_REGEX = "body_regex"
    HEADER = "header"
    JSON = "json"
    EXPECT = "expect"
    GRPC_STATUS = "grpc_status"
    GRPC_UNIMPLEMENTED = "grpc_unimplemented"
    NOT_SERVING = "not_serving"
    BLOCK_AGE = "block_age"
    HEIGHT_STALLED = "height_stalled"
    CATCHING_UP = "catching_up"
    PEERS = "peers"
    TX_REJECTED = "tx_rejected"
    TX_TIMEOUT = "tx_timeout"


class ProbeFailure(Exception):  # noqa: N818 (each reason is a kind of failure, not an error of ours)
    """A probe failed; the message is the human sentence that goes into the probe's debug log."""

    reason: ClassVar[FailureReason]


class TargetRefused(ProbeFailure):
    reason = FailureReason.REFUSED


class UnsupportedProber(ProbeFailure):
    reason = FailureReason.UNSUPPORTED


class NetworkFailure(ProbeFailure):
    """The target could not be reached: name, connection, TLS handshake or time ran out."""


class DnsFailure(NetworkFailure):
    reason = FailureReason.DNS


class ConnectFailure(NetworkFailure):
    reason = FailureReason.CONNECT


class TlsFailure(NetworkFailure):
    reason = FailureReason.TLS


class ProbeTimeout(NetworkFailure):
    reason = FailureReason.TIMEOUT


class ProtocolFailure(ProbeFailure):
    reason = FailureReason.PROTOCOL


class CheckFailure(ProbeFailure):
    """The target answered, and the answer failed one of the module's checks."""


class StatusCodeFailure(CheckFailure):
    reason = FailureReason.STATUS_CODE


class HttpVersionFailure(CheckFailure):
    reason = FailureReason.HTTP_VERSION


class SslFailure(CheckFailure):
    reason = FailureReason.SSL


class BodyRegexFailure(CheckFailure):
    reason = FailureReason.BODY_REGEX


class HeaderFailure(CheckFailure):
    reason = FailureReason.HEADER


class JsonFailure(CheckFailure):
    reason = FailureReason.JSON


class ExpectFailure(CheckFailure):
    reason = FailureReason.EXPECT


class GrpcFailure(ProbeFailure):
    """A gRPC call answered with an error, or a health check that is not SERVING."""


class GrpcStatusFailure(GrpcFailure):
    reason = FailureReason.GRPC_STATUS


class GrpcUnimplemented(GrpcFailure):
    reason = FailureReason.GRPC_UNIMPLEMENTED


class NotServingFailure(GrpcFailure):
    reason = FailureReason.NOT_SERVING


class ChainFailure(ProbeFailure):
    """The node answered, and the chain it reports is unhealthy."""


class BlockAgeFailure(ChainFailure):
    reason = FailureReason.BLOCK_AGE


class HeightStalledFailure(ChainFailure):
    reason = FailureReason.HEIGHT_STALLED


class CatchingUpFailure(ChainFailure):
    reason = FailureReason.CATCHING_UP


class PeersFailure(ChainFailure):
    reason = FailureReason.PEERS


class TxRejectedFailure(ChainFailure):
    reason = FailureReason.TX_REJECTED


class TxTimeoutFailure(ChainFailure):
    reason = FailureReason.TX_TIMEOUT


def _leaf_classes(cls: type[ProbeFailure]) -> Iterable[type[ProbeFailure]]:
    for sub in cls.__subclasses__():
        if "reason" in sub.__dict__:
            yield sub
        yield from _leaf_classes(sub)


def failure_class(reason: FailureReason) -> type[ProbeFailure]:
    """The one exception class that carries ``reason``."""
    for cls in _leaf_classes(ProbeFailure):
        if cls.reason is reason:
            return cls
    raise LookupError(reason)


@dataclass(frozen=True, slots=True)
class Sample:
    """One gauge sample: ``name{labels} value``, with the HELP text blackbox_exporter gives it."""

    name: str
    value: float
    help: str = ""
    labels: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class LogRecord:
    """One line of a probe's log, in blackbox_exporter's logfmt fields."""

    wall_time: float
    level: str
    caller: str
    message: str
    fields: tuple[tuple[str, object], ...] = ()


@dataclass(frozen=True, slots=True)
class ProbeResult:
    """What one probe found. ``samples`` holds the prober's own gauges; ``render_result`` adds
    ``probe_success``, ``probe_duration_seconds`` and ``probe_failure_info`` from the fields.

    >>> r = ProbeResult(success=True, duration_seconds=0.25)
    >>> print(render_result(r, failure_info=False), end="")
    # HELP probe_duration_seconds Returns how long the probe took to complete in seconds
    # TYPE probe_duration_seconds gauge
    probe_duration_seconds 0.25
    # HELP probe_success Displays whether or not the probe was a success
    # TYPE probe_success gauge
    probe_success 1
    """

    success: bool
    duration_seconds: float
    failure: FailureReason | None = None
    message: str = ""
    samples: tuple[Sample, ...] = ()
    log: tuple[LogRecord, ...] = ()

    def value(self, name: str, **labels: str) -> float | None:
        """The value of one sample, or None when the probe did not emit it (handy in tests and views)."""
        want = tuple(sorted(labels.items()))
        for s in self.samples:
            if s.name == name and tuple(sorted(s.labels)) == want:
                return s.value
        if name == "probe_success" and not labels:
            return 1.0 if self.success else 0.0
        if name == "probe_duration_seconds" and not labels:
            return self.duration_seconds
        return None


_SUCCESS_HELP = "Displays whether or not the probe was a success"
_DURATION_HELP = "Returns how long the probe took to complete in seconds"
_FAILURE_HELP = "Why the probe failed: 1 on the one reason of a failed probe, none on success"


def format_value(value: float) -> str:
    """A float exactly as Prometheus' Go client writes it (``strconv`` 'g', shortest digits).

    Both languages write the shortest digits that read back exactly, and both switch to exponent
    form below 1e-4 (``1.8608e-05``, two exponent digits at least); Go also does from 1e6 up, where
    Python's ``repr`` waits until 1e16, so ``probe_ip_addr_hash`` reads ``3.668918509e+09`` in both
    exporters: only that range is rewritten here.

    >>> [format_value(v) for v in (200, -1, 0.25, 1.8608e-05, 3668918509.0)]
    ['200', '-1', '0.25', '1.8608e-05', '3.668918509e+09']
    """
    value = float(value)
    if abs(value) < 1e6:  # NaN is not below anything, so it falls through to its own case
        return str(int(value)) if value.is_integer() else repr(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    text = repr(value)
    if "e" in text:  # from 1e16 up Python's exponent form is Go's
        return text
    sign = "-" if value < 0 else ""
    whole, _, fraction = text.lstrip("-").partition(".")
    digits = (whole + fraction).rstrip("0")
    mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    return f"{sign}{mantissa}e+{len(whole) - 1:02d}"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _series(sample: Sample) -> str:
    if not sample.labels:
        return f"{sample.name} {format_value(sample.value)}"
    labels = ",".join(f'{k}="{_escape(v)}"' for k, v in sample.labels)
    return f"{sample.name}{{{labels}}} {format_value(sample.value)}"


def all_samples(result: ProbeResult, *, failure_info: bool = True) -> list[Sample]:
    """The prober's samples plus the ones every probe has, sorted by name as the Go client gathers."""
    samples = [
        *result.samples,
        Sample("probe_success", 1.0 if result.success else 0.0, _SUCCESS_HELP),
        Sample("probe_duration_seconds", result.duration_seconds, _DURATION_HELP),
    ]
    if failure_info and result.failure is not None:
        samples.append(Sample("probe_failure_info", 1.0, _FAILURE_HELP, (("reason", result.failure.value),)))
    return sorted(samples, key=lambda s: (s.name, s.labels))


@functools.lru_cache(maxsize=256)
def _header(name: str, help_text: str) -> str:
    """One metric's HELP and TYPE lines (the names and help texts are the probers' own, a small set)."""
    return f"# HELP {name} {help_text}\n# TYPE {name} gauge\n"


def render_result(result: ProbeResult, *, failure_info: bool = True) -> str:
    """Prometheus text exposition (0.0.4) of one probe: one HELP/TYPE block per metric, all gauges."""
    parts: list[str] = []
    current = ""
    for sample in all_samples(result, failure_info=failure_info):
        if sample.name != current:
            current = sample.name
            parts.append(_header(sample.name, sample.help))
        parts.append(_series(sample))
        parts.append("\n")
    return "".join(parts)


def _logfmt_value(value: object) -> str:
    text = str(value)
    if text == "" or any(c in text for c in ' ="\\\n'):
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    return text


def _timestamp(wall_time: float) -> str:
    moment = datetime.fromtimestamp(wall_time, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f") + "Z"


def format_log(records: tuple[LogRecord, ...], module: str, target: str) -> list[str]:
    """The records as blackbox_exporter prints them under ``Logs for the probe:``."""
    lines = []
    for r in records:
        parts = [
            f"ts={_timestamp(r.wall_time)}",
            f"caller={r.caller}",
            f"module={_logfmt_value(module)}",
            f"target={_logfmt_value(target)}",
            f"level={r.level}",
            f"msg={_logfmt_value(r.message)}",
        ]
        parts.extend(f"{k}={_logfmt_value(v)}" for k, v in r.fields)
        lines.append(" ".join(parts))
    return lines


def render_debug(result: ProbeResult, module: str, target: str, module_yaml: str) -> str:
    """The ``debug=true`` page in blackbox_exporter's layout: logs, metrics, module configuration."""
    log = "".join(line + "\n" for line in format_log(result.log, module, target))
    return (
        "Logs for the probe:\n"
        + log
        + "\n\n\nMetrics that would have been returned:\n"
        + render_result(result)
        + "\n\n\nModule configuration:\n"
        + module_yaml
    )
