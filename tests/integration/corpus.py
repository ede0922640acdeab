"""The corpus: native bundles written by other people, for convert and round trips.

Superset's own example configurations (Apache-2.0) ship inside the installed
Superset package, one folder per example (``superset/examples/<name>/``:
``dashboard.yaml``, ``dataset.yaml`` or ``datasets/``, ``charts/``) sharing
``_shared/database.yaml``. Each folder becomes the bundle Superset's export
would write for it (``metadata.yaml``, ``databases/``, ``datasets/examples/``,
``charts/``, ``dashboards/``), with a real URI for the examples database.
(``superset load-examples`` imports them too, but with changes of its own:
it transpiles virtual datasets' SQL to the examples database's dialect,
publishes every dashboard and creates the database itself; so the corpus
goes through the assets import API instead.)

Sources (recorded in tests/fixtures/bundles/README.md):
every folder of ``superset/examples`` in apache-superset 6.1.0, Apache-2.0.
"""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

STATE_DIR = Path(os.environ.get("SUPERSET_IAC_STATE_DIR",
                                Path(__file__).resolve().parents[2] / ".superset"))


def examples_dir() -> Path:
    found = sorted(STATE_DIR.glob("venv/lib/python3*/site-packages/superset/examples"))
    if not found:
        raise FileNotFoundError(f"no Superset package with examples under {STATE_DIR}/venv")
    return found[-1]


def example_names() -> list[str]:
    root = examples_dir()
    return sorted(p.name for p in root.iterdir()
                  if p.is_dir() and not p.name.startswith("_")
                  and ((p / "dataset.yaml").exists() or (p / "datasets").is_dir()))


def build_bundles(target: Path, database_uri: str) -> list[Path]:
    """One bundle directory per example under ``target``."""
    root = examples_dir()
    out = []
    for name in example_names():
        bundle = target / name / f"{name}_export"
        _write_example(root, name, bundle, database_uri)
        out.append(target / name)
    return out


def zip_all(bundles: list[Path], target: Path) -> Path:
    """All ``bundles`` as the one ZIP ``POST /api/v1/assets/import/`` takes."""
    written: set[str] = set()
    with zipfile.ZipFile(target, "w") as archive:
        for bundle in bundles:
            for path in sorted(bundle.rglob("*.yaml")):
                rel = path.relative_to(bundle).parts[1:]  # below the bundle's top folder
                name = "/".join(("corpus", *rel))
                if name in written:  # the shared metadata and database
                    continue
                written.add(name)
                if rel[0] == "metadata.yaml":  # the assets API wants its type said
                    archive.writestr(name, path.read_text(encoding="utf-8") + "type: assets\n")
                else:
                    archive.write(path, name)
    return target


def _write_example(root: Path, name: str, bundle: Path, database_uri: str) -> None:
    source = root / name
    (bundle / "databases").mkdir(parents=True)
    (bundle / "datasets" / "examples").mkdir(parents=True)
    shutil.copy(root / "_shared" / "metadata.yaml", bundle / "metadata.yaml")
    database = (root / "_shared" / "database.yaml").read_text(encoding="utf-8")
    (bundle / "databases" / "examples.yaml").write_text(
        database.replace("__SQLALCHEMY_EXAMPLES_URI__", database_uri), encoding="utf-8")
    datasets = [source / "dataset.yaml"] if (source / "dataset.yaml").exists() else \
        sorted((source / "datasets").glob("*.yaml"))
    for path in datasets:
        shutil.copy(path, bundle / "datasets" / "examples" / f"{name}_{path.stem}.yaml")
    if (source / "charts").is_dir():
        shutil.copytree(source / "charts", bundle / "charts" / name)
    if (source / "dashboard.yaml").exists():
        (bundle / "dashboards").mkdir()
        shutil.copy(source / "dashboard.yaml", bundle / "dashboards" / f"{name}.yaml")


