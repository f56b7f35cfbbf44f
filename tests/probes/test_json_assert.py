"""The ``path op value`` assertion language on CometBFT-shaped JSON."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from probes.json_assert import MISSING, check, json_path, lookup, parse_assertion

STATUS = {
    "result": {
        "sync_info": {"latest_block_height": "123", "catching_up": False},
        "peers": [{"id": "a"}, {"id": "b"}],
    }
}


@pytest.mark.parametrize(
    ("line", "holds"),
    [
        ("result.sync_info.catching_up == false", True),
        ("result.sync_info.catching_up != false", False),
        ("result.sync_info.latest_block_height > 100", True),
        ("result.sync_info.latest_block_height >= 124", False),
        ("result.sync_info.latest_block_height == 123", True),  # int64 as a string, compared as a number
        ('result.sync_info.latest_block_height == "123"', True),
        ('result.peers[1].id == "b"', True),
        ('result.peers[2].id == "c"', False),  # missing path fails
        ("result.sync_info.catching_up < 1", False),  # a bool is not a number
        ("result.nothing == null", False),
    ],
)
def test_assertions_on_a_status_document(line: str, holds: bool) -> None:
    assert check(parse_assertion(line), STATUS)[0] is holds


@pytest.mark.parametrize("line", ["x", "x == ", "x == nope", "x > true", "a..b == 1", "== 1"])
def test_bad_assertions_are_refused(line: str) -> None:
    with pytest.raises(ValueError):
        parse_assertion(line)


def test_lookup_and_paths() -> None:
    assert json_path("result.peers[0].id") == ("result", "peers", 0, "id")
    assert lookup(STATUS, ("result", "peers", 5)) is MISSING
    assert lookup(STATUS, ("result", "sync_info", "catching_up")) is False


@given(st.integers(min_value=-(10**12), max_value=10**12), st.integers(min_value=-(10**12), max_value=10**12))
def test_ordering_agrees_with_numbers_even_as_strings(actual: int, expected: int) -> None:
    document = {"n": str(actual)}
    assert check(parse_assertion(f"n < {expected}"), document)[0] is (actual < expected)
    assert check(parse_assertion(f"n == {expected}"), document)[0] is (actual == expected)
