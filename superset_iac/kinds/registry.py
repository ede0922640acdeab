"""The handlers, in dependency order (the same order as ``model.KINDS``)."""

from __future__ import annotations

from superset_iac.kinds.base import Handler
from superset_iac.model import KINDS

HANDLERS: dict[str, Handler] = {}


def register(handler: Handler) -> Handler:
    HANDLERS[handler.kind] = handler
    return handler


def handlers() -> list[Handler]:
    """Registered handlers in dependency order."""
    _load_all()
    return [HANDLERS[cls.KIND] for cls in KINDS.values() if cls.KIND in HANDLERS]


def _load_all() -> None:
    # Importing a kind module registers its handler; a module not written yet
    # simply contributes nothing.
    import importlib

    for name in ("view", "database", "dataset", "chart", "role", "dashboard", "user", "rls"):
        try:
            importlib.import_module(f"superset_iac.kinds.{name}")
        except ModuleNotFoundError as err:
            if err.name != f"superset_iac.kinds.{name}":
                raise
