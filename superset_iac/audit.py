"""The audit trail: one JSON line per apply, appended to a configurable file.

Who ran it (OS user, CI actor if any), where (host, git commit of the tree),
when, against which environment and Superset URL, the plan that was applied
and the outcome. Plans never hold secrets: sensitive fields are masked by
``Plan.to_dict`` before they get here.
"""

from __future__ import annotations

import datetime as dt
import getpass
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


def build_record(*, env: str, url: str, assets: Path, plan: dict[str, Any] | None,
                 result: dict[str, Any], ok: bool) -> dict[str, Any]:
    """The record of one apply; ``plan`` is None when it stopped before planning."""
    return {
        "time": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "actor": actor(),
        "host": socket.gethostname(),
        "tool_version": __version__,
        "environment": env,
        "superset_url": url,
        "assets": str(assets),
        "commit": git_commit(assets),
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
