"""Callbacks, one module per area, each with `register(app)` so every app instance gets its own.

An area's forms are listed in its module's `FORMS` ({form name: write function}); one callback serves them all.
Reading an area's callbacks needs the role its module names in `READ_ROLE` (any account by default); a callback that
needs more says so with a nested `access.reading`.
"""

import importlib

from db.models import Role

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
    from dashboard import access
    from dashboard.callbacks import forms

    writers = {}
    # Imported here, not at the top: importing one area's callbacks (in a test) must not import every page.
    for name in AREAS:
        module = importlib.import_module(f"dashboard.callbacks.{name}")
        with access.reading(app, getattr(module, "READ_ROLE", Role.VIEWER)):
            module.register(app)
        forms_of_area = getattr(module, "FORMS", {})
        shared = writers.keys() & forms_of_area.keys()
        if shared:  # one name, two write functions: the second would silently take the first one's submissions
            raise ValueError(f"Form names used by two areas: {sorted(shared)} (in dashboard.callbacks.{name})")
        writers.update(forms_of_area)
    with access.reading(app, Role.VIEWER):  # each write checks its own role in db/
        forms.register(app, writers)
