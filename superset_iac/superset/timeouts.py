"""How long the client waits, apart from the HTTP stack: option parsing shows
the default without importing ``requests``."""

# Seconds to wait for an answer (``--timeout``, SUPERSET_IAC_TIMEOUT): long
# enough for Superset's slowest writes (a database create tests the
# connection; a large dashboard PUT), short enough that a hung server fails
# a CI job in a minute, not four.
DEFAULT_TIMEOUT = 60.0
CONNECT_TIMEOUT = 5.0  # a TCP connect never needs long; a firewall that drops needs this bound
