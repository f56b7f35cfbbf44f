"""The CometBFT RPC transports (``rpc/jsonrpc/server``): JSON-RPC over POST, URI over GET.

Envelope rules, as CometBFT v0.38 applies them: a JSON-RPC POST always answers HTTP 200, errors
included; a request without ``id`` is a notification and gets no reply (a batch of only
notifications gets an empty body); a batch of one is answered with a single object; URI requests
carry ``id: -1`` and answer HTTP 500 on any error; ``data`` is omitted when empty; paths other than
``/`` and the method names are 404. Where CometBFT answers a well-formed JSON value of the wrong
shape with -32700, the testbed answers -32600 Invalid Request, as JSON-RPC 2.0 specifies.
"""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from testbed.faults import Fault
from testbed.http_surface import json_response, load_json
from testbed.rpc.methods import Method, ParamError, RpcError, RpcMethods, json_param, uri_param
from testbed.rpc.views import Json

PARSE_ERROR = (-32700, "Parse error")
INVALID_REQUEST = (-32600, "Invalid Request")
METHOD_NOT_FOUND = (-32601, "Method not found")
INVALID_PARAMS = (-32602, "Invalid params")
INTERNAL_ERROR = (-32603, "Internal error")
_ABSENT = object()


def error_envelope(request_id: Any, error: tuple[int, str], data: str = "") -> Json:
    body: Json = {"code": error[0], "message": error[1]}
    if data:
        body["data"] = data
    envelope: Json = {"jsonrpc": "2.0"}
    if request_id is not _ABSENT:
        envelope["id"] = request_id
    envelope["error"] = body
    return envelope


def _valid_id(value: Any) -> bool:
    return value is None or (isinstance(value, int | float | str) and not isinstance(value, bool))


class RpcServer:
    """The aiohttp handlers of the RPC port over one ``RpcMethods`` table."""

    def __init__(self, methods: RpcMethods) -> None:
        self.methods = methods

    def routes(self) -> list[web.RouteDef]:
        uri = [
            web.route("*", f"/{name}", self._uri_handler(name, method))
            for name, method in self.methods.table.items()
        ]
        return [
            web.post("/", self.json_rpc),
            web.get("/", self.index),
            *uri,
            web.route("*", "/{tail:.*}", not_found),
        ]

    async def index(self, request: web.Request) -> web.Response:
        host = html.escape(request.host)
        links = "".join(
            f'<a href="//{host}/{name}">//{host}/{name}</a></br>' for name in sorted(self.methods.table)
        )
        return web.Response(
            text=f"<html><body><br>Available endpoints:<br>{links}</body></html>", content_type="text/html"
        )

    def _uri_handler(self, name: str, method: Method) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def handle(request: web.Request) -> web.Response:
            kwargs: dict[str, Any] = {}
            try:
                for param, kind in method.params:
                    raw = request.query.get(param, "")
                    if raw:
                        kwargs[param] = uri_param(param, kind, raw)
            except ParamError as exc:
                data = f"error converting http params to arguments: {exc}"
                return json_response(error_envelope(-1, INVALID_PARAMS, data), status=500)
            try:
                result = await method.call(**kwargs)
            except RpcError as exc:
                return json_response(error_envelope(-1, INTERNAL_ERROR, str(exc)), status=500)
            return json_response({"jsonrpc": "2.0", "id": -1, "result": result})

        handle.__name__ = f"uri_{name}"
        return handle

    async def json_rpc(self, request: web.Request) -> web.Response:
        body = await request.read()
        if not body:
            return await self.index(request)
        try:
            payload = load_json(body)
        except ValueError as exc:
            return json_response(error_envelope(_ABSENT, PARSE_ERROR, f"error unmarshaling request: {exc}"))
        batch = payload if isinstance(payload, list) else [payload]
        if not batch:
            return json_response(error_envelope(_ABSENT, INVALID_REQUEST, "empty batch"))
        responses = [r for r in [await self._one(item) for item in batch] if r is not None]
        if not responses:
            return web.Response(status=200)
        return json_response(responses[0] if len(responses) == 1 else responses)

    async def _one(self, item: Any) -> Json | None:
        if not isinstance(item, dict):
            return error_envelope(_ABSENT, INVALID_REQUEST, "request must be a JSON object")
        request_id = item.get("id", _ABSENT)
        if request_id is _ABSENT or request_id is None:
            return None
        if not _valid_id(request_id):
            return error_envelope(_ABSENT, INVALID_REQUEST, f"invalid id type {type(request_id).__name__}")
        name = item.get("method", "")
        if not isinstance(name, str):
            return error_envelope(request_id, INVALID_REQUEST, "method must be a string")
        method = self.methods.table.get(name)
        if method is None:
            return error_envelope(request_id, METHOD_NOT_FOUND)
        try:
            kwargs = _json_params(method, item.get("params"))
        except ParamError as exc:
            return error_envelope(
                request_id, INVALID_PARAMS, f"error converting json params to arguments: {exc}"
            )
        try:
            result = await method.call(**kwargs)
        except RpcError as exc:
            return error_envelope(request_id, INTERNAL_ERROR, str(exc))
        return {"jsonrpc": "2.0", "id": request_id, "result": result}


async def not_found(request: web.Request) -> web.Response:
    """Go's ``http.NotFound``, which CometBFT gives every path that is neither ``/`` nor a method."""
    return web.Response(status=404, text="404 page not found\n")


def _json_params(method: Method, params: Any) -> dict[str, Any]:
    if params is None:
        return {}
    if isinstance(params, dict):
        pairs = [(name, kind, params.get(name)) for name, kind in method.params]
    elif isinstance(params, list):
        if len(params) > len(method.params):
            raise ParamError(f"expected {len(method.params)} parameters, got {len(params)}")
        pairs = [(name, kind, value) for (name, kind), value in zip(method.params, params, strict=False)]
    else:
        raise ParamError("params must be an object or an array")
    return {
        name: converted
        for name, kind, value in pairs
        if (converted := json_param(name, kind, value)) is not None
    }


async def rpc_protocol_error(request: web.Request, fault: Fault) -> web.Response:
    """An injected JSON-RPC error: HTTP 200 on POST (with the request's id when readable), 500 on GET."""
    error = METHOD_NOT_FOUND if fault.jsonrpc_code == -32601 else INTERNAL_ERROR
    data = "" if error is METHOD_NOT_FOUND else fault.data
    if request.method != "POST":
        return json_response(error_envelope(-1, error, data), status=500)
    try:
        payload = load_json(await request.read())
        request_id = payload.get("id", _ABSENT) if isinstance(payload, dict) else _ABSENT
    except ValueError:
        request_id = _ABSENT
    return json_response(error_envelope(request_id if _valid_id(request_id) else _ABSENT, error, data))
