"""Where a view is compared and created: the warehouse's dialect, catalogs, salt.

A plain value, set on a view per environment by ``load.resolve`` (and on a
live view by its handler); ``warehouse.canonical`` compares views through it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from superset_iac.model.environment import Warehouse as WarehouseConfig


@dataclass(frozen=True)
class Target:
    """Where views are compared and created: dialect, catalogs, salt."""

    dialect: str = "trino"
    catalogs: Mapping[str, str] = field(default_factory=dict)
    salt: str | None = field(default=None, repr=False)

    @classmethod
    def of(cls, config: "WarehouseConfig | None") -> "Target":
        if config is None:
            return cls()
        return cls(config.type, dict(config.catalogs), config.mask_salt)

    def local_catalog(self, catalog: str) -> str:
        """The warehouse's name for a Trino catalog (identity without a mapping)."""
        return self.catalogs.get(catalog, catalog)

    def trino_catalog(self, local: str) -> str:
        for trino_name, mapped in self.catalogs.items():
            if mapped == local:
                return trino_name
        return local
