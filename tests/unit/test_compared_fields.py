"""Every field of every spec is compared, or a kind says it is not.

A field added to a spec is compared by default (``Spec.compared`` dumps every
field); this test fails when a kind's ``canonical_form`` drops one without
listing it in ``NOT_COMPARED`` or ``FOLDED``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from superset_iac.diagnostics import Diagnostics
from superset_iac.load.yaml_source import parse_yaml
from superset_iac.model import KINDS, Spec

ASSETS = Path(__file__).resolve().parents[2] / "assets"
# Kinds the shipped assets do not define (users come from each team's tree; the
# team embeds no dashboard in another site).
INLINE: dict[str, dict[str, Any]] = {
    "embedded": {"dashboard": "lakehouse-analytics", "allowed_domains": ["https://portal.example.com"]},
    "users": {"username": "ana", "first_name": "Ana", "last_name": "Lima",
              "email": "ana@example.com", "roles": ["Analyst"], "password": "${ANA_PASSWORD}"},
}


def sample(directory: str, cls: type[Spec]) -> Spec:
    if directory in INLINE:
        return cls.model_validate(INLINE[directory])
    first = sorted((ASSETS / directory).glob("*.yaml"))[0]
    # The tool's own YAML reading: no implicit timestamps (an annotation's
    # ``start: 2025-06-19`` is a string to it, a date to plain PyYAML).
    data = parse_yaml(first.read_text(), str(first), Diagnostics())[0].data
    return cls.model_validate(data[0] if isinstance(data, list) else data)


def compared_name(cls: type[Spec], name: str) -> str:
    return cls.model_fields[name].alias or name


@pytest.mark.parametrize("directory", list(KINDS))
def test_every_field_is_compared_or_listed(directory: str) -> None:
    cls = KINDS[directory]
    keys = set(sample(directory, cls).compared())
    folded = {name for names in cls.FOLDED.values() for name in names}
    missing = [name for name in cls.model_fields
               if name not in cls.NOT_COMPARED and name not in folded
               and compared_name(cls, name) not in keys]
    assert not missing, f"{cls.KIND}: compared() drops {missing} without NOT_COMPARED/FOLDED"


@pytest.mark.parametrize("directory", list(KINDS))
def test_listed_fields_exist_and_are_not_compared(directory: str) -> None:
    cls = KINDS[directory]
    folded = {name for names in cls.FOLDED.values() for name in names}
    assert cls.NOT_COMPARED <= set(cls.model_fields)
    assert folded <= set(cls.model_fields)
    assert not cls.NOT_COMPARED & folded
    keys = set(sample(directory, cls).compared())
    assert not {compared_name(cls, n) for n in cls.NOT_COMPARED} & keys
    assert set(cls.FOLDED) <= keys


@pytest.mark.parametrize("directory", list(KINDS))
def test_no_kind_overrides_compared_itself(directory: str) -> None:
    # One style: the base method selects the fields, the kind only
    # canonicalises their values (``canonical_form``).
    assert "compared" not in vars(KINDS[directory])


def test_a_view_binding_cannot_come_from_a_file() -> None:
    from pydantic import ValidationError

    from superset_iac.model.view import View

    with pytest.raises(ValidationError) as err:
        View.model_validate({"name": "a.b.c", "sql": "SELECT 1", "stored": True})
    assert err.value.errors()[0]["type"] == "extra_forbidden"
