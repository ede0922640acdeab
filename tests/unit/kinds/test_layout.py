"""The compact layout <-> position_json: compile, decompile, the round trip."""

from __future__ import annotations

import random

import pytest

from superset_iac.kinds import layout as lay
from superset_iac.model import layout as spec_layout
from superset_iac.model.dashboard import Cell, Dashboard, LayoutItem, Tab


def items(data: list) -> list[LayoutItem]:
    return Dashboard.model_validate({"title": "t", "layout": data}).layout


def dump(layout: list) -> list:
    return [i.model_dump(mode="json", exclude_none=True) for i in layout]


ASSET_LIKE = [
    {"header": "Market activity"},
    {"row": [{"chart": "Price", "width": 8, "height": 60}, {"chart": "Volume", "width": 4, "height": 60}]},
    {"divider": True},
    {"row": [{"chart": "Logs", "width": 8}, {"markdown": "### About\ntext", "width": 4, "height": 40}]},
]

WITH_TABS_AND_COLUMNS = [
    {"tabs": [
        {"title": "Overview", "layout": [
            {"header": "Prices", "size": "LARGE_HEADER"},
            {"row": [
                {"column": [{"chart": "A", "width": 3, "height": 30},
                            {"markdown": "note", "width": 3, "height": 20},
                            {"row": [{"chart": "B", "width": 2}, {"chart": "C", "width": 1}]}],
                 "width": 3},
                {"chart": "D", "width": 9, "title": "D, renamed on this dashboard"}],
             "background": "BACKGROUND_WHITE"},
        ]},
        {"title": "Details", "id": "TAB-kept-from-ui", "layout": [
            {"tabs": [{"title": "Inner", "layout": [{"row": [{"chart": "E"}]}]},
                      {"title": "Inner", "layout": []}]},
        ]},
    ]},
]


def test_compile_gives_superset_node_kinds_with_parents() -> None:
    tree = spec_layout.compile_layout(items(ASSET_LIKE))
    assert tree["ROOT_ID"] == {"type": "ROOT", "id": "ROOT_ID", "children": ["GRID_ID"]}
    grid = [tree[i] for i in tree["GRID_ID"]["children"]]
    assert [n["type"] for n in grid] == ["HEADER", "ROW", "DIVIDER", "ROW"]
    assert grid[0]["meta"] == {"text": "Market activity"}
    assert grid[1]["meta"] == {"background": "BACKGROUND_TRANSPARENT"}
    price = tree[grid[1]["children"][0]]
    assert price["type"] == "CHART" and price["id"].startswith("CHART-")
    assert price["meta"] == {"chart": "Price", "width": 8, "height": 60}
    assert price["parents"] == ["ROOT_ID", "GRID_ID", grid[1]["id"]]
    markdown = tree[grid[3]["children"][1]]
    assert markdown["meta"] == {"width": 4, "height": 40, "code": "### About\ntext"}


def test_compile_is_deterministic() -> None:
    assert spec_layout.compile_layout(items(WITH_TABS_AND_COLUMNS)) == spec_layout.compile_layout(items(WITH_TABS_AND_COLUMNS))


def test_tab_ids_follow_titles_not_positions() -> None:
    before = spec_layout.compile_layout(items([{"tabs": [{"title": "A"}, {"title": "B"}]}]))
    after = spec_layout.compile_layout(items([{"tabs": [{"title": "B"}, {"title": "A"}]}]))
    tabs = lambda t: {n["meta"]["text"]: i for i, n in t.items() if n.get("type") == "TAB"}
    assert tabs(before) == tabs(after)
    assert tabs(before)["A"] == spec_layout.derived_tab_id(["A"])


def test_a_lone_tabs_item_is_top_level_unless_nested() -> None:
    top = spec_layout.compile_layout(items([{"tabs": [{"title": "A"}]}]))
    assert top["ROOT_ID"]["children"][0].startswith("TABS-")
    assert top["GRID_ID"]["children"] == []
    nested = spec_layout.compile_layout(items([{"tabs": [{"title": "A"}], "nested": True}]))
    assert nested["ROOT_ID"]["children"] == ["GRID_ID"]
    assert nested[nested["GRID_ID"]["children"][0]]["type"] == "TABS"


