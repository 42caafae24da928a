"""Wire types shared by the gateway and the desktop client (no server internals here)."""

from services.protocol.errors import ErrorCode, ProtocolError
from services.protocol.messages import (
    PROTOCOL_VERSION,
    Auth,
    AuthFailed,
    AuthOk,
    ClientFrame,
    Command,
    Error,
    Event,
    OperatorInfo,
    Result,
    ResumeFrom,
    ServerFrame,
    decode_client,
    decode_server,
    encode,
)

__all__ = [
    "PROTOCOL_VERSION",
    "Auth",
    "AuthFailed",
    "AuthOk",
    "ClientFrame",
    "Command",
    "Error",
    "ErrorCode",
    "Event",
    "OperatorInfo",
    "ProtocolError",
    "Result",
    "ResumeFrom",
    "ServerFrame",
    "decode_client",
    "decode_server",
    "encode",
]
