"""The ``grpc`` prober: ``grpc.health.v1.Health/Check`` as blackbox_exporter does it, or a unary method.

Health mode emits BBE's gauges (``probe_grpc_status_code``, all four
``probe_grpc_healthcheck_response{serving_status}``, ``probe_grpc_ssl``, the resolve and check
phases) and succeeds only on SERVING. Unlike BBE 0.23-0.28, which called Check with
``context.Background()`` (#1557), the call carries the probe deadline, so a hung server fails the
probe in time instead of hanging the scrape.

A real Cosmos node has no health service (it answers UNIMPLEMENTED), so a module may name a unary
``method`` instead, e.g. ``cosmos.base.tendermint.v1beta1.Service/GetSyncing``; its request and
response types come from the generated ``chainpb`` stubs, the response is checked as JSON (proto
field names) with the same assertion language as the http prober.

Failures follow grpc-health-probe's classes: the channel could not connect (``connect``), the RPC
ended with a non-OK code (``grpc_status``; UNIMPLEMENTED on its own, ``grpc_unimplemented``), or the
answer was not SERVING (``not_serving``).
"""

from __future__ import annotations

import asyncio
import functools
import importlib
import pkgutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import descriptor_pool, json_format, message_factory
from grpc_health.v1 import health_pb2

from probes.config import GRPCProbe, Module, TLSConfig
from probes.context import ProbeContext
from probes.json_assert import assert_all
from probes.probers.resolve import resolve
from probes.result import (
    ConnectFailure,
    GrpcStatusFailure,
    GrpcUnimplemented,
    NotServingFailure,
    ProbeFailure,
    ProbeResult,
    ProbeTimeout,
    ProtocolFailure,
    TlsFailure,
    UnsupportedProber,
)
from probes.target import TargetSyntaxError, endpoint

__all__ = ["SERVING_STATUSES", "probe"]

SERVING_STATUSES = ("NOT_SERVING", "SERVICE_UNKNOWN", "SERVING", "UNKNOWN")
_HELP = {
    "probe_grpc_duration_seconds": "Duration of gRPC request by phase",
    "probe_grpc_healthcheck_response": "Response HealthCheck response",
    "probe_grpc_ssl": "Indicates if SSL was used for the connection",
    "probe_grpc_status_code": "Response gRPC status code",
}
_HEALTH_CHECK = "/grpc.health.v1.Health/Check"


def _set(ctx: ProbeContext, name: str, value: float, **labels: str) -> None:
    ctx.samples.set(name, value, _HELP[name], **labels)


@functools.cache
def _load_stubs() -> None:
    """Import every generated ``chainpb`` module once, so its messages and services are in the pool."""
    package = importlib.import_module("chainpb")
    for info in pkgutil.walk_packages(package.__path__, "chainpb."):
        if info.name.endswith("_pb2"):
            importlib.import_module(info.name)


def _method_codec(method: str) -> tuple[Callable[[dict[str, Any]], bytes], Callable[[bytes], Any]]:
    """Request encoder and response decoder for ``package.Service/Method`` from the descriptor pool."""
    _load_stubs()
    service_name, _, method_name = method.partition("/")
    try:
        service = descriptor_pool.Default().FindServiceByName(service_name)
    except KeyError:
        raise UnsupportedProber(f"unknown gRPC service {service_name!r} (not in the chainpb stubs)") from None
    descriptor = service.methods_by_name.get(method_name)
    if descriptor is None:
        raise UnsupportedProber(f"service {service_name} has no method {method_name!r}")
    request_cls = message_factory.GetMessageClass(descriptor.input_type)
    response_cls = message_factory.GetMessageClass(descriptor.output_type)

    def encode(data: dict[str, Any]) -> bytes:
        message = json_format.ParseDict(data, request_cls())
        encoded: bytes = message.SerializeToString()
        return encoded

    return encode, response_cls.FromString


def _read(path: str) -> bytes | None:
    return Path(path).read_bytes() if path else None


def _credentials(config: TLSConfig) -> grpc.ChannelCredentials:
    if config.insecure_skip_verify:
        raise UnsupportedProber(
            "grpc tls_config.insecure_skip_verify is not supported (grpcio always verifies)"
        )
    return grpc.ssl_channel_credentials(
        root_certificates=_read(config.ca_file) or (config.ca.encode() or None),
        private_key=_read(config.key_file),
        certificate_chain=_read(config.cert_file),
    )


