"""Reading a native Superset export bundle, which is input nobody here wrote.

A bundle is a ZIP file or a directory as Superset 4.x-6.x and preset-cli
write it: ``metadata.yaml``, ``databases/*.yaml``, ``datasets/<db>/*.yaml``,
``charts/*.yaml``, ``dashboards/*.yaml``, usually under one top folder. It is
treated as hostile:

* member names are checked before anything is read (no absolute paths, no
  ``..``, no backslashes, no drive letters), and nothing is ever extracted to
  disk: members are read into memory with a hard cap on each member and on
  the whole, counted as bytes actually inflated, not as the sizes the ZIP's
  headers claim (a zip bomb stops at the cap);
* a directory bundle is read without following symlinks;
* YAML is read with the safe loader, and a document whose aliases would
  expand past a node budget is refused (a "billion laughs" document);
* every error names the bundle and the member, with the line where YAML has one.
"""

from __future__ import annotations

import io
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

import yaml

from superset_iac.errors import IacError

MAX_MEMBERS = 10_000
MAX_MEMBER_BYTES = 8 * 1024 * 1024
MAX_TOTAL_BYTES = 64 * 1024 * 1024
MAX_NODES = 1_000_000  # scalars and containers of one document, aliases expanded
KINDS = {"databases": "database", "datasets": "dataset", "charts": "chart",
         "dashboards": "dashboard"}
# In a bundle, but nothing this tool converts (say so, do not fail).
IGNORED = frozenset({"queries", "saved_queries", "tags"})


# The safe loader, in C when PyYAML has it (a server's export of 200 datasets
# is read on every diff).
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class BundleError(IacError):
    """A bundle that cannot be read safely or does not have the native format (exit 1)."""


@dataclass(frozen=True)
class Member:
    """One YAML document of a bundle: which, from where, what it says."""

    bundle: str
    name: str  # the member's path inside the bundle
    kind: str
    data: dict[str, Any]
    lines: dict[str, int] = field(default_factory=dict)  # top-level key -> its line

    def line(self, key: str) -> int:
        return self.lines.get(key, 1)

    @property
    def where(self) -> str:
        return f"{self.bundle}!{self.name}"


@dataclass
class Bundle:
    source: str
    members: list[Member]
    notes: list[str]


def read_bundle(path: Path) -> Bundle:
    raw = _zip_members(path, str(path)) if path.is_file() else _dir_members(path)
    return _parse(str(path), raw)


def read_bundle_bytes(name: str, data: bytes) -> Bundle:
    """A ZIP bundle received whole (a server's export answer), read as warily."""
    return _parse(name, _zip_members(io.BytesIO(data), name))


def _check_name(bundle: str, name: str) -> PurePosixPath:
    pure = PurePosixPath(name)
    if ("\\" in name or name.startswith("/") or ".." in pure.parts
            or (pure.parts and ":" in pure.parts[0])):
        raise BundleError(f"{bundle}!{name}: unsafe member name (absolute, '..' or a drive)")
    return pure


def _zip_members(source: Path | IO[bytes], bundle: str) -> dict[str, bytes]:
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as err:
        raise BundleError(f"{bundle}: not a ZIP file or a directory ({err})") from None
    out: dict[str, bytes] = {}
    total = 0
    with archive:
        infos = [i for i in archive.infolist() if not i.is_dir()]
        if len(infos) > MAX_MEMBERS:
            raise BundleError(f"{bundle}: {len(infos)} members, more than {MAX_MEMBERS}")
        for info in infos:
            _check_name(bundle, info.filename)
            if not info.filename.endswith((".yaml", ".yml")):
                continue
            data = _read_capped(archive, info, bundle, MAX_TOTAL_BYTES - total)
            total += len(data)
            out[info.filename] = data
    return out


def _read_capped(archive: zipfile.ZipFile, info: zipfile.ZipInfo, bundle: str,
                 left: int) -> bytes:
    """The member's bytes, inflating no more than the caps allow."""
    cap = min(MAX_MEMBER_BYTES, left)
    try:
        with archive.open(info) as stream:
            data = stream.read(cap + 1)
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as err:
        raise BundleError(f"{bundle}!{info.filename}: cannot be read ({err})") from None
    if len(data) > cap:
        what = "the member" if cap == MAX_MEMBER_BYTES else "the bundle"
        raise BundleError(f"{bundle}!{info.filename}: {what} inflates past "
                          f"{cap if what == 'the member' else MAX_TOTAL_BYTES} bytes")
    return data


