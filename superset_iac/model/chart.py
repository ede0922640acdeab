"""A chart: a visualisation of one dataset.

``params`` is Superset's form data as the chart stores it, minus what the
server or the explore UI owns (see ``canonical_params``). Columns and metrics
are named as in the dataset: a saved metric is a plain string, an adhoc
metric a dict, exactly as Superset stores them.

The time filter. A dashboard's time range reaches a chart's SQL only through
an adhoc filter of operator ``TEMPORAL_RANGE`` on a temporal column: the
dashboard replaces its comparator with the range it applies (the 6.x
frontend's ``getFormDataWithExtraFilters``); without one the range is sent
and ignored. Explore adds one to every chart whose dataset has a temporal
column, on ``granularity_sqla`` or the dataset's default time column
(``main_dttm_col``, else its first ``is_dttm`` column), comparing with
``No filter``. superset-iac writes the same filter when the chart has none
(``time_filter: true``, the default), and reads it back as that flag, so
neither a tree nor an export spells it; ``time_filter: false`` is a chart
that no dashboard time range narrows.

Annotation layers. ``annotation_layers`` names layers of the tree
(``model/annotation_layer.py``); a write puts each into the form data as
Superset's ``NATIVE`` entry with the layer's id in this environment, and a
read turns such entries back into names, so a tree and its export never hold
an id. Other annotation sources (formulas, another chart's series) stay in
``params.annotation_layers`` as Superset writes them.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from superset_iac.model.annotation_layer import ChartAnnotationLayer, chart_findings
from superset_iac.model.base import Finding, Link, Lookup, Ref, Spec
from superset_iac.model.chart_params import expand, tidy
from superset_iac.model.dataset import Dataset

# Form-data keys that mirror a chart's own columns or that the explore UI adds
# when it saves: ``datasource``/``viz_type``/``slice_id``/``cache_timeout`` are
# copied from the chart row, ``dashboards`` is the save dialog's selection (the
# real links are the dashboard's layout), ``dashboardId`` is set when explore
# is opened from a dashboard, ``force`` is the "force refresh" button.
SERVER_PARAMS = frozenset({"datasource", "viz_type", "slice_id", "cache_timeout", "dashboards",
                           "dashboardId", "force"})
# Kept only when not empty: they are empty in nearly every saved chart, but a
# non-empty value changes the query (``url_params`` feeds Jinja's url_param()).
# ``adhoc_filters`` is empty once the time filter apply adds is read back out
# of a chart that had no other filter: no filter and no key filter alike.
# ``annotation_layers`` defaults to [] in the frontend, and Superset's import
# writes ``[]`` into every chart that had none.
EMPTY_MEANS_ABSENT = frozenset({"url_params", "extra_form_data", "adhoc_filters",
                                "annotation_layers"})
# Where superset-iac records the key of a chart it manages. Superset's REST API
# never returns ``external_url`` (neither list nor detail), and ``params`` is the
# only free-form field the chart list returns and the explore UI carries over
# when it saves, so the key travels there. See kinds/chart.py.
KEY_PARAM = "superset_iac_key"


def canonical_params(params: dict[str, Any], viz_type: str | None = None) -> dict[str, Any]:
    """Form data without server-owned keys, UI bookkeeping or display options at
    the frontend's default for ``viz_type`` (the form data's own when not given),
    adhoc items in their shortest form (``chart_params.tidy``): the one normal
    form of ``params``."""
    viz_type = viz_type or params.get("viz_type")
    out: dict[str, Any] = {}
    for name, value in params.items():
        if name in SERVER_PARAMS or name == KEY_PARAM:
            continue
        if name in EMPTY_MEANS_ABSENT and not value:
            continue
        out[name] = value
    return tidy(out, viz_type)


TEMPORAL_RANGE = "TEMPORAL_RANGE"
NO_TIME_RANGE = "No filter"
# Keys explore adds to an adhoc filter for its own editing state: they do not
# change what the filter does.
_EDITOR_KEYS = frozenset({"filterOptionName", "isExtra", "isNew", "datasourceWarning",
                          "sqlExpression"})


def default_time_column(dataset: Dataset) -> str | None:
    """The column explore puts a chart's time filter on (``defaultTemporalColumn``)."""
    if dataset.main_dttm_col:
        return dataset.main_dttm_col
    return next((c.name for c in dataset.columns if c.is_dttm), None)


def time_subject(params: dict[str, Any], dataset_column: str | None) -> str | None:
    """The column a chart's time filter is on: ``granularity_sqla``, else the dataset's."""
    chosen = params.get("granularity_sqla")
    return chosen if isinstance(chosen, str) and chosen else dataset_column


