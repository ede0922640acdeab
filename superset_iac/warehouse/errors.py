"""Warehouse failures: one line each, naming the view, never the salt."""

from __future__ import annotations

from typing import Iterable

from superset_iac.errors import IacError
from superset_iac.model.refs import MASK
from superset_iac.secrets import redact


class WarehouseError(IacError):
    """A statement failed, or the warehouse could not be reached."""


class WarehouseUnreachable(WarehouseError):
    """No answer from the warehouse (refused, timed out, not Trino): a
    configuration problem, exit 2 like an unreachable Superset."""

    exit_code = 2


class ViewSqlError(IacError):
    """A view's definition cannot be turned into valid SQL."""


def one_line(value: object) -> str:
    """A message as one line (drivers put context on later lines)."""
    return " ".join(str(value).split()) or type(value).__name__


def without_secrets(message: str, secrets: Iterable[str | None]) -> str:
    """``message`` on one line, each of ``secrets`` (salt, password, token)
    shown as ``(sensitive)``."""
    return redact(one_line(message), secrets, MASK)


def first_line(err: Exception) -> str:
    """A parser error's first line only: the next ones quote the SQL text."""
    return str(err).splitlines()[0] if str(err) else type(err).__name__
