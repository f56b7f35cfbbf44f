"""The ``tx`` prober: submit a probe transaction and time it into a block (SLI-NODE-005).

Following NODE_WIRE.md ("How probes derive the SLIs"): take t0, broadcast in SYNC mode and require
CheckTx code 0, then poll ``/tx?hash=0x…`` (RPC) or ``/cosmos/tx/v1beta1/txs/{hash}`` (REST, 404
while pending) every ``poll_interval`` until the tx is found at t1. The confirmation time t1 − t0 is
the observation, accurate to one poll interval. A tx not found within ``confirmation_timeout``
(or before the probe's deadline) is a failed probe with reason ``tx_timeout``: a lost tx is an
outage of the SLI, not a slow event.

Payloads are signed by the prober itself (a key from a mnemonic file or environment variable, the
account read from the node: ``probes.probers.tx_signer``) or elsewhere, for keys that live in an HSM (a file
of pre-signed txs, or a command that signs for a given sequence). The prober keeps one position per
target: the line of the file, or the sequence the command or the key signs for next. Code 32
(incorrect account sequence: the account also sent elsewhere, or the exporter restarted) says which
sequence the chain expects, so the prober moves its position by ``expected − got`` and tries again;
a tx the node already has in its cache (pre-signed txs sent before a restart) is skipped the same
way. Both count against ``sequence_retries``. Every other CheckTx code, and a refused broadcast
(mempool full), fails the probe as ``tx_rejected`` at once.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import re
from collections.abc import MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from probes.chain_config import CommandPayload, FilePayload, KeyPayload, TxProbeConfig
from probes.config import Module
from probes.context import ProbeContext
from probes.probers.node_api import RpcError, node_url, request_json, rpc_result
from probes.probers.observations import append_observation, record_observations
from probes.probers.tx_signer import sign_probe_tx
from probes.result import (
    ProbeFailure,
    ProbeResult,
    ProbeTimeout,
    ProtocolFailure,
    StatusCodeFailure,
    TxRejectedFailure,
    TxTimeoutFailure,
    UnsupportedProber,
)

__all__ = ["CheckTx", "probe", "sequence_gap"]

SEQUENCE_MISMATCH = 32
ALREADY_IN_CACHE = 19  # the REST gateway's code for CometBFT's "tx already exists in cache"
_CACHE_HIT = "tx already exists in cache"
_DEADLINE_MARGIN_SECONDS = 0.05
_SEQUENCE = re.compile(r"expected (\d+), got (\d+)")

_HELP = {
    "probe_tx_check_code": "CheckTx code of the last broadcast (0 = accepted)",
    "probe_tx_broadcasts": "Broadcasts this probe made (more than 1 after a sequence mismatch)",
    "probe_tx_polls": "Lookups of the tx until it was found or the probe gave up",
    "probe_tx_block_height": "Height of the block that included the probe tx",
    "probe_tx_confirmation_seconds": "Seconds from broadcast to the tx being found in a block",
}

# Keys of this prober's per-target state.
_FILE_LINES = "tx_file_lines"
_POSITION = "tx_payload_position"


@dataclass(frozen=True)
class CheckTx:
    """The answer to a SYNC broadcast: CheckTx code and log, and the tx hash (uppercase hex)."""

    code: int
    log: str
    tx_hash: str


def sequence_gap(log: str) -> int | None:
    """``expected − got`` from a code-32 log, or None when the log does not say.

    >>> sequence_gap("account sequence mismatch, expected 12, got 10: incorrect account sequence")
    2
    """
    match = _SEQUENCE.search(log)
    return None if match is None else int(match.group(1)) - int(match.group(2))


class _TxApi(Protocol):
    @property
    def base(self) -> str: ...

    async def broadcast(self, ctx: ProbeContext, tx: bytes) -> CheckTx: ...

    async def height_of(self, ctx: ProbeContext, tx_hash: str) -> int | None: ...


@dataclass(frozen=True)
class _RpcApi:
    """CometBFT RPC, URI form: ``/broadcast_tx_sync?tx=0x…`` and ``/tx?hash=0x…``."""

    base: str

    async def broadcast(self, ctx: ProbeContext, tx: bytes) -> CheckTx:
        try:
            result = await rpc_result(ctx, self.base, "broadcast_tx_sync", {"tx": "0x" + tx.hex()})
        except RpcError as exc:
            if _CACHE_HIT in exc.data:
                # Answer as the REST gateway does (NODE_WIRE.md §2), so both endpoints read alike.
                return CheckTx(ALREADY_IN_CACHE, exc.data, hashlib.sha256(tx).hexdigest().upper())
            raise TxRejectedFailure(f"broadcast refused: {exc.data or exc.message}") from None
        return _check_tx(result, code_key="code", log_key="log", hash_key="hash", tx=tx)

    async def height_of(self, ctx: ProbeContext, tx_hash: str) -> int | None:
        try:
            result = await rpc_result(ctx, self.base, "tx", {"hash": "0x" + tx_hash})
        except RpcError as exc:
            if "not found" in exc.data:
                return None
            raise StatusCodeFailure(f"/tx: {exc}") from None
        return _height(result)


@dataclass(frozen=True)
class _RestApi:
    """Cosmos REST: ``POST /cosmos/tx/v1beta1/txs`` and ``GET …/txs/{hash}`` (404 while pending)."""

    base: str

    async def broadcast(self, ctx: ProbeContext, tx: bytes) -> CheckTx:
        body = {"tx_bytes": base64.b64encode(tx).decode(), "mode": "BROADCAST_MODE_SYNC"}
        reply = await request_json(ctx, f"{self.base}/cosmos/tx/v1beta1/txs", body=body)
        if reply.status != 200:
            raise StatusCodeFailure(f"broadcast: HTTP {reply.status}: {_rest_message(reply.body)}")
        response = reply.body.get("tx_response") if isinstance(reply.body, dict) else None
        return _check_tx(response, code_key="code", log_key="raw_log", hash_key="txhash", tx=tx)

    async def height_of(self, ctx: ProbeContext, tx_hash: str) -> int | None:
        reply = await request_json(ctx, f"{self.base}/cosmos/tx/v1beta1/txs/{tx_hash}")
        if reply.status == 404:
            return None
        if reply.status != 200:
            raise StatusCodeFailure(f"tx lookup: HTTP {reply.status}: {_rest_message(reply.body)}")
        response = reply.body.get("tx_response") if isinstance(reply.body, dict) else None
        return _height(response)


def _rest_message(body: Any) -> str:
    return str(body.get("message", "")) if isinstance(body, dict) else ""


def _check_tx(result: Any, *, code_key: str, log_key: str, hash_key: str, tx: bytes) -> CheckTx:
    if not isinstance(result, dict):
        raise ProtocolFailure("broadcast answer has no result")
    try:
        code = int(result.get(code_key) or 0)
    except (TypeError, ValueError):
        raise ProtocolFailure(f"broadcast answer has an unreadable code {result.get(code_key)!r}") from None
    tx_hash = str(result.get(hash_key) or hashlib.sha256(tx).hexdigest()).upper()
    return CheckTx(code, str(result.get(log_key) or ""), tx_hash)


def _height(result: Any) -> int:
    try:
        return int(result["height"])
    except (KeyError, TypeError, ValueError):
        raise ProtocolFailure("tx lookup answer has no readable height") from None


def _file_lines(path: str, state: MutableMapping[str, object]) -> tuple[str, ...]:
    lines = state.get(_FILE_LINES)
    if isinstance(lines, tuple):
        return lines
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise UnsupportedProber(f"cannot read tx payload file {path}: {exc.strerror or exc}") from None
    loaded = tuple(line.strip() for line in text.splitlines() if line.strip())
    state[_FILE_LINES] = loaded
    return loaded


async def _signed_by_command(source: CommandPayload, sequence: int, ctx: ProbeContext) -> bytes:
    argv = [arg.replace("{sequence}", str(sequence)) for arg in source.argv]
    try:
        process = await asyncio.create_subprocess_exec(
            *argv, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
    except OSError as exc:
        raise UnsupportedProber(f"cannot run payload command {argv[0]}: {exc.strerror or exc}") from None
    try:
        async with asyncio.timeout(ctx.remaining()):
            out, err = await process.communicate()
    except TimeoutError:
        process.kill()
        await process.wait()
        raise ProbeTimeout(f"payload command {argv[0]} did not finish in time") from None
    if process.returncode != 0:
        detail = err.decode(errors="replace").strip().splitlines()[-1:] or [""]
        raise UnsupportedProber(f"payload command {argv[0]} exited with {process.returncode}: {detail[0]}")
    return _decode(out.decode(errors="replace").strip(), f"output of {argv[0]}")


def _decode(text: str, where: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise UnsupportedProber(f"{where} is not a base64 tx") from None


async def _payload(cfg: TxProbeConfig, ctx: ProbeContext, skip: int, base: str) -> bytes:
    """The tx at this target's position plus ``skip`` (negative goes back); the position then moves on."""
    source = cfg.payload
    assert source is not None, "a tx module without a payload is refused when the config loads"
    start = source.start_sequence if isinstance(source, CommandPayload) else 0
    position = ctx.state.get(_POSITION)
    at = max(0, (position if isinstance(position, int) else start) + skip)
    if isinstance(source, KeyPayload):
        raw, sequence = await sign_probe_tx(source, cfg.endpoint, base, ctx, at)
        ctx.state[_POSITION] = sequence + 1
        return raw
    if isinstance(source, FilePayload):
        lines = _file_lines(source.path, ctx.state)
        if at >= len(lines):
            raise TxRejectedFailure(f"no pre-signed tx left in {source.path} ({len(lines)} used)")
        ctx.state[_POSITION] = at + 1
        return _decode(lines[at], f"{source.path} line {at + 1}")
    # Move on before signing, so a probe of the same account running meanwhile takes the next one.
    ctx.state[_POSITION] = at + 1
    return await _signed_by_command(source, at, ctx)


