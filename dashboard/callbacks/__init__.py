"""Callbacks, one module per area, each with `register(app)` so every app instance gets its own.

An area's forms are listed in its module's `FORMS` ({form name: write function}); one callback serves them all.
"""

import importlib

AREAS = (
    "shell",
    "home",
    "admin",
    "compte",
    "carte",
    "agenda",
    "materiel",
    "formations",
    "lettres",
    "indicateurs",
    "rapport",
    "actions",
    "projection",
)


def register_all(app) -> None:
    from dashboard.callbacks import forms

    writers = {}
    # Imported here, not at the top: importing one area's callbacks (in a test) must not import every page.
    for name in AREAS:
        module = importlib.import_module(f"dashboard.callbacks.{name}")
        module.register(app)
        writers.update(getattr(module, "FORMS", {}))
    forms.register(app, writers)
