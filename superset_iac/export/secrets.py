"""Secrets never reach a file: a URI's password becomes a ``${VAR}`` reference.

Superset answers a database's URI with the password masked
(``XXXXXXXXXX``); the real one is unknown to us and must not be written even
if a server ever returned it. The variable is named after the database
(``lakehouse`` -> ``${LAKEHOUSE_PASSWORD}``), and the export lists every
variable that has to be set before ``diff``/``apply``.
"""

from __future__ import annotations

import re

# scheme://user:password@host... ; the password is everything up to the last
# '@' of the authority (a literal '@' in a password is percent-encoded).
_USERINFO = re.compile(r"^(?P<head>[A-Za-z][A-Za-z0-9+.\-]*://[^:/?#@]*:)(?P<pw>[^/?#]*)(?P<at>@)")
_QUERY_SECRET = re.compile(r"(?P<head>[?&](?:password|passwd|pwd)=)(?P<pw>[^&#]*)", re.IGNORECASE)


def variable_for(database: str, suffix: str = "PASSWORD") -> str:
    """An environment variable name derived from a database name."""
    stem = re.sub(r"[^A-Za-z0-9]+", "_", database).strip("_").upper() or "DATABASE"
    if stem[0].isdigit():
        stem = f"DB_{stem}"
    return f"{stem}_{suffix}"


def template_uri(uri: str, variable: str) -> tuple[str, bool]:
    """``uri`` with any password replaced by ``${variable}``; and whether it had one.

    A literal ``${`` elsewhere in the URI is escaped as ``$${`` so that
    interpolation gives it back unchanged.
    """
    escaped = uri.replace("${", "$${")
    replaced = False

    def sub(m: re.Match[str]) -> str:
        nonlocal replaced
        if not m.group("pw"):
            return m.group(0)
        replaced = True
        return m.group("head") + "${" + variable + "}" + (m.groupdict().get("at") or "")

    escaped = _USERINFO.sub(sub, escaped, count=1)
    escaped = _QUERY_SECRET.sub(sub, escaped)
    return escaped, replaced

