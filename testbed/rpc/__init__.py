"""The CometBFT RPC port (:26657): transports, methods, result bodies and the ``tx_search`` query language.

``server`` speaks JSON-RPC over POST and URI over GET, ``methods`` holds the methods and their Go error
texts, ``views`` renders result bodies as cmtjson prints them, ``tx_query`` parses event queries.
"""

from __future__ import annotations

from testbed.rpc.methods import RpcMethods
from testbed.rpc.server import RpcServer, rpc_protocol_error

__all__ = ["RpcMethods", "RpcServer", "rpc_protocol_error"]
