"""The benchmark daemon: health, benchmark runs and timed challenges, enough for the BENCH SLIs.

``POST /challenge`` takes ``{"nonce", "timeout_seconds"}`` and answers with the sha256 of the nonce,
normally well within the timeout; a configured share of challenges (``late_challenge_ratio``) is
answered past it, which is the failure a challenge SLI counts.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
from typing import Any

import numpy as np
from aiohttp import web

from testbed.config import BenchmarkConfig
from testbed.http_surface import json_response, load_json


async def _json_body(request: web.Request) -> dict[str, Any] | None:
    try:
        body = load_json(await request.read() or b"{}")
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _bad_request(message: str) -> web.Response:
    return json_response({"error": message}, status=400)


class BenchmarkDaemon:
    """The benchmark daemon's handlers."""

    def __init__(self, config: BenchmarkConfig, rng: np.random.Generator) -> None:
        self.config = config
        self.rng = rng
        self._run_ids = itertools.count(1)

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/health", self.health),
            web.post("/benchmark/run", self.run),
            web.post("/challenge", self.challenge),
        ]

    async def health(self, request: web.Request) -> web.Response:
        return json_response({"status": "ok"})

    async def run(self, request: web.Request) -> web.Response:
        body = await _json_body(request)
        if body is None:
            return _bad_request("body must be a JSON object")
        suite = body.get("suite", "cpu")
        if not isinstance(suite, str):
            return _bad_request("suite must be a string")
        duration = float(self.config.run_median_seconds * self.rng.lognormal(0.0, 0.3))
        await asyncio.sleep(duration)
        score = float(1000 * self.rng.lognormal(0.0, 0.1))
        return json_response(
            {
                "id": next(self._run_ids),
                "suite": suite,
                "score": round(score, 3),
                "duration_seconds": duration,
            }
        )

    async def challenge(self, request: web.Request) -> web.Response:
        body = await _json_body(request)
        if body is None:
            return _bad_request("body must be a JSON object")
        nonce, timeout = body.get("nonce"), body.get("timeout_seconds", 5.0)
        if not isinstance(nonce, str) or not nonce:
            return _bad_request("nonce must be a non-empty string")
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not 0 < timeout <= 60:
            return _bad_request("timeout_seconds must be a number in (0, 60]")
        if self.rng.random() < self.config.late_challenge_ratio:
            delay = float(timeout) * 1.5
        else:
            delay = min(
                float(self.config.challenge_median_seconds * self.rng.lognormal(0.0, 0.5)), timeout * 0.8
            )
        await asyncio.sleep(delay)
        return json_response(
            {"nonce": nonce, "response": hashlib.sha256(nonce.encode()).hexdigest(), "elapsed_seconds": delay}
        )
