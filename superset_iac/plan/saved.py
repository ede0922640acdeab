"""Saved plans: a plan with what it was computed from, as a JSON file.

``diff --out FILE`` writes one; ``apply FILE`` applies exactly that plan, and
refuses when it no longer describes what would happen (like Terraform's stale
plan check). A saved plan records:

* its origin: the environment, the Superset URL (without any credentials),
  the tool version, the asset directory and the content hash of each of its
  files (``load.digest``), and the options that shaped it (``--prune``,
  ``--target``, ``--rotate-passwords``);
* the changes, as ``Change.to_dict()`` gives them: sensitive fields are
  ``(sensitive)`` and URIs carry Superset's masked password, so the file holds
  no secret and can be posted, archived or passed between CI jobs;
* a fingerprint of the live state of every object a change touches: a sha256
  of its compared form (``Spec.compared()``, the one notion of "the same"),
  with its secret fields left out, or ``null`` for an object that did not
  exist.

Staleness (``check``) is decided here, purely: the caller recomputes the plan
from the same options against the server, and the saved plan is applied only
if the tree's files, each touched object's fingerprint and each touched
object's field changes are what they were. Nothing else is applied: an object
that drifted but is not in the saved plan stays as it is, as in Terraform.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from superset_iac.errors import ConfigError, IacError
from superset_iac.exitcodes import ExitCode
from superset_iac.load.digest import TreeDigest
from superset_iac.model.refs import MASK
from superset_iac.plan.model import LiveObject, Plan

# Bumped when the layout changes in a way an older tool cannot read.
FORMAT = "superset-iac/plan/v1"


class PlanFileError(ConfigError):
    """A file that is not a saved plan this version can read (exit 2)."""


class StalePlan(IacError):
    """The saved plan no longer matches the tree or the server (exit 4)."""

    exit_code = ExitCode.STALE

    def __init__(self, path: str, reasons: list[str]) -> None:
        self.reasons = reasons
        self.lines = (*(f"  - {r}" for r in reasons),
                      f"Run diff --out {path} again and review the new plan.")
        super().__init__(f"the saved plan {path} is stale; nothing was changed:")


@dataclass(frozen=True)
class Origin:
    """What a plan was computed from."""

    environment: str | None
    superset_url: str
    tool_version: str
    assets: str
    tree: TreeDigest = field(default_factory=TreeDigest)
    prune: bool = False
    targets: tuple[str, ...] = ()
    rotate: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"environment": self.environment, "superset_url": without_credentials(
                    self.superset_url), "tool_version": self.tool_version,
                "assets": self.assets, "tree_hash": self.tree.total,
                "files": dict(sorted(self.tree.files.items())),
                "options": {"prune": self.prune, "targets": list(self.targets),
                            "rotate_passwords": self.rotate}}


@dataclass
class SavedPlan:
    origin: Origin
    changes: list[dict[str, Any]]
    live: dict[str, str | None]
    summary: dict[str, int] = field(default_factory=dict)

    @property
    def refs(self) -> list[str]:
        return [f"{c['kind']}/{c['key']}" for c in self.changes]

    def to_dict(self) -> dict[str, Any]:
        return {"format": FORMAT, "origin": self.origin.to_dict(), "summary": self.summary,
                "changes": self.changes, "live": self.live}


def save(plan: Plan, origin: Origin) -> SavedPlan:
    """``plan`` with its origin; each change's live object (None for a create)
    is the state it was computed from."""
    changes = [_data(c.to_dict()) for c in plan.changes]
    prints = {c.ref: fingerprint(c.live) for c in plan.changes}
    return SavedPlan(origin, changes, prints, plan.counts())


def to_json(saved: SavedPlan) -> str:
    return json.dumps(saved.to_dict(), indent=2, ensure_ascii=False) + "\n"


def from_json(text: str, where: str) -> SavedPlan:
    try:
        data = json.loads(text)
    except ValueError as err:
        raise PlanFileError(f"{where} is not a saved plan (not JSON: {err})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        found = data.get("format") if isinstance(data, dict) else None
        raise PlanFileError(f"{where} is not a saved plan of this tool (format {found!r}, "
                            f"expected {FORMAT!r}); write one with diff --out")
    try:
        return _parse(data)
    except (KeyError, TypeError, AttributeError) as err:
        raise PlanFileError(f"{where}: a saved plan with a missing or malformed part ({err})"
                            ) from None


def _parse(data: dict[str, Any]) -> SavedPlan:
    o = data["origin"]
    options = o["options"]
    origin = Origin(environment=o["environment"], superset_url=str(o["superset_url"]),
                    tool_version=str(o["tool_version"]), assets=str(o["assets"]),
                    tree=TreeDigest({str(k): str(v) for k, v in o["files"].items()}),
                    prune=bool(options["prune"]), targets=tuple(options["targets"]),
                    rotate=bool(options["rotate_passwords"]))
    changes = list(data["changes"])
    for change in changes:
        change["kind"], change["key"]
    return SavedPlan(origin, changes, dict(data["live"]), dict(data.get("summary", {})))


# -- fingerprints ------------------------------------------------------------------

def fingerprint(obj: LiveObject | None) -> str | None:
    """sha256 of a live object's compared form, secret fields left out (a
    view's salt digest is not in the file in any form); None when absent."""
    if obj is None:
        return None
    secret = obj.spec.SECRET
    compared = {k: (MASK if k in secret else v) for k, v in obj.spec.compared().items()}
    text = json.dumps({"managed": obj.managed, "compared": compared}, sort_keys=True,
                      default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


# -- staleness -----------------------------------------------------------------------

def check_origin(saved: SavedPlan, now: Origin) -> list[str]:
    """What differs before anything is read from the server: the environment,
    the Superset, the tool, the tree's files."""
    was = saved.origin
    reasons = check_run(saved, now.environment, now.tool_version)
    if without_credentials(was.superset_url).rstrip("/") != \
            without_credentials(now.superset_url).rstrip("/"):
        reasons.append(f"it was made against {without_credentials(was.superset_url)}, "
                       f"this run connects to {without_credentials(now.superset_url)}")
    return reasons + check_tree(saved, now.tree, now.assets)


def check_run(saved: SavedPlan, environment: str | None, tool_version: str) -> list[str]:
    """The environment and the tool's version, known before the tree is loaded."""
    was = saved.origin
    reasons = []
    if was.environment != environment:
        reasons.append(f"it was made for environment {was.environment!r}, "
                       f"this run is for {environment!r}")
    if was.tool_version != tool_version:
        reasons.append(f"it was made by superset-iac {was.tool_version}, this is {tool_version}")
    return reasons


def check_tree(saved: SavedPlan, tree: TreeDigest, assets: str) -> list[str]:
    """The files of the tree (at ``assets``) added, removed or edited since."""
    was = saved.origin.tree
    reasons = []
    for path in was.moved(tree):
        how = ("added" if path not in was.files else
               "removed" if path not in tree.files else "edited")
        reasons.append(f"{assets}/{path} was {how} since the plan was made")
    return reasons


def check_live(saved: SavedPlan, plan: Plan) -> list[str]:
    """What moved on the server (or in the variables) for the objects the saved
    plan touches; ``plan`` is computed now, with the saved plan's options."""
    now = {c.ref: c for c in plan.changes}
    reasons = []
    for change in saved.changes:
        ref = f"{change['kind']}/{change['key']}"
        current = now.get(ref)
        if current is None:
            reasons.append(f"{ref} changed on the server since the plan was made "
                           "(it needs no change now)")
            continue
        was, is_ = saved.live.get(ref), fingerprint(current.live)
        if was != is_:
            how = ("was created" if was is None else "was deleted" if is_ is None
                   else "changed")
            reasons.append(f"{ref} {how} on the server since the plan was made")
        elif _data(current.to_dict()) != change:
            reasons.append(f"{ref}: the change planned for it is different now "
                           "(a variable it uses changed?)")
    return reasons


def select(saved: SavedPlan, plan: Plan) -> Plan:
    """The changes of ``plan`` that ``saved`` names, in the saved order: the
    saved plan itself, with the live ids and specs the handlers need."""
    by_ref = {c.ref: c for c in plan.changes}
    return Plan(changes=[by_ref[ref] for ref in saved.refs if ref in by_ref],
                unchanged=dict(plan.unchanged), unmanaged=dict(plan.unmanaged))


# -- helpers -------------------------------------------------------------------------

def without_credentials(url: str) -> str:
    """``url`` without a user or password in it (``https://u:p@host`` -> ``https://host``)."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit(parts._replace(netloc=netloc))


def _data(value: Any) -> Any:
    """Plain JSON data, as it reads back from the file (tuples as lists, ...)."""
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))
