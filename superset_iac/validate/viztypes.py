"""Chart types Superset 6.1 can render, and the legacy ones it no longer has.

``KNOWN`` is the set of plugin keys the 6.1 frontend registers
(``MainPreset``: the ``VizType`` enum of ``@superset-ui/core`` plus the
deck.gl layers), read from the static assets shipped in the 6.1.0 wheel.
The server does not check ``viz_type``: a chart with any other value is
saved, then shows "unknown chart type" to everyone who opens it.

``REMOVED`` maps legacy types to their replacement: the sources and targets
of ``superset/migrations/shared/migrate_viz/processors.py`` (the migrations
that rewrote them in 4.x/5.0), and the types dropped earlier without a
migration (filter box -> native filters, markup/iframe -> dashboard markdown).
"""

from __future__ import annotations

KNOWN = frozenset({
    # VizType enum, all registered by MainPreset in 6.1
    "ag-grid-table", "big_number", "big_number_total", "box_plot", "bubble", "bubble_v2",
    "bullet", "cal_heatmap", "cartodiagram", "chord", "compare", "country_map", "echarts_area",
    "echarts_timeseries", "echarts_timeseries_bar", "echarts_timeseries_line",
    "echarts_timeseries_scatter", "echarts_timeseries_smooth", "echarts_timeseries_step",
    "funnel", "gantt_chart", "gauge_chart", "graph_chart", "handlebars", "heatmap_v2",
    "histogram_v2", "horizon", "mapbox", "mixed_timeseries", "paired_ttest", "para",
    "partition", "pie", "pivot_table_v2", "pop_kpi", "radar", "rose", "sankey_v2",
    "sunburst_v2", "table", "time_pivot", "time_table", "tree_chart", "treemap_v2",
    "waterfall", "word_cloud", "world_map",
    # deck.gl layers
    "deck_arc", "deck_contour", "deck_geojson", "deck_grid", "deck_heatmap", "deck_hex",
    "deck_multi", "deck_path", "deck_polygon", "deck_scatter", "deck_screengrid",
})

REMOVED: dict[str, str] = {
    "area": "echarts_area",
    "bar": "echarts_timeseries_bar",
    "dist_bar": "echarts_timeseries_bar",
    "line": "echarts_timeseries_line",
    "dual_line": "mixed_timeseries",
    "line_multi": "mixed_timeseries",
    "pivot_table": "pivot_table_v2",
    "treemap": "treemap_v2",
    "sunburst": "sunburst_v2",
    "heatmap": "heatmap_v2",
    "histogram": "histogram_v2",
    "sankey": "sankey_v2",
    "directed_force": "graph_chart",
    "event_flow": "table",
    "filter_box": "a native filter on the dashboard",
    "markup": "a markdown cell on the dashboard",
    "iframe": "a markdown cell on the dashboard",
    "separator": "a divider on the dashboard",
}
