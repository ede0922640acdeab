"""A chart written without adhoc filters reads back as the tree wrote it."""

from __future__ import annotations

from superset_iac.kinds.base import Context
from superset_iac.kinds.chart import _as_the_tree_writes
from superset_iac.model.chart import Chart


def test_a_chart_written_without_adhoc_filters_reads_back_without_them() -> None:
    bare = Chart.model_validate({"name": "Ticks", "dataset": "d", "viz_type": "pie",
                                 "params": {"metric": "n"}})
    listed = Chart.model_validate({"name": "Ticks", "dataset": "d", "viz_type": "pie",
                                   "params": {"metric": "n", "adhoc_filters": []}})
    read = {"metric": "n", "adhoc_filters": []}  # the added time filter taken out
    assert _as_the_tree_writes(Context(client=None, desired={"chart": {"Ticks": bare}}),
                               "Ticks", read) == {"metric": "n"}
    assert _as_the_tree_writes(Context(client=None, desired={"chart": {"Ticks": listed}}),
                               "Ticks", read) == read
