"""The fault control API: ``GET/PUT/POST/DELETE /faults`` on the testbed's own loopback port.

Bodies are JSON or YAML (``{"faults": [...]}`` for PUT, one fault object for POST); invalid faults
answer 400 with pydantic's messages, so a scenario runner sees what it got wrong, and a body the
YAML reader refuses (duplicate keys, an alias bomb, not UTF-8) answers 400 with its one line.
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
            if not isinstance(body, dict) or set(body) != {"faults"}:
                return _error(400, 'expected {"faults": [...]}')
            faults = _FAULT_LIST.validate_python(body["faults"] or [])
        except (InputError, ValidationError) as exc:
            return _error(400, str(exc))
        self.board.replace(faults)
        return json_response(self._listing())

    async def add_fault(self, request: web.Request) -> web.Response:
        try:
            fault = Fault.model_validate(await _body(request))
        except (InputError, ValidationError) as exc:
            return _error(400, str(exc))
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
