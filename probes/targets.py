"""How each prober reads its target: a URL for http, chain and tx, ``host:port`` for tcp, gRPC's
``host[:port]``; and why a scheduled target cannot be probed, said before the first probe runs."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

__all__ = ["split_grpc_target", "split_host_port", "target_problem"]

_URL_PROBERS = frozenset(("http", "chain", "tx"))


def split_host_port(target: str) -> tuple[str, int]:
    """``host:port`` or ``[v6]:port`` → (host, port); a ValueError when the port is missing."""
    m = re.fullmatch(r"\[([^\]]+)\]:(\d+)|([^:\[\]]*):(\d+)", target)
    if m is None:
        raise ValueError(f"address {target}: missing port in address")
    host = m.group(1) if m.group(1) is not None else m.group(3)
    port = int(m.group(2) or m.group(4))
    if not 0 < port < 65536:
        raise ValueError(f"address {target}: invalid port")
    return host, port


def split_grpc_target(target: str, tls: bool) -> tuple[str, int]:
    """``host[:port]``, optionally with a scheme as BBE tolerates; the port defaults to 80 or 443."""
    rest = target.split("://", 1)[1] if "://" in target else target
    rest = rest.split("/", 1)[0]
    if rest.startswith("["):
        host, _, port = rest[1:].partition("]")
        port = port.removeprefix(":")
    elif rest.count(":") == 1:
        host, _, port = rest.partition(":")
    else:
        host, port = rest, ""
    if not host:
        raise ValueError(f"no host in target {target!r}")
    return host, int(port) if port else (443 if tls else 80)


def _url_problem(target: str) -> str | None:
    # As the probers read it: no scheme means http://, as blackbox_exporter does.
    try:
        parts = urlsplit(target if "://" in target else f"http://{target}")
        port = parts.port
    except ValueError as exc:
        return f"not a valid URL ({exc})"
    if parts.scheme not in ("http", "https"):
        return f"scheme {parts.scheme!r} is not http or https"
    if not parts.hostname:
        return "the URL names no host"
    if port == 0:
        return "port 0 is not a port to probe"
    return None


def target_problem(target: str, prober: str) -> str | None:
    """Why ``prober`` cannot probe ``target`` (one phrase), or None when it can.

    >>> target_problem("ftp://node:21", "http")
    "not an http(s) URL for the http prober: scheme 'ftp' is not http or https"
    >>> target_problem("node", "tcp")
    'not host:port for the tcp prober: address node: missing port in address'
    """
    if prober in _URL_PROBERS:
        problem = _url_problem(target)
        return None if problem is None else f"not an http(s) URL for the {prober} prober: {problem}"
    try:
        if prober == "tcp":
            split_host_port(target)
        elif prober == "grpc":
            _, port = split_grpc_target(target, tls=False)
            if not 0 < port < 65536:
                return f"not host[:port] for the grpc prober: invalid port {port}"
    except ValueError as exc:
        shape = "host:port" if prober == "tcp" else "host[:port]"
        return f"not {shape} for the {prober} prober: {exc}"
    return None
