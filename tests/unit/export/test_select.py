"""What an export picks: the seeds, then everything they name."""

from __future__ import annotations

import pytest

from superset_iac.errors import ConfigError
from superset_iac.export.select import Selection, find_dashboard, select
from tests.unit.export.conftest import dashboard, live_state


def keys(selected) -> dict[str, list[str]]:
    return {kind: list(objs) for kind, objs in selected.objects.items()}


def test_a_dashboard_brings_its_charts_their_datasets_and_databases(small_live) -> None:
    got = select(small_live, Selection(dashboards=("market",)))
    assert keys(got) == {"database": ["lakehouse"], "dataset": ["ticks"],
                         "chart": ["Price", "Volume"], "dashboard": ["market"]}
    assert got.missing == []


def test_everything_means_every_object_of_every_kind(small_live) -> None:
    got = select(small_live, Selection(everything=True))
    assert keys(got) == {"database": ["lakehouse", "other"], "dataset": ["ticks", "unused"],
                         "chart": ["Lonely", "Price", "Volume"], "role": ["Analyst"],
                         "dashboard": ["market"], "rls": ["entitled"]}


def test_built_in_roles_are_exported_only_when_something_names_them() -> None:
    from tests.unit.export.conftest import rls, role

    live = live_state(role("Gamma"), role("Alpha"), role("Desk"), rls(roles=("Gamma",)))
    assert keys(select(live, Selection(kinds=("role",)))) == {"role": ["Desk"]}
    got = select(live, Selection(kinds=("rls",)))
    assert got.objects["role"].keys() == {"Gamma"}


def test_rls_rules_bring_their_roles_and_datasets(small_live) -> None:
    got = select(small_live, Selection(kinds=("rls",)))
    assert keys(got) == {"database": ["lakehouse"], "dataset": ["ticks"],
                         "role": ["Analyst"], "rls": ["entitled"]}


def test_a_reference_to_nothing_is_reported_not_fatal() -> None:
    live = live_state(dashboard(charts=("Gone",)))
    got = select(live, Selection(dashboards=("market",)))
    assert keys(got) == {"dashboard": ["market"]}
    assert got.missing == ["chart/Gone (named by dashboard/market)"]


def test_dashboards_are_found_by_id_slug_or_title() -> None:
    live = live_state(dashboard("Sales", "sales"), dashboard("Market", None))["dashboard"]
    assert find_dashboard(live, "1").key == "sales"
    assert find_dashboard(live, "sales").key == "sales"
    assert find_dashboard(live, "Sales").key == "sales"
    assert find_dashboard(live, "Market").key == "Market"
    with pytest.raises(ConfigError, match="no dashboard with id, slug or title 'nope'"):
        find_dashboard(live, "nope")


def test_an_ambiguous_title_asks_for_a_slug_or_id() -> None:
    live = live_state(dashboard("Sales", "sales-a"), dashboard("Sales", "sales-b"))["dashboard"]
    with pytest.raises(ConfigError, match=r"several dashboards are called 'Sales' \(ids 1, 2\)"):
        find_dashboard(live, "Sales")


def test_only_the_kinds_needed_are_read_in_dependency_order() -> None:
    assert Selection(dashboards=("x",)).kinds_to_read() == (
        "database", "dataset", "annotation_layer", "chart", "role", "css_template", "theme", "dashboard")
    assert Selection(kinds=("role",)).kinds_to_read() == ("database", "dataset", "role")
    assert Selection(kinds=("rls",)).kinds_to_read() == ("database", "dataset", "role", "rls")
    assert Selection(everything=True).kinds_to_read() == (
        "database", "dataset", "annotation_layer", "chart", "role", "css_template", "theme", "dashboard",
        "embedded", "group", "rls", "saved_query", "tag", "report")
    assert Selection(kinds=("group",)).kinds_to_read() == ("database", "dataset", "role", "group")
    assert Selection(kinds=("embedded",)).kinds_to_read() == (
        "database", "dataset", "annotation_layer", "chart", "role", "css_template", "theme", "dashboard",
        "embedded")
    assert Selection(tags=("gold",)).kinds_to_read() == (
        "database", "dataset", "annotation_layer", "chart", "role", "css_template", "theme", "dashboard",
        "saved_query", "tag")
    assert Selection(kinds=("saved_query",)).kinds_to_read() == ("database", "saved_query")
    assert Selection(kinds=("theme",)).kinds_to_read() == ("theme",)
    assert Selection().empty


def test_owners_are_kept_dropped_or_mapped(tmp_path) -> None:
    from superset_iac.export.select import Owners
    from tests.unit.export.conftest import chart, database, dataset
    live = live_state(database(), dataset(owners=["alice", "bob"]), chart(owners=["carol"]),
                      dashboard(charts=("Price",), owners=["alice"]))

    def owners(policy: Owners) -> dict[str, list[str]]:
        chosen = select(live, Selection(everything=True, owners=policy)).objects
        return {k: o.spec.owners for kind in ("dataset", "chart", "dashboard")
                for k, o in chosen[kind].items()}

    assert owners(Owners.parse("keep")) == {"ticks": ["alice", "bob"], "Price": ["carol"],
                                            "market": ["alice"]}
    assert owners(Owners.parse("drop")) == {"ticks": [], "Price": [], "market": []}
    mapping = tmp_path / "owners.yaml"
    mapping.write_text("alice: alice.smith\nbob: null\n")
    assert owners(Owners.parse(f"map:{mapping}")) == {
        "ticks": ["alice.smith"], "Price": ["carol"], "market": ["alice.smith"]}
    assert live["dataset"]["ticks"].spec.owners == ["alice", "bob"]  # the live state is not touched
    for bad in ("all", "map:", f"map:{tmp_path / 'missing.yaml'}"):
        with pytest.raises(ConfigError, match="--owners"):
            Owners.parse(bad)
    mapping.write_text("- alice\n")
    with pytest.raises(ConfigError, match="expected a mapping"):
        Owners.parse(f"map:{mapping}")
