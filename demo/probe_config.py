"""The exporter config the demo probes the testbed with: one module per surface (RPC, REST, gRPC,
chain, tx), each target bound to the catalogue SLOs it measures. It is written next to the results as
``probes/exporter.yml``, so the same file works with ``slo-harness exporter`` and ``status``."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from testbed import account_address, build_tx

__all__ = ["MODULE_LABELS", "exporter_config", "write_probe_txs"]

# Module name → what the index calls it.
MODULE_LABELS = {
    "rpc_status": "RPC /status",
    "rest_syncing": "REST /syncing",
    "grpc_syncing": "gRPC GetSyncing",
    "chain": "chain (blocks)",
    "tx": "tx confirmation",
}
_PROBE_ACCOUNT = "slo-harness-demo-probe"


def write_probe_txs(path: Path, count: int) -> None:
    """``count`` signed probe txs for consecutive sequences of the probe account, one base64 line
    each, as an operator's signer would prepare them (the tx prober's ``payload: {kind: file}``)."""
    sender = account_address(_PROBE_ACCOUNT)
    lines = (
        base64.b64encode(build_tx(sender, sequence, memo="demo probe")).decode() for sequence in range(count)
    )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def exporter_config(
    rpc_url: str, rest_url: str, grpc_target: str, *, interval_seconds: float, tx_file: Path
) -> dict[str, Any]:
    """The config (``modules:`` and ``targets:``) for a testbed with blocks every second or so: a block
    older than 3 s, or a height that did not move for 3 s, fails the chain probe."""
    interval = f"{interval_seconds:g}s"
    http = {"preferred_ip_protocol": "ip4"}
    modules: dict[str, Any] = {
        "rpc_status": {
            "prober": "http",
            "timeout": "2s",
            "http": {**http, "json_assertions": ["result.sync_info.catching_up == false"]},
        },
        "rest_syncing": {
            "prober": "http",
            "timeout": "2s",
            "http": {**http, "json_assertions": ["syncing == false"]},
        },
        "grpc_syncing": {
            "prober": "grpc",
            "timeout": "2s",
            "grpc": {
                **http,
                "method": "cosmos.base.tendermint.v1beta1.Service/GetSyncing",
                "assertions": ["syncing == false"],
            },
        },
        "chain": {
            "prober": "chain",
            "timeout": "2s",
            "chain": {"max_block_age": "3s", "height_advance_window": "3s", "min_peers": 1},
        },
        "tx": {
            "prober": "tx",
            "timeout": "8s",
            "tx": {
                "endpoint": "rpc",
                "poll_interval": "200ms",
                "confirmation_timeout": "6s",
                "payload": {"kind": "file", "path": str(tx_file)},
            },
        },
    }
    targets = [
        {"target": f"{rpc_url}/status", "module": "rpc_status", "slos": ["SLO-NODE-001"]},
        {
            "target": f"{rest_url}/cosmos/base/tendermint/v1beta1/syncing",
            "module": "rest_syncing",
            "slos": ["SLO-API-001", "SLO-API-004"],
        },
        {"target": grpc_target, "module": "grpc_syncing", "slos": ["SLO-API-002"]},
        {"target": rpc_url, "module": "chain", "slos": ["SLO-NODE-007"]},
        {"target": rpc_url, "module": "tx", "slos": ["SLO-NODE-003", "SLO-NODE-005"]},
    ]
    return {
        "modules": modules,
        "targets": [{**t, "interval": interval} for t in targets],
        "security": {"allow_targets": ["127.0.0.0/8"]},
    }
