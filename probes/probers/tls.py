"""TLS for probes: an ``ssl.SSLContext`` from a ``tls_config`` block, and BBE's certificate gauges.

The gauges are emitted only when TLS was used (blackbox_exporter 0.23 emitted
``probe_ssl_earliest_cert_expiry 0`` without TLS, a bug fixed in 0.26). The standard library shows
certificate fields only for a verified peer and only for the leaf, so with ``insecure_skip_verify``
the expiry gauges are left out and the log says why, and the expiry is the leaf's.
"""

from __future__ import annotations

import hashlib
import ssl
from datetime import UTC, datetime
from typing import Any

from probes.config import TLSConfig
from probes.context import ProbeContext

__all__ = ["ssl_context", "tls_samples"]

_VERSIONS = {
    "TLS10": ssl.TLSVersion.TLSv1,
    "TLS11": ssl.TLSVersion.TLSv1_1,
    "TLS12": ssl.TLSVersion.TLSv1_2,
    "TLS13": ssl.TLSVersion.TLSv1_3,
}


def ssl_context(config: TLSConfig, cache: dict[TLSConfig, ssl.SSLContext] | None = None) -> ssl.SSLContext:
    """A client context that verifies unless told not to, with the block's CA, client cert and versions.

    Building one reads the system CA store (milliseconds), so the exporter passes a cache that lives
    as long as its loaded config.
    """
    if cache is not None and config in cache:
        return cache[config]
    context = ssl.create_default_context(cafile=config.ca_file or None, cadata=config.ca or None)
    if config.insecure_skip_verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if config.cert_file:
        context.load_cert_chain(config.cert_file, config.key_file or None)
    if config.min_version:
        context.minimum_version = _VERSIONS[config.min_version]
    if config.max_version:
        context.maximum_version = _VERSIONS[config.max_version]
    if cache is not None:
        cache[config] = context
    return context


def _name(parts: Any) -> str:
    # getpeercert() gives ((("commonName", "x"),), (("organizationName", "y"),)); Go prints CN=x,O=y.
    short = {"commonName": "CN", "organizationName": "O", "organizationalUnitName": "OU", "countryName": "C"}
    items = [f"{short.get(k, k)}={v}" for rdn in reversed(parts or ()) for k, v in rdn]
    return ",".join(items)


def tls_samples(ssl_object: ssl.SSLObject | ssl.SSLSocket, ctx: ProbeContext) -> None:
    """Set ``probe_tls_version_info``, ``probe_ssl_last_chain_info`` and the expiry gauges."""
    version = (ssl_object.version() or "").replace("TLSv", "TLS ")
    ctx.samples.set(
        "probe_tls_version_info", 1, "Returns the TLS version used or NaN when unknown", version=version
    )
    cipher = ssl_object.cipher()
    if cipher is not None:
        ctx.samples.set(
            "probe_tls_cipher_info", 1, "Returns the TLS cipher negotiated during handshake", cipher=cipher[0]
        )
    der = ssl_object.getpeercert(binary_form=True)
    cert = ssl_object.getpeercert()
    if not cert:
        ctx.log.warn("Peer certificate not verified; certificate expiry gauges left out")
        return
    expiry = datetime.strptime(str(cert["notAfter"]), "%b %d %H:%M:%S %Y %Z").replace(tzinfo=UTC).timestamp()
    ctx.samples.set("probe_ssl_earliest_cert_expiry", expiry, "Returns last SSL chain expiry in unixtime")
    ctx.samples.set(
        "probe_ssl_last_chain_expiry_timestamp_seconds",
        expiry,
        "Returns last SSL chain expiry in timestamp",
    )
    alt_names: Any = cert.get("subjectAltName", ())
    sans = ",".join(str(v) for k, v in alt_names if k == "DNS")
    ctx.samples.set(
        "probe_ssl_last_chain_info",
        1,
        "Contains SSL leaf certificate information",
        fingerprint_sha256=hashlib.sha256(der or b"").hexdigest(),
        subject=_name(cert.get("subject")),
        issuer=_name(cert.get("issuer")),
        subjectalternative=sans,
        serialnumber=str(cert.get("serialNumber", "")).lower(),
    )
