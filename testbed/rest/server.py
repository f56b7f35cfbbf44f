"""The Cosmos SDK REST port (:1317): a gRPC-gateway over ``NodeService`` and ``QueryService``.

Errors use the gateway's body ``{"code", "message", "details"}`` with the HTTP status its
``HTTPStatusFromCode`` gives; a route the gateway does not know answers 501 with code 12, as
grpc-gateway v1 does behind the SDK's router. Request bodies and query parameters are read as
protojson reads them, by proto name or lowerCamelCase name (``tx_bytes`` or ``txBytes``), with
unknown fields refused; answers use proto names.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any

import grpc
from aiohttp import web
from google.protobuf.message import Message

from chainpb.cosmos.auth.v1beta1 import query_pb2 as auth_query_pb2
from chainpb.cosmos.bank.v1beta1 import query_pb2 as bank_query_pb2
from chainpb.cosmos.base.query.v1beta1 import pagination_pb2
from testbed.chain.model import ChainModel
from testbed.faults import Fault
from testbed.grpc.node_service import NodeService, ServiceError
from testbed.grpc.query_service import QueryService
from testbed.http_surface import json_response, load_json
from testbed.rest.gateway_json import to_json
from testbed.rpc.methods import ParamError, json_param
from testbed.rpc.views import consensus_params

_HTTP_STATUS = {
    grpc.StatusCode.OK: 200,
    grpc.StatusCode.CANCELLED: 499,
    grpc.StatusCode.UNKNOWN: 500,
    grpc.StatusCode.INVALID_ARGUMENT: 400,
    grpc.StatusCode.DEADLINE_EXCEEDED: 504,
    grpc.StatusCode.NOT_FOUND: 404,
    grpc.StatusCode.ALREADY_EXISTS: 409,
    grpc.StatusCode.PERMISSION_DENIED: 403,
    grpc.StatusCode.UNAUTHENTICATED: 401,
    grpc.StatusCode.RESOURCE_EXHAUSTED: 429,
    grpc.StatusCode.FAILED_PRECONDITION: 400,
    grpc.StatusCode.ABORTED: 409,
    grpc.StatusCode.OUT_OF_RANGE: 400,
    grpc.StatusCode.UNIMPLEMENTED: 501,
    grpc.StatusCode.INTERNAL: 500,
    grpc.StatusCode.UNAVAILABLE: 503,
    grpc.StatusCode.DATA_LOSS: 500,
}
_MODES = {
    "BROADCAST_MODE_UNSPECIFIED": 0,
    "BROADCAST_MODE_BLOCK": 1,
    "BROADCAST_MODE_SYNC": 2,
    "BROADCAST_MODE_ASYNC": 3,
}


def http_status(code: grpc.StatusCode) -> int:
    """The HTTP status grpc-gateway gives a gRPC status code."""
    return _HTTP_STATUS[code]


def gateway_error(code: grpc.StatusCode, message: str) -> web.Response:
    body = {"code": code.value[0], "message": message, "details": []}
    return json_response(body, status=http_status(code))


def _ok(payload: Message | dict[str, Any]) -> web.Response:
    return json_response(payload if isinstance(payload, dict) else to_json(payload))


def _call(produce: Callable[[], Message]) -> web.Response:
    try:
        return _ok(produce())
    except ServiceError as exc:
        return gateway_error(exc.code, exc.message)


class _BadRequestError(ValueError):
    """A body or parameter the gateway cannot map onto the request message."""


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


async def _body(request: web.Request, fields: tuple[str, ...]) -> dict[str, Any]:
    """The JSON body keyed by proto field name; either spelling of a name is accepted."""
    try:
        body = load_json(await request.read())
    except ValueError as exc:
        raise _BadRequestError(str(exc)) from exc
    if not isinstance(body, dict):
        raise _BadRequestError("body must be a JSON object")
    names = {spelling: name for name in fields for spelling in (name, _camel(name))}
    unknown = [key for key in body if key not in names]
    if unknown:
        raise _BadRequestError(f'unknown field "{unknown[0]}"')
    return {names[key]: value for key, value in body.items()}


def _bytes_field(body: dict[str, Any], name: str) -> bytes:
    try:
        data: bytes = json_param(name, "bytes", body.get(name) or "")
    except ParamError as exc:
        raise _BadRequestError(str(exc)) from exc
    return data


def _query_param(request: web.Request, name: str) -> str | None:
    for spelling in (name, ".".join(_camel(part) for part in name.split("."))):
        if spelling in request.query:
            return request.query[spelling]
    return None


def _page_request(request: web.Request) -> pagination_pb2.PageRequest:
    """``pagination.*`` query parameters, as grpc-gateway fills the request's ``PageRequest``."""
    page = pagination_pb2.PageRequest()
    for field in ("key", "offset", "limit", "count_total", "reverse"):
        name = f"pagination.{field}"
        text = _query_param(request, name)
        if text is None:
            continue
        try:
            if field == "key":
                page.key = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_")
            elif field in ("offset", "limit"):
                if not text.isdigit():
                    raise ValueError(f'strconv.ParseUint: parsing "{text}": invalid syntax')
                setattr(page, field, int(text))
            elif text in ("true", "false", "1", "0"):
                setattr(page, field, text in ("true", "1"))
            else:
                raise ValueError(f'strconv.ParseBool: parsing "{text}": invalid syntax')
        except (ValueError, binascii.Error) as exc:
            raise _BadRequestError(f"type mismatch, parameter: {name}, error: {exc}") from exc
    return page


