"""The Cosmos SDK REST port (:1317): a gRPC-gateway over ``NodeService``, plus bank balances.

Errors use the gateway's body ``{"code", "message", "details"}`` with the HTTP status its
``HTTPStatusFromCode`` gives; a route the gateway does not know answers 501 with code 12, as
grpc-gateway v1 does behind the SDK's router.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any

import grpc
from aiohttp import web
from google.protobuf.message import Message

from cosmostx import decode_address
from testbed.chain import ChainModel
from testbed.faults import Fault
from testbed.gateway_json import to_json
from testbed.http_surface import json_response, load_json
from testbed.node_service import NodeService, ServiceError

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


class RestServer:
    """The aiohttp handlers of the REST port."""

    def __init__(self, chain: ChainModel, service: NodeService) -> None:
        self.chain = chain
        self.service = service

    def routes(self) -> list[web.RouteDef]:
        base = "/cosmos/base/tendermint/v1beta1"
        return [
            web.get(f"{base}/node_info", self.node_info),
            web.get(f"{base}/syncing", self.syncing),
            web.get(f"{base}/blocks/latest", self.latest_block),
            web.get(f"{base}/blocks/{{height}}", self.block_by_height),
            web.post("/cosmos/tx/v1beta1/txs", self.broadcast),
            web.get("/cosmos/tx/v1beta1/txs/{hash}", self.get_tx),
            web.get("/cosmos/bank/v1beta1/balances/{address}", self.balances),
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
            body = load_json(await request.read())
            if not isinstance(body, dict):
                raise TypeError("body must be an object")
            tx_bytes = base64.b64decode(body.get("tx_bytes") or "", validate=True)
            mode = body.get("mode", 0)
            mode = _MODES[mode] if isinstance(mode, str) else int(mode)
        except (ValueError, TypeError, KeyError, binascii.Error) as exc:
            return gateway_error(grpc.StatusCode.INVALID_ARGUMENT, f"invalid request body: {exc}")
        return _call(lambda: self.service.broadcast_tx(tx_bytes, mode))

    async def get_tx(self, request: web.Request) -> web.Response:
        return _call(lambda: self.service.get_tx(request.match_info["hash"]))

    async def balances(self, request: web.Request) -> web.Response:
        address = request.match_info["address"]
        try:
            decode_address(address, self.chain.config.bech32_prefix)
        except ValueError as exc:
            return gateway_error(grpc.StatusCode.INVALID_ARGUMENT, f"invalid address: {exc}")
        account = self.chain.ledger.account(address)
        held = account.coins() if account is not None else ()
        coins = [{"denom": denom, "amount": str(amount)} for denom, amount in held]
        return _ok({"balances": coins, "pagination": {"next_key": None, "total": str(len(coins))}})

    async def not_implemented(self, request: web.Request) -> web.Response:
        return gateway_error(grpc.StatusCode.UNIMPLEMENTED, "Not Implemented")


async def rest_protocol_error(request: web.Request, fault: Fault) -> web.Response:
    """An injected failure as the gateway reports a failed backend call."""
    return gateway_error(grpc.StatusCode[fault.grpc_code], fault.data)
