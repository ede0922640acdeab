"""The parts of a dashboard's compact layout: rows of cells, headers,
dividers, tabs; a cell is a chart, a markdown block or a column.

``model/layout.py`` compiles them into Superset's tree and back.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from superset_iac.model.base import Model

TRANSPARENT = "BACKGROUND_TRANSPARENT"


class Cell(Model):
    """One element of a row (or of a column): a chart, a markdown block or a column."""

    chart: str | None = None
    markdown: str | None = None
    column: list["ColumnItem"] | None = Field(
        default=None, description="a vertical stack of cells and rows, `width` wide")
    title: str | None = Field(default=None, description="title shown instead of the chart's name")
    width: int = 4
    height: int = 50
    background: str | None = Field(default=None, description="column background; transparent if absent")

    @model_validator(mode="after")
    def _one_kind(self) -> "Cell":
        given = [n for n in ("chart", "markdown", "column") if getattr(self, n) is not None]
        if len(given) != 1:
            raise ValueError("a cell is exactly one of: chart, markdown, column")
        if self.title is not None and self.chart is None:
            raise ValueError("only a chart cell has a title")
        if self.column is None:
            if self.background is not None:
                raise ValueError("only a column has a background")
            return self
        if "height" in self.model_fields_set:
            raise ValueError("a column has no height: its cells have")
        for item in self.column:
            if isinstance(item, Cell) and item.column is not None:
                raise ValueError("a column cannot hold a column directly (put a row between)")
            if isinstance(item, LayoutItem) and item.tabs is not None:
                raise ValueError("a column cannot hold tabs")
        return self


class Tab(Model):
    title: str
    id: str | None = Field(default=None, description="TAB-… id; derived from the title path if absent")
    layout: list["LayoutItem"] = Field(default_factory=list)


class LayoutItem(Model):
    """Exactly one of: a row of cells, a header, a divider, or tabs."""

    row: list[Cell] | None = None
    header: str | None = None
    divider: bool | None = None
    tabs: list[Tab] | None = None
    size: Literal["SMALL_HEADER", "MEDIUM_HEADER", "LARGE_HEADER"] | None = Field(
        default=None, description="header size")
    background: str | None = Field(default=None, description="row or header background")
    nested: bool | None = Field(
        default=None, description="tabs that are a dashboard's whole layout are its own top-level tabs; "
                          "`nested: true` puts them inside the grid instead")

    @model_validator(mode="after")
    def _one_kind(self) -> "LayoutItem":
        given = [n for n in ("row", "header", "divider", "tabs") if getattr(self, n) is not None]
        if len(given) != 1:
            raise ValueError("a layout item is exactly one of: row, header, divider, tabs")
        if self.divider is False:
            raise ValueError("write `divider: true`")
        if self.size is not None and self.header is None:
            raise ValueError("only a header has a size")
        if self.background is not None and self.row is None and self.header is None:
            raise ValueError("only a row or a header has a background")
        if self.nested is not None and (self.tabs is None or not self.nested):
            raise ValueError("only tabs are `nested: true`")
        return self


# Inside a column, cells stack vertically without a row around them.
ColumnItem = Cell | LayoutItem

Cell.model_rebuild()
Tab.model_rebuild()
