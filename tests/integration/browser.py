"""Headless Chromium driven through the DevTools protocol, standard library only.

Chromium is started with ``--remote-debugging-pipe``: it reads protocol
commands from file descriptor 3 and writes answers and events to descriptor
4, each a JSON message ended by a NUL byte. Compared with a websocket or a
WebDriver this has the fewest moving parts: no port to pick or race for, no
endpoint discovery, no driver binary whose version must match the browser,
and no new dependency. The browser is Debian's (/usr/bin/chromium); nothing
is downloaded at run time.

Only what the dashboard check needs is here: open a page, type into it,
evaluate JavaScript, wait for a condition, take a screenshot, read the body
of a response the page received (network events are recorded).
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

CHROMIUM = "/usr/bin/chromium"
# As root in a container: no sandbox, no GPU, nothing that phones home.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--hide-scrollbars", "--mute-audio",
         # Only loopback is ever resolved: Superset's pages embed a telemetry
         # pixel (scarf.sh) that must not leave the machine.
         "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1")
# The descriptors Chromium's --remote-debugging-pipe uses.
CHILD_READS, CHILD_WRITES = 3, 4


def _is_request(request: dict[str, Any], method: str | None, path: str) -> bool:
    """Whether a DevTools request is a `method` (any: None) to a URL path ending with `path`."""
    return (method in (None, request["method"])
            and urlsplit(request["url"]).path.endswith(path))


class BrowserError(RuntimeError):
    """The browser answered a command with an error, died, or a wait timed out."""


def find_chromium() -> str | None:
    """$CHROMIUM if set (and nothing else then), else Debian's Chromium, else None."""
    if os.environ.get("CHROMIUM"):
        candidates = [os.environ["CHROMIUM"]]
    else:
        candidates = [CHROMIUM, shutil.which("chromium") or ""]
    return next((c for c in candidates if c and os.access(c, os.X_OK)), None)


