"""The simulated chain every surface reads: blocks and their production, the mempool, accounts and the
ante handler, and transactions as the chain decodes them.

``model`` holds ``ChainModel`` (blocks, tx index, CheckTx and DeliverTx), ``ledger`` the accounts,
``mempool`` CometBFT's mempool, ``transactions`` the ``TxRaw`` decoding, ``block_feed`` the loop that
commits a block every ``block_time``. None of it opens a port.
"""

from __future__ import annotations

from testbed.chain.block_feed import BlockFeed
from testbed.chain.model import Block, ChainModel, Event, IndexedTx, TxResult
from testbed.chain.transactions import ParsedTx, TxDecodeError, parse_tx

__all__ = [
    "Block",
    "BlockFeed",
    "ChainModel",
    "Event",
    "IndexedTx",
    "ParsedTx",
    "TxDecodeError",
    "TxResult",
    "parse_tx",
]
