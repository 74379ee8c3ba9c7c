"""axe-core on every page, for every role, on the demo network and on an empty base, at an office laptop's width
(1366×768) and a phone's (390×844): no violation of any impact, and no rule or element excluded.

One test per role, size and base walks every page and reports every violation at once, so a failure lists them all.
"""

import pytest

from tests.browser.conftest import axe_violations, log_in, read_to_the_end, wait_for_dash
from tests.browser.test_layout import PAGES

pytestmark = pytest.mark.browser

SIZES = [(1366, 768), (390, 844)]
ROLES = ["viewer", "coordinator", "admin"]


def pages_of(role: str) -> list[str]:
    return PAGES + (["/admin"] if role == "admin" else [])


def sweep(page, base: str, role: str, width: int, height: int, skip=()) -> list[str]:
    log_in(page, base, role)
    page.set_viewport_size({"width": width, "height": height})
    found = []
    for path in pages_of(role):
        if path in skip:
            continue
        page.goto(f"{base}{path}")
        wait_for_dash(page)
        read_to_the_end(page)  # what is drawn on the way down is checked too
        found += [f"{path}: {line}" for line in axe_violations(page)]
    return found


@pytest.mark.parametrize("width,height", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
@pytest.mark.parametrize("role", ROLES)
def test_accessibility001_every_page_on_the_demo(page, live_server, role, width, height):
    found = sweep(page, live_server, role, width, height)
    assert not found, f"{role} {width}×{height}, demo:\n" + "\n".join(found)


@pytest.mark.parametrize("width,height", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
@pytest.mark.parametrize("role", ROLES)
def test_accessibility002_every_page_on_an_empty_base(page, empty_server, role, width, height):
    # The demo's place sheet does not exist on an empty base: its « lieu introuvable » page is swept instead.
    found = sweep(page, empty_server, role, width, height)
    assert not found, f"{role} {width}×{height}, empty base:\n" + "\n".join(found)
