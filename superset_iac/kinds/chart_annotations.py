"""A chart's annotation layers, between the spec's names and Superset's form data.

Superset keeps a chart's annotation layers in ``params.annotation_layers``;
one drawing a native layer is

    {"name": <legend label>, "annotationType": "EVENT" | "INTERVAL",
     "sourceType": "NATIVE", "value": <layer id>, "show", "showLabel",
     "style", "width", "color", "opacity", "showMarkers", "hideLine"}

(the frontend's ``NativeSourceAnnotationLayer``). The chart data API reads
``value`` to load the layer's annotations (``get_native_annotation_data``) and
answers them under ``annotation_data[<name>]``. A write turns each
``ChartAnnotationLayer`` into such an entry with this environment's layer
id; a read turns every native entry back into a name, and leaves the other
sources (formulas, another chart's series, which name a chart by id) in
``params`` as they are. The editor's keys for those other sources
(``overrides``, ``titleColumn``, …) mean nothing for a native layer and are
not kept.
"""

from __future__ import annotations

from typing import Any

from superset_iac.kinds.base import Context
from superset_iac.kinds.rest import id_of
from superset_iac.model.annotation_layer import NATIVE, OPACITY, ChartAnnotationLayer, is_native

_STYLES = ("solid", "dashed", "longDashed", "dotted")
_OPACITY_NAMES = {wire: name for name, wire in OPACITY.items()}


def to_form_data(ctx: Context, layer: ChartAnnotationLayer) -> dict[str, Any]:
    """The form data entry of ``layer``, its layer named by id."""
    entry: dict[str, Any] = {
        "name": layer.label, "annotationType": layer.type, "sourceType": NATIVE,
        "value": id_of(ctx, "annotation_layer", layer.layer), "show": layer.show,
        "showLabel": layer.show_label, "style": layer.style, "width": layer.width,
        "opacity": OPACITY[layer.opacity] if layer.opacity else "",
        # for line sources only, but the chart data API's AnnotationLayerSchema
        # requires showMarkers of every layer (400 without it)
        "showMarkers": False, "hideLine": False,
    }
    if layer.color:
        entry["color"] = layer.color
    return entry


def with_layers(ctx: Context, params: dict[str, Any],
                layers: list[ChartAnnotationLayer]) -> dict[str, Any]:
    """``params`` (for writing) with ``layers`` after its own annotation entries."""
    if not layers:
        return params
    own = params.get("annotation_layers")
    return {**params, "annotation_layers": [*(own if isinstance(own, list) else []),
                                            *(to_form_data(ctx, layer) for layer in layers)]}


def split_layers(ctx: Context, params: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Stored params -> (params without native entries, the chart's layers as spec data)."""
    entries = params.get("annotation_layers")
    if not isinstance(entries, list) or not any(is_native(e) for e in entries):
        return params, []
    rest = [e for e in entries if not is_native(e)]
    layers = [from_form_data(ctx, e) for e in entries if is_native(e)]
    out = {k: v for k, v in params.items() if k != "annotation_layers"}
    if rest:
        out["annotation_layers"] = rest
    return out, layers


def from_form_data(ctx: Context, entry: dict[str, Any]) -> dict[str, Any]:
    """A native entry as ``ChartAnnotationLayer`` data; an unknown layer id as ``#<id>``."""
    value = entry.get("value")
    layer = ctx.ids.key("annotation_layer", value) or f"#{value}"
    name = entry.get("name")
    width = entry.get("width")
    data: dict[str, Any] = {
        "layer": layer,
        "name": name if isinstance(name, str) and name and name != layer else None,
        "type": "INTERVAL" if entry.get("annotationType") == "INTERVAL" else "EVENT",
        "show": entry.get("show") is not False,
        "show_label": entry.get("showLabel") is True,
        "style": entry.get("style") if entry.get("style") in _STYLES else "solid",
        "width": width if isinstance(width, int) and not isinstance(width, bool) and width >= 1
        else 1,
        "color": entry.get("color") or None,
        "opacity": _OPACITY_NAMES.get(entry.get("opacity") or ""),
    }
    return {k: v for k, v in data.items() if v is not None}
