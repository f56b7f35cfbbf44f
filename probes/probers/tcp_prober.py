"""The ``tcp`` prober: connect (optionally with TLS) and walk a ``query_response`` dialogue.

As blackbox_exporter's ``ProbeTCP``: the target is ``host:port``; ``expect`` reads lines until one
matches (``probe_failed_due_to_regex 1`` if the connection ends first), ``send`` writes a line after
expanding ``${1}``-style groups of the last match, and ``labels`` become ``probe_expect_info``.
"""

from __future__ import annotations

import asyncio
import re
import ssl

from probes.config import Module, TCPProbe
from probes.context import ProbeContext
from probes.go_regexp import expand_go_template
from probes.probers.resolve import resolve
from probes.probers.tls import ssl_context, tls_samples
from probes.result import ConnectFailure, ExpectFailure, ProbeResult, TlsFailure
from probes.target import TargetSyntaxError, endpoint

__all__ = ["probe"]

_REGEX_HELP = "Indicates if probe failed due to regex"
_MAX_LINE = 64 * 1024


async def _dialogue(
    config: TCPProbe, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, ctx: ProbeContext
) -> None:
    match: re.Match[str] | None = None
    for number, step in enumerate(config.query_response):
        ctx.log.info("Processing query response entry", entry_number=number)
        if step.expect is not None:
            ctx.log.debug("Expecting", regexp=step.expect.source)
            while True:
                raw = await reader.readline()
                if not raw:
                    ctx.samples.set("probe_failed_due_to_regex", 1, _REGEX_HELP)
                    raise ExpectFailure(
                        f"Regexp {step.expect.source!r} did not match before the connection ended"
                    )
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                ctx.log.debug("Read line", line=line)
                match = step.expect.search(line)
                if match is not None:
                    ctx.log.info("Regexp matched", regexp=step.expect.source, line=line)
                    break
            for labels in step.labels:
                expanded = {k: expand_go_template(v, match) for k, v in labels.items()}
                ctx.samples.set("probe_expect_info", 1, "Explicit content matched", **expanded)
        if step.send:
            text = expand_go_template(step.send, match) if match is not None else step.send
            ctx.log.debug("Sending line", line=text)
            writer.write(text.encode() + b"\n")
            await writer.drain()


async def probe(target: str, module: Module, ctx: ProbeContext) -> ProbeResult:
    """Probe ``host:port`` over TCP as the module's ``tcp:`` block says."""
    config = module.tcp
    ctx.samples.set("probe_failed_due_to_regex", 0, _REGEX_HELP)
    try:
        where = endpoint(target, "tcp")
    except TargetSyntaxError as exc:
        raise ConnectFailure(f"Error splitting target address and port: {exc}") from None
    host, port = where.host, where.port
    ctx.policy.check_host(host, port)
    resolved = await resolve(host, config.preferred_ip_protocol, config.ip_protocol_fallback, ctx, port=port)
    tls: ssl.SSLContext | None = None
    if config.tls:
        tls = ssl_context(config.tls_config)
        ctx.log.info("Dialing TCP with TLS")
    else:
        ctx.log.info("Dialing TCP without TLS")
    try:
        reader, writer = await asyncio.open_connection(
            resolved.address,
            port,
            ssl=tls,
            server_hostname=(config.tls_config.server_name or ctx.hostname or host) if tls else None,
            limit=_MAX_LINE,
            local_addr=(config.source_ip_address, 0) if config.source_ip_address else None,
        )
    except ssl.SSLError as exc:
        raise TlsFailure(f"TLS handshake with {target} failed: {exc}") from None
    except OSError as exc:
        raise ConnectFailure(f"Error dialing TCP: {exc}") from None
    try:
        ctx.log.info("Successfully dialed")
        ssl_object = writer.get_extra_info("ssl_object")
        if ssl_object is not None:
            tls_samples(ssl_object, ctx)
        await _dialogue(config, reader, writer, ctx)
    except (OSError, ValueError) as exc:
        raise ConnectFailure(f"Error talking to {target}: {exc}") from None
    finally:
        writer.close()
    return ctx.finish()
