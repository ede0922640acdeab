"""The registry is the one list of kinds, and every kind in it is complete.

A kind is registered by a line in ``kinds/registry.py`` (and ``model.KINDS``);
these tests fail for one registered without export, equality or validation
support, or whose hooks (``Spec``/``Handler``) say something inconsistent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from superset_iac.export.paths import DIR_OF_KIND
from superset_iac.kinds.base import Handler
from superset_iac.kinds.registry import EXPORTED, HANDLERS, NOT_EXPORTED, ORDER, handlers
from superset_iac.kinds.rest import RestHandler
from superset_iac.load.tree import load_tree
from superset_iac.model import KINDS
from superset_iac.model.base import Spec
from superset_iac.model.json_schema import schemas
from tests.unit.test_compared_fields import INLINE

KIND_NAMES = [h.kind for h in ORDER]
ASSETS = Path(__file__).resolve().parents[3] / "assets"


def test_order_is_the_models_kind_order():
    assert [h.spec_type for h in ORDER] == list(KINDS.values())
    assert list(HANDLERS) == KIND_NAMES
    assert handlers() == list(ORDER)


def test_each_kind_has_one_handler():
    assert len(set(KIND_NAMES)) == len(KIND_NAMES)
    assert all(isinstance(h, Handler) for h in ORDER)


@pytest.mark.parametrize("handler", ORDER, ids=KIND_NAMES)
def test_kind_is_exported_or_says_why_not(handler):
    exported = handler.kind in EXPORTED
    assert exported != (handler.kind in NOT_EXPORTED), handler.kind
    if exported:
        assert handler.kind in DIR_OF_KIND
        # every export hook is there (the base class gives the defaults)
        for hook in ("export_form", "export_fresh", "export_merged", "export_variables"):
            assert callable(getattr(handler, hook)), (handler.kind, hook)
    else:
        assert handler.not_exported and handler.export_flag is None, handler.kind


def test_export_flags_are_options_and_distinct():
    flags = [h.export_flag.name for h in ORDER if h.export_flag is not None]
    assert len(set(flags)) == len(flags)
    assert all(f.startswith("--") and f not in ("--all", "--dashboard") for f in flags)


@pytest.mark.parametrize("handler", ORDER, ids=KIND_NAMES)
def test_kind_defines_equality(handler):
    spec = handler.spec_type
    # its own compared() or the base one over declared fields; the field-by-field
    # coverage is tests/unit/test_compared_fields.py
    assert callable(spec.compared)
    assert spec.NOT_COMPARED <= set(spec.model_fields), spec.KIND
    for group in spec.TOGETHER:
        assert group <= {f.alias or n for n, f in spec.model_fields.items()}, spec.KIND


@pytest.mark.parametrize("handler", ORDER, ids=KIND_NAMES)
def test_kind_is_validated(handler):
    directory = next(d for d, cls in KINDS.items() if cls is handler.spec_type)
    # the loader validates the directory's files against the spec (strict
    # pydantic), and the published JSON schema covers it
    assert f"{directory}.schema.json" in schemas()
    assert handler.spec_type.model_fields, handler.kind


@pytest.mark.parametrize("handler", ORDER, ids=KIND_NAMES)
def test_kind_hooks_name_what_exists(handler):
    spec = handler.spec_type
    names = {f.alias or n for n, f in spec.model_fields.items()} | set(spec.model_fields)
    assert spec.KEY_FIELDS and set(spec.KEY_FIELDS) <= names, spec.KIND
    assert spec.REFERS_TO <= set(KIND_NAMES), spec.KIND


def _asset_specs() -> list[Spec]:
    tree = load_tree(ASSETS)
    assert not tree.diagnostics.has_errors()
    return list(tree)


def test_every_reference_is_of_a_kind_its_spec_declares():
    """``REFERS_TO`` decides what export reads before reading: a kind naming
    another it does not declare would export a tree that does not validate.
    Kinds the team's assets do not hold are the samples of test_compared_fields."""
    specs = _asset_specs() + [KINDS[d].model_validate(data) for d, data in INLINE.items()]
    assert {s.KIND for s in specs} >= set(KIND_NAMES)
    for spec in specs:
        for ref in spec.refs():
            assert ref.kind in spec.REFERS_TO, (spec.ref, ref)


def test_validation_checks_at_least_the_dependencies():
    for spec in _asset_specs():
        assert set(spec.refs()) <= set(spec.checked_refs()), spec.ref


def test_the_raw_key_of_a_refused_file_is_the_specs_key():
    """``KEY_FIELDS`` finds in a raw mapping the key the spec would have."""
    from superset_iac.load.tree import _raw_key

    for spec in _asset_specs():
        data = spec.model_dump(by_alias=True, mode="json")
        assert _raw_key(type(spec), data) == spec.key, spec.ref


def test_list_reads_are_overridden_where_prefetch_sees_them() -> None:
    """``read_live`` reads every kind's list rows ahead (``prefetch`` calls
    ``read_rows``); a handler overriding ``rows`` instead would read its list
    a second time on every diff."""
    overriding = [h.kind for h in ORDER
                  if isinstance(h, RestHandler) and type(h).rows is not RestHandler.rows]
    assert overriding == []
