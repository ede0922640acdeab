"""Requests side by side, for one client: sessions, the bound, the log.

``requests.Session`` is not guaranteed thread-safe, so each request in
flight has a session of its own, taken from a queue of ``size`` sessions
for the length of one round trip: the queue is the bound on requests in
flight (a thread waiting in a retry's backoff holds none). The sessions
share one cookie jar (``http.cookiejar`` locks itself), so the CSRF
``session`` cookie fetched by one serves every write.

The request log stays what a sequential run would write: each call that
``run`` makes logs into a list of its own, and the lists are appended to
the caller's log in the order the calls were submitted, whatever order
they finished in. A call made from inside another (a kind's list read that
pages) nests the same way.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

import requests

from superset_iac.superset.records import RequestRecord
from superset_iac.superset.wire import new_session

T = TypeVar("T")
R = TypeVar("R")


class RequestPool:
    def __init__(self, base_url: str, size: int) -> None:
        if size < 1:
            raise ValueError(f"concurrency must be at least 1, got {size}")
        self.size = size
        self.requests: list[RequestRecord] = []
        self._local = threading.local()
        self._all = [new_session(base_url) for _ in range(size)]
        for session in self._all[1:]:
            session.cookies = self._all[0].cookies
        # Last in, first out: one request at a time keeps reusing one connection.
        self._idle: queue.LifoQueue[requests.Session] = queue.LifoQueue()
        for session in reversed(self._all):
            self._idle.put(session)

    @property
    def cookies(self) -> requests.cookies.RequestsCookieJar:
        """The one cookie jar every session of the pool shares (the login's)."""
        return self._all[0].cookies

    @contextlib.contextmanager
    def session(self) -> Iterator[requests.Session]:
        """A session for one round trip (waits while ``size`` are in flight)."""
        session = self._idle.get()
        try:
            yield session
        finally:
            self._idle.put(session)

    def log(self) -> list[RequestRecord]:
        """Where this thread logs: the list of the call it runs, else ``requests``."""
        current: list[RequestRecord] | None = getattr(self._local, "log", None)
        return self.requests if current is None else current

    def run(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """``fn(item)`` for each item, ``size`` at a time; results in item order.

        The first exception in item order is raised once every call that
        started has ended (calls not yet started are dropped), so what is
        reported is what a sequential run would have met first.
        """
        todo = list(items)
        if self.size == 1 or len(todo) < 2:
            return [fn(item) for item in todo]
        logs: list[list[RequestRecord]] = [[] for _ in todo]

        def call(i: int) -> R:
            self._local.log = logs[i]
            try:
                return fn(todo[i])
            finally:
                self._local.log = None

        into = self.log()
        with ThreadPoolExecutor(min(self.size, len(todo)), "superset-iac") as executor:
            futures = [executor.submit(call, i) for i in range(len(todo))]
            failed = _first_failure(futures)
            if failed is not None:
                executor.shutdown(wait=True, cancel_futures=True)
        for records in logs:
            into.extend(records)
        if failed is not None:
            raise failed
        return [f.result() for f in futures]

    def close(self) -> None:
        for session in self._all:
            session.close()


def _first_failure(futures: list[Future]) -> BaseException | None:
    for future in futures:
        error = future.exception()
        if error is not None:
            return error
    return None
