"""Which targets the exporter may probe, so ``/probe?target=`` is not an open proxy (SSRF).

blackbox_exporter refused an allowlist (#5) and keeps receiving SSRF reports (#669, #1639: cloud
metadata at 169.254.169.254, hex and IPv6-mapped spellings of it, redirect pivots). Here a target is
checked by name before anything is sent, and every address it resolves to is checked again right
before each connection, redirects included, so neither a redirect nor a DNS answer can lead a probe
somewhere the policy refuses.

Address spellings are normalised first: ``0xa9fea9fe``, ``2852039166`` and ``0251.0376.0251.0376``
are all 169.254.169.254 to the C resolver, and ``::ffff:169.254.169.254`` reaches it over IPv6.
"""

from __future__ import annotations

import functools
import ipaddress
import socket
from collections.abc import Sequence
from fnmatch import fnmatchcase

from probes.result import TargetRefused

__all__ = ["METADATA_ADDRESSES", "METADATA_HOSTS", "TargetPolicy", "parse_address"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

METADATA_ADDRESSES = (
    ipaddress.ip_address("169.254.169.254"),  # AWS, GCP, Azure, OpenStack, DigitalOcean
    ipaddress.ip_address("fd00:ec2::254"),  # AWS over IPv6
    ipaddress.ip_address("100.100.100.200"),  # Alibaba Cloud
    ipaddress.ip_address("192.0.0.192"),  # Oracle Cloud
)
METADATA_HOSTS = ("metadata.google.internal", "metadata", "instance-data", "instance-data.ec2.internal")


@functools.lru_cache(maxsize=4096)
def parse_address(host: str) -> IPAddress | None:
    """The IP address a host string denotes, in any spelling the C resolver accepts, else None.

    Memoised: it is a pure function of the string, called several times per probe.
    """
    text = host.strip("[]").split("%", 1)[0]
    try:
        return ipaddress.IPv4Address(socket.inet_pton(socket.AF_INET, text))  # the common case, fast
    except OSError:
        pass
    try:
        address: IPAddress = ipaddress.ip_address(text)
    except ValueError:
        try:
            packed = socket.inet_aton(text)  # accepts 0x.., decimal, octal and short forms
        except OSError:
            return None
        address = ipaddress.IPv4Address(packed)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


@functools.lru_cache(maxsize=4096)
def _link_local_or_metadata(address: IPAddress) -> bool:
    """Memoised, as ``parse_address``: checked up to three times per probe, for the same address."""
    return address.is_link_local or address in METADATA_ADDRESSES


def _entry(entry: str) -> tuple[str, int | None]:
    """``127.0.0.1:9100``, ``[::1]:26657``, ``10.0.0.0/8:443``, ``*.example.com:443`` → (what, port)."""
    if entry.startswith("[") and "]:" in entry:
        inside, _, port = entry[1:].partition("]:")
    elif entry.count(":") == 1:
        inside, _, port = entry.partition(":")
    else:
        return entry, None
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"allowlist entry {entry!r}: {port!r} is not a port")
    return inside, int(port)


def _where(host: str, port: int | None) -> str:
    if port is None:
        return host
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


class TargetPolicy:
    """An allowlist of host patterns and CIDRs, plus a default refusal of link-local and metadata.

    An empty allowlist admits every host; otherwise a target is admitted when its name matches a
    pattern (``fnmatch``, case-insensitive, ``*.example.com``) or its address lies in a listed network.
    An entry may name a port (``127.0.0.1:9100``, ``[::1]:26657``, ``*.example.com:443``): it then
    admits that port only, while an entry without one admits every port. A check that is given no
    port is admitted only by entries without one.
    Link-local and metadata addresses are refused unless ``allow_link_local`` is set, whatever the
    allowlist says, because a pattern like ``*`` is easy to write and they are the classic SSRF prize.

    >>> policy = TargetPolicy(["127.0.0.0/8", "*.example.com", "10.0.0.1:9100"])
    >>> policy.check_host("node.example.com", 443)
    >>> policy.check_host("0x7f000001", 80)
    >>> policy.check_host("10.0.0.1", 9100)
    >>> policy.check_host("10.0.0.1", 9101)
    Traceback (most recent call last):
    ...
    probes.result.TargetRefused: target 10.0.0.1:9101 is not in the allowlist
    """

    def __init__(self, allow: Sequence[str] = (), *, allow_link_local: bool = False) -> None:
        self.allow_link_local = allow_link_local
        self._patterns: list[tuple[str, int | None]] = []
        self._networks: list[tuple[IPNetwork, int | None]] = []
        for entry in allow:
            what, port = _entry(entry)
            try:
                self._networks.append((ipaddress.ip_network(what, strict=False), port))
            except ValueError:
                self._patterns.append((what.lower(), port))

    @property
    def open(self) -> bool:
        """True when no allowlist is set (only the link-local and metadata refusal applies)."""
        return not self._patterns and not self._networks

    def _name_allowed(self, host: str, port: int | None) -> bool:
        name = host.lower().rstrip(".")
        return any(fnmatchcase(name, p) and q in (None, port) for p, q in self._patterns)

    def _address_allowed(self, address: IPAddress, port: int | None) -> bool:
        return any(address in n and q in (None, port) for n, q in self._networks)

    def _refuse_special(self, host: str, address: IPAddress | None) -> None:
        if self.allow_link_local:
            return
        if host.lower().rstrip(".") in METADATA_HOSTS:
            raise TargetRefused(f"target {host} is a cloud metadata service")
        if address is not None and _link_local_or_metadata(address):
            raise TargetRefused(f"target {host} is a link-local or metadata address ({address})")

    def check_host(self, host: str, port: int | None = None) -> None:
        """Refuse a host (and port) by its name or literal address, before any lookup or connection.

        A name that matches no pattern still passes when a network entry admits the port: its
        addresses are judged by ``check_address`` once resolved.
        """
        address = parse_address(host)
        self._refuse_special(host, address)
        if self.open or self._name_allowed(host, port):
            return
        if address is not None:
            if not self._address_allowed(address, port):
                raise TargetRefused(f"target {_where(host, port)} is not in the allowlist")
            return
        if not any(q in (None, port) for _, q in self._networks):
            raise TargetRefused(f"target {_where(host, port)} is not in the allowlist")

    def needs_resolution(self, host: str, port: int | None = None) -> bool:
        """True when only the addresses of ``host`` can decide (a name judged by networks)."""
        return not self.open and parse_address(host) is None and not self._name_allowed(host, port)

    def check_address(self, host: str, address: str, port: int | None = None) -> None:
        """Refuse the address ``host`` resolved to, right before connecting to it (on ``port``)."""
        ip = parse_address(address)
        if ip is None:
            raise TargetRefused(f"target {host} resolved to an unparseable address {address!r}")
        self._refuse_special(host, ip)
        if self.open or self._name_allowed(host, port):
            return
        if not self._address_allowed(ip, port):
            raise TargetRefused(
                f"target {_where(host, port)} resolved to {ip}, which is not in the allowlist"
            )
