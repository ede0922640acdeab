"""The effective-access computation, on specs built by hand (pure: no files, no server)."""

from __future__ import annotations

from typing import Any

from superset_iac.access import Via, effective_access
from superset_iac.access.model import Path
from superset_iac.model import Chart, Dashboard, Database, Dataset, Role, User
from superset_iac.model.base import Spec


def dashboard(roles: list[str], charts: list[str], published: bool = True,
              filters: list[dict[str, Any]] | None = None, slug: str = "sales") -> Dashboard:
    return Dashboard.model_validate({
        "title": slug.title(), "slug": slug, "published": published, "roles": roles,
        "layout": [{"row": [{"chart": c} for c in charts]}], "filters": filters or []})


def specs(*objects: Spec) -> dict[str, dict[str, Spec]]:
    out: dict[str, dict[str, Spec]] = {}
    for spec in objects:
        out.setdefault(spec.KIND, {})[spec.key] = spec
    return out


BASE = (
    Database(name="lake", uri="trino://u@trino:8080/hive"),
    Database(name="other", uri="duckdb:///x.duckdb"),
    Dataset.model_validate({"name": "ticks", "database": "lake", "schema": "market"}),
    Dataset.model_validate({"name": "logs", "database": "lake", "schema": "ops",
                            "sql": "SELECT 1 AS x"}),
    Dataset.model_validate({"name": "misc", "database": "other", "schema": "main"}),
    Chart(name="Price", dataset="ticks", viz_type="table"),
    Chart(name="Errors", dataset="logs", viz_type="table"),
)


def role(**fields: Any) -> Role:
    return Role.model_validate({"name": "R", **fields})


def reach(*objects: Spec, name: str = "R") -> Any:
    return effective_access(specs(*BASE, *objects)).roles[name]


def vias(paths: list[Path]) -> list[Via]:
    return [p.via for p in paths]


def test_each_grant_reaches_what_it_covers_and_nothing_else() -> None:
    got = reach(role(data_access={"datasets": ["ticks"], "schemas": ["lake.ops"],
                                  "databases": ["other"]}))
    assert {k: vias(v) for k, v in got.datasets.items()} == {
        "ticks": [Via.DATASET], "logs": [Via.SCHEMA], "misc": [Via.DATABASE]}
    assert list(got.databases) == ["other"] and list(got.schemas) == ["lake.ops"]
    assert got.dashboards == {} and got.tables == {} and not got.sql_lab


def test_extends_alpha_and_the_all_permissions_reach_every_dataset_and_database() -> None:
    for spec in (role(extends=["Alpha"]),
                 role(permissions={"all_datasource_access": ["all_datasource_access"]}),
                 role(permissions={"all_database_access": ["all_database_access"]})):
        got = reach(spec)
        assert set(got.datasets) == {"ticks", "logs", "misc"}
        assert set(got.databases) == {"lake", "other"}
        assert all(vias(p) == [Via.ALL] for p in got.datasets.values())


def test_catalog_access_covers_the_datasets_of_its_catalog() -> None:
    got = reach(role(permissions={"[lake].[hive]": ["catalog_access"]}))
    assert set(got.datasets) == {"ticks", "logs"} and list(got.catalogs) == ["[lake].[hive]"]


def test_a_dashboard_listing_the_role_opens_its_charts_and_filters_datasets() -> None:
    dash = dashboard(["R"], ["Price"], filters=[
        {"name": "Service", "dataset": "logs", "column": "x"}])
    got = reach(role(), dash)
    assert {k: vias(v) for k, v in got.datasets.items()} == {
        "ticks": [Via.DASHBOARD], "logs": [Via.DASHBOARD]}
    assert not got.granted("ticks") and got.datasets["ticks"][0].dashboard == "sales"
    assert "filter 'Service'" in got.datasets["logs"][0].detail
    assert vias(got.dashboards["sales"]) == [Via.ROLES]


def test_an_unpublished_dashboard_gives_only_inactive_paths() -> None:
    got = reach(role(), dashboard(["R"], ["Price"], published=False))
    assert [p.active for p in got.datasets["ticks"]] == [False]
    assert [p.active for p in got.dashboards["sales"]] == [False]


def test_a_dashboard_with_roles_is_closed_to_others_even_alpha() -> None:
    got = reach(role(extends=["Alpha"]), dashboard(["Other"], ["Price"]))
    assert "sales" not in got.dashboards and vias(got.datasets["ticks"]) == [Via.ALL]


def test_a_dashboard_without_roles_opens_to_roles_reaching_one_of_its_datasets() -> None:
    dash = dashboard([], ["Price", "Errors"])
    granted = reach(role(data_access={"datasets": ["logs"]}), dash)
    assert vias(granted.dashboards["sales"]) == [Via.DATA]
    assert "sales" not in reach(role(), dash).dashboards


def test_admin_opens_every_dashboard_whatever_its_roles() -> None:
    admin = Role(name="Admin", extends=["Admin"])
    got = reach(admin, dashboard(["Other"], ["Price"]), name="Admin")
    assert vias(got.dashboards["sales"]) == [Via.ADMIN] and got.sql_lab


def test_sql_lab_opens_the_table_named_like_each_granted_dataset_only() -> None:
    dash = dashboard(["R"], ["Errors"])
    got = reach(role(extends=["Gamma", "sql_lab"], data_access={"datasets": ["ticks"]}), dash)
    assert list(got.tables) == ["lake.market.ticks"]  # not logs: a dashboard grants no SQL Lab
    without = reach(role(data_access={"datasets": ["ticks"]}))
    assert without.tables == {} and not without.sql_lab


def test_roles_only_named_are_listed_built_in_ones_with_their_grants() -> None:
    user = User.model_validate({"username": "u", "first_name": "U", "last_name": "U",
                                "email": "u@example.com", "roles": ["Alpha"]})
    found = effective_access(specs(*BASE, dashboard(["Custom"], ["Price"]), user)).roles
    assert not found["Custom"].declared and vias(found["Custom"].datasets["ticks"]) == \
        [Via.DASHBOARD]
    assert not found["Alpha"].declared and set(found["Alpha"].datasets) == {"ticks", "logs", "misc"}


def test_specs_read_from_a_server_have_no_positions() -> None:
    live_role = Role.model_construct(name="R", extends=["Gamma"], permissions={},
                                     data_access=role(data_access={"datasets": ["ticks"]})
                                     .data_access)
    got = reach(live_role)
    assert got.datasets["ticks"][0].pos is None and "tree" in got.datasets["ticks"][0].where()


def test_json_lists_every_section_sorted() -> None:
    data = reach(role(data_access={"datasets": ["ticks", "logs"]})).to_dict()
    assert [d["name"] for d in data["datasets"]] == ["logs", "ticks"]
    assert data["datasets"][0]["granted"] is True
    assert set(data) == {"role", "declared", "sql_lab", "datasets", "databases", "catalogs",
                         "schemas", "dashboards", "tables"}
