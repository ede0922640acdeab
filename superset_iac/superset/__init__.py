"""The Superset REST client: auth, CSRF, paging, retries, one-line errors."""

from superset_iac.superset.client import SupersetClient
from superset_iac.superset.errors import ApiError, TransientWriteError, UnsupportedServer
from superset_iac.superset.records import RequestRecord
from superset_iac.superset.version import ServerVersion

__all__ = [
    "ApiError",
    "RequestRecord",
    "ServerVersion",
    "SupersetClient",
    "TransientWriteError",
    "UnsupportedServer",
]
