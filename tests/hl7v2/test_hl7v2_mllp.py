"""MLLP transport: the frame decoder, and our asyncio server and client on loopback."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import logging
import ssl
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from yibao_sdk.hl7v2 import Hl7Error, build_ack_fast, build_reject, parse_message
from yibao_sdk.hl7v2.mllp import END, START, Frame, FrameDecoder, frame
from yibao_sdk.hl7v2.mllp_client import MllpClient, MllpError
from yibao_sdk.hl7v2.mllp_server import MllpConfig, MllpServer, Peer

_T = TypeVar("_T")
SECRET = "张三110101199003077777"  # content that must never reach a log


def message(control_id: str, filler: str = "") -> bytes:
    return (f"MSH|^~\\&|HIS|H1|YBGW|YB|20260302090000||ADT^A01^ADT_A01|{control_id}|P|2.5\r"
            f"PID|1||P1||{SECRET}{filler}").encode()


def run(body: Callable[[], Awaitable[_T]], timeout: float = 20.0) -> _T:
    async def bounded() -> _T:
        return await asyncio.wait_for(body(), timeout)
    return asyncio.run(bounded())


async def ack_handler(item: Frame, peer: Peer) -> bytes:
    """AA for each message; AR naming the size for an oversize one."""
    if item.oversize:
        error = Hl7Error(f"message of {item.size} bytes is too large", code=104)
        return build_reject(item.data, error).encode()
    return build_ack_fast(parse_message(item.data), "AA").encode()


def control(ack: bytes) -> tuple[str, str]:
    parsed = parse_message(ack)
    return parsed["MSA-1"], parsed["MSA-2"]


# --- the decoder -------------------------------------------------------------------------

STREAM = b"\r\n" + frame(b"MSH|1") + b"junk" + frame(b"MSH|2") + frame(b"A" * 150) + frame(b"X")


@pytest.mark.parametrize("cut", range(len(STREAM) + 1))
def test_mllp_decoder_reads_frames_split_at_any_byte(cut: int) -> None:
    decoder = FrameDecoder(100, head_size=10)
    frames = decoder.feed(STREAM[:cut]) + decoder.feed(STREAM[cut:])
    assert [f.data for f in frames] == [b"MSH|1", b"MSH|2", b"A" * 10, b"X"]
    assert [f.oversize for f in frames] == [False, False, True, False]
    assert frames[2].size == 150 and frames[2].ended
    assert decoder.stray == 6 and decoder.pending == 0


def test_mllp_decoder_byte_by_byte_and_pending() -> None:
    decoder = FrameDecoder()
    frames = [f for b in STREAM for f in decoder.feed(bytes([b]))]
    assert len(frames) == 4
    assert decoder.feed(START + b"MSH|partial") == [] and decoder.pending == 11


def test_mllp_decoder_start_byte_abandons_an_unfinished_frame() -> None:
    decoder = FrameDecoder()
    assert decoder.feed(START + b"MSH|cut" + START + b"MSH|ok" + END) == [
        Frame(b"MSH|ok", 6)]
    assert decoder.abandoned == 1


def test_mllp_decoder_gives_up_on_an_oversize_frame_that_does_not_end() -> None:
    decoder = FrameDecoder(100)
    frames = decoder.feed(START + b"B" * 250)
    assert frames[0].oversize and not frames[0].ended and decoder.failed


def test_mllp_frame_repr_hides_content() -> None:
    assert SECRET not in repr(Frame(message("C1"), 10))


# --- the server and client ---------------------------------------------------------------

def test_mllp_hundred_messages_on_one_connection_in_order() -> None:
    async def body() -> list[tuple[str, str]]:
        async with MllpServer(ack_handler) as server, \
                MllpClient("127.0.0.1", server.port) as client:
            return [control(await client.send(message(f"M{i:03d}"))) for i in range(100)]
    assert run(body) == [("AA", f"M{i:03d}") for i in range(100)]


def test_mllp_pipelined_frames_in_one_write_are_all_answered_in_order() -> None:
    async def body() -> list[tuple[str, str]]:
        async with MllpServer(ack_handler) as server, \
                MllpClient("127.0.0.1", server.port) as client:
            await client.write(b"".join(frame(message(f"P{i}")) for i in range(30)))
            return [control(await client.receive()) for _ in range(30)]
    assert run(body) == [("AA", f"P{i}") for i in range(30)]


def test_mllp_two_concurrent_connections() -> None:
    async def sender(port: int, tag: str) -> list[str]:
        async with MllpClient("127.0.0.1", port) as client:
            return [control(await client.send(message(f"{tag}{i}")))[1] for i in range(50)]

    async def body() -> tuple[list[str], list[str], int]:
        async with MllpServer(ack_handler) as server:
            a, b = await asyncio.gather(sender(server.port, "A"), sender(server.port, "B"))
            return a, b, server.connections
    a, b, _ = run(body)
    assert a == [f"A{i}" for i in range(50)] and b == [f"B{i}" for i in range(50)]


def test_mllp_stray_bytes_between_frames_are_skipped_and_never_logged(
        caplog: pytest.LogCaptureFixture) -> None:
    async def body() -> list[str]:
        async with MllpServer(ack_handler) as server, \
                MllpClient("127.0.0.1", server.port) as client:
            await client.write(b"\r\n" + frame(message("S1")) + SECRET.encode() + b"\n"
                               + frame(message("S2")))
            acks = [control(await client.receive())[1] for _ in range(2)]
        return acks
    with caplog.at_level(logging.DEBUG, logger="yibao_sdk.hl7v2.mllp"):
        assert run(body) == ["S1", "S2"]
    assert "stray" in caplog.text
    assert SECRET not in caplog.text and "110101" not in caplog.text


def test_mllp_oversize_frame_gets_ar_and_the_connection_stays_usable() -> None:
    async def body() -> tuple[tuple[str, str], str, tuple[str, str]]:
        config = MllpConfig(max_message_bytes=1000)
        async with MllpServer(ack_handler, config=config) as server, \
                MllpClient("127.0.0.1", server.port) as client:
            reject = await client.send(message("BIG", "x" * 1500))
            text = parse_message(reject)["ERR-8"]
            return control(reject), text, control(await client.send(message("NEXT")))
    reject, text, after = run(body)
    assert reject == ("AR", "BIG") and "too large" in text
    assert after == ("AA", "NEXT")


def test_mllp_oversize_frame_that_never_ends_closes_the_connection() -> None:
    async def body() -> bytes:
        async with MllpServer(ack_handler, config=MllpConfig(max_message_bytes=500)) as server, \
                MllpClient("127.0.0.1", server.port) as client:
            await client.write(START + message("HUGE", "y" * 2000))
            reject = await client.receive()
            with pytest.raises(MllpError):
                await client.send(message("AFTER"))
            return reject
    assert control(run(body)) == ("AR", "HUGE")


def test_mllp_idle_timeout_closes_the_connection() -> None:
    async def body() -> int:
        async with MllpServer(ack_handler, config=MllpConfig(idle_timeout=0.2)) as server, \
                MllpClient("127.0.0.1", server.port) as client:
            await client.send(message("I1"))
            with pytest.raises(MllpError, match="closed"):
                await client.receive()  # nothing sent: the server closes after 0.2 s
            return server.connections
    assert run(body, timeout=10) == 0


def test_mllp_handler_failure_closes_without_a_reply() -> None:
    async def failing(item: Frame, peer: Peer) -> bytes:
        raise RuntimeError("boom")

    async def body() -> None:
        async with MllpServer(failing) as server, \
                MllpClient("127.0.0.1", server.port) as client:
            with pytest.raises(MllpError):
                await client.send(message("F1"))
    run(body)


def test_mllp_stop_answers_the_frames_already_read_then_closes() -> None:
    started = asyncio.Event

    async def body() -> list[str]:
        busy = started()

        async def slow(item: Frame, peer: Peer) -> bytes:
            busy.set()
            await asyncio.sleep(0.05)
            return await ack_handler(item, peer)

        server = MllpServer(slow, config=MllpConfig(pipeline=8))
        await server.start()
        async with MllpClient("127.0.0.1", server.port) as client:
            await client.write(b"".join(frame(message(f"D{i}")) for i in range(5)))
            await busy.wait()
            await asyncio.sleep(0.02)  # let the reader queue all five frames
            stopping = asyncio.create_task(server.stop())
            acks = [control(await client.receive())[1] for _ in range(5)]
            await stopping
            with pytest.raises(MllpError):
                await client.receive()
        return acks
    assert run(body) == [f"D{i}" for i in range(5)]


def test_mllp_peer_and_listener_reach_the_handler() -> None:
    seen: list[Peer] = []

    async def record(item: Frame, peer: Peer) -> bytes:
        seen.append(peer)
        return await ack_handler(item, peer)

    async def body() -> None:
        async with MllpServer(record, name="lis") as server, \
                MllpClient("127.0.0.1", server.port) as client:
            await client.send(message("P1"))
    run(body)
    assert seen[0].listener == "lis" and seen[0].host == "127.0.0.1" and not seen[0].tls
    assert str(seen[0]).startswith("127.0.0.1:")


def test_mllp_client_errors_are_typed() -> None:
    async def body() -> None:
        client = MllpClient("127.0.0.1", 1, timeout=2)
        with pytest.raises(MllpError, match="cannot connect"):
            await client.connect()
        with pytest.raises(MllpError, match="not connected"):
            await client.send(b"MSH|x")
    run(body)


def _self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "gw.pem", folder / "gw.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def test_mllp_tls_round_trip(tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(cert, key)
    client_ctx = ssl.create_default_context(cafile=str(cert))
    seen: list[bool] = []

    async def record(item: Frame, peer: Peer) -> bytes:
        seen.append(peer.tls)
        return await ack_handler(item, peer)

    async def body() -> list[tuple[str, str]]:
        async with MllpServer(record, ssl=server_ctx) as server, \
                MllpClient("127.0.0.1", server.port, ssl=client_ctx,
                           server_hostname="localhost") as client:
            return [control(await client.send(message(f"T{i}"))) for i in range(3)]
    assert run(body) == [("AA", "T0"), ("AA", "T1"), ("AA", "T2")]
    assert seen == [True, True, True]


def test_mllp_tls_refuses_an_untrusted_server(tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(cert, key)

    async def body() -> None:
        async with MllpServer(ack_handler, ssl=server_ctx) as server:
            client = MllpClient("127.0.0.1", server.port, ssl=ssl.create_default_context(),
                                server_hostname="localhost", timeout=5)
            with pytest.raises(MllpError):
                await client.connect()
    run(body)
