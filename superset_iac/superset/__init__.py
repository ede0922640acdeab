"""The Superset REST client: auth, CSRF, paging, retries, one-line errors.

The names below are imported on first use (PEP 562), so that a module of
this package that needs no HTTP (``timeouts``) does not bring ``requests``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names __getattr__ gives, for type checkers
    from superset_iac.superset.client import SupersetClient  # noqa: F401
    from superset_iac.superset.errors import ApiError, TransientWriteError, UnsupportedServer  # noqa: F401
    from superset_iac.superset.records import RequestRecord  # noqa: F401
    from superset_iac.superset.version import ServerVersion  # noqa: F401

_WHERE = {"SupersetClient": "client", "ApiError": "errors", "TransientWriteError": "errors",
          "UnsupportedServer": "errors", "RequestRecord": "records", "ServerVersion": "version"}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
