"""The Cosmos SDK REST port (:1317): a gRPC-gateway over the node's services, printing messages as the
gateway does (``gateway_json``)."""

from __future__ import annotations

from testbed.rest.server import RestServer, gateway_error, rest_protocol_error

__all__ = ["RestServer", "gateway_error", "rest_protocol_error"]
