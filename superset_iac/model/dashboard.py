"""A dashboard: a compact layout of charts, native filters and access."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from superset_iac.model.base import Model, Ref, Spec


class Cell(Model):
    """One element of a row: a chart or a markdown block."""

    chart: str | None = None
    markdown: str | None = None
    width: int = 4
    height: int = 50


class Tab(Model):
    title: str
    layout: list["LayoutItem"] = Field(default_factory=list)


class LayoutItem(Model):
    """Exactly one of: a row of cells, a header, a divider, or tabs."""

    row: list[Cell] | None = None
    header: str | None = None
    divider: bool | None = None
    tabs: list[Tab] | None = None


Tab.model_rebuild()

FilterType = Literal["select", "time_range", "range", "time_column", "time_grain"]


class NativeFilter(Model):
    name: str
    type: FilterType = "select"
    id: str | None = Field(None, description="NATIVE_FILTER-… id; derived from name if absent")
    dataset: str | None = None
    column: str | None = None
    description: str | None = None
    multiple: bool = True
    required: bool = False
    default: Any = None
    search_all_options: bool = False
    charts: list[str] | None = Field(None, description="charts in scope; all if absent")
    extra: dict[str, Any] = Field(
        default_factory=dict, description="other filter settings, kept as Superset writes them")


class Dashboard(Spec):
    KIND = "dashboard"

    title: str
    slug: str | None = None
    layout: list[LayoutItem] = Field(default_factory=list)
    position: dict[str, Any] | None = Field(
        None, description="Superset's full position_json, when the compact layout cannot say it")
    filters: list[NativeFilter] = Field(default_factory=list)
    roles: list[str] = Field(default_factory=list)
    owners: list[str] = Field(default_factory=list)
    css: str | None = None
    published: bool = False
    certified_by: str | None = None
    certification_details: str | None = None
    metadata: dict[str, Any] = Field(
        default_factory=dict,
        description="other json_metadata keys (color scheme, refresh frequency, …)")

    @property
    def key(self) -> str:
        return self.slug or self.title

    def chart_refs(self) -> list[Ref]:
        """Every chart placed in the layout, in reading order."""
        out: list[Ref] = []
        _walk_layout(self.layout, ("layout",), out)
        return out

    def refs(self) -> list[Ref]:
        out = self.chart_refs()
        for i, f in enumerate(self.filters):
            if f.dataset:
                out.append(Ref("dataset", f.dataset, ("filters", i, "dataset")))
            for j, chart in enumerate(f.charts or []):
                out.append(Ref("chart", chart, ("filters", i, "charts", j)))
        out += [Ref("role", r, ("roles", i)) for i, r in enumerate(self.roles)]
        return out


def _walk_layout(items: list[LayoutItem], path: tuple, out: list[Ref]) -> None:
    for i, item in enumerate(items):
        for j, cell in enumerate(item.row or []):
            if cell.chart is not None:
                out.append(Ref("chart", cell.chart, path + (i, "row", j, "chart")))
        for j, tab in enumerate(item.tabs or []):
            _walk_layout(tab.layout, path + (i, "tabs", j, "layout"), out)
