"""devstack/trino.py without starting Trino: configuration, Java, Maven paths."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import load_devstack_module

trino_devstack = load_devstack_module("trino")


def properties(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)


def test_the_configuration_binds_localhost_and_uses_the_file_metastore(tmp_path: Path) -> None:
    etc = trino_devstack.write_etc(tmp_path, 18123, "2G")
    node, config = properties(etc / "node.properties"), properties(etc / "config.properties")
    assert node["node.bind-ip"] == "127.0.0.1" and node["node.data-dir"] == str(tmp_path / "data")
    assert config["http-server.http.port"] == "18123"
    assert config["discovery.uri"] == "http://127.0.0.1:18123"
    catalog = properties(etc / "catalog" / "hive_prod.properties")
    assert catalog["iceberg.catalog.type"] == "TESTING_FILE_METASTORE"
    assert catalog["local.location"] == str(tmp_path / "warehouse")
    assert (tmp_path / "warehouse" / "catalog").is_dir()
    assert "-Xmx2G" in (etc / "jvm.config").read_text().split()
    assert properties(etc / "access-control.properties")["access-control.name"] == "file"


def test_superset_reads_only_views_and_the_tool_owns_everything(tmp_path: Path) -> None:
    etc = trino_devstack.write_etc(tmp_path, 18123, "2G")
    rules = json.loads((etc / "rules.json").read_text())
    superset = [r for r in rules["tables"] if r.get("user") == "superset"]
    assert superset[0] == {"user": "superset", "catalog": "hive_prod", "table": "(v|mv)_.*",
                           "privileges": ["SELECT"]}
    tool = next(r for r in rules["tables"] if "superset_iac" in r["user"])
    assert {"OWNERSHIP", "GRANT_SELECT", "SELECT"} <= set(tool["privileges"])


def test_maven_artifacts_are_found_in_the_local_repository(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MAVEN_REPO_LOCAL", str(tmp_path))
    assert trino_devstack._artifact_path("io.trino:trino-iceberg:476:zip") == \
        tmp_path / "io/trino/trino-iceberg/476/trino-iceberg-476.zip"


def fake_jdk(root: Path, name: str, version: str) -> Path:
    home = root / name
    (home / "bin").mkdir(parents=True)
    (home / "bin" / "java").write_text("")
    (home / "release").write_text(f'JAVA_VERSION="{version}"\n')
    return home


def test_java_24_or_newer_is_required(monkeypatch, tmp_path: Path) -> None:
    old = fake_jdk(tmp_path, "jdk17", "17.0.15")
    monkeypatch.setenv("JAVA_HOME", str(old))
    monkeypatch.delenv("TRINO_JAVA_HOME", raising=False)
    new = fake_jdk(tmp_path, "jdk25", "25.0.1")
    monkeypatch.setenv("TRINO_JAVA_HOME", str(new))
    assert trino_devstack.find_java() == new
    monkeypatch.setenv("TRINO_JAVA_HOME", str(old))
    assert trino_devstack._java_version(old) == 17


def test_install_is_skipped_only_for_the_same_version_and_plugins(monkeypatch, tmp_path: Path) -> None:
    server = tmp_path / "server-476"
    (server / "bin").mkdir(parents=True)
    (server / "bin" / "launcher").write_text("")
    monkeypatch.setattr(trino_devstack, "SERVER", server)
    assert not trino_devstack.installed()
    stamp = {"core": trino_devstack.CORE, "plugins": trino_devstack.PLUGINS}
    (server / ".installed.json").write_text(json.dumps(stamp))
    assert trino_devstack.installed()
    (server / ".installed.json").write_text(json.dumps({**stamp, "plugins": {"tpch": "x"}}))
    assert not trino_devstack.installed()


def test_status_of_a_home_without_instance(tmp_path: Path) -> None:
    info = trino_devstack.status(tmp_path)
    assert info["running"] is False and info["home"] == str(tmp_path)


@pytest.mark.parametrize("argv", [["stop", "--home"], ["status", "--home"]])
def test_stop_and_status_of_nothing_exit_cleanly(argv: list[str], tmp_path: Path) -> None:
    code = trino_devstack.main([*argv, str(tmp_path)])
    assert code == (0 if argv[0] == "stop" else 3)
