"""The Locust users: tx senders and query users over CometBFT RPC, Cosmos REST and gRPC.

A sender owns one account for its whole life. Each task takes the next intended send time from its
process's schedule, sleeps until then (never past it: a late send goes at once and its latency still
counts from the intended time), signs the next ``MsgSend``, broadcasts it in SYNC mode and records
the answer in the process's ledger: accepted (pending until the block watcher sees it), rejected
with its code and log, or a transport error. On code 32 the sender takes the sequence the node
expects. RPC and REST users are ``FastHttpUser``s, so their requests are Locust's own; the gRPC user
follows Locust's documented gRPC pattern and fires its request events itself.

The process's ``ProcessRun`` is found through ``run_of(environment)``; the locustfile sets it.
"""

from __future__ import annotations

import base64
import json
import time
import urllib.parse
from collections.abc import Callable
from typing import Any, ClassVar
from weakref import WeakKeyDictionary

import gevent
import grpc
from locust import FastHttpUser, User, constant, task
from locust.exception import StopUser

from chainpb.cosmos.auth.v1beta1 import query_pb2 as auth_pb2
from chainpb.cosmos.auth.v1beta1 import query_pb2_grpc as auth_grpc
from chainpb.cosmos.bank.v1beta1 import query_pb2 as bank_pb2
from chainpb.cosmos.bank.v1beta1 import query_pb2_grpc as bank_grpc
from chainpb.cosmos.base.tendermint.v1beta1 import query_pb2 as tm_pb2
from chainpb.cosmos.base.tendermint.v1beta1 import query_pb2_grpc as tm_grpc
from chainpb.cosmos.tx.v1beta1 import service_pb2, service_pb2_grpc
from loadtest.accounts import Sender
from loadtest.ledger import Outcome, QueryRecord, expected_sequence
from loadtest.node_api import BroadcastAnswer, NodeError, rest_broadcast_answer, rpc_broadcast_answer
from loadtest.process import ProcessRun

_RUNS: WeakKeyDictionary[Any, ProcessRun] = WeakKeyDictionary()
IDLE_SECONDS = 0.5


def attach_run(environment: Any, run: ProcessRun | None) -> None:
    if run is None:
        _RUNS.pop(environment, None)
    else:
        _RUNS[environment] = run


def run_of(environment: Any) -> ProcessRun | None:
    return _RUNS.get(environment)


def _send_one(user: Any, sender: Sender, broadcast: Callable[[bytes], BroadcastAnswer]) -> None:
    run = run_of(user.environment)
    if run is None:
        gevent.sleep(IDLE_SECONDS)
        return
    slot = run.schedule.take(time.time())
    if slot is None:
        gevent.sleep(IDLE_SECONDS)  # the send phase is over: the watcher drains what is pending
        return
    intended, step = slot
    run.in_flight += 1
    try:
        delay = intended - time.time()
        if delay > 0:
            gevent.sleep(delay)
        raw, hash_hex = run.next_tx(sender)
        sent = time.time()
        address = sender.account.address
        try:
            answer = broadcast(raw)
        except NodeError as exc:
            run.ledger.refused(
                hash_hex,
                address,
                step,
                intended,
                sent,
                time.time() - sent,
                Outcome.TRANSPORT_ERROR,
                0,
                str(exc),
            )
            return
        rtt = time.time() - sent
        if answer.code == 0:
            run.ledger.accepted(hash_hex, address, step, intended, sent, rtt)
            sender.advance()
            return
        run.ledger.refused(
            hash_hex, address, step, intended, sent, rtt, Outcome.REJECTED, answer.code, answer.log
        )
        if answer.code == 32:
            run.resync(sender, expected_sequence(answer.log))
    finally:
        run.in_flight -= 1


class _SenderMixin:
    """What every sender does on start: take its own account from the process's pool."""

    environment: Any
    sender: Sender

    def _open(self) -> None:
        run = run_of(self.environment)
        sender = run.open_sender() if run is not None else None
        if sender is None:
            raise StopUser()
        self.sender = sender


