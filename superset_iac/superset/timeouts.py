"""How long the client waits and how much it asks at once, apart from the
HTTP stack: option parsing shows the defaults without importing ``requests``."""

# Seconds to wait for an answer (``--timeout``, SUPERSET_IAC_TIMEOUT): long
# enough for Superset's slowest writes (a database create tests the
# connection; a large dashboard PUT), short enough that a hung server fails
# a CI job in a minute, not four.
DEFAULT_TIMEOUT = 60.0
CONNECT_TIMEOUT = 5.0  # a TCP connect never needs long; a firewall that drops needs this bound

# Requests in flight at once (``--concurrency``, SUPERSET_IAC_CONCURRENCY) for
# reads that do not depend on each other: a Superset with a few gunicorn
# workers answers four side by side; 1 sends one request after another.
DEFAULT_CONCURRENCY = 4
