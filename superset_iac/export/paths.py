"""Where a newly exported object's file goes: stable names from natural keys.

``charts/<slug of key>.yaml``, ``datasets/<database>/<slug>.yaml``, … A name
depends only on the object's key (and what ``Spec.export_under`` names: a
dataset's database), never on
a server id or on the order objects were read, so exporting the same objects
from two servers gives the same paths. Keys that slug alike, or a slug whose
file already exists for something else, get a suffix taken from a hash of the
key: stable too, whatever else is exported alongside.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from pathlib import Path

from superset_iac.model import KINDS, Spec

DIR_OF_KIND = {cls.KIND: dirname for dirname, cls in KINDS.items()}
MAX_STEM = 80


def slug(text: str, fallback: str = "unnamed") -> str:
    """Lower-case ASCII letters, digits and ``_``; safe on every file system."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")[:MAX_STEM].rstrip("_")
    return stem or fallback


def short_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:6]


def natural_path(spec: Spec) -> Path:
    """The path, relative to the asset root, an object gets when nothing collides."""
    directory = Path(DIR_OF_KIND[spec.KIND])
    under = spec.export_under()  # a dataset's file goes under its database's name
    if under is not None:
        directory = directory / slug(under.key, under.kind)
    return directory / f"{slug(spec.key, spec.KIND)}.yaml"


def assign_paths(specs: list[Spec], taken: set[Path]) -> dict[tuple[str, str], Path]:
    """A distinct relative path for each spec, avoiding the ``taken`` ones.

    Within a group of keys wanting the same name, the first key in sorted
    order gets the plain name (if free); the others get ``<slug>-<hash>``.
    """
    wanted: dict[Path, list[Spec]] = {}
    for spec in specs:
        wanted.setdefault(natural_path(spec), []).append(spec)
    out: dict[tuple[str, str], Path] = {}
    used = {_folded(p) for p in taken}  # case-insensitive file systems exist
    for path in sorted(wanted):
        for i, spec in enumerate(sorted(wanted[path], key=lambda s: s.key)):
            chosen = path
            if i > 0 or _folded(chosen) in used:
                chosen = path.with_name(f"{path.stem}-{short_hash(spec.key)}.yaml")
            used.add(_folded(chosen))
            out[(spec.KIND, spec.key)] = chosen
    return out


def _folded(path: Path) -> str:
    return path.as_posix().lower()


def outside(root: Path, path: Path) -> str | None:
    """Where ``path`` really leads if that is outside ``root``, else None.

    Every directory above the file and the file itself may be a symbolic link
    (a dangling one included: writing through it creates its target), so the
    test is on the fully resolved path, not on the names.
    """
    base = os.path.realpath(root)
    real = os.path.realpath(path)
    if real == base or real.startswith(base.rstrip(os.sep) + os.sep):
        return None
    return real