def _rpc_failure(
    code: grpc.StatusCode, details: str, channel: grpc.aio.Channel, ctx: ProbeContext
) -> ProbeFailure:
    if (
        code is grpc.StatusCode.UNAVAILABLE
        and channel.get_state() is grpc.ChannelConnectivity.TRANSIENT_FAILURE
    ):
        if "ssl" in details.lower() or "handshake" in details.lower():
            return TlsFailure(f"TLS handshake failed: {details}")
        return ConnectFailure(f"can't connect grpc server: {details}")
    if code is grpc.StatusCode.DEADLINE_EXCEEDED and ctx.remaining() < 0.02:  # ours, not the server's
        return ProbeTimeout(f"gRPC call did not finish before the probe deadline: {details}")
    if code is grpc.StatusCode.UNIMPLEMENTED:
        return GrpcUnimplemented(f"the server does not implement the method: {details}")
    return GrpcStatusFailure(f"gRPC call failed with {code.name}: {details}")


async def probe(target: str, module: Module, ctx: ProbeContext) -> ProbeResult:
    """Health-check ``host:port`` (or call the module's unary method) within the probe deadline."""
    config = module.grpc
    health = not config.method
    _set(ctx, "probe_grpc_ssl", 0)
    _set(ctx, "probe_grpc_status_code", 0)
    for phase in ("check", "resolve"):
        _set(ctx, "probe_grpc_duration_seconds", 0, phase=phase)
    if health:
        for status in SERVING_STATUSES:
            _set(ctx, "probe_grpc_healthcheck_response", 0, serving_status=status)
    try:
        where = endpoint(target, "grpc", tls=module.tls_by_default)
    except TargetSyntaxError as exc:
        raise ConnectFailure(str(exc)) from None
    host, port = where.host, where.port
    ctx.policy.check_host(host, port)
    resolved = await resolve(host, config.preferred_ip_protocol, config.ip_protocol_fallback, ctx, port=port)
    _set(ctx, "probe_grpc_duration_seconds", resolved.lookup_seconds, phase="resolve")
    address = f"[{resolved.address}]:{port}" if ":" in resolved.address else f"{resolved.address}:{port}"
    authority = f"{ctx.hostname or host}:{port}"
    options: list[tuple[str, Any]] = [("grpc.default_authority", authority), ("grpc.enable_retries", 0)]
    if config.tls:
        ctx.log.debug("Dialing GRPC with TLS")
        options.append(
            ("grpc.ssl_target_name_override", config.tls_config.server_name or ctx.hostname or host)
        )
        channel = grpc.aio.secure_channel(address, _credentials(config.tls_config), options=options)
    else:
        ctx.log.debug("Dialing GRPC without TLS")
        channel = grpc.aio.insecure_channel(address, options=options)
    start = ctx.now()
    try:
        await _call(config, channel, ctx, health)
    finally:
        _set(ctx, "probe_grpc_duration_seconds", ctx.now() - start, phase="check")
        await channel.close(grace=None)
    return ctx.finish()


async def _call(config: GRPCProbe, channel: grpc.aio.Channel, ctx: ProbeContext, health: bool) -> None:
    """Make the call; raise the failure, or return when the answer passes."""
    metadata = tuple((k.lower(), v) for k, values in config.metadata.items() for v in values)
    if health:
        encode: Callable[[Any], bytes] = health_pb2.HealthCheckRequest.SerializeToString
        decode: Callable[[bytes], Any] = health_pb2.HealthCheckResponse.FromString
        request: Any = health_pb2.HealthCheckRequest(service=config.service)
        path = _HEALTH_CHECK
    else:
        encode, decode = _method_codec(config.method)
        request, path = config.request, "/" + config.method
    call = channel.unary_unary(path, request_serializer=encode, response_deserializer=decode)
    try:
        response = await call(request, timeout=max(ctx.remaining(), 0.001), metadata=metadata or None)
    except grpc.aio.AioRpcError as exc:
        _set(ctx, "probe_grpc_status_code", exc.code().value[0])
        ctx.log.error("can't connect grpc server:", err=f"code = {exc.code().name} desc = {exc.details()}")
        raise _rpc_failure(exc.code(), exc.details() or "", channel, ctx) from None
    except asyncio.CancelledError:
        # The probe deadline cancelled the call: report it as the deadline the call carried would.
        _set(ctx, "probe_grpc_status_code", grpc.StatusCode.DEADLINE_EXCEEDED.value[0])
        raise
    _set(ctx, "probe_grpc_status_code", 0)
    _set(ctx, "probe_grpc_ssl", 1 if config.tls else 0)
    if health:
        status = health_pb2.HealthCheckResponse.ServingStatus.Name(response.status)
        _set(ctx, "probe_grpc_healthcheck_response", 1, serving_status=status)
        if status != "SERVING":
            ctx.log.error("Health check is not SERVING", serving_status=status)
            raise NotServingFailure(f"health check answered {status}")
    else:
        _check_response(config, response, ctx)


def _check_response(config: GRPCProbe, response: Any, ctx: ProbeContext) -> None:
    try:
        document = json_format.MessageToDict(
            response, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
        )
    except (TypeError, ValueError) as exc:
        raise ProtocolFailure(f"cannot read the {config.method} response: {exc}") from None
    failure = assert_all(config.assertions, document, ctx.log, "response")
    if failure is not None:
        raise failure
