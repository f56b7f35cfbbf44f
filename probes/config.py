"""The prober's config file: blackbox_exporter's ``modules:`` schema, plus our ``targets:`` and ``security:``.

A blackbox.yml (the Debian package ships upstream's v0.23.0 file) loads unchanged and means the same:
the same defaults (``preferred_ip_protocol: ip6`` with fallback, ``follow_redirects: true``, empty
``valid_status_codes`` meaning 2xx, a module ``timeout`` of 0 meaning "the scrape decides"), Go
regexps translated to Python's dialect. Unknown keys are refused with ``file:line: field: reason``, as
blackbox_exporter refuses them; options it has and we do not implement (proxies, OAuth2, HTTP/3,
STARTTLS) are refused by name instead of being silently ignored. ``icmp`` and ``dns`` modules load
so a stock file works, and probing with them reports the ``unsupported`` failure reason.

Our additions are optional and BBE ignores nothing it knows: ``http.json_assertions`` and
``http.json_values``; ``grpc.method``/``request``/``assertions`` for a unary call instead of the
health check; the ``chain`` and ``tx`` probers; top-level ``targets:`` for scheduled probing and
``security:`` for the target allowlist.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from probes.chain_config import ChainProbeConfig, TxProbeConfig
from probes.go_regexp import GoRegexp, go_regexp
from probes.json_assert import JsonAssertion, json_path, parse_assertion
from probes.security import TargetPolicy
from probes.target import TargetSyntaxError, endpoint
from slo.foundation.durations import parse_duration
from slo.foundation.input_errors import load_model
from yamlsafe import read_text

__all__ = [
    "DEFAULT_CONFIG",
    "DNSProbe",
    "GRPCProbe",
    "HTTPProbe",
    "HeaderMatch",
    "ICMPProbe",
    "Module",
    "ProberConfig",
    "QueryResponse",
    "SecurityConfig",
    "TCPProbe",
    "TLSConfig",
    "TargetConfig",
    "load_config",
    "parse_bytes",
]

_FROZEN = ConfigDict(frozen=True, extra="forbid")

Seconds = Annotated[float, BeforeValidator(parse_duration)]
Regexp = Annotated[GoRegexp, BeforeValidator(go_regexp), PlainSerializer(lambda r: r.source, return_type=str)]
Assertion = Annotated[
    JsonAssertion, BeforeValidator(parse_assertion), PlainSerializer(lambda a: a.text, return_type=str)
]
IPProtocol = Literal["ip4", "ip6"]

_BYTES = re.compile(r"^\s*(\d+)\s*([KMGT]i?B|B)?\s*$", re.IGNORECASE)
_BYTE_UNITS = {"": 1, "b": 1, "kb": 1024, "mb": 1024**2, "gb": 1024**3, "tb": 1024**4}


def parse_bytes(value: object) -> int:
    """A size as blackbox_exporter writes it (Go ``units.Base2Bytes``: ``10MB`` is 10 MiB) in bytes."""
    if isinstance(value, bool):
        raise ValueError(f"not a size: {value!r}")
    if isinstance(value, int):
        return value
    m = _BYTES.match(str(value))
    if m is None:
        raise ValueError(f"not a size: {value!r} (expected e.g. 512KB, 10MB, 1GiB or a number of bytes)")
    unit = (m.group(2) or "").lower().replace("ib", "b")
    return int(m.group(1)) * _BYTE_UNITS[unit]


Bytes = Annotated[int, BeforeValidator(parse_bytes), Field(ge=0)]


def _not_supported(value: object) -> object:
    if value is not None:
        raise ValueError("not supported by slo-harness (blackbox_exporter option we do not implement)")
    return value


Unsupported = Annotated[Any, BeforeValidator(_not_supported)]


def _empty_protocol_is_ip6(value: object) -> object:
    return "ip6" if value in ("", None) else value


Protocol = Annotated[IPProtocol, BeforeValidator(_empty_protocol_is_ip6)]


class TLSConfig(BaseModel):
    """Prometheus common ``tls_config``."""

    model_config = _FROZEN

    insecure_skip_verify: bool = False
    ca_file: str = ""
    cert_file: str = ""
    key_file: str = ""
    ca: str = ""
    cert: str = ""
    key: str = ""
    server_name: str = ""
    min_version: Literal["", "TLS10", "TLS11", "TLS12", "TLS13"] = ""
    max_version: Literal["", "TLS10", "TLS11", "TLS12", "TLS13"] = ""


class BasicAuth(BaseModel):
    model_config = _FROZEN

    username: str = ""
    password: str = ""
    password_file: str = ""


class Authorization(BaseModel):
    model_config = _FROZEN

    type: str = "Bearer"
    credentials: str = ""
    credentials_file: str = ""


class HeaderMatch(BaseModel):
    """``fail_if_header_matches`` / ``fail_if_header_not_matches`` entry."""

    model_config = _FROZEN

    header: str = Field(min_length=1)
    regexp: Regexp
    allow_missing: bool = False


class HTTPProbe(BaseModel):
    """blackbox_exporter's ``http:`` block, plus ``json_assertions`` and ``json_values``."""

    model_config = _FROZEN

    valid_status_codes: tuple[int, ...] = ()
    valid_http_versions: tuple[str, ...] = ()
    preferred_ip_protocol: Protocol = "ip6"
    ip_protocol_fallback: bool = True
    skip_resolve_phase_with_proxy: bool = False
    no_follow_redirects: bool | None = None
    follow_redirects: bool = True
    enable_http2: bool = True
    fail_if_ssl: bool = False
    fail_if_not_ssl: bool = False
    method: str = "GET"
    headers: dict[str, str] = Field(default_factory=dict)
    fail_if_body_matches_regexp: tuple[Regexp, ...] = ()
    fail_if_body_not_matches_regexp: tuple[Regexp, ...] = ()
    fail_if_header_matches: tuple[HeaderMatch, ...] = ()
    fail_if_header_not_matches: tuple[HeaderMatch, ...] = ()
    body: str = ""
    body_file: str = ""
    basic_auth: BasicAuth | None = None
    authorization: Authorization | None = None
    bearer_token: str = ""
    bearer_token_file: str = ""
    tls_config: TLSConfig = Field(default_factory=TLSConfig)
    compression: Literal["", "gzip", "br", "deflate", "identity"] = ""
    body_size_limit: Bytes = 0
    proxy_url: Unsupported = None
    no_proxy: Unsupported = None
    proxy_from_environment: Unsupported = None
    proxy_connect_header: Unsupported = None
    oauth2: Unsupported = None
    enable_http3: Unsupported = None
    fail_if_body_json_matches_cel: Unsupported = None
    fail_if_body_json_not_matches_cel: Unsupported = None
    json_assertions: tuple[Assertion, ...] = ()
    json_values: tuple[str, ...] = ()

    @field_validator("json_values")
    @classmethod
    def _paths_parse(cls, paths: tuple[str, ...]) -> tuple[str, ...]:
        for path in paths:
            json_path(path)
        return paths

    @field_validator("valid_status_codes")
    @classmethod
    def _codes_are_http(cls, codes: tuple[int, ...]) -> tuple[int, ...]:
        for code in codes:
            if not 100 <= code <= 599:
                raise ValueError(f"{code} is not an HTTP status code")
        return codes

    @model_validator(mode="after")
    def _one_body(self) -> HTTPProbe:
        if self.body and self.body_file:
            raise ValueError("at most one of body and body_file may be set")
        if self.basic_auth is not None and (self.authorization is not None or self.bearer_token):
            raise ValueError("at most one of basic_auth, authorization and bearer_token may be set")
        return self

    @property
    def follows_redirects(self) -> bool:
        """``no_follow_redirects`` (deprecated) wins when set, as in blackbox_exporter."""
        return not self.no_follow_redirects if self.no_follow_redirects is not None else self.follow_redirects


