"""A probe target turned into the one host and port a prober connects to, for every prober alike.

The admission check and the prober must read a target the same way, or the check judges one host
while the prober connects to another: ``127.0.0.1@127.0.0.2:18010`` is host ``127.0.0.1`` to a
``host:port`` reader and host ``127.0.0.2`` (with user ``127.0.0.1``) to a URL parser. So this
module is the only reader of targets: ``endpoint`` gives the host, the port and (for URL probers) the
URL, the exporter checks that host and port, and the prober connects to exactly that port on an
address resolved from exactly that host, each address checked again right before it is dialled.

Anything a reader could take two ways is refused rather than guessed: user info (``a@b``),
backslashes, white space and control characters, a host that is neither an IP address nor a DNS
name, ``[…]`` holding something other than an IPv6 address, a port out of range, and a query or
fragment on a node API's base URL (``127.0.0.2:18010?a:b``).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from yarl import URL

from probes.security import parse_address

__all__ = ["URL_PROBERS", "Endpoint", "TargetSyntaxError", "endpoint", "url_endpoint"]

URL_PROBERS = frozenset(("http", "chain", "tx"))
"""Probers whose target is a URL (``http://`` added when no scheme is given, as blackbox_exporter does)."""

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_AMBIGUOUS = re.compile(r"[\s\\\x00-\x1f\x7f]")
_LABEL = r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?"
_NAME = re.compile(rf"{_LABEL}(?:\.{_LABEL})*\.?")


class TargetSyntaxError(ValueError):
    """A target that names no host and port unambiguously; the message says why."""


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where a probe goes: ``host`` (a DNS name, lower case, or an IP literal) and ``port``.

    ``url`` is set for the URL probers: scheme, host, port, path and query, never user info.
    """

    host: str
    port: int
    url: URL | None = None


def _host(host: str, target: str) -> str:
    if parse_address(host) is not None and "%" not in host:
        return host
    name = host.lower()
    if len(name.rstrip(".")) > 253 or _NAME.fullmatch(name) is None:
        raise TargetSyntaxError(f"target {target!r}: {host!r} is not a host name or an IP address")
    return name


def _port(text: str, target: str) -> int:
    port = int(text)
    if not 0 < port < 65536:
        raise TargetSyntaxError(f"target {target!r}: port {text} is out of range")
    return port


def url_endpoint(url: URL, target: str, *, base_only: bool = False) -> Endpoint:
    """The endpoint of an absolute http(s) URL (a target, or a redirect's location).

    ``base_only`` refuses a query or fragment (a node API base URL has neither).
    """
    try:
        scheme, host, port = url.scheme, url.host, url.port
    except ValueError as exc:
        raise TargetSyntaxError(f"target {target!r}: {exc}") from None
    if scheme not in ("http", "https"):
        raise TargetSyntaxError(f"target {target!r}: scheme {scheme!r} is not http or https")
    if url.user is not None or url.password is not None or "@" in (url.raw_authority or ""):
        raise TargetSyntaxError(f"target {target!r}: user info in a target is refused (ambiguous host)")
    if not host or port is None:
        raise TargetSyntaxError(f"target {target!r} names no host")
    if base_only and (url.query_string or url.fragment or "?" in target or "#" in target):
        raise TargetSyntaxError(f"target {target!r}: a node API base URL has no query or fragment")
    return Endpoint(_host(host, target), _port(str(port), target), url.with_fragment(None))


def _url_target(target: str, prober: str) -> Endpoint:
    text = target if _SCHEME.match(target) else "http://" + target
    try:
        url = URL(text)
    except ValueError as exc:
        raise TargetSyntaxError(f"target {target!r}: {exc}") from None
    return url_endpoint(url, target, base_only=prober != "http")


def _split_host_port(rest: str, target: str, default_port: int | None) -> Endpoint:
    """``host:port``, ``[v6]:port``; with a default port also ``host``, ``[v6]`` and a bare IPv6."""
    port_text: str | None = None
    if rest.startswith("["):
        host, closed, after = rest[1:].partition("]")
        if not closed or ":" not in host or parse_address(host) is None:
            raise TargetSyntaxError(f"target {target!r}: only an IPv6 address goes between [ and ]")
        if after:
            if not after.startswith(":"):
                raise TargetSyntaxError(f"target {target!r}: unexpected {after!r} after the address")
            port_text = after[1:]
    elif rest.count(":") == 1:
        host, _, port_text = rest.partition(":")
    elif ":" in rest and parse_address(rest) is None:
        raise TargetSyntaxError(f"target {target!r}: too many colons in address")
    else:
        host = rest  # a name, an IPv4 address or a bare IPv6 address, without a port
    if not host:
        raise TargetSyntaxError(f"target {target!r} names no host")
    if port_text is None:
        if default_port is None:
            raise TargetSyntaxError(f"target {target!r}: missing port in address")
        return Endpoint(_host(host, target), default_port)
    if not port_text.isdigit():
        raise TargetSyntaxError(f"target {target!r}: port {port_text!r} is not a number")
    return Endpoint(_host(host, target), _port(port_text, target))


@functools.lru_cache(maxsize=4096)
def endpoint(target: str, prober: str, *, tls: bool = False) -> Endpoint:
    """The host and port ``prober`` connects to for ``target``; ``TargetSyntaxError`` when ambiguous.

    http, chain, tx: a URL, ``http://`` added when there is no scheme. tcp: ``host:port`` or
    ``[v6]:port``. grpc: ``host[:port]``, optionally behind ``scheme://`` and before ``/…`` as
    blackbox_exporter tolerates; the port defaults to 443 with TLS, else 80.

    Memoised: a pure function of its arguments, read on every probe by the check and the prober.

    >>> endpoint("127.0.0.1:26657", "chain")
    Endpoint(host='127.0.0.1', port=26657, url=URL('http://127.0.0.1:26657'))
    >>> endpoint("127.0.0.1@127.0.0.2:18010", "chain")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    probes.target.TargetSyntaxError: target '127.0.0.1@127.0.0.2:18010': user info in a target is refused...
    """
    if _AMBIGUOUS.search(target):
        raise TargetSyntaxError(
            f"target {target!r}: white space, control characters and backslashes are refused"
        )
    if prober in URL_PROBERS:
        return _url_target(target, prober)
    if prober == "grpc":
        rest = _SCHEME.sub("", target, count=1).split("/", 1)[0]
        return _split_host_port(rest, target, 443 if tls else 80)
    if "/" in target or "?" in target or "#" in target:
        raise TargetSyntaxError(f"target {target!r}: expected host:port")
    return _split_host_port(target, target, None)
