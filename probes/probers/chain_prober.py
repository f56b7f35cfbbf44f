"""The ``chain`` prober: is a CometBFT node producing blocks, in sync and connected (SLI-NODE-004)?

``/health`` answers ``{}`` while blocks are stalled, so this prober reads what the chain says about
itself instead (NODE_WIRE.md, "How probes derive the SLIs"):

1. ``/status`` and ``/net_info`` together: height, latest block time, ``catching_up``, peers.
2. ``/blockchain`` for the headers the target produced since its previous probe (at most 20 a call,
   newest first): each difference of consecutive header times is one block-production-latency event.
   When the height did not move, no call is made and the last interval is reported again.

Checks, first failure wins: catching up, height unchanged for ``height_advance_window``, latest block
older than ``max_block_age``, fewer than ``min_peers`` peers. The gauges are emitted either way, so a
failed probe still shows how far behind the node is.
"""

from __future__ import annotations

import asyncio
from collections.abc import MutableMapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from probes.chain_config import ChainProbeConfig
from probes.config import Module
from probes.context import ProbeContext
from probes.probers.node_api import RpcError, node_url, rpc_result
from probes.probers.observations import record_observations
from probes.result import (
    BlockAgeFailure,
    CatchingUpFailure,
    HeightStalledFailure,
    PeersFailure,
    ProbeFailure,
    ProbeResult,
    ProtocolFailure,
    StatusCodeFailure,
)

__all__ = ["ChainStatus", "block_intervals", "parse_status", "probe"]

_BLOCKCHAIN_PAGE = 20  # CometBFT returns at most 20 block metas per /blockchain call

_HELP = {
    "probe_chain_block_height": "Latest block height the node reports",
    "probe_chain_block_age_seconds": "Seconds between the probe and the latest block's header time",
    "probe_chain_catching_up": "Whether the node reports catching_up (1) or not (0)",
    "probe_chain_peers": "Number of peers in /net_info",
    "probe_chain_block_interval_seconds": "Header time of the latest block minus that of the block before it",
    "probe_chain_new_blocks": "Blocks produced since the previous probe of this target",
}

# Keys of this prober's per-target state.
_HEIGHT = "chain_height"
_HEIGHT_SINCE = "chain_height_since"
_INTERVAL = "chain_last_interval"


@dataclass(frozen=True)
class ChainStatus:
    """What ``/status`` and ``/net_info`` say, in plain values (the wire has int64 as strings)."""

    height: int
    block_time: float
    catching_up: bool
    peers: int


def _time(text: Any) -> float:
    # RFC3339Nano ("…05.123456789Z"); fromisoformat keeps microseconds, enough for block timing.
    return datetime.fromisoformat(str(text)).timestamp()


