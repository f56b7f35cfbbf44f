"""The fault model: which failures the testbed can inject, on which surface, and when.

Probes and load tests need failures on demand, timed like the incident a scenario describes, so a
fault is data (a frozen pydantic model, the same in a faults YAML, the control API and Python) and a
``FaultBoard`` holds the installed faults with the moment each was installed.

Surfaces (``Surface``)
    ``rpc`` (CometBFT RPC, :26657 shapes), ``rest`` (Cosmos REST, :1317), ``grpc`` (:9090),
    ``metrics`` (Prometheus, :26660), ``provider`` (provider daemon), ``benchmark`` (benchmark
    daemon), and ``chain`` for faults of the simulated chain itself, seen on every surface.

Transport kinds (any surface except ``chain``)
    ``down``             the port refuses connections (the listener closes; it reopens on the same
                         port when the fault ends).
    ``hang``             the request is accepted and never answered: the connection closes after
                         ``request_timeout_seconds`` (gRPC: DEADLINE_EXCEEDED at the call's deadline).
    ``latency``          each affected request waits ``latency_seconds`` first; ``latency_distribution``
                         ``fixed`` (exactly that), ``exponential`` (that mean) or ``lognormal`` (that
                         median, ``latency_sigma`` the log-space spread). Set it past a probe's timeout
                         to make the probe time out.
    ``error``            the request fails. HTTP surfaces: ``http_status`` (500, 502 or 503) with
                         ``body`` ``html`` (an nginx-like page), ``empty``, or ``protocol`` (the
                         surface's own error: JSON-RPC ``jsonrpc_code`` (-32603 or -32601) with
                         ``data``, HTTP 200 on POST and 500 on GET, on rpc; ``{code, message, details}``
                         for ``grpc_code`` with its gRPC→HTTP status on rest; ``{"error": data}`` with
                         ``http_status`` elsewhere). gRPC: status ``grpc_code`` (``UNAVAILABLE``,
                         ``DEADLINE_EXCEEDED`` or ``UNIMPLEMENTED``) with ``data`` as details.
    ``truncated_json``   the response body is cut in half (HTTP surfaces only).
    ``health_not_serving`` (``grpc`` only) ``grpc.health.v1.Health/Check`` answers NOT_SERVING; the
                         health service is served only when the testbed enables it (a real node has
                         none and answers UNIMPLEMENTED).

Chain kinds (surface ``chain``, the default for them)
    ``block_stall``      no new blocks: the height freezes, ``/health`` still answers ``{}`` and
                         ``catching_up`` stays false.
    ``catching_up``      ``/status`` reports ``catching_up: true``, REST and gRPC ``syncing: true``.
    ``mempool_full``     broadcasts are refused with the real "mempool is full" error (REST and gRPC:
                         HTTP 200 / OK with code 20, codespace ``sdk``).
    ``slow_inclusion``   accepted txs wait ``delay_blocks`` extra blocks before a block may include them.
    ``dropped_txs``      a ``ratio`` of accepted txs leave the mempool silently and are never included.
    ``zero_peers``       ``/net_info`` and ``cometbft_p2p_peers`` show no peers.
    ``checktx_reject``   a ``ratio`` of broadcasts fail CheckTx with SDK ``code`` 13 (insufficient
                         fee) or 32 (incorrect account sequence).

Timing
    ``start_after_seconds`` (default 0) after the fault is installed it becomes active, and
    ``duration_seconds`` later (default: never) it expires. Faults given at start (the faults YAML)
    count from the testbed's start, so a scenario's timeline replays live. ``ratio`` (default 1)
    is the share of requests (or txs) a per-request fault affects: hang, latency, error,
    truncated_json, mempool_full, dropped_txs, checktx_reject. The others are on or off.

Control API (its own loopback port)
    ``GET /faults`` lists ``{"faults": [{id, state, ...fields}]}`` with ``state`` one of
    ``pending``, ``active``, ``expired``; ``PUT /faults`` replaces them all with ``{"faults": [...]}``
    (JSON or YAML); ``POST /faults`` adds one and returns it with its ``id`` (201);
    ``DELETE /faults`` clears all, ``DELETE /faults/{id}`` one (404 when unknown).

Example::

    tb.faults.add(Fault(surface=Surface.RPC, kind=FaultKind.LATENCY, latency_seconds=5.0,
                        start_after_seconds=10, duration_seconds=60))
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

MAX_FAULT_SECONDS = 86_400.0
"""The longest injected latency: a day is past every client's timeout; longer only overflows timers."""


class Surface(enum.StrEnum):
    """Where a fault applies: one served port, or the simulated chain behind all of them."""

    RPC = "rpc"
    REST = "rest"
    GRPC = "grpc"
    METRICS = "metrics"
    PROVIDER = "provider"
    BENCHMARK = "benchmark"
    CHAIN = "chain"


class FaultKind(enum.StrEnum):
    """What goes wrong; the module docstring says what each does on the wire."""

    DOWN = "down"
    HANG = "hang"
    LATENCY = "latency"
    ERROR = "error"
    TRUNCATED_JSON = "truncated_json"
    HEALTH_NOT_SERVING = "health_not_serving"
    BLOCK_STALL = "block_stall"
    CATCHING_UP = "catching_up"
    MEMPOOL_FULL = "mempool_full"
    SLOW_INCLUSION = "slow_inclusion"
    DROPPED_TXS = "dropped_txs"
    ZERO_PEERS = "zero_peers"
    CHECKTX_REJECT = "checktx_reject"


