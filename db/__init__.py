"""Data layer: models, queries, write rules, import/export. Knows nothing of Dash or Flask."""
