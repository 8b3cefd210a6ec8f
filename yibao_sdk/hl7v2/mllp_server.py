"""The asyncio MLLP server: persistent connections, frames handled in order, graceful stop.

Each connection has a reader and a worker. The reader decodes frames (see
:class:`~yibao_sdk.hl7v2.mllp.FrameDecoder`) into a bounded queue of ``pipeline`` frames; when
it is full the reader stops reading, so a fast sender is slowed by TCP rather than by memory.
The worker hands the frames to the handler one at a time, in the order they arrived, and writes
each reply before taking the next. A handler that raises gets no reply written and the
connection is closed: a frame is acknowledged only by what the handler returned.

:meth:`MllpServer.stop` stops accepting, stops reading, lets every worker finish the frames it
already has (their ACKs are written), then closes the connections. A frame that was still
arriving is dropped and was never acknowledged.

Logs name the peer, sizes and counts, never message content.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl as _ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from yibao_sdk.hl7v2.mllp import DEFAULT_MAX_MESSAGE_BYTES, Frame, FrameDecoder, frame

__all__ = ["Handler", "MllpConfig", "MllpServer", "Peer"]

log = logging.getLogger("yibao_sdk.hl7v2.mllp")
_READ = 64 * 1024


@dataclass(frozen=True, slots=True)
class Peer:
    """Who sent a frame.

    :param host: the peer's address.
    :param port: the peer's port.
    :param listener: the server's name (the route, e.g. ``his``).
    :param tls: whether the connection is TLS.
    """

    host: str
    port: int
    listener: str
    tls: bool = False

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


Handler = Callable[[Frame, Peer], Awaitable[bytes | None]]
"""Called with each frame in order; returns the reply (an ACK, unframed) or ``None``."""


@dataclass(frozen=True, slots=True)
class MllpConfig:
    """Limits of an :class:`MllpServer`.

    :param max_message_bytes: longer messages become oversize frames (answered by the handler,
        typically with an AR); one that does not end within as many bytes again closes the
        connection.
    :param idle_timeout: seconds without a byte (and nothing in progress) before the server
        closes the connection; ``None`` keeps idle connections open.
    :param pipeline: frames read ahead per connection before reading pauses.
    :param max_connections: further connections are closed as soon as they open.
    :param write_timeout: seconds a reply may wait for a peer that does not read.
    :param drain_timeout: seconds :meth:`MllpServer.stop` waits for in-flight frames.
    :param tls_handshake_timeout: seconds allowed for the TLS handshake.
    """

    max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES
    idle_timeout: float | None = 300.0
    pipeline: int = 16
    max_connections: int = 256
    write_timeout: float = 30.0
    drain_timeout: float = 30.0
    tls_handshake_timeout: float = 30.0


class _Connection:
    """One client connection: a reader filling a bounded queue, a worker answering in order."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                 handler: Handler, peer: Peer, config: MllpConfig) -> None:
        self.reader, self.writer, self.handler, self.peer = reader, writer, handler, peer
        self.config = config
        self.decoder = FrameDecoder(config.max_message_bytes)
        self.queue: asyncio.Queue[Frame | None] = asyncio.Queue(config.pipeline)
        self.busy = False
        self.reading = False
        self.stopping = False
        self.task: asyncio.Task[None] | None = None
        self.worker: asyncio.Task[None] | None = None
        self.watchdog: asyncio.TimerHandle | None = None
        self.last = 0.0

    async def run(self) -> None:
        self.task = asyncio.current_task()
        self.worker = asyncio.create_task(self._work())
        self.last = asyncio.get_running_loop().time()
        self._watch()
        try:
            await self._read()
        finally:
            if self.watchdog is not None:
                self.watchdog.cancel()
            await self._offer(None)
            if self.worker is not None:
                await self.worker
            self._report()
            await self._close()

    async def _offer(self, item: Frame | None) -> bool:
        """Queue ``item`` for the worker; ``False`` when the worker has stopped."""
        try:
            self.queue.put_nowait(item)
            return True
        except asyncio.QueueFull:
            pass
        put = asyncio.ensure_future(self.queue.put(item))
        assert self.worker is not None
        await asyncio.wait({put, self.worker}, return_when=asyncio.FIRST_COMPLETED)
        if not put.done():
            put.cancel()
            return False
        return True

    async def _read(self) -> None:
        warned = False
        while not self.stopping and not self.decoder.failed:
            data = await self._next_bytes()
            if not data:
                return
            for item in self.decoder.feed(data):
                if not await self._offer(item):
                    return
            if self.decoder.stray and not warned:
                log.warning("%s: skipping stray bytes between frames", self.peer)
                warned = True

    async def _next_bytes(self) -> bytes:
        """The next bytes, or ``b""`` at EOF, idle timeout or stop."""
        self.reading = True
        try:
            return await self.reader.read(_READ)
        except asyncio.CancelledError:
            if not self.stopping:
                raise
            _uncancel()
            return b""
        except (ConnectionError, OSError) as exc:
            log.info("%s: connection lost (%s)", self.peer, type(exc).__name__)
            return b""
        finally:
            self.reading = False
            self.last = asyncio.get_running_loop().time()

    def _watch(self) -> None:
        """Idle watchdog: one timer per connection rather than a timeout per read."""
        idle = self.config.idle_timeout
        if idle is None or self.stopping:
            return
        loop = asyncio.get_running_loop()
        quiet = loop.time() - self.last
        if quiet >= idle and self.reading and not self.busy and self.queue.empty():
            log.info("%s: idle for %ss, closing", self.peer, idle)
            self.stop_reading()
            return
        self.watchdog = loop.call_later(max(idle - quiet, 0.05) if quiet < idle else idle,
                                        self._watch)

    async def _work(self) -> None:
        while (item := await self.queue.get()) is not None:
            self.busy = True
            try:
                reply = await self.handler(item, self.peer)
                if reply is not None:
                    await self._write(reply)
            except Exception as exc:  # no reply: the sender will resend
                log.error("%s: handler failed (%s); closing without a reply", self.peer,
                          type(exc).__name__)
                self._abort()
                return
            finally:
                self.busy = False
            if not item.ended:
                log.warning("%s: oversize frame did not end; closing", self.peer)
                self._abort()
                return

    async def _write(self, reply: bytes) -> None:
        self.writer.write(frame(reply))
        if self.writer.transport.get_write_buffer_size():
            await asyncio.wait_for(self.writer.drain(), self.config.write_timeout)

    def _abort(self) -> None:
        self.stopping = True
        self.writer.transport.abort()

    def stop_reading(self) -> None:
        self.stopping = True
        if self.reading and self.task is not None:
            self.task.cancel()

    def _report(self) -> None:
        d = self.decoder
        if d.pending:
            log.warning("%s: closed mid-frame; %d bytes dropped (never acknowledged)",
                        self.peer, d.pending)
        if d.stray or d.abandoned:
            log.warning("%s: %d stray bytes skipped, %d unfinished frames abandoned",
                        self.peer, d.stray, d.abandoned)

    async def _close(self) -> None:
        self.writer.close()
        with contextlib.suppress(ConnectionError, OSError, TimeoutError, _ssl.SSLError):
            await asyncio.wait_for(self.writer.wait_closed(), 5)


