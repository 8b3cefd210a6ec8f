"""9101 文件上传 and 9102 文件下载, and the file store 3202 writes its result into.

9101 ``fsUploadIn.in`` is accepted as a JSON array of bytes or as Base64 text (both spellings
seen, reference §5); the answer is a ticket (``file_qury_no``, ``filename``, ``dld_endtime``).
9102 answers with the file's bytes (``application/zip`` for a ZIP), or refuses in JSON when
the ticket is unknown, another institution's, for another file name, or past ``dld_endtime``.
"""

from __future__ import annotations

import base64
import binascii
import io
import zipfile
from typing import Any

from ...wire.files import Input9101, Input9102
from ..protocol import Refusal
from .base import Call, FileOutput, Output, new_id

__all__ = ["download", "store_file", "unzip_text", "upload", "zip_text"]


def _bytes(value: Any) -> bytes:
    try:
        if isinstance(value, list):
            return bytes(value)
        if isinstance(value, str):
            return base64.b64decode(value, validate=True)
    except (ValueError, TypeError, binascii.Error) as exc:
        raise Refusal(f"fsUploadIn.in is neither a byte array nor Base64: {exc}") from exc
    raise Refusal(f"fsUploadIn.in must be a byte array or Base64 text, not "
                  f"{type(value).__name__}")


def upload(call: Call) -> Output:
    """9101: store the file; the ticket to cite it (3202) or fetch it (9102)."""
    raw = call.input.get("fsUploadIn")
    if not isinstance(raw, dict):
        raise Refusal("input.fsUploadIn is required")
    data = call.parse(Input9101, {"fsUploadIn": {**raw, "in": _bytes(raw.get("in"))}})
    upload_in = data.fs_upload_in
    if upload_in.fixmedins_code != call.fixmedins_code:
        raise Refusal("fsUploadIn.fixmedins_code differs from the envelope's")
    return store_file(call, upload_in.in_, upload_in.filename)


def store_file(call: Call, content: bytes, filename: str) -> dict[str, Any]:
    """Keep ``content`` for 9102; the ticket."""
    ticket = new_id(call, "file", "F")
    until = call.now + call.env.config.file_ttl
    call.tx.insert("files", {"file_qury_no": ticket, "filename": filename,
                             "fixmedins_code": call.fixmedins_code, "content": content,
                             "dld_endtime": until, "at": call.now})
    return {"file_qury_no": ticket, "filename": filename, "dld_endtime": until}


def download(call: Call) -> Output:
    """9102: the file itself."""
    wanted = call.parse(Input9102).fs_download_in
    row = call.tx.one("SELECT * FROM files WHERE file_qury_no = ?", wanted.file_qury_no)
    if row is None or row["fixmedins_code"] != call.fixmedins_code:
        raise Refusal(f"file_qury_no {wanted.file_qury_no} 不存在 (no such file)")
    if row["filename"] != wanted.filename:
        raise Refusal(f"file_qury_no {wanted.file_qury_no} is not {wanted.filename}")
    if row["dld_endtime"] < call.now.strftime("%Y-%m-%d %H:%M:%S"):
        raise Refusal(f"file_qury_no {wanted.file_qury_no} expired at {row['dld_endtime']}")
    return FileOutput(bytes(row["content"]), row["filename"])


def zip_text(name: str, text: str, encoding: str = "utf-8") -> bytes:
    """A ZIP holding one text file."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, text.encode(encoding))
    return buffer.getvalue()


def unzip_text(content: bytes, encoding: str = "utf-8") -> tuple[str, str]:
    """The first ``.txt`` member of a ZIP (name, text).

    :raises Refusal: not a ZIP, no ``.txt`` member, or not ``encoding`` text.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            name = next(n for n in archive.namelist() if n.lower().endswith(".txt"))
            return name, archive.read(name).decode(encoding)
    except (zipfile.BadZipFile, StopIteration, UnicodeDecodeError) as exc:
        raise Refusal(f"the detail file is not a ZIP holding a {encoding} .txt file") from exc
