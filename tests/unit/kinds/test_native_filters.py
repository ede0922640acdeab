"""Native filters: spec <-> native_filter_configuration entries, both ways, exactly."""

from __future__ import annotations

import copy

import pytest

from superset_iac.kinds import native_filters as nf
from superset_iac.model import native_filters as spec_filters
from superset_iac.model.dashboard import Dashboard, NativeFilter

CHARTS = ["Price", "Volume", "Stats"]


def flt(**fields) -> NativeFilter:
    return NativeFilter.model_validate(fields)


def resolver(tabs: dict | None = None) -> nf.Resolver:
    datasets = {"ticks": 4}
    charts = {"Price": 10, "Volume": 11, "Stats": 12}
    return nf.Resolver(
        dataset_id=datasets.__getitem__, dataset_key={v: k for k, v in datasets.items()}.get,
        chart_id=charts.__getitem__, chart_key={v: k for k, v in charts.items()}.get,
        chart_tabs=tabs or {})


def test_select_filter_body() -> None:
    body = spec_filters.filter_body(flt(name="Symbol", dataset="ticks", column="symbol", multiple=False,
                              required=True, default=["AAPL"]), CHARTS)
    assert body == {
        "id": spec_filters.derived_filter_id("Symbol"), "name": "Symbol", "filterType": "filter_select",
        "type": "NATIVE_FILTER", "targets": [{"dataset": "ticks", "column": {"name": "symbol"}}],
        "controlValues": {"enableEmptyFilter": True, "defaultToFirstItem": False, "multiSelect": False,
                          "searchAllOptions": False, "inverseSelection": False},
        "defaultDataMask": {"extraFormData": {"filters": [{"col": "symbol", "op": "IN", "val": ["AAPL"]}]},
                            "filterState": {"value": ["AAPL"]}, "ownState": {}},
        "cascadeParentIds": [], "scope": {"rootPath": ["ROOT_ID"], "excluded": []}, "description": "",
    }


@pytest.mark.parametrize("spec, mask, targets", [
    ({"type": "time_range", "default": "No filter"},
     {"time_range": "No filter"}, [{}]),
    ({"type": "range", "dataset": "ticks", "column": "volume", "default": [10, None]},
     {"filters": [{"col": "volume", "op": ">=", "val": 10}]},
     [{"dataset": "ticks", "column": {"name": "volume"}}]),
    ({"type": "time_grain", "dataset": "ticks", "default": "P1D"},
     {"time_grain_sqla": "P1D"}, [{"dataset": "ticks"}]),
    ({"type": "time_column", "dataset": "ticks", "default": "timestamp"},
     {"granularity_sqla": "timestamp"}, [{"dataset": "ticks"}]),
])
def test_other_filter_types(spec: dict, mask: dict, targets: list) -> None:
    body = spec_filters.filter_body(flt(name="F", **spec), CHARTS)
    assert body["filterType"] == spec_filters.FILTER_TYPES[spec["type"]]
    assert body["defaultDataMask"]["extraFormData"] == mask
    assert body["targets"] == targets
    assert body["controlValues"] == {"enableEmptyFilter": False}


def test_charts_in_scope_become_excluded_and_derived_keys() -> None:
    f = flt(name="Symbol", dataset="ticks", column="symbol", charts=["Price"])
    body = spec_filters.filter_body(f, CHARTS)
    assert body["scope"] == {"rootPath": ["ROOT_ID"], "excluded": ["Volume", "Stats"]}
    out = nf.to_server(body, CHARTS, resolver({"Price": ["TAB-a"], "Volume": ["TAB-b"]}))
    assert out["scope"] == {"rootPath": ["ROOT_ID"], "excluded": [11, 12]}
    assert out["chartsInScope"] == [10]
    assert out["tabsInScope"] == ["TAB-a"]
    assert out["targets"] == [{"datasetId": 4, "column": {"name": "symbol"}}]


@pytest.mark.parametrize("f", [
    flt(name="Symbol", dataset="ticks", column="symbol"),
    flt(name="Symbol", dataset="ticks", column="symbol", multiple=False, required=True,
        search_all_options=True, default=["AAPL", "MSFT"], charts=["Price", "Stats"],
        description="pick one", id="NATIVE_FILTER-abc"),
    flt(name="Date", type="time_range", default="Last week"),
    flt(name="Vol", type="range", dataset="ticks", column="volume", default=[1, 5]),
    flt(name="Grain", type="time_grain", dataset="ticks", default="P1D"),
    flt(name="Col", type="time_column", dataset="ticks"),
    flt(name="Sym2", dataset="ticks", column="symbol",
        extra={"cascadeParentIds": ["NATIVE_FILTER-abc"], "controlValues": {"creatable": True},
               "adhoc_filters": [{"clause": "WHERE", "sqlExpression": "1=1", "expressionType": "SQL"}]}),
])
def test_round_trip_through_the_server_form(f: NativeFilter) -> None:
    entry = nf.to_server(spec_filters.filter_body(f, CHARTS), CHARTS, resolver())
    back = spec_filters.decompile_filter(nf.from_server(entry, resolver()), CHARTS)
    assert spec_filters.canonical_filter(back) == spec_filters.canonical_filter(f)
    assert back.model_dump() == f.model_dump()


