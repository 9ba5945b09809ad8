"""Listeners on 127.0.0.1 and a stand-in for the internet, for what the product sends out
(webhooks, pages and feeds it fetches), and the check of a webhook's signature.

``Internet`` stands in for the internet: a name of its own resolves to a public address, and
a connection to that address reaches a listener here (the only thing the tests replace is
the last hop of the network)."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import ipaddress
import socket
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from truceline.core import outbound

if TYPE_CHECKING:
    import pytest


class Listener:
    """An HTTP server on 127.0.0.1 that keeps every request it gets and answers each with
    the next (status, headers) of ``script``, then 200."""

    def __init__(self, body: bytes = b"ok") -> None:
        self.got: list[dict[str, Any]] = []
        self.script: list[tuple[int, dict[str, str]]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                data = self.rfile.read(length) if length else b""
                status, headers = outer.script.pop(0) if outer.script else (200, {})
                outer.got.append(
                    {
                        "method": self.command,
                        "path": self.path,
                        "headers": dict(self.headers),
                        "body": data,
                    }
                )
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = answer

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str = "/", host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"


@contextlib.contextmanager
def listeners() -> Iterator[Callable[..., Listener]]:
    """Listeners made on demand (``make(body)``), shut down on leaving."""
    made: list[Listener] = []

    def make(body: bytes = b"ok") -> Listener:
        made.append(Listener(body))
        return made[-1]

    try:
        yield make
    finally:
        for listener in made:
            listener.server.shutdown()
            listener.server.server_close()


class Internet:
    """Public names for listeners: ``serve(name, listener)`` makes ``name`` resolve to a public
    address of its own, and a connection to that address reach the listener. ``answers``
    gives a name a sequence of answers (the last one repeats). Every other name and address
    resolves and connects as usual."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.answers: dict[str, list[str]] = {}
        self.routes: dict[str, int] = {}  # public address -> the listener's port on 127.0.0.1
        self.lookups: list[str] = []
        self.connections: list[str] = []
        real_lookup, real_open = socket.getaddrinfo, outbound._open_socket

        def lookup(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
            if host not in self.answers:
                return real_lookup(host, port, *args, **kwargs)
            self.lookups.append(host)
            queue = self.answers[host]
            address = queue.pop(0) if len(queue) > 1 else queue[0]
            if ipaddress.ip_address(address).version == 6:
                return [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0))]
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

        def connect(family: int, sockaddr: tuple[Any, ...], timeout: float) -> socket.socket:
            self.connections.append(str(sockaddr[0]))
            if sockaddr[0] in self.routes:
                return real_open(socket.AF_INET, ("127.0.0.1", self.routes[sockaddr[0]]), timeout)
            return real_open(family, sockaddr, timeout)

        monkeypatch.setattr(socket, "getaddrinfo", lookup)
        monkeypatch.setattr(outbound, "_open_socket", connect)

    def serve(self, name: str, listener: Listener, path: str = "/") -> str:
        address = f"93.184.215.{len(self.routes) + 10}"
        self.routes[address] = listener.port
        self.answers[name] = [address]
        return listener.url(path, host=name)


def signed_correctly(got: dict[str, Any], secret: str) -> bool:
    stamp = got["headers"]["Truceline-Timestamp"]
    mac = hmac.new(secret.encode(), f"{stamp}.".encode() + got["body"], hashlib.sha256)
    return hmac.compare_digest(got["headers"]["Truceline-Signature"], "v1=" + mac.hexdigest())
