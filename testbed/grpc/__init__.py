"""The gRPC port (:9090) and the SDK services behind it, which the REST gateway and ``abci_query`` call too.

``server`` registers the services, reflection and the opt-in health service; ``node_service`` holds the
tendermint and tx services, ``query_service`` the auth and bank queries.
"""

from __future__ import annotations

from testbed.grpc.node_service import NodeService, ServiceError
from testbed.grpc.query_service import QueryService
from testbed.grpc.server import GrpcSurface

__all__ = ["GrpcSurface", "NodeService", "QueryService", "ServiceError"]
