"""Fast HL7 v2: a lazy tokenizer, hl7apy-backed ACKs and validation, typed errors."""

from __future__ import annotations

from yibao_sdk.hl7v2.ack import AckError, build_ack_fast, build_reject
from yibao_sdk.hl7v2.batch import Batch, BatchFile, parse_batch
from yibao_sdk.hl7v2.build import build_ack, validate_structure
from yibao_sdk.hl7v2.delimiters import Delimiters, escape, unescape
from yibao_sdk.hl7v2.errors import (
    Hl7BuildError,
    Hl7EncodingError,
    Hl7Error,
    Hl7ParseError,
    Hl7PathError,
    Hl7VersionError,
)
from yibao_sdk.hl7v2.fields import Hl7MappingError, Hl7UnsupportedError
from yibao_sdk.hl7v2.mapped import ItemResolver, Mapped, Router
from yibao_sdk.hl7v2.message import Group, Message
from yibao_sdk.hl7v2.parse import VERSIONS, parse_message
from yibao_sdk.hl7v2.segment import Field, Segment

__all__ = [
    "VERSIONS",
    "AckError",
    "Batch",
    "BatchFile",
    "Delimiters",
    "Field",
    "Group",
    "Hl7BuildError",
    "Hl7EncodingError",
    "Hl7Error",
    "Hl7MappingError",
    "Hl7ParseError",
    "Hl7PathError",
    "Hl7UnsupportedError",
    "Hl7VersionError",
    "ItemResolver",
    "Mapped",
    "Message",
    "Router",
    "Segment",
    "build_ack",
    "build_ack_fast",
    "build_reject",
    "escape",
    "parse_batch",
    "parse_message",
    "unescape",
    "validate_structure",
]
