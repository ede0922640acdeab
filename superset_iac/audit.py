"""The audit trail: one JSON line per apply, appended to a configurable file.

Who ran it (OS user, CI actor if any), where (host, git commit of the tree),
when, against which environment and Superset URL, the plan that was applied
and the outcome. Plans never hold secrets: sensitive fields are masked by
``Plan.to_dict`` before they get here.

What was applied. ``commit`` names the tree's git HEAD, but an apply from a
tree with uncommitted changes (edited, added or deleted files under the
asset directory) did not apply that commit: ``dirty`` says so (None outside
git), and ``tree_sha256`` is a digest of the tree's content as it was read
(every file's relative path and bytes, in a fixed order), so two records of the
same content carry the same digest whatever git says. Environment files hold
``${VAR}`` references, never values, so the digest leaks no secret.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import os
import socket
import subprocess
from pathlib import Path
from typing import Any

from superset_iac import __version__
from superset_iac.errors import ConfigError
from superset_iac.secrets import mask_data

# Variables CI systems set to name the person or workflow behind a run.
_ACTOR_VARS = ("SUPERSET_IAC_ACTOR", "GITHUB_ACTOR", "GITLAB_USER_LOGIN", "BUILD_USER", "USER")


def actor() -> str:
    for name in _ACTOR_VARS:
        if os.environ.get(name):
            return os.environ[name]
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def git_commit(path: Path) -> str | None:
    try:
        out = subprocess.run(["git", "-C", str(path), "rev-parse", "HEAD"],
                             capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def git_dirty(path: Path) -> bool | None:
    """Whether the tree at ``path`` differs from its commit (untracked files
    count); None outside a git work tree or without git."""
    try:
        out = subprocess.run(["git", "-C", str(path), "status", "--porcelain", "--", "."],
                             capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return bool(out.stdout.strip()) if out.returncode == 0 else None


def tree_digest(path: Path) -> str | None:
    """sha256 of every file under ``path`` (relative path, then content), in
    path order; a symlink counts as its target's name, never followed."""
    if not path.is_dir():
        return None
    digest = hashlib.sha256()
    for root, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if d != ".git")
        for name in sorted(files):
            file = Path(root) / name
            digest.update(file.relative_to(path).as_posix().encode() + b"\0")
            try:
                data = os.readlink(file).encode() if file.is_symlink() else file.read_bytes()
            except OSError:
                data = b"(unreadable)"
            digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def build_record(*, env: str, url: str, assets: Path, plan: dict[str, Any] | None,
                 result: dict[str, Any], ok: bool) -> dict[str, Any]:
    """The record of one apply; ``plan`` is None when it stopped before planning."""
    return {
        "time": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "actor": actor(),
        "host": socket.gethostname(),
        "tool_version": __version__,
        "environment": env,
        "superset_url": url,
        "assets": str(assets),
        "commit": git_commit(assets),
        "dirty": git_dirty(assets),
        "tree_sha256": tree_digest(assets),
        "outcome": "success" if ok else "failed",
        "plan": plan,
        "result": result,
    }


def append(path: str | Path, record: dict[str, Any]) -> None:
    """Append one line; a log that cannot be written is a configuration error."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(mask_data(record), sort_keys=True, default=str) + "\n")
    except OSError as err:
        raise ConfigError(f"cannot write the audit log {path}: {err.strerror}") from None
