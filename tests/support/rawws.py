"""A websocket client written by hand on a raw socket: it sends frames and reads only when told.

A library client reads (and answers pings) in the background; a misbehaving client does not.
This one has a small receive buffer and never reads unless asked, like a stalled peer.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
import struct
from typing import Any


class RawWebSocket:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.loop = asyncio.get_running_loop()

    @classmethod
    async def connect(cls, port: int, path: str, receive_buffer: int = 4096) -> RawWebSocket:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        sock.setblocking(False)
        loop = asyncio.get_running_loop()
        await loop.sock_connect(sock, ("127.0.0.1", port))
        key = base64.b64encode(os.urandom(16)).decode()
        request = (
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        await loop.sock_sendall(sock, request.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = await loop.sock_recv(sock, 1)
            if not chunk:
                raise ConnectionError("closed during the handshake")
            head += chunk
        if not head.startswith(b"HTTP/1.1 101"):
            raise ConnectionError(head.decode(errors="replace"))
        return cls(sock)

    async def send(self, payload: bytes, opcode: int = 0x1) -> None:
        """One masked frame (0x1 text, 0x2 binary), as a client must send it."""
        mask = os.urandom(4)
        n = len(payload)
        if n < 126:
            header = struct.pack("!BB", 0x80 | opcode, 0x80 | n)
        elif n < 1 << 16:
            header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, n)
        else:
            header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, n)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        await self.loop.sock_sendall(self.sock, header + mask + masked)

    async def send_json(self, obj: Any) -> None:
        await self.send(json.dumps(obj).encode())

    async def recv_json(self, timeout: float = 10.0) -> Any:
        """Read one unfragmented text frame from the server (unmasked)."""
        head = await self._read(2, timeout)
        n = head[1] & 0x7F
        if n == 126:
            n = struct.unpack("!H", await self._read(2, timeout))[0]
        elif n == 127:
            n = struct.unpack("!Q", await self._read(8, timeout))[0]
        return json.loads(await self._read(n, timeout))

    async def _read(self, n: int, timeout: float) -> bytes:
        data = b""
        while len(data) < n:
            chunk = await asyncio.wait_for(self.loop.sock_recv(self.sock, n - len(data)), timeout)
            if not chunk:
                raise ConnectionError("closed")
            data += chunk
        return data

    def close(self) -> None:
        self.sock.close()
