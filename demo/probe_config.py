"""The exporter config the demo probes the testbed with: one module per surface (RPC, REST, gRPC,
chain, tx), each target bound to the catalogue SLOs it measures. It is written next to the results as
``probes/exporter.yml``, so the same file works with ``slo-harness exporter`` and ``status``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

__all__ = ["MODULE_LABELS", "exporter_config", "write_probe_key"]

# Module name → what the index calls it.
MODULE_LABELS = {
    "rpc_status": "RPC /status",
    "rest_syncing": "REST /syncing",
    "grpc_syncing": "gRPC GetSyncing",
    "chain": "chain (blocks)",
    "tx": "tx confirmation",
}


def write_probe_key(path: Path, mnemonic: str) -> None:
    """The tx prober's key: a mnemonic file only its owner can read (``payload: {kind: key}``)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(mnemonic + "\n")


def exporter_config(
    rpc_url: str, rest_url: str, grpc_target: str, *, interval_seconds: float, key_file: Path
) -> dict[str, Any]:
    """The config (``modules:`` and ``targets:``) for a testbed with blocks every second or so: a block
    older than 3 s, or a height that did not move for 3 s, fails the chain probe; the tx prober signs
    with the key in ``key_file`` (a funded account nothing else sends from)."""
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
                "payload": {"kind": "key", "mnemonic_file": str(key_file)},
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
