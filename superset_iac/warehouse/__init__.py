"""Where masking views live: Trino in production, a DuckDB file on a laptop.

``connect_warehouse(env, views)`` returns a ``Warehouse``. Nothing connects
until the first call: a Trino connection is opened on first use and a
DuckDB file is opened (and closed again) per call, so Superset can keep
reading it.

Every name a ``Warehouse`` takes or returns is the *Trino* name
(``hive_prod.schema.view``), every query it takes is Trino SQL; the DuckDB
executor maps catalogs (``warehouse.catalogs``) and transpiles internally.
``LiveView.sql`` is the definition as the warehouse stores it, in its own
dialect: ``canonical`` compares it with the desired view rendered the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Protocol

from superset_iac.errors import ConfigError
from superset_iac.warehouse.canonical import Target
from superset_iac.warehouse.errors import ViewSqlError, WarehouseError

if TYPE_CHECKING:
    from superset_iac.model.base import Spec
    from superset_iac.model.environment import Environment


@dataclass(frozen=True)
class LiveView:
    """A view as read from the warehouse."""

    name: str  # Trino name: catalog.schema.view
    sql: str  # stored definition, in the warehouse's dialect
    materialized: bool = False
    managed: bool = False  # carries superset-iac's comment marker


@dataclass(frozen=True)
class ViewDdl:
    """What to create: a Trino query under a Trino name."""

    name: str
    query: str
    materialized: bool = False


class Warehouse(Protocol):
    target: Target

    def list_views(self, schemas: Iterable[str] | None = None) -> dict[str, LiveView]:
        """Views in ``catalog.schema`` names (default: the scope given at
        connect time), by Trino name."""

    def create_or_replace(self, view: ViewDdl) -> None: ...

    def drop(self, name: str, materialized: bool = False) -> None: ...

    def refresh(self, name: str) -> None: ...


def schemas_of(views: Iterable[Spec]) -> list[str]:
    """``catalog.schema`` of each view spec (keyed ``catalog.schema.view``),
    once, sorted: the scope to list."""
    return sorted({v.key.rsplit(".", 1)[0] for v in views})


def connect_warehouse(env: Environment, views: Iterable[Spec] = ()) -> Warehouse:
    """The warehouse of a resolved environment, scoped to ``views``' schemas."""
    config = env.warehouse
    if config is None:
        raise ConfigError(f"environment '{env.name}' has no warehouse: views need one "
                          "(warehouse: {type: trino|duckdb, ...})")
    scope = schemas_of(views)
    if config.type == "trino":
        from superset_iac.warehouse.trino import TrinoWarehouse

        return TrinoWarehouse(config, scope)
    from superset_iac.warehouse.duckdb import DuckDBWarehouse

    return DuckDBWarehouse(config, scope)


__all__ = ["LiveView", "Target", "ViewDdl", "ViewSqlError", "Warehouse", "WarehouseError",
           "connect_warehouse", "schemas_of"]
