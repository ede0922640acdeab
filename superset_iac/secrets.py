"""Secrets: where a URI may hold one, and how every secret is kept out of
what the tool shows, stores or logs.

One module for the three jobs, used by the plan, the JSON output, the audit
log, error messages, log records and export alike:

* **Finding.** ``uri_slots`` splits a database URI into its parts by text,
  with the same rule SQLAlchemy (and so Superset) uses, and says in which
  part each ``${VAR}`` stands: the password of the user info and the value of
  a named password/token query parameter are the only *secret slots*.
* **Masking a URI.** ``masked_uri`` shows a URI as Superset does
  (``XXXXXXXXXX`` for the password) and also masks password/token query
  parameters. It never depends on SQLAlchemy parsing the URI: when it cannot,
  the same passwords are found by text (``replace_passwords``).
* **Masking values.** Whatever ``${VAR}`` put into a secret slot or an
  environment's credentials is ``remember``-ed for the process; ``redact``
  replaces every remembered value (and anything shaped like a URI password)
  in a text. A log record factory does the same for every log record, so a
  driver or library logging a URI cannot leak it either.

Values shorter than ``_MIN_REMEMBERED`` characters are not masked as free
text (masking ``"a"`` everywhere would mangle output and point at the value);
they are still masked in their slots.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterable
from urllib.parse import unquote

if TYPE_CHECKING:  # SQLAlchemy costs ~0.3 s to import: only when a URI is parsed
    from sqlalchemy.engine.url import URL

# What Superset writes in place of a stored password (superset.constants.PASSWORD_MASK).
PASSWORD_MASK = "X" * 10
# What an error message or log line shows instead of a secret.
REDACTED = "***"
# Query parameters drivers take a password, token or key in. Their values are
# secret slots and are masked in plans (Superset shows them as they are).
SECRET_PARAMS = frozenset({
    "password", "passwd", "pwd", "access_token", "token", "jwt_token", "api_key", "apikey",
    "secret", "client_secret", "private_key_passphrase", "motherduck_token"})
_MIN_REMEMBERED = 8
# What a masked value already reads as (export resolves a tree with the
# password Superset answered, ``XXXXXXXXXX``): never a secret to mask again.
_MASKS = frozenset({PASSWORD_MASK, REDACTED, "(sensitive)"})

# SQLAlchemy's own rule (sqlalchemy.engine.url._parse_url), by text: the
# password runs to the first '@' after the user name.
_URI = re.compile(r"""
    ^(?P<scheme>[\w+]+)://
    (?:(?P<user>[^:/]*)(?::(?P<password>[^@]*))?@)?
    (?:(?:\[(?P<ipv6>[^/?]+)\]|(?P<host>[^/:?]+))?(?::(?P<port>[^/?]*))?)?
    (?:/(?P<database>[^?]*))?
    (?:\?(?P<query>.*))?$""", re.X | re.S)
_USERINFO_PASSWORD = re.compile(r"^(?P<head>[\w+]+://[^:/]*:)(?P<pw>[^@]*)(?P<tail>@)")
_QUERY_PASSWORD = re.compile(
    rf"(?P<head>[?&](?:{'|'.join(sorted(SECRET_PARAMS))})=)(?P<pw>[^&#]*)(?P<tail>)",
    re.IGNORECASE)
# The password of any URI inside free text (an error message, a log line).
_TEXT_URI_PASSWORD = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*://[^:/@\s'\"]*:)([^@\s'\"]+)(@)")
_TEXT_QUERY_PASSWORD = re.compile(
    rf"([?&](?:{'|'.join(sorted(SECRET_PARAMS))})=)([^&#\s'\"]+)", re.IGNORECASE)
_ANY_USERINFO = re.compile(r"([^\s:/@]+:)([^@]*)(@)")
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-[^}]*)?\}")


# -- finding -----------------------------------------------------------------

@dataclass(frozen=True)
class Slot:
    """One ``${VAR}`` in a URI: the variable, where it stands, at which offset."""

    variable: str
    part: str  # user, password, host, port, database, query key, or "query <name>"
    offset: int

    @property
    def secret(self) -> bool:
        return self.part == "password" or (
            self.part.startswith("query ") and self.part[6:].lower() in SECRET_PARAMS)


def uri_slots(uri: str) -> list[Slot] | None:
    """Every ``${VAR}`` of ``uri`` with the part it stands in; None when the
    URI's shape is not ``scheme://...`` (then nothing is known to be safe).

    Each reference is first replaced by a character no URI part excludes, so
    a ``${VAR:-default}`` (with its ``:``) cannot move the parts around.
    """
    refs = list(_VAR.finditer(uri.replace("$${", "\0\0\0")))
    # Private-use characters (plane 15: 65534 of them, plenty of variables).
    placeholder = "".join(chr(0xF0000 + i) for i in range(min(len(refs), 0xFFFE)))
    refs = refs[:len(placeholder)]
    text, last = "", 0
    for i, ref in enumerate(refs):
        text += uri[last:ref.start()] + placeholder[i]
        last = ref.end()
    text += uri[last:]
    match = _URI.match(text)
    if match is None:
        return None
    slots: list[Slot] = []
    for i, ref in enumerate(refs):
        mark = placeholder[i]
        part = next((name for name in ("user", "password", "ipv6", "host", "port", "database")
                     if mark in (match[name] or "")), None)
        if part is None:
            part = _query_part(match["query"] or "", mark)
        slots.append(Slot(ref[1], "host" if part == "ipv6" else part, ref.start()))
    return slots


def _query_part(query: str, mark: str) -> str:
    for pair in query.split("&"):
        key, _, value = pair.partition("=")
        if mark in key:
            return "query key"
        if mark in value:
            return f"query {unquote(key)}"
    return "query key"


def uri_host(uri: str) -> str | None:
    """The host a URI names (lower case), by SQLAlchemy's rule; None for none."""
    match = _URI.match(uri)
    if match is None:
        return None
    host = match["ipv6"] or match["host"]
    return host.lower() if host else None