class QueryResponse(BaseModel):
    """One step of a tcp ``query_response`` dialogue."""

    model_config = _FROZEN

    expect: Regexp | None = None
    send: str = ""
    labels: tuple[dict[str, str], ...] = ()
    starttls: Unsupported = None


class TCPProbe(BaseModel):
    model_config = _FROZEN

    preferred_ip_protocol: Protocol = "ip6"
    ip_protocol_fallback: bool = True
    source_ip_address: str = ""
    query_response: tuple[QueryResponse, ...] = ()
    tls: bool = False
    tls_config: TLSConfig = Field(default_factory=TLSConfig)


def _metadata_values(value: object) -> object:
    if isinstance(value, dict):
        return {k: [v] if isinstance(v, str) else v for k, v in value.items()}
    return value


class GRPCProbe(BaseModel):
    """blackbox_exporter's ``grpc:`` block (health Check), or a unary ``method`` with assertions.

    A Cosmos node registers no ``grpc.health.v1.Health``, so a module may call e.g.
    ``cosmos.base.tendermint.v1beta1.Service/GetSyncing`` with a JSON ``request`` and check the
    response (as JSON, field names as in the proto) with ``assertions``.
    """

    model_config = _FROZEN

    service: str = ""
    tls: bool = False
    tls_config: TLSConfig = Field(default_factory=TLSConfig)
    preferred_ip_protocol: Protocol = "ip6"
    ip_protocol_fallback: bool = True
    metadata: Annotated[dict[str, tuple[str, ...]], BeforeValidator(_metadata_values)] = Field(
        default_factory=dict
    )
    method: str = Field(default="", pattern=r"^([A-Za-z_][\w.]*/[A-Za-z_]\w*)?$")
    request: dict[str, Any] = Field(default_factory=dict)
    assertions: tuple[Assertion, ...] = ()

    @model_validator(mode="after")
    def _method_or_service(self) -> GRPCProbe:
        if self.method and self.service:
            raise ValueError(
                "service is for the health check; a module with method calls that method instead"
            )
        if (self.request or self.assertions) and not self.method:
            raise ValueError("request and assertions need method")
        return self


