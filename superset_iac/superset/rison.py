"""A small Rison encoder for Superset's ``q`` query parameter.

Superset decodes ``q`` with the ``prison`` library, so the output follows the
Rison grammar that library reads: ``(k:v,…)`` objects, ``!(…)`` arrays,
``!t``/``!f``/``!n`` for true/false/null, bare identifiers for "safe" strings
and ``'…'`` quoting with ``!`` as the escape character otherwise.

Only encoding is needed: the server answers in JSON.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

# A string may go unquoted when it cannot be mistaken for a number or for
# Rison punctuation; this is the identifier rule of rison.js and prison.
_NOT_IDCHAR = re.escape(" '!:(),*@$")
_ID_OK = re.compile(rf"^[^-0-9{_NOT_IDCHAR}][^{_NOT_IDCHAR}]*$")


def dumps(value: Any) -> str:
    """Encode ``value`` (dict, list/tuple, str, int, float, bool, None) as Rison."""
    if value is None:
        return "!n"
    if value is True:
        return "!t"
    if value is False:
        return "!f"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, Mapping):
        return _object(value)
    if isinstance(value, (list, tuple)):
        return "!(" + ",".join(dumps(item) for item in value) + ")"
    raise TypeError(f"cannot encode {type(value).__name__} as rison")


def _number(value: float) -> str:
    if math.isnan(value) or math.isinf(value):
        raise ValueError(f"cannot encode {value!r} as rison")
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    # Rison exponents carry no "+" sign (1e+20 -> 1e20).
    return repr(value).replace("e+", "e")


def _string(value: str) -> str:
    if _ID_OK.match(value):
        return value
    escaped = value.replace("!", "!!").replace("'", "!'")
    return f"'{escaped}'"


def _object(value: Mapping[Any, Any]) -> str:
    parts = []
    for key, item in value.items():
        if not isinstance(key, str):
            raise TypeError(f"rison object keys must be strings, not {type(key).__name__}")
        parts.append(f"{_string(key)}:{dumps(item)}")
    return "(" + ",".join(parts) + ")"
