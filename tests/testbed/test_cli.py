"""``slo-harness testbed`` as a user runs it: endpoints printed, height rising, tx found, Ctrl-C stops it."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import typer

from cosmostx import dev_accounts
from slo_harness.commands.testbed_commands import build_settings
from tests.testbed.conftest import Sender

pytestmark = pytest.mark.integration


def get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())


def test_testbed_command_serves_until_interrupted(tmp_path: Path) -> None:
    accounts_file = tmp_path / "accounts.json"
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "slo_harness", "testbed", "--block-time", "300ms", "--max-tps", "100"),
            *("--accounts", "3", "--accounts-file", str(accounts_file)),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        endpoints: dict[str, str] = {}
        printed: list[str] = []
        assert process.stdout is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            printed.append(line)
            parts = line.split()
            if len(parts) == 2 and not parts[0].startswith("("):
                endpoints[parts[0]] = parts[1]
            if not line or line.startswith("Ctrl-C"):
                break
        assert set(endpoints) == {"rpc", "rest", "grpc", "metrics", "provider", "benchmark", "control"}
        accounts = json.loads(accounts_file.read_text())
        expected = dev_accounts(3, prefix="akash")
        assert accounts == [
            {"address": a.address, "mnemonic": a.mnemonic, "account_number": number}
            for number, a in enumerate(expected)
        ]
        for number, account in enumerate(expected):
            assert f"  ({number}) {account.address}\n" in printed
            assert f"      {account.mnemonic}\n" in printed
        rpc = endpoints["rpc"]
        first = int(get(f"{rpc}/status")["result"]["sync_info"]["latest_block_height"])
        raw = Sender(0).next_tx()
        sent = get(f"{rpc}/broadcast_tx_sync?tx=0x{raw.hex()}")["result"]
        assert sent["code"] == 0
        time.sleep(1.0)
        assert int(get(f"{rpc}/status")["result"]["sync_info"]["latest_block_height"]) > first
        assert get(f"{rpc}/tx?hash=0x{sent['hash']}")["result"]["hash"] == sent["hash"]
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=15)
    assert process.returncode == 0, stderr


def test_bad_block_time_is_a_clean_error() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "slo_harness", "testbed", "--block-time", "soon"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2 and result.stderr.startswith("error: --block-time")


def test_unwritable_accounts_file_is_a_clean_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = subprocess.run(
        [sys.executable, "-m", "slo_harness", "testbed", "--accounts-file", str(blocker / "accounts.json")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2 and result.stderr.startswith(f"error: {blocker / 'accounts.json'}:")
    assert "Traceback" not in result.stderr


def test_options_override_the_config_file(tmp_path: Path) -> None:
    path = tmp_path / "testbed.yaml"
    path.write_text("block_time_seconds: 2\nmempool_max_txs: 50\n", encoding="utf-8")
    settings = build_settings(path, "500ms", 30)
    assert settings.block_time_seconds == 0.5 and settings.max_txs_per_block == 15
    assert settings.mempool_max_txs == 50 and settings.max_tps == 30
    assert build_settings(path, None, 30).max_txs_per_block == 60
    assert build_settings(path, None, None, accounts=25).accounts == 25
    path.write_text("block_time_seconds: fast\n", encoding="utf-8")
    with pytest.raises(typer.Exit):
        build_settings(path, None, None)
    first = dev_accounts(1, prefix="akash")[0].address
    path.write_text(f"accounts: 0\ngenesis_accounts: [{{address: {first}}}]\n", encoding="utf-8")
    assert build_settings(path, None, None).genesis_accounts[0].address == first
    with pytest.raises(typer.Exit):  # dev account 0 would be the same account
        build_settings(path, None, None, accounts=1)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("block_time_seconds: 1\nmempool_max_txs: -3\n", ":2: mempool_max_txs: Input should be greater"),
        ("faults:\n  - kind: block_stall\n    surface: rest\n", ":2: faults[0]: fault kind 'block_stall'"),
        ("block_time: 1s\n", ":1: block_time: unknown field"),
        ("chain_id: [unclosed\n", ": not valid YAML"),
    ],
)
def test_bad_config_file_is_one_line_naming_file_line_and_field(
    tmp_path: Path, text: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "testbed.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(typer.Exit) as exited:
        build_settings(path, None, None)
    assert exited.value.exit_code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}") and message in err
    assert len(err.strip().splitlines()) == 1 and "pydantic" not in err
