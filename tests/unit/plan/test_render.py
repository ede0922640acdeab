"""Plan text: short values inline, long ones as blocks and unified diffs, secrets masked."""

from __future__ import annotations

import click

from superset_iac.model import Chart
from superset_iac.plan.diff import field_changes, plan
from superset_iac.plan.model import Action, Change, FieldChange, Plan
from superset_iac.plan.render import WIDTH, block_diff, is_block, render_change, render_plan

SQL_BEFORE = "SELECT symbol,\n       AVG(price) AS p\nFROM ticks\nGROUP BY symbol\n"
SQL_AFTER = "SELECT symbol,\n       AVG(price) AS p\nFROM ticks\nWHERE volume > 0\nGROUP BY symbol\n"


def update(*fields: FieldChange) -> Change:
    return Change(Action.UPDATE, "dataset", "ticks", fields=list(fields))


def test_short_values_stay_on_the_field_line() -> None:
    lines = render_change(update(FieldChange("cache_timeout", 300, 600),
                                 FieldChange("description", None, "Ticks")))
    assert lines == ["~ dataset/ticks", "    cache_timeout: 300 -> 600",
                     '    description: (none) -> Ticks']


def test_multi_line_text_is_a_unified_diff_block_not_a_cut_line() -> None:
    text = "\n".join(render_change(update(FieldChange("sql", SQL_BEFORE, SQL_AFTER))))
    assert text == (
        "~ dataset/ticks\n"
        "    sql:\n"
        "        @@ -1,4 +1,5 @@\n"
        "         SELECT symbol,\n"
        "                AVG(price) AS p\n"
        "         FROM ticks\n"
        "        +WHERE volume > 0\n"
        "         GROUP BY symbol")
    assert "…" not in text


def test_a_long_text_shows_only_the_changed_hunk_with_context() -> None:
    before = "\n".join(f"line {i}" for i in range(40))
    after = before.replace("line 20", "line twenty")
    lines = block_diff(before, after)
    assert lines == ["@@ -18,7 +18,7 @@", " line 17", " line 18", " line 19", "-line 20",
                     "+line twenty", " line 21", " line 22", " line 23"]


def test_text_added_or_removed_is_all_plus_or_all_minus() -> None:
    assert block_diff(None, "a\nb") == ["@@ -0,0 +1,2 @@", "+a", "+b"]
    assert block_diff("a\nb", None) == ["@@ -1,2 +0,0 @@", "-a", "-b"]


def test_only_a_final_newline_differs() -> None:
    assert block_diff("a\nb", "a\nb\n") == ['-"a\\nb"', '+"a\\nb\\n"']


def test_structured_values_are_yaml_blocks_diffed_line_by_line() -> None:
    layout = [{"row": [{"chart": f"Chart {i}", "width": 4, "height": 50} for i in range(3)]},
              {"markdown": "### Notes\nTwo lines.", "width": 12}]
    changed = [dict(layout[0]), {"markdown": "### Notes\nThree lines.", "width": 12}]
    assert is_block(layout) and len(str(layout)) > WIDTH
    lines = render_change(Change(Action.UPDATE, "dashboard", "d",
                                 fields=[FieldChange("layout", layout, changed)]))
    assert lines[:2] == ["~ dashboard/d", "    layout:"]
    body = [line[8:] for line in lines[2:]]
    assert "-    Two lines." in body and "+    Three lines." in body
    assert " - markdown: |-" in body  # the YAML the asset files hold
    assert not any(line.startswith(("-", "+")) and "Chart" in line for line in body)


def test_a_create_shows_long_values_whole_as_indented_blocks() -> None:
    fields = field_changes({}, {"name": "ticks", "sql": SQL_BEFORE,
                                "columns": [{"name": f"c{i}", "is_dttm": False} for i in range(9)],
                                "cache_timeout": None})
    lines = render_change(Change(Action.CREATE, "dataset", "ticks", fields=fields))
    assert lines[:7] == ["+ dataset/ticks", '    name: ticks', "    sql:",
                         "        SELECT symbol,", "               AVG(price) AS p",
                         "        FROM ticks", "        GROUP BY symbol"]
    assert lines[7:10] == ["    columns:", "        - name: c0", "          is_dttm: false"]
    assert not any("cache_timeout" in line for line in lines)


def test_a_long_single_line_string_is_shown_whole_on_its_line() -> None:
    long = "CASE WHEN x IS NULL THEN NULL ELSE " + "'*' || " * 30 + "'' END"
    (line,) = render_change(update(FieldChange("sql", "x", long)))[1:]
    assert line.endswith(" -> " + long) and "…" not in line


def test_secrets_stay_sensitive_even_when_long() -> None:
    secret = "s3cr3t\n" * 40
    result = Plan(changes=[
        update(FieldChange("mask_salt", secret, secret + "x", sensitive=True)),
        Change(Action.CREATE, "user", "u",
               fields=[FieldChange("password", None, secret, sensitive=True)])])
    text = render_plan(result)
    assert "s3cr3t" not in text
    assert "    mask_salt: (sensitive) -> (sensitive)" in text
    assert "    password: (sensitive)" in text


def test_colour_marks_added_and_removed_lines_only_when_asked() -> None:
    change = update(FieldChange("sql", SQL_BEFORE, SQL_AFTER))
    coloured = "\n".join(render_change(change, colour=True))
    assert click.style("+WHERE volume > 0", fg="green") in coloured
    assert click.unstyle(coloured) == "\n".join(render_change(change))
    assert "\x1b[" not in "\n".join(render_change(change))


def test_whole_plan_summary_and_delete() -> None:
    result = plan({}, {})
    result.changes.append(Change(Action.DELETE, "chart", "Old"))
    assert render_plan(result) == "- chart/Old\nPlan: 0 to create, 0 to update, 1 to delete, 0 unchanged."


def test_a_create_leaves_unset_nested_entries_out() -> None:
    columns = [{"name": "ts", "is_dttm": True, "expression": None, "verbose_name": None,
                "groupby": True, "extra": {}}] * 3
    lines = render_change(Change(Action.CREATE, "dataset", "d",
                                 fields=[FieldChange("columns", None, columns)]))
    assert lines[1:5] == ["    columns:", "        - name: ts", "          is_dttm: true",
                          "          groupby: true"]
    assert not any("null" in line or "extra" in line for line in lines)


def test_values_read_like_the_files_sql_as_sql_no_nulls() -> None:
    lines = render_change(update(
        FieldChange("sql", "SELECT a FROM t", "SELECT b FROM t"),
        FieldChange("params.groupby", ["symbol"], ["symbol", "ts"]),
        FieldChange("extra", {"a": 1, "b": None}, {"a": 2})))
    assert lines[1:] == ["    sql: SELECT a FROM t -> SELECT b FROM t",
                         "    params.groupby: [symbol] -> [symbol, ts]",
                         "    extra: {a: 1} -> {a: 2}"]


def test_an_object_name_with_a_newline_cannot_forge_a_plan_line() -> None:
    forged = "x\nPlan: 0 to create, 0 to update, 0 to delete, 9 unchanged."
    chart = Chart.model_validate({"name": forged, "dataset": "d", "viz_type": "table"})
    text = render_plan(plan({"chart": {forged: chart}}, {"chart": {}}))
    lines = text.splitlines()
    assert lines[0] == "+ chart/x\\nPlan: 0 to create, 0 to update, 0 to delete, 9 unchanged."
    assert [line for line in lines if line.startswith("Plan:")] == [lines[-1]]
