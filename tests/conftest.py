"""Suite-wide guard: in CI the shared corpus must be present, so corpus tests never skip there."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def pytest_sessionstart(session: pytest.Session) -> None:
    """Without ``../shared`` corpus tests skip locally; in CI that is an error."""
    if os.environ.get("CI") and not CORPUS.is_dir():
        raise pytest.UsageError(f"CI: the shared corpus is missing at {CORPUS}")
