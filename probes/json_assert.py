"""JSON checks on a response: ``path op value`` assertions and numeric extraction by path.

blackbox_exporter rejected JSONPath (#251, "intended to be fairly dumb") and reached CEL only in
0.27; node endpoints need just "this field compares to that value", so the language is one line::

    result.sync_info.catching_up == false
    result.sync_info.latest_block_height > 0
    result.peers[0].node_info.moniker != "validator-0"
    syncing == false

A path is dot-separated keys with ``[n]`` list indices. The value is a JSON literal (``true``,
``null``, ``3``, ``"text"``). Ordering operators compare numbers, and CometBFT writes int64 as
strings (``"latest_block_height": "123"``), so a numeric string on either side counts as its number;
``==`` and ``!=`` do the same when the literal is a number. A missing path fails the assertion.
"""

from __future__ import annotations

import json
import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from probes.probe_log import ProbeLog
from probes.result import JsonFailure

__all__ = ["MISSING", "JsonAssertion", "check", "json_path", "lookup", "numeric", "parse_assertion"]

PathPart = str | int
_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<=": operator.le,
    ">=": operator.ge,
    "<": operator.lt,
    ">": operator.gt,
}
_ASSERTION = re.compile(r"^\s*(?P<path>[^\s=!<>]+)\s*(?P<op>==|!=|<=|>=|<|>)\s*(?P<value>.+?)\s*$")
_PART = re.compile(r"([^.\[\]\s]+)|\[(\d+)\]")
_PATH = re.compile(r"[^.\[\]\s]+(\[\d+\])*(\.[^.\[\]\s]+(\[\d+\])*)*")


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


MISSING: Any = _Missing()


def json_path(text: str) -> tuple[PathPart, ...]:
    """``result.peers[0].id`` → ``("result", "peers", 0, "id")``; a ValueError names a bad path."""
    if _PATH.fullmatch(text) is None:
        raise ValueError(f"invalid JSON path {text!r} (expected e.g. result.sync_info.catching_up)")
    return tuple(key if key else int(index) for key, index in _PART.findall(text))


@dataclass(frozen=True, slots=True)
class JsonAssertion:
    """One parsed ``path op value`` line; ``str()`` gives the line back.

    >>> a = parse_assertion("result.sync_info.catching_up == false")
    >>> check(a, {"result": {"sync_info": {"catching_up": False}}})
    (True, False)
    """

    text: str
    path: tuple[PathPart, ...]
    op: str
    expected: Any

    def __str__(self) -> str:
        return self.text


def parse_assertion(value: object) -> JsonAssertion:
    """Parse one assertion line; a ValueError says what is wrong with it."""
    if isinstance(value, JsonAssertion):
        return value
    if not isinstance(value, str):
        raise ValueError("a JSON assertion is a string 'path op value', e.g. 'syncing == false'")
    m = _ASSERTION.match(value)
    if m is None:
        raise ValueError(
            f"invalid JSON assertion {value!r} (expected 'path op value', e.g. 'syncing == false')"
        )
    try:
        expected = json.loads(m.group("value"))
    except json.JSONDecodeError:
        raise ValueError(
            f"invalid JSON assertion {value!r}: {m.group('value')!r} is not a JSON value (quote strings)"
        ) from None
    op = m.group("op")
    if op in ("<", "<=", ">", ">=") and (isinstance(expected, bool) or numeric(expected) is None):
        raise ValueError(f"invalid JSON assertion {value!r}: {op} needs a number")
    return JsonAssertion(value.strip(), json_path(m.group("path")), op, expected)


def lookup(document: Any, path: tuple[PathPart, ...]) -> Any:
    """The value at ``path``, or ``MISSING``."""
    node = document
    for part in path:
        if isinstance(part, int):
            if not isinstance(node, list) or part >= len(node):
                return MISSING
            node = node[part]
        else:
            if not isinstance(node, dict) or part not in node:
                return MISSING
            node = node[part]
    return node


def numeric(value: Any) -> float | None:
    """A number, a bool as 0/1, or a numeric string as its number; anything else is None."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def check(assertion: JsonAssertion, document: Any) -> tuple[bool, Any]:
    """Whether ``document`` satisfies the assertion, and the actual value found at its path."""
    actual = lookup(document, assertion.path)
    if actual is MISSING:
        return False, actual
    compare = _OPS[assertion.op]
    expected = assertion.expected
    numeric_expected = not isinstance(expected, bool) and isinstance(expected, int | float)
    if numeric_expected or assertion.op in ("<", "<=", ">", ">="):
        left = None if isinstance(actual, bool) else numeric(actual)
        right = numeric(expected)
        if left is None or right is None:
            return assertion.op == "!=", actual
        return compare(left, right), actual
    return compare(actual, expected), actual


def assert_all(
    assertions: Sequence[JsonAssertion], document: Any, log: ProbeLog, subject: str
) -> JsonFailure | None:
    """Check the assertions in order, logging each; the first that fails is the probe's failure.

    ``subject`` names what was read ("JSON" for an HTTP body, "response" for a gRPC reply).
    """
    title = subject[:1].upper() + subject[1:]
    for assertion in assertions:
        ok, actual = check(assertion, document)
        shown = "missing" if actual is MISSING else json.dumps(actual)
        if not ok:
            log.error(f"{title} assertion failed", assertion=assertion.text, actual=shown)
            return JsonFailure(f"{subject} assertion failed: {assertion.text} (found {shown})")
        log.info(f"{title} assertion held", assertion=assertion.text, actual=shown)
    return None
