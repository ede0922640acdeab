"""Which live objects an export writes.

Seeds come from the options (dashboards by slug, title or id; every object
of a kind whose handler has an ``export_flag``, roles and RLS rules;
everything), then everything a seed names is added, recursively, through
``Spec.refs()``: a dashboard brings its charts, filter datasets and roles, a
chart its dataset, a dataset its database. So the exported tree validates on
its own, whatever was picked. Which kinds are read for that is known before
anything is read, from the kinds each kind may name (``Spec.REFERS_TO``).

Objects every server has (``Spec.BUILT_IN_KEYS``: Superset's built-in roles
Admin, Alpha, Gamma, sql_lab, Public) are never seeds: superset-iac never
writes them, and ``superset init`` resets them. They are exported when
something exported names them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from superset_iac.errors import ConfigError
from superset_iac.kinds.registry import EXPORTED, HANDLERS
from superset_iac.plan.model import LiveObject

Live = dict[str, dict[str, LiveObject]]


@dataclass(frozen=True)
class Owners:
    """What export writes as the owners of datasets, charts and dashboards.

    ``keep``: the usernames as they are. ``drop``: none (for a tree applied to
    another Superset, whose users differ; applying it leaves the objects
    without owners, which Admins can still edit). ``map``: each username
    renamed by a YAML mapping (``alice: alice.smith``), or left out when it
    maps to nothing (``bob: null``); a username the mapping does not name is
    kept.
    """

    mode: str = "keep"
    mapping: dict[str, str | None] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str) -> "Owners":
        if text in ("keep", "drop"):
            return cls(text)
        if not text.startswith("map:") or not text[4:]:
            raise ConfigError(f"--owners takes keep, drop or map:FILE, not '{text}'")
        path = Path(text[4:])
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
            raise ConfigError(f"--owners {text}: cannot be read ({err})") from None
        if not isinstance(data, dict) or not all(
                isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in data.items()):
            raise ConfigError(f"--owners {text}: expected a mapping of username to username "
                              "(or null)")
        return cls("map", data)

    def apply(self, live: Live) -> Live:
        if self.mode == "keep":
            return live
        return {kind: {key: self._one(obj) for key, obj in objects.items()}
                for kind, objects in live.items()}

    def _one(self, obj: LiveObject) -> LiveObject:
        owners = getattr(obj.spec, "owners", None)
        if not owners:
            return obj
        kept = [] if self.mode == "drop" else \
            [self.mapping.get(o, o) for o in owners if self.mapping.get(o, o) is not None]
        spec = obj.spec.model_copy(update={"owners": sorted(set(kept))})
        return dataclasses.replace(obj, spec=spec)


@dataclass(frozen=True)
class Selection:
    """What to export: ``dashboards`` by slug, title or id; every object of
    every exported kind (``everything``); every object of ``kinds``."""

    dashboards: tuple[str, ...] = ()
    everything: bool = False
    kinds: tuple[str, ...] = ()
    owners: Owners = Owners()

    def seed_kinds(self) -> tuple[str, ...]:
        """The kinds every object of which is a seed."""
        return EXPORTED if self.everything else tuple(k for k in self.kinds if k in EXPORTED)

    def kinds_to_read(self) -> tuple[str, ...]:
        """Kinds whose handlers must read, in dependency order: the seeds'
        kinds and, recursively, every exported kind they may name. Roles are
        read whenever dashboards are, since a dashboard names the roles that
        may see it; views never are (``Handler.not_exported``)."""
        todo = [*self.seed_kinds(), *(("dashboard",) if self.dashboards else ())]
        wanted: set[str] = set()
        while todo:
            kind = todo.pop()
            if kind not in wanted and kind in EXPORTED:
                wanted.add(kind)
                todo += HANDLERS[kind].spec_type.REFERS_TO
        return tuple(kind for kind in EXPORTED if kind in wanted)

    @property
    def empty(self) -> bool:
        return not (self.dashboards or self.everything or self.kinds)


@dataclass
class Selected:
    objects: Live
    missing: list[str]  # "chart/X (named by dashboard/y)": refs with no live object


def select(live: Live, selection: Selection) -> Selected:
    seeds: list[tuple[str, str]] = []
    for kind in selection.seed_kinds():
        seeds += [(kind, key) for key, obj in sorted(live.get(kind, {}).items())
                  if key not in obj.spec.BUILT_IN_KEYS]
    seeds += [("dashboard", find_dashboard(live.get("dashboard", {}), d).key)
              for d in selection.dashboards]
    chosen = _closure(live, seeds)
    chosen.objects = selection.owners.apply(chosen.objects)
    return chosen


def find_dashboard(dashboards: dict[str, LiveObject], wanted: str) -> LiveObject:
    """A dashboard by id, then slug, then title; an unknown or ambiguous one is an error."""
    for match in (lambda o: str(o.id) == wanted,
                  lambda o: getattr(o.spec, "slug", None) == wanted,
                  lambda o: getattr(o.spec, "title", None) == wanted):
        found = [o for o in dashboards.values() if match(o)]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            ids = ", ".join(str(o.id) for o in sorted(found, key=lambda o: str(o.id)))
            raise ConfigError(f"several dashboards are called '{wanted}' (ids {ids}); "
                              "pass a slug or an id")
    raise ConfigError(f"no dashboard with id, slug or title '{wanted}'")


def _closure(live: Live, seeds: list[tuple[str, str]]) -> Selected:
    chosen: set[tuple[str, str]] = set()
    missing: list[str] = []
    todo = list(seeds)
    while todo:
        kind, key = todo.pop()
        if (kind, key) in chosen:
            continue
        chosen.add((kind, key))
        for ref in live[kind][key].spec.refs():
            if ref.key in live.get(ref.kind, {}):
                todo.append((ref.kind, ref.key))
            else:
                missing.append(f"{ref.kind}/{ref.key} (named by {kind}/{key})")
    objects: Live = {}
    for kind in HANDLERS:
        keys = sorted(k for chosen_kind, k in chosen if chosen_kind == kind)
        if keys:
            objects[kind] = {k: live[kind][k] for k in keys}
    return Selected(objects, sorted(set(missing)))
