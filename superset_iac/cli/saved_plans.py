"""``diff --out FILE`` and ``apply FILE``: the command side of saved plans.

The file format and the staleness rules are ``plan/saved.py`` (pure); this
module reads and writes the file, hashes the tree, and turns a stale plan
into ``StalePlan`` (exit 4) before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import click

from superset_iac import __version__, workflow
from superset_iac.errors import ConfigError
from superset_iac.load.digest import tree_digest
from superset_iac.plan import saved
from superset_iac.plan.model import Plan


def origin(loaded: workflow.Loaded, assets: str, url: str | None, *, prune: bool,
           targets: tuple[str, ...], rotate: bool) -> saved.Origin:
    """What a plan computed now for ``loaded`` is computed from."""
    return saved.Origin(environment=loaded.env.name if loaded.env else None,
                        superset_url=url or (loaded.env.superset.url if loaded.env else ""),
                        tool_version=__version__, assets=assets, tree=tree_digest(assets),
                        prune=prune, targets=tuple(targets), rotate=rotate)


def write(path: str, plan: Plan, where: saved.Origin) -> None:
    try:
        Path(path).write_text(saved.to_json(saved.save(plan, where)), encoding="utf-8")
    except OSError as err:
        raise ConfigError(f"cannot write the plan to {path}: {err.strerror}") from None
    click.echo(f"Saved the plan to {path}; apply exactly it with: superset-iac apply {path}",
               err=True)


def read(path: str) -> saved.SavedPlan:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"cannot read the saved plan {path}: {err}") from None
    return saved.from_json(text, path)


@dataclass
class ForApply:
    """A saved plan being applied: its file, and the checks apply runs in order."""

    path: str
    file: saved.SavedPlan

    @classmethod
    def open(cls, path: str, targets: tuple[str, ...], prune: bool, rotate: bool) -> "ForApply":
        """A saved plan carries the options it was made with; others would not apply
        it exactly, so giving any is a usage error."""
        given = [name for name, on in (("--target", bool(targets)), ("--prune", prune),
                                       ("--rotate-passwords", rotate)) if on]
        if given:
            raise click.UsageError(f"{', '.join(given)}: a saved plan is applied with the "
                                   "options it was made with; give them to diff --out instead")
        return cls(path, read(path))

    @property
    def options(self) -> tuple[tuple[str, ...], bool, bool]:
        """``--target``, ``--prune``, ``--rotate-passwords`` as the plan was made."""
        o = self.file.origin
        return o.targets, o.prune, o.rotate

    def check_before_loading(self, assets: str, env_name: str | None) -> None:
        """The environment, the tool and the tree's files first: an edit that
        broke the tree, or another environment's missing variables, are
        reported as what they are, a change since the plan."""
        self._refuse(saved.check_run(self.file, env_name, __version__)
                     + saved.check_tree(self.file, tree_digest(assets), assets))

    def check_origin(self, loaded: workflow.Loaded, assets: str, url: str | None) -> None:
        targets, prune, rotate = self.options
        now = origin(loaded, assets, url, prune=prune, targets=targets, rotate=rotate)
        self._refuse(saved.check_origin(self.file, now))

    def exactly(self, now: Plan) -> Plan:
        """The saved plan, with what apply needs, if nothing it touches moved."""
        self._refuse(saved.check_live(self.file, now))
        return saved.select(self.file, now)

    def _refuse(self, reasons: list[str]) -> None:
        if reasons:
            raise saved.StalePlan(self.path, reasons)
