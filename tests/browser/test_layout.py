"""The shell fits the screens people use: office laptops (1280×720, 1366×768) and phones (390×844, 320×640), for every role.

No page scrolls sideways, the role is in view in the top bar, and the user's menu opens inside the screen.
"""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in, wait_for_dash

pytestmark = pytest.mark.browser

SIZES = [(1280, 720), (1366, 768), (390, 844), (320, 640)]
ROLES = ["viewer", "coordinator", "admin"]
PAGES = [
    "/",
    "/carte",
    "/carte/lieu/Demo-42-001",
    "/agenda",
    "/materiel",
    "/formations",
    "/lettres",
    "/indicateurs",
    "/rapport",
    "/projection",
    "/compte",
    "/nulle-part",
    "/actions",
]
ROLE_LABELS = {"viewer": "Lecture", "coordinator": "Coordination", "admin": "Administration"}

NO_OVERFLOW = "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
# What sticks out on the right, to say which element is at fault when the check fails.
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > width + 1)
    .slice(0, 5)
    .map(e => `${e.tagName}.${e.className} (${Math.round(e.getBoundingClientRect().right)} px)`);
}"""


def assert_no_horizontal_scroll(page, where: str) -> None:
    try:
        page.wait_for_function(NO_OVERFLOW, timeout=5_000)
    except Exception:  # noqa: BLE001 — the message below says more than Playwright's timeout
        sizes = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        pytest.fail(f"{where}: the page scrolls sideways {sizes}: {page.evaluate(OVERFLOWING)}")


@pytest.mark.parametrize("width,height", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
@pytest.mark.parametrize("role", ROLES)
def test_layout001_no_page_scrolls_sideways(page, live_server, role, width, height):
    log_in(page, live_server, role)
    page.set_viewport_size({"width": width, "height": height})
    for path in PAGES + (["/admin"] if role == "admin" else []):
        page.goto(f"{live_server}{path}")
        wait_for_dash(page)
        assert_no_horizontal_scroll(page, f"{role} {width}×{height} {path}")


@pytest.mark.parametrize("width,height", SIZES + [(2560, 1440)], ids=lambda v: str(v))
def test_layout002_role_in_view_and_user_menu_inside_the_screen(page, live_server, width, height):
    log_in(page, live_server, "admin")
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{live_server}/materiel")
    wait_for_dash(page)
    badge = page.locator(".app-navbar .role-badge")
    expect(badge).to_have_text(ROLE_LABELS["admin"])
    expect(badge).to_be_in_viewport(ratio=1)
    page.locator(".user-menu .dropdown-toggle").click()
    menu = page.locator(".user-menu .dropdown-menu")
    expect(menu.get_by_role("button", name="Déconnexion")).to_be_visible()
    expect(menu).to_be_in_viewport(ratio=1)
    assert_no_horizontal_scroll(page, f"{width}×{height} with the user menu open")


def test_layout003_phone_menu_folds_and_opens_with_the_keyboard(page, live_server):
    log_in(page, live_server, "admin")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/")
    wait_for_dash(page)
    toggler = page.get_by_role("button", name="Menu des pages")
    links = page.locator(".app-navbar .main-nav")
    expect(links).to_be_hidden()
    expect(toggler).to_have_attribute("aria-expanded", "false")
    toggler.focus()
    page.keyboard.press("Enter")
    expect(toggler).to_have_attribute("aria-expanded", "true")
    admin = links.get_by_role("link", name="Admin")
    expect(admin).to_be_in_viewport()
    admin.click()
    page.wait_for_url(f"{live_server}/admin")
