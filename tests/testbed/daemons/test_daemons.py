"""Provider and benchmark daemons, and the Prometheus series driven by the model."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from testbed import BenchmarkConfig, ManualClock, ProviderConfig, Testbed, run_testbed
from tests.testbed.conftest import FAST, Sender, b64, fetch, rpc_call

pytestmark = pytest.mark.integration

WEB = [{"name": "web", "services": [{"name": "web", "resources": {"cpu": {"units": 100}}}]}]
GPU = [{"name": "ml", "services": [{"name": "train", "resources": {"gpu": {"units": {"val": "1"}}}}]}]


async def test_provider_status_shape(tb: Testbed, http: aiohttp.ClientSession) -> None:
    body = (await fetch(http, "GET", f"{tb.provider_url}/status")).json()
    assert set(body) == {"cluster", "bidengine", "manifest", "cluster_public_hostname", "address"}
    assert set(body["cluster"]) == {"leases", "inventory"}
    assert set(body["cluster"]["inventory"]) == {"active", "pending", "available"}
    assert set(body["cluster"]["inventory"]["available"]) == {"nodes", "storage"}
    assert body["address"].startswith("akash1")
    assert (await fetch(http, "GET", f"{tb.provider_url}/address")).json() == {"address": body["address"]}


async def test_manifest_provisions_after_a_delay(http: aiohttp.ClientSession) -> None:
    clock = ManualClock()
    provider = ProviderConfig(provision_median_seconds=10, failure_ratio=0.0, gpu_failure_ratio=0.0)
    config = FAST.model_copy(update={"provider": provider})
    async with run_testbed(config, clock=clock, produce_blocks_on_timer=False) as tb:
        put = await fetch(http, "PUT", f"{tb.provider_url}/deployment/42/manifest", data=json.dumps(WEB))
        assert put.status == 200
        url = f"{tb.provider_url}/lease/42/1/1/status"
        before = (await fetch(http, "GET", url)).json()
        assert before["services"]["web"]["available"] == 0 and before["services"]["web"]["total"] == 1
        clock.advance(1000)
        after = (await fetch(http, "GET", url)).json()
        assert after["services"]["web"]["available"] == 1
        status = (await fetch(http, "GET", f"{tb.provider_url}/status")).json()
        assert status["manifest"]["deployments"] == 1 and status["cluster"]["leases"] == 1


async def test_gpu_deployments_have_the_heavier_tail(http: aiohttp.ClientSession) -> None:
    clock = ManualClock()
    provider = ProviderConfig(failure_ratio=0.0, gpu_failure_ratio=0.0)
    async with run_testbed(
        FAST.model_copy(update={"provider": provider}), clock=clock, produce_blocks_on_timer=False
    ) as tb:
        for dseq in range(1, 41):
            manifest = GPU if dseq % 2 else WEB
            await fetch(
                http, "PUT", f"{tb.provider_url}/deployment/{dseq}/manifest", data=json.dumps(manifest)
            )
        clock.advance(4.0)
        ready = {"gpu": 0, "cpu": 0}
        for dseq in range(1, 41):
            services = (await fetch(http, "GET", f"{tb.provider_url}/lease/{dseq}/1/1/status")).json()[
                "services"
            ]
            ready["gpu" if dseq % 2 else "cpu"] += sum(s["available"] for s in services.values())
        assert ready["cpu"] > ready["gpu"]


async def test_failed_deployments_never_become_available(http: aiohttp.ClientSession) -> None:
    clock = ManualClock()
    provider = ProviderConfig(failure_ratio=1.0)
    async with run_testbed(
        FAST.model_copy(update={"provider": provider}), clock=clock, produce_blocks_on_timer=False
    ) as tb:
        await fetch(http, "PUT", f"{tb.provider_url}/deployment/7/manifest", data=json.dumps(WEB))
        clock.advance(10_000)
        services = (await fetch(http, "GET", f"{tb.provider_url}/lease/7/1/1/status")).json()["services"]
        assert services["web"]["available"] == 0


async def test_provider_rejects_bad_manifests(tb: Testbed, http: aiohttp.ClientSession) -> None:
    bad = await fetch(http, "PUT", f"{tb.provider_url}/deployment/1/manifest", data=b'{"not": "a list"}')
    assert bad.status == 422 and bad.content_type == "text/plain"
    assert (await fetch(http, "GET", f"{tb.provider_url}/lease/999/1/1/status")).status == 404


async def test_bid_placement_latency(tb: Testbed, http: aiohttp.ClientSession) -> None:
    reply = await fetch(http, "POST", f"{tb.provider_url}/orders/5/1/1/bid")
    body = reply.json()
    assert reply.status == 200 and body["bid"]["state"] == "open" and body["latency_seconds"] > 0


async def test_benchmark_daemon_run_and_challenge(http: aiohttp.ClientSession) -> None:
    config = FAST.model_copy(update={"benchmark": BenchmarkConfig(run_median_seconds=0.01)})
    async with run_testbed(config, clock=ManualClock(), produce_blocks_on_timer=False) as tb:
        assert (await fetch(http, "GET", f"{tb.benchmark_url}/health")).json() == {"status": "ok"}
        run = (await fetch(http, "POST", f"{tb.benchmark_url}/benchmark/run", json={"suite": "gpu"})).json()
        assert run["suite"] == "gpu" and run["score"] > 0
        answer = await fetch(
            http, "POST", f"{tb.benchmark_url}/challenge", json={"nonce": "n1", "timeout_seconds": 1}
        )
        assert answer.json()["elapsed_seconds"] < 1 and len(answer.json()["response"]) == 64
        bad = await fetch(http, "POST", f"{tb.benchmark_url}/challenge", json={"timeout_seconds": 1})
        assert bad.status == 400


async def test_late_challenges_answer_past_their_timeout(http: aiohttp.ClientSession) -> None:
    config = FAST.model_copy(update={"benchmark": BenchmarkConfig(late_challenge_ratio=1.0)})
    async with run_testbed(config, clock=ManualClock(), produce_blocks_on_timer=False) as tb:
        payload = {"nonce": "late", "timeout_seconds": 0.2}
        with pytest.raises(asyncio.TimeoutError):
            await fetch(
                http,
                "POST",
                f"{tb.benchmark_url}/challenge",
                json=payload,
                timeout=aiohttp.ClientTimeout(total=0.2),
            )
        answer = (await fetch(http, "POST", f"{tb.benchmark_url}/challenge", json=payload)).json()
        assert answer["elapsed_seconds"] > 0.2


async def test_metrics_follow_the_chain(tb: Testbed, http: aiohttp.ClientSession) -> None:
    sender = Sender(0)
    for _ in range(3):
        await rpc_call(http, tb, "broadcast_tx_sync", tx=b64(sender.next_tx()))
    assert isinstance(tb.clock, ManualClock)
    tb.clock.advance(6.0)
    tb.commit_block()
    await rpc_call(http, tb, "broadcast_tx_sync", tx=b64(sender.next_tx()))
    text = (await fetch(http, "GET", tb.metrics_url)).body.decode()
    families = {family.name: family for family in text_string_to_metric_families(text)}
    labels = {"chain_id": FAST.chain_id}

    def value(name: str) -> float:
        return next(s.value for s in families[name].samples if s.labels == labels and s.name == name)

    assert value("cometbft_consensus_height") == 2 and value("cometbft_consensus_latest_block_height") == 2
    assert value("cometbft_consensus_total_txs") == 3 and value("cometbft_consensus_num_txs") == 3
    assert value("cometbft_mempool_size") == 1 and value("cometbft_mempool_size_bytes") > 0
    assert value("cometbft_p2p_peers") == FAST.peers
    assert "# TYPE cometbft_mempool_failed_txs counter\n" in text
    interval = families["cometbft_consensus_block_interval_seconds"]
    assert interval.type == "histogram"
    buckets = {s.labels["le"]: s.value for s in interval.samples if s.name.endswith("_bucket")}
    assert buckets["5.0"] == 0 and buckets["10.0"] == 1 and buckets["+Inf"] == 1
    assert 'provider_bid{action="create",result="success"} 0\n' in text
