"""``python -m yibao_sdk.adapters.provincial.mock``: see :mod:`.cli`."""

from __future__ import annotations

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
