"""Shared test fixtures: paths and the embedded DuckDB lakehouse.

The Superset fixtures live in tests/integration/conftest.py.
"""

from __future__ import annotations

import contextlib
import importlib.util
import shutil
import sys
import time
from pathlib import Path
from typing import Callable, Iterator

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEVSTACK = ROOT / "devstack"


def load_devstack_module(name: str):
    """Import devstack/<name>.py (devstack is a folder of scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(f"devstack_{name}", DEVSTACK / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    # Registered first: dataclasses look their module up while being defined.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def lakehouse_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An absolute path to this session's own copy of the lakehouse DuckDB file.

    The shared file (.lakehouse/lakehouse.duckdb) is built if missing or
    stale, then copied, so tests may create views in it freely. Its catalog
    is `lakehouse` (the file name) with schemas option_ticks_db, logs_db and
    media_db, as devstack/lakehouse.py describes.
    """
    lakehouse = load_devstack_module("lakehouse")
    source = lakehouse.build(lakehouse.DEFAULT_PATH)
    target = tmp_path_factory.mktemp("lakehouse") / "lakehouse.duckdb"
    shutil.copyfile(source.path, target)
    return target.resolve()


@contextlib.contextmanager
def duckdb_writer(path: Path | str, timeout: float = 30.0) -> Iterator[object]:
    """A short read-write DuckDB connection that waits out readers' locks.

    DuckDB lets one process write a file, or several read it. Superset opens
    the lakehouse read-only for each query and closes it afterwards, so a
    writer that finds the file locked only needs to retry. Keep the block
    short: while it is open, Superset's queries on the file fail.
    """
    import duckdb

    deadline = time.monotonic() + timeout
    delay = 0.05
    while True:
        try:
            con = duckdb.connect(str(path))
            break
        except duckdb.IOException as err:
            if "lock" not in str(err).lower() or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 1.0)
    try:
        yield con
    finally:
        con.close()


@pytest.fixture
def lakehouse_writer() -> Callable[..., contextlib.AbstractContextManager]:
    """`with lakehouse_writer(path) as con:` — see duckdb_writer."""
    return duckdb_writer