class ICMPProbe(BaseModel):
    model_config = _FROZEN

    preferred_ip_protocol: Protocol = "ip6"
    ip_protocol_fallback: bool = True
    source_ip_address: str = ""
    payload_size: int = 0
    dont_fragment: bool = False
    ttl: int = Field(default=64, ge=0, le=255)


class DNSRRValidator(BaseModel):
    model_config = _FROZEN

    fail_if_matches_regexp: tuple[Regexp, ...] = ()
    fail_if_all_match_regexp: tuple[Regexp, ...] = ()
    fail_if_not_matches_regexp: tuple[Regexp, ...] = ()
    fail_if_none_matches_regexp: tuple[Regexp, ...] = ()


class DNSProbe(BaseModel):
    model_config = _FROZEN

    preferred_ip_protocol: Protocol = "ip6"
    ip_protocol_fallback: bool = True
    source_ip_address: str = ""
    transport_protocol: Literal["", "udp", "tcp"] = ""
    query_class: str = ""
    query_name: str = ""
    query_type: str = ""
    recursion_desired: bool = True
    valid_rcodes: tuple[str, ...] = ()
    validate_answer_rrs: DNSRRValidator = Field(default_factory=DNSRRValidator)
    validate_authority_rrs: DNSRRValidator = Field(default_factory=DNSRRValidator)
    validate_additional_rrs: DNSRRValidator = Field(default_factory=DNSRRValidator)
    dns_over_tls: bool = False
    tls_config: TLSConfig = Field(default_factory=TLSConfig)


