"""``yibao mock-province``: run the mock provincial platform in the foreground.

::

    python -m yibao_sdk.adapters.provincial.mock --port 8097 --profile guangdong \
        [--db mock.sqlite3] [--persons persons.json] [--faults faults.toml] [--level 2] \
        [--sign-in-ttl 3600] [--no-verify] [--host 127.0.0.1]

``--profile`` is a built-in name (``national``, ``guangdong``, ``hebei``) or a TOML profile
file. Signer secrets come from the environment variables the profile names (e.g.
``YIBAO_TIF_PAASID``/``YIBAO_TIF_SECRET`` for the x-tif profiles); ``--no-verify`` accepts
unsigned requests instead. Ctrl-C (SIGINT) or SIGTERM stops the server cleanly.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..builtin_profiles import BUILTIN_PROFILES
from ..errors import ProfileError
from ..profiles import ProvinceProfile, load_profile
from ..signing.errors import SigningError
from .config import MockConfig
from .faults import FaultPlan
from .server import MockPlatform

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """The command line of ``mock-province``."""
    parser = argparse.ArgumentParser(
        prog="yibao mock-province",
        description="Run the mock provincial insurance platform (loopback HTTP).")
    parser.add_argument("--host", default="127.0.0.1", help="address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8097, help="port (default 8097; 0: any)")
    parser.add_argument("--profile", default="national",
                        help=f"built-in profile ({', '.join(BUILTIN_PROFILES)}) or TOML file")
    parser.add_argument("--db", type=Path, help="SQLite state file (default: in memory)")
    parser.add_argument("--persons", type=Path, help="persons fixture (default: bundled)")
    parser.add_argument("--faults", type=Path, help="fault plan, JSON or TOML")
    parser.add_argument("--level", choices=("1", "2", "3"), default="3",
                        help="hospital level of every institution (default 3)")
    parser.add_argument("--sign-in-ttl", type=float, help="seconds a sign_no stays valid")
    parser.add_argument("--no-verify", action="store_true",
                        help="do not verify request signatures (nor sign replies)")
    return parser


def _profile(name: str) -> ProvinceProfile:
    if name in BUILTIN_PROFILES:
        return BUILTIN_PROFILES[name]
    return load_profile(name)


def main(argv: list[str] | None = None) -> int:
    """Run the server until interrupted; 0 on a clean stop, 2 on a configuration error."""
    args = build_parser().parse_args(argv)
    config = replace(MockConfig(), hospital_level=args.level, sign_in_ttl=args.sign_in_ttl,
                     verify_signatures=not args.no_verify)
    try:
        platform = MockPlatform(
            _profile(args.profile), host=args.host, port=args.port, db=args.db,
            persons=args.persons, config=config,
            faults=FaultPlan.load(args.faults) if args.faults else None,
        )
    except (ProfileError, SigningError, ValueError, OSError) as exc:
        print(f"yibao mock-province: {exc}", file=sys.stderr)
        return 2
    base = platform.client_profile.base_url
    stopping = threading.Event()
    previous = _on_signals(stopping)
    platform.start()
    print(f"mock provincial platform ({platform.profile.name}) on {platform.url}; "
          f"base URL {base}. Ctrl-C stops.", flush=True)
    try:
        while not stopping.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        platform.stop()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 0


def _on_signals(stopping: threading.Event) -> dict[int, Any]:
    """SIGINT and SIGTERM set ``stopping`` (only a flag is touched in the handler); the previous
    handlers, to restore. Outside the main thread nothing is installed (Ctrl-C still works)."""
    previous: dict[int, Any] = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            previous[signum] = signal.signal(signum, lambda *_: stopping.set())
        except ValueError:  # not the main thread
            break
    return previous
