"""Reading the asset tree from disk: YAML with positions, then typed specs."""
