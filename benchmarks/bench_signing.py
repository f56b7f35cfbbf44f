"""Signing speed: signatures/s, signed MsgSends/s, sign + broadcast_tx_sync/s, and verified CheckTx/s.

What a load generator and the testbed can do per core with ``cosmostx`` (coincurve's libsecp256k1):
- ``sign_per_s``: ``Key.sign`` over a real ~250-byte SignDoc (sha256, RFC 6979, low-S);
- ``msg_send_per_s``: ``build_msg_send``, the whole signed ``TxRaw``;
- ``verify_per_s``: ``cosmostx.verify`` of such a signature;
- ``checktx_verified_per_s`` / ``checktx_unverified_per_s``: the testbed's ``ChainModel.check_tx``
  (decode, ante handler, mempool) on pre-signed txs from 64 accounts, with signature verification
  on (the default) and off;
- ``sign_broadcast_sync_per_s``: one client process (this one, one core) signing each tx and sending
  it with ``broadcast_tx_sync`` to a testbed in its own process on the other core, verifying.
Run: ``python benchmarks/bench_signing.py [--seconds 5] [--concurrency 32]``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import time
from collections.abc import Callable

import aiohttp
import numpy as np
from bench_testbed import rate, signed_broadcaster, testbed_process

from chainpb.cosmos.tx.v1beta1 import tx_pb2
from cosmostx import Fee, build_msg_send, dev_accounts, sign_doc_bytes, verify
from testbed import ChainModel, FaultBoard, ManualClock, TestbedConfig

ACCOUNTS = 64


def _per_second(seconds: float, work: Callable[[int], object]) -> float:
    """Calls of ``work(i)`` per second, for about ``seconds``."""
    done = 0
    started = time.perf_counter()
    stop = started + seconds
    while time.perf_counter() < stop:
        for _ in range(100):
            work(done)
            done += 1
    return done / (time.perf_counter() - started)


def crypto_rates(seconds: float) -> dict[str, float]:
    account = dev_accounts(1, prefix="akash")[0]
    fee = Fee(5000, "uakt", 200_000)

    def send(sequence: int) -> bytes:
        return build_msg_send(
            account.key,
            chain_id="virtengine-testnet-1",
            account_number=0,
            sequence=sequence,
            from_address=account.address,
            to_address=account.address,
            amount=1,
            denom="uakt",
            fee=fee,
        )

    raw = tx_pb2.TxRaw.FromString(send(0))
    doc = sign_doc_bytes(raw.body_bytes, raw.auth_info_bytes, "virtengine-testnet-1", 0)
    signature = account.key.sign(doc)
    return {
        "sign_per_s": _per_second(seconds, lambda i: account.key.sign(doc + i.to_bytes(8, "big"))),
        "msg_send_per_s": _per_second(seconds, send),
        "verify_per_s": _per_second(seconds, lambda _: verify(account.key.public_key, doc, signature)),
    }


def checktx_rate(verify_signatures: bool, txs_per_account: int) -> float:
    """Verified (or not) CheckTx/s on pre-signed txs, all accepted."""
    config = TestbedConfig(
        accounts=ACCOUNTS,
        mempool_max_txs=10**7,
        cache_size=0,
        verify_signatures=verify_signatures,
    )
    chain = ChainModel(config, FaultBoard(ManualClock().monotonic, np.random.default_rng(0)))
    chain.produce_block(1_000_000_000)
    fee = Fee(5000, config.denom, 200_000)
    txs = [
        build_msg_send(
            account.key,
            chain_id=config.chain_id,
            account_number=number,
            sequence=sequence,
            from_address=account.address,
            to_address=account.address,
            amount=1,
            denom=config.denom,
            fee=fee,
        )
        for sequence in range(txs_per_account)
        for number, account in enumerate(chain.ledger.dev_accounts)
    ]
    started = time.perf_counter()
    for raw in txs:
        result = chain.check_tx(raw)
        assert result.code == 0, result.log
    return len(txs) / (time.perf_counter() - started)


async def broadcast_rate(rpc_url: str, seconds: float, concurrency: int) -> float:
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=10)) as http:
        broadcast, _ = signed_broadcaster(http, rpc_url, concurrency)
        await rate(0.5, concurrency, broadcast)  # warm-up: connections, first public keys
        return await rate(seconds, concurrency, broadcast)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="measuring time per figure")
    parser.add_argument("--concurrency", type=int, default=32, help="concurrent client connections")
    args = parser.parse_args()
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    if cpus and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {cpus[0]})  # one core for the client side
    results = crypto_rates(args.seconds)
    per_account = max(1, int(results["verify_per_s"] * args.seconds / 2 / ACCOUNTS))
    results["checktx_verified_per_s"] = checktx_rate(True, per_account)
    results["checktx_unverified_per_s"] = checktx_rate(False, per_account)
    server_cpu = cpus[-1] if len(cpus) > 1 else None
    with testbed_process(server_cpu, args.concurrency) as rpc_url:
        rate_per_s = asyncio.run(broadcast_rate(rpc_url, args.seconds, args.concurrency))
    results["sign_broadcast_sync_per_s"] = rate_per_s
    where = (
        f"client on CPU {cpus[0]}, testbed on CPU {server_cpu}" if server_cpu is not None else "not pinned"
    )
    print(f"{where}; {args.seconds:g} s per figure, {args.concurrency} connections for broadcasts")
    for name, value in results.items():
        print(f"  {name:<28} {value:9.0f}")
    print(json.dumps({name: round(value, 1) for name, value in results.items()}))


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
