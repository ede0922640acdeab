"""How the client talks to Superset: one request, with everything it needs.

- **Auth**, lazily on the first request: ``POST /api/v1/security/login`` for
  access + refresh tokens; on a 401 the access token is refreshed (or, failing
  that, the client logs in again) and the request repeated once. With only an
  ``access_token`` (SSO deployments) there is nothing to refresh with, so a 401
  is reported with that explanation.
- **CSRF**: Superset's own write endpoints need ``X-CSRFToken`` plus the
  ``session`` cookie set when the token was issued, and a ``Referer`` over
  HTTPS. The token is fetched once, before the first write, and fetched again
  once if the server says it expired or is missing.
- **Retries** with exponential backoff on connection errors and 502/503/504,
  only for requests that are safe to repeat (GET, HEAD, PUT, DELETE, and any
  request that provably never left). A POST that may have been applied raises
  ``TransientWriteError`` instead: a blind repeat could create a duplicate.
- **Rate limits**: a 429 (a production Superset limits every client to
  ``RATELIMIT_APPLICATION``, 50 requests a second by default) means the
  request was refused before it ran, so any method is repeated, after the
  ``Retry-After`` the server gives (at most ``MAX_RETRY_AFTER`` s) or the backoff.
  A **timeout** is never retried: a server that accepts connections and does
  not answer would otherwise hold a run for (retries + 1) times the timeout,
  and "no answer within N s" would not be true.
- **Errors** as one ``ApiError`` type whose ``str()`` is one line, with
  secrets (password, tokens, CSRF token, URI passwords) redacted. ``status``
  None means no answer came at all (see ``server_unreachable``).
- **A request log** (``client.requests``); up to ``concurrency`` requests in
  flight, each on a session of its own (``pool.py``), tokens fetched or renewed
  under one lock (one login, one CSRF fetch, one renewal after a 401).

Redirects are never followed: an API that redirects is misconfigured (wrong
scheme or host) or is sending us to the browser login page, and both are
clearer as an error than as an HTML page parsed as JSON.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from typing import Any, Self

import requests

from superset_iac.superset import failures
from superset_iac.superset.errors import (
    ApiError,
    TransientWriteError,
    redact,
    server_message,
)
from superset_iac.superset.pool import RequestPool
from superset_iac.superset.records import API, AUTH, WRITE_METHODS, RequestRecord
from superset_iac.superset.timeouts import CONNECT_TIMEOUT, DEFAULT_TIMEOUT  # noqa: F401
from superset_iac.superset.version import SECURITY_API_HELP
from superset_iac.superset.wire import (
    is_csrf_failure,
    json_body,
    origin,
    prepare,
    redirect_message,
)

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1/"
LOGIN_PATH = "/api/v1/security/login"
REFRESH_PATH = "/api/v1/security/refresh"
CSRF_PATH = "/api/v1/security/csrf_token/"

# PUT and DELETE are idempotent in Superset's API: repeating one yields the same state.
REPEATABLE_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE"})
TRANSIENT_STATUSES = frozenset({502, 503, 504})
RATE_LIMITED = 429
MAX_RETRY_AFTER = 10.0  # seconds: a longer wait asked for is capped, not obeyed blindly
_MISSING_ROUTE = "requested URL was not found on the server"
# flask-jwt-extended answers 401 (expired) or 422 (malformed) with {"msg": …}.
_TOKEN_ONLY_HINT = (
    " (the access token was rejected and, without a password, cannot be renewed: supply a new one)"
)


def timeouts(seconds: float) -> tuple[float, float]:
    """``(connect, read)`` for a ``--timeout`` of ``seconds``."""
    return (min(CONNECT_TIMEOUT, seconds), seconds)


def server_unreachable(err: BaseException) -> bool:
    """Whether ``err`` (or what it wraps) is a request that got no answer at all:
    connection refused or reset, DNS, TLS, a timeout. After one, the next
    request of the same run would most likely meet the same fate."""
    seen: set[int] = set()
    current: BaseException | None = err
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ApiError) and current.status is None:
            return True
        current = current.__cause__ or current.__context__
    return False


class Transport:
    """Requests to one Superset server as one user: auth, CSRF, retries, errors.

    Give either ``username`` + ``password`` (database or LDAP login via
    ``provider``) or an ``access_token`` obtained elsewhere (SSO). ``timeout``
    is ``(connect, read)`` seconds or one number for both; ``verify`` is True,
    False or a CA bundle path; ``retries`` counts repeats after the first
    attempt, waiting ``backoff * 2**n`` seconds before repeat ``n``;
    ``concurrency`` bounds the requests in flight at once (1: one at a time).
    """

    def __init__(
        self,
        url: str,
        *,
        username: str | None = None,
        password: str | None = None,
        access_token: str | None = None,
        provider: str = "db",
        timeout: float | tuple[float, float] = (CONNECT_TIMEOUT, DEFAULT_TIMEOUT),
        verify: bool | str = True,
        retries: int = 3,
        backoff: float = 0.5,
        concurrency: int = 1,
    ) -> None:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"Superset URL must start with http:// or https://, got {url!r}")
        if not access_token and not (username and password):
            raise ValueError("give either username and password, or access_token")
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self._username = username
        self._password = password
        self._provider = provider
        self._access_token = access_token
        self._refresh_token: str | None = None
        self._csrf_token: str | None = None
        self._verify = verify
        self._auth_lock = threading.RLock()
        self._pool = RequestPool(self.url, concurrency)
        self.requests = self._pool.requests

    def __repr__(self) -> str:
        auth = f"user {self._username!r}" if self._password else "access token"
        return f"{type(self).__name__}(url={self.url!r}, auth={auth})"

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._pool.close()

    @property
    def concurrency(self) -> int:  # requests in flight at most
        return self._pool.size

    # -- request pipeline -------------------------------------------------------

    def _request(
        self, method: str, path: str, *, kind: str = API, **kwargs: Any
    ) -> requests.Response:
        """Send with auth, CSRF and retries; return a 2xx response or raise ``ApiError``."""
        url, shown = self._resolve(path)
        kwargs = prepare(method, kwargs)
        needs_csrf = method in WRITE_METHODS
        if needs_csrf:
            self._ensure_csrf()
        sent_csrf = self._csrf_token
        response = self._send_authed(method, url, shown, kind, **kwargs)
        if needs_csrf and is_csrf_failure(response):
            log.debug(
                "CSRF token rejected (%s); fetching a new one", server_message(response.content)
            )
            self._renew_csrf(sent_csrf)
            response = self._send_authed(method, url, shown, kind, **kwargs)
        if not 200 <= response.status_code < 300:
            raise self._error_from(method, shown, response)
        return response

    def _send_authed(
        self, method: str, url: str, shown: str, kind: str, **kwargs: Any
    ) -> requests.Response:
        """Send with the access token; on a 401 renew it once and repeat."""
        self._ensure_login()
        sent_token = self._access_token
        response = self._send(method, url, shown, kind, **kwargs)
        if response.status_code == 401 and self._renew_token(sent_token):
            response = self._send(method, url, shown, kind, **kwargs)
        return response

    def _send(
        self, method: str, url: str, shown: str, kind: str, **kwargs: Any
    ) -> requests.Response:
        """One logical request with retries; raises ``ApiError`` if no response ever came."""
        repeatable = method in REPEATABLE_METHODS or kind == AUTH
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            try:
                response = self._attempt(method, url, shown, kind, **kwargs)
            except requests.RequestException as exc:
                failure = failures.describe(exc, origin(self.url), self.timeout)
                if (repeatable or not failure.sent) and not last and not failure.timed_out:
                    self._pause(attempt)
                    continue
                raise self._transport_error(method, shown, failure, repeatable) from exc
            if response.status_code == RATE_LIMITED and not last:
                self._pause(attempt, response.headers.get("Retry-After"))
                continue
            if response.status_code not in TRANSIENT_STATUSES:
                return response
            if not repeatable:
                raise self._unknown_outcome(method, shown, response)
            if last:
                return response
            self._pause(attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    def _attempt(
        self, method: str, url: str, shown: str, kind: str, **kwargs: Any
    ) -> requests.Response:
        """One HTTP round trip, logged whatever happens."""
        headers = {**self._credentials(), **kwargs.pop("headers", {})}
        with self._pool.session() as session:
            started = time.monotonic()
            status: int | None = None
            try:
                response = session.request(
                    method,
                    url,
                    timeout=self.timeout,
                    verify=self._verify,
                    allow_redirects=False,
                    headers=headers,
                    **kwargs,
                )
                status = response.status_code
                return response
            finally:
                elapsed = time.monotonic() - started
                self._pool.log().append(RequestRecord(method, shown, status, elapsed, kind))
            log.debug("%s %s → %s in %.3fs", method, shown, status, elapsed)

    def _body(self, response: requests.Response) -> Any:
        return json_body(response, self._secrets())

    def _pause(self, attempt: int, retry_after: str | None = None) -> None:
        delay = self.backoff * 2**attempt
        if retry_after is not None:
            with contextlib.suppress(ValueError):  # an HTTP date: the backoff will do
                delay = min(max(float(retry_after), 0.0), MAX_RETRY_AFTER)
        if delay > 0:
            time.sleep(delay)

    def _resolve(self, path: str) -> tuple[str, str]:
        shown = path if path.startswith("/") else API_PREFIX + path
        return self.url + shown, shown

    # -- auth -------------------------------------------------------------------

    def _credentials(self) -> dict[str, str]:
        """The headers every request carries once they are known (a request's own
        headers override them: the login sends none, the refresh its own token)."""
        headers = {}
        if self._access_token is not None:
            headers["Authorization"] = f"Bearer {self._access_token}"
        if self._csrf_token is not None:
            headers["X-CSRFToken"] = self._csrf_token
        return headers

    def _ensure_login(self) -> None:
        if self._access_token is None:
            with self._auth_lock:  # one login, whichever thread asks first
                if self._access_token is None:
                    self._login()

    def _login(self) -> None:
        body = {
            "username": self._username,
            "password": self._password,
            "provider": self._provider,
            "refresh": True,
        }
        url, shown = self._resolve(LOGIN_PATH)
        response = self._send("POST", url, shown, AUTH, json=body, headers={"Authorization": None})
        if response.status_code != 200:
            hint = (
                " (check the username, password and provider)"
                if response.status_code == 401
                else ""
            )
            raise self._error_from("POST", shown, response, hint)
        tokens = response.json()
        self._access_token = tokens["access_token"]
        self._refresh_token = tokens.get("refresh_token")

    def _renew_token(self, refused: str | None) -> bool:
        """Get a new access token after ``refused`` met a 401; False when there is
        no way to. A thread that finds it renewed already by another uses that one."""
        with self._auth_lock:
            if self._access_token is not None and self._access_token != refused:
                return True
            if self._refresh_token and self._refresh():
                return True
            if self._password:
                self._access_token = None
                self._ensure_login()
                return True
            return False

    def _refresh(self) -> bool:
        url, shown = self._resolve(REFRESH_PATH)
        response = self._send(
            "POST", url, shown, AUTH, headers={"Authorization": f"Bearer {self._refresh_token}"}
        )
        if response.status_code != 200:
            log.debug("token refresh refused (%s); logging in again", response.status_code)
            self._refresh_token = None
            return False
        self._access_token = response.json()["access_token"]
        return True

    def _ensure_csrf(self) -> None:
        if self._csrf_token is not None:
            return
        with self._auth_lock:  # one fetch: the token belongs to the shared cookie
            if self._csrf_token is not None:
                return
            url, shown = self._resolve(CSRF_PATH)
            response = self._send_authed("GET", url, shown, AUTH)
            if response.status_code != 200:
                raise self._error_from("GET", shown, response)
            self._csrf_token = json_body(response)["result"]

    def _renew_csrf(self, refused: str | None) -> None:
        with self._auth_lock:
            if self._csrf_token == refused:
                self._csrf_token = None
        self._ensure_csrf()

    # -- errors -----------------------------------------------------------------

    def _secrets(self) -> list[str]:
        values = (self._password, self._access_token, self._refresh_token, self._csrf_token)
        return [v for v in values if v]

    def _error_from(
        self, method: str, shown: str, response: requests.Response, hint: str = ""
    ) -> ApiError:
        if 300 <= response.status_code < 400:
            message = redirect_message(response)
        else:
            message = server_message(
                response.content, response.headers.get("Content-Type", ""), response.reason or ""
            )
        return ApiError(
            method,
            shown,
            response.status_code,
            redact(message + hint + self._hint(response), self._secrets()),
            credentials_refused=_token_refused(response),
        )

    def _hint(self, response: requests.Response) -> str:
        status = response.status_code
        if _token_refused(response) and not self._password:
            return _TOKEN_ONLY_HINT
        if status == 404 and "/security/" in response.url and _MISSING_ROUTE in response.text:
            return f" ({SECURITY_API_HELP})"
        return ""

    def _transport_error(
        self, method: str, shown: str, failure: failures.Failure, repeatable: bool
    ) -> ApiError:
        message = redact(failure.message, self._secrets())
        if failure.sent and not repeatable:
            return TransientWriteError(
                method, shown, None, f"{message}; it may or may not have been applied"
            )
        return ApiError(method, shown, None, message)

    def _unknown_outcome(
        self, method: str, shown: str, response: requests.Response
    ) -> TransientWriteError:
        plain = self._error_from(method, shown, response)
        return TransientWriteError(
            method, shown, plain.status, f"{plain.message}; it may or may not have been applied"
        )


def _token_refused(response: requests.Response) -> bool:
    """flask-jwt-extended's refusals: 401 or 422 with a ``msg`` body."""
    return response.status_code in (401, 422) and '"msg"' in response.text
