"""Bundles are input nobody here wrote: refused with the member named, nothing written."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from superset_iac.convert import bundle as b
from superset_iac.convert.bundle import BundleError, read_bundle
from superset_iac.convert.server import import_bundles
from tests.unit.convert.test_convert import MARKET, run

META = "version: 1.0.0\ntype: assets\n"


def make_zip(path: Path, members: dict[str, bytes | str]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


@pytest.mark.parametrize("name", ["../evil.yaml", "/etc/cron.d/x.yaml", "a/../../x.yaml",
                                  "C:/x.yaml", "charts\\..\\x.yaml"])
def test_unsafe_member_names_are_refused(tmp_path: Path, name: str) -> None:
    path = make_zip(tmp_path / "b.zip", {"metadata.yaml": META, name: "a: 1\n"})
    with pytest.raises(BundleError, match="unsafe member name"):
        read_bundle(path)


def test_a_zip_bomb_stops_at_the_cap(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(b, "MAX_MEMBER_BYTES", 1024 * 1024)
    path = make_zip(tmp_path / "bomb.zip", {"x/metadata.yaml": META,
                                            "x/charts/c.yaml": b"a" * (3 * 1024 * 1024)})
    assert path.stat().st_size < 20_000
    with pytest.raises(BundleError, match=r"bomb.zip!x/charts/c.yaml: the member inflates past"):
        read_bundle(path)


def test_yaml_aliases_that_expand_past_the_budget_are_refused(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(b, "MAX_NODES", 10_000)
    laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcde", "bcdef")) + "slice_name: x\n"
    path = make_zip(tmp_path / "b.zip", {"metadata.yaml": META, "charts/c.yaml": laughs})
    with pytest.raises(BundleError, match="aliases"):
        read_bundle(path)


def test_invalid_yaml_is_positioned_in_its_member(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "b.zip", {"metadata.yaml": META,
                                         "charts/c.yaml": "slice_name: x\nparams: [\n"})
    with pytest.raises(BundleError, match=r"b.zip!charts/c.yaml:3:1: invalid YAML"):
        read_bundle(path)


def test_a_symlink_in_a_directory_bundle_is_not_followed(tmp_path: Path) -> None:
    root = tmp_path / "bundle"
    (root / "charts").mkdir(parents=True)
    (root / "metadata.yaml").write_text(META)
    secret = tmp_path / "secret.yaml"
    secret.write_text("password: hunter2\n")
    os.symlink(secret, root / "charts" / "c.yaml")
    with pytest.raises(BundleError, match="charts/c.yaml: a symlink"):
        read_bundle(root)


def test_not_a_bundle_and_dangling_references_are_errors(tmp_path: Path) -> None:
    with pytest.raises(BundleError, match="no metadata.yaml"):
        read_bundle(make_zip(tmp_path / "a.zip", {"charts/c.yaml": "a: 1\n"}))
    (tmp_path / "junk.zip").write_bytes(b"not a zip")
    with pytest.raises(BundleError, match="not a ZIP file"):
        read_bundle(tmp_path / "junk.zip")
    chart = "slice_name: c\nuuid: 1\ndataset_uuid: nowhere\nviz_type: table\n"
    bundle = read_bundle(make_zip(tmp_path / "c.zip", {"metadata.yaml": META,
                                                       "charts/c.yaml": chart}))
    with pytest.raises(BundleError, match=r"c.zip!charts/c.yaml: no uuid"):
        import_bundles([bundle])


def test_the_cli_exits_1_with_one_line_and_writes_nothing(tmp_path: Path) -> None:
    bad = make_zip(tmp_path / "bad.zip", {"metadata.yaml": META, "../x.yaml": "a: 1\n"})
    code, out = run(str(MARKET), str(bad), "--assets", str(tmp_path / "assets"))
    assert code == 1 and "bad.zip!../x.yaml: unsafe member name" in out
    assert "Traceback" not in out and not (tmp_path / "assets").exists()
