"""The target policy: allowlist by name and network, and the link-local / metadata refusal."""

from __future__ import annotations

import pytest

from probes.result import TargetRefused
from probes.security import TargetPolicy, parse_address


@pytest.mark.parametrize(
    "spelling",
    [
        "169.254.169.254",
        "0xa9fea9fe",
        "2852039166",
        "0251.0376.0251.0376",
        "::ffff:169.254.169.254",
        "[fe80::1]",
    ],
)
def test_metadata_and_link_local_refused_in_every_spelling(spelling: str) -> None:
    with pytest.raises(TargetRefused):
        TargetPolicy().check_host(spelling)


def test_metadata_names_refused_and_override_allows() -> None:
    with pytest.raises(TargetRefused):
        TargetPolicy().check_host("metadata.google.internal")
    TargetPolicy(allow_link_local=True).check_host("169.254.169.254")


def test_open_policy_admits_ordinary_hosts() -> None:
    policy = TargetPolicy()
    policy.check_host("example.com")
    policy.check_address("example.com", "93.184.216.34")


def test_allowlist_by_pattern_and_network() -> None:
    policy = TargetPolicy(["*.example.com", "10.0.0.0/8"])
    policy.check_host("node.example.com")
    policy.check_host("10.1.2.3")
    with pytest.raises(TargetRefused):
        policy.check_host("192.168.1.1")
    # A name outside the patterns is judged by its addresses.
    policy.check_host("internal.corp")
    assert policy.needs_resolution("internal.corp")
    policy.check_address("internal.corp", "10.9.9.9")
    with pytest.raises(TargetRefused):
        policy.check_address("internal.corp", "192.168.1.1")


def test_patterns_only_refuse_unlisted_names() -> None:
    policy = TargetPolicy(["*.example.com"])
    with pytest.raises(TargetRefused):
        policy.check_host("evil.com")


def test_allowlisted_name_resolving_to_metadata_is_still_refused() -> None:
    policy = TargetPolicy(["*.example.com"])
    with pytest.raises(TargetRefused):
        policy.check_address("rebind.example.com", "169.254.169.254")


def test_parse_address() -> None:
    assert str(parse_address("0x7f000001")) == "127.0.0.1"
    assert str(parse_address("::ffff:10.0.0.1")) == "10.0.0.1"
    assert parse_address("example.com") is None
