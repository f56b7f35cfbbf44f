"""The Akash provider daemon's REST gateway, enough for the PROV SLIs.

Open routes as in ``gateway/rest/router.go`` (``/version``, ``/address``, ``/status`` with the
``chain-sdk`` status shape; errors are plain text). ``PUT /deployment/{dseq}/manifest`` accepts a
manifest and provisions it after a lognormal delay, GPU deployments with a longer, wider tail, and
fails a configured share (a failed deployment never becomes available, as pods that never start);
``GET /lease/{dseq}/{gseq}/{oseq}/status`` shows the services' availability. Bidding happens on
chain in reality; ``POST /orders/{dseq}/{gseq}/{oseq}/bid`` stands in for it and answers after a
sampled bid latency. The testbed serves plain HTTP and does not authenticate (the real gateway uses
TLS with mTLS or JWT).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from aiohttp import web

from testbed.config import ProviderConfig
from testbed.http_surface import json_response, load_json


@dataclass(frozen=True)
class Deployment:
    """A manifest the provider accepted: when it is ready and whether it ever will be."""

    dseq: int
    services: tuple[str, ...]
    ready_at: float
    fails: bool

    def available(self, now: float) -> bool:
        return not self.fails and now >= self.ready_at


@dataclass
class ProviderStats:
    """Counters since start, for the ``provider_*`` series."""

    bids: int = 0
    manifests: int = 0
    deployments: dict[int, Deployment] = field(default_factory=dict)


def _gpu_units(service: dict[str, Any]) -> int:
    gpu = (service.get("resources") or {}).get("gpu") or {}
    units = gpu.get("units", 0) if isinstance(gpu, dict) else 0
    if isinstance(units, dict):
        units = units.get("val", 0)
    try:
        return int(units)
    except (TypeError, ValueError):
        return 0


def parse_manifest(body: bytes) -> list[dict[str, Any]] | None:
    """The services of a manifest (a list of groups with ``name`` and ``services``), or None if malformed."""
    try:
        groups = load_json(body)
    except ValueError:
        return None
    if not isinstance(groups, list) or not groups:
        return None
    services: list[dict[str, Any]] = []
    for group in groups:
        if (
            not isinstance(group, dict)
            or not isinstance(group.get("services"), list)
            or not group.get("name")
        ):
            return None
        for service in group["services"]:
            if not isinstance(service, dict) or not isinstance(service.get("name"), str):
                return None
            services.append(service)
    return services or None


class ProviderDaemon:
    """The provider's gateway handlers and deployment state."""

    def __init__(
        self, config: ProviderConfig, rng: np.random.Generator, monotonic: Callable[[], float], address: str
    ) -> None:
        self.config = config
        self.rng = rng
        self.monotonic = monotonic
        self.address = address
        self.stats = ProviderStats()

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/version", self.version),
            web.get("/address", self.get_address),
            web.get("/status", self.status),
            web.put("/deployment/{dseq}/manifest", self.manifest),
            web.get("/lease/{dseq}/{gseq}/{oseq}/status", self.lease_status),
            web.post("/orders/{dseq}/{gseq}/{oseq}/bid", self.bid),
        ]

    def _lognormal(self, median: float, sigma: float) -> float:
        return float(median * self.rng.lognormal(0.0, sigma))

    async def version(self, request: web.Request) -> web.Response:
        return json_response(
            {
                "akash": {
                    "version": "v0.6.4",
                    "commit": "testbed",
                    "buildTags": "osusergo,netgo",
                    "go": "go1.22.5",
                },
                "kube": {"major": "1", "minor": "30", "gitVersion": "v1.30.2", "platform": "linux/amd64"},
            }
        )

    async def get_address(self, request: web.Request) -> web.Response:
        return json_response({"address": self.address})

    async def status(self, request: web.Request) -> web.Response:
        now = self.monotonic()
        deployments = self.stats.deployments.values()
        active = sum(1 for d in deployments if d.available(now))
        node = {"cpu": 64000, "gpu": 8, "memory": 256 << 30, "storage_ephemeral": 2 << 40}
        return json_response(
            {
                "cluster": {
                    "leases": active,
                    "inventory": {
                        "active": [{"cpu": 1000, "gpu": 0, "memory": 1 << 30, "storage_ephemeral": 1 << 30}]
                        * active,
                        "pending": [],
                        "available": {
                            "nodes": [{"name": "node-1", "allocatable": node, "available": node}],
                            "storage": [],
                        },
                    },
                },
                "bidengine": {"orders": self.stats.bids},
                "manifest": {"deployments": len(self.stats.deployments)},
                "cluster_public_hostname": "provider.testbed.local",
                "address": self.address,
            }
        )

    async def manifest(self, request: web.Request) -> web.Response:
        dseq = request.match_info["dseq"]
        if not dseq.isdigit():
            return web.Response(status=400, text=f"invalid dseq: {dseq}\n")
        services = parse_manifest(await request.read())
        if services is None:
            return web.Response(status=422, text="invalid manifest\n")
        gpu = any(_gpu_units(service) > 0 for service in services)
        cfg = self.config
        if gpu:
            delay = self._lognormal(cfg.gpu_provision_median_seconds, cfg.gpu_provision_sigma)
            fails = bool(self.rng.random() < cfg.gpu_failure_ratio)
        else:
            delay = self._lognormal(cfg.provision_median_seconds, cfg.provision_sigma)
            fails = bool(self.rng.random() < cfg.failure_ratio)
        names = tuple(str(service["name"]) for service in services)
        deployment = Deployment(int(dseq), names, self.monotonic() + delay, fails)
        self.stats.deployments[deployment.dseq] = deployment
        self.stats.manifests += 1
        return web.Response(status=200)

    async def lease_status(self, request: web.Request) -> web.Response:
        dseq = request.match_info["dseq"]
        deployment = self.stats.deployments.get(int(dseq)) if dseq.isdigit() else None
        if deployment is None:
            return web.Response(status=404, text="lease not found\n")
        ready = int(deployment.available(self.monotonic()))
        services = {
            name: {
                "name": name,
                "available": ready,
                "total": 1,
                "uris": [f"{name}.{dseq}.ingress.testbed.local"],
            }
            for name in deployment.services
        }
        return json_response({"services": services, "forwarded_ports": {}, "ips": {}})

    async def bid(self, request: web.Request) -> web.Response:
        latency = self._lognormal(self.config.bid_median_seconds, self.config.bid_sigma)
        await asyncio.sleep(latency)
        self.stats.bids += 1
        return json_response(
            {
                "bid": {"state": "open", "price": {"denom": "uakt", "amount": "1.000000000000000000"}},
                "latency_seconds": latency,
            }
        )
