"""An annotation layer: named events and intervals charts draw over their time axis.

The model refuses a time that is not ISO 8601 without offset and an end
before the start (S010, at the field); ``findings`` an annotation name
repeated in its layer (S040), ``chart_findings`` what a chart's use of
layers gets wrong (S041-S043).

A layer (``annotation_layers/``) holds annotations; a chart shows a layer by
naming it in its ``annotation_layers`` (``ChartAnnotationLayer``), which the
handler turns into Superset's ``NATIVE`` annotation entry of the chart's form
data, with the layer's id of that environment.

Natural keys: a layer by its ``name`` (unique in Superset), an annotation by
its ``name`` within its layer (Superset's ``short_descr``, which the server
keeps unique per layer; the UI labels it "name" too). Renaming an annotation
is therefore a removal and an addition.

Times. Superset stores ``start_dttm``/``end_dttm`` without a time zone and
draws them as they are, like the naive timestamps of a dataset. A tree writes
an ISO 8601 date (``2025-12-25``, midnight) or date-time, with no offset or a
zero one (``Z``): an offset elsewhere would be silently dropped by the server,
so it is refused. Both are kept in one normal form, ``YYYY-MM-DDTHH:MM:SS``
(``.ffffff`` when there are fractions of a second), which is what the server
returns. ``end`` defaults to ``start``: an event at one instant.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, ValidationInfo, field_validator

from superset_iac.model.base import Finding, Lookup, Model, Spec

TIME_HELP = "ISO 8601 date or date-time without offset (stored as written, no time zone)"


def normal_time(text: str) -> str:
    """``text`` as Superset's naive ``YYYY-MM-DDTHH:MM:SS[.ffffff]``; ValueError if it is none."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"'{text}' is not an {TIME_HELP}, e.g. 2025-12-25 or "
                         "2025-12-25T14:30:00") from None
    offset = moment.utcoffset()
    if offset is not None and offset != timedelta(0):
        raise ValueError(f"'{text}' has a time zone offset; Superset stores annotation times "
                         "without one and would drop it: write the time as the charts' data "
                         "has it, without offset")
    moment = moment.replace(tzinfo=None)
    return moment.isoformat(timespec="seconds" if not moment.microsecond else "microseconds")


Time = Annotated[str, AfterValidator(normal_time), Field(description=TIME_HELP)]


class Annotation(Model):
    name: str = Field(min_length=1, max_length=500,
                      description="the annotation's title (Superset's short_descr), unique in "
                                  "its layer: its key")
    start: Time
    end: Time | None = Field(default=None, description=f"{TIME_HELP}; defaults to start "
                                                       "(an event at one instant)")
    description: str | None = Field(default=None, description="long_descr, shown on hover")
    metadata: dict[str, Any] = Field(default_factory=dict,
                                     description="json_metadata, a free JSON object")

    @field_validator("end")
    @classmethod
    def _not_before_start(cls, end: str | None, info: ValidationInfo) -> str | None:
        start = info.data.get("start")
        # Both are in the normal form, which sorts as the times do.
        if end is not None and isinstance(start, str) and end < start:
            raise ValueError(f"ends ({end}) before it starts ({start})")
        return end

    @property
    def until(self) -> str:
        return self.end or self.start

    def canonical(self) -> dict[str, Any]:
        """The annotation as its layer compares it: ``end`` explicit, a blank description none."""
        return {"name": self.name, "start": self.start, "end": self.until,
                "description": self.description or None, "metadata": self.metadata}