@pytest.mark.parametrize("layout", [[], ASSET_LIKE, WITH_TABS_AND_COLUMNS,
                                    [{"tabs": [{"title": "A"}], "nested": True}],
                                    [{"tabs": [{"title": "A"}]}, {"row": [{"chart": "X"}]}]])
def test_round_trip(layout: list) -> None:
    compact = items(layout)
    assert dump(spec_layout.decompile_layout(spec_layout.compile_layout(compact))) == dump(compact)


def test_pinned_tab_id_is_used_and_read_back() -> None:
    tree = spec_layout.compile_layout(items(WITH_TABS_AND_COLUMNS))
    assert "TAB-kept-from-ui" in tree
    back = spec_layout.decompile_layout(tree)
    assert back[0].tabs[1].id == "TAB-kept-from-ui"
    assert back[0].tabs[0].id is None  # derived ids are not written out


def _random_cell(rng: random.Random, depth: int, charts: list[str]) -> dict:
    roll = rng.random()
    if roll < 0.5 or depth > 2:
        cell = {"chart": f"chart {len(charts)}", "width": rng.randint(1, 12), "height": rng.randint(10, 90)}
        charts.append(cell["chart"])
        if rng.random() < 0.2:
            cell["title"] = "override"
        return cell
    if roll < 0.75:
        return {"markdown": f"# md {rng.random()}", "width": rng.randint(1, 12)}
    stack = []
    for _ in range(rng.randint(0, 3)):
        if rng.random() < 0.3:
            stack.append({"row": [_random_cell(rng, depth + 1, charts)]})
        else:
            stack.append(_random_cell(rng, 3, charts))
    return {"column": stack, "width": rng.randint(1, 12)}


def _random_items(rng: random.Random, depth: int, charts: list[str]) -> list[dict]:
    out = []
    for _ in range(rng.randint(0, 4)):
        roll = rng.random()
        if roll < 0.5:
            out.append({"row": [_random_cell(rng, depth, charts) for _ in range(rng.randint(0, 3))]})
        elif roll < 0.65:
            out.append({"header": f"h{rng.randint(0, 9)}", **({"size": "SMALL_HEADER"} if rng.random() < 0.3 else {})})
        elif roll < 0.75:
            out.append({"divider": True})
        elif depth < 2:
            tabs = [{"title": rng.choice(["A", "B", "B"]), "layout": _random_items(rng, depth + 1, charts)}
                    for _ in range(rng.randint(1, 3))]
            out.append({"tabs": tabs})
    if depth == 0 and len(out) == 1 and "tabs" in out[0] and rng.random() < 0.5:
        out[0]["nested"] = True
    return out


@pytest.mark.parametrize("seed", range(200))
def test_round_trip_on_generated_layouts(seed: int) -> None:
    rng = random.Random(seed)
    compact = items(_random_items(rng, 0, []))
    tree = spec_layout.compile_layout(compact)
    assert dump(spec_layout.decompile_layout(tree)) == dump(compact)


def test_unknown_meta_keeps_the_whole_tree() -> None:
    tree = spec_layout.compile_layout(items(ASSET_LIKE))
    row = tree["GRID_ID"]["children"][1]
    tree[row]["meta"]["0"] = "ROOT_ID"  # seen in Superset's own examples
    assert spec_layout.decompile_layout(tree) is None
    layout, position = spec_layout.canonical_layout([], tree)
    assert layout == [] and position["GRID_ID"]["children"] == tree["GRID_ID"]["children"]


def test_unreachable_nodes_keep_the_whole_tree() -> None:
    tree = spec_layout.compile_layout(items(ASSET_LIKE))
    tree["CHART-orphan"] = {"type": "CHART", "id": "CHART-orphan", "children": [],
                            "meta": {"chart": "x", "width": 4, "height": 50}}
    assert spec_layout.decompile_layout(tree) is None


def test_a_position_the_compact_form_can_say_compares_as_layout() -> None:
    tree = spec_layout.compile_layout(items(ASSET_LIKE))
    by_position = Dashboard.model_validate({"title": "t", "position": tree})
    by_layout = Dashboard.model_validate({"title": "t", "layout": ASSET_LIKE})
    assert by_position.compared() == by_layout.compared()


