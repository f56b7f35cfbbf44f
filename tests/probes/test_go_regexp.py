"""Go regexps from blackbox.yml mean in Python what they mean in Go."""

from __future__ import annotations

import re

import pytest

from probes.go_regexp import expand_go_template, go_regexp


@pytest.mark.parametrize(
    ("pattern", "text", "matches"),
    [
        ("^+OK", "OK ready", True),  # Go: ^+ repeats the anchor
        ("^+OK", "+OK ready", False),
        ("^SSH-2.0-", "SSH-2.0-OpenSSH_9.2", True),
        ("end$", "the end", True),
        ("end$", "the end\n", False),  # Go's $ is end of text without (?m)
        ("(?m)end$", "the end\nmore", True),
        (r"a\z", "a", True),
        ("[$^]x", "$x", True),
        ("[]a]", "]", True),
    ],
)
def test_translation(pattern: str, text: str, matches: bool) -> None:
    assert (go_regexp(pattern).search(text) is not None) is matches


def test_bad_pattern_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="invalid regular expression"):
        go_regexp("a(")


def test_expand_like_go() -> None:
    match = re.search(r"PING :(?P<token>[^ ]+)", "PING :abc123")
    assert match is not None
    assert expand_go_template("PONG ${1}", match) == "PONG abc123"
    assert expand_go_template("PONG $token!", match) == "PONG abc123!"
    assert expand_go_template("PONG ${token}", match) == "PONG abc123"
    assert expand_go_template("cost $$5 ${9}", match) == "cost $5 "
