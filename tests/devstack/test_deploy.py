"""deploy/: what can be checked without a container engine.

The compose file parses, wires every variable superset_config.py needs into
every Superset service, takes secrets only from the environment (and names
each of them in .env.example), and the Trino catalog is the Iceberg catalog
hive_prod over the Hive Metastore and SeaweedFS.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SUPERSET_SERVICES = ("superset", "superset-init", "superset-worker", "superset-beat")
SECRET_WORDS = ("PASSWORD", "SECRET", "TOKEN", "ACCESS_KEY")
# ${VAR}, ${VAR:-default}, ${VAR:?error}; $${VAR} is the container's own.
VAR = re.compile(r"(?<!\$)\$\{([A-Z0-9_]+)(?:(:?[-?])[^}]*)?\}")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def env_example() -> dict[str, str]:
    names = {}
    for line in (DEPLOY / ".env.example").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            names[name] = value
    return names


def _environment(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    assert isinstance(env, dict), "use the mapping form of environment"
    return {key: str(value) for key, value in env.items()}


def _config_env_names() -> set[str]:
    source = (ROOT / "superset_config" / "superset_config.py").read_text()
    return set(re.findall(r'_env(?:_int|_bool)?\("([A-Z0-9_]+)"', source))


def test_services(compose):
    services = compose["services"]
    for name in (*SUPERSET_SERVICES, "superset-db", "redis", "trino"):
        assert name in services, name
    assert services["superset-db"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    assert services["trino"]["image"].startswith("trinodb/trino:")


def test_superset_services_get_what_the_config_requires(compose):
    required = {"SUPERSET_CONFIG_PATH", "SUPERSET_SECRET_KEY", "DATABASE_HOST", "DATABASE_PASSWORD",
                "DATABASE_USER", "DATABASE_DB", "REDIS_HOST", "REDIS_PASSWORD"}
    read_by_config = _config_env_names()
    assert {"SUPERSET_SECRET_KEY", "DATABASE_HOST", "REDIS_HOST"} <= read_by_config
    for name in SUPERSET_SERVICES:
        env = _environment(compose["services"][name])
        assert required <= env.keys(), (name, required - env.keys())
        # Nothing is set that the configuration would ignore (a typo).
        ignored = {k for k in env if k.startswith(("SUPERSET_", "DATABASE_", "REDIS_"))} \
            - read_by_config - {"SUPERSET_CONFIG_PATH", "SUPERSET_ADMIN_USERNAME",
                                "SUPERSET_ADMIN_PASSWORD", "SUPERSET_ADMIN_EMAIL"}
        assert not ignored, (name, ignored)
        assert env["SUPERSET_CONFIG_PATH"].endswith("superset_config.py")


def test_superset_image_ships_the_production_config():
    dockerfile = (DEPLOY / "superset" / "Dockerfile").read_text()
    assert "FROM apache/superset:6.1.0" in dockerfile
    assert "COPY superset_config/superset_config.py" in dockerfile
    # Every module it loads beside itself is copied beside it.
    source = (ROOT / "superset_config" / "superset_config.py").read_text()
    siblings = re.findall(r'_load_sibling\("(\w+)"\)', source)
    assert siblings
    for name in siblings:
        assert f"COPY superset_config/{name}.py /app/pythonpath/{name}.py" in dockerfile, name
    assert "local.py" not in dockerfile.replace("superset_config/local.py is for laptops", "")


def test_no_literal_secrets(compose):
    def walk(node, path):
        if isinstance(node, dict):
            for key, value in node.items():
                yield from walk(value, f"{path}.{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                yield from walk(value, f"{path}[{index}]")
        else:
            yield path, str(node)

    for path, value in walk(compose, ""):
        key = path.rsplit(".", 1)[-1].upper()
        if any(word in key for word in SECRET_WORDS):
            match = VAR.fullmatch(value)
            assert match, f"{path} must come from the environment, got {value!r}"
            # A secret never has a default: compose fails when it is missing.
            assert match.group(2) in (":?", None) or (
                match.group(2) == ":-" and value.endswith(":-}")), f"{path} has a default"
        # Commands get secrets through the container's environment ($$VAR).
        assert not re.search(r"(password|secret)[=: ]+['\"]?[A-Za-z0-9]{6,}", value, re.I) \
            or "$$" in value or "${" in value, path


def test_env_example_names_every_variable(compose, env_example):
    text = "\n".join(line for line in (DEPLOY / "docker-compose.yml").read_text().splitlines()
                     if not line.lstrip().startswith("#"))
    used = {match.group(1) for match in VAR.finditer(text)}
    assert used <= env_example.keys(), used - env_example.keys()
    # Names only: no values, so nothing secret can be committed there.
    assert all(value == "" for value in env_example.values())


def test_trino_catalog_hive_prod(compose):
    props = {}
    for line in (DEPLOY / "trino" / "catalog" / "hive_prod.properties").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            props[key.strip()] = value.strip()
    assert props["connector.name"] == "iceberg"
    assert props["iceberg.catalog.type"] == "hive_metastore"
    assert props["s3.path-style-access"] == "true"
    trino_env = _environment(compose["services"]["trino"])
    for key in ("hive.metastore.uri", "s3.endpoint", "s3.aws-access-key", "s3.aws-secret-key"):
        ref = re.fullmatch(r"\$\{ENV:([A-Z0-9_]+)\}", props[key])
        assert ref, f"{key} must come from the environment"
        assert ref.group(1) in trino_env, key
    assert re.fullmatch(r"\$\{HIVE_METASTORE_URI:-thrift://[\w.-]+:9083\}", trino_env["HIVE_METASTORE_URI"])
    assert re.fullmatch(r"\$\{S3_ENDPOINT:-https?://[\w.-]+:8333\}", trino_env["S3_ENDPOINT"])
    mount = compose["services"]["trino"]["volumes"][0]
    assert mount.startswith("./trino/catalog:/etc/trino/catalog")


def test_catalog_name_matches_the_assets():
    # The assets' production database URI names the same catalog.
    assert (DEPLOY / "trino" / "catalog" / "hive_prod.properties").exists()
