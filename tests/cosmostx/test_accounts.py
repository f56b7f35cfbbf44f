"""Account number and sequence from the gateway's JSON and from ``Query/Account`` protobuf answers."""

from __future__ import annotations

import pytest
from google.protobuf import any_pb2

from chainpb.cosmos.auth.v1beta1 import auth_pb2, query_pb2
from cosmostx import AccountInfo, account_from_proto, account_from_rest

ADDRESS = "akash1qypqxpq9qcrsszg2pvxq6rs0zqg3yyc5a3kq4e"


def test_rest_base_account() -> None:
    body = {
        "account": {
            "@type": "/cosmos.auth.v1beta1.BaseAccount",
            "address": ADDRESS,
            "pub_key": {
                "@type": "/cosmos.crypto.secp256k1.PubKey",
                "key": "A08EGB7ro1ORuFhjOnZcSgwYlpe0DSFjVNUIkNNQxwKQ",
            },
            "account_number": "12",
            "sequence": "3",
        }
    }
    assert account_from_rest(body) == AccountInfo(ADDRESS, 12, 3)


def test_rest_vesting_and_module_accounts_unwrap_to_the_base_account() -> None:
    base = {"address": ADDRESS, "pub_key": None, "account_number": "4", "sequence": "0"}
    vesting = {
        "account": {
            "@type": "/cosmos.vesting.v1beta1.ContinuousVestingAccount",
            "base_vesting_account": {"base_account": base, "original_vesting": []},
            "start_time": "0",
        }
    }
    module = {"account": {"@type": "/cosmos.auth.v1beta1.ModuleAccount", "base_account": base, "name": "fee"}}
    assert account_from_rest(vesting) == account_from_rest(module) == AccountInfo(ADDRESS, 4, 0)


@pytest.mark.parametrize(
    "body",
    [
        {"account": None},
        {"account": {"@type": "/x", "address": ADDRESS}},
        {"account": {"address": ADDRESS, "account_number": "-1", "sequence": "0"}},
        {"account": {"address": ADDRESS, "account_number": "x", "sequence": "0"}},
        {"account": {"address": ADDRESS, "account_number": True, "sequence": "0"}},
        {"account": {"account_number": "1", "sequence": "0"}},
    ],
)
def test_rest_bad_answers_raise_value_error(body: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="account"):
        account_from_rest(body)


def _response() -> query_pb2.QueryAccountResponse:
    base = auth_pb2.BaseAccount(address=ADDRESS, account_number=9, sequence=41)
    wrapped = any_pb2.Any(type_url="/cosmos.auth.v1beta1.BaseAccount", value=base.SerializeToString())
    return query_pb2.QueryAccountResponse(account=wrapped)


def test_proto_answers_in_every_form() -> None:
    response = _response()
    expected = AccountInfo(ADDRESS, 9, 41)
    assert account_from_proto(response) == expected
    assert account_from_proto(response.account) == expected
    assert account_from_proto(response.SerializeToString()) == expected
    assert account_from_proto(response.account.SerializeToString()) == expected


def test_proto_unknown_account_type_is_refused() -> None:
    other = any_pb2.Any(type_url="/cosmos.vesting.v1beta1.DelayedVestingAccount", value=b"")
    with pytest.raises(ValueError, match="DelayedVestingAccount"):
        account_from_proto(other)
    with pytest.raises(ValueError):
        account_from_proto(b"\xff\xff")
