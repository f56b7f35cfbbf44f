"""``--what-if KEY=VALUE``: one change to a scenario document, by dotted path, before it is validated.

``responders.on_call.mitigate=15m`` sets a mapping key; list items are addressed by their ``id`` (or
``name``, for inline policies) or by index: ``incident_processes.outage.rate=1/28d``. The value is
read as YAML (``[sre-workbook]`` is a list, ``null`` removes the key). The changed document is then
validated like any scenario file, so a bad value reads as a scenario error.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from slo.foundation.input_errors import InputError, parse_yaml


@dataclass(frozen=True)
class WhatIf:
    text: str
    path: tuple[str, ...]
    value: Any


def parse_what_if(text: str) -> WhatIf:
    """``KEY=VALUE``; ValueError says what is wrong."""
    key, sep, raw = text.partition("=")
    path = tuple(p for p in key.strip().split("."))
    if not sep or not key.strip() or any(not p for p in path):
        raise ValueError(f"expected KEY=VALUE such as responders.on_call.mitigate=15m, got {text!r}")
    try:
        value, _ = parse_yaml(raw, "--what-if")
    except InputError as exc:
        raise ValueError(str(exc)) from None
    return WhatIf(text.strip(), path, value)


def _child(node: Any, part: str, where: str) -> Any:
    if isinstance(node, dict):
        if part not in node:
            node[part] = {}
        return node[part]
    if isinstance(node, list):
        for item in node:
            if isinstance(item, dict) and part in (item.get("id"), item.get("name")):
                return item
        if part.isdigit() and int(part) < len(node):
            return node[int(part)]
        raise ValueError(f"{where}: no item {part!r}")
    raise ValueError(f"{where}: cannot go into a {type(node).__name__}")


def apply_what_if(document: dict[str, Any], change: WhatIf) -> dict[str, Any]:
    """A copy of ``document`` with the change made (the original is left alone)."""
    out = copy.deepcopy(document)
    node: Any = out
    for depth, part in enumerate(change.path[:-1]):
        node = _child(node, part, ".".join(change.path[: depth + 1]))
    last = change.path[-1]
    if isinstance(node, list):
        target = _child(node, last, ".".join(change.path))
        if not isinstance(change.value, dict) or not isinstance(target, dict):
            raise ValueError(f"{'.'.join(change.path)}: a list item is replaced by a mapping")
        target.clear()
        target.update(change.value)
    elif isinstance(node, dict):
        if change.value is None:
            node.pop(last, None)
        else:
            node[last] = change.value
    else:
        raise ValueError(f"{'.'.join(change.path[:-1])}: cannot set a key in a {type(node).__name__}")
    return out
