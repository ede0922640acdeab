"""The registry is the one list of kinds, and every kind in it is complete."""

from __future__ import annotations

import pytest

from superset_iac.export.paths import DIR_OF_KIND
from superset_iac.export.select import EVERYTHING
from superset_iac.kinds.base import Handler
from superset_iac.kinds.registry import HANDLERS, NOT_EXPORTED, ORDER, handlers
from superset_iac.model import KINDS
from superset_iac.model.json_schema import schemas

KIND_NAMES = [h.kind for h in ORDER]


def test_order_is_the_models_kind_order():
    assert [h.spec_type for h in ORDER] == list(KINDS.values())
    assert list(HANDLERS) == KIND_NAMES
    assert handlers() == list(ORDER)


def test_each_kind_has_one_handler():
    assert len(set(KIND_NAMES)) == len(KIND_NAMES)
    assert all(isinstance(h, Handler) for h in ORDER)


@pytest.mark.parametrize("handler", ORDER, ids=KIND_NAMES)
def test_kind_is_exported_or_says_why_not(handler):
    exported = handler.kind in EVERYTHING
    assert exported != (handler.kind in NOT_EXPORTED), handler.kind
    if exported:
        assert handler.kind in DIR_OF_KIND


def test_nothing_exported_that_is_not_registered():
    assert set(EVERYTHING) <= set(KIND_NAMES)
    assert set(NOT_EXPORTED) <= set(KIND_NAMES)


@pytest.mark.parametrize("handler", ORDER, ids=KIND_NAMES)
def test_kind_defines_equality(handler):
    spec = handler.spec_type
    # its own compared() or the base one over declared fields; the field-by-field
    # coverage is tests/unit/test_compared_fields.py
    assert callable(spec.compared)
    assert spec.NOT_COMPARED <= set(spec.model_fields), spec.KIND


@pytest.mark.parametrize("handler", ORDER, ids=KIND_NAMES)
def test_kind_is_validated(handler):
    directory = next(d for d, cls in KINDS.items() if cls is handler.spec_type)
    # the loader validates the directory's files against the spec (strict
    # pydantic), and the published JSON schema covers it
    assert f"{directory}.schema.json" in schemas()
    assert handler.spec_type.model_fields, handler.kind