class Browser:
    """One headless Chromium with a fresh profile and one page (a flat session)."""

    def __init__(self, executable: str, *, width: int = 1400, height: int = 1000,
                 timeout: float = 30.0) -> None:
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="superset-iac-chromium-")
        # Chromium's own output, quoted when it dies (a missing library, a crash).
        self.log = Path(self.profile) / "chromium.log"
        self.events: list[dict] = []
        self._answers: queue.Queue[dict] = queue.Queue()
        self._next_id = 0
        self._proc, self._to_child, self._from_child = self._spawn(executable, width, height)
        self._reader = threading.Thread(target=self._read_loop, daemon=True)
        self._reader.start()
        try:
            self._open_page(width, height)
        except BaseException:
            self.close()
            raise

    def _open_page(self, width: int, height: int) -> None:
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.page(f"{domain}.enable")
        self.page("Emulation.setDeviceMetricsOverride", width=width, height=height,
                  deviceScaleFactor=1, mobile=False)

    # ------------------------------------------------------------ process

    def _spawn(self, executable: str, width: int, height: int) -> tuple[subprocess.Popen, Any, Any]:
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()

        def place_pipes() -> None:
            # Runs in the child between fork and exec: system calls only, no
            # lock taken, so preexec_fn's hazard with threads does not apply.
            # Both ends go above 4 first, so that placing one on 3 or 4
            # cannot overwrite the other, then where Chromium looks for them.
            high_r = fcntl.fcntl(to_child_r, fcntl.F_DUPFD, 10)
            high_w = fcntl.fcntl(from_child_w, fcntl.F_DUPFD, 10)
            os.dup2(high_r, CHILD_READS)
            os.dup2(high_w, CHILD_WRITES)

        args = [executable, *FLAGS, f"--user-data-dir={self.profile}",
                f"--window-size={width},{height}", "--remote-debugging-pipe", "about:blank"]
        with open(self.log, "wb") as log:
            proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                    pass_fds=(CHILD_READS, CHILD_WRITES), preexec_fn=place_pipes)
        os.close(to_child_r)
        os.close(from_child_w)
        return proc, os.fdopen(to_child_w, "wb", buffering=0), os.fdopen(from_child_r, "rb")

    def close(self) -> None:
        """Ask the browser to quit, kill it if it does not, remove the profile."""
        try:
            self._send("Browser.close", {}, None)
            self._proc.wait(timeout=10)
        except (OSError, BrowserError, subprocess.TimeoutExpired):
            self._proc.kill()
            self._proc.wait(timeout=10)
        finally:
            for stream in (self._to_child, self._from_child):
                stream.close()
            shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ protocol

    def _read_loop(self) -> None:
        buffer = b""
        while chunk := self._from_child.read1(65536):
            buffer += chunk
            *messages, buffer = buffer.split(b"\0")
            for raw in messages:
                message = json.loads(raw)
                if "id" in message:
                    self._answers.put(message)
                else:
                    self.events.append(message)
        self._answers.put({"id": None})

    def _send(self, method: str, params: dict, session: str | None) -> int:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        try:
            self._to_child.write(json.dumps(message).encode() + b"\0")
        except OSError as err:  # the browser is gone (or never started)
            raise BrowserError(f"{method}: the browser exited ({err}):\n{self.log_tail()}") from None
        return self._next_id

    def call(self, method: str, *, _session: str | None = None, **params: Any) -> dict:
        """Send one command and wait for its answer (answers come in order)."""
        sent = self._send(method, params, _session)
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                answer = self._answers.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise BrowserError(f"{method}: no answer within {self.timeout:.0f}s") from None
            if answer["id"] in (sent, None):
                break
        if answer["id"] is None:
            self._answers.put(answer)  # every later call must see it too
            raise BrowserError(f"{method}: the browser exited:\n{self.log_tail()}")
        if "error" in answer:
            raise BrowserError(f"{method}: {answer['error'].get('message')}")
        return answer.get("result", {})

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no output)"

    def page(self, method: str, **params: Any) -> dict:
        """A command to the page's session."""
        return self.call(method, _session=self.session, **params)

    # ------------------------------------------------------------ page

    def goto(self, url: str) -> None:
        """Navigate and wait for the document to be complete."""
        seen = len(self.events)
        answer = self.page("Page.navigate", url=url)
        if answer.get("errorText"):
            raise BrowserError(f"navigate {url}: {answer['errorText']}")
        self.wait_event("Page.loadEventFired", after=seen, what=f"{url} to load")

    def wait_event(self, method: str, *, after: int, what: str) -> dict:
        """Wait for an event of `method` among those that arrived after index `after`."""
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            for event in self.events[after:]:
                if event.get("method") == method:
                    return event
            time.sleep(0.05)
        raise BrowserError(f"timed out waiting for {what}")

    def js(self, expression: str) -> Any:
        """Evaluate an expression in the page (promises awaited) and return its value."""
        answer = self.page("Runtime.evaluate", expression=expression, returnByValue=True,
                           awaitPromise=True)
        if "exceptionDetails" in answer:
            details = answer["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text")
            raise BrowserError(f"javascript: {text}")
        return answer["result"].get("value")

    def wait_for(self, expression: str, *, what: str, timeout: float | None = None,
                 poll: float = 0.25, describe: Callable[[], str] | None = None) -> Any:
        """Poll a JavaScript expression until it is truthy; its value is returned."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            try:
                value = self.js(expression)
            except BrowserError:
                value = None  # mid-navigation: the context is being replaced
            if value:
                return value
            if time.monotonic() > deadline:
                extra = f"\n{describe()}" if describe else ""
                raise BrowserError(f"timed out waiting for {what}{extra}")
            time.sleep(poll)

    def type_into(self, selector: str, text: str) -> None:
        """Focus an input and type into it as a keyboard would (React sees the input)."""
        found = self.js(f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
                        f" if (!e) return false; e.focus(); e.select && e.select(); return true; }})()")
        if not found:
            raise BrowserError(f"no element {selector}")
        self.page("Input.insertText", text=text)

    def press_enter(self) -> None:
        for kind in ("keyDown", "keyUp"):
            self.page("Input.dispatchKeyEvent", type=kind, key="Enter", code="Enter",
                      windowsVirtualKeyCode=13, nativeVirtualKeyCode=13,
                      **({"text": "\r"} if kind == "keyDown" else {}))

    def response_body(self, request_id: str) -> str:
        """The body of a response the page received (while the page is still open)."""
        answer = self.page("Network.getResponseBody", requestId=request_id)
        if answer.get("base64Encoded"):
            return base64.b64decode(answer["body"]).decode()
        return answer["body"]

    def screenshot(self, path: Path) -> Path:
        """A PNG of the viewport (see fit_to_page for a whole page)."""
        data = self.page("Page.captureScreenshot", format="png")["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path

    @contextmanager
    def blocking(self, patterns: tuple[str, ...]) -> Iterator[None]:
        """Requests to URLs matching `patterns` ("*" wildcards) fail in the
        browser, without reaching the server, while inside."""
        self.page("Network.setBlockedURLs", urls=list(patterns))
        try:
            yield
        finally:
            self.page("Network.setBlockedURLs", urls=[])

    def requests_since(self, after: int, *, path: str, method: str | None = None) -> list[str]:
        """The requests whose URL path ends with `path` sent since event index
        `after`, each as "METHOD url -> status": a redirect's hops are lines of
        their own when their URL matches, its status on the hop it redirects;
        one not answered yet says so."""
        sent: dict[str, list[str]] = {}
        shown: set[str] = set()  # requests whose latest hop is a line of `sent`

        def answer(request_id: str, outcome: object) -> None:
            if request_id in shown:
                sent[request_id][-1] += f" -> {outcome}"

        for event in self.events[after:]:
            params = event.get("params", {})
            kind = event.get("method")
            if kind == "Network.requestWillBeSent":
                if "redirectResponse" in params:
                    answer(params["requestId"], params["redirectResponse"]["status"])
                request = params["request"]
                if _is_request(request, method, path):
                    sent.setdefault(params["requestId"], []).append(
                        f"{request['method']} {request['url']}")
                    shown.add(params["requestId"])
                else:
                    shown.discard(params["requestId"])
            elif kind == "Network.responseReceived":
                answer(params["requestId"], params["response"]["status"])
            elif kind == "Network.loadingFailed":
                answer(params["requestId"],
                       f"failed ({params.get('blockedReason') or params.get('errorText')})")
        return [line if " -> " in line else f"{line} -> (no answer yet)"
                for lines in sent.values() for line in lines]

    def first_redirect(self, after: int, *, method: str, path: str) -> str | None:
        """Where the first request of `method` to a URL path ending with `path`
        sent since event index `after` was redirected to (None: not redirected)."""
        ids = set()
        for event in self.events[after:]:
            if event.get("method") != "Network.requestWillBeSent":
                continue
            params = event["params"]
            if params["requestId"] in ids and "redirectResponse" in params:
                return str(params["request"]["url"])
            if _is_request(params["request"], method, path):
                ids.add(params["requestId"])
        return None

    def console_errors(self) -> list[str]:
        """Console and log entries of level error seen so far (for failure messages)."""
        found = []
        for event in self.events:
            params = event.get("params", {})
            if event.get("method") == "Log.entryAdded" and params["entry"]["level"] == "error":
                found.append(params["entry"].get("text", ""))
            elif event.get("method") == "Runtime.exceptionThrown":
                found.append(params["exceptionDetails"].get("text", ""))
        return found


# ---------------------------------------------------------------- Superset pages

# What the dashboard shows, read from its DOM (Superset 6.1's data-test names).
# A tile counts as drawn when its chart body holds an inked canvas (ECharts),
# a table with body rows (table, pivot table) or a chart-sized svg; icons in
# the header and sort arrows are small svgs and do not count.
DASHBOARD_STATE_JS = r"""
(() => {
  const text = (e) => ((e && e.innerText) || '').trim();
  const inked = (c) => {
    if (!c.width || !c.height) return false;
    const ctx = c.getContext('2d');
    if (!ctx) return true;  // a WebGL canvas: drawn by definition here
    const data = ctx.getImageData(0, 0, c.width, c.height).data;
    for (let i = 3; i < data.length; i += 4 * 7) if (data[i]) return true;
    return false;
  };
  const charts = Array.from(document.querySelectorAll('[data-test="chart-grid-component"]'))
    .map((tile) => {
      const holder = tile.closest('.dashboard-component-chart-holder');
      const idClass = Array.from((holder && holder.classList) || [])
        .find((c) => c.startsWith('dashboard-chart-id-'));
      const body = tile.querySelector('[data-test="slice-container"]');
      const inside = body || tile;
      // The "No results" state has an illustration: not a chart.
      const bigSvgs = Array.from(inside.querySelectorAll('svg')).filter((s) => {
        const r = s.getBoundingClientRect();
        return r.width > 80 && r.height > 80 && !s.closest('[data-test="empty-state"]'); });
      return {
        id: idClass ? Number(idClass.slice('dashboard-chart-id-'.length)) : null,
        title: text(tile.querySelector('[data-test="slice-header"] [data-test="editable-title"]')),
        canvas: Array.from(inside.querySelectorAll('canvas')).some(inked),
        table_rows: inside.querySelectorAll('table tbody tr').length,
        // What the tile shows, in short: its tables' text (a table chart's
        // header is a table of its own) and a hash of the
        // canvases' pixels (a narrowed chart draws other points or numbers).
        look: [...Array.from(inside.querySelectorAll('table')).map(text),
          ...Array.from(inside.querySelectorAll('canvas'))
          .map((c) => { if (!c.width || !c.height) return 0; const ctx = c.getContext('2d');
            if (!ctx) return 0; const d = ctx.getImageData(0, 0, c.width, c.height).data;
            let h = 0; for (let i = 0; i < d.length; i += 4 * 3) h = (h * 31 + d[i] + d[i + 3]) | 0;
            return h; })].join('|'),
        svgs: bigSvgs.length,
        errors: Array.from(tile.querySelectorAll(
            '.ant-alert-error, .ant-alert-warning, [role="alert"], [data-test="error-tooltip"]'))
          .map(text).filter((t, i, all) => all.indexOf(t) === i),
        empty: !!inside.querySelector('[data-test="empty-state"]') || /No results/i.test(text(inside)),
        loading: !!tile.querySelector('[data-test="loading-indicator"], .loading'),
        text: text(inside).slice(0, 300),
      };
    });
  const filters = Array.from(document.querySelectorAll('[data-test="filter-control-name"]'))
    .map((name) => {
      const box = name.closest('.ant-form-item') || name.parentElement;
      return {name: text(name), shows: text(box).replace(text(name), '').trim()};
    });
  return {
    url: location.pathname,
    // The dashboard's title is an input in its header (editable by owners).
    title: (document.querySelector('[data-test="editable-title-input"]') || {}).value || '',
    page_loading: !!document.querySelector('[data-test="loading-indicator"]'),
    charts, filters,
  };
})()
"""


@dataclass
class ChartTile:
    """One chart placed on the dashboard, as the page shows it."""

    id: int | None
    title: str
    canvas: bool
    table_rows: int
    svgs: int
    look: str
    errors: list[str]
    empty: bool
    loading: bool
    text: str

    @property
    def drawn(self) -> bool:
        return self.canvas or self.table_rows > 0 or self.svgs > 0

    @property
    def settled(self) -> bool:
        """Done loading, whatever the outcome: drawn, an error tile, or "No results"."""
        return not self.loading and (self.drawn or bool(self.errors) or self.empty)


@dataclass
class DashboardView:
    url: str
    title: str
    page_loading: bool
    charts: list[ChartTile]
    filters: list[dict[str, str]]

    @classmethod
    def read(cls, browser: Browser) -> DashboardView:
        state = browser.js(DASHBOARD_STATE_JS)
        return cls(**{**state, "charts": [ChartTile(**c) for c in state["charts"]]})

    def settled(self, expected_charts: int) -> bool:
        return (not self.page_loading and len(self.charts) >= expected_charts
                and all(tile.settled for tile in self.charts))

    def describe(self) -> str:
        lines = [f"{self.url}: {len(self.charts)} chart tile(s), page loading={self.page_loading}"]
        lines += [f"  {t.title!r}: drawn={t.drawn} loading={t.loading} empty={t.empty} "
                  f"errors={t.errors} text={t.text[:120]!r}" for t in self.charts]
        return "\n".join(lines)


LOGIN_ATTEMPTS = 3
# The login page sends its event log as it unloads (on submit). Sent with the
# anonymous session, it is answered with a redirect to /login/ that sets the
# anonymous session cookie again; when that answer lands after the login's,
# the browser is logged out before the first page (seen here under load, 3
# logins in 22: POST /login/ -> 302 -> / -> 302 -> /login/, "Invalid username
# or password"; none in 110 with the beacon held back). The race is Superset's
# own; the check is about the form, so the beacon is not sent while logging in.
LOGIN_PAGE_BEACONS = ("*/superset/log/*",)
LOGIN_FORM_JS = "!!document.querySelector('[data-test=\"password-input\"]')"


def login(browser: Browser, base_url: str, username: str, password: str, *,
          server_log: Callable[[], str] | None = None) -> str:
    """Log in through Superset's login form, as a person would; the page it lands on.

    Submitted again (at most ``LOGIN_ATTEMPTS`` times, each retry printed)
    when the server accepted it and the session was lost on the way to the
    first page. A login the server refused fails at once, with what the page,
    the browser and the server said.
    """
    with browser.blocking(LOGIN_PAGE_BEACONS):
        browser.goto(f"{base_url}/login/")
        for attempt in range(1, LOGIN_ATTEMPTS + 1):
            browser.wait_for(LOGIN_FORM_JS, what="the login form")
            sent_after = len(browser.events)
            browser.type_into('[data-test="username-input"]', username)
            browser.type_into('[data-test="password-input"]', password)
            browser.press_enter()
            outcome = _login_outcome(browser, sent_after, server_log)
            if outcome is None:
                return browser.js("location.pathname")
            print(f"login attempt {attempt}: {outcome}")
    raise BrowserError(f"the login did not succeed in {LOGIN_ATTEMPTS} submits\n"
                       f"{_login_story(browser, server_log)}")


def _login_outcome(browser: Browser, sent_after: int,
                   server_log: Callable[[], str] | None) -> str | None:
    """None once the page left /login; why, when the session was lost after
    the server accepted the login; raises when it refused it or the page did
    not move in the browser's timeout."""
    started = time.monotonic()
    while True:
        try:
            path = browser.js("location.pathname")
        except BrowserError:
            path = None  # mid-navigation: the context is being replaced
        if path and not path.startswith("/login"):
            return None
        posted = browser.requests_since(sent_after, method="POST", path="/login/")
        if posted and browser.requests_since(sent_after, method="GET", path="/login/"):
            # Back on the form; once it has loaded, the page says why.
            browser.wait_for(LOGIN_FORM_JS, what="the login form after the login")
            hop = browser.first_redirect(sent_after, method="POST", path="/login/") or ""
            if urlsplit(hop).path.startswith("/login"):
                raise BrowserError(f"the server refused the login\n"
                                   f"{_login_story(browser, server_log)}")
            return f"accepted (redirected to {hop}), then the session was lost"
        if time.monotonic() - started > browser.timeout:
            raise BrowserError(f"timed out waiting for the login to succeed\n"
                               f"{_login_story(browser, server_log)}")
        time.sleep(0.25)


