"""MLLP with the gateway behind it: python-hl7 clients, crashes, and store before ACK."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
import textwrap
from pathlib import Path

import hl7
import hl7.mllp
import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
for extra in (HERE.parent / "gateway", ROOT):  # the gateway test support; bench/
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

from test_gateway_support import ADT, dft, make_gateway, msa, run  # noqa: E402

from yibao_sdk.gateway import Gateway, GatewayService  # noqa: E402
from yibao_sdk.hl7v2.mllp import START, frame  # noqa: E402
from yibao_sdk.hl7v2.mllp_client import MllpClient, MllpError  # noqa: E402
from yibao_sdk.hl7v2.mllp_server import MllpServer  # noqa: E402
from yibao_sdk.store.messages import MessageState, MessageStore, MessageStoreError  # noqa: E402

MLLP_SEND = Path(sys.executable).with_name("mllp_send")


def charges(n: int, first: int = 1) -> list[bytes]:
    return [dft((f"C{i:03d}", "001102000030000", 1, "10"), control_id=f"D{i:03d}")
            for i in range(first, first + n)]


async def _serving(gateway: Gateway) -> tuple[MllpServer, GatewayService]:
    service = GatewayService(gateway, max_message_bytes=1 << 20)
    server = MllpServer(service.mllp_handler(), name="his")
    await server.start()
    service.bind(asyncio.get_running_loop())
    return server, service


def test_mllp_python_hl7_asyncio_client_gets_an_ack_for_each_message(tmp_path: Path) -> None:
    gateway = make_gateway(tmp_path)

    async def body() -> list[tuple[str, str]]:
        server, service = await _serving(gateway)
        reader, writer = await hl7.mllp.open_hl7_connection("127.0.0.1", server.port,
                                                           encoding="utf-8")
        acks = []
        for raw in [ADT, *charges(20)]:
            writer.writemessage(hl7.parse(raw.decode()))
            await writer.drain()
            ack = await asyncio.wait_for(reader.readmessage(), 10)
            acks.append((str(ack.segment("MSA")[1]), str(ack.segment("MSA")[2])))
        writer.close()
        await server.stop()
        service.close()
        return acks
    acks = run(body)
    assert acks == [("AA", "ADT0001")] + [("AA", f"D{i:03d}") for i in range(1, 21)]
    assert gateway.messages.count(MessageState.PROCESSED) == 21


@pytest.mark.skipif(not MLLP_SEND.exists(), reason="python-hl7's mllp_send is not installed")
def test_mllp_send_cli_delivers_a_batch_and_gets_acks(tmp_path: Path) -> None:
    gateway = make_gateway(tmp_path)
    batch = tmp_path / "batch.hl7"
    batch.write_bytes(b"".join(frame(m) for m in [ADT, *charges(9)]))

    async def body() -> tuple[int, bytes]:
        server, service = await _serving(gateway)
        process = await asyncio.create_subprocess_exec(
            str(MLLP_SEND), "--file", str(batch), "--port", str(server.port), "127.0.0.1",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, _ = await asyncio.wait_for(process.communicate(), 20)
        await server.stop()
        service.close()
        return process.returncode or 0, out
    status, out = run(body)
    assert status == 0
    acks = [msa(block.strip(b"\x0b\x1c\r\n")) for block in out.split(b"\x1c") if b"MSA" in block]
    assert [(code, ctrl) for code, ctrl, _ in acks] == (
        [("AA", "ADT0001")] + [("AA", f"D{i:03d}") for i in range(1, 10)])
    assert gateway.messages.count() == 10


def test_mllp_disconnect_mid_frame_loses_nothing_acknowledged(tmp_path: Path) -> None:
    async def first_run() -> list[str]:
        gateway = make_gateway(tmp_path)
        server, service = await _serving(gateway)
        client = MllpClient("127.0.0.1", server.port)
        await client.connect()
        acked = [msa(await client.send(m))[1] for m in [ADT, *charges(5)]]
        await client.write(START + charges(1, first=99)[0][:80])  # half a frame, then crash
        client.abort()
        await asyncio.sleep(0.05)
        await server.stop()
        service.close()
        gateway.messages.close()
        return acked

    acked = run(first_run)
    assert acked == ["ADT0001", "D001", "D002", "D003", "D004", "D005"]

    async def restarted() -> list[str]:  # a new server on the same store
        gateway = make_gateway(tmp_path)
        server, service = await _serving(gateway)
        async with MllpClient("127.0.0.1", server.port) as client:
            after = msa(await client.send(charges(1, first=6)[0]))[1]
        await server.stop()
        service.close()
        stored = [row.control_id for row in gateway.messages.list()]
        assert gateway.messages.pending() == ()
        return [*stored, after]
    stored = run(restarted)
    assert stored[:6] == acked and "D099" not in stored
    assert stored[6:] == ["D006", "D006"]


def test_mllp_every_ack_follows_its_commit(tmp_path: Path) -> None:
    """At the moment each ACK arrives, another connection to the file already sees the row."""
    gateway = make_gateway(tmp_path)
    reader = sqlite3.connect(tmp_path / "messages.sqlite3")

    async def body() -> list[bool]:
        server, service = await _serving(gateway)
        seen = []
        async with MllpClient("127.0.0.1", server.port) as client:
            for raw in [ADT, *charges(30)]:
                ctrl = msa(await client.send(raw))[1]
                row = reader.execute("SELECT count(*) FROM messages WHERE control_id = ?",
                                     (ctrl,)).fetchone()
                seen.append(row[0] == 1)
        await server.stop()
        service.close()
        return seen
    assert all(run(body))
    reader.close()


_KILLER = textwrap.dedent("""
    import asyncio, os, sys
    sys.path[:0] = [sys.argv[2], sys.argv[3]]
    from test_gateway_support import engine, router
    from yibao_sdk.gateway import Gateway, GatewayService, VisitStore
    from yibao_sdk.hl7v2.mllp_server import MllpServer
    from yibao_sdk.store.messages import MessageStore

    def on_commit(ident):
        if ident == 3:  # committed, not yet answered: the process dies here
            os._exit(9)

    async def main():
        store = MessageStore(sys.argv[1], on_commit=on_commit)
        service = GatewayService(Gateway(engine(), {"his": router}, VisitStore(), store),
                                 max_message_bytes=1 << 20)
        server = MllpServer(service.mllp_handler(), name="his")
        await server.start()
        print(server.port, flush=True)
        await asyncio.sleep(60)

    asyncio.run(main())
