"""Dashboards: ``/api/v1/dashboard/``.

Reading. Since 5.0 the list no longer returns ``position_json``,
``json_metadata`` or ``css``, so each dashboard of the tree (every dashboard
for an export) is read with ``GET /dashboard/{id}``, asking for the fields
compared only. Dashboards are few. A diff costs

    ceil(dashboards the tree names / 50) lists filtered by managed uuid
    (+ as many by name, for those no uuid found; with --prune,
    ceil(dashboards on the server / 100) whole-list pages instead)
    + 1 detail per dashboard in the tree that exists on the server
    + 1 user-directory page per 100 users, once, if any owner is involved

Identity. A dashboard's key is its slug, or its title when it has none
(titles shared by dashboards without a slug get `` [<uuid8>]``: give such a
dashboard a slug to manage it). One created here has the uuid
``managed_uuid("dashboard", key)``: that marks it as managed (prunable), and
lets a slug changed in the UI show as a change of the tree's dashboard rather
than as a new one. A slug Superset would rewrite is refused by the model.

Writing. A POST never links charts, so a create is POST (title, slug, uuid)
then the PUT an update sends: the complete ``json_metadata`` (Superset resets
some keys when they are absent) with ``positions``, which links the ``CHART``
nodes to the dashboard and rewrites ``position_json``. The keys Superset's
frontend derives (label colours, the scheme's colour domain) are carried over
from the live dashboard, never compared. ``owners`` and ``roles`` are exact:
the PUT after a POST clears the creator Superset adds as owner.

Failure between requests. An update is that one PUT: title, layout,
metadata, filters, owners and roles are written in one transaction by the
server, so a refused PUT leaves the dashboard as it was. A create is POST
then PUT; when the PUT fails, the new dashboard (no charts, no filters) is
deleted again, so it is either there as declared or not at all.

CSS templates (``dashboard_css.py``): a dashboard naming one is written with
the template's CSS before its own, and read back to the name.

Roles are named; their ids come from the role handler (read before
dashboards), or, when it did not run, from one read of
``dashboard/related/roles``. Its theme is named too (``theme_id`` on the
server; the detail's ``theme`` is ``{id, theme_name}``), its id from the theme
handler, which reads before dashboards, or for a system theme (no dependency)
from one read of the theme list when the themes were not read.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any, Callable

from superset_iac.kinds import layout as lay
from superset_iac.kinds import native_filters as nf
from superset_iac.kinds.base import Context, UnresolvedReference
from superset_iac.kinds.dashboard_css import split_css, stored_css
from superset_iac.kinds.owners import owner_ids, owner_names
from superset_iac.kinds.rest import (RestHandler, id_of, json_object, key_names, managed_fields,
                                     managed_uuid)
from superset_iac.kinds.rollback import finish_or_remove
from superset_iac.kinds.theme import theme_id
from superset_iac.model import layout as spec_layout
from superset_iac.model import native_filters as spec_filters
from superset_iac.model.base import Spec
from superset_iac.model.dashboard import DERIVED_METADATA, Dashboard, canonical_metadata
from superset_iac.plan.model import LiveObject

DETAIL_COLUMNS = ("id", "uuid", "dashboard_title", "slug", "published", "css", "json_metadata",
                  "position_json", "certified_by", "certification_details", "owners", "roles",
                  "is_managed_externally", "theme")


class DashboardHandler(RestHandler):
    spec_type = Dashboard
    resource = "dashboard"
    # Not side by side: with TAGGING_SYSTEM on, Superset's own insert listeners
    # add the shared `type:`/`owner:` tags, and two creates at once on
    # PostgreSQL race on them (422 "could not be created"); SQLite hides it.
    independent_writes = False
    columns = ("id", "uuid", "dashboard_title", "slug", "published", "certified_by",
               "certification_details", "owners.id", "roles.id", "roles.name",
               "is_managed_externally")
    detailed = True

    # -- reading ---------------------------------------------------------------
    name_column = "slug"

    def lookups(self, missing: dict[str, Spec | None]) -> list[tuple[str, list[str]]]:
        """A key is the slug, else the title: a dashboard declared without a slug
        (or only named) is looked up by title too."""
        slugs = {n for k, spec in missing.items()
                 if not isinstance(spec, Dashboard) or spec.slug for n in key_names(k)}
        titles = {n for k, spec in missing.items()
                  if not isinstance(spec, Dashboard) or not spec.slug for n in key_names(k)}
        return [(column, sorted(values)) for column, values
                in (("slug", slugs), ("dashboard_title", titles)) if values]

    def keys(self, ctx: Context, rows: list[dict[str, Any]]) -> list[str]:
        return dashboard_keys(rows, ctx.desired_keys(self.kind))

    def detail(self, ctx: Context, object_id: Any) -> dict[str, Any]:
        return ctx.client.get(f"dashboard/{object_id}",
                              params={"q": {"columns": list(DETAIL_COLUMNS)}})["result"]

    def summary(self, row: dict[str, Any]) -> Dashboard:
        """A dashboard outside the tree, from its list row (never compared)."""
        return Dashboard.model_construct(title=row.get("dashboard_title") or "",
                                         slug=row.get("slug") or None)

    def to_spec(self, ctx: Context, row: dict[str, Any], key: str | None = None) -> Dashboard:
        """A dashboard from its detail: ids become names, derived keys go, and
        the layout is in its one canonical form (``model.layout.canonical_layout``)."""
        metadata = json_object(row.get("json_metadata"))
        css_template, css = split_css(ctx, key or row.get("slug") or "", row.get("css"))
        tree = lay.from_server(json_object(row.get("position_json")),
                               lambda cid: ctx.ids.key("chart", cid))
        layout, position = spec_layout.canonical_layout([], tree)
        charts = spec_layout.charts_in(tree or {})
        resolver = _resolver(ctx, tree or {})
        filters = [spec_filters.decompile_filter(nf.from_server(entry, resolver), charts)
                   for entry in metadata.pop("native_filter_configuration", None) or []
                   if isinstance(entry, dict)]
        _entries(metadata, lambda entry: nf.from_server(entry, resolver))
        return Dashboard.model_validate({
            "title": row.get("dashboard_title") or "",
            "slug": row.get("slug") or None,
            "layout": [i.model_dump(exclude_unset=True) for i in layout],
            "position": position,
            "filters": [f.model_dump(exclude_unset=True) for f in filters],
            "roles": sorted(r["name"] for r in row.get("roles") or []),
            "owners": owner_names(ctx, row.get("owners") or []),
            "css": css,
            "css_template": css_template,
            "theme": _theme_name(ctx, row.get("theme")),
            "published": bool(row.get("published")),
            "certified_by": row.get("certified_by") or None,
            "certification_details": row.get("certification_details") or None,
            "metadata": canonical_metadata(metadata_from_server(metadata, _chart_key(ctx))),
        })

    # -- writing ---------------------------------------------------------------
    def to_payload(self, ctx: Context, spec: Spec, live: LiveObject | None = None) -> dict[str, Any]:
        """The PUT body making the dashboard ``live`` (its detail) equal ``spec``."""
        assert isinstance(spec, Dashboard)
        tree = spec.position if spec.position is not None else spec_layout.compile_layout(spec.layout)
        position = lay.to_server(tree, spec.title, lambda key: _chart_info(ctx, key))
        charts = spec_layout.charts_in(tree)
        resolver = _resolver(ctx, tree)
        metadata = metadata_to_server(spec.metadata, lambda key: id_of(ctx, "chart", key))
        _entries(metadata, lambda entry: nf.to_server(entry, charts, resolver))
        kept = json_object(live.raw.get("json_metadata") if live is not None else None)
        metadata.update({k: v for k, v in kept.items() if k in DERIVED_METADATA and k != "positions"})
        metadata["native_filter_configuration"] = [
            nf.to_server(spec_filters.filter_body(f, charts), charts, resolver) for f in spec.filters]
        metadata["positions"] = position
        return {
            "dashboard_title": spec.title,
            "slug": spec.slug,
            "published": spec.published,
            "css": stored_css(ctx, spec),
            "theme_id": theme_id(ctx, spec.theme) if spec.theme else None,
            "certified_by": spec.certified_by or "",
            "certification_details": spec.certification_details or "",
            "owners": owner_ids(ctx, spec.owners),
            "roles": self.role_ids(ctx, spec.roles),
            "position_json": json.dumps(position, sort_keys=True),
            "json_metadata": json.dumps(metadata, sort_keys=True),
            **managed_fields(self.kind, spec.key),
        }

    def create_payload(self, ctx: Context, spec: Spec) -> dict[str, Any]:
        """Title, slug and identity only: a POST never links charts (the PUT does)."""
        assert isinstance(spec, Dashboard)
        return {"dashboard_title": spec.title, "slug": spec.slug,
                "uuid": managed_uuid(self.kind, spec.key), **managed_fields(self.kind, spec.key)}

    def create(self, ctx: Context, spec: Spec) -> Any:
        """POST, then the PUT that links the charts; a failed PUT deletes the
        new, empty dashboard again (``rollback``)."""
        new_id = super().create(ctx, spec)
        finish_or_remove(ctx, self, spec, new_id,
                         lambda: ctx.client.put(f"dashboard/{new_id}", self.to_payload(ctx, spec)),
                         f"dashboard '{spec.key}' was created, but its charts and layout "
                         "could not be set")
        return new_id

    def role_ids(self, ctx: Context, names: list[str]) -> list[int]:
        out = []
        for name in names:
            try:
                out.append(ctx.ids.id("role", name))
            except UnresolvedReference:
                out.append(self._related_role(ctx, name))
        return out

    def _related_role(self, ctx: Context, name: str) -> int:
        """A role id from ``dashboard/related/roles``, read once per run."""
        with ctx.cache.lock:
            known = ctx.cache.dashboard_role_ids
            if known is None:
                body = ctx.client.get("dashboard/related/roles", params={"q": {"page_size": 100}})
                known = ctx.cache.dashboard_role_ids = {r["text"]: r["value"]
                                                        for r in body.get("result", [])}
        if name not in known:
            raise UnresolvedReference(f"role '{name}' does not exist on the server")
        return known[name]


# -- identity ------------------------------------------------------------------


def dashboard_keys(rows: list[dict[str, Any]], wanted: list[str]) -> list[str]:
    """Each row's key: the tree's key its managed uuid says, else slug, else title."""
    by_uuid = {managed_uuid("dashboard", key): key for key in wanted}
    keys = [by_uuid.get(row.get("uuid") or "") or row.get("slug") or row.get("dashboard_title") or ""
            for row in rows]
    counts = Counter(keys)
    return [f"{key} [{str(row.get('uuid') or row['id'])[:8]}]"
            if counts[key] > 1 and row.get("uuid") != managed_uuid("dashboard", key) else key
            for row, key in zip(rows, keys)]


# -- ids <-> names ---------------------------------------------------------------


def _theme_name(ctx: Context, theme: Any) -> str | None:
    """The key of the theme a detail names (``{id, theme_name}``), by its id."""
    if not isinstance(theme, dict) or theme.get("id") is None:
        return None
    return ctx.ids.key("theme", theme["id"]) or theme.get("theme_name") or f"#{theme['id']}"


def _chart_key(ctx: Context) -> Callable[[Any], str]:
    def key(chart_id: Any) -> str:
        try:
            found = ctx.ids.key("chart", int(chart_id))
        except (TypeError, ValueError):
            found = None
        return found if found is not None else f"#{chart_id}"
    return key


def _chart_info(ctx: Context, key: str) -> lay.ChartInfo:
    return lay.ChartInfo(id_of(ctx, "chart", key), ctx.cache.chart_names.get(key, key))


def _resolver(ctx: Context, tree: dict[str, Any]) -> nf.Resolver:
    return nf.Resolver(
        dataset_id=lambda key: id_of(ctx, "dataset", key),
        dataset_key=lambda id_: ctx.ids.key("dataset", id_),
        chart_id=lambda key: id_of(ctx, "chart", key),
        chart_key=lambda id_: ctx.ids.key("chart", id_),
        chart_tabs=spec_layout.chart_tabs(tree))


def _entries(metadata: dict[str, Any], conv: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
    """Translate ``chart_customization_config`` (6.x), whose entries are shaped
    like native filters (``targets[].datasetId``, chart ids in scope)."""
    entries = metadata.get("chart_customization_config")
    if isinstance(entries, list):
        metadata["chart_customization_config"] = [conv(e) if isinstance(e, dict) else e for e in entries]


def metadata_from_server(metadata: dict[str, Any], key: Callable[[Any], str]) -> dict[str, Any]:
    """Chart ids in ``json_metadata`` become chart keys (see ``_translate``)."""
    return _translate(metadata, key)


def metadata_to_server(metadata: dict[str, Any], chart_id: Callable[[str], Any]) -> dict[str, Any]:
    """Chart keys in ``Dashboard.metadata`` become this environment's ids."""
    out = _translate(metadata, chart_id)
    for chart, conf in (out.get("chart_configuration") or {}).items():
        if isinstance(conf, dict):
            conf.setdefault("id", _int(chart))
    out["chart_configuration"] = {str(k): v for k, v in (out.get("chart_configuration") or {}).items()}
    if not out["chart_configuration"]:
        del out["chart_configuration"]
    return out