async def _submit(api: _TxApi, cfg: TxProbeConfig, ctx: ProbeContext) -> tuple[CheckTx, float, int]:
    """Broadcast until CheckTx accepts (code 32 retried); returns the answer, its t0 and attempts."""
    skip = 0
    for attempt in range(1, cfg.sequence_retries + 2):
        tx = await _payload(cfg, ctx, skip, api.base)
        started = ctx.now()
        check = await api.broadcast(ctx, tx)
        ctx.samples.set("probe_tx_check_code", check.code, _HELP["probe_tx_check_code"])
        ctx.log.info("broadcast", attempt=attempt, code=check.code, hash=check.tx_hash, log=check.log)
        if check.code == 0:
            return check, started, attempt
        if check.code not in (SEQUENCE_MISMATCH, ALREADY_IN_CACHE) or attempt > cfg.sequence_retries:
            raise TxRejectedFailure(f"CheckTx rejected the probe tx with code {check.code}: {check.log}")
        if check.code == ALREADY_IN_CACHE:
            # This very tx was sent before (pre-signed txs after a restart): it is used, take the next.
            skip = 0
            ctx.log.warn("probe tx already sent, trying the next one")
            continue
        gap = sequence_gap(check.log)
        # The position moved past the tx just sent ("got"); the one for "expected" is gap - 1 further.
        skip = gap - 1 if gap is not None else 0
        ctx.log.warn("sequence mismatch, trying the tx for the expected sequence", gap=gap)
    raise AssertionError("unreachable: the loop returns or raises")


