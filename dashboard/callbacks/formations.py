"""Callbacks of the formations area (to be built)."""

FORMS: dict = {}


def register(app) -> None:
    """No callbacks yet."""