def time_filter(column: str) -> dict[str, Any]:
    """The filter explore adds: no range of its own, the dashboard's once applied."""
    return {"clause": "WHERE", "comparator": NO_TIME_RANGE, "expressionType": "SIMPLE",
            "operator": TEMPORAL_RANGE, "subject": column}


def temporal_filters(params: dict[str, Any]) -> list[dict[str, Any]]:
    """The chart's adhoc filters a dashboard time range replaces the comparator of."""
    adhoc = params.get("adhoc_filters")
    return [f for f in adhoc if isinstance(f, dict) and f.get("operator") == TEMPORAL_RANGE] \
        if isinstance(adhoc, list) else []


def with_time_filter(params: dict[str, Any], subject: str | None) -> dict[str, Any]:
    """``params`` with the time filter on ``subject`` added, unless it has one (or no subject)."""
    if subject is None or temporal_filters(params):
        return params
    adhoc = params.get("adhoc_filters")
    return {**params, "adhoc_filters": [*(adhoc if isinstance(adhoc, list) else []),
                                         time_filter(subject)]}


def split_time_filter(params: dict[str, Any], subject: str | None) -> tuple[dict[str, Any], bool | None]:
    """Stored params -> (params without the added time filter, ``time_filter``).

    The flag is None when it means nothing: no column to put the filter on.
    A temporal filter that is not exactly the added one (another column, a
    range of its own) stays in the params as written, and counts as one.
    """
    found = temporal_filters(params)
    if not found:
        return params, None if subject is None else False
    if subject is None or len(found) != 1 or not _is_added(found[0], subject):
        return params, True
    rest = [f for f in params["adhoc_filters"] if f is not found[0]]
    return {**params, "adhoc_filters": rest}, True


def _is_added(adhoc: dict[str, Any], subject: str) -> bool:
    """``adhoc`` is the filter apply adds, in Superset's form or the tree's short one."""
    full = expand({"adhoc_filters": [adhoc]})["adhoc_filters"][0]
    own = {k: v for k, v in full.items() if k not in _EDITOR_KEYS or k == "sqlExpression" and v}
    return own == time_filter(subject)


def _blank_to_none(value: str | None) -> str | None:
    return value if value else None


class Chart(Spec):
    KIND = "chart"
    KEY_FIELDS = ("key", "name")
    REFERS_TO = frozenset({"dataset", "annotation_layer"})

    # The key is identity (the plan matches on it), not an attribute.
    NOT_COMPARED = frozenset({"key_"})

    name: str = Field(description="slice_name shown in Superset")
    key_: str | None = Field(
        default=None, alias="key",
        description="stable identity when several charts share a name; defaults to name")
    dataset: str
    viz_type: str
    params: dict[str, Any] = Field(
        default_factory=dict,
        description="form data; columns and metrics named as in the dataset")
    description: str | None = None
    owners: list[str] = Field(default_factory=list)
    cache_timeout: int | None = None
    certified_by: str | None = None
    certification_details: str | None = None
    time_filter: bool = Field(
        default=True, description="a dashboard's time range narrows the chart (a TEMPORAL_RANGE "
                                  "filter on its dataset's time column is added when it has none)")
    annotation_layers: list[ChartAnnotationLayer] = Field(
        default_factory=list, description="annotation layers of the tree the chart draws")

    @model_validator(mode="after")
    def _time_filter_or_own(self) -> "Chart":
        if not self.time_filter and temporal_filters(self.params):
            raise ValueError("time_filter: false, yet params.adhoc_filters has a TEMPORAL_RANGE "
                             "filter: remove one of them")
        return self

    @property
    def key(self) -> str:
        return self.key_ or self.name

    def refs(self) -> list[Ref]:
        return [Ref("dataset", self.dataset, ("dataset",))] + [
            Ref("annotation_layer", a.layer, ("annotation_layers", i, "layer"))
            for i, a in enumerate(self.annotation_layers)]

    def lineage(self) -> list[Link]:
        return [Link(f"dataset/{self.dataset}", self.ref, "plots")] + [
            Link(f"annotation_layer/{a.layer}", self.ref, "annotates")
            for a in self.annotation_layers]

    def findings(self, lookup: Lookup) -> list[Finding]:
        return chart_findings(self, self.viz_type, self.params, self.annotation_layers)

    def canonical_form(self, data: dict[str, Any]) -> dict[str, Any]:
        """Server-owned params dropped, blank strings as absent.

        ``query_context`` is derived from params and the dataset and is never
        part of a spec.
        """
        data["params"] = canonical_params(self.params, self.viz_type)
        data["owners"] = sorted(self.owners)
        data["annotation_layers"] = [a.canonical() for a in self.annotation_layers]
        for name in ("description", "certified_by", "certification_details"):
            data[name] = _blank_to_none(data[name])
        return data
