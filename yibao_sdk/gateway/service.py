"""Runs a :class:`~yibao_sdk.gateway.Gateway` on the event loop for the network front ends.

Every message is handled on the event-loop thread, one at a time, in the order frames were
read: the MLLP handler stores the message and returns its ACK; on an ``after_store`` route the
processing (route, merge, rules) is queued with ``call_soon`` and runs right after the ACK was
written. The FHIR endpoint's threads hand their Bundles over to the loop.

Why not worker threads: the work is Python (the GIL runs one thread at a time), and the only
wait, the commit's fsync, is the one the ACK must wait for anyway. Measured with one connection,
handing each message to a thread cost a third of the throughput (GIL and wake-up hand-offs).
The price is that a long message (hundreds of items through the rules) holds up the other
connections meanwhile, as it would hold up a single processing thread.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from typing import Any

from yibao_sdk.gateway.fhir import handle_bundle
from yibao_sdk.gateway.pipeline import Gateway, Receipt
from yibao_sdk.hl7v2.mllp import Frame
from yibao_sdk.hl7v2.mllp_server import Handler, Peer

__all__ = ["GatewayService"]

log = logging.getLogger("yibao_sdk.gateway")


class GatewayService:
    """The gateway behind MLLP and HTTP.

    :param gateway: the pipeline.
    :param max_message_bytes: the MLLP limit (named in the reject of an oversize message).
    """

    def __init__(self, gateway: Gateway, *, max_message_bytes: int) -> None:
        self.gateway = gateway
        self.max_message_bytes = max_message_bytes
        self._later: deque[Receipt] = deque()
        self._loop: asyncio.AbstractEventLoop | None = None

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Use ``loop`` for queued processing and for the FHIR endpoint's hand-over."""
        self._loop = loop

    def recover(self) -> int:
        """Process what a crash left ``received`` (call it before any listener starts)."""
        return self.gateway.recover()

    def mllp_handler(self) -> Handler:
        """The :data:`~yibao_sdk.hl7v2.mllp_server.Handler` for :class:`MllpServer`."""
        async def handle(frame: Frame, peer: Peer) -> bytes | None:
            return self.on_frame(frame, peer)
        return handle

    def on_frame(self, frame: Frame, peer: Peer) -> bytes | None:
        """Store one frame and return its ACK (a store failure raises: no ACK is sent)."""
        if frame.oversize:
            return self.gateway.reject_oversize(frame.data, frame.size, self.max_message_bytes,
                                                peer=str(peer), listener=peer.listener)
        receipt = self.gateway.receive(frame.data, peer=str(peer), listener=peer.listener)
        if receipt.message is None:
            return receipt.ack
        if receipt.ack is None:
            return self.gateway.process(receipt)
        self._later.append(receipt)
        loop = self._loop or asyncio.get_running_loop()
        loop.call_soon(self._process_next)
        return receipt.ack

    def _process_next(self) -> None:
        if not self._later:
            return
        receipt = self._later.popleft()
        try:
            self.gateway.process(receipt, ack=False)
        except Exception as exc:  # stays received: recover() picks it up on the next start
            log.error("message %d: processing failed (%s)", receipt.message_id,
                      type(exc).__name__)

    def fhir_bundle(self, body: bytes, peer: str) -> tuple[int, dict[str, Any]]:
        """HTTP thread: one Bundle to its status and OperationOutcome, run on the loop."""
        if self._loop is None:
            return handle_bundle(self.gateway, body, peer=peer)
        future = asyncio.run_coroutine_threadsafe(self._bundle(body, peer), self._loop)
        return future.result()

    async def _bundle(self, body: bytes, peer: str) -> tuple[int, dict[str, Any]]:
        return handle_bundle(self.gateway, body, peer=peer)

    def close(self) -> None:
        """Process the acknowledged messages still queued."""
        while self._later:
            self._process_next()
