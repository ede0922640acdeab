"""A mail server on 127.0.0.1 that the production stand-in's reports deliver to.

The stand-in is started with ``smtp_env()`` (its relay: this port, no TLS, no
login), so a report that Superset's Celery worker runs is sent here; a test
that wants to read it starts ``MailSink`` on that port (aiosmtpd: a real SMTP
server in the test process) and waits for the message with ``wait_for``,
polling, within a bound.
"""

from __future__ import annotations

import email
import socket
import threading
import time
from collections.abc import Callable
from email.message import Message
from functools import lru_cache

from aiosmtpd.controller import Controller


@lru_cache(maxsize=1)
def smtp_port() -> int:
    """The port the session's production stand-ins relay through (free when chosen)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def smtp_env() -> dict[str, str]:
    """superset_config.py's relay settings for the stand-in."""
    return {"SUPERSET_SMTP_HOST": "127.0.0.1", "SUPERSET_SMTP_PORT": str(smtp_port()),
            "SUPERSET_SMTP_STARTTLS": "false", "SUPERSET_SMTP_SSL": "false",
            "SUPERSET_SMTP_MAIL_FROM": "superset@example.com"}


class Delivered:
    """One message as the server received it: envelope and parsed content."""

    def __init__(self, mail_from: str, rcpt_tos: list[str], content: bytes) -> None:
        self.mail_from, self.rcpt_tos = mail_from, rcpt_tos
        self.message: Message = email.message_from_bytes(content)

    @property
    def subject(self) -> str:
        return str(self.message["Subject"] or "")

    def attachments(self) -> dict[str, bytes]:
        """File name -> content of every attached part."""
        out = {}
        for part in self.message.walk():
            name = part.get_filename()
            if name:
                out[name] = part.get_payload(decode=True) or b""
        return out


class _Handler:
    def __init__(self) -> None:
        self.messages: list[Delivered] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's name)
        with self.lock:
            self.messages.append(Delivered(envelope.mail_from, list(envelope.rcpt_tos),
                                           envelope.content))
        return "250 OK"


class MailSink:
    def __init__(self, port: int | None = None) -> None:
        self._handler = _Handler()
        self._controller = Controller(self._handler, hostname="127.0.0.1",
                                      port=port or smtp_port())

    def __enter__(self) -> "MailSink":
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()

    @property
    def messages(self) -> list[Delivered]:
        with self._handler.lock:
            return list(self._handler.messages)

    def wait_for(self, matches: Callable[[Delivered], bool], timeout: float,
                 explain: Callable[[], str] = lambda: "") -> Delivered:
        """The first message ``matches`` accepts, polled every second up to ``timeout``."""
        deadline = time.monotonic() + timeout
        while True:
            found = [m for m in self.messages if matches(m)]
            if found:
                return found[0]
            if time.monotonic() > deadline:
                raise AssertionError(f"no matching mail within {timeout:.0f} s "
                                     f"({len(self.messages)} other(s)); {explain()}")
            time.sleep(1.0)
