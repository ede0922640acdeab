"""The corpus: native bundles written by other people, for convert and round trips.

Superset's own example configurations (Apache-2.0) ship inside the installed
Superset package, one folder per example (``superset/examples/<name>/``:
``dashboard.yaml``, ``dataset.yaml`` or ``datasets/``, ``charts/``) sharing
``_shared/database.yaml``. ``superset load-examples`` imports them with
Superset's v1 importer; here each folder becomes the bundle Superset's export
would write for it (``metadata.yaml``, ``databases/``, ``datasets/examples/``,
``charts/``, ``dashboards/``), with the examples database's URI as the
Superset that loaded them has it.

Sources (recorded in tests/fixtures/bundles/README.md):
every folder of ``superset/examples`` in apache-superset 6.1.0, Apache-2.0.
"""

from __future__ import annotations

import os
import shutil
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
        source = root / name
        bundle = target / name / f"{name}_export"
        (bundle / "databases").mkdir(parents=True)
        (bundle / "datasets" / "examples").mkdir(parents=True)
        shutil.copy(root / "_shared" / "metadata.yaml", bundle / "metadata.yaml")
        database = (root / "_shared" / "database.yaml").read_text(encoding="utf-8")
        (bundle / "databases" / "examples.yaml").write_text(
            database.replace("__SQLALCHEMY_EXAMPLES_URI__", database_uri), encoding="utf-8")
        datasets = [source / "dataset.yaml"] if (source / "dataset.yaml").exists() else \
            sorted((source / "datasets").glob("*.yaml"))
        for i, path in enumerate(datasets):
            shutil.copy(path, bundle / "datasets" / "examples" / f"{path.stem}_{i}.yaml")
        if (source / "charts").is_dir():
            shutil.copytree(source / "charts", bundle / "charts")
        if (source / "dashboard.yaml").exists():
            (bundle / "dashboards").mkdir()
            shutil.copy(source / "dashboard.yaml", bundle / "dashboards" / f"{name}.yaml")
        out.append(target / name)
    return out