class Module(BaseModel):
    """One named module: which prober, its own timeout cap (0: none), and the prober's settings."""

    model_config = _FROZEN

    prober: Literal["http", "tcp", "grpc", "icmp", "dns", "chain", "tx"]
    timeout: Seconds = 0.0
    http: HTTPProbe = Field(default_factory=HTTPProbe)
    tcp: TCPProbe = Field(default_factory=TCPProbe)
    grpc: GRPCProbe = Field(default_factory=GRPCProbe)
    icmp: ICMPProbe = Field(default_factory=ICMPProbe)
    dns: DNSProbe = Field(default_factory=DNSProbe)
    chain: ChainProbeConfig = Field(default_factory=ChainProbeConfig)
    tx: TxProbeConfig = Field(default_factory=TxProbeConfig)

    @model_validator(mode="after")
    def _tx_has_payload(self) -> Module:
        if self.prober == "tx" and self.tx.payload is None:
            raise ValueError("tx.payload: the tx prober needs signed probe txs (a file, a command or a key)")
        return self

    @property
    def tls_by_default(self) -> bool:
        """Whether a target without a port means the TLS port (a gRPC module with ``tls: true``)."""
        return self.prober == "grpc" and self.grpc.tls

    def settings(self) -> dict[str, Any]:
        """The module as YAML-ready data: prober, timeout and the prober's own block (for debug, /config)."""
        data: dict[str, Any] = {"prober": self.prober}
        if self.timeout:
            data["timeout"] = f"{self.timeout:g}s"
        block: BaseModel = getattr(self, self.prober)
        data[self.prober] = block.model_dump(mode="json", by_alias=True, exclude_defaults=True)
        return data


class TargetConfig(BaseModel):
    """A target probed on a schedule (``targets:``); every 30 s unless ``interval`` says otherwise."""

    model_config = _FROZEN

    target: str = Field(min_length=1)
    module: str = Field(min_length=1)
    interval_seconds: Seconds = Field(default=30.0, alias="interval", gt=0)
    slos: tuple[str, ...] = ()


class SecurityConfig(BaseModel):
    """Who may be probed and how much: the answer to ``/probe`` being an SSRF proxy.

    ``allow_targets`` lists host patterns (``*.example.com``) and networks (``10.0.0.0/8``); empty
    admits any host. Link-local and cloud metadata addresses are refused unless
    ``allow_link_local``. ``debug=true`` is refused unless ``enable_debug``: its log shows resolved
    addresses and response details of internal targets.
    """

    model_config = _FROZEN

    allow_targets: tuple[str, ...] = ()
    allow_link_local: bool = False
    enable_debug: bool = False
    max_concurrent_probes: int = Field(default=256, ge=1)
    max_body_bytes: Bytes = 10 * 1024 * 1024
    history_limit: int = Field(default=100, ge=0)

    @field_validator("allow_targets")
    @classmethod
    def _entries_parse(cls, entries: tuple[str, ...]) -> tuple[str, ...]:
        TargetPolicy(entries)  # a ValueError names the entry that does not parse
        return entries


class ProberConfig(BaseModel):
    """The whole file. blackbox_exporter's has only ``modules:``; ours is a superset.

    >>> ProberConfig.model_validate({"modules": {"http_2xx": {"prober": "http"}}}).modules["http_2xx"].timeout
    0.0
    """

    model_config = _FROZEN

    modules: dict[str, Module] = Field(default_factory=dict)
    targets: tuple[TargetConfig, ...] = ()
    security: SecurityConfig = Field(default_factory=SecurityConfig)

    @model_validator(mode="after")
    def _targets_name_modules(self) -> ProberConfig:
        for i, t in enumerate(self.targets):
            module = self.modules.get(t.module)
            if module is None:
                raise ValueError(f"target {t.target!r} names module {t.module!r}, which is not defined")
            try:
                endpoint(t.target, module.prober, tls=module.tls_by_default)
            except TargetSyntaxError as exc:
                # Raised as a ValidationError so the message names targets[i].target and its line.
                error = PydanticCustomError(
                    "target", "not a target for the {prober} prober: {problem}",
                    {"prober": module.prober, "problem": str(exc)},
                )
                details = InitErrorDetails(type=error, loc=("targets", i, "target"), input=t.target)
                raise ValidationError.from_exception_data("ProberConfig", [details]) from None
        return self


DEFAULT_CONFIG = Path(__file__).with_name("default_modules.yaml")
"""Packaged modules: blackbox_exporter's default ones plus Cosmos / CometBFT node checks."""


def load_config(path: str | Path) -> ProberConfig:
    """Read and validate a config file; an ``InputError`` says ``file:line: field: reason``."""
    source = str(path)
    return load_model(read_text(path, source), source, ProberConfig)