def _uncancel() -> None:
    task = asyncio.current_task()
    if task is not None:
        task.uncancel()


class MllpServer:
    """An MLLP listener.

    >>> async with MllpServer(handler, port=0, name="his") as server:  # doctest: +SKIP
    ...     print(server.port)

    :param handler: called for each frame (see :data:`Handler`).
    :param host: address to bind; loopback by default.
    :param port: port to bind; ``0`` picks a free one (see :attr:`port`).
    :param ssl: a server :class:`ssl.SSLContext` for TLS, or ``None``.
    :param config: limits and timeouts.
    :param name: the listener's name, given to the handler as :attr:`Peer.listener`.
    """

    def __init__(self, handler: Handler, *, host: str = "127.0.0.1", port: int = 0,
                 ssl: _ssl.SSLContext | None = None, config: MllpConfig | None = None,
                 name: str = "mllp") -> None:
        self.handler, self.host, self.name, self.ssl = handler, host, name, ssl
        self.config = config or MllpConfig()
        self._port = port
        self._server: asyncio.Server | None = None
        self._connections: set[_Connection] = set()

    @property
    def port(self) -> int:
        """The bound port (after :meth:`start`)."""
        if self._server is None or not self._server.sockets:
            return self._port
        return int(self._server.sockets[0].getsockname()[1])

    @property
    def connections(self) -> int:
        """Connections open now."""
        return len(self._connections)

    async def start(self) -> None:
        """Bind and start accepting connections."""
        timeout = self.config.tls_handshake_timeout if self.ssl is not None else None
        self._server = await asyncio.start_server(
            self._accept, self.host, self._port, ssl=self.ssl, ssl_handshake_timeout=timeout,
            limit=_READ * 2)
        log.info("%s: MLLP listening on %s:%d%s", self.name, self.host, self.port,
                 " (TLS)" if self.ssl else "")

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        address = writer.get_extra_info("peername") or ("?", 0)
        peer = Peer(str(address[0]), int(address[1]), self.name, self.ssl is not None)
        if len(self._connections) >= self.config.max_connections:
            log.warning("%s: %d connections open; refusing %s", self.name,
                        len(self._connections), peer)
            writer.transport.abort()
            return
        conn = _Connection(reader, writer, self.handler, peer, self.config)
        self._connections.add(conn)
        try:
            await conn.run()
        finally:
            self._connections.discard(conn)

    async def stop(self) -> None:
        """Stop accepting, answer the frames already read, then close every connection."""
        if self._server is None:
            return
        self._server.close()
        tasks = [c.task for c in self._connections if c.task is not None]
        for conn in list(self._connections):
            conn.stop_reading()
        if tasks:
            _, late = await asyncio.wait(tasks, timeout=self.config.drain_timeout)
            for task in late:
                task.cancel()
        await self._server.wait_closed()
        self._server = None
        log.info("%s: MLLP listener stopped", self.name)

    async def __aenter__(self) -> MllpServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()
