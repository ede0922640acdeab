"""``export --tag`` and ``--saved-queries``: a tag brings what it tags, and what those use."""

from __future__ import annotations

import pytest

from superset_iac.errors import ConfigError
from superset_iac.export.select import Selection, find_tag, select
from superset_iac.model import SavedQuery, Tag
from tests.unit.export.conftest import chart, dashboard, database, dataset, live_state, role


def saved_query(label: str = "Top symbols", database: str = "lakehouse") -> SavedQuery:
    return SavedQuery.model_validate({"label": label, "database": database, "sql": "SELECT 1"})


def tag(name: str = "gold", **members: list[str]) -> Tag:
    return Tag.model_validate({"name": name, **members})


@pytest.fixture
def tagged_live():
    return live_state(
        database(), database("other", "sqlite:////tmp/other.db"),
        dataset(), dataset("unused", "other", schema="main"),
        chart(), chart("Volume"), chart("Lonely", "unused"),
        dashboard(charts=("Price",), roles=["Analyst"]), role(),
        saved_query(), saved_query("Elsewhere", "other"),
        tag("gold", dashboards=["market"], saved_queries=["Top symbols"]),
        tag("silver", charts=["Volume"]), tag("bronze"))


def keys(selected) -> dict[str, list[str]]:
    return {kind: list(objs) for kind, objs in selected.objects.items()}


def test_a_tag_brings_its_members_and_everything_they_use(tagged_live) -> None:
    got = select(tagged_live, Selection(tags=("gold",)))
    assert keys(got) == {"database": ["lakehouse"], "dataset": ["ticks"], "chart": ["Price"],
                         "role": ["Analyst"], "dashboard": ["market"],
                         "saved_query": ["Top symbols"], "tag": ["gold"]}
    assert got.missing == []


def test_several_tags_and_a_tag_with_no_members(tagged_live) -> None:
    got = select(tagged_live, Selection(tags=("silver", "bronze")))
    assert keys(got) == {"database": ["lakehouse"], "dataset": ["ticks"], "chart": ["Volume"],
                         "tag": ["bronze", "silver"]}


def test_saved_queries_bring_their_databases(tagged_live) -> None:
    got = select(tagged_live, Selection(kinds=("saved_query",)))
    assert keys(got) == {"database": ["lakehouse", "other"],
                         "saved_query": ["Elsewhere", "Top symbols"]}


def test_everything_includes_saved_queries_and_tags(tagged_live) -> None:
    got = select(tagged_live, Selection(everything=True))
    assert list(got.objects["saved_query"]) == ["Elsewhere", "Top symbols"]
    assert list(got.objects["tag"]) == ["bronze", "gold", "silver"]


def test_an_unknown_tag_is_an_error_with_a_suggestion(tagged_live) -> None:
    with pytest.raises(ConfigError, match=r"no custom tag named 'glod'; did you mean 'gold'\? "
                                          r"\(tags on the server: bronze, gold, silver\)"):
        find_tag(tagged_live["tag"], "glod")
    assert find_tag(tagged_live["tag"], "gold").key == "gold"
