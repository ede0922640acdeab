"""Real sockets on 127.0.0.1 that misbehave the way a broken Superset does.

``silent_server``: accepts every connection and never answers a byte (a hung
gunicorn worker, a proxy whose backend is gone).

``DyingServer``: answers login, the CSRF token and creates like Superset,
then, at the create it was told to die on, drops the connection without an
answer and stops listening: every later connection is refused.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@contextmanager
def silent_server() -> Iterator[tuple[str, list[socket.socket]]]:
    """``(url, accepted connections)``; nothing is ever sent back."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.05)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except (TimeoutError, OSError):
                continue
            accepted.append(conn)  # held open, never read, never answered

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}", accepted
    finally:
        stop.set()
        thread.join()
        for conn in accepted:
            conn.close()
        listener.close()


class DyingServer:
    """Creates succeed until create number ``die_at`` (1-based), which kills the server."""

    def __init__(self, die_at: int) -> None:
        self.die_at = die_at
        self.creates: list[str] = []  # paths of the creates the server carried out
        self.seen: list[str] = []     # every request line that reached it
        self.dead = threading.Event()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> DyingServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.die()

    def die(self) -> None:
        if not self.dead.is_set():
            self.dead.set()
            self.httpd.shutdown()
            self.httpd.server_close()  # from now on: connection refused

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # keep test output clean
                pass

            def _answer(self, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(200 if "id" not in body else 201)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                server.seen.append(f"GET {self.path}")
                self._answer({"result": "csrf-token-1"})

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                server.seen.append(f"POST {self.path}")
                if self.path.endswith("/security/login"):
                    self._answer({"access_token": "access-token-1", "refresh_token": "refresh-token-1"})
                    return
                if len(server.creates) + 1 == server.die_at:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)  # no answer: a reset
                    threading.Thread(target=server.die, daemon=True).start()
                    return
                server.creates.append(self.path)
                self._answer({"id": len(server.creates), "result": {}})

        return Handler