def parse_uri(uri: str) -> URL | None:
    """The parsed URI, or None when SQLAlchemy cannot read it."""
    from sqlalchemy.engine.url import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(uri)
    except (ArgumentError, ValueError, TypeError):
        return None


def uri_problem(uri: str) -> str | None:
    """Why SQLAlchemy (and so Superset) cannot read ``uri``; None if it can.
    ``${VAR}`` references count as a plain value (``1``: fits every part)."""
    from sqlalchemy.engine.url import make_url
    from sqlalchemy.exc import ArgumentError

    text = _VAR.sub("1", uri.replace("$${", "x"))
    try:
        make_url(text)
    except (ArgumentError, ValueError, TypeError) as err:
        return " ".join(str(err).split()) or type(err).__name__
    return None


def has_password(uri: str) -> bool:
    url = parse_uri(uri)
    return bool(url is not None and url.password)


def carries_password(uri: str) -> bool:
    """Whether ``uri`` sets a password, in its user info or a secret query parameter."""
    url = parse_uri(uri)
    if url is None:
        return bool(uri_passwords(uri))
    return bool(url.password) or any(
        key.lower() in SECRET_PARAMS and value for key, value in url.query.items())


def uri_passwords(uri: str) -> tuple[str, ...]:
    """The passwords written in ``uri``, each also percent-decoded when that
    differs: the values an error message must never echo."""
    found = [m["pw"] for m in _USERINFO_PASSWORD.finditer(uri)]
    found += [m["pw"] for m in _QUERY_PASSWORD.finditer(uri)]
    out: list[str] = []
    for password in filter(None, found):
        out += [password] if unquote(password) == password else [password, unquote(password)]
    return tuple(out)


# -- masking a URI -------------------------------------------------------------

