"""Callbacks of the projection area (to be built)."""

FORMS: dict = {}


def register(app) -> None:
    """No callbacks yet."""
