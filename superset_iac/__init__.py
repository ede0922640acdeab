"""superset-iac: Apache Superset content as code."""

__version__ = "0.1.0"
