"""Mock platform throughput: 1101 calls per second over loopback, keep-alive, one client thread.

``python -m yibao_sdk.adapters.provincial.mock.bench [SECONDS]`` prints the figure. The client
signs in once, then posts one prebuilt 1101 body (a query: its msgid may repeat) on one
persistent :class:`http.client.HTTPConnection` and checks each reply's ``infcode``, so the
figure is the mock's cost per call (routing, envelope and sign-in checks, the lookup, the
reply) plus a minimal HTTP round trip. (``requests`` alone costs about as much per call as
the mock on a typical machine; it would measure the client, not the mock.) Server and client
share one process, as the tests do.
"""

from __future__ import annotations

import http.client
import sys
import time
from urllib.parse import urlsplit

from ..builtin_profiles import NATIONAL
from .harness import MockClient
from .server import start_mock

__all__ = ["mock_throughput"]

_PSN_NO = "44010099000000000001"


def mock_throughput(seconds: float) -> float:
    """1101 calls per second the mock answers in ``seconds`` of wall time.

    :raises RuntimeError: a reply is not a success.
    """
    with start_mock(NATIONAL) as mock, MockClient(mock) as client:
        client.sign_in()
        request = client.build("1101", {"data": {"mdtrt_cert_type": "02",
                                                 "mdtrt_cert_no": _PSN_NO,
                                                 "psn_cert_type": "01"}})
        body, headers = request.content(), request.headers
        path = urlsplit(request.url).path
        connection = http.client.HTTPConnection(mock.host, mock.port, timeout=10)
        calls = 0
        try:
            started = time.perf_counter()
            deadline = started + seconds
            while time.perf_counter() < deadline:
                connection.request("POST", path, body=body, headers=headers)
                reply = connection.getresponse().read()
                if b'"infcode":0' not in reply:
                    raise RuntimeError(f"1101 failed: {reply[:200]!r}")
                calls += 1
            return calls / (time.perf_counter() - started)
        finally:
            connection.close()


def main(argv: list[str] | None = None) -> int:
    """Print the throughput for ``argv[0]`` seconds (default 3)."""
    args = sys.argv[1:] if argv is None else argv
    seconds = float(args[0]) if args else 3.0
    print(f"mock platform: {mock_throughput(seconds):,.0f} calls/s "
          f"(1101, loopback, keep-alive, one client thread, {seconds:g} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
