"""Turn ``requests`` exceptions into a short message and a "was it sent?" verdict.

Whether the request reached the server decides what may be retried: a request
that never left (connection refused, DNS, connect timeout, TLS handshake) is
safe to repeat even for POST, while one that was sent and then lost (read
timeout, dropped connection) may have been applied.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass

import requests
from urllib3.exceptions import NameResolutionError, NewConnectionError


@dataclass(frozen=True)
class Failure:
    message: str
    sent: bool
    # The whole timeout was spent waiting: repeating would wait as long again.
    timed_out: bool = False


def describe(
    exc: requests.RequestException, origin: str, timeout: float | tuple[float, float]
) -> Failure:
    """Classify a transport failure talking to ``origin`` (scheme://host:port)."""
    connect_s, read_s = timeout if isinstance(timeout, tuple) else (timeout, timeout)
    if isinstance(exc, requests.exceptions.SSLError):
        return Failure(
            f"TLS error talking to {origin}: {_short(exc)}; pass verify=<CA bundle path> "
            "for a private certificate authority",
            sent=False,
        )
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return Failure(f"cannot reach {origin}: no connection within {connect_s:g} s",
                       sent=False, timed_out=True)
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return Failure(f"no answer from {origin} within {read_s:g} s (raise it with --timeout "
                       "or SUPERSET_IAC_TIMEOUT)", sent=True, timed_out=True)
    if isinstance(exc, requests.exceptions.ConnectionError):
        return _connection(exc, origin)
    return Failure(f"request to {origin} failed: {_short(exc)}", sent=True)


def _connection(exc: requests.exceptions.ConnectionError, origin: str) -> Failure:
    cause = _cause(exc)
    if isinstance(cause, NameResolutionError):
        return Failure(f"cannot reach {origin}: host name not found", sent=False)
    if isinstance(cause, NewConnectionError):
        refused = (
            isinstance(cause.__context__, ConnectionRefusedError)
            or _errno(cause) == errno.ECONNREFUSED
        )
        reason = "connection refused" if refused or "refused" in str(cause) else _short(cause)
        return Failure(f"cannot reach {origin}: {reason}", sent=False)
    return Failure(f"connection to {origin} dropped: {_short(cause or exc)}", sent=True)


def _cause(exc: BaseException) -> BaseException | None:
    """The urllib3 error inside requests' wrapper (``MaxRetryError.reason``)."""
    inner = exc.args[0] if exc.args else None
    return getattr(inner, "reason", inner) if isinstance(inner, BaseException) else None


def _errno(exc: BaseException) -> int | None:
    context = exc.__context__
    return getattr(context, "errno", None)


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]
