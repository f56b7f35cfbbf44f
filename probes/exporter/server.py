"""The blackbox_exporter-compatible HTTP server: ``/probe``, ``/metrics``, ``/-/healthy``, ``/-/reload``,
``/config``, ``/history`` and ``/logs``.

Status codes and messages are BBE's (``prober/handler.go``, ``main.go``): a missing ``module`` means
``http_2xx``; an unknown one is 400 ``Unknown module "x"`` and counts in
``blackbox_module_unknown_total``; a missing target is 400 ``Target parameter is missing``; an
unparseable ``X-Prometheus-Scrape-Timeout-Seconds`` is 500. What BBE does not do: a target the
policy refuses is 403 and counted, with nothing sent to it; ``debug=true`` and ``/logs`` are 403
unless the config enables them; probes beyond ``max_concurrent_probes`` wait for a slot within their
own deadline.

``build_app`` returns a plain ``web.Application`` with the ``Exporter`` under ``EXPORTER``, so other
parts (the scheduler) can add routes and startup hooks and run probes through ``Exporter.probe``.
"""

from __future__ import annotations

import asyncio
import ssl
import sys
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import yaml
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from probes.config import Module, ProberConfig, TLSConfig, load_config
from probes.context import ProbeContext, TargetStates
from probes.exporter.history import ProbeHistory
from probes.exporter.metrics import ExporterMetrics
from probes.probers.dispatch import run_probe
from probes.probers.http_phases import new_session
from probes.result import ProbeResult, ProbeTimeout, TargetRefused, format_log, render_debug, render_result
from probes.security import TargetPolicy
from probes.target import TargetSyntaxError, endpoint
from slo.foundation.input_errors import InputError

__all__ = [
    "DEFAULT_MODULE",
    "EXPORTER",
    "Exporter",
    "build_app",
    "module_yaml",
    "scrape_timeout",
]

DEFAULT_MODULE = "http_2xx"
DEFAULT_SCRAPE_TIMEOUT = 120.0
EXPOSITION = "text/plain; version=0.0.4; charset=utf-8"
_SECRET_KEYS = frozenset(("password", "credentials", "bearer_token", "key", "client_secret"))


def scrape_timeout(header: str | None, module_timeout: float, offset: float) -> float:
    """BBE's ``getTimeout``: the scrape's timeout minus ``offset``; the module's timeout only lowers it.

    >>> scrape_timeout("10", 5.0, 0.5), scrape_timeout("10", 0.0, 0.5), scrape_timeout(None, 30.0, 0.5)
    (5.0, 9.5, 30.0)
    """
    seconds = float(header) if header else 0.0  # ValueError for a header that does not parse
    if seconds == 0:
        seconds = DEFAULT_SCRAPE_TIMEOUT
    limit = seconds - offset
    if (0 < module_timeout < limit) or limit < 0:
        return module_timeout
    return limit


def _masked(data: Any) -> Any:
    """A config dump with secrets replaced, as Prometheus' ``Secret`` type prints ``<secret>``."""
    if isinstance(data, dict):
        return {k: ("<secret>" if k in _SECRET_KEYS and v else _masked(v)) for k, v in data.items()}
    if isinstance(data, list):
        return [_masked(v) for v in data]
    return data


def module_yaml(module: Module) -> str:
    """The module as the debug page shows it under "Module configuration:"."""
    return yaml.safe_dump(_masked(module.settings()), sort_keys=False)


