"""The handlers, in dependency order (the same order as ``model.KINDS``)."""

from __future__ import annotations

import importlib

from superset_iac.kinds.base import Handler
from superset_iac.model import KINDS

HANDLERS: dict[str, Handler] = {}


def register(handler: Handler) -> Handler:
    HANDLERS[handler.kind] = handler
    return handler


def handlers() -> list[Handler]:
    """Every kind's handler, in dependency order.

    Each kind module registers its handler when imported; importing them here
    (not at module load) keeps ``kinds.base`` free of import cycles.
    """
    for cls in KINDS.values():
        importlib.import_module(f"superset_iac.kinds.{cls.KIND}")
    return [HANDLERS[cls.KIND] for cls in KINDS.values()]
