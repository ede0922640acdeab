"""The content hash of an asset tree, file by file.

A saved plan records it so that ``apply PLAN`` can tell that the tree it was
computed from is the tree being applied, and name the files that differ.
Only the files the loader reads count (``*.yaml``/``*.yml``, hidden
directories left out), so a README or an editor's swap file next to the
assets does not make a plan stale. The files hold no secret (only ``${VAR}``
references, S020), so their hashes reveal nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class TreeDigest:
    """sha256 of each file (relative POSIX path -> hex digest) and of them all."""

    files: dict[str, str] = field(default_factory=dict)

    @property
    def total(self) -> str:
        whole = hashlib.sha256()
        for path, digest in sorted(self.files.items()):
            whole.update(f"{path}\0{digest}\n".encode())
        return whole.hexdigest()

    def moved(self, other: TreeDigest) -> list[str]:
        """Files added, removed or edited between ``self`` and ``other``, sorted."""
        names = set(self.files) | set(other.files)
        return sorted(n for n in names if self.files.get(n) != other.files.get(n))


def tree_digest(root: str | Path) -> TreeDigest:
    root = Path(root)
    files: dict[str, str] = {}
    if not root.is_dir():
        return TreeDigest(files)
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if path.suffix not in (".yaml", ".yml") or _hidden(relative) or not path.is_file():
            continue
        try:
            files[relative.as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:  # unreadable: the loader reports it (L003); it still counts as moved
            files[relative.as_posix()] = "unreadable"
    return TreeDigest(files)


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)
