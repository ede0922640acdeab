"""A dashboard: a compact layout of charts, native filters and access.

The compact ``layout`` is a list of blocks (rows of cells, headers,
dividers, tabs); ``model/layout.py`` compiles it into Superset's
``position_json`` tree and back. What the compact form cannot say is kept in
``position``: Superset's tree with chart keys instead of chart ids.

Equality (``compared``) is canonical: ``metadata`` without the keys Superset
derives or fills with defaults (``canonical_metadata``), filters with their
defaults spelled out, a ``position`` the compact form can express turned into
``layout``.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import Field, field_validator, model_validator

from superset_iac.model.base import Finding, Link, Lookup, Ref, Spec
from superset_iac.model.layout import canonical_layout
from superset_iac.model.layout_items import TRANSPARENT, Cell, LayoutItem, Tab
from superset_iac.model.native_filters import NativeFilter, canonical_filter
from superset_iac.model.theme import SYSTEM_THEMES

__all__ = ["TRANSPARENT", "Cell", "Dashboard", "LayoutItem", "NativeFilter", "Tab"]

# json_metadata keys Superset (or its frontend, when an owner opens the
# dashboard) computes from other state: never compared, carried over on update.
DERIVED_METADATA = frozenset({"positions", "color_scheme_domain", "shared_label_colors",
                              "map_label_colors", "import_time", "remote_id"})
# Values the server writes when a key is absent (DashboardDAO.set_dash_metadata
# and the dashboard frontend): a key holding its default says nothing.
METADATA_DEFAULTS: dict[str, Any] = {
    "refresh_frequency": 0, "cross_filters_enabled": True, "expanded_slices": {},
    "timed_refresh_immune_slices": [], "default_filters": "{}", "label_colors": {},
    "color_scheme": "", "color_namespace": None, "filter_scopes": {},
    "chart_configuration": {}, "show_chart_timestamps": False,
    "chart_customization_config": [], "native_filter_configuration": [],
    "global_chart_configuration": {"scope": {"rootPath": ["ROOT_ID"], "excluded": []}},
}


def canonical_metadata(metadata: dict[str, Any]) -> dict[str, Any]:
    """``metadata`` without derived keys and without keys at their default.

    The one normal form of ``Dashboard.metadata``, used by the handler when it
    reads (so exports are short) and by ``compared`` on both sides. Chart
    references inside are chart keys (the handler translates ids).
    """
    out: dict[str, Any] = {}
    for name, value in metadata.items():
        if name in DERIVED_METADATA:
            continue
        value = _canonical_value(name, value)
        if name in METADATA_DEFAULTS and value == METADATA_DEFAULTS[name]:
            continue
        out[name] = value
    return out


def _canonical_value(name: str, value: Any) -> Any:
    """Drop what Superset's frontend recomputes on load (``chartsInScope``, ids)."""
    if name == "global_chart_configuration" and isinstance(value, dict):
        return {k: v for k, v in value.items() if k != "chartsInScope"}
    if name == "chart_configuration" and isinstance(value, dict):
        out = {}
        for chart, conf in value.items():
            conf = _chart_cross_filter(conf)
            if conf:
                out[chart] = conf
        return out
    if name == "color_scheme" and value is None:
        return ""
    return value


def _chart_cross_filter(conf: Any) -> Any:
    """One chart's cross-filter settings; {} when it is the default (global scope)."""
    if not isinstance(conf, dict):
        return conf
    out = {k: v for k, v in conf.items() if k != "id"}
    cross = out.get("crossFilters")
    if isinstance(cross, dict):
        cross = {k: v for k, v in cross.items() if k != "chartsInScope"}
        if cross.get("scope", "global") == "global" and set(cross) <= {"scope"}:
            out.pop("crossFilters")
        else:
            out["crossFilters"] = cross
    return out


# Superset's own rule (dashboards/schemas.py): strip, spaces to '-', drop the rest.
_SLUG_DROP = re.compile(r"[^\w\-]+")


def normalised_slug(slug: str) -> str:
    """The slug Superset stores when given ``slug``."""
    return _SLUG_DROP.sub("", slug.strip().replace(" ", "-"))


