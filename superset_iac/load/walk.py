"""Finding and reading an asset tree's files, as untrusted input.

A pull request controls the tree, so the walk holds it to three rules:

- **Symbolic links** are followed only while they stay inside the tree (a
  link from ``charts/shared`` to ``../common/charts`` is loaded like a
  directory of the tree). A link that leads outside the tree (``/etc``, the
  runner's home) is reported and not read: what it names is not part of the
  change under review. A dangling link is reported too, never silently
  skipped. A link that loops back to a directory above it is not walked
  again.
- **Size**: a file larger than ``max_file`` bytes, or a tree whose files add
  up to more than ``max_tree``, is reported and not (further) read; the
  bounds keep a CI runner's memory safe. Override them with
  ``SUPERSET_IAC_MAX_FILE_MB`` and ``SUPERSET_IAC_MAX_TREE_MB``.
- **Text**: a file must be UTF-8; the first byte that is not is reported at
  its line and column.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from superset_iac.diagnostics import Diagnostics, Position, Severity

MIB = 1024 * 1024
MAX_FILE_BYTES = 4 * MIB
MAX_TREE_BYTES = 64 * MIB
SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Limits:
    max_file: int = MAX_FILE_BYTES
    max_tree: int = MAX_TREE_BYTES

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Limits:
        return cls(_mib(environ, "SUPERSET_IAC_MAX_FILE_MB", MAX_FILE_BYTES),
                   _mib(environ, "SUPERSET_IAC_MAX_TREE_MB", MAX_TREE_BYTES))


def _mib(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name, "").strip()
    try:
        value = float(raw)
    except ValueError:
        return default
    return int(value * MIB) if value > 0 else default


class Walker:
    """Lists the YAML files below kind directories of one root, reporting links."""

    def __init__(self, root: Path, display: "Display", diags: Diagnostics) -> None:
        self.root, self.base = root, root.resolve()
        self.display, self.diags = display, diags

    def files(self, directory: Path) -> list[Path]:
        """The YAML files below ``directory`` (a link itself, possibly), sorted."""
        start = self._follow(directory) if directory.is_symlink() else directory
        if start is None or not start.is_dir():
            return []
        found: list[Path] = []
        # Each directory to walk with the real directories above it: a link
        # back to one of those is a loop, walked once, not forever.
        stack: list[tuple[Path, frozenset[Path]]] = [(directory, frozenset())]
        while stack:
            current, above = stack.pop()
            real = current.resolve()
            if real in above:
                continue
            below: list[Path] = []
            for entry in sorted(current.iterdir()):
                self._visit(entry, found, below)
            stack.extend((sub, above | {real}) for sub in reversed(below))
        return sorted(found)

    def _visit(self, entry: Path, found: list[Path], stack: list[Path]) -> None:
        is_yaml = entry.suffix in SUFFIXES
        if entry.is_symlink():
            if (target := self._follow(entry, report=is_yaml or entry.is_dir())) is None:
                return
        else:
            target = entry
        if target.is_dir():
            stack.append(entry)
        elif is_yaml and target.is_file():
            found.append(entry)

    def _follow(self, link: Path, report: bool = True) -> Path | None:
        """The target of ``link`` if it exists inside the tree; else report it.

        A dangling link is reported whatever its name (it may have been meant
        as a directory); one leading outside only when ``report`` (a YAML
        file's name, or a directory: what the walk would have read).
        """
        try:
            target = link.resolve(strict=True)
        except (OSError, RuntimeError):  # missing target, or a loop of links
            self.diags.add(Position(self.display(link)), "L007",
                           f"symbolic link to '{os.readlink(link)}' leads nowhere; "
                           "it was not loaded", Severity.WARNING)
            return None
        if target != self.base and self.base not in target.parents:
            if report:
                self.diags.add(Position(self.display(link)), "L006",
                               f"symbolic link leads outside the asset tree "
                               f"(to '{target}'); it was not loaded")
            return None
        return target


class Display:
    """Paths as a linter prints them: relative to the working directory if below
    it (resolving the root only once)."""

    def __init__(self, root: Path) -> None:
        self.root, self.base, self.cwd = root, root.resolve(), Path.cwd()

    def __call__(self, path: Path) -> str:
        try:
            return str((self.base / path.relative_to(self.root)).relative_to(self.cwd))
        except ValueError:
            return str(path)


class Reader:
    """Reads files as UTF-8 text within the per-file and per-tree bounds."""

    def __init__(self, limits: Limits, diags: Diagnostics) -> None:
        self.limits, self.diags = limits, diags
        self.total = 0
        self.full = False

    def read(self, path: Path, shown: str) -> str | None:
        """The text of ``path``, or None (and a diagnostic) when it cannot be had."""
        if self.full:
            return None
        try:
            with path.open("rb") as fh:
                # Read one byte past the bound: a file may grow (or be a device).
                data = fh.read(self.limits.max_file + 1)
        except OSError as err:
            self.diags.add(Position(shown), "L003", f"cannot read file: {err.strerror or err}")
            return None
        if len(data) > self.limits.max_file:
            self.diags.add(Position(shown), "L008",
                           f"file larger than {_size(self.limits.max_file)}; it was not loaded")
            return None
        self.total += len(data)
        if self.total > self.limits.max_tree:
            self.full = True
            self.diags.add(Position(shown), "L009",
                           f"the tree's files add up to more than {_size(self.limits.max_tree)}; "
                           "this file and the ones after it were not loaded")
            return None
        return _decode(data, shown, self.diags)


def _decode(data: bytes, shown: str, diags: Diagnostics) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line_start = data.rfind(b"\n", 0, err.start) + 1
        col = len(data[line_start:err.start].decode("utf-8", "replace")) + 1
        pos = Position(shown, data.count(b"\n", 0, err.start) + 1, col)
        diags.add(pos, "L003", f"cannot read file: byte 0x{data[err.start]:02x} is not UTF-8 "
                               "text (a binary file?)")
        return None


def _size(n: int) -> str:
    return f"{n / MIB:.3g} MiB"
