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

``PARAMS`` is every form-data key the 6.1 frontend's controls can write (the
``name`` of each control and the keys of the shared controls, read from the
wheel's static assets), the keys the explore UI or the server adds, and keys
older Superset versions wrote that migrations left in place (``since``,
``until``, ``queryFields``): the frontend ignores them, they are not typos.
It is checked for ``PARAMS_CHECKED``, the chart types in everyday use, where
a key outside it is a typo nothing will ever read (``time_grain`` for
``time_grain_sqla``).
"""

from __future__ import annotations

import difflib
import re

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

# The matrix ("matrixify") controls every chart has in 6.1, generated per axis
# (``matrixify_${option}_${axis}``) and so missed by a search for control names.
_MATRIXIFY = frozenset(f"matrixify_{option}_{axis}" for axis in ("columns", "rows")
                       for option in ("all_sort_by", "dimension", "dimension_selection_mode",
                                      "mode", "topn_dimension", "topn_metric", "topn_order",
                                      "topn_value"))

PARAMS = _MATRIXIFY | frozenset({
    # legacy (nvd3 area charts migrated to echarts_area) and mixed_timeseries axes
    "stacked_style", "yAxisIndex", "yAxisIndexB",
    # what the explore UI keeps beside the controls (the time extras a dashboard
    # applied, the form data of other chart types it was switched through)
    "applied_time_extras", "standardizedFormData",
    # 6.1 controls the first reading missed (public bundles carry them)
    "matrixify_columns", "matrixify_rows", "matrixify_show_column_headers",
    "matrixify_show_row_labels", "metric_name_font_size", "subtitle_font_size",
    "echart_options", "group_others_when_limit_reached",
    "adhoc_filters", "aggregateFunction", "aggregation", "align_pn", "all_columns",
    "all_columns_x", "all_columns_y", "allow_rearrange_columns", "allow_render_html",
    "animation", "annotation_layers", "area", "autozoom", "bar_stacked", "baseEdgeWidth",
    "baseNodeSize", "big_number_font_size", "bins", "border_color", "border_width",
    "bottom_margin", "break_points", "cache_timeout", "canSelectMultiple", "cellSize",
    "cell_padding", "cell_radius", "cell_size", "chart_background_border_radius",
    "chart_background_color", "chart_size", "child_label_position", "clustering_radius",
    "colOrder", "colSubTotals", "colSubtotalPosition", "colTotals", "color_breakpoints",
    "color_by", "color_by_primary_axis", "color_picker", "color_pn", "color_scheme",
    "color_scheme_type", "column", "column_collection", "column_config", "columns",
    "combineMetric", "compare_lag", "compare_suffix", "comparison_color_enabled",
    "comparison_color_scheme", "comparison_range_label", "comparison_type",
    "conditional_formatting", "contours", "contribution", "contributionMode",
    "country_fieldtype", "creatable", "cumulative", "currency_format",
    "currency_format_secondary", "custom_params", "dashboardId", "dashboards", "datasource",
    "date_format", "date_time_format", "deck_slices", "decrease_color", "decrease_label",
    "defaultToFirstItem", "default_breakpoint_color", "dimension", "domain_granularity",
    "donut", "draggable", "edgeLength", "edgeSymbol", "emphasis", "enableEmptyFilter",
    "enableSingleValue", "enable_icon_javascript_mode", "enable_icons",
    "enable_label_javascript_mode", "enable_labels", "end_angle", "end_spatial", "end_time",
    "entity", "equal_date_size", "extra_form_data", "extruded", "fill_color_picker", "filled",
    "filter_nulls", "font_size", "force", "force_max_interval", "force_timestamp_formatting",
    "forecastEnabled", "forecastInterval", "forecastPeriods", "forecastSeasonalityDaily",
    "forecastSeasonalityWeekly", "forecastSeasonalityYearly", "freq", "friction", "geojson",
    "geom_column", "global_opacity", "granularity", "granularity_sqla", "gravity",
    "grid_size", "groupby", "groupbyColumns", "groupbyRows", "handlebarsTemplate",
    "header_font_size", "horizon_color_scale", "icon_javascript_config_generator",
    "icon_size", "icon_size_unit", "icon_url", "include_search", "include_series",
    "include_time", "increase_color", "increase_label", "initialTreeDepth", "innerRadius",
    "intensity", "interval_color_indices", "intervals", "inverseSelection", "is_circle",
    "js_agg_function", "js_columns", "js_data_mutator", "js_onclick_href", "js_tooltip",
    "label_color", "label_colors", "label_javascript_config_generator", "label_line",
    "label_position", "label_property_name", "label_size", "label_size_unit",
    "label_template", "label_type", "labels_outside", "layer_configs", "layout",
    "left_margin", "legendMargin", "legendOrientation", "legendSort", "legendType",
    "legend_format", "legend_position", "legend_type", "liftvalue_precision", "limit",
    "line_column", "line_interpolation", "line_type", "line_width", "line_width_unit",
    "linear_color_scheme", "logAxis", "logAxisSecondary", "logXAxis", "logYAxis", "log_scale",
    "map_view", "mapbox_color", "mapbox_label", "mapbox_style", "markerEnabled", "markerSize",
    "marker_labels", "marker_line_labels", "marker_lines", "markers", "markup_type",
    "matrixify_cell_title_template", "matrixify_charts_per_row", "matrixify_enable",
    "matrixify_fit_columns_dynamically", "matrixify_row_height", "max_bubble_size",
    "max_radius", "max_val", "metric", "metric_2", "metrics", "metricsLayout", "min_periods",
    "min_radius", "min_val", "minorSplitLine", "minorTicks", "multiSelect", "multiplier",
    "node_label_position", "normalize", "normalize_across", "normalized", "num_buckets",
    "num_period_compare", "number_format", "only_total", "opacity", "order_bars",
    "order_by_cols", "order_desc", "orient", "orientation", "outerRadius", "overlap",
    "page_length", "pandas_aggfunc", "parent", "partition_limit", "partition_threshold",
    "percentDifferenceFormat", "percent_calculation_type", "percent_metric_calculation",
    "percent_metrics", "percentage_threshold", "point_radius", "point_radius_fixed",
    "point_radius_scale", "point_radius_unit", "point_unit", "pvalue_precision",
    "queryFields", "query_mode", "radarMetricMaxValue", "radarMetricMinValue",
    "radius_pixels", "range_labels", "ranges", "render_while_dragging", "repulsion",
    "resample_method", "resample_rule", "reverse_long_lat", "rich_tooltip", "roam",
    "rolling_periods", "rolling_type", "root_node_id", "roseType", "rose_area_proportion",
    "round_cap", "rowOrder", "rowSubTotals", "rowSubtotalPosition", "rowTotals", "row_limit",
    "searchAllOptions", "select_country", "selectedMode", "selected_chart", "seriesType",
    "series_columns", "series_height", "series_limit", "series_limit_metric",
    "server_page_length", "server_pagination", "showSymbolThreshold", "showTooltipPercentage",
    "showTooltipTotal", "show_axis_tick", "show_bar_value", "show_brush", "show_bubbles",
    "show_cell_bars", "show_controls", "show_datatable", "show_empty_columns",
    "show_extra_controls", "show_labels", "show_labels_threshold", "show_legend",
    "show_metric_name", "show_percentage", "show_pointer", "show_progress",
    "show_query_identifiers", "show_split_line", "show_timestamp", "show_tooltip_labels",
    "show_total", "show_totals", "show_trend_line", "show_upper_labels", "show_value",
    "show_values", "show_x_axis", "show_x_axis_min_max_labels", "show_y_axis",
    "show_y_axis_min_max_labels", "significance_level", "since", "size_from", "size_to",
    "slice_id", "sortAscending", "sort_by_metric", "sort_series_ascending",
    "sort_series_type", "sort_x_axis", "sort_y_axis", "source", "source_category", "spatial",
    "split_number", "stack", "stackDimension", "start_angle", "start_date_offset",
    "start_spatial", "start_time", "start_y_axis_at_zero", "steps", "stroke_color_picker",
    "stroke_width", "stroked", "styleTemplate", "subcategories", "subdomain_granularity",
    "subheader", "subheader_font_size", "subtitle", "symbol", "symbolSize", "table_filter",
    "table_timestamp_format", "target", "target_category", "target_color_picker",
    "temporal_columns_lookup", "threshold_for_other", "time_compare", "time_comparison",
    "time_format", "time_grain_sqla", "time_range", "time_range_fixed", "time_series_option",
    "time_shift_color", "timeseries_limit_metric", "tooltipSizeFormat", "tooltipSortByMetric",
    "tooltipTimeFormat", "tooltipValuesFormat", "tooltip_contents", "tooltip_label_type",
    "tooltip_template", "total_color", "total_label", "transposePivot", "truncateXAxis",
    "truncateYAxis", "truncate_metric", "until", "url_params", "valueFormat", "value_bounds",
    "value_formatter", "viewport", "viewport_latitude", "viewport_longitude", "viewport_zoom",
    "viz_type", "whiskerOptions", "xAxisBounds", "xAxisForceCategorical", "xAxisFormat",
    "xAxisLabelInterval", "xAxisLabelRotation", "x_axis", "x_axis_format", "x_axis_label",
    "x_axis_number_format", "x_axis_showminmax", "x_axis_sort", "x_axis_sort_asc",
    "x_axis_sort_series", "x_axis_sort_series_ascending", "x_axis_time_bounds",
    "x_axis_time_format", "x_axis_title", "x_axis_title_margin", "x_log_scale",
    "x_ticks_layout", "xscale_interval", "yAxisLabelRotation", "yAxisTitleSecondary",
    "y_axis", "y_axis_bounds", "y_axis_bounds_secondary", "y_axis_format",
    "y_axis_format_secondary", "y_axis_label", "y_axis_showminmax", "y_axis_title",
    "y_axis_title_margin", "y_axis_title_position", "y_log_scale", "yscale_interval",
    "zoomable"
})

PARAMS_CHECKED = frozenset({
    "table", "pivot_table_v2", "pie", "big_number", "big_number_total",
    "echarts_timeseries", "echarts_timeseries_bar", "echarts_timeseries_line",
    "echarts_timeseries_scatter", "echarts_timeseries_smooth", "echarts_timeseries_step",
    "echarts_area", "mixed_timeseries",
})

# mixed_timeseries repeats every query control for its second query: ``metrics_b``,
# ``seriesTypeB``.
SECOND_QUERY = re.compile(r"^(?P<base>.+?)(?:_b|B)$")

# Words that say nothing about which chart is meant.
_NOISE = frozenset({"chart", "echarts", "v2", "viz", "plot"})


def _words(viz: str) -> frozenset[str]:
    return frozenset(w for w in re.split(r"[_\-\s]+", viz.lower()) if w and w not in _NOISE)


def nearest(viz: str) -> str | None:
    """The known type closest to ``viz``: same words first (``pie_chart`` -> ``pie``),
    then the shortest whose words contain them (``bar`` -> ``echarts_timeseries_bar``),
    then spelling."""
    words = _words(viz)
    if words:
        same = sorted(k for k in KNOWN if _words(k) == words)
        if same:
            return same[0]
        wider = sorted((k for k in KNOWN if words <= _words(k)), key=lambda k: (len(k), k))
        if wider:
            return wider[0]
    close = difflib.get_close_matches(viz.lower(), sorted(KNOWN), n=1, cutoff=0.6)
    return close[0] if close else None
