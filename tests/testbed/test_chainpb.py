"""chainpb: generated modules match a fresh generation byte for byte, with the upstream names and numbers."""

from __future__ import annotations

from pathlib import Path

from chainpb import generate
from chainpb.cosmos.base.tendermint.v1beta1 import query_pb2
from chainpb.cosmos.tx.v1beta1 import service_pb2, tx_pb2
from chainpb.tendermint.types import types_pb2


def _generated(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
        and (path.name.endswith(("_pb2.py", "_pb2.pyi", "_pb2_grpc.py")) or path.name == "__init__.py")
        and path.parent != root
    }


def test_regeneration_is_byte_identical(tmp_path: Path) -> None:
    generate.generate(tmp_path)
    fresh = _generated(tmp_path)
    committed = _generated(generate.PROTO_ROOT)
    assert fresh.keys() == committed.keys()
    changed = [name for name in fresh if fresh[name] != committed[name]]
    assert changed == [], f"regenerate with python -m chainpb.generate: {changed}"


def test_imports_are_rewritten_into_the_package(tmp_path: Path) -> None:
    generate.generate(tmp_path)
    text = (tmp_path / "cosmos/tx/v1beta1/service_pb2_grpc.py").read_text()
    assert "from chainpb.cosmos.tx.v1beta1 import service_pb2" in text
    assert "\nfrom cosmos." not in text


def test_service_and_method_names_are_upstream() -> None:
    tendermint = query_pb2.DESCRIPTOR.services_by_name["Service"]
    assert tendermint.full_name == "cosmos.base.tendermint.v1beta1.Service"
    assert {m.name for m in tendermint.methods} == {
        "GetNodeInfo",
        "GetSyncing",
        "GetLatestBlock",
        "GetBlockByHeight",
    }
    tx = service_pb2.DESCRIPTOR.services_by_name["Service"]
    assert tx.full_name == "cosmos.tx.v1beta1.Service"
    assert {m.name for m in tx.methods} == {"Simulate", "GetTx", "BroadcastTx"}


def test_field_numbers_are_upstream() -> None:
    def numbers(descriptor: object) -> dict[str, int]:
        return {f.name: f.number for f in descriptor.fields}  # type: ignore[attr-defined]

    assert numbers(service_pb2.BroadcastTxRequest.DESCRIPTOR) == {"tx_bytes": 1, "mode": 2}
    assert numbers(service_pb2.SimulateRequest.DESCRIPTOR) == {"tx": 1, "tx_bytes": 2}
    assert numbers(service_pb2.GetTxResponse.DESCRIPTOR) == {"tx": 1, "tx_response": 2}
    assert numbers(query_pb2.GetLatestBlockResponse.DESCRIPTOR) == {"block_id": 1, "block": 2, "sdk_block": 3}
    assert numbers(tx_pb2.TxRaw.DESCRIPTOR) == {"body_bytes": 1, "auth_info_bytes": 2, "signatures": 3}
    assert numbers(tx_pb2.SignerInfo.DESCRIPTOR) == {"public_key": 1, "mode_info": 2, "sequence": 3}
    header = numbers(types_pb2.Header.DESCRIPTOR)
    assert header["height"] == 3 and header["time"] == 4 and header["proposer_address"] == 14
    assert service_pb2.BROADCAST_MODE_SYNC == 2 and service_pb2.BROADCAST_MODE_ASYNC == 3
