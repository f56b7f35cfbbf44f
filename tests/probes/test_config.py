"""Module files: blackbox_exporter's schema and defaults, our extensions, and one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from probes.config import DEFAULT_CONFIG, ProberConfig, load_config, parse_bytes
from slo.foundation.input_errors import InputError

# blackbox_exporter v0.23.0's blackbox.yml, byte for byte what Debian ships as /etc/prometheus/blackbox.yml.
BBE_DEFAULT = """\
modules:
  http_2xx:
    prober: http
  http_post_2xx:
    prober: http
    http:
      method: POST
  tcp_connect:
    prober: tcp
  pop3s_banner:
    prober: tcp
    tcp:
      query_response:
      - expect: "^+OK"
      tls: true
      tls_config:
        insecure_skip_verify: false
  grpc:
    prober: grpc
    grpc:
      tls: true
      preferred_ip_protocol: "ip4"
  grpc_plain:
    prober: grpc
    grpc:
      tls: false
      service: "service1"
  ssh_banner:
    prober: tcp
    tcp:
      query_response:
      - expect: "^SSH-2.0-"
      - send: "SSH-2.0-blackbox-ssh-check"
  irc_banner:
    prober: tcp
    tcp:
      query_response:
      - send: "NICK prober"
      - send: "USER prober prober prober :prober"
      - expect: "PING :([^ ]+)"
        send: "PONG ${1}"
      - expect: "^:[^ ]+ 001"
  icmp:
    prober: icmp
  icmp_ttl5:
    prober: icmp
    timeout: 5s
    icmp:
      ttl: 5
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "blackbox.yml"
    path.write_text(text)
    return path


def test_blackbox_default_file_loads_with_blackbox_defaults(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, BBE_DEFAULT))
    assert list(config.modules) == [
        "http_2xx", "http_post_2xx", "tcp_connect", "pop3s_banner", "grpc",
        "grpc_plain", "ssh_banner", "irc_banner", "icmp", "icmp_ttl5",
    ]  # fmt: skip
    http = config.modules["http_2xx"]
    assert http.timeout == 0
    assert http.http.method == "GET"
    assert http.http.preferred_ip_protocol == "ip6"
    assert http.http.ip_protocol_fallback is True
    assert http.http.follows_redirects is True
    assert http.http.valid_status_codes == ()
    assert config.modules["http_post_2xx"].http.method == "POST"
    assert config.modules["grpc"].grpc.tls is True
    assert config.modules["grpc"].grpc.preferred_ip_protocol == "ip4"
    assert config.modules["grpc_plain"].grpc.service == "service1"
    assert config.modules["icmp_ttl5"].timeout == 5.0
    assert config.modules["icmp_ttl5"].icmp.ttl == 5
    pop3 = config.modules["pop3s_banner"].tcp
    assert pop3.tls is True
    assert pop3.query_response[0].expect is not None
    assert pop3.query_response[0].expect.search("+OK POP3 ready") is None  # Go reads ^+ as a repeated anchor
    assert pop3.query_response[0].expect.search("OK POP3 ready") is not None
    irc = config.modules["irc_banner"].tcp.query_response
    assert irc[2].send == "PONG ${1}"


def test_installed_debian_file_when_present() -> None:
    path = Path("/etc/prometheus/blackbox.yml")
    if not path.exists():
        pytest.skip("prometheus-blackbox-exporter is not installed")
    assert set(load_config(path).modules) >= {"http_2xx", "grpc_plain", "icmp_ttl5"}


