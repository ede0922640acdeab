"""The plan: a pure comparison of desired and live state, as data first."""
