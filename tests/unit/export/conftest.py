"""Hand-built live objects for the export unit tests (no server anywhere)."""

from __future__ import annotations

from typing import Any

import pytest

from superset_iac.model import Chart, Dashboard, Database, Dataset, RlsRule, Role
from superset_iac.model.role import BUILTIN_ROLES
from superset_iac.plan.model import LiveObject


def live(spec: Any, id_: int = 1) -> LiveObject:
    return LiveObject(spec=spec, id=id_, managed=False)


def database(name: str = "lakehouse", uri: str = "postgresql://bi:XXXXXXXXXX@db:5432/lake",
             **fields: Any) -> Database:
    return Database.model_validate({"name": name, "uri": uri, **fields})


def dataset(name: str = "ticks", database: str = "lakehouse", **fields: Any) -> Dataset:
    return Dataset.model_validate({"name": name, "database": database, **fields})


def chart(name: str = "Price", dataset: str = "ticks", **fields: Any) -> Chart:
    return Chart.model_validate({"name": name, "dataset": dataset, "viz_type": "table", **fields})


def dashboard(title: str = "Market", slug: str | None = "market",
              charts: tuple[str, ...] = ("Price",), **fields: Any) -> Dashboard:
    layout = [{"row": [{"chart": c} for c in charts]}] if charts else []
    return Dashboard.model_validate({"title": title, "slug": slug, "layout": layout, **fields})


def role(name: str = "Analyst", datasets: tuple[str, ...] = ()) -> Role:
    if name in BUILTIN_ROLES:  # a built-in role may only restate itself
        return Role.model_validate({"name": name, "extends": [name]})
    return Role.model_validate({"name": name, "data_access": {"datasets": list(datasets)}})


def rls(name: str = "entitled", datasets: tuple[str, ...] = ("ticks",),
        roles: tuple[str, ...] = ("Analyst",)) -> RlsRule:
    return RlsRule.model_validate({"name": name, "datasets": list(datasets),
                                   "roles": list(roles), "clause": "symbol = 'A'"})


def live_state(*specs: Any) -> dict[str, dict[str, LiveObject]]:
    out: dict[str, dict[str, LiveObject]] = {}
    for i, spec in enumerate(specs, start=1):
        out.setdefault(spec.KIND, {})[spec.key] = live(spec, i)
    return out


@pytest.fixture
def small_live() -> dict[str, dict[str, LiveObject]]:
    """One dashboard with two charts over one virtual dataset, plus unrelated objects."""
    return live_state(
        database(),
        database("other", "sqlite:////tmp/other.db"),
        dataset(sql="SELECT symbol, ts,\n       price\nFROM ticks\n", main_dttm_col="ts",
                columns=[{"name": "symbol"}, {"name": "ts", "is_dttm": True}],
                metrics=[{"name": "avg_price", "expression": "AVG(price)"}]),
        dataset("unused", "other", schema="main"),
        chart(params={"metrics": ["avg_price"], "groupby": ["symbol"], "row_limit": 100}),
        chart("Volume"),
        chart("Lonely", "unused"),
        dashboard(charts=("Price", "Volume")),
        role(datasets=("ticks",)),
        rls(),
    )
