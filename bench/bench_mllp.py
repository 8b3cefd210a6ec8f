"""MLLP over one connection: our gateway (store before ACK) beside python-hl7's asyncio server.

Run alone with ``.venv/bin/python -m bench.bench_mllp``; :func:`run` returns the figures.

Both servers get the same DFT^P03 (10 FT1, UTF-8, from :mod:`bench.bench_hl7v2`) from the same
client loop in this process: a blocking socket sends one frame and reads its ACK before
sending the next, over one persistent connection. Each server runs in its own process (spawned
the same way), so client and server have a core each.

* **ours**: :class:`~yibao_sdk.hl7v2.mllp_server.MllpServer` and the gateway on an
  ``after_store`` route: parse, insert into the SQLite message store and commit (WAL,
  ``synchronous=FULL``: the WAL is fsynced before the ACK), build the ACK with
  ``build_ack_fast`` and write it; then, after the ACK, the message is routed (a trivial router
  naming a registered visit, no rules loaded), merged, and marked processed. Also measured with
  ``durable=False`` (``synchronous=NORMAL``: survives a crash of the process, not of the
  machine).
* **python-hl7**: ``hl7.mllp.start_hl7_server`` with a handler that reads each message
  (``readmessage`` parses it) and writes ``message.create_ack()``; it stores nothing.

Goals (issue 4): at least 2,000 messages/s for ours, and at least 3 times python-hl7.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import socket
import statistics
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from bench.bench_hl7v2 import dft_p03
from yibao_sdk.hl7v2.mllp import FrameDecoder, frame

__all__ = ["GOAL_MSGS_PER_S", "GOAL_RATIO", "main", "run"]

GOAL_MSGS_PER_S = 2_000
GOAL_RATIO = 3
_VISIT = "ZY20250301001"  # PV1-19 of the bench message
_KINDS = ("ours", "ours-normal", "python-hl7")


def _bench_router(message: Any) -> Any:
    from yibao_sdk.hl7v2 import Mapped
    return Mapped("his", "DFT^P03", message.control_id, _VISIT)


async def _serve_ours(pipe: Connection, durable: bool) -> None:
    from yibao_sdk.gateway import (
        AckMode,
        AckPolicy,
        Gateway,
        GatewayService,
        RoutePolicy,
        VisitStore,
    )
    from yibao_sdk.hl7v2.mllp_server import MllpServer
    from yibao_sdk.rules import Engine
    from yibao_sdk.store.messages import MessageStore
    from yibao_sdk.testing import factories as f

    with tempfile.TemporaryDirectory() as folder:
        engine = Engine(hospital=f.hospital(), plugins=[], entry_points=False)
        visits = VisitStore(Path(folder) / "visits.sqlite3")
        visits.put(f.visit(visit_id=_VISIT))
        store = MessageStore(Path(folder) / "messages.sqlite3", durable=durable)
        policy = AckPolicy(RoutePolicy(ack=AckMode.AFTER_STORE))
        gateway = Gateway(engine, {"his": _bench_router}, visits, store, policy)
        service = GatewayService(gateway, max_message_bytes=1 << 20)
        server = MllpServer(service.mllp_handler(), name="his")
        await server.start()
        service.bind(asyncio.get_running_loop())
        await _until_told(pipe, server.port)
        await server.stop()
        service.close()
        pipe.send(store.count())
        store.close()
        visits.close()


async def _serve_python_hl7(pipe: Connection) -> None:
    import hl7.mllp  # type: ignore[import-untyped]

    async def answer(reader: Any, writer: Any) -> None:
        try:
            while not writer.is_closing():
                message = await reader.readmessage()
                writer.writemessage(message.create_ack())
                await writer.drain()
        except asyncio.IncompleteReadError:
            pass
        finally:
            writer.close()

    server = await hl7.mllp.start_hl7_server(answer, "127.0.0.1", 0, encoding="utf-8")
    await _until_told(pipe, int(server.sockets[0].getsockname()[1]))
    server.close()
    pipe.send(0)


async def _until_told(pipe: Connection, port: int) -> None:
    pipe.send(port)
    await asyncio.to_thread(pipe.recv)


def _server_main(kind: str, pipe: Connection) -> None:
    if kind == "python-hl7":
        asyncio.run(_serve_python_hl7(pipe))
    else:
        asyncio.run(_serve_ours(pipe, durable=kind == "ours"))


def _client(port: int, message: bytes, count: int, warmup: int) -> float:
    """Send ``warmup`` then ``count`` messages, each after the previous ACK; messages/s."""
    data, decoder = frame(message), FrameDecoder()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        started = 0.0
        for i in range(warmup + count):
            if i == warmup:
                started = time.perf_counter()
            sock.sendall(data)
            while not decoder.feed(sock.recv(65536)):
                pass
        return count / (time.perf_counter() - started)


def _measure(kind: str, message: bytes, count: int, warmup: int) -> tuple[float, int]:
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    process = context.Process(target=_server_main, args=(kind, theirs), daemon=True)
    process.start()
    try:
        port = ours.recv()
        rate = _client(port, message, count, warmup)
        ours.send("stop")
        stored = int(ours.recv())
    finally:
        process.join(timeout=30)
        if process.is_alive():
            process.kill()
    return rate, stored


def run(messages: int = 2000, warmup: int = 200, rounds: int = 3) -> dict[str, float]:
    """Measure both servers (and ours without fsync) with the same message and client.

    The servers take turns, ``rounds`` times; each figure is the median of its rounds (the
    fsync of this machine's disk varies from one second to the next).
    """
    message = dft_p03()
    found: dict[str, list[float]] = {kind: [] for kind in _KINDS}
    stored = 0
    for _ in range(rounds):
        for kind in _KINDS:
            rate, count = _measure(kind, message, messages, warmup)
            found[kind].append(rate)
            stored = max(stored, count)
    ours, normal, theirs = (statistics.median(found[kind]) for kind in _KINDS)
    return {"ours_msgs_per_s": ours, "ours_normal_msgs_per_s": normal,
            "python_hl7_msgs_per_s": theirs, "ratio": ours / theirs,
            "ratio_normal": normal / theirs, "stored": float(stored),
            "message_bytes": float(len(message)), "messages": float(messages),
            "rounds": float(rounds)}


def main() -> None:
    """Print the figures and whether the goals are met."""
    parser = argparse.ArgumentParser(prog="python -m bench.bench_mllp", description=__doc__)
    parser.add_argument("--messages", type=int, default=2000, help="timed messages per round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per server (median)")
    args = parser.parse_args()
    figures = run(args.messages, rounds=args.rounds)
    print(f"MLLP, one connection, DFT^P03 with 10 FT1 ({figures['message_bytes']:.0f} bytes), "
          f"median of {args.rounds} rounds of {args.messages} messages each")
    print(f"  ours, store before ACK (FULL): {figures['ours_msgs_per_s']:8.0f} msg/s  "
          f"(goal {GOAL_MSGS_PER_S})")
    print(f"  ours, store before ACK (NORMAL): {figures['ours_normal_msgs_per_s']:6.0f} msg/s")
    print(f"  python-hl7 + create_ack:       {figures['python_hl7_msgs_per_s']:8.0f} msg/s")
    print(f"  ratio {figures['ratio']:.1f}x (NORMAL {figures['ratio_normal']:.1f}x; "
          f"goal {GOAL_RATIO}x)")


if __name__ == "__main__":
    main()
