"""A chart written without adhoc filters reads back equal to the tree's."""

from __future__ import annotations

from superset_iac.model.chart import Chart


def test_an_empty_adhoc_filters_is_no_filter_for_equality() -> None:
    """The write adds the time filter to a chart without adhoc filters; the read
    takes it out again and leaves ``adhoc_filters: []``: equal to a tree that
    leaves the key out, and to one that writes it empty."""
    def chart(params: dict) -> Chart:
        return Chart.model_validate({"name": "Ticks", "dataset": "d", "viz_type": "pie",
                                     "params": params})

    read = chart({"metric": "n", "adhoc_filters": []})
    assert read.compared() == chart({"metric": "n"}).compared()
    assert read.compared() == chart({"metric": "n", "adhoc_filters": []}).compared()
    assert read.compared() != chart({"metric": "n", "adhoc_filters": [
        {"clause": "WHERE", "expressionType": "SQL", "sqlExpression": "n > 1"}]}).compared()
