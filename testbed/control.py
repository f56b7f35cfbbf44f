"""The fault control API: ``GET/PUT/POST/DELETE /faults`` on the testbed's own loopback port.

Bodies are JSON or YAML (``{"faults": [...]}`` for PUT, one fault object for POST); an invalid body
answers 400 with ``{"error": "field: reason", "field": ..., "reason": ...}``, the field as a path
(``faults[1].surface``), so a scenario runner sees what it got wrong; a body the YAML reader refuses
(duplicate keys, an alias bomb, not UTF-8) answers 400 the same way, with field ``(body)``.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web
from pydantic import TypeAdapter, ValidationError

from testbed.faults import Fault, FaultBoard
from testbed.http_surface import json_response
from yamlsafe import InputError, parse_yaml

_FAULT_LIST = TypeAdapter(list[Fault])


def _error(status: int, message: str) -> web.Response:
    return json_response({"error": message}, status=status)


def _invalid(field: str, reason: str) -> web.Response:
    return json_response({"error": f"{field}: {reason}", "field": field, "reason": reason}, status=400)


def _invalid_fault(exc: ValidationError, prefix: str) -> web.Response:
    """The first problem of a fault (or list of faults) as a field path and a reason in our words."""
    error = exc.errors()[0]
    field = prefix
    for part in error["loc"]:
        if isinstance(part, int):
            field += f"[{part}]"
        elif "[" not in part:  # skip the validator names pydantic adds to a location
            field += f".{part}" if field else part
    reason = {"missing": "required field is missing", "extra_forbidden": "unknown field"}.get(
        error["type"], str(error["msg"]).removeprefix("Value error, ")
    )
    return _invalid(field or "(body)", reason)


async def _body(request: web.Request) -> Any:
    """The request body parsed as YAML (a superset of JSON) by the project's one reader, so duplicate
    keys, alias bombs and non-UTF-8 bodies are refused before anything is built."""
    data, _ = parse_yaml(await request.read(), "request body")
    return data


class ControlApi:
    """Handlers over one ``FaultBoard``."""

    def __init__(self, board: FaultBoard) -> None:
        self.board = board

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/faults", self.list_faults),
            web.put("/faults", self.replace_faults),
            web.post("/faults", self.add_fault),
            web.delete("/faults", self.clear_faults),
            web.delete("/faults/{id}", self.remove_fault),
        ]

    def _listing(self) -> dict[str, Any]:
        return {
            "faults": [
                {"id": item.id, "state": state, **item.fault.model_dump(mode="json")}
                for item, state in self.board.installed()
            ]
        }

    async def list_faults(self, request: web.Request) -> web.Response:
        return json_response(self._listing())

    async def replace_faults(self, request: web.Request) -> web.Response:
        try:
            body = await _body(request)
        except InputError as exc:
            return _invalid("(body)", str(exc))
        if not isinstance(body, dict) or set(body) != {"faults"}:
            return _invalid("(body)", 'expected {"faults": [...]}')
        try:
            faults = _FAULT_LIST.validate_python(body["faults"] or [])
        except ValidationError as exc:
            return _invalid_fault(exc, "faults")
        self.board.replace(faults)
        return json_response(self._listing())

    async def add_fault(self, request: web.Request) -> web.Response:
        try:
            fault = Fault.model_validate(await _body(request))
        except InputError as exc:
            return _invalid("(body)", str(exc))
        except ValidationError as exc:
            return _invalid_fault(exc, "")
        fault_id = self.board.add(fault)
        return json_response({"id": fault_id, **fault.model_dump(mode="json")}, status=201)

    async def clear_faults(self, request: web.Request) -> web.Response:
        self.board.clear()
        return json_response(self._listing())

    async def remove_fault(self, request: web.Request) -> web.Response:
        fault_id = request.match_info["id"]
        if not self.board.remove(fault_id):
            return _error(404, f"no fault {json.dumps(fault_id)}")
        return json_response(self._listing())
