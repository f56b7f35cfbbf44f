"""Name resolution as blackbox_exporter's ``chooseProtocol`` does it, with its three gauges.

One lookup, the preferred family (ip6 unless the module says ip4) first, the other family only when
``ip_protocol_fallback`` allows, and a single address as the result: BBE has no happy-eyeballs and
no retry, and neither do we, so ``probe_ip_protocol`` means the same on both. Every resolved
address is checked against the target policy here, before any connection is attempted.
"""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass

from probes.context import ProbeContext
from probes.result import DnsFailure
from probes.security import parse_address

__all__ = ["Resolved", "ip_hash", "resolve"]

_LOOKUP_HELP = "Returns the time taken for probe dns lookup in seconds"
_PROTOCOL_HELP = "Specifies whether probe ip protocol is IP4 or IP6"
_HASH_HELP = "Specifies the hash of IP address. It's useful to detect if the IP address changes."


@dataclass(frozen=True, slots=True)
class Resolved:
    """The one address a probe connects to."""

    address: str
    family: int
    lookup_seconds: float


def ip_hash(address: str) -> float:
    """FNV-32a of the address bytes (4 for IPv4, 16 for IPv6), BBE's ``probe_ip_addr_hash``."""
    ip = parse_address(address)
    packed = ip.packed if ip is not None else address.encode()
    h = 0x811C9DC5
    for byte in packed:
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return float(h)


async def _lookup(host: str, family: int, deadline: float) -> list[str]:
    literal = parse_address(host)
    if literal is not None:
        return [str(literal)]
    loop = asyncio.get_running_loop()
    async with asyncio.timeout_at(deadline):
        infos = await loop.getaddrinfo(host, None, family=family, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


async def resolve(
    host: str, preferred: str, fallback: bool, ctx: ProbeContext, *, port: int, gauges: bool = True
) -> Resolved:
    """Resolve ``host`` like BBE and refuse an address the policy does not admit on ``port``
    (``TargetRefused``). Every prober connects only to an address this returned.

    With ``gauges`` (the probe's first lookup; BBE resolves redirect hops without them) it sets
    ``probe_dns_lookup_time_seconds``, ``probe_ip_protocol`` and ``probe_ip_addr_hash``.
    """
    want = 6 if preferred == "ip6" else 4
    if gauges:
        ctx.samples.set("probe_ip_protocol", 0, _PROTOCOL_HELP)
        ctx.samples.set("probe_ip_addr_hash", 0, _HASH_HELP)
    ctx.log.info("Resolving target address", target=host, ip_protocol=f"ip{want}")
    start = ctx.now()
    family = socket.AF_UNSPEC if fallback else (socket.AF_INET6 if want == 6 else socket.AF_INET)
    try:
        addresses = await _lookup(host, family, ctx.deadline)
    except OSError as exc:
        if gauges:
            ctx.samples.add("probe_dns_lookup_time_seconds", ctx.now() - start, _LOOKUP_HELP)
        ctx.log.error("Resolution with IP protocol failed", target=host, err=str(exc))
        raise DnsFailure(f"cannot resolve {host}: {exc}") from None
    lookup = ctx.now() - start
    if gauges:
        ctx.samples.add("probe_dns_lookup_time_seconds", lookup, _LOOKUP_HELP)
    chosen = None
    for address in addresses:
        version = 6 if ":" in address else 4
        if version == want:
            chosen = (address, version)
            break
        if chosen is None and fallback:
            chosen = (address, version)
    if chosen is None:
        ctx.log.error("Resolution with IP protocol failed", target=host, ip_protocol=f"ip{want}")
        raise DnsFailure(f"unable to find an ip{want} address for {host}; no fallback")
    address, version = chosen
    ctx.policy.check_address(host, address, port)
    if gauges:
        ctx.samples.set("probe_ip_protocol", version, _PROTOCOL_HELP)
        ctx.samples.set("probe_ip_addr_hash", ip_hash(address), _HASH_HELP)
    ctx.log.info("Resolved target address", target=host, ip=address)
    return Resolved(address, socket.AF_INET6 if version == 6 else socket.AF_INET, lookup)
