"""The subset of CometBFT's event query language that ``/tx_search`` needs (``libs/pubsub/query``).

Conditions joined by ``AND``: ``tx.height`` with ``=``, ``<``, ``<=``, ``>``, ``>=``; ``tx.hash = 'HEX'``;
and ``<event type>.<attribute>`` with ``=``, ``CONTAINS`` or ``EXISTS`` over the tx's events (e.g.
``message.sender='akash1…'``). Anything else is a parse error, as on a real node.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass

from testbed.chain.model import IndexedTx

_CONDITION = re.compile(r"^\s*([A-Za-z_][\w.\-]*)\s*(<=|>=|=|<|>|CONTAINS|EXISTS)\s*(.*?)\s*$")
_COMPARE: dict[str, Callable[[int, int], bool]] = {
    "=": operator.eq,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


class QueryError(ValueError):
    """A query the parser refuses; ``str()`` is the message."""


@dataclass(frozen=True)
class Condition:
    """One ``key OP value`` term."""

    key: str
    op: str
    value: str

    def matches(self, tx: IndexedTx) -> bool:
        if self.key == "tx.height":
            return _COMPARE[self.op](tx.height, int(self.value))
        if self.key == "tx.hash":
            return tx.hash == self.value.upper()
        event_type, _, attribute = self.key.rpartition(".")
        values = [
            v for e in tx.result.events if e.type == event_type for k, v in e.attributes if k == attribute
        ]
        if self.op == "EXISTS":
            return bool(values)
        if self.op == "CONTAINS":
            return any(self.value in v for v in values)
        return self.value in values


def _literal(text: str, query: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1]
    if re.fullmatch(r"-?\d+", text):
        return text
    raise QueryError(f"failed to parse query {query!r}: unexpected value {text!r}")


def parse_query(query: str) -> list[Condition]:
    """The conditions of a query; raises ``QueryError`` when it does not parse or is not supported."""
    conditions = []
    for term in re.split(r"\s+AND\s+", query.strip()):
        match = _CONDITION.match(term)
        if match is None:
            raise QueryError(f"failed to parse query {query!r}")
        key, op, raw = match.groups()
        value = "" if op == "EXISTS" else _literal(raw, query)
        if key == "tx.height" and (op not in _COMPARE or not value.lstrip("-").isdigit()):
            raise QueryError(f"failed to parse query {query!r}: tx.height takes a number")
        if key == "tx.hash" and op != "=":
            raise QueryError(f"failed to parse query {query!r}: tx.hash takes =")
        if op in _COMPARE and op != "=" and key != "tx.height":
            raise QueryError(f"failed to parse query {query!r}: {op} needs a number attribute")
        conditions.append(Condition(key, op, value))
    return conditions


def height_range(conditions: list[Condition], tip: int) -> range:
    """The heights the ``tx.height`` terms allow, within 1..tip (so a search scans no more blocks)."""
    low, high = 1, tip
    for condition in conditions:
        if condition.key != "tx.height":
            continue
        value = int(condition.value)
        if condition.op in ("=", ">="):
            low = max(low, value)
        if condition.op in ("=", "<="):
            high = min(high, value)
        if condition.op == ">":
            low = max(low, value + 1)
        if condition.op == "<":
            high = min(high, value - 1)
    return range(low, high + 1)
