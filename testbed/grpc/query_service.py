"""The auth and bank query services, as gRPC, the REST gateway and ``abci_query`` all answer them.

``cosmos.auth.v1beta1.Query/Account`` and ``cosmos.bank.v1beta1.Query/Balance`` / ``AllBalances``
follow ``x/auth/keeper/grpc_query.go`` and ``x/bank/keeper/grpc_query.go`` (v0.50): a bad bank
address is InvalidArgument ``invalid address: …``, a bad auth address a plain (Unknown) error, a
missing account NotFound ``account … not found``; pagination works as ``query.CollectionPaginate``
(offset or key, 100 by default with the total counted, ``next_key`` the next denom's bytes).
CometBFT's ``abci_query`` reaches the same handlers by path, as ``baseapp``'s gRPC query router
does, and turns their gRPC errors into SDK codes the way ``gRPCErrorToSDKError`` does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import grpc
from google.protobuf import any_pb2
from google.protobuf.message import DecodeError, Message

from chainpb.cosmos.auth.v1beta1 import auth_pb2
from chainpb.cosmos.auth.v1beta1 import query_pb2 as auth_query_pb2
from chainpb.cosmos.bank.v1beta1 import query_pb2 as bank_query_pb2
from chainpb.cosmos.base.query.v1beta1 import pagination_pb2
from chainpb.cosmos.base.v1beta1 import coin_pb2
from chainpb.cosmos.tx.v1beta1 import service_pb2
from cosmostx import decode_address, public_key_any
from testbed.chain.model import ChainModel
from testbed.config import DENOM_PATTERN
from testbed.grpc.node_service import NodeService, ServiceError

DEFAULT_LIMIT = 100
BASE_ACCOUNT_TYPE_URL = "/cosmos.auth.v1beta1.BaseAccount"
# gRPCErrorToSDKError (baseapp/abci.go): the SDK code and name an abci_query error carries.
_SDK_ERRORS = {
    grpc.StatusCode.NOT_FOUND: (22, "key not found"),
    grpc.StatusCode.INVALID_ARGUMENT: (18, "invalid request"),
    grpc.StatusCode.UNAUTHENTICATED: (4, "unauthorized"),
}
_UNKNOWN_REQUEST = (6, "unknown request")


@dataclass(frozen=True)
class QueryAnswer:
    """An ABCI ``ResponseQuery``: code 0 with the response bytes, or an SDK code and log."""

    code: int = 0
    log: str = ""
    codespace: str = ""
    value: bytes = b""


class QueryService:
    """Account and balance queries over the chain's ledger."""

    def __init__(self, chain: ChainModel, node: NodeService) -> None:
        self.chain = chain
        self.node = node
        self._abci_routes: dict[str, tuple[type[Message], Callable[[Message], Message]]] = {
            "/cosmos.auth.v1beta1.Query/Account": (auth_query_pb2.QueryAccountRequest, self.account),
            "/cosmos.bank.v1beta1.Query/Balance": (bank_query_pb2.QueryBalanceRequest, self.balance),
            "/cosmos.bank.v1beta1.Query/AllBalances": (
                bank_query_pb2.QueryAllBalancesRequest,
                self.all_balances,
            ),
            "/cosmos.tx.v1beta1.Service/Simulate": (service_pb2.SimulateRequest, self._simulate),
        }

    # -- cosmos.auth.v1beta1.Query ---------------------------------------------------------------

    def account(self, request: auth_query_pb2.QueryAccountRequest) -> auth_query_pb2.QueryAccountResponse:
        if not request.address:
            raise ServiceError(grpc.StatusCode.INVALID_ARGUMENT, "Address cannot be empty")
        try:
            decode_address(request.address, self.chain.config.bech32_prefix)
        except ValueError as exc:
            raise ServiceError(grpc.StatusCode.UNKNOWN, str(exc)) from exc
        account = self.chain.ledger.account(request.address)
        if account is None:
            raise ServiceError(grpc.StatusCode.NOT_FOUND, f"account {request.address} not found")
        base = auth_pb2.BaseAccount(
            address=account.address, account_number=account.number, sequence=account.sequence
        )
        if account.public_key is not None:
            base.pub_key.CopyFrom(public_key_any(account.public_key))
        wrapped = any_pb2.Any(type_url=BASE_ACCOUNT_TYPE_URL, value=base.SerializeToString())
        return auth_query_pb2.QueryAccountResponse(account=wrapped)

    # -- cosmos.bank.v1beta1.Query ---------------------------------------------------------------

    def _bank_address(self, address: str) -> None:
        if not address:
            raise ServiceError(grpc.StatusCode.INVALID_ARGUMENT, "empty address string is not allowed")
        try:
            decode_address(address, self.chain.config.bech32_prefix)
        except ValueError as exc:
            raise ServiceError(grpc.StatusCode.INVALID_ARGUMENT, f"invalid address: {exc}") from exc

    def balance(self, request: bank_query_pb2.QueryBalanceRequest) -> bank_query_pb2.QueryBalanceResponse:
        self._bank_address(request.address)
        if not DENOM_PATTERN.match(request.denom):
            raise ServiceError(grpc.StatusCode.INVALID_ARGUMENT, f"invalid denom: {request.denom}")
        amount = self.chain.ledger.balance(request.address, request.denom)
        coin = coin_pb2.Coin(denom=request.denom, amount=str(amount))
        return bank_query_pb2.QueryBalanceResponse(balance=coin)

    def all_balances(
        self, request: bank_query_pb2.QueryAllBalancesRequest
    ) -> bank_query_pb2.QueryAllBalancesResponse:
        self._bank_address(request.address)
        account = self.chain.ledger.account(request.address)
        coins = list(account.coins()) if account is not None else []
        page, response = paginate([denom for denom, _ in coins], request.pagination)
        amounts = dict(coins)
        return bank_query_pb2.QueryAllBalancesResponse(
            balances=[coin_pb2.Coin(denom=denom, amount=str(amounts[denom])) for denom in page],
            pagination=response,
        )

    # -- abci_query ------------------------------------------------------------------------------

    def _simulate(self, request: service_pb2.SimulateRequest) -> service_pb2.SimulateResponse:
        return self.node.simulate(request.tx_bytes)

    def abci_query(self, path: str, data: bytes) -> QueryAnswer:
        """Answer ``abci_query`` for a registered gRPC method path, as ``baseapp.Query`` does."""
        route = self._abci_routes.get(path)
        if route is None:
            code, name = _UNKNOWN_REQUEST
            log = "no query path provided" if not path.strip("/") else "unknown query path"
            return QueryAnswer(code=code, log=f"{log}: {name}", codespace="sdk")
        request_type, handler = route
        try:
            request = request_type.FromString(data)
            response = handler(request)
        except DecodeError as exc:
            return QueryAnswer(code=2, log=f"{exc}: tx parse error", codespace="sdk")
        except ServiceError as exc:
            code, name = _SDK_ERRORS.get(exc.code, _UNKNOWN_REQUEST)
            description = f"rpc error: code = {_grpc_name(exc.code)} desc = {exc.message}"
            return QueryAnswer(code=code, log=f"{description}: {name}", codespace="sdk")
        return QueryAnswer(value=response.SerializeToString())


