"""Warehouse failures: one line each, naming the view, never the salt."""

from __future__ import annotations

from superset_iac.errors import IacError


class WarehouseError(IacError):
    """A statement failed, or the warehouse could not be reached."""


class ViewSqlError(IacError):
    """A view's definition cannot be turned into valid SQL."""