def _int(value: Any) -> Any:
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


def _translate(metadata: dict[str, Any], conv: Callable[[Any], Any]) -> dict[str, Any]:
    """Apply ``conv`` to every chart reference in ``metadata``.

    Where they are: ``chart_configuration`` (keyed by chart, ``id``,
    cross-filter ``scope.excluded``), ``global_chart_configuration``
    (``scope.excluded``), ``expanded_slices`` and ``filter_scopes`` (keyed by
    chart; ``immune`` lists), ``timed_refresh_immune_slices`` (a list) and
    ``default_filters`` (a JSON string keyed by chart). ``chartsInScope`` are
    derived and dropped.
    """
    out = json.loads(json.dumps(metadata))
    if isinstance(out.get("chart_configuration"), dict):
        out["chart_configuration"] = {
            conv(k): _cross_filter(v, conv) for k, v in out["chart_configuration"].items()}
    if isinstance(out.get("global_chart_configuration"), dict):
        out["global_chart_configuration"] = _cross_filter(out["global_chart_configuration"], conv)
    for name in ("expanded_slices", "filter_scopes"):
        if isinstance(out.get(name), dict):
            out[name] = {conv(k): _immune(v, conv) for k, v in out[name].items()}
    if isinstance(out.get("timed_refresh_immune_slices"), list):
        out["timed_refresh_immune_slices"] = [conv(c) for c in out["timed_refresh_immune_slices"]]
    if isinstance(out.get("default_filters"), str):
        filters = json_object(out["default_filters"])
        out["default_filters"] = json.dumps({str(conv(k)): v for k, v in filters.items()})
    return out


def _cross_filter(conf: Any, conv: Callable[[Any], Any]) -> Any:
    if not isinstance(conf, dict):
        return conf
    conf = {k: v for k, v in conf.items() if k not in ("id", "chartsInScope")}
    cross = conf.get("crossFilters")
    if isinstance(cross, dict):
        conf["crossFilters"] = _cross_filter(cross, conv)
    scope = conf.get("scope")
    if isinstance(scope, dict) and isinstance(scope.get("excluded"), list):
        conf["scope"] = {**scope, "excluded": [conv(c) for c in scope["excluded"]]}
    return conf


def _immune(value: Any, conv: Callable[[Any], Any]) -> Any:
    if isinstance(value, dict):
        return {k: (_immune(v, conv) if k != "immune" else [conv(c) for c in v])
                for k, v in value.items()}
    return value


HANDLER = DashboardHandler()