def _login_story(browser: Browser, server_log: Callable[[], str] | None) -> str:
    """What the page shows, the login requests it sent, its errors, the server's log."""
    try:
        page = browser.js("document.body.innerText")[:300]
    except BrowserError as err:
        page = f"(unreadable: {err})"
    hop = browser.first_redirect(0, method="POST", path="/login/")
    lines = [f"page says: {page!r}", f"the login POST was first redirected to: {hop}", "requests:"]
    lines += [f"  {r}" for r in browser.requests_since(0, path="/login/")
              + browser.requests_since(0, path="/csrf_token/")]
    lines += [f"console: {e}" for e in browser.console_errors()]
    if server_log:
        lines += ["server log:", server_log()]
    return "\n".join(lines)


def open_dashboard(browser: Browser, base_url: str, slug: str, *, expected_charts: int,
                   timeout: float = 180.0, query: str = "") -> DashboardView:
    """Open a dashboard (``query``: ``?…`` URL parameters) and wait until every
    chart tile has settled."""
    browser.goto(f"{base_url}/superset/dashboard/{slug}/{query}")
    return wait_settled(browser, expected_charts=expected_charts, timeout=timeout)


def wait_settled(browser: Browser, *, expected_charts: int, timeout: float = 180.0) -> DashboardView:
    """Wait until the page shows `expected_charts` tiles, none loading (no spinner left).

    The tiles must be settled twice, a second apart: a chart that has its
    data draws over the next frames (ECharts animates, tables fill), and a
    spinner can come back when the filter bar applies its defaults.
    """
    view = DashboardView.read(browser)
    for _ in range(2):
        deadline = time.monotonic() + timeout
        while not view.settled(expected_charts):
            if time.monotonic() > deadline:
                raise BrowserError(f"the dashboard did not finish loading in {timeout:.0f}s:\n"
                                   f"{view.describe()}")
            time.sleep(0.5)
            view = DashboardView.read(browser)
        time.sleep(1.0)
        view = DashboardView.read(browser)
    return view


