"""Interpolation of ``${VAR}`` references, the only way secrets enter specs."""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, AbstractSet, Mapping

if TYPE_CHECKING:  # types only: the specs import this module
    from superset_iac.diagnostics import Diagnostics
    from superset_iac.model.base import Spec

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")

MASK = "(sensitive)"


def variables_in(text: str) -> list[str]:
    return [m.group(1) for m in _VAR.finditer(text)]


def has_variables(text: str) -> bool:
    return bool(_VAR.search(text))


def interpolate(text: str, env: Mapping[str, str] | None = None) -> tuple[str, list[str]]:
    """Replace ``${VAR}`` and ``${VAR:-default}``; return (text, missing vars).

    ``$${`` escapes a literal ``${``. Missing variables are reported, not
    raised, so the caller can name every one of them at once.
    """
    env = os.environ if env is None else env
    missing: list[str] = []

    def sub(m: re.Match[str]) -> str:
        name, default = m.group(1), m.group(2)
        if name in env:
            return env[name]
        if default is not None:
            return default
        missing.append(name)
        return m.group(0)

    escaped = text.replace("$${", "\0")
    return _VAR.sub(sub, escaped).replace("\0", "${"), missing


def fill(spec: Spec, where: tuple[str, ...], text: str, environ: Mapping[str, str],
         diags: Diagnostics, unreported: AbstractSet[str] = frozenset()) -> str:
    """``text`` with its variables filled; each missing one reported at ``where``
    (an undeclared one is left as written: ``validate.uris`` reports it)."""
    value, missing = interpolate(text, environ)
    for name in (m for m in missing if m not in unreported):
        diags.add(spec.pos(*where), "E001",
                  f"{spec.ref}: environment variable {name} is not set")
    return value


def mask_variables(text: str) -> str:
    """Show a templated value without what its variables hold."""
    return _VAR.sub(lambda m: "${" + m.group(1) + "}", text)
