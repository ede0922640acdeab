"""A warehouse view (Trino SQL) that datasets read, usually to mask PII.

A view either lists its ``source`` table and ``columns`` (each passed
through, renamed with ``source:``, or masked with a named policy) or gives its
full ``sql``. ``superset_iac.warehouse.sqlgen`` turns it into Trino SQL.

Equality (``compared()``) is not the YAML: it is the view's definition as
the warehouse would store it, normalised through sqlglot
(``warehouse.canonical``), so a view written as columns and the same view
read back from Trino or DuckDB as SQL compare equal. The plan therefore shows
a change as SQL before -> after, with the hash salt masked.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Literal, Mapping

from pydantic import Field, field_validator, model_validator
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError

from superset_iac.model.base import Model, Ref, Spec
from superset_iac.model.view_target import Target
from superset_iac.warehouse.canonical import compared_definition

if TYPE_CHECKING:
    from superset_iac.diagnostics import Diagnostics
    from superset_iac.model.environment import Environment

MaskPolicy = Literal["hash", "redact", "partial", "email_domain", "null", "custom"]

# catalog.schema.name, each part a plain identifier: parts are quoted in the
# generated SQL, so anything else would only hide typos.
_NAME_PART = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]*$")


def _check_name(value: str, parts: int, what: str) -> str:
    pieces = value.split(".")
    if len(pieces) != parts or not all(_NAME_PART.match(p) for p in pieces):
        shape = "catalog.schema.name" if parts == 3 else "a column name"
        raise ValueError(f"{what} must be {shape} (letters, digits, _), got {value!r}")
    return value


class ViewColumn(Model):
    """One output column: passed through, renamed, or masked."""

    name: str
    source: str | None = Field(default=None, description="source column; defaults to name")
    mask: MaskPolicy | None = None
    keep_last: int = Field(default=4, description="partial: characters kept at the end")
    replacement: str = Field(default="***", description="redact: the constant shown instead")
    type: str = Field(default="VARCHAR", description="null: the SQL type of the NULL column")
    expression: str | None = Field(default=None, description="custom: a Trino SQL expression")

    @field_validator("name", "source")
    @classmethod
    def _plain(cls, value: str | None) -> str | None:
        return value if value is None else _check_name(value, 1, "a column")

    @field_validator("keep_last")
    @classmethod
    def _not_negative(cls, value: int) -> int:
        if value < 0:
            raise ValueError("keep_last must be 0 or more")
        return value

    @model_validator(mode="after")
    def _mask_present_means_a_policy(self) -> "ViewColumn":
        # ``mask: null`` unquoted is YAML's null, not the policy "null": taken
        # as "no mask" it would pass the column through in clear.
        if "mask" in self.model_fields_set and self.mask is None:
            raise ValueError(f"column {self.name}: mask is empty (YAML null); to replace the "
                             "value by NULL write mask: 'null' (quoted), to pass the column "
                             "through remove the key")
        return self

    @model_validator(mode="after")
    def _expression_iff_custom(self) -> "ViewColumn":
        if self.mask == "custom" and not self.expression:
            raise ValueError(f"column {self.name}: mask 'custom' needs an expression")
        if self.expression and self.mask != "custom":
            raise ValueError(f"column {self.name}: expression is only used with mask: custom")
        return self

    @property
    def source_column(self) -> str:
        return self.source or self.name


class View(Spec):
    KIND = "view"
    SECRET = frozenset({"mask_salt"})
    NOT_COMPARED = frozenset({"description", "refresh_on_apply", "raw_access_roles", "pii"})
    # The definition as the warehouse stores it (and ``mask_salt``, a digest
    # of the salt inside it) is computed from these together.
    FOLDED = {"definition": frozenset({"source", "columns", "where", "sql", "target", "stored"})}

    name: str = Field(description="catalog.schema.view as Trino names it")
    description: str | None = None
    source: str | None = Field(default=None, description="catalog.schema.table read by the view")
    columns: list[ViewColumn] = Field(default_factory=list)
    where: str | None = None
    sql: str | None = Field(default=None, description="full SELECT, instead of source+columns")
    materialized: bool = False
    refresh_on_apply: bool = True
    raw_access_roles: list[str] = Field(
        default_factory=list,
        description="roles allowed to read the raw source; all others must use this view")
    pii: list[str] = Field(
        default_factory=list,
        description="columns of the source that are personal data: every view of the source "
                    "must mask them (validate.masking)")

    # Two fields no file may set (``_not_in_files``; absent from the JSON
    # schema and from every dump), part of equality like any other field:
    # where this view is compared/applied (dialect, catalog mapping, salt),
    # set per environment by ``load.resolve`` (``for_target``) ...
    target: SkipJsonSchema[Target | None] = Field(default=None, exclude=True, repr=False)
    # ... and whether ``sql`` is the definition read from the warehouse,
    # already in its dialect (``View.stored``).
    stored: SkipJsonSchema[bool] = Field(default=False, exclude=True, repr=False)

    def __repr_args__(self):
        # A stored definition holds the hash salt: never in a repr or traceback.
        for name, value in super().__repr_args__():
            yield name, ("(stored definition)" if name == "sql" and self.stored else value)

    @field_validator("target", "stored", mode="before")
    @classmethod
    def _not_in_files(cls, value: Any) -> Any:
        # Set only through for_target/stored (model_copy, which skips validation).
        raise PydanticCustomError("extra_forbidden", "Extra inputs are not permitted")

    @field_validator("name")
    @classmethod
    def _three_part_name(cls, value: str) -> str:
        # Trino keeps names in lower case: a capital would never match live.
        if value != value.lower():
            raise ValueError(f"a view name must be lower case (Trino stores it so), got {value!r}")
        return _check_name(value, 3, "a view name")

    @field_validator("pii")
    @classmethod
    def _pii_columns(cls, value: list[str]) -> list[str]:
        return [_check_name(v, 1, "a pii column") for v in value]

    @field_validator("source")
    @classmethod
    def _three_part_source(cls, value: str | None) -> str | None:
        return value if value is None else _check_name(value, 3, "source")

    @model_validator(mode="after")
    def _sql_or_columns(self) -> "View":
        if self.sql is not None:
            if self.source or self.columns or self.where:
                raise ValueError("give either sql, or source with columns (and where), not both")
        elif not (self.source and self.columns):
            raise ValueError("a view needs sql, or source with at least one column")
        names = [c.name for c in self.columns]
        dupes = sorted({n.lower() for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"duplicate column name(s): {', '.join(dupes)}")
        return self

    @property
    def key(self) -> str:
        return self.name

    @property
    def uses_salt(self) -> bool:
        return any(c.mask == "hash" for c in self.columns)

    def checked_refs(self) -> list[Ref]:
        """The raw access roles must exist, but a view waits for none of them:
        governance reads them, apply and export do not."""
        return self.refs() + [Ref("role", r, ("raw_access_roles", i))
                              for i, r in enumerate(self.raw_access_roles)]

    def resolved(self, env: Environment | None, environ: Mapping[str, str],
                 diags: Diagnostics) -> Spec:
        """Views compare as SQL in the warehouse's dialect, salt included."""
        if env is None or env.warehouse is None:
            return self
        return self.for_target(Target.of(env.warehouse))

    def for_target(self, target: Target) -> "View":
        """This view bound to an environment's warehouse (source kept)."""
        return self.replaced(target=target)

    @classmethod
    def from_warehouse(cls, name: str, sql: str, materialized: bool, target: Target) -> "View":
        """A live view as the warehouse stores it (``sql`` in its dialect)."""
        view = cls(name=name, sql=sql, materialized=materialized)
        return view.model_copy(update={"target": target, "stored": True})

    def canonical_form(self, data: dict[str, Any]) -> dict[str, Any]:
        """Name, materialized, and the canonical definition (salt masked).

        ``mask_salt`` is a digest of the salt(s) inside the definition, so a
        rotated salt is a change; it is SECRET and renders as (sensitive).
        """
        data.update(compared_definition(self))
        return data