class _HttpRequests:
    """Locust's FastHttp client calls with timeouts, mapped to answers or ``NodeError``."""

    client: Any

    def _json(
        self,
        method: str,
        path: str,
        name: str,
        body: Any = None,
        parse: Callable[[Any], BroadcastAnswer] | None = None,
    ) -> Any:
        """The parsed JSON answer, or with ``parse`` the broadcast answer it holds (a refused tx is
        a failure in Locust's stats, with its log)."""
        data = json.dumps(body) if body is not None else None
        headers = {"Content-Type": "application/json"} if body is not None else None
        with self.client.request(
            method, path, data=data, headers=headers, name=name, catch_response=True
        ) as resp:
            status = resp.status_code or 0
            if status >= 400:
                resp.failure(f"HTTP {status}")
                raise NodeError(f"{name}: HTTP {status}")
            error = getattr(resp, "error", None)
            if error is not None or not status:
                resp.failure(f"transport: {error}")
                raise NodeError(f"{name}: {error}")
            try:
                parsed = json.loads(resp.content or b"null")
            except ValueError:
                resp.failure("not JSON")
                raise NodeError("answer is not JSON") from None
            if parse is None:
                resp.success()
                return parsed
            try:
                answer = parse(parsed)
            except NodeError as exc:
                resp.failure(str(exc))
                raise
            if answer.code:
                resp.failure(f"code {answer.code}: {answer.log[:120]}")
            else:
                resp.success()
            return answer


class _HttpSender(_SenderMixin, _HttpRequests, FastHttpUser):
    """A sender over HTTP; subclasses say how a tx is broadcast."""

    abstract = True
    wait_time = constant(0)

    def on_start(self) -> None:
        self._open()

    def _broadcast(self, raw: bytes) -> BroadcastAnswer:
        raise NotImplementedError

    @task
    def send(self) -> None:
        _send_one(self, self.sender, self._broadcast)


class RpcSender(_HttpSender):
    """Sends signed txs with JSON-RPC ``broadcast_tx_sync``."""

    abstract = True

    def _broadcast(self, raw: bytes) -> BroadcastAnswer:
        tx = base64.b64encode(raw).decode()
        body = {"jsonrpc": "2.0", "id": 1, "method": "broadcast_tx_sync", "params": {"tx": tx}}
        answer: BroadcastAnswer = self._json("POST", "/", "broadcast_tx_sync", body, rpc_broadcast_answer)
        return answer


class RestSender(_HttpSender):
    """Sends signed txs with ``POST /cosmos/tx/v1beta1/txs`` in BROADCAST_MODE_SYNC."""

    abstract = True

    def _broadcast(self, raw: bytes) -> BroadcastAnswer:
        body = {"tx_bytes": base64.b64encode(raw).decode(), "mode": "BROADCAST_MODE_SYNC"}
        path = "/cosmos/tx/v1beta1/txs"
        answer: BroadcastAnswer = self._json("POST", path, "txs", body, rest_broadcast_answer)
        return answer


class _GrpcCalls:
    """Locust's gRPC pattern: time each unary call and fire it as a ``grpc`` request event."""

    environment: Any
    timeout: float = 10.0

    def _call(self, name: str, method: Any, request: Any) -> Any:

        start = time.perf_counter()
        error: Exception | None = None
        answer: Any = None
        try:
            answer = method(request, timeout=self.timeout)
        except grpc.RpcError as exc:
            error = NodeError(f"gRPC {exc.code().name}: {exc.details()}")
        self.environment.events.request.fire(
            request_type="grpc",
            name=name,
            response_time=(time.perf_counter() - start) * 1000.0,
            response_length=answer.ByteSize() if answer is not None else 0,
            exception=error,
            context={},
        )
        if error is not None:
            raise error
        return answer