def fit_to_page(browser: Browser, width: int) -> int:
    """Make the viewport as tall as the page, so one screenshot holds all of it.

    Resizing re-lays the charts out; the caller waits for them again.
    """
    height = int(browser.js("document.documentElement.scrollHeight"))
    browser.page("Emulation.setDeviceMetricsOverride", width=width, height=height,
                 deviceScaleFactor=1, mobile=False)
    return height


# ---------------------------------------------------------------- the assets

ROOT = Path(__file__).resolve().parents[2]


def apply_team_assets(superset: Any, lakehouse_path: Path, workdir: Path,
                      trino: Any = None) -> dict[str, str]:
    """Apply the repository's ``assets/`` with the ``local`` environment, as ``make demo``
    does, to the session's Superset; returns the environment variables used.

    With ``trino`` (a ``trino_stack.TrinoInstance``) the tree is applied with
    ``local-trino`` instead, as ``make demo WAREHOUSE=trino`` does, from a copy
    pointing at that Trino's port.

    Other tests apply the same tree to the same server: a second apply
    changes nothing, and one after a test's hand edits restores them.
    """
    from click.testing import CliRunner

    from superset_iac.cli import main
    from tests.integration.trino_stack import trino_assets

    env = {**superset.env(lakehouse_path), "SUPERSET_IAC_AUDIT_LOG": str(workdir / "audit.jsonl")}
    assets, env_name = ROOT / "assets", "local"
    if trino is not None:
        assets, env_name = trino_assets(workdir / "assets", trino), "local-trino"
        env.update(trino.env())
    result = CliRunner().invoke(main, ["apply", "--assets", str(assets), "--env", env_name,
                                       "--yes"], env=env, catch_exceptions=False)
    if result.exit_code != 0:
        raise AssertionError(f"apply of assets/ exited {result.exit_code}:\n{result.output[-4000:]}")
    return env