class RestServer:
    """The aiohttp handlers of the REST port."""

    def __init__(self, chain: ChainModel, service: NodeService, queries: QueryService) -> None:
        self.chain = chain
        self.service = service
        self.queries = queries

    def routes(self) -> list[web.RouteDef]:
        base = "/cosmos/base/tendermint/v1beta1"
        return [
            web.get(f"{base}/node_info", self.node_info),
            web.get(f"{base}/syncing", self.syncing),
            web.get(f"{base}/blocks/latest", self.latest_block),
            web.get(f"{base}/blocks/{{height}}", self.block_by_height),
            web.post("/cosmos/tx/v1beta1/txs", self.broadcast),
            web.get("/cosmos/tx/v1beta1/txs/{hash}", self.get_tx),
            web.post("/cosmos/tx/v1beta1/simulate", self.simulate),
            web.get("/cosmos/auth/v1beta1/accounts/{address}", self.account),
            web.get("/cosmos/bank/v1beta1/balances/{address}", self.balances),
            web.get("/cosmos/bank/v1beta1/balances/{address}/by_denom", self.balance),
            web.get("/cosmos/consensus/v1/params", self.consensus_params),
            web.route("*", "/{tail:.*}", self.not_implemented),
        ]

    async def node_info(self, request: web.Request) -> web.Response:
        return _call(self.service.get_node_info)

    async def syncing(self, request: web.Request) -> web.Response:
        return _call(self.service.get_syncing)

    async def latest_block(self, request: web.Request) -> web.Response:
        return _call(self.service.get_latest_block)

    async def block_by_height(self, request: web.Request) -> web.Response:
        text = request.match_info["height"]
        try:
            height = int(text)
        except ValueError:
            message = (
                f'type mismatch, parameter: height, error: strconv.ParseInt: parsing "{text}": invalid syntax'
            )
            return gateway_error(grpc.StatusCode.INVALID_ARGUMENT, message)
        return _call(lambda: self.service.get_block_by_height(height))

    async def broadcast(self, request: web.Request) -> web.Response:
        try:
            body = await _body(request, ("tx_bytes", "mode"))
            tx_bytes = _bytes_field(body, "tx_bytes")
            mode = body.get("mode", 0)
            mode = _MODES[mode] if isinstance(mode, str) else int(mode)
        except (_BadRequestError, TypeError, KeyError, ValueError) as exc:
            return gateway_error(grpc.StatusCode.INVALID_ARGUMENT, f"invalid request body: {exc}")
        return _call(lambda: self.service.broadcast_tx(tx_bytes, mode))

    async def simulate(self, request: web.Request) -> web.Response:
        try:
            body = await _body(request, ("tx", "tx_bytes"))
            tx_bytes = _bytes_field(body, "tx_bytes")
        except _BadRequestError as exc:
            return gateway_error(grpc.StatusCode.INVALID_ARGUMENT, f"invalid request body: {exc}")
        return _call(lambda: self.service.simulate(tx_bytes))

    async def account(self, request: web.Request) -> web.Response:
        query = auth_query_pb2.QueryAccountRequest(address=request.match_info["address"])
        return _call(lambda: self.queries.account(query))

    async def balance(self, request: web.Request) -> web.Response:
        denom = _query_param(request, "denom") or ""
        query = bank_query_pb2.QueryBalanceRequest(address=request.match_info["address"], denom=denom)
        return _call(lambda: self.queries.balance(query))

    async def consensus_params(self, request: web.Request) -> web.Response:
        params = consensus_params(self.chain, self.chain.height)["consensus_params"]
        evidence = params["evidence"]
        seconds = int(evidence["max_age_duration"]) // 1_000_000_000
        return _ok({"params": {**params, "evidence": {**evidence, "max_age_duration": f"{seconds}s"}}})

    async def get_tx(self, request: web.Request) -> web.Response:
        return _call(lambda: self.service.get_tx(request.match_info["hash"]))

    async def balances(self, request: web.Request) -> web.Response:
        try:
            page = _page_request(request)
        except _BadRequestError as exc:
            return gateway_error(grpc.StatusCode.INVALID_ARGUMENT, str(exc))
        query = bank_query_pb2.QueryAllBalancesRequest(address=request.match_info["address"], pagination=page)
        return _call(lambda: self.queries.all_balances(query))

    async def not_implemented(self, request: web.Request) -> web.Response:
        return gateway_error(grpc.StatusCode.UNIMPLEMENTED, "Not Implemented")


async def rest_protocol_error(request: web.Request, fault: Fault) -> web.Response:
    """An injected failure as the gateway reports a failed backend call."""
    return gateway_error(grpc.StatusCode[fault.grpc_code], fault.data)