CHAIN_KINDS = frozenset(
    {
        FaultKind.BLOCK_STALL,
        FaultKind.CATCHING_UP,
        FaultKind.MEMPOOL_FULL,
        FaultKind.SLOW_INCLUSION,
        FaultKind.DROPPED_TXS,
        FaultKind.ZERO_PEERS,
        FaultKind.CHECKTX_REJECT,
    }
)
FaultState = Literal["pending", "active", "expired"]


class Fault(BaseModel):
    """One injected failure: a kind on a surface, with its parameters and its time window."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    kind: FaultKind
    surface: Surface = Surface.CHAIN
    start_after_seconds: float = Field(default=0.0, ge=0)
    duration_seconds: float | None = Field(default=None, gt=0)
    ratio: float = Field(default=1.0, ge=0, le=1)
    latency_seconds: float = Field(default=0.0, ge=0, le=MAX_FAULT_SECONDS)
    latency_distribution: Literal["fixed", "exponential", "lognormal"] = "fixed"
    latency_sigma: float = Field(default=0.5, gt=0)
    http_status: Literal[500, 502, 503] = 503
    body: Literal["html", "empty", "protocol"] = "html"
    jsonrpc_code: Literal[-32603, -32601] = -32603
    data: str = "injected fault"
    grpc_code: Literal["UNAVAILABLE", "DEADLINE_EXCEEDED", "UNIMPLEMENTED"] = "UNAVAILABLE"
    delay_blocks: int = Field(default=3, ge=1)
    code: Literal[13, 32] = 32

    @model_validator(mode="after")
    def _surface_fits_kind(self) -> Fault:
        if (self.kind in CHAIN_KINDS) != (self.surface is Surface.CHAIN):
            where = "surface 'chain'" if self.kind in CHAIN_KINDS else "a served surface, not 'chain'"
            raise ValueError(f"fault kind {self.kind.value!r} needs {where}")
        if self.kind is FaultKind.HEALTH_NOT_SERVING and self.surface is not Surface.GRPC:
            raise ValueError("fault kind 'health_not_serving' needs surface 'grpc'")
        if self.kind is FaultKind.TRUNCATED_JSON and self.surface is Surface.GRPC:
            raise ValueError("fault kind 'truncated_json' needs an HTTP surface, not 'grpc'")
        return self

    def sample_latency(self, rng: np.random.Generator) -> float:
        """One delay, in seconds, drawn from this fault's latency distribution."""
        if self.latency_distribution == "exponential":
            return float(rng.exponential(self.latency_seconds))
        if self.latency_distribution == "lognormal":
            return float(self.latency_seconds * rng.lognormal(0.0, self.latency_sigma))
        return self.latency_seconds


@dataclass(frozen=True)
class InstalledFault:
    """A fault with its id and the monotonic time it was installed."""

    id: str
    fault: Fault
    installed_at: float

    def state(self, now: float) -> FaultState:
        start = self.installed_at + self.fault.start_after_seconds
        if now < start:
            return "pending"
        if self.fault.duration_seconds is not None and now >= start + self.fault.duration_seconds:
            return "expired"
        return "active"


class FaultBoard:
    """The installed faults of one testbed; every server asks it what is active right now.

    ``monotonic`` is the clock fault windows are measured on; ``rng`` decides which requests a
    ``ratio`` below 1 affects and samples latencies.
    """

    def __init__(self, monotonic: Callable[[], float], rng: np.random.Generator) -> None:
        self._monotonic = monotonic
        self._rng = rng
        self._faults: dict[str, InstalledFault] = {}
        self._ids = itertools.count(1)

    def add(self, fault: Fault, installed_at: float | None = None) -> str:
        """Install a fault (its offset counts from ``installed_at``, default now); returns its id."""
        fault_id = f"f{next(self._ids)}"
        at = self._monotonic() if installed_at is None else installed_at
        self._faults[fault_id] = InstalledFault(fault_id, fault, at)
        return fault_id

    def replace(self, faults: Iterable[Fault], installed_at: float | None = None) -> list[str]:
        """Remove every fault and install these, all counting from the same moment."""
        at = self._monotonic() if installed_at is None else installed_at
        self._faults.clear()
        return [self.add(fault, at) for fault in faults]

    def remove(self, fault_id: str) -> bool:
        """Remove one fault; False when no fault has that id."""
        return self._faults.pop(fault_id, None) is not None

    def clear(self) -> None:
        self._faults.clear()

    def installed(self) -> list[tuple[InstalledFault, FaultState]]:
        """Every installed fault with its state now, in installation order."""
        now = self._monotonic()
        return [(item, item.state(now)) for item in self._faults.values()]

    def active(self, surface: Surface, kind: FaultKind) -> Fault | None:
        """The first active fault of this kind on this surface, or None."""
        now = self._monotonic()
        for item in self._faults.values():
            if item.fault.surface is surface and item.fault.kind is kind and item.state(now) == "active":
                return item.fault
        return None

    def active_on(self, surface: Surface) -> list[Fault]:
        """Every active fault of a surface, in installation order."""
        now = self._monotonic()
        return [
            item.fault
            for item in self._faults.values()
            if item.fault.surface is surface and item.state(now) == "active"
        ]

    def hits(self, fault: Fault) -> bool:
        """Whether this request (or tx) is one the fault affects, drawn with the fault's ratio."""
        return fault.ratio >= 1.0 or bool(self._rng.random() < fault.ratio)

    def triggered(self, surface: Surface, kind: FaultKind) -> Fault | None:
        """The active fault of this kind if it affects this request, else None."""
        fault = self.active(surface, kind)
        return fault if fault is not None and self.hits(fault) else None

    def latency(self, fault: Fault) -> float:
        return fault.sample_latency(self._rng)
