"""Which coroutine runs a module's prober, and the wrapper that holds every probe to its deadline.

The exporter, the one-shot CLI and the scheduler all call ``run_probe``: it looks the prober up by the
module's ``prober`` name, runs it under ``asyncio.timeout_at(ctx.deadline)`` (so no phase of any
prober can outlive the scrape), turns a raised ``ProbeFailure`` or the deadline into a failed result,
and writes blackbox_exporter's "Beginning probe" / "Probe succeeded|failed" log lines around it.

A prober is ``async def probe(target, module, ctx) -> ProbeResult``; it may raise a ``ProbeFailure``
instead of returning a failed result, and it finishes with ``ctx.finish()``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping

from probes import chain_prober, grpc_prober, http_prober, tcp_prober, tx_prober
from probes.config import Module
from probes.context import ProbeContext
from probes.result import ProbeFailure, ProbeResult, ProbeTimeout, UnsupportedProber

__all__ = ["Prober", "probers", "run_probe"]

Prober = Callable[[str, Module, ProbeContext], Awaitable[ProbeResult]]


async def _unsupported(target: str, module: Module, ctx: ProbeContext) -> ProbeResult:
    """icmp needs raw sockets and dns a resolver library; their modules load but cannot run here."""
    raise UnsupportedProber(f"the {module.prober} prober is not implemented by slo-harness")


def probers() -> dict[str, Prober]:
    """Prober name (a module's ``prober:``) → the coroutine that runs it."""
    return {
        "http": http_prober.probe,
        "tcp": tcp_prober.probe,
        "grpc": grpc_prober.probe,
        "chain": chain_prober.probe,
        "tx": tx_prober.probe,
        "icmp": _unsupported,
        "dns": _unsupported,
    }


async def run_probe(
    target: str, module: Module, ctx: ProbeContext, registry: Mapping[str, Prober] | None = None
) -> ProbeResult:
    """Run one probe to completion or to ``ctx.deadline``, whichever comes first."""
    table = probers() if registry is None else registry
    prober = table.get(module.prober, _unsupported)
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
