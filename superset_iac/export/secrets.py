"""Secrets never reach a file: a URI's password becomes a ``${VAR}`` reference.

Superset answers a database's URI with the password masked
(``XXXXXXXXXX``); the real one is unknown to us and must not be written even
if a server ever returned it. The variable is named after the database
(``lakehouse`` -> ``${LAKEHOUSE_PASSWORD}``), and the export lists every
variable that has to be set before ``diff``/``apply``.
"""

from __future__ import annotations

import re

from superset_iac.secrets import replace_passwords, uri_passwords


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
    return replace_passwords(escaped, lambda _: f"${{{variable}}}"), bool(uri_passwords(escaped))