async def _confirm(api: _TxApi, cfg: TxProbeConfig, ctx: ProbeContext, check: CheckTx, t0: float) -> float:
    """Poll until the tx is in a block; returns t1. Running out of time is ``tx_timeout``."""
    # Give up a little before the probe's deadline, so the outcome is ours (tx_timeout) rather than
    # the deadline cancelling a lookup in flight (timeout).
    give_up = min(t0 + cfg.confirmation_timeout_seconds, ctx.deadline - _DEADLINE_MARGIN_SECONDS)
    polls = 0
    try:
        async with asyncio.timeout_at(give_up):
            while True:
                await asyncio.sleep(cfg.poll_interval_seconds)
                height = await api.height_of(ctx, check.tx_hash)
                polls += 1
                if height is not None:
                    ctx.samples.set("probe_tx_block_height", height, _HELP["probe_tx_block_height"])
                    return ctx.now()
    except (TimeoutError, ProbeTimeout):
        pass  # the tx did not confirm in time
    finally:
        ctx.samples.set("probe_tx_polls", polls, _HELP["probe_tx_polls"])
    raise TxTimeoutFailure(f"tx {check.tx_hash} not in a block after {ctx.now() - t0:.1f}s ({polls} lookups)")


async def probe(target: str, module: Module, ctx: ProbeContext) -> ProbeResult:
    """Submit one probe tx to the target's RPC or REST API and measure its confirmation time."""
    cfg = module.tx
    base = node_url(target, cfg.path)
    api: _TxApi = _RpcApi(base) if cfg.endpoint == "rpc" else _RestApi(base)
    record_observations(ctx.state, {})
    try:
        check, t0, attempts = await _submit(api, cfg, ctx)
        ctx.samples.set("probe_tx_broadcasts", attempts, _HELP["probe_tx_broadcasts"])
        t1 = await _confirm(api, cfg, ctx, check, t0)
    except ProbeFailure as failure:
        return ctx.finish(failure)
    confirmation = t1 - t0
    ctx.samples.set("probe_tx_confirmation_seconds", confirmation, _HELP["probe_tx_confirmation_seconds"])
    ctx.log.info("tx confirmed", hash=check.tx_hash, seconds=round(confirmation, 3))
    append_observation(ctx.state, confirmation)
    return ctx.finish()