def parse_status(status: Any, net_info: Any) -> ChainStatus:
    """Plain values from the two RPC results; a missing or malformed field is a protocol failure."""
    try:
        sync = status["sync_info"]
        return ChainStatus(
            height=int(sync["latest_block_height"]),
            block_time=_time(sync["latest_block_time"]),
            catching_up=bool(sync["catching_up"]),
            peers=int(net_info["n_peers"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ProtocolFailure(f"/status or /net_info lacks a readable field: {exc!r}") from None


def block_intervals(block_metas: Any) -> dict[int, float]:
    """Header-time differences keyed by the later height, for every consecutive pair in the metas.

    >>> metas = [{"header": {"height": "3", "time": "2026-01-01T00:00:12Z"}},
    ...          {"header": {"height": "2", "time": "2026-01-01T00:00:06Z"}}]
    >>> block_intervals(metas)
    {3: 6.0}
    """
    try:
        times = {int(m["header"]["height"]): _time(m["header"]["time"]) for m in block_metas}
    except (KeyError, TypeError, ValueError) as exc:
        raise ProtocolFailure(f"/blockchain has a block meta without height or time: {exc!r}") from None
    return {h: times[h] - times[h - 1] for h in sorted(times) if h - 1 in times}


async def _status(ctx: ProbeContext, base: str) -> ChainStatus:
    replies = await asyncio.gather(
        rpc_result(ctx, base, "status"), rpc_result(ctx, base, "net_info"), return_exceptions=True
    )
    for reply in replies:
        if isinstance(reply, BaseException):
            raise reply
    return parse_status(*replies)


async def _new_intervals(
    ctx: ProbeContext, base: str, height: int, state: MutableMapping[str, object]
) -> dict[int, float]:
    """Intervals of the blocks after the previously seen height (only the latest on a first probe)."""
    previous = state.get(_HEIGHT)
    low = height - 1 if not isinstance(previous, int) else max(previous, height - _BLOCKCHAIN_PAGE + 1)
    if height < 2 or low >= height:
        return {}
    params = {"minHeight": str(max(low, 1)), "maxHeight": str(height)}
    result = await rpc_result(ctx, base, "blockchain", params)
    if not isinstance(result, dict):
        raise ProtocolFailure("/blockchain result is not an object")
    return block_intervals(result.get("block_metas", []))


def _check(cfg: ChainProbeConfig, seen: ChainStatus, now: float, state: MutableMapping[str, object]) -> None:
    """Raise the first failed check; remember when the height last moved."""
    previous = state.get(_HEIGHT)
    since = state.get(_HEIGHT_SINCE)
    if not isinstance(previous, int) or not isinstance(since, float) or seen.height > previous:
        state[_HEIGHT], state[_HEIGHT_SINCE] = seen.height, now
        previous, since = seen.height, now
    if cfg.fail_if_catching_up and seen.catching_up:
        raise CatchingUpFailure(f"node reports catching_up at height {seen.height}")
    if cfg.require_height_advance and seen.height < previous:
        raise HeightStalledFailure(f"height went back from {previous} to {seen.height}")
    stalled_for = now - since
    if cfg.require_height_advance and stalled_for >= cfg.height_advance_window_seconds:
        raise HeightStalledFailure(
            f"height {seen.height} has not advanced for {stalled_for:.1f}s"
            f" (window {cfg.height_advance_window_seconds:g}s)"
        )
    age = now - seen.block_time
    if age > cfg.max_block_age_seconds:
        raise BlockAgeFailure(
            f"latest block {seen.height} is {age:.1f}s old (max {cfg.max_block_age_seconds:g}s)"
        )
    if seen.peers < cfg.min_peers:
        raise PeersFailure(f"node has {seen.peers} peers (min {cfg.min_peers})")


def _gauge(ctx: ProbeContext, name: str, value: float) -> None:
    ctx.samples.set(name, value, _HELP[name])


async def probe(target: str, module: Module, ctx: ProbeContext) -> ProbeResult:
    """Probe one CometBFT RPC endpoint; new block intervals go to the target's observations by height."""
    cfg = module.chain
    base = node_url(target, cfg.rpc_path)
    state = ctx.state
    record_observations(state, {})
    try:
        try:
            seen = await _status(ctx, base)
        except RpcError as exc:
            raise StatusCodeFailure(f"/status or /net_info: {exc}") from None
        now = ctx.wall_clock()
        previous = state.get(_HEIGHT)
        _gauge(ctx, "probe_chain_block_height", seen.height)
        _gauge(ctx, "probe_chain_block_age_seconds", now - seen.block_time)
        _gauge(ctx, "probe_chain_catching_up", float(seen.catching_up))
        _gauge(ctx, "probe_chain_peers", seen.peers)
        new_blocks = seen.height - previous if isinstance(previous, int) and seen.height > previous else 0
        _gauge(ctx, "probe_chain_new_blocks", new_blocks)
        try:
            intervals = await _new_intervals(ctx, base, seen.height, state)
        except RpcError as exc:
            raise StatusCodeFailure(f"/blockchain: {exc}") from None
        if intervals:
            state[_INTERVAL] = intervals[max(intervals)]
            record_observations(state, intervals)
        last = state.get(_INTERVAL)
        if isinstance(last, float):
            _gauge(ctx, "probe_chain_block_interval_seconds", last)
        ctx.log.info(
            "chain status",
            height=seen.height,
            block_age_seconds=round(now - seen.block_time, 3),
            catching_up=seen.catching_up,
            peers=seen.peers,
            new_intervals=len(intervals),
        )
        _check(cfg, seen, now, state)
    except ProbeFailure as failure:
        return ctx.finish(failure)
    return ctx.finish()