# An entry as Superset's native filter editor writes it (from its own examples).
UI_SELECT = {
    "cascadeParentIds": [], "chartsInScope": [10, 11, 12],
    "controlValues": {"defaultToFirstItem": False, "enableEmptyFilter": False, "inverseSelection": False,
                      "multiSelect": True, "searchAllOptions": False},
    "defaultDataMask": {"extraFormData": {}, "filterState": {}, "ownState": {}},
    "description": "", "filterType": "filter_select", "id": "NATIVE_FILTER-HX2lV--YaAZRQfJ_yfYB2",
    "name": "Country", "scope": {"excluded": [], "rootPath": ["ROOT_ID"]},
    "tabsInScope": ["TAB-d-E0Zc1cTH"], "targets": [{"column": {"name": "country"}, "datasetId": 4}],
    "type": "NATIVE_FILTER",
}


def test_ui_entry_reads_as_plain_fields() -> None:
    f = spec_filters.decompile_filter(nf.from_server(UI_SELECT, resolver()), CHARTS)
    assert f.model_dump(exclude_defaults=True) == {
        "name": "Country", "id": "NATIVE_FILTER-HX2lV--YaAZRQfJ_yfYB2", "dataset": "ticks",
        "column": "country"}


def test_ui_entry_with_unmodelled_settings_keeps_them_in_extra() -> None:
    entry = copy.deepcopy(UI_SELECT)
    entry["controlValues"]["inverseSelection"] = True
    entry["requiredFirst"] = True
    entry["defaultDataMask"] = {"extraFormData": {"filters": [{"col": "country", "op": "NOT IN", "val": ["FR"]}]},
                                "filterState": {"value": ["FR"], "label": "FR", "excludeFilterValues": True},
                                "ownState": {}}
    entry["scope"] = {"rootPath": ["TAB-d-E0Zc1cTH"], "excluded": [12]}
    f = spec_filters.decompile_filter(nf.from_server(entry, resolver()), CHARTS)
    assert f.default == ["FR"]
    assert f.charts is None
    assert f.extra == {"controlValues": {"inverseSelection": True}, "requiredFirst": True,
                       "defaultDataMask": entry["defaultDataMask"],
                       "scope": {"rootPath": ["TAB-d-E0Zc1cTH"], "excluded": ["Stats"]}}
    again = nf.to_server(spec_filters.filter_body(f, CHARTS), CHARTS,
                         resolver({"Price": ["TAB-d-E0Zc1cTH"], "Stats": ["TAB-d-E0Zc1cTH"]}))
    assert {k: v for k, v in again.items() if k not in spec_filters.DERIVED} == \
        {k: v for k, v in entry.items() if k not in spec_filters.DERIVED}
    assert again["chartsInScope"] == [10]


def test_absent_keys_mean_their_defaults() -> None:
    entry = {"id": spec_filters.derived_filter_id("Exchange"), "name": "Exchange", "filterType": "filter_select",
             "type": "NATIVE_FILTER", "targets": [{"datasetId": 4, "column": {"name": "exchange"}}],
             "defaultDataMask": {"filterState": {"value": None}}}
    f = spec_filters.decompile_filter(nf.from_server(entry, resolver()), CHARTS)
    assert f.model_dump(exclude_defaults=True) == {"name": "Exchange", "dataset": "ticks", "column": "exchange"}


def test_unknown_entries_are_kept_whole() -> None:
    divider = {"id": "NATIVE_FILTER_DIVIDER-x", "type": "DIVIDER", "title": "Section", "description": ""}
    f = spec_filters.decompile_filter(nf.from_server(divider, resolver()), CHARTS)
    assert f.name == "Section" and f.extra == {"raw": divider}
    assert nf.to_server(spec_filters.filter_body(f, CHARTS), CHARTS, resolver()) == divider


def test_stale_ids_show_as_hash_ids() -> None:
    entry = {**UI_SELECT, "targets": [{"datasetId": 77, "column": {"name": "c"}}],
             "scope": {"rootPath": ["ROOT_ID"], "excluded": [404]}}
    body = nf.from_server(entry, resolver())
    assert body["targets"] == [{"dataset": "#77", "column": {"name": "c"}}]
    assert body["scope"]["excluded"] == ["#404"]


def test_filter_ids_are_stable_and_given_ids_win() -> None:
    assert spec_filters.filter_id(flt(name="A")) == spec_filters.filter_id(flt(name="A")) != spec_filters.filter_id(flt(name="B"))
    assert spec_filters.filter_id(flt(name="A", id="NATIVE_FILTER-x")) == "NATIVE_FILTER-x"


def test_compared_ignores_default_spellings() -> None:
    written = Dashboard.model_validate({"title": "t", "filters": [
        {"name": "S", "dataset": "ticks", "column": "symbol", "default": "AAPL", "charts": ["B", "A"]},
        {"name": "D", "type": "time_range", "multiple": False}]})
    read = Dashboard.model_validate({"title": "t", "filters": [
        {"name": "S", "dataset": "ticks", "column": "symbol", "default": ["AAPL"], "charts": ["A", "B"],
         "id": spec_filters.derived_filter_id("S"), "description": ""},
        {"name": "D", "type": "time_range"}]})
    assert written.compared() == read.compared()


def test_scoping_every_chart_is_scoping_all() -> None:
    layout = [{"row": [{"chart": "A"}, {"chart": "B"}]}]
    listed = Dashboard.model_validate({"title": "t", "layout": layout, "filters": [
        {"name": "S", "dataset": "d", "column": "c", "charts": ["B", "A"]}]})
    unlisted = Dashboard.model_validate({"title": "t", "layout": layout, "filters": [
        {"name": "S", "dataset": "d", "column": "c"}]})
    assert listed.compared() == unlisted.compared()

