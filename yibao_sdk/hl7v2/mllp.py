"""MLLP framing (最小下层协议): the incremental frame decoder the server and the client share.

A frame is ``0x0B <message> 0x1C 0x0D``. :class:`FrameDecoder` is fed whatever the socket
returned and hands back every frame that completed, so that many frames per connection, several
frames per read and frames split over reads all work (hl7apy's server reads one frame per
connection; ours reads until the peer closes). Bytes outside a frame (a sender's ``\\r\\n``
between frames, junk after a reconnect) are skipped and counted, never kept. A start byte inside
an unfinished frame abandons that frame: the sender started over, and what it sent before was
never acknowledged.

A frame longer than ``max_size`` is not buffered: its first ``head_size`` bytes are kept (enough
for MSH, so the reject can echo MSH-10) and the rest is counted until the frame ends, giving an
``oversize`` :class:`Frame`. If it does not end within another ``max_size`` bytes the decoder
gives up (``ended=False``) and the connection must be closed.

See :mod:`yibao_sdk.hl7v2.mllp_server` and :mod:`yibao_sdk.hl7v2.mllp_client`.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_MAX_MESSAGE_BYTES", "END", "START", "Frame", "FrameDecoder", "frame"]

START = b"\x0b"
"""Start block (VT)."""
END = b"\x1c\r"
"""End block (FS) and carriage return."""
DEFAULT_MAX_MESSAGE_BYTES = 8 * 1024 * 1024
"""Largest message accepted by default: 8 MiB (a lab report with an embedded PDF fits)."""
_HEAD = 2048
_VT, _FS, _CR = 0x0B, 0x1C, 0x0D


def frame(message: bytes) -> bytes:
    """``message`` wrapped in MLLP start and end bytes."""
    return START + message + END


@dataclass(frozen=True, slots=True)
class Frame:
    """One frame read from a connection.

    :param data: the message bytes; for an oversize frame only its first bytes.
    :param size: the message's length in bytes, as sent.
    :param oversize: the message was longer than the decoder's ``max_size``.
    :param ended: ``False`` for an oversize frame that did not end in time (close the
        connection: whatever follows cannot be framed reliably).
    """

    data: bytes
    size: int
    oversize: bool = False
    ended: bool = True

    def __repr__(self) -> str:  # never show message content (personal data)
        return f"Frame(size={self.size}, oversize={self.oversize}, ended={self.ended})"


class FrameDecoder:
    """Turns a byte stream into :class:`Frame` objects.

    :param max_size: the largest message kept whole; longer ones become oversize frames.
    :param head_size: bytes of an oversize message kept (for the reject's MSH).
    :ivar stray: bytes skipped outside frames so far.
    :ivar abandoned: frames dropped because a new start byte arrived before their end.
    :ivar failed: ``True`` once an oversize frame did not end in time; feed nothing more.
    """

    def __init__(self, max_size: int = DEFAULT_MAX_MESSAGE_BYTES, *,
                 head_size: int = _HEAD) -> None:
        if max_size < 1:
            raise ValueError("max_size must be positive")
        self.max_size = max_size
        self.head_size = min(head_size, max_size)
        self.stray = 0
        self.abandoned = 0
        self.failed = False
        self._inside = False
        self._buf = bytearray()
        self._size = 0
        self._head = b""
        self._over = False
        self._fs_tail = False

    @property
    def pending(self) -> int:
        """Bytes of a frame begun but not ended (lost if the connection closes now)."""
        return self._size if self._inside else 0

    def feed(self, data: bytes) -> list[Frame]:
        """Consume ``data``; return the frames it completed, in order."""
        out: list[Frame] = []
        pos, end = 0, len(data)
        while pos < end and not self.failed:
            if self._inside:
                pos = self._inside_step(data, pos, out)
                continue
            start = data.find(START, pos)
            if start == -1:
                self.stray += end - pos
                break
            self.stray += start - pos
            self._begin()
            pos = start + 1
        return out

    def _begin(self) -> None:
        self._inside, self._over, self._size, self._head = True, False, 0, b""
        self._fs_tail = False
        self._buf.clear()

    def _inside_step(self, data: bytes, pos: int, out: list[Frame]) -> int:
        """Consume ``data[pos:]`` inside a frame; return where to go on."""
        if data[pos] == _CR and self._size and self._last_was_fs():  # FS ended the last read
            self._finish(out, drop=1)
            return pos + 1
        stop = data.find(END, pos)
        restart = data.find(START, pos, len(data) if stop == -1 else stop)
        if restart != -1:  # the sender started over: the unfinished frame is dropped
            self._append(data, pos, restart, out)
            self.abandoned += 1
            self._begin()
            return restart + 1
        if stop == -1:
            self._append(data, pos, len(data), out)
            return len(data)
        self._append(data, pos, stop, out)
        if self._inside:
            self._finish(out)
        return stop + 2

    def _last_was_fs(self) -> bool:
        return bool(self._buf[-1:] == b"\x1c") if not self._over else self._fs_tail

    def _append(self, data: bytes, start: int, stop: int, out: list[Frame]) -> None:
        chunk = data[start:stop]
        self._size += len(chunk)
        if not self._over and self._size <= self.max_size:
            self._buf += chunk
            return
        if not self._over:  # crossing the limit now: keep the head, drop the rest
            self._over = True
            self._head = bytes((self._buf + chunk)[:self.head_size])
            self._buf.clear()
        self._fs_tail = chunk[-1:] == b"\x1c"
        if self._size > 2 * self.max_size:
            self.failed = True
            self._inside = False
            out.append(Frame(self._head, self._size, oversize=True, ended=False))

    def _finish(self, out: list[Frame], drop: int = 0) -> None:
        size = self._size - drop
        if self._over:
            out.append(Frame(self._head, size, oversize=True))
        else:
            out.append(Frame(bytes(self._buf[:size]), size))
        self._inside = False
        self._buf.clear()
