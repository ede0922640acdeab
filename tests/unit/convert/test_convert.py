"""convert: native bundles -> the tree, offline, through export's own writer."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from click.testing import CliRunner

from superset_iac.cli import main
from superset_iac.load.tree import load_tree
from superset_iac.validate import validate_tree

MARKET = Path(__file__).resolve().parents[2] / "fixtures" / "bundles" / "market"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["convert", *args])
    return result.exit_code, result.output


def zipped(source: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(source.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(source).as_posix())
    return target


def test_a_bundle_becomes_a_tree_that_validates(tmp_path: Path) -> None:
    code, out = run(str(MARKET), "--assets", str(tmp_path / "assets"))
    assert code == 0, out
    assert "Convert: 6 objects; 6 files created" in out
    assert "Set WAREHOUSE_PASSWORD" in out and "roles and row level security" in out
    tree = load_tree(tmp_path / "assets")
    assert not validate_tree(tree).has_errors()
    dashboard = (tmp_path / "assets" / "dashboards" / "market.yaml").read_text()
    assert "chart: Volume by symbol" in dashboard and "dataset: trades" in dashboard
    assert "timed_refresh_immune_slices: [Quantity table]" in dashboard
    assert "uuid" not in dashboard and "chartId" not in dashboard
    database = (tmp_path / "assets" / "databases" / "warehouse.yaml").read_text()
    assert "${WAREHOUSE_PASSWORD}" in database and "XXXXXXXXXX" not in database
    chart = (tmp_path / "assets" / "charts" / "volume_by_symbol.yaml").read_text()
    assert "optionName" not in chart and "isNew" not in chart
    assert "metric:\n    aggregate: SUM\n    column: qty\n" in chart
    # t.* over a join: the columns cannot be named from the SQL, so they are written
    assert "- name: qty" in (tmp_path / "assets" / "datasets" / "warehouse" /
                             "daily_volume.yaml").read_text()


def test_a_zip_gives_the_same_bytes_and_a_second_run_changes_nothing(tmp_path: Path) -> None:
    run(str(MARKET), "--assets", str(tmp_path / "a"))
    bundle = zipped(MARKET, tmp_path / "market.zip")
    code, out = run(str(bundle), "--assets", str(tmp_path / "b"))
    assert code == 0, out
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.yaml"))
    assert files == sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*.yaml"))
    assert all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files)
    code, out = run(str(bundle), "--assets", str(tmp_path / "b"))
    assert "0 files created, 0 changed, 6 unchanged" in out


def test_an_object_changed_in_the_bundle_is_updated_in_place(tmp_path: Path) -> None:
    bundle = tmp_path / "market"
    shutil.copytree(MARKET, bundle)
    run(str(bundle), "--assets", str(tmp_path / "assets"))
    target = tmp_path / "assets" / "charts" / "volume_by_symbol.yaml"
    target.write_text("# reviewed\n" + target.read_text())
    member = bundle / "export_20260101" / "charts" / "Volume_by_symbol_101.yaml"
    member.write_text(member.read_text().replace("row_limit: 100", "row_limit: 50"))
    code, out = run(str(bundle), "--assets", str(tmp_path / "assets"))
    assert code == 0 and "1 changed, 5 unchanged" in out, out
    assert "row_limit: 50" in target.read_text()


def test_several_bundles_make_one_tree(tmp_path: Path) -> None:
    other = tmp_path / "other"
    shutil.copytree(MARKET, other)
    charts = other / "export_20260101" / "charts"
    (charts / "Quantity_table_102.yaml").unlink()
    text = (charts / "Volume_by_symbol_101.yaml").read_text()
    (charts / "Volume_by_symbol_101.yaml").write_text(
        text.replace("Volume by symbol", "Volume again")
            .replace("2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e", "9b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e"))
    shutil.rmtree(other / "export_20260101" / "dashboards")
    code, out = run(str(MARKET), str(other), "--assets", str(tmp_path / "assets"))
    assert code == 0, out
    assert "Convert: 7 objects" in out
    assert (tmp_path / "assets" / "charts" / "volume_again.yaml").exists()


def _legacy_bundle(tmp_path: Path) -> Path:
    bundle = tmp_path / "market"
    shutil.copytree(MARKET, bundle)
    member = bundle / "export_20260101" / "charts" / "Quantity_table_102.yaml"
    member.write_text(member.read_text().replace("viz_type: table", "viz_type: dist_bar"))
    return bundle


def test_a_legacy_chart_type_is_kept_with_a_warning_naming_the_command(tmp_path: Path) -> None:
    bundle = _legacy_bundle(tmp_path)
    code, out = run(str(bundle), "--assets", str(tmp_path / "assets"))
    assert code == 0
    line = next(n for n, text in enumerate(
        (bundle / "export_20260101/charts/Quantity_table_102.yaml").read_text().splitlines(), 1)
        if text.startswith("viz_type:"))
    assert (f"charts/Quantity_table_102.yaml:{line}:1: B001 warning: chart 'Quantity table' has "
            "the legacy viz_type 'dist_bar', which Superset's import rewrites to "
            f"'echarts_timeseries_bar'; `superset-iac convert --migrate-legacy {bundle}` does "
            "the same (kept as it is)") in out
    chart = (tmp_path / "assets" / "charts" / "quantity_table.yaml").read_text()
    assert "viz_type: dist_bar" in chart


def test_migrate_legacy_writes_the_successor_type(tmp_path: Path) -> None:
    code, out = run(str(_legacy_bundle(tmp_path)), "--migrate-legacy",
                    "--assets", str(tmp_path / "assets"))
    assert code == 0 and "B001" not in out, out
    chart = (tmp_path / "assets" / "charts" / "quantity_table.yaml").read_text()
    assert "viz_type: echarts_timeseries_bar" in chart and "dist_bar" not in chart
    assert not validate_tree(load_tree(tmp_path / "assets")).has_errors()


def test_a_legacy_chart_convert_cannot_migrate_is_kept(tmp_path: Path) -> None:
    bundle = tmp_path / "market"
    shutil.copytree(MARKET, bundle)
    member = bundle / "export_20260101" / "charts" / "Quantity_table_102.yaml"
    member.write_text(member.read_text().replace("viz_type: table", "viz_type: line").replace(
        "params:\n", "params:\n  viz_type: line\n  granularity_sqla: {label: d, sqlExpression: d}"
                      "\n  time_range: Last week\n"))
    code, out = run(str(bundle), "--migrate-legacy", "--assets", str(tmp_path / "assets"))
    assert code == 0, out
    assert "B002 warning: chart 'Quantity table' (line) is kept as it is: its time column " \
           "is an SQL expression with the time range 'Last week'" in out


def test_two_bundles_naming_one_database_alike_make_one_with_the_later_settings(
        tmp_path: Path) -> None:
    # As p2p_payments and gotwitch of the corpus: both call theirs PostgreSQL,
    # with other uuids; Superset's import matches by name and keeps one.
    other = tmp_path / "other"
    shutil.copytree(MARKET, other)
    old = "5b0a2f3e-1c4d-4e55-9a66-0f1e2d3c4b5a"
    for path in (other / "export_20260101").rglob("*.yaml"):
        path.write_text(path.read_text().replace(old, "6c0a2f3e-1c4d-4e55-9a66-0f1e2d3c4b5a")
                        .replace("db.internal:5432", "db2.internal:5432"))
    code, out = run(str(MARKET), str(other), "--assets", str(tmp_path / "assets"))
    assert code == 0, out
    assert [p.name for p in (tmp_path / "assets" / "databases").iterdir()] == ["warehouse.yaml"]
    assert "db2.internal:5432" in (tmp_path / "assets" / "databases" / "warehouse.yaml").read_text()
    assert not validate_tree(load_tree(tmp_path / "assets")).has_errors()
