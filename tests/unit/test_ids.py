"""Form names: one per form, all in dashboard/ids.py."""

import re
from pathlib import Path

from dashboard import ids

DASHBOARD = Path(__file__).resolve().parents[2] / "dashboard"


def form_names() -> dict[str, str]:
    return {name: value for name, value in vars(ids).items() if name.endswith("_FORM") and isinstance(value, str)}


def test_no_two_forms_share_a_name():
    names = form_names()
    by_value = {}
    for constant, value in names.items():
        by_value.setdefault(value, []).append(constant)
    assert {value: constants for value, constants in by_value.items() if len(constants) > 1} == {}
    assert len(names) >= 20  # every form of the app is here


def test_form_names_are_defined_only_in_ids():
    """A page or callback module naming a form with its own string would escape the check above."""
    defined = re.compile(r"^\w*_FORM = [\"']", re.MULTILINE)
    offenders = [
        str(path.relative_to(DASHBOARD))
        for path in DASHBOARD.rglob("*.py")
        if path.name != "ids.py" and defined.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