class Dashboard(Spec):
    KIND = "dashboard"
    KEY_FIELDS = ("slug", "title")
    REFERS_TO = frozenset({"chart", "dataset", "role", "css_template", "theme"})
    TOGETHER = (frozenset({"layout", "position"}),)  # see ``canonical_form``

    title: str
    slug: str | None = None
    layout: list[LayoutItem] = Field(default_factory=list)
    position: dict[str, Any] | None = Field(
        default=None, description="Superset's full position_json, when the compact layout cannot say it")
    filters: list[NativeFilter] = Field(default_factory=list)
    roles: list[str] = Field(default_factory=list)
    owners: list[str] = Field(default_factory=list)
    css: str | None = None
    css_template: str | None = Field(
        default=None, description="a CSS template of the tree, by name: its CSS is written "
                                  "before the dashboard's own css")
    theme: str | None = Field(default=None, description="the theme it is shown in, by name")
    published: bool = False
    certified_by: str | None = None
    certification_details: str | None = None
    metadata: dict[str, Any] = Field(
        default_factory=dict,
        description="other json_metadata keys (color scheme, refresh frequency, …)")

    @field_validator("slug")
    @classmethod
    def _slug_as_stored(cls, slug: str | None) -> str | None:
        # The slug is the dashboard's key: one the server rewrites would never
        # match again, so it must be written the way Superset stores it.
        if slug is None:
            return None
        stored = normalised_slug(slug)
        if not stored:
            raise ValueError("a slug needs at least one letter, digit, '_' or '-'")
        if stored != slug:
            raise ValueError(f"Superset would store this slug as '{stored}': write that instead")
        return slug

    @model_validator(mode="after")
    def _layout_or_position(self) -> "Dashboard":
        if self.position is not None and self.layout:
            raise ValueError("give either layout or position, not both")
        lone_tabs = len(self.layout) == 1 and self.layout[0].tabs is not None
        inner = [tab.layout for item in self.layout for tab in item.tabs or []]
        if (not lone_tabs and any(item.nested for item in self.layout)) or _nests(inner):
            raise ValueError("`nested: true` is only for tabs that are the whole layout")
        return self

    @property
    def key(self) -> str:
        return self.slug or self.title

    def chart_refs(self) -> list[Ref]:
        """Every chart placed in the layout (or the full position), in reading order."""
        out: list[Ref] = []
        _walk_layout(self.layout, ("layout",), out)
        if self.position is not None:
            out += [Ref("chart", key, ("position", node_id, "meta", "chart"))
                    for node_id, key in _position_charts(self.position)]
        return out

    def refs(self) -> list[Ref]:
        out = self.chart_refs()
        for i, f in enumerate(self.filters):
            if f.dataset:
                out.append(Ref("dataset", f.dataset, ("filters", i, "dataset")))
            for j, chart in enumerate(f.charts or []):
                out.append(Ref("chart", chart, ("filters", i, "charts", j)))
        out += [Ref("role", r, ("roles", i)) for i, r in enumerate(self.roles)]
        if self.css_template is not None:
            out.append(Ref("css_template", self.css_template, ("css_template",)))
        return out + self.theme_refs()

    def theme_refs(self) -> list[Ref]:
        """The theme it names, unless a system theme: every server has those, so
        nothing waits for one and export never writes it (validate knows them)."""
        if self.theme is None or self.theme in SYSTEM_THEMES:
            return []
        return [Ref("theme", self.theme, ("theme",))]

    def lineage(self) -> list[Link]:
        """The charts it shows, the datasets its filters read, the roles that
        open it (a filter's scope changes nothing a chart shows)."""
        out = [Link(f"chart/{ref.key}", self.ref, "shows") for ref in self.chart_refs()]
        out += [Link(f"dataset/{f.dataset}", self.ref, "filters") for f in self.filters if f.dataset]
        out += [Link(f"css_template/{self.css_template}", self.ref, "styles")] \
            if self.css_template else []
        out += [Link(f"theme/{ref.key}", self.ref, "styles") for ref in self.theme_refs()]
        return out + [Link(f"role/{name}", self.ref, "opens") for name in self.roles]

    def findings(self, lookup: Lookup) -> list[Finding]:
        """No chart placed twice; a filter scopes only charts this dashboard shows."""
        out: list[Finding] = []
        placed: dict[str, Ref] = {}
        for ref in self.chart_refs():
            if ref.key in placed:
                out.append(Finding(self.pos(*ref.path), "R002",
                                   f"{self.ref}: chart '{ref.key}' is already placed at "
                                   f"{self.pos(*placed[ref.key].path)}"))
            placed.setdefault(ref.key, ref)
        for i, f in enumerate(self.filters):
            for j, chart in enumerate(f.charts or []):
                if chart not in placed and lookup("chart", chart) is not None:
                    out.append(Finding(self.pos("filters", i, "charts", j), "R004",
                                       f"{self.ref}: filter '{f.name}' scopes chart "
                                       f"'{chart}', which is not on this dashboard"))
        return out

    def canonical_form(self, data: dict[str, Any]) -> dict[str, Any]:
        layout, position = canonical_layout(self.layout, self.position)
        charts = [ref.key for ref in self.chart_refs()]
        data["layout"] = [item.model_dump(mode="json", exclude_none=True) for item in layout]
        data["position"] = position
        data["filters"] = [canonical_filter(f, charts) for f in self.filters]
        data["roles"] = sorted(self.roles)
        data["owners"] = sorted(self.owners)
        for name in ("theme", "certified_by", "certification_details"):
            data[name] = data[name] or None
        data["css"] = (self.css or "").rstrip() or None
        data["metadata"] = canonical_metadata(self.metadata)
        return data


def _nests(layouts: list[list[Any]]) -> bool:
    """Whether any item below the top level says ``nested``."""
    for layout in layouts:
        for item in layout:
            cells = [item] if isinstance(item, Cell) else list(item.row or [])
            if isinstance(item, LayoutItem) and item.nested:
                return True
            if _nests([tab.layout for tab in getattr(item, "tabs", None) or []]):
                return True
            if _nests([cell.column for cell in cells if cell.column is not None]):
                return True
    return False


def _walk_layout(items: list[Any], path: tuple, out: list[Ref]) -> None:
    for i, item in enumerate(items):
        if isinstance(item, Cell):
            _walk_cell(item, path + (i,), out)
            continue
        for j, cell in enumerate(item.row or []):
            _walk_cell(cell, path + (i, "row", j), out)
        for j, tab in enumerate(item.tabs or []):
            _walk_layout(tab.layout, path + (i, "tabs", j, "layout"), out)


def _walk_cell(cell: Cell, path: tuple, out: list[Ref]) -> None:
    if cell.chart is not None:
        out.append(Ref("chart", cell.chart, path + ("chart",)))
    if cell.column is not None:
        _walk_layout(cell.column, path + ("column",), out)


def _position_charts(position: dict[str, Any]) -> list[tuple[str, str]]:
    return [(node_id, node["meta"]["chart"]) for node_id, node in position.items()
            if isinstance(node, dict) and node.get("type") == "CHART"
            and isinstance(node.get("meta"), dict) and isinstance(node["meta"].get("chart"), str)]
