"""Annotation layers and the charts that draw them.

The model refuses a time that is not ISO 8601 without offset and an
annotation that ends before it starts (S010, at the field). Here, what spans
items: an annotation name repeated in its layer (Superset keeps
``short_descr`` unique per layer and refuses the second), a native layer
written into ``params`` by id instead of by name, two layers of one chart
under one label (the chart data API answers the annotations by label: one
would hide the other), and layers on a chart type that does not draw them.
Whether each named layer exists is ``references`` (R001).
"""

from __future__ import annotations

from superset_iac.diagnostics import Diagnostics
from superset_iac.load.tree import AssetTree
from superset_iac.model.annotation_layer import AnnotationLayer, is_native
from superset_iac.model.chart import Chart
from superset_iac.validate.codes import add

# The viz types whose controls offer annotation layers (the ECharts time series
# family of Superset 6.x); others keep them in their form data and draw nothing.
DRAWS_ANNOTATIONS = frozenset({
    "echarts_timeseries", "echarts_timeseries_line", "echarts_timeseries_bar",
    "echarts_timeseries_scatter", "echarts_timeseries_smooth", "echarts_timeseries_step",
    "echarts_area", "mixed_timeseries",
})


def check(tree: AssetTree, diags: Diagnostics) -> None:
    for layer in tree.each(AnnotationLayer):
        _names(layer, diags)
    for chart in tree.each(Chart):
        _chart(chart, diags)


def _names(layer: AnnotationLayer, diags: Diagnostics) -> None:
    first: dict[str, int] = {}
    for i, annotation in enumerate(layer.annotations):
        if annotation.name in first:
            add(diags, layer.pos("annotations", i, "name"), "S040",
                f"{layer.ref}: annotation '{annotation.name}' is already defined at "
                f"{layer.pos('annotations', first[annotation.name])}")
        first.setdefault(annotation.name, i)


def _chart(chart: Chart, diags: Diagnostics) -> None:
    entries = chart.params.get("annotation_layers")
    for i, entry in enumerate(entries if isinstance(entries, list) else []):
        if is_native(entry):
            add(diags, chart.pos("params", "annotation_layers", i), "S041",
                f"{chart.ref}: a native annotation layer names its layer by id here; write "
                "it under the chart's annotation_layers (layer: <name>) so it resolves in "
                "every environment")
    labels: dict[str, int] = {}
    for i, layer in enumerate(chart.annotation_layers):
        if layer.label in labels:
            add(diags, chart.pos("annotation_layers", i), "S042",
                f"{chart.ref}: two annotation layers are labelled '{layer.label}' (the "
                f"first at {chart.pos('annotation_layers', labels[layer.label])}); "
                "give one a name")
        labels.setdefault(layer.label, i)
    if chart.annotation_layers and chart.viz_type not in DRAWS_ANNOTATIONS:
        add(diags, chart.pos("annotation_layers"), "S043",
            f"{chart.ref}: viz_type {chart.viz_type} does not draw annotation layers "
            "(the ECharts time series charts do)")