class GrpcSender(_SenderMixin, _GrpcCalls, User):
    """Sends signed txs with ``cosmos.tx.v1beta1.Service/BroadcastTx`` in BROADCAST_MODE_SYNC."""

    abstract = True
    wait_time = constant(0)

    def on_start(self) -> None:

        self._channel = grpc.insecure_channel(self.host)
        self._stub = service_pb2_grpc.ServiceStub(self._channel)
        self._open()

    def on_stop(self) -> None:
        self._channel.close()

    def _broadcast(self, raw: bytes) -> BroadcastAnswer:

        request = service_pb2.BroadcastTxRequest(tx_bytes=raw, mode=service_pb2.BROADCAST_MODE_SYNC)
        response = self._call("BroadcastTx", self._stub.BroadcastTx, request).tx_response
        return BroadcastAnswer(int(response.code), str(response.raw_log))

    @task
    def send(self) -> None:
        _send_one(self, self.sender, self._broadcast)


class _QueryMixin:
    """Round-robin over the queries; each one timed and recorded for the query-latency SLOs."""

    environment: Any
    queries: ClassVar[tuple[str, ...]] = ("status", "latest_block", "tx", "balance", "account")
    _turn = 0

    def _query(self, name: str) -> None:
        raise NotImplementedError

    def _next(self) -> None:
        run = run_of(self.environment)
        if run is None:
            gevent.sleep(IDLE_SECONDS)
            return
        name = self.queries[self._turn % len(self.queries)]
        self._turn += 1
        if name == "tx" and not run.recent:
            return
        start = time.time()
        ok = True
        try:
            self._query(name)
        except NodeError:
            ok = False
        run.queries.append(QueryRecord(name, start, time.time() - start, ok))


class RpcQueries(_QueryMixin, _HttpRequests, FastHttpUser):
    abstract = True

    def _query(self, name: str) -> None:
        run = run_of(self.environment)
        assert run is not None
        if name == "status":
            self._json("GET", "/status", "status")
        elif name == "latest_block":
            self._json("GET", "/block", "block")
        elif name == "tx":
            self._json("GET", f"/tx?hash=0x{run.recent[-1]}", "tx")
        else:
            path, data = run.abci_query(name)
            self._json(
                "GET", f"/abci_query?path={urllib.parse.quote(path)}&data=0x{data}", f"abci_query {name}"
            )

    @task
    def query(self) -> None:
        self._next()


class RestQueries(_QueryMixin, _HttpRequests, FastHttpUser):
    abstract = True

    def _query(self, name: str) -> None:
        run = run_of(self.environment)
        assert run is not None
        address = run.query_address
        paths = {
            "status": "/cosmos/base/tendermint/v1beta1/syncing",
            "latest_block": "/cosmos/base/tendermint/v1beta1/blocks/latest",
            "tx": f"/cosmos/tx/v1beta1/txs/{run.recent[-1] if run.recent else ''}",
            "balance": f"/cosmos/bank/v1beta1/balances/{address}/by_denom?denom={run.settings.denom}",
            "account": f"/cosmos/auth/v1beta1/accounts/{address}",
        }
        self._json("GET", paths[name], name)

    @task
    def query(self) -> None:
        self._next()


class GrpcQueries(_QueryMixin, _GrpcCalls, User):
    abstract = True

    def on_start(self) -> None:

        self._channel = grpc.insecure_channel(self.host)
        self._tm = tm_grpc.ServiceStub(self._channel)
        self._tx = service_pb2_grpc.ServiceStub(self._channel)
        self._bank = bank_grpc.QueryStub(self._channel)
        self._auth = auth_grpc.QueryStub(self._channel)

    def on_stop(self) -> None:
        self._channel.close()

    def _query(self, name: str) -> None:

        run = run_of(self.environment)
        assert run is not None
        address = run.query_address
        calls: dict[str, tuple[Any, Any]] = {
            "status": (self._tm.GetSyncing, tm_pb2.GetSyncingRequest()),
            "latest_block": (self._tm.GetLatestBlock, tm_pb2.GetLatestBlockRequest()),
            "tx": (self._tx.GetTx, service_pb2.GetTxRequest(hash=run.recent[-1] if run.recent else "")),
            "balance": (
                self._bank.Balance,
                bank_pb2.QueryBalanceRequest(address=address, denom=run.settings.denom),
            ),
            "account": (self._auth.Account, auth_pb2.QueryAccountRequest(address=address)),
        }
        method, request = calls[name]
        self._call(name, method, request)

    @task
    def query(self) -> None:
        self._next()