def _dir_members(root: Path) -> dict[str, bytes]:
    bundle = str(root)
    if not root.is_dir():
        raise BundleError(f"{bundle}: no such file or directory")
    out: dict[str, bytes] = {}
    total = 0
    for path in sorted(_walk(root, bundle)):
        name = path.relative_to(root).as_posix()
        size = path.lstat().st_size
        if size > MAX_MEMBER_BYTES or total + size > MAX_TOTAL_BYTES:
            raise BundleError(f"{bundle}!{name}: larger than the bundle size limits")
        total += size
        out[name] = path.read_bytes()
    return out


def _walk(root: Path, bundle: str) -> list[Path]:
    """YAML files below ``root``; symlinks are not followed, and are refused."""
    found: list[Path] = []
    stack = [root]
    while stack:
        for entry in sorted(stack.pop().iterdir()):
            mode = entry.lstat().st_mode
            if stat.S_ISLNK(mode):
                raise BundleError(f"{bundle}!{entry.relative_to(root).as_posix()}: "
                                  "a symlink (not followed)")
            if stat.S_ISDIR(mode):
                stack.append(entry)
            elif stat.S_ISREG(mode) and entry.suffix in (".yaml", ".yml"):
                found.append(entry)
            if len(found) > MAX_MEMBERS:
                raise BundleError(f"{bundle}: more than {MAX_MEMBERS} files")
    return found


def _parse(bundle: str, raw: dict[str, bytes]) -> Bundle:
    top = _top(bundle, raw)
    members: list[Member] = []
    notes: set[str] = set()
    for name in sorted(raw):
        rel = PurePosixPath(name).relative_to(top) if top else PurePosixPath(name)
        head = rel.parts[0] if len(rel.parts) > 1 else ""
        if head in KINDS:
            data = _document(bundle, name, raw[name])
            members.append(Member(bundle, name, KINDS[head], data, _key_lines(raw[name])))
        elif head in IGNORED:
            notes.add(f"{bundle}: {head}/ is not converted (saved queries and tags are not "
                      "assets of this tool)")
    if not members:
        raise BundleError(f"{bundle}: no databases/, datasets/, charts/ or dashboards/ "
                          "members: not a Superset export bundle")
    return Bundle(bundle, members, sorted(notes))


def _top(bundle: str, raw: dict[str, bytes]) -> PurePosixPath | None:
    """The folder holding ``metadata.yaml`` (a ZIP's single top folder, or none)."""
    tops = sorted((PurePosixPath(n).parent for n in raw if PurePosixPath(n).name == "metadata.yaml"),
                  key=lambda p: len(p.parts))
    if not tops:
        raise BundleError(f"{bundle}: no metadata.yaml: not a Superset export bundle")
    return tops[0] if tops[0].parts else None


def _document(bundle: str, name: str, data: bytes) -> dict[str, Any]:
    where = f"{bundle}!{name}"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise BundleError(f"{where}: not UTF-8 text (byte {err.start})") from None
    try:
        value = yaml.load(text, Loader=_SAFE_LOADER)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = f":{mark.line + 1}:{mark.column + 1}" if mark is not None else ""
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise BundleError(f"{where}{line}: invalid YAML: {problem}") from None
    if not isinstance(value, dict):
        raise BundleError(f"{where}:1:1: expected a mapping, got {type(value).__name__}")
    _budget(where, value)
    return value


def _key_lines(data: bytes) -> dict[str, int]:
    """The line of each top-level key (diagnostics about a member point at it)."""
    lines: dict[str, int] = {}
    for number, line in enumerate(data.decode("utf-8").splitlines(), start=1):
        key, colon, _ = line.partition(":")
        if colon and key and not key[0].isspace() and key.isidentifier():
            lines.setdefault(key, number)
    return lines


def _budget(where: str, value: Any) -> None:
    """Refuse a document whose aliases expand past ``MAX_NODES`` nodes."""
    count = 0
    stack = [value]
    while stack:
        item = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise BundleError(f"{where}: more than {MAX_NODES} values once its YAML aliases are "
                              "expanded (refused)")
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
