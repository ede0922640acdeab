"""Exit codes, decided in one place.

    0  success: valid assets, no changes (diff), apply succeeded
    1  problems: invalid assets, or an apply/export that failed
    2  usage or configuration error (bad options, unreachable server,
       missing credentials, unsupported server)
    3  ``diff`` only: the plan has changes (like ``terraform plan
       -detailed-exitcode``), so CI can tell drift from failure
    4  ``apply PLAN`` only: the saved plan is stale (the tree, the server,
       the environment or the tool changed since ``diff --out``); nothing
       was changed, plan again
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    PROBLEMS = 1
    USAGE = 2
    CHANGES = 3
    STALE = 4
