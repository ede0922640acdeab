"""The interface every kind's handler implements, and what they share.

A handler translates between a kind's typed spec and the server's JSON in
both directions:

* ``read`` turns every live object into a ``LiveObject`` whose ``spec`` uses
  names, not ids (ids are looked up in ``ctx.ids``, filled by the kinds read
  before this one), so the pure plan can compare it with the desired spec;
* ``create``/``update``/``delete`` turn a planned change into requests,
  resolving names to this environment's ids through ``ctx.ids``.

Because ``read`` produces specs, export is ``read`` followed by writing YAML;
what a kind's file says differently from what was read (a password as
``${VAR}``, only the columns equality sees) are the ``export_*`` hooks, whose
defaults write the spec as read.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeVar, runtime_checkable

from superset_iac.errors import IacError
from superset_iac.model.base import MANAGED_URL_PREFIX, Spec, managed_url
from superset_iac.plan.model import Change, LiveObject
from superset_iac.superset.wire import Filter

if TYPE_CHECKING:  # imported for types only; kinds must not need a live client to load
    from superset_iac.kinds.owners import Directory
    from superset_iac.kinds.permissions import Catalogue
    from superset_iac.model.environment import Environment
    from superset_iac.warehouse import Warehouse

__all__ = ["MANAGED_URL_PREFIX", "Context", "ExportFlag", "Handler", "IdIndex", "Prefetching",
           "Rewrite", "RunCache", "SupersetApi", "UnresolvedReference", "managed_url"]

T = TypeVar("T")
List = list  # the method named `list` shadows the builtin in annotations
R = TypeVar("R")


class SupersetApi(Protocol):
    """What handlers ask of a Superset client (``superset.client.SupersetClient``).

    Handlers depend on this seam only, so a test gives them any object with
    these methods, and the client's transport (retries, CSRF, the request
    log) stays out of the kinds.
    """

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any: ...

    def get_bytes(self, path: str, params: Mapping[str, Any] | None = None) -> bytes: ...

    def post(self, path: str, json: Any = None, *, files: Mapping[str, Any] | None = None,
             data: Mapping[str, Any] | None = None) -> Any: ...

    def put(self, path: str, json: Any) -> Any: ...

    def delete(self, path: str, params: Mapping[str, Any] | None = None) -> Any: ...

    def get_by_id(self, resource: str, id: int | str) -> dict[str, Any]: ...

    def list(self, resource: str, filters: Iterable[Filter] = (),
             columns: Sequence[str] | None = None, order_column: str | None = None,
             order_direction: str = "asc", page_size: int = ...) -> list[dict[str, Any]]: ...

    # Requests in flight at once; 1: one after another.
    concurrency: int

    def concurrently(self, fn: Callable[[T], R], items: Iterable[T]) -> List[R]:
        """``[fn(item) for item in items]``, calls side by side (calls that do not
        depend on each other), logged and failing as if one after another."""
        ...


class UnresolvedReference(IacError):
    """A name that no live object carries (its creation failed or was skipped)."""


@dataclass
class IdIndex:
    """Natural key <-> server id, per kind, for one environment."""

    _ids: dict[str, dict[str, Any]] = field(default_factory=dict)
    _keys: dict[str, dict[Any, str]] = field(default_factory=dict)

    def set(self, kind: str, key: str, id_: Any) -> None:
        self._ids.setdefault(kind, {})[key] = id_
        self._keys.setdefault(kind, {})[id_] = key

    def id(self, kind: str, key: str) -> Any:
        try:
            return self._ids[kind][key]
        except KeyError:
            raise UnresolvedReference(f"{kind} '{key}' does not exist on the server") from None

    def key(self, kind: str, id_: Any) -> str | None:
        return self._keys.get(kind, {}).get(id_)

    def forget(self, kind: str, key: str) -> None:
        id_ = self._ids.get(kind, {}).pop(key, None)
        self._keys.get(kind, {}).pop(id_, None)


@dataclass
class RunCache:
    """What the kinds read once per run and share, each filled on first use."""

    owners: Directory | None = None  # the user directory (owners by username)
    permissions: Catalogue | None = None  # every permission-view pair
    permission_ids: dict[str, int] = field(default_factory=dict)  # permission name -> id
    role_rows: list[dict[str, Any]] | None = None  # roles with their permission ids
    dashboard_role_ids: dict[str, Any] | None = None  # the related/roles fallback
    user_groups: dict[str, int] | None = None  # FAB group name -> id
    # chart key -> slice_name, left by the chart read for the dashboards' layout
    chart_names: dict[str, str] = field(default_factory=dict)
    # database name -> cache_timeout, for the datasets' defaults
    database_timeouts: dict[str, int | None] = field(default_factory=dict)
    # object ref -> what apply adds to that object's event
    notes: dict[str, str] = field(default_factory=dict)
    # kind -> what its ``prefetch`` read ahead for its ``read`` (taken once)
    fetched: dict[str, Any] = field(default_factory=dict)
    # Held while a lookup above is filled on first use, so that writes side
    # by side read it once.
    lock: threading.RLock = field(default_factory=threading.RLock)


@dataclass
class Context:
    """Everything a handler may use: the client, the environment, the ids."""

    client: SupersetApi
    env: Environment | None = None
    ids: IdIndex = field(default_factory=IdIndex)
    warehouse: Warehouse | None = None  # for views; connected when the tree has any
    url: str = ""  # the Superset's address as given (audit records, access output)
    cache: RunCache = field(default_factory=RunCache)
    # What this run compares, by kind then key (set by ``workflow.diff``). Kinds
    # whose list endpoint lacks compared fields read details only for these
    # objects; None (export) means every object.
    desired: Mapping[str, Mapping[str, Spec]] | None = None
    # What ``workflow.read_live`` has read so far, by kind then key: a kind may
    # need more of an object it names than its id (a chart, its dataset's time column).
    live: dict[str, dict[str, LiveObject]] = field(default_factory=dict)
    # Read only the objects the run names (``named``), not whole lists: a diff
    # or apply without ``--prune`` (set by ``workflow.diff``). Pruning must see
    # every managed object, export every object.
    filtered: bool = False

    def named(self, kind: str) -> dict[str, Spec | None]:
        """The keys of ``kind`` this run declares (with their spec) or names from
        another object (None: a built-in role, a dataset the tree does not declare)."""
        desired = self.desired or {}
        out: dict[str, Spec | None] = {ref.key: None for specs in desired.values()
                                       for spec in specs.values() for ref in spec.refs()
                                       if ref.kind == kind}
        out.update(desired.get(kind, {}))
        return out

    def wants_detail(self, kind: str, key: str) -> bool:
        """Whether ``read`` must fetch the full object ``kind/key``."""
        return self.desired is None or key in self.desired.get(kind, {})

    def desired_keys(self, kind: str) -> list[str]:
        """The keys of ``kind`` this run compares (none for export)."""
        return list((self.desired or {}).get(kind, {}))


@dataclass(frozen=True)
class ExportFlag:
    """An ``export`` option that selects every object of one kind (``--roles``)."""

    name: str  # the option as typed, "--roles"
    help: str


@dataclass(frozen=True)
class Rewrite:
    """An object the tree defines that export rewrites because it changed."""

    written: Spec  # as the tree defines it
    before: Mapping[str, Any]  # ``written`` as its file holds it (defaults left out)
    keep: Set[str]  # fields (as spelled in YAML) that still agree with the server
    env: str | None  # the environment exported from
@runtime_checkable
class Prefetching(Protocol):
    """A handler whose ``read`` starts with reads that depend on no other kind
    (its list rows, by what the tree names): ``workflow.read_live`` runs every
    kind's ``prefetch`` side by side first, then the reads in order."""

    def prefetch(self, ctx: Context) -> None:
        """Read ahead into ``ctx.cache.fetched[kind]``, for ``read`` to take."""