def test_missing_background_and_tab_hints_mean_the_defaults() -> None:
    tree = spec_layout.compile_layout(items(WITH_TABS_AND_COLUMNS))
    for node in tree.values():
        if node["type"] == "ROW" and node["meta"]["background"] == "BACKGROUND_TRANSPARENT":
            del node["meta"]["background"]
        if node["type"] == "TAB":
            node["meta"].update(defaultText="Tab title", placeholder="Tab title")
    assert dump(spec_layout.decompile_layout(tree)) == dump(items(WITH_TABS_AND_COLUMNS))


SERVER_POSITION = {
    "DASHBOARD_VERSION_KEY": "v2",
    "HEADER_ID": {"id": "HEADER_ID", "type": "HEADER", "meta": {"text": "Sales"}},
    "ROOT_ID": {"type": "ROOT", "id": "ROOT_ID", "children": ["GRID_ID"]},
    "GRID_ID": {"type": "GRID", "id": "GRID_ID", "children": ["ROW-x"], "parents": ["ROOT_ID"]},
    "ROW-x": {"type": "ROW", "id": "ROW-x", "children": ["CHART-a", "CHART-b"],
              "parents": ["ROOT_ID", "GRID_ID"], "meta": {"background": "BACKGROUND_TRANSPARENT"}},
    "CHART-a": {"type": "CHART", "id": "CHART-a", "children": [], "parents": ["ROOT_ID", "GRID_ID", "ROW-x"],
                "meta": {"chartId": 12, "uuid": "u-12", "sliceName": "Price", "width": 6, "height": 50}},
    "CHART-b": {"type": "CHART", "id": "CHART-b", "children": [], "parents": ["ROOT_ID", "GRID_ID", "ROW-x"],
                "meta": {"chartId": 99, "uuid": "u-99", "sliceName": "Gone", "width": 6, "height": 50}},
}


def test_from_server_names_charts_and_keeps_unknown_ids() -> None:
    tree = lay.from_server(SERVER_POSITION, {12: "Price"}.get)
    assert "HEADER_ID" not in tree and "DASHBOARD_VERSION_KEY" not in tree
    assert tree["CHART-a"]["meta"] == {"chart": "Price", "width": 6, "height": 50}
    assert tree["CHART-b"]["meta"] == {"chartId": 99, "width": 6, "height": 50}
    assert spec_layout.decompile_layout(tree) is None  # a chart that no longer exists: keep it all


def test_to_server_writes_ids_names_and_the_title_header() -> None:
    tree = spec_layout.compile_layout(items([{"row": [{"chart": "Price", "width": 12}]}]))
    out = lay.to_server(tree, "My title", lambda key: lay.ChartInfo(12, "Price (name)"))
    chart = next(n for n in out.values() if isinstance(n, dict) and n.get("type") == "CHART")
    assert chart["meta"] == {"width": 12, "height": 50, "chartId": 12, "sliceName": "Price (name)"}
    assert out["HEADER_ID"]["meta"] == {"text": "My title"}
    assert out["DASHBOARD_VERSION_KEY"] == "v2"


def test_chart_order_and_tabs() -> None:
    tree = spec_layout.compile_layout(items(WITH_TABS_AND_COLUMNS))
    assert spec_layout.charts_in(tree) == ["A", "B", "C", "D", "E"]
    tabs = spec_layout.chart_tabs(tree)
    assert tabs["A"] == [spec_layout.derived_tab_id(["Overview"])]
    assert tabs["E"] == ["TAB-kept-from-ui", spec_layout.derived_tab_id(["Details", "Inner"])]


@pytest.mark.parametrize("bad, message", [
    ({"row": [{"chart": "a", "markdown": "b"}]}, "exactly one of"),
    ({"header": "h", "divider": True}, "exactly one of"),
    ({"row": [{"column": [], "height": 10}]}, "no height"),
    ({"row": [{"column": [{"column": []}]}]}, "cannot hold a column"),
    ({"row": [{"markdown": "m", "title": "t"}]}, "only a chart"),
    ({"divider": False}, "divider: true"),
    ({"tabs": [{"title": "a", "layout": [{"tabs": [], "nested": True}]}]}, "whole layout"),
])
def test_layout_validation(bad: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        items([bad])


def test_cells_and_tabs_are_the_model_types() -> None:
    layout = items(WITH_TABS_AND_COLUMNS)
    assert isinstance(layout[0].tabs[0], Tab)
    column = layout[0].tabs[0].layout[1].row[0]
    assert isinstance(column, Cell) and isinstance(column.column[2], LayoutItem)
