"""The walk over an asset tree: links stay inside it, files and trees are bounded."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from superset_iac.load.tree import load_tree
from superset_iac.load.walk import MIB, Limits

ROLE = "name: {name}\n"


def _role(path: Path, name: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(ROLE.format(name=name))
    return path


def test_a_linked_directory_inside_the_tree_is_loaded(tmp_path: Path) -> None:
    root = tmp_path / "assets"
    _role(root / "roles" / "shared" / "ops.yaml", "Ops")
    (root / "roles" / "team").symlink_to("shared")
    tree = load_tree(root)
    # The role is read twice (through the directory and through the link): the
    # second is a duplicate, which says the link was loaded, not skipped.
    assert tree.diagnostics.codes() == ["S005"]
    assert "team" in tree.diagnostics.items[0].pos.file


def test_a_link_that_leaves_the_tree_is_reported_and_not_read(tmp_path: Path) -> None:
    outside = _role(tmp_path / "elsewhere" / "roles" / "evil.yaml", "Evil")
    root = tmp_path / "assets"
    _role(root / "roles" / "ops.yaml", "Ops")
    (root / "roles" / "evil.yaml").symlink_to(outside)
    (root / "roles" / "linked").symlink_to(outside.parent, target_is_directory=True)
    tree = load_tree(root)
    assert tree.diagnostics.codes() == ["L006", "L006"]
    assert {d.pos.file.rsplit("/", 1)[-1] for d in tree.diagnostics} == {"evil.yaml", "linked"}
    assert set(tree.of("role")) == {"Ops"}


def test_a_kind_directory_that_is_a_link_outside_is_reported(tmp_path: Path) -> None:
    _role(tmp_path / "elsewhere" / "ops.yaml", "Ops")
    root = tmp_path / "assets"
    root.mkdir()
    (root / "roles").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    tree = load_tree(root)
    assert tree.diagnostics.codes() == ["L006"] and tree.count() == 0


def test_dangling_and_looping_links_are_reported_once_each(tmp_path: Path) -> None:
    root = tmp_path / "assets"
    _role(root / "roles" / "ops.yaml", "Ops")
    (root / "roles" / "gone.yaml").symlink_to(root / "roles" / "missing.yaml")
    (root / "roles" / "loop").symlink_to("..", target_is_directory=True)
    tree = load_tree(root)
    # gone.yaml leads nowhere (a warning); the loop back up is walked once,
    # so Ops is read once more through it (a duplicate), never forever.
    codes = tree.diagnostics.codes()
    assert codes.count("L007") == 1 and set(codes) <= {"L007", "S005"}
    assert not tree.diagnostics.has_errors() or codes.count("S005") >= 1


def test_a_file_past_the_bound_is_refused_before_it_is_read(tmp_path: Path) -> None:
    root = tmp_path / "assets"
    big = _role(root / "roles" / "big.yaml", "Big")
    big.write_text("name: Big\ndescription: " + "x" * (MIB + 10) + "\n")
    tree = load_tree(root, {"SUPERSET_IAC_MAX_FILE_MB": "1"})
    assert tree.diagnostics.codes() == ["L008"]
    assert "larger than 1 MiB" in tree.diagnostics.items[0].message
    assert tree.count() == 0


def test_a_tree_past_its_bound_stops_loading(tmp_path: Path) -> None:
    root = tmp_path / "assets"
    for i in range(4):
        path = _role(root / "roles" / f"r{i}.yaml", f"R{i}")
        path.write_text(f"name: R{i}\ndescription: {'y' * (MIB // 2)}\n")
    tree = load_tree(root, {"SUPERSET_IAC_MAX_TREE_MB": "1"})
    assert tree.diagnostics.codes() == ["L009"]
    assert set(tree.of("role")) == {"R0"}  # r1 crosses the bound; r2, r3 are not read


@pytest.mark.parametrize("raw", ["", "0", "-3", "lots"])
def test_bounds_ignore_values_that_are_not_positive_numbers(raw: str) -> None:
    assert Limits.from_environ({"SUPERSET_IAC_MAX_FILE_MB": raw}) == Limits()


def test_a_fifo_is_not_read(tmp_path: Path) -> None:
    root = tmp_path / "assets"
    _role(root / "roles" / "ops.yaml", "Ops")
    os.mkfifo(root / "roles" / "pipe.yaml")  # reading it would block forever
    tree = load_tree(root)
    assert not len(tree.diagnostics) and set(tree.of("role")) == {"Ops"}
