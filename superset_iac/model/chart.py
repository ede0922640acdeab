"""A chart: a visualisation of one dataset.

``params`` is Superset's form data as the chart stores it, minus what the
server or the explore UI owns (see ``canonical_params``). Columns and metrics
are named as in the dataset: a saved metric is a plain string, an adhoc
metric a dict, exactly as Superset stores them.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from superset_iac.model.base import Ref, Spec
from superset_iac.model.chart_params import tidy

# Form-data keys that mirror a chart's own columns or that the explore UI adds
# when it saves: ``datasource``/``viz_type``/``slice_id``/``cache_timeout`` are
# copied from the chart row, ``dashboards`` is the save dialog's selection (the
# real links are the dashboard's layout), ``dashboardId`` is set when explore
# is opened from a dashboard, ``force`` is the "force refresh" button.
SERVER_PARAMS = frozenset({"datasource", "viz_type", "slice_id", "cache_timeout", "dashboards",
                           "dashboardId", "force"})
# Kept only when not empty: they are empty in nearly every saved chart, but a
# non-empty value changes the query (``url_params`` feeds Jinja's url_param()).
# ``annotation_layers`` defaults to [] in the frontend, and Superset's import
# writes ``[]`` into every chart that had none.
EMPTY_MEANS_ABSENT = frozenset({"url_params", "extra_form_data", "annotation_layers"})
# Where superset-iac records the key of a chart it manages. Superset's REST API
# never returns ``external_url`` (neither list nor detail), and ``params`` is the
# only free-form field the chart list returns and the explore UI carries over
# when it saves, so the key travels there. See kinds/chart.py.
KEY_PARAM = "superset_iac_key"


def canonical_params(params: dict[str, Any]) -> dict[str, Any]:
    """Form data without server-owned keys or UI bookkeeping, adhoc items in
    their shortest form (``chart_params.tidy``): the one normal form of ``params``."""
    out: dict[str, Any] = {}
    for name, value in params.items():
        if name in SERVER_PARAMS or name == KEY_PARAM:
            continue
        if name in EMPTY_MEANS_ABSENT and not value:
            continue
        out[name] = value
    return tidy(out)


def _blank_to_none(value: str | None) -> str | None:
    return value if value else None


class Chart(Spec):
    KIND = "chart"

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

    @property
    def key(self) -> str:
        return self.key_ or self.name

    def refs(self) -> list[Ref]:
        return [Ref("dataset", self.dataset, ("dataset",))]

    def compared(self) -> dict[str, Any]:
        """Canonical fields: server-owned params dropped, blank strings as absent.

        The key is identity (the plan matches on it), not an attribute, so it
        is left out; ``query_context`` is derived from params and the dataset
        and is never part of a spec.
        """
        return {
            "name": self.name,
            "dataset": self.dataset,
            "viz_type": self.viz_type,
            "params": canonical_params(self.params),
            "description": _blank_to_none(self.description),
            "owners": sorted(self.owners),
            "cache_timeout": self.cache_timeout,
            "certified_by": _blank_to_none(self.certified_by),
            "certification_details": _blank_to_none(self.certification_details),
        }
