"""Protobuf messages as the Cosmos SDK's gRPC-gateway prints them (gogo ``JSONPb{EmitDefaults, OrigName}``).

Field names stay snake_case; zero values are emitted; 64-bit integers are strings; bytes are base64
(empty bytes and unset messages are ``null``); enums are their names; ``Timestamp`` is RFC 3339;
``Any`` is ``{"@type": url, ...fields}`` when the type is known.
"""

from __future__ import annotations

import base64
from typing import Any

from google.protobuf import descriptor_pool, message_factory
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import DecodeError, Message

from testbed.timestamps import rfc3339_proto

_STRING_INTEGERS = {
    FieldDescriptor.TYPE_INT64,
    FieldDescriptor.TYPE_UINT64,
    FieldDescriptor.TYPE_SINT64,
    FieldDescriptor.TYPE_FIXED64,
    FieldDescriptor.TYPE_SFIXED64,
}


def _scalar(field: FieldDescriptor, value: Any) -> Any:
    if field.type in _STRING_INTEGERS:
        return str(value)
    if field.type == FieldDescriptor.TYPE_BYTES:
        return base64.b64encode(value).decode() if value else None
    if field.type == FieldDescriptor.TYPE_ENUM:
        enum_value = field.enum_type.values_by_number.get(value)
        return enum_value.name if enum_value is not None else value
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        return to_json(value)
    return value


def _any(message: Message) -> Any:
    type_url: str = message.type_url
    try:
        descriptor = descriptor_pool.Default().FindMessageTypeByName(type_url.rsplit("/", 1)[-1])
        inner = message_factory.GetMessageClass(descriptor).FromString(message.value)
    except (KeyError, DecodeError):
        return {"@type": type_url, "value": base64.b64encode(message.value).decode()}
    return {"@type": type_url, **to_json(inner)}


def to_json(message: Message) -> Any:
    """The gateway's JSON value for a message."""
    descriptor: Descriptor = message.DESCRIPTOR
    if descriptor.full_name == "google.protobuf.Timestamp":
        return rfc3339_proto(message.seconds * 1_000_000_000 + message.nanos)
    if descriptor.full_name == "google.protobuf.Any":
        return _any(message)
    out: dict[str, Any] = {}
    for field in descriptor.fields:
        value = getattr(message, field.name)
        if field.is_repeated:
            out[field.name] = [_scalar(field, item) for item in value]
        elif field.type == FieldDescriptor.TYPE_MESSAGE and not message.HasField(field.name):
            out[field.name] = None
        else:
            out[field.name] = _scalar(field, value)
    return out
