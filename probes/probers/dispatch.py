"""Which coroutine runs a module's prober, and the wrapper that holds every probe to its deadline.

The exporter, the one-shot CLI and the scheduler all call ``run_probe``: it looks the prober up by the
module's ``prober`` name (``prober_for`` imports that prober's module the first time, so the gRPC,
protobuf and signing libraries load only when a grpc, chain or tx probe runs), runs it under
``asyncio.timeout_at(ctx.deadline)`` (so no phase of any prober can outlive the scrape), turns a
raised ``ProbeFailure`` or the deadline into a failed result, and writes blackbox_exporter's
"Beginning probe" / "Probe succeeded|failed" log lines around it.

A prober is ``async def probe(target, module, ctx) -> ProbeResult``; it may raise a ``ProbeFailure``
instead of returning a failed result, and it finishes with ``ctx.finish()``.
"""

from __future__ import annotations

import asyncio
import functools
import importlib
from collections.abc import Awaitable, Callable, Mapping

from probes.config import Module
from probes.context import ProbeContext
from probes.result import ProbeFailure, ProbeResult, ProbeTimeout, UnsupportedProber

__all__ = ["PROBER_MODULES", "Prober", "prober_for", "run_probe"]

Prober = Callable[[str, Module, ProbeContext], Awaitable[ProbeResult]]


async def _unsupported(target: str, module: Module, ctx: ProbeContext) -> ProbeResult:
    """icmp needs raw sockets and dns a resolver library; their modules load but cannot run here."""
    raise UnsupportedProber(f"the {module.prober} prober is not implemented by slo-harness")


PROBER_MODULES = {
    "http": "probes.probers.http_prober",
    "tcp": "probes.probers.tcp_prober",
    "grpc": "probes.probers.grpc_prober",
    "chain": "probes.probers.chain_prober",
    "tx": "probes.probers.tx_prober",
}
"""Prober name (a module's ``prober:``) → the module whose ``probe`` coroutine runs it."""


@functools.cache
def prober_for(name: str) -> Prober:
    """The coroutine that runs prober ``name``, its module imported on first use; icmp, dns and
    unknown names get one that fails with ``UnsupportedProber``."""
    module = PROBER_MODULES.get(name)
    if module is None:
        return _unsupported
    probe: Prober = importlib.import_module(module).probe
    return probe


async def run_probe(
    target: str, module: Module, ctx: ProbeContext, registry: Mapping[str, Prober] | None = None
) -> ProbeResult:
    """Run one probe to completion or to ``ctx.deadline``, whichever comes first."""
    prober = prober_for(module.prober) if registry is None else registry.get(module.prober, _unsupported)
    ctx.log.caller = f"{module.prober}.py"
    ctx.log.info("Beginning probe", probe=module.prober, timeout_seconds=round(ctx.remaining(), 6))
    try:
        async with asyncio.timeout_at(ctx.deadline):
            result = await prober(target, module, ctx)
    except ProbeFailure as exc:
        result = ctx.finish(exc)
    except TimeoutError:
        result = ctx.finish(ProbeTimeout(f"probe timed out after {ctx.now() - ctx.started:.3f}s"))
    if result.success:
        ctx.log.info("Probe succeeded", duration_seconds=result.duration_seconds)
    else:
        ctx.log.error("Probe failed", duration_seconds=result.duration_seconds)
    # The result with the log as it now ends (built directly: dataclasses.replace costs more).
    return ProbeResult(
        result.success,
        result.duration_seconds,
        result.failure,
        result.message,
        result.samples,
        ctx.log.records,
    )
