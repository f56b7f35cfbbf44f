"""An account's number and sequence as the auth module reports them, over REST, gRPC or ``abci_query``.

A signer needs both before it signs: the number goes into the ``SignDoc`` and the sequence into the
``SignerInfo``. The REST gateway prints an ``Any`` with ``@type``; vesting and module accounts wrap
the ``BaseAccount`` (``base_vesting_account.base_account``, ``base_account``), which is followed.
Over gRPC and ``abci_query`` the answer is a ``QueryAccountResponse`` holding an ``Any``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from google.protobuf import any_pb2
from google.protobuf.message import DecodeError

from chainpb.cosmos.auth.v1beta1 import auth_pb2, query_pb2

BASE_ACCOUNT_TYPE_URL = "/cosmos.auth.v1beta1.BaseAccount"
_WRAPPERS = ("base_vesting_account", "base_account")


@dataclass(frozen=True)
class AccountInfo:
    """What signing needs from the chain: the address, its account number and next sequence."""

    address: str
    account_number: int
    sequence: int


def _uint(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"account {name} is not an integer: {value!r}")
    try:
        number = int(value)
    except ValueError:
        raise ValueError(f"account {name} is not an integer: {value!r}") from None
    if number < 0:
        raise ValueError(f"account {name} is negative: {number}")
    return number


def account_from_rest(body: Mapping[str, object]) -> AccountInfo:
    """Parse the JSON of ``GET /cosmos/auth/v1beta1/accounts/{address}`` (or its ``account`` value).

    >>> account_from_rest({"account": {"@type": "/cosmos.auth.v1beta1.BaseAccount",
    ...     "address": "akash1…", "pub_key": None, "account_number": "7", "sequence": "2"}})
    AccountInfo(address='akash1…', account_number=7, sequence=2)
    """
    account: object = body.get("account", body)
    for _ in range(len(_WRAPPERS) + 1):
        if not isinstance(account, Mapping):
            raise ValueError("account answer is not a JSON object")
        if "account_number" in account:
            break
        account = next((account[key] for key in _WRAPPERS if key in account), None)
    if not isinstance(account, Mapping) or "account_number" not in account:
        raise ValueError("account answer has no account_number")
    address = account.get("address")
    if not isinstance(address, str):
        raise ValueError("account answer has no address")
    return AccountInfo(
        address=address,
        account_number=_uint(account["account_number"], "account_number"),
        sequence=_uint(account.get("sequence", 0), "sequence"),
    )


def _as_any(answer: bytes | any_pb2.Any | query_pb2.QueryAccountResponse) -> any_pb2.Any:
    if isinstance(answer, any_pb2.Any):
        return answer
    if isinstance(answer, query_pb2.QueryAccountResponse):
        return answer.account
    try:
        wrapped = any_pb2.Any.FromString(answer)
        if wrapped.type_url.startswith("/"):
            return wrapped
    except (DecodeError, UnicodeDecodeError):
        pass  # not an Any: the bytes of a whole QueryAccountResponse
    try:
        return query_pb2.QueryAccountResponse.FromString(answer).account
    except DecodeError as exc:
        raise ValueError(f"account answer is not a QueryAccountResponse: {exc}") from None


def account_from_proto(answer: bytes | any_pb2.Any | query_pb2.QueryAccountResponse) -> AccountInfo:
    """Parse a gRPC ``Query/Account`` answer: the response, its ``Any``, or either one's bytes
    (``abci_query`` returns the response's bytes). Only ``BaseAccount`` is understood."""
    account = _as_any(answer)
    if account.type_url != BASE_ACCOUNT_TYPE_URL:
        raise ValueError(f"account type {account.type_url or '(none)'!r} is not {BASE_ACCOUNT_TYPE_URL}")
    try:
        base = auth_pb2.BaseAccount.FromString(account.value)
    except DecodeError as exc:
        raise ValueError(f"account is not a BaseAccount: {exc}") from None
    return AccountInfo(address=base.address, account_number=base.account_number, sequence=base.sequence)
