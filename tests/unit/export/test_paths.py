"""File names come from natural keys only: safe, stable, collision-free."""

from __future__ import annotations

from pathlib import Path

from superset_iac.export.paths import assign_paths, natural_path, short_hash, slug
from tests.unit.export.conftest import chart, database, dataset, dashboard


def test_slugs_are_safe_file_names() -> None:
    assert slug("Option price over time") == "option_price_over_time"
    assert slug("../../etc/passwd") == "etc_passwd"
    assert slug("Café — % growth (YoY)") == "cafe_growth_yoy"
    assert slug("✓✓", "chart") == "chart"
    assert len(slug("x" * 500)) == 80


def test_each_kind_has_its_directory_and_datasets_their_database() -> None:
    assert natural_path(chart("Price over time")) == Path("charts/price_over_time.yaml")
    assert natural_path(dataset("ticks", "Lake House")) == Path("datasets/lake_house/ticks.yaml")
    assert natural_path(database("lakehouse")) == Path("databases/lakehouse.yaml")
    assert natural_path(dashboard(slug=None, title="World Bank")) == Path("dashboards/world_bank.yaml")


def test_colliding_keys_get_a_hash_suffix_whatever_the_input_order() -> None:
    a, b = chart("Sales!"), chart("sales?")
    first = assign_paths([a, b], set())
    second = assign_paths([b, a], set())
    assert first == second
    assert first[("chart", "Sales!")] == Path("charts/sales.yaml")
    assert first[("chart", "sales?")] == Path(f"charts/sales-{short_hash('sales?')}.yaml")


def test_existing_files_are_never_taken_even_in_another_case() -> None:
    got = assign_paths([chart("Price")], {Path("charts/PRICE.yaml")})
    assert got[("chart", "Price")] == Path(f"charts/price-{short_hash('Price')}.yaml")


def test_a_chart_with_a_key_is_named_after_the_key() -> None:
    spec = chart("Sales", key="Sales (EMEA)")
    assert natural_path(spec) == Path("charts/sales_emea.yaml")
