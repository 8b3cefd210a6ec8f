"""The asyncio MLLP client: one persistent connection, a message out and its ACK back.

::

    YibaoError
     └── MllpError            the connection failed, closed, or timed out before the reply

Replies are read with the same :class:`~yibao_sdk.hl7v2.mllp.FrameDecoder` as the server's, so
an ACK split over several TCP segments (python-hl7 issue #44) is read whole.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl as _ssl
from collections import deque

from yibao_sdk.errors import YibaoError
from yibao_sdk.hl7v2.mllp import DEFAULT_MAX_MESSAGE_BYTES, FrameDecoder, frame

__all__ = ["MllpClient", "MllpError"]

_READ = 64 * 1024


class MllpError(YibaoError):
    """The MLLP connection failed, was closed or timed out before a reply arrived."""


class MllpClient:
    """Sends messages over one MLLP connection and reads each reply.

    >>> async with MllpClient("127.0.0.1", 2575) as client:  # doctest: +SKIP
    ...     ack = await client.send(message_bytes)

    :param host: server address.
    :param port: server port.
    :param ssl: a client :class:`ssl.SSLContext` for TLS, or ``None``.
    :param server_hostname: the name to check the server's certificate against (TLS).
    :param timeout: seconds allowed to connect and for each reply (finite by default).
    :param max_message_bytes: the largest reply accepted.
    """

    def __init__(self, host: str, port: int, *, ssl: _ssl.SSLContext | None = None,
                 server_hostname: str | None = None, timeout: float = 30.0,
                 max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES) -> None:
        self.host, self.port, self.ssl, self.timeout = host, port, ssl, timeout
        self.server_hostname = server_hostname
        self._decoder = FrameDecoder(max_message_bytes)
        self._replies: deque[bytes] = deque()
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def connect(self) -> None:
        """Open the connection.

        :raises MllpError: when it cannot be opened in time.
        """
        try:
            self._reader, self._writer = await asyncio.wait_for(
                asyncio.open_connection(self.host, self.port, ssl=self.ssl,
                                        server_hostname=self.server_hostname if self.ssl
                                        else None),
                self.timeout)
        except (OSError, TimeoutError) as exc:
            raise MllpError(f"cannot connect to {self.host}:{self.port}: "
                            f"{type(exc).__name__}: {exc}") from exc

    async def send(self, message: bytes | str, *, encoding: str = "utf-8") -> bytes:
        """Send one message and return its reply (unframed).

        :param message: the message; text is encoded in ``encoding``.
        :raises MllpError: on a closed connection or when no reply arrives in time.
        """
        data = message.encode(encoding) if isinstance(message, str) else message
        await self.write(frame(data))
        return await self.receive()

    async def write(self, data: bytes) -> None:
        """Write raw bytes as they are (framing included): for tests and replays of captures."""
        writer = self._open_writer()
        try:
            writer.write(data)
            await asyncio.wait_for(writer.drain(), self.timeout)
        except (OSError, TimeoutError) as exc:
            raise MllpError(f"{self.host}:{self.port}: write failed: "
                            f"{type(exc).__name__}") from exc

    async def receive(self) -> bytes:
        """The next reply frame (unframed).

        :raises MllpError: when the server closes first or nothing arrives in time.
        """
        if self._reader is None:
            raise MllpError("not connected")
        while not self._replies:
            try:
                data = await asyncio.wait_for(self._reader.read(_READ), self.timeout)
            except (OSError, TimeoutError) as exc:
                raise MllpError(f"{self.host}:{self.port}: no reply: "
                                f"{type(exc).__name__}") from exc
            if not data:
                raise MllpError(f"{self.host}:{self.port}: connection closed before the reply")
            self._replies.extend(f.data for f in self._decoder.feed(data) if not f.oversize)
        return self._replies.popleft()

    def _open_writer(self) -> asyncio.StreamWriter:
        if self._writer is None:
            raise MllpError("not connected")
        return self._writer

    async def close(self) -> None:
        """Close the connection (idempotent)."""
        writer, self._writer, self._reader = self._writer, None, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(OSError, TimeoutError, _ssl.SSLError):
                await asyncio.wait_for(writer.wait_closed(), self.timeout)

    def abort(self) -> None:
        """Drop the connection at once, without a FIN handshake (simulates a crashed sender)."""
        writer, self._writer, self._reader = self._writer, None, None
        if writer is not None:
            writer.transport.abort()

    async def __aenter__(self) -> MllpClient:
        await self.connect()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
