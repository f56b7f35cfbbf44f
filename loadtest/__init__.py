"""Load tests toward and past 50 TPS: signed ``MsgSend`` txs over RPC, REST or gRPC, on Locust.

Locust and gevent live only in this package, and only in the modules a Locust process loads
(``locustfile``, ``users``, ``process``, ``node_api``): importing ``loadtest`` itself, or the pure
modules below, patches nothing, so the CLI and the summary code stay free of gevent.

Pure modules: ``plan`` (offered rate over time, the send schedule), ``ledger`` (every tx's outcome;
nothing lost), ``summary`` (percentiles from raw samples, achieved TPS, the knee, verdicts by
``slo.budgets.verdict``), ``output`` (gathering records, writing ``results/load/<run>/``), ``plots``.

Example::

    locust -f loadtest/locustfile.py --headless --host http://127.0.0.1:26657 --tps 50 --duration 60s
"""

from __future__ import annotations

from loadtest.ledger import BlockRecord, Ledger, Outcome, QueryRecord, TxRecord, rejection_reason
from loadtest.plan import LoadPlan, SendSchedule, Step, parse_steps
from loadtest.summary import RunRecords, achieved_tps, knee, percentiles, summarize

__all__ = [
    "BlockRecord",
    "Ledger",
    "LoadPlan",
    "Outcome",
    "QueryRecord",
    "RunRecords",
    "SendSchedule",
    "Step",
    "TxRecord",
    "achieved_tps",
    "knee",
    "parse_steps",
    "percentiles",
    "rejection_reason",
    "summarize",
]