# -- public bundles from other repositories ------------------------------------------
#
# Kept in tests/fixtures/bundles/<name>/ as their authors committed them, with
# a SOURCE file each (repository, commit, path, licence). Their databases
# (PostgreSQL, ClickHouse, RisingWave) are not here: at test time every
# database of every bundle is pointed at one DuckDB file (``corpus.duckdb``),
# opened read-only, holding the tables their physical datasets name (made
# from the bundles' column lists) and the tables their virtual datasets' SQL
# reads (``warehouse.sql`` beside a bundle, written for these tests), so that
# Superset can read every dataset's columns and a chart's query returns rows.
# One file for all: two bundles name their database alike (``PostgreSQL``),
# and Superset's import, which matches databases by name, makes them one.

BUNDLES = Path(__file__).resolve().parents[1] / "fixtures" / "bundles"
PUBLIC = ("adsb_live", "chatsky", "gotwitch", "p2p_payments")


def public_bundles(target: Path) -> list[Path]:
    """Each public bundle copied under ``target``, its databases on the DuckDB stand-in."""
    out = [target / name for name in PUBLIC]
    for name, bundle in zip(PUBLIC, out):
        shutil.copytree(BUNDLES / name, bundle)
    warehouse = target / "corpus.duckdb"
    for bundle in out:
        build_warehouse(bundle, warehouse)
        for path in sorted(bundle.rglob("databases/*.yaml")):
            _point_at(path, warehouse)
    return out


def _point_at(path: Path, warehouse: Path) -> None:
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["sqlalchemy_uri"] = f"duckdb:///{warehouse}"
    extra = data.get("extra") if isinstance(data.get("extra"), dict) else {}
    extra["engine_params"] = {"connect_args": {"read_only": True}}
    data["extra"] = extra
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def build_warehouse(bundle: Path, path: Path) -> None:
    """The DuckDB file standing in for every database of ``bundle``."""
    import duckdb
    import yaml

    with duckdb.connect(str(path)) as con:
        for dataset_file in sorted(bundle.rglob("datasets/*/*.yaml")):
            dataset = yaml.safe_load(dataset_file.read_text(encoding="utf-8"))
            if dataset.get("sql"):
                continue
            columns = [c for c in dataset.get("columns") or [] if not c.get("expression")]
            schema = dataset.get("schema") or "main"
            con.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
            con.execute(f'CREATE TABLE IF NOT EXISTS "{schema}"."{dataset["table_name"]}" ('
                        + ", ".join(f'"{c["column_name"]}" {duckdb_type(c.get("type"))}'
                                    for c in columns) + ")")
            con.execute(f'INSERT INTO "{schema}"."{dataset["table_name"]}" VALUES ('
                        + ", ".join(_sample(duckdb_type(c.get("type"))) for c in columns) + ")")
        extra = bundle / "warehouse.sql"
        if extra.exists():
            con.execute(extra.read_text(encoding="utf-8"))


def duckdb_type(declared: str | None) -> str:
    """The DuckDB type nearest to a column type as another engine reported it."""
    text = (declared or "").upper()
    for needle, duck in (("BOOL", "BOOLEAN"), ("TIMESTAMP", "TIMESTAMPTZ"),
                         ("DATETIME", "TIMESTAMPTZ"), ("DATE", "DATE"), ("INT", "BIGINT"),
                         ("DECIMAL", "DOUBLE"), ("NUMERIC", "DOUBLE"), ("DOUBLE", "DOUBLE"),
                         ("FLOAT", "DOUBLE"), ("JSON", "JSON")):
        if needle in text:
            return duck
    return "VARCHAR"


def _sample(duck: str) -> str:
    """One row's value, so that a chart's query has something to return."""
    return {"BOOLEAN": "true", "TIMESTAMPTZ": "now()", "DATE": "current_date", "BIGINT": "1",
            "DOUBLE": "1.5", "JSON": "'{}'"}.get(duck, "'a'")
