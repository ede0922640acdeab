"""Superset's environment: every requirement pinned, DuckDB shared with the tool."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

DEVSTACK = Path(__file__).resolve().parents[2] / "devstack"


def _pins() -> dict[str, str]:
    pins = {}
    for line in (DEVSTACK / "constraints-superset.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"not an exact pin: {line}"
            key = re.sub(r"[-_.]+", "-", name).lower()
            assert key not in pins or pins[key] == version, f"{name} pinned twice"
            pins[key] = version
    return pins


def _requirements() -> list[str]:
    names = []
    for line in (DEVSTACK / "requirements-superset.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            names.append(re.sub(r"[-_.]+", "-", re.split(r"[=<>!~\[ ]", line)[0]).lower())
    return names


def test_every_requirement_is_pinned():
    pins = _pins()
    for name in _requirements():
        assert name in pins, f"{name} is not pinned in constraints-superset.txt"


def test_known_fixes_are_pinned():
    pins = _pins()
    assert pins["apache-superset"] == "6.1.0"
    assert pins["flask-caching"] == "2.3.1"
    for name in ("rich", "cachetools", "duckdb-engine", "trino"):
        assert name in _requirements()


def test_duckdb_is_the_same_as_the_tools():
    # The tool writes the lakehouse file, Superset reads it.
    assert _pins()["duckdb"] == duckdb.__version__


def _venv_metadata(name: str) -> list[str]:
    """Requires-Dist lines of `name` as installed in Superset's venv."""
    import os
    from importlib import metadata

    state = Path(os.environ.get("SUPERSET_IAC_STATE_DIR") or DEVSTACK.parent / ".superset")
    site = sorted((state / "venv" / "lib").glob("python3*/site-packages"))
    if not site:
        pytest.fail(f"no Superset venv under {state}: run `python3 devstack/superset.py install`")
    (dist,) = [d for d in metadata.distributions(path=[str(site[0])])
               if re.sub(r"[-_.]+", "-", d.metadata["Name"]).lower() == name]
    return dist.requires or []


@pytest.mark.integration  # reads the installed venv (`make test` installs it first)
@pytest.mark.parametrize("name, extras", [
    ("apache-superset", set()), ("celery", {"redis"}), ("kombu", {"redis"}),
])
def test_celery_kombu_and_redis_pins_satisfy_each_other(name, extras):
    # kombu 5.7's Redis transport wants redis>=6.4 while Superset 6.1 wants
    # redis<6: a worker on such a set exits at start. Every declared range
    # among these three (with the redis extra Celery is installed with) must
    # hold for the pinned versions.
    from packaging.requirements import Requirement

    pins = _pins()
    checked = 0
    for line in _venv_metadata(name):
        req = Requirement(line)
        key = re.sub(r"[-_.]+", "-", req.name).lower()
        if key not in {"celery", "kombu", "redis", "amqp", "vine", "billiard"}:
            continue
        if req.marker and not any(req.marker.evaluate({"extra": e}) for e in extras or {""}):
            continue
        assert req.specifier.contains(pins[key], prereleases=True), \
            f"{name} requires {req}, constraints pin {key}=={pins[key]}"
        checked += 1
    assert checked, f"{name} declares none of celery, kombu, redis"