class AnnotationLayer(Spec):
    KIND = "annotation_layer"

    name: str = Field(min_length=1, max_length=250)
    description: str | None = None
    annotations: list[Annotation] = Field(default_factory=list)

    @property
    def key(self) -> str:
        return self.name

    def findings(self, lookup: Lookup) -> list[Finding]:
        """An annotation name once per layer: Superset refuses the second (its
        ``short_descr`` is unique per layer), and the plan matches by name."""
        out: list[Finding] = []
        first: dict[str, int] = {}
        for i, annotation in enumerate(self.annotations):
            if annotation.name in first:
                out.append(Finding(self.pos("annotations", i, "name"), "S040",
                                   f"{self.ref}: annotation '{annotation.name}' is already "
                                   f"defined at {self.pos('annotations', first[annotation.name])}"))
            first.setdefault(annotation.name, i)
        return out

    def canonical_form(self, data: dict[str, Any]) -> dict[str, Any]:
        """Annotations are a set keyed by name (sorted so); ``end`` is explicit;
        blank descriptions are none."""
        data["description"] = self.description or None
        data["annotations"] = [a.canonical() for a in sorted(self.annotations, key=lambda a: a.name)]
        return data


# The ``sourceType`` of a chart's annotation entry that draws an annotation layer.
NATIVE = "NATIVE"


def is_native(entry: Any) -> bool:
    """Whether a ``params.annotation_layers`` entry draws an annotation layer (by id)."""
    return isinstance(entry, dict) and entry.get("sourceType") == NATIVE


# The opacities of Superset's annotation editor, by the names its form data uses.
OPACITY = {"low": "opacityLow", "medium": "opacityMedium", "high": "opacityHigh"}


class ChartAnnotationLayer(Model):
    """A chart's use of an annotation layer of the tree (Superset's ``NATIVE`` source)."""

    layer: str = Field(description="the annotation layer, by name")
    name: str | None = Field(default=None,
                             description="the label in the chart's legend; defaults to layer")
    type: Literal["EVENT", "INTERVAL"] = Field(
        default="EVENT", description="EVENT: a line at each start; INTERVAL: a band start..end")
    show: bool = True
    show_label: bool = False
    style: Literal["solid", "dashed", "longDashed", "dotted"] = "solid"
    width: int = Field(default=1, ge=1)
    color: str | None = Field(default=None, description="CSS colour; none: the chart's palette")
    opacity: Literal["low", "medium", "high"] | None = None

    @property
    def label(self) -> str:
        return self.name or self.layer

    def canonical(self) -> dict[str, Any]:
        """The entry with its label explicit (a label equal to the layer's name is the default)."""
        return {**self.model_dump(mode="json"), "name": self.label}


# The viz types whose controls offer annotation layers (the ECharts time series
# family of Superset 6.x); others keep them in their form data and draw nothing.
DRAWS_ANNOTATIONS = frozenset({
    "echarts_timeseries", "echarts_timeseries_line", "echarts_timeseries_bar",
    "echarts_timeseries_scatter", "echarts_timeseries_smooth", "echarts_timeseries_step",
    "echarts_area", "mixed_timeseries",
})


def chart_findings(chart: Spec, viz_type: str, params: dict[str, Any],
                   layers: list[ChartAnnotationLayer]) -> list[Finding]:
    """A native layer written into ``params`` by id (S041), two layers of one
    chart under one label (S042: the chart data API answers annotations by
    label, one would hide the other), layers on a chart type that does not
    draw them (S043)."""
    out: list[Finding] = []
    entries = params.get("annotation_layers")
    for i, entry in enumerate(entries if isinstance(entries, list) else []):
        if is_native(entry):
            out.append(Finding(chart.pos("params", "annotation_layers", i), "S041",
                               f"{chart.ref}: a native annotation layer names its layer by id "
                               "here; write it under the chart's annotation_layers (layer: "
                               "<name>) so it resolves in every environment"))
    labels: dict[str, int] = {}
    for i, layer in enumerate(layers):
        if layer.label in labels:
            out.append(Finding(chart.pos("annotation_layers", i), "S042",
                               f"{chart.ref}: two annotation layers are labelled '{layer.label}' "
                               f"(the first at {chart.pos('annotation_layers', labels[layer.label])}"
                               "); give one a name"))
        labels.setdefault(layer.label, i)
    if layers and viz_type not in DRAWS_ANNOTATIONS:
        out.append(Finding(chart.pos("annotation_layers"), "S043",
                           f"{chart.ref}: viz_type {viz_type} does not draw annotation layers "
                           "(the ECharts time series charts do)"))
    return out
