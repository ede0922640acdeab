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
* ``SECRET``: fields whose values are rendered as ``(sensitive)``;
* the hooks the stages outside the kind call instead of testing for it
  (``KEY_FIELDS``, ``REFERS_TO``, ``BUILT_IN_KEYS``, ``resolved``,
  ``checked_refs``, ``findings``, ``lineage``, ``export_under``,
  ``missing_for_create``),
  each with a default that suits a kind without that behaviour.

Specs carry their source document privately, so any later stage can point at
the line a field came from.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, PrivateAttr

from superset_iac.diagnostics import Position
from superset_iac.load.yaml_source import Document, Path

if TYPE_CHECKING:  # types only: the environment module imports this one
    from superset_iac.diagnostics import Diagnostics
    from superset_iac.model.environment import Environment

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


@dataclass(frozen=True)
class Finding:
    """A problem ``Spec.findings`` reports; validation adds it with its code's severity."""

    pos: Position
    code: str
    message: str


# How a check looks up another object of the tree by kind and key (None: not defined).
Lookup = Callable[[str, str], "Spec | None"]


@dataclass(frozen=True)
class Link:
    """A lineage edge, downstream: a change of ``source`` reaches ``target``."""

    source: str  # kind/key
    target: str
    relation: str  # "plots", "grants", ... (``lineage.graph`` stops at some)


@dataclass(frozen=True)
class Query:
    """A read-only SQL query an object gives Superset to run as it is (a saved
    query's): validated as one read-only query in the free-SQL sandbox, and
    read for lineage, with unqualified tables in ``catalog``/``schema``."""

    path: tuple[str | int, ...]  # where the SQL is written in the object
    text: str
    database: str
    schema: str | None = None
    catalog: str | None = None


class Model(BaseModel):
    """Strict, closed pydantic model used for specs and their parts."""

    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=True,
                              validate_default=False)


class Spec(Model):
    KIND: ClassVar[str] = ""
    NOT_COMPARED: ClassVar[frozenset[str]] = frozenset()
    FOLDED: ClassVar[Mapping[str, frozenset[str]]] = {}
    SECRET: ClassVar[frozenset[str]] = frozenset()
    # Where the natural key is in the raw mapping, first found wins: a file the
    # schema refuses still names its object, so a reference to it is not
    # reported as undefined as well (see ``key``).
    KEY_FIELDS: ClassVar[tuple[str, ...]] = ("name",)
    # Every kind ``refs()`` may name: export reads these kinds (and theirs)
    # before anything is read, so that what a selected object names is there.
    REFERS_TO: ClassVar[frozenset[str]] = frozenset()
    # Keys of objects every server has without the tree defining them
    # (Superset's own roles): a reference to one needs no definition.
    BUILT_IN_KEYS: ClassVar[frozenset[str]] = frozenset()
    # Groups of fields equality sees as one (either says a dashboard's layout):
    # export writes a group from one side, the file's or the server's.
    TOGETHER: ClassVar[tuple[frozenset[str], ...]] = ()

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

    def checked_refs(self) -> list[Ref]:
        """What validation checks exists: ``refs()`` and names that are not a
        dependency (nothing waits for them in apply, nor reads them in export)."""
        return self.refs()

    def findings(self, lookup: Lookup) -> list[Finding]:
        """Problems of this object on its own or with what it names, beyond its
        schema and the existence of its references (a chart placed twice)."""
        return []

    def resolved(self, env: Environment | None, environ: Mapping[str, str],
                 diags: Diagnostics) -> "Spec":
        """This object as ``env`` wants it: its overrides applied and its
        ``${VAR}`` values filled from ``environ`` (a missing one reported in
        ``diags``). Pure but for remembering secrets; ``self`` by default."""
        return self

    def missing_for_create(self) -> list[tuple[Path, str]]:
        """(path, variable) of values a create needs that were not set; the plan
        refuses only a create of this object (a user's password)."""
        return []

    def lineage(self) -> list[Link]:
        """The lineage edges this object adds (``superset-iac graph``, impact):
        by default, each object it names reaches it. The tables a view or
        dataset reads are not here: they come from its parsed SQL."""
        return [Link(f"{r.kind}/{r.key}", self.ref, "feeds") for r in self.refs()]

    def queries(self) -> list[Query]:
        """The read-only queries this object holds (``validate.sql``,
        ``validate.sandbox``, ``lineage.graph``); a dataset's SQL is checked
        with its columns instead. None by default."""
        return []

    def export_under(self) -> Ref | None:
        """The object whose directory a newly exported file of this kind goes
        in (a dataset under its database); None: the kind's directory itself."""
        return None

    def replaced(self, **update: Any) -> Self:
        """A copy with ``update`` applied that still points at its source lines."""
        copy = self.model_copy(update=update)
        copy._doc, copy._path = self._doc, self._path
        return copy

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