class Handler(ABC):
    """Read, create, update and delete one kind of object."""

    spec_type: ClassVar[type[Spec]]
    # Why ``export`` never writes this kind (a view lives in the tree only);
    # None: ``--all`` exports it, and so does anything that names one.
    not_exported: ClassVar[str | None] = None
    # The ``export`` option that selects every object of this kind, if any.
    export_flag: ClassVar[ExportFlag | None] = None
    # Creates and updates of two objects of this kind touch nothing of each
    # other's (each its own requests and ids; shared lookups behind
    # ``RunCache.lock``), so apply may run them side by side (``apply.engine``).
    independent_writes: ClassVar[bool] = False

    @property
    def kind(self) -> str:
        return self.spec_type.KIND

    @abstractmethod
    def read(self, ctx: Context) -> dict[str, LiveObject]:
        """All live objects of this kind by natural key; registers their ids."""

    @abstractmethod
    def create(self, ctx: Context, spec: Spec) -> Any:
        """Create the object; register and return its id."""

    @abstractmethod
    def update(self, ctx: Context, change: Change) -> None:
        """Make the live object in ``change.live`` equal ``change.desired``."""

    @abstractmethod
    def delete(self, ctx: Context, live: LiveObject) -> None:
        """Delete a managed object that is no longer in the tree."""

    # Export: what a kind's file says differently from the spec read. A
    # default writes the spec as read, so only a kind with a secret or a
    # derived part overrides one (``DatabaseHandler``, ``DatasetHandler``).

    def export_form(self, spec: Spec) -> Spec:
        """``spec`` as its file shows it; export keeps the result only if it
        still compares equal (only the columns equality sees, for a dataset)."""
        return spec

    def export_fresh(self, spec: Spec, data: dict[str, Any]) -> dict[str, Any]:
        """``data``, the new file's mapping for ``spec``, with what must not be
        written as read replaced (a URI's password by ``${VAR}``)."""
        return data

    def export_merged(self, live: Spec, data: dict[str, Any], rewrite: Rewrite) -> dict[str, Any]:
        """``data``, the rewritten mapping of ``rewrite.written`` (changed fields
        from ``live``, agreeing ones as written), with what must not be written
        as read replaced, and changed values an override holds put back there."""
        return data

    def export_variables(self, spec: Spec) -> list[str]:
        """The ``${VAR}`` names this object's file needs set (sorted)."""
        return []