def masked_uri(uri: str, *, query: bool = True) -> str:
    """``uri`` as Superset shows it: the password as ``XXXXXXXXXX``.

    Parsed and rendered by SQLAlchemy, as Superset does, so that two spellings
    of one URI (percent-encoding, query order) compare equal. ``query=False``
    leaves secret query parameters alone: the form to send back to Superset,
    which masks only the URI's own password. A URI SQLAlchemy cannot read is
    masked by text instead (validation refuses it anyway), and either way
    every remembered secret is masked too.
    """
    url = parse_uri(uri)
    if url is None:
        text = replace_passwords(uri, lambda _: PASSWORD_MASK, query=query)
        # Not even scheme://: anything shaped user:password@ is taken for one.
        text = _ANY_USERINFO.sub(lambda m: m[1] + PASSWORD_MASK + m[3], text)
        return mask_values(text, PASSWORD_MASK)
    if url.password:
        url = url.set(password=PASSWORD_MASK)
    if query and any(key.lower() in SECRET_PARAMS for key in url.query):
        url = url.set(query={key: PASSWORD_MASK if key.lower() in SECRET_PARAMS else value
                             for key, value in url.query.items()})
    return mask_values(url.render_as_string(hide_password=False), PASSWORD_MASK)


def replace_passwords(uri: str, new: Callable[[str], str], *, query: bool = True) -> str:
    """``uri`` with each password (user info, and with ``query`` the secret
    query parameters) replaced by ``new(password)``, every other character
    as written: for writing a URI back to a file, or masking one that does
    not parse."""
    def sub(match: re.Match[str]) -> str:
        if not match["pw"]:
            return match[0]
        return match["head"] + new(match["pw"]) + match["tail"]

    text = _USERINFO_PASSWORD.sub(sub, uri, count=1)
    return _QUERY_PASSWORD.sub(sub, text) if query else text


# -- masking values ----------------------------------------------------------

_remembered: set[str] = set()
_lock = threading.Lock()


def remember(*values: str | None) -> None:
    """Mask these values wherever ``redact`` or a log record sees them, for
    the rest of the process (what ``${VAR}`` put into a secret)."""
    with _lock:
        for value in values:
            if value and len(value) >= _MIN_REMEMBERED and value not in _MASKS:
                _remembered.add(value)
                if unquote(value) != value:
                    _remembered.add(unquote(value))
    _install_log_redaction()


def remembered() -> tuple[str, ...]:
    """The remembered values, longest first (so a value containing another
    is masked whole)."""
    with _lock:
        return tuple(sorted(_remembered, key=len, reverse=True))


def forget_all() -> None:
    """Tests only: start from no remembered value."""
    with _lock:
        _remembered.clear()


def mask_values(text: str, mask: str = REDACTED, values: Iterable[str | None] = ()) -> str:
    """``text`` with ``values`` and every remembered secret replaced by ``mask``."""
    for value in sorted({v for v in values if v} | set(remembered()), key=len, reverse=True):
        text = text.replace(value, mask)
    return text


def mask_data(value: Any, mask: str = REDACTED) -> Any:
    """``value`` (JSON-like data) with remembered secrets masked in every string."""
    if not remembered():
        return value
    if isinstance(value, str):
        return mask_values(value, mask)
    if isinstance(value, dict):
        return {k: mask_data(v, mask) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_data(v, mask) for v in value]
    return value


def redact(text: str, values: Iterable[str | None] = (), mask: str = REDACTED) -> str:
    """``text`` without known secrets (``values`` and the remembered ones) and
    without any URI password or secret query parameter it quotes."""
    text = mask_values(text, mask, values)
    text = _TEXT_URI_PASSWORD.sub(lambda m: m[1] + mask + m[3], text)
    return _TEXT_QUERY_PASSWORD.sub(lambda m: m[1] + mask, text)


_factory_installed = False


def _install_log_redaction() -> None:
    """Every log record, from any logger, is formatted and redacted when made:
    a library logging a URI or a request body cannot leak a remembered secret."""
    global _factory_installed
    with _lock:
        if _factory_installed:
            return
        _factory_installed = True
    previous = logging.getLogRecordFactory()

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        if remembered():
            try:
                message = record.getMessage()
            except (TypeError, ValueError):  # a bad format string: left to logging
                return record
            record.msg, record.args = mask_values(message), None
        return record

    logging.setLogRecordFactory(factory)