""")


def test_mllp_a_crash_between_store_and_ack_never_acks_an_unstored_message(
        tmp_path: Path) -> None:
    db = tmp_path / "killed.sqlite3"

    async def body() -> list[str]:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-c", _KILLER, str(db), str(HERE.parent / "gateway"), str(ROOT),
            stdout=asyncio.subprocess.PIPE)
        assert process.stdout is not None
        port = int(await asyncio.wait_for(process.stdout.readline(), 20))
        acked = []
        async with MllpClient("127.0.0.1", port, timeout=10) as client:
            for raw in [ADT, *charges(4)]:
                try:
                    acked.append(msa(await client.send(raw))[1])
                except MllpError:
                    break
        assert await asyncio.wait_for(process.wait(), 10) == 9
        return acked
    acked = run(body, timeout=40)
    assert acked == ["ADT0001", "D001"]
    stored = [row.control_id for row in MessageStore(db).list()]
    assert stored == ["ADT0001", "D001", "D002"]  # the third was stored, never acknowledged


class _BrokenStore(MessageStore):
    def receive(self, raw: bytes, **kwargs: object) -> int:  # type: ignore[override]
        raise MessageStoreError("disk full")


def test_mllp_a_store_failure_sends_no_ack(tmp_path: Path) -> None:
    gateway = make_gateway()
    gateway.messages = _BrokenStore(tmp_path / "broken.sqlite3")

    async def body() -> None:
        server, service = await _serving(gateway)
        async with MllpClient("127.0.0.1", server.port, timeout=5) as client:
            with pytest.raises(MllpError):
                await client.send(ADT)
        await server.stop()
        service.close()
    run(body)
    assert gateway.messages.count() == 0


def test_mllp_bench_runs_and_reports_both_servers() -> None:
    from bench.bench_mllp import run as bench_run
    figures = bench_run(messages=30, warmup=5, rounds=1)
    assert figures["ours_msgs_per_s"] > 0 and figures["python_hl7_msgs_per_s"] > 0
    assert figures["stored"] == 35 and figures["ratio"] > 0