def _grpc_name(code: grpc.StatusCode) -> str:
    # Go's codes.Code.String(): NotFound, InvalidArgument, …
    return "".join(part.capitalize() for part in code.name.split("_"))


def _compare(a: str, b: str) -> int:
    return (a > b) - (a < b)


def paginate(
    keys: list[str], request: pagination_pb2.PageRequest
) -> tuple[list[str], pagination_pb2.PageResponse]:
    """One page of sorted string keys and its ``PageResponse``, as ``query.CollectionPaginate``."""
    if request.key and request.offset:
        raise ServiceError(
            grpc.StatusCode.INVALID_ARGUMENT, "invalid request, either offset or key is expected, got both"
        )
    limit, count_total = request.limit, request.count_total
    if limit == 0:
        limit, count_total = DEFAULT_LIMIT, True
    ordered = list(reversed(keys)) if request.reverse else keys
    if request.key:
        first: str = request.key.decode(errors="replace")
        sign = -1 if request.reverse else 1  # the page starts at the first key not before ``first``
        start = next((i for i, key in enumerate(ordered) if sign * _compare(key, first) >= 0), len(ordered))
    else:
        start = request.offset
    page = ordered[start : start + limit]
    rest = ordered[start + limit :]
    response = pagination_pb2.PageResponse(next_key=rest[0].encode() if rest else b"")
    if count_total and not request.key:
        response.total = len(keys)
    return page, response
