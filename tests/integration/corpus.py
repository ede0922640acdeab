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