def test_packaged_modules_include_blackbox_defaults_unchanged() -> None:
    config = load_config(DEFAULT_CONFIG)
    assert config.modules["cosmos_grpc_syncing"].grpc.method.endswith("/GetSyncing")
    bbe = ProberConfig.model_validate(yaml.safe_load(BBE_DEFAULT))
    for name, module in bbe.modules.items():
        assert config.modules[name] == module, name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "modules:\n  a:\n    prober: http\n    http:\n      methd: GET\n",
            ":5: modules.a.http.methd: unknown field",
        ),
        ("modules:\n  a:\n    prober: ftp\n", ":3: modules.a.prober: Input should be"),
        ("modules:\n  a:\n    prober: http\n    timeout: soon\n", ":4: modules.a.timeout: not a duration"),
        (
            "modules:\n  a:\n    prober: http\n    http:\n      proxy_url: http://p\n",
            "modules.a.http.proxy_url: not supported by slo-harness",
        ),
        (
            "modules:\n  a:\n    prober: http\n    http:\n      fail_if_body_matches_regexp: ['a(']\n",
            "invalid regular expression 'a('",
        ),
        (
            "modules:\n  a:\n    prober: http\n    http:\n      json_assertions: ['x = 1']\n",
            "invalid JSON assertion 'x = 1'",
        ),
        (
            "modules: {}\ntargets:\n  - {target: x, module: nope}\n",
            "names module 'nope', which is not defined",
        ),
        ("modules: {}\nsecurity:\n  allow_targetz: []\n", ":3: security.allow_targetz: unknown field"),
    ],
)
def test_bad_files_give_one_line_with_file_line_field_reason(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(InputError) as info:
        load_config(path)
    message = str(info.value)
    assert message.startswith(str(path))
    assert expected in message
    assert "\n" not in message


def test_our_sections_parse() -> None:
    config = ProberConfig.model_validate(
        {
            "modules": {
                "status": {
                    "prober": "http",
                    "http": {
                        "json_assertions": ["result.sync_info.catching_up == false"],
                        "json_values": ["a.b[0]"],
                    },
                },
                "sync": {
                    "prober": "grpc",
                    "grpc": {"method": "pkg.Service/Method", "assertions": ["syncing == false"]},
                },
            },
            "targets": [
                {"target": "http://127.0.0.1:26657/status", "module": "status", "slos": ["SLO-NODE-001"]}
            ],
            "security": {"allow_targets": ["127.0.0.0/8"], "max_body_bytes": "1MB"},
        }
    )
    assert config.targets[0].interval_seconds == 30.0
    assert config.security.max_body_bytes == 1024 * 1024
    assert str(config.modules["status"].http.json_assertions[0]) == "result.sync_info.catching_up == false"
    dumped = config.model_dump(mode="json", by_alias=True)
    assert dumped["modules"]["status"]["http"]["json_assertions"] == ["result.sync_info.catching_up == false"]


def test_grpc_method_and_service_are_exclusive() -> None:
    with pytest.raises(ValueError, match="service is for the health check"):
        ProberConfig.model_validate(
            {"modules": {"g": {"prober": "grpc", "grpc": {"method": "a.S/M", "service": "x"}}}}
        )


@pytest.mark.parametrize(
    ("text", "size"), [("512", 512), ("1KB", 1024), ("10MB", 10 * 1024**2), ("1GiB", 1024**3)]
)
def test_sizes_are_base2_like_go_units(text: str, size: int) -> None:
    assert parse_bytes(text) == size


_PROBERS = "modules:\n  h: {prober: http}\n  t: {prober: tcp}\n  g: {prober: grpc}\n  c: {prober: chain}\n"


@pytest.mark.parametrize(
    ("target", "module", "expected"),
    [
        ("ftp://127.0.0.1/", "h", "not a target for the http prober: target 'ftp://127.0.0.1/': scheme"),
        ("http:///status", "h", "not a target for the http prober: target 'http:///status' names no host"),
        ("http://127.0.0.1:99999/", "c", "not a target for the chain prober: target 'http://127.0.0.1:99999/'"),
        ("http://[::1:80/", "c", "not a target for the chain prober: target 'http://[::1:80/': Invalid IPv6"),
        ("127.0.0.1", "t", "not a target for the tcp prober: target '127.0.0.1': missing port in address"),
        ("127.0.0.1:0", "t", "not a target for the tcp prober: target '127.0.0.1:0': port 0 is out of range"),
        ("127.0.0.1:70000", "g", "not a target for the grpc prober: target '127.0.0.1:70000': port 70000"),
    ],
)
def test_a_scheduled_target_its_prober_cannot_read_is_refused_with_its_line(
    tmp_path: Path, target: str, module: str, expected: str
) -> None:
    text = f"{_PROBERS}targets:\n  - {{target: 'http://127.0.0.1:1/', module: h}}\n"
    text += f"  - target: '{target}'\n    module: {module}\n"
    path = _write(tmp_path, text)
    with pytest.raises(InputError) as info:
        load_config(path)
    assert str(info.value).startswith(f"{path}:8: targets[1].target: {expected}")
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("target", "module"),
    [
        ("127.0.0.1:26657/status", "h"),
        ("https://node.example:443/", "h"),
        ("http://[::1]:26657", "c"),
        ("[::1]:9090", "g"),
        ("node:9090", "g"),
        ("127.0.0.1:26656", "t"),
    ],
)
def test_targets_each_prober_reads_load(tmp_path: Path, target: str, module: str) -> None:
    path = _write(tmp_path, f"{_PROBERS}targets:\n  - {{target: '{target}', module: {module}}}\n")
    assert load_config(path).targets[0].target == target
