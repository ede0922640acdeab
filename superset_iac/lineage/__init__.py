"""Lineage: the tree as a graph (``graph``) and that graph as DOT, Mermaid, JSON (``render``)."""
