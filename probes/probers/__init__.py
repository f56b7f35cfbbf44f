"""The probers: one module per kind (http, tcp, grpc, chain, tx) and the helpers they share.

``run_probe`` runs a module's prober within its deadline; ``prober_for`` imports a kind's module the
first time it is asked for, so gRPC, protobuf and the transaction signer load only for the modules
that use them. Helpers: ``http_phases`` (the aiohttp client and its phase timings), ``resolve`` (DNS
with the target policy), ``tls`` (contexts and certificate gauges), ``node_api`` (CometBFT RPC and
Cosmos REST calls of the chain and tx probers), ``tx_signer`` and ``observations`` (latencies handed
to the scheduler).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from slo.foundation.lazy_api import lazy_api

if TYPE_CHECKING:
    from probes.probers.dispatch import Prober, prober_for, run_probe
    from probes.probers.http_phases import new_session

__all__ = ["Prober", "new_session", "prober_for", "run_probe"]

__getattr__, __dir__ = lazy_api(
    __name__, {"dispatch": ("Prober", "prober_for", "run_probe"), "http_phases": ("new_session",)}
)
