"""Carrying out a plan, in order, one event per change."""
