"""The common shape of every typed spec.

A spec is what a YAML file says about one Superset object, validated by
pydantic (strict: ``"yes"`` is not a boolean, ``"5"`` is not a number; unknown
keys are errors). Each spec class declares:

* ``KIND``: the kind's name (``chart``), also the CLI's ``--target`` prefix;
* ``key``: the natural key the object is matched by, never a server id;
* ``NOT_COMPARED``: fields that never make a change (documentation, the
  per-environment overrides themselves);
* ``FOLDED``: compared keys computed from several fields together (a view's
  definition from its source, columns and SQL);
* ``SECRET``: fields whose values are rendered as ``(sensitive)``.

Specs carry their source document privately, so any later stage can point at
the line a field came from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, PrivateAttr

from superset_iac.diagnostics import Position
from superset_iac.load.yaml_source import Document, Path

# ``superset-iac://<kind>/<key>`` names an object superset-iac created, on
# every side: the seed of a managed uuid, the ``external_url`` the UI shows,
# the marker of the roles, RLS rules and warehouse views the tool owns.
MANAGED_URL_PREFIX = "superset-iac://"


def managed_url(kind: str, key: str) -> str:
    return f"{MANAGED_URL_PREFIX}{kind}/{key}"


@dataclass(frozen=True)
class Ref:
    """A by-name reference from one spec to another object."""

    kind: str
    key: str
    path: tuple[str | int, ...] = ()


class Model(BaseModel):
    """Strict, closed pydantic model used for specs and their parts."""

    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=True,
                              validate_default=False)


class Spec(Model):
    KIND: ClassVar[str] = ""
    NOT_COMPARED: ClassVar[frozenset[str]] = frozenset()
    FOLDED: ClassVar[Mapping[str, frozenset[str]]] = {}
    SECRET: ClassVar[frozenset[str]] = frozenset()

    _doc: Document | None = PrivateAttr(default=None)
    _path: Path = PrivateAttr(default=())

    @property
    def key(self) -> str:
        raise NotImplementedError

    @property
    def ref(self) -> str:
        """``kind/key``: how the CLI (``--target``) and plans name this object."""
        return f"{self.KIND}/{self.key}"

    def refs(self) -> list[Ref]:
        """What this object names, with the position of each mention.

        Validation checks each exists; apply skips the dependants of an object
        that failed.
        """
        return []

    def attach(self, doc: Document, path: Path) -> "Spec":
        self._doc, self._path = doc, tuple(path)
        return self

    def pos(self, *path: str | int) -> Position:
        """Where ``path`` (relative to this object) is written in its file."""
        if self._doc is None:
            return Position("<generated>")
        return self._doc.pos(self._path + tuple(path))

    def text_pos(self, path: tuple[str | int, ...], line: int = 0, col: int = 0) -> Position:
        """Where character ``col`` of line ``line`` (0-based) of the string at
        ``path`` is written: an SQL error inside a block scalar at its line."""
        if self._doc is None:
            return Position("<generated>")
        return self._doc.text_pos(self._path + tuple(path), line, col)

    @property
    def file(self) -> str:
        return self._doc.file if self._doc else "<generated>"

    def write_only_secrets(self) -> tuple[str, ...]:
        """Plan paths of the secrets this object sets that the server never
        returns, so that no comparison can see them change (a database
        password). ``plan(rotate=True)`` rewrites them; none by default."""
        return ()

    def compared(self) -> dict[str, Any]:
        """The fields that define equality, as plain JSON data.

        This is the single notion of "the same" used by plan, apply and
        export: handlers build specs from live objects and both sides go
        through this method. Every field is compared unless ``NOT_COMPARED``
        or ``FOLDED`` names it (tests/unit/test_compared_fields.py keeps it
        so); a kind says how its values compare in ``canonical_form``.
        """
        folded = {name for names in self.FOLDED.values() for name in names}
        data = self.model_dump(mode="json", by_alias=True,
                               exclude=set(self.NOT_COMPARED) | folded)
        return self.canonical_form(data)

    def canonical_form(self, data: dict[str, Any]) -> dict[str, Any]:
        """``data`` (the compared fields, dumped) with each value in its one
        canonical form: sets sorted, blanks as none, what the server derives
        dropped, and the ``FOLDED`` keys added."""
        return data