class Exporter:
    """The running exporter's state: config, policy, shared HTTP session, history, own metrics.

    ``probe`` is the one way to run a probe, for ``/probe`` and for scheduled probing alike, so both
    get the policy check, the concurrency bound and the body cap.
    """

    def __init__(
        self,
        config: ProberConfig,
        registry: CollectorRegistry,
        *,
        config_path: Path | None = None,
        timeout_offset: float = 0.5,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.config_path = config_path
        self.timeout_offset = timeout_offset
        self.wall_clock = wall_clock
        self.metrics = ExporterMetrics(registry)
        self.states = TargetStates()
        self._session: aiohttp.ClientSession | None = None
        self.history = ProbeHistory(config.security.history_limit)
        self._apply(config)
        self.metrics.config_loaded(True, wall_clock())

    def _apply(self, config: ProberConfig) -> None:
        old = getattr(self, "config", None)
        self.config = config
        security = config.security
        self.policy = TargetPolicy(security.allow_targets, allow_link_local=security.allow_link_local)
        if old is None or old.security.max_concurrent_probes != security.max_concurrent_probes:
            self.slots = asyncio.Semaphore(security.max_concurrent_probes)
        self.ssl_contexts: dict[TLSConfig, ssl.SSLContext] = {}

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            raise RuntimeError("the exporter's HTTP session exists only while the app runs")
        return self._session

    async def open(self) -> None:
        self._session = new_session()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def reload(self) -> None:
        """Read the config file again; on any error keep the old config, set
        ``blackbox_exporter_config_last_reload_successful`` to 0, log one line naming the file and
        the reason, and raise it as an ``InputError`` (``/-/reload`` answers it, SIGHUP logs it)."""
        try:
            if self.config_path is None:
                raise InputError("the exporter was started without a config file")
            config = load_config(self.config_path)
        except Exception as exc:  # a reload fails as one line, whatever went wrong
            self.metrics.config_loaded(False, self.wall_clock())
            error = exc if isinstance(exc, InputError) else InputError(f"{self.config_path}: {exc!r}")
            print(f"error: config reload failed: {error}", file=sys.stderr)
            raise error from None
        self._apply(config)
        self.metrics.config_loaded(True, self.wall_clock())
        print(f"config reloaded from {self.config_path}", file=sys.stderr)

    async def admit(self, target: str, module: Module, timeout: float = 5.0) -> None:
        """Raise ``TargetRefused`` unless the policy admits the target, before anything is sent to it,
        or ``TargetSyntaxError`` when it names no host and port unambiguously.

        The host and port checked are those the prober will connect to (:func:`probes.target.endpoint`).

        A name that only its addresses can judge is resolved here (within ``timeout``); the probe
        checks the addresses again when it connects, so a changed DNS answer gains nothing.
        """
        where = endpoint(target, module.prober, tls=module.tls_by_default)
        self.policy.check_host(where.host, where.port)
        if self.policy.needs_resolution(where.host, where.port):
            loop = asyncio.get_running_loop()
            try:
                infos = await asyncio.wait_for(
                    loop.getaddrinfo(where.host, None), timeout=max(timeout, 0.001)
                )
            except (OSError, TimeoutError):
                return  # the probe resolves again, checks what it finds, or reports the DNS failure
            for info in infos:
                self.policy.check_address(where.host, str(info[4][0]), where.port)

    async def probe(
        self, target: str, module_name: str, timeout: float, *, hostname: str | None = None
    ) -> ProbeResult:
        """Run ``module_name`` against ``target`` within ``timeout`` seconds; record it in history."""
        module = self.config.modules[module_name]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        ctx = ProbeContext(
            module_name,
            deadline,
            self.session,
            self.policy,
            state=self.states.for_target(module_name, target),
            hostname=hostname,
            body_limit=self.config.security.max_body_bytes,
            ssl_contexts=self.ssl_contexts,
            wall_clock=self.wall_clock,
        )
        slots = self.slots  # a reload may replace the semaphore while this probe holds a slot
        try:
            if slots.locked():  # only a wait for a slot needs the deadline (and the timer it costs)
                async with asyncio.timeout_at(deadline):
                    await slots.acquire()
            else:
                await slots.acquire()
        except TimeoutError:
            result = ctx.finish(ProbeTimeout("no probe slot became free before the deadline"))
        else:
            try:
                result = await run_probe(target, module, ctx)
            finally:
                slots.release()
        self.metrics.probed(module_name, result)
        self.history.add(module_name, target, self.wall_clock(), result)
        return result


EXPORTER = web.AppKey("exporter", Exporter)


def _text(body: str, status: int = 200) -> web.Response:
    return web.Response(text=body, status=status, content_type="text/plain", charset="utf-8")


async def _probe(request: web.Request) -> web.Response:
    exporter = request.app[EXPORTER]
    query = request.query
    module_name = query.get("module") or DEFAULT_MODULE
    module = exporter.config.modules.get(module_name)
    if module is None:
        exporter.metrics.module_unknown.inc()
        return _text(f'Unknown module "{module_name}"\n', 400)
    target = query.get("target", "")
    if not target:
        return _text("Target parameter is missing\n", 400)
    debug = query.get("debug", "").lower() == "true"
    if debug and not exporter.config.security.enable_debug:
        return _text("Debug output is disabled (security.enable_debug is false)\n", 403)
    try:
        timeout = scrape_timeout(
            request.headers.get("X-Prometheus-Scrape-Timeout-Seconds"),
            module.timeout,
            exporter.timeout_offset,
        )
    except ValueError as exc:
        return _text(f"Failed to parse timeout from Prometheus header: {exc}\n", 500)
    loop = asyncio.get_running_loop()
    arrived = loop.time()
    try:
        await exporter.admit(target, module, timeout)
    except TargetRefused as exc:
        exporter.metrics.refused.labels(module_name).inc()
        return _text(f"Target refused: {exc}\n", 403)
    except TargetSyntaxError as exc:
        exporter.metrics.refused.labels(module_name).inc()
        return _text(f"Invalid target: {exc}\n", 400)
    remaining = timeout - (loop.time() - arrived)  # the deadline counts from the scrape's arrival
    result = await exporter.probe(target, module_name, remaining, hostname=query.get("hostname") or None)
    if debug:
        return _text(render_debug(result, module_name, target, module_yaml(module)))
    return web.Response(body=render_result(result).encode(), headers={"Content-Type": EXPOSITION})


async def _metrics(request: web.Request) -> web.Response:
    registry = request.app[EXPORTER].metrics.exposition
    return web.Response(body=generate_latest(registry), headers={"Content-Type": CONTENT_TYPE_LATEST})


async def _healthy(_request: web.Request) -> web.Response:
    return _text("Healthy")


async def _reload(request: web.Request) -> web.Response:
    if request.method != "POST":
        return _text("This endpoint requires a POST request.\n", 405)
    try:
        request.app[EXPORTER].reload()
    except InputError as exc:
        return _text(f"failed to reload config: {exc}\n", 500)
    return _text("OK\n")


async def _config(request: web.Request) -> web.Response:
    data = request.app[EXPORTER].config.model_dump(mode="json", by_alias=True)
    return _text(yaml.safe_dump(_masked(data), sort_keys=False))


async def _history(request: web.Request) -> web.Response:
    """``{"limit": N, "probes": [{id, module, target, time, success, duration_seconds,
    failure_reason, message}, ...]}``, newest first, then older failures."""
    history = request.app[EXPORTER].history
    return web.json_response({"limit": history.limit, "probes": [e.as_json() for e in history.entries()]})


async def _logs(request: web.Request) -> web.Response:
    """BBE's ``/logs?id=N`` or ``/logs?target=&module=``: the debug log of a probe in history."""
    exporter = request.app[EXPORTER]
    if not exporter.config.security.enable_debug:
        return _text("Probe logs are disabled (security.enable_debug is false)\n", 403)
    query = request.query
    if "id" in query:
        try:
            entry = exporter.history.get(int(query["id"]))
        except ValueError:
            return _text("Invalid probe id\n", 400)
    else:
        entry = exporter.history.latest(query.get("module", ""), query.get("target", ""))
    if entry is None:
        return _text("Probe not found\n", 404)
    return _text("\n".join(format_log(entry.result.log, entry.module, entry.target)) + "\n")


def build_app(
    config: ProberConfig,
    registry: CollectorRegistry,
    *,
    config_path: Path | None = None,
    timeout_offset: float = 0.5,
    wall_clock: Callable[[], float] = time.time,
) -> web.Application:
    """The exporter as an aiohttp application; its HTTP session opens and closes with the app."""
    exporter = Exporter(
        config, registry, config_path=config_path, timeout_offset=timeout_offset, wall_clock=wall_clock
    )
    app = web.Application()
    app[EXPORTER] = exporter

    async def session(_app: web.Application) -> AsyncIterator[None]:
        await exporter.open()
        yield
        await exporter.close()

    app.cleanup_ctx.append(session)
    app.router.add_get("/probe", _probe)
    app.router.add_get("/metrics", _metrics)
    app.router.add_get("/-/healthy", _healthy)
    app.router.add_route("*", "/-/reload", _reload)
    app.router.add_get("/config", _config)
    app.router.add_get("/history", _history)
    app.router.add_get("/logs", _logs)
    return app
