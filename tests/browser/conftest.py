"""Browser tests: a live server on a demo database, Debian's Chromium driven by Playwright, axe-core on each page.

Playwright's own browser download does not work here, so it drives /usr/bin/chromium (`CHROMIUM` overrides).
Without Chromium these tests are skipped with a hint, and fail in CI.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import secrets
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from db import clock
from tests.conftest import need

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# Offline by construction: every host name fails at once except the live server's.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    '--host-resolver-rules="MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"',
]


def demo_today() -> dt.date:
    return clock.today()


@contextmanager
def demo_server(directory: Path, seeded: bool = True) -> Iterator[str]:
    """The real app on a migrated SQLite file with the demo network (`seeded`) or only its three accounts, served by
    werkzeug in a thread."""
    from dashboard import create_app
    from dashboard.cli import upgrade_database
    from dashboard.config import TestConfig
    from db.demo import DEMO_ACCOUNTS, seed_demo
    from db.users import create_user
    from db.writes import SYSTEM

    url = f"sqlite:///{directory / 'live.sqlite'}"
    upgrade_database(url)
    app = create_app(TestConfig(url, LOGIN_RATE_LIMIT="1000 per minute"))
    with app.server.extensions["database"].transaction() as session:
        if seeded:
            seed_demo(session, demo_today())
        else:
            for email, name, role, password in DEMO_ACCOUNTS:
                create_user(session, SYSTEM, email=email, name=name, role=role, password=password)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request drowns the test report
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


@pytest.fixture(scope="session")
def live_directory(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("live")


@pytest.fixture(scope="session")
def live_server(live_directory):
    with demo_server(live_directory) as url:
        yield url


@pytest.fixture(scope="session")
def empty_server(tmp_path_factory):
    """The app with its accounts and nothing else: what a network sees on its first day."""
    with demo_server(tmp_path_factory.mktemp("empty"), seeded=False) as url:
        yield url


@pytest.fixture(scope="session")
def live_database(live_server, live_directory):
    """The live server's database, for a test that needs more rows than the demo has."""
    from db.session import Database

    database = Database(f"sqlite:///{live_directory / 'live.sqlite'}")
    yield database
    database.dispose()


def new_page(browser):
    """A page as a person in the Loire sees it: a laptop screen, French, Paris time."""
    # Reduced motion: the accessibility checks must not measure text halfway through a fade-in.
    context = browser.new_context(
        viewport={"width": 1440, "height": 960}, locale="fr-FR", timezone_id="Europe/Paris", reduced_motion="reduce"
    )
    page = context.new_page()
    page.set_default_timeout(30_000)  # generous: CI machines are small and shared
    return page


@pytest.fixture(scope="session")
def browser():
    need(Path(CHROMIUM).exists(), f"Chromium not found at {CHROMIUM}: `make browser` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    page = new_page(browser)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # The Content-Security-Policy must let every page work: a refused script, style or image is a failure.
    page.on("console", lambda message: "Content Security Policy" in message.text and errors.append(message.text))
    yield page
    if request.node.rep_call.failed if hasattr(request.node, "rep_call") else False:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    page.context.close()
    assert not errors, f"JavaScript errors or refusals on the page: {errors}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def log_in(page, base_url: str, role: str) -> None:
    """Log in through the form with the demo account of `role`, as a person would."""
    from db.demo import DEMO_ACCOUNTS

    email, _name, _role, password = next(account for account in DEMO_ACCOUNTS if account[2] == role)
    page.goto(f"{base_url}/login")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base_url}/")
    wait_for_dash(page)


# Dash has settled: no callback pending in its store (Dash's own test criterion), nothing marked loading, and every
# grid of the layout that should be on screen is there and has drawn its header cells, all of it for QUIET_MS on end
# (a grid asks for its rows once drawn: a callback starts again just after a first quiet moment). A grid is looked up from the
# layout, not the page: dash-ag-grid loads its code lazily, so for a moment a grid of the layout is not in the page at
# all (axe then met it half mounted), and ag-grid hides its cells while it first lays them out.
DASH_SETTLED = """() => {
    if (!window.store) return false;
    const state = window.store.getState();
    const queues = Object.entries(state.callbacks).filter(([name]) => name !== 'stored' && name !== 'completed');
    if (queues.some(([, queue]) => queue.length)) return false;
    if (document.querySelector('[data-dash-is-loading="true"], ._dash-loading, .ag-delay-render')) return false;
    const domId = (id) => typeof id === 'object'
        ? JSON.stringify(id, Object.keys(id).sort()) : id;  // Dash writes a dict id with its keys sorted
    const shown = (element) => element.checkVisibility();
    const expected = [];
    const walk = (node, ancestor) => {
        if (Array.isArray(node)) return node.forEach((child) => walk(child, ancestor));
        if (!node || typeof node !== 'object' || !node.props) return;
        const id = node.props.id === undefined ? undefined : domId(node.props.id);
        if (node.namespace === 'dash_ag_grid') expected.push([id, ancestor]);
        Object.values(node.props).forEach((value) => walk(value, id === undefined ? ancestor : id));
    };
    walk(state.layout.components, undefined);  // Dash 4 keeps the tree under `components`
    return expected.every(([id, ancestor]) => {
        const around = ancestor === undefined ? document.body : document.getElementById(ancestor);
        if (!around || !shown(around)) return true;  // its part of the page is not shown: nothing to wait for
        const grid = document.getElementById(id);
        if (!grid) return false;
        if (!shown(grid)) return true;
        const cell = grid.querySelector('.ag-header-row-column > .ag-header-cell');
        const rows = [...grid.querySelectorAll('.ag-header-row')];  // the titles' row and the filters' row
        return cell && getComputedStyle(cell).visibility === 'visible'
            && rows.every((row) => row.querySelector('.ag-header-cell'));
    });
}"""


QUIET_MS = 150

# DASH_SETTLED, true for QUIET_MS on end since this wait began (`key`: one wait; the window outlives a page change).
DASH_QUIET = f"""([key, quiet]) => {{
    const now = performance.now();
    if (!window.__settling || window.__settling.key !== key || !({DASH_SETTLED})()) {{
        window.__settling = {{key, since: now}};
        return false;
    }}
    return now - window.__settling.since >= quiet;
}}"""


def wait_for_dash(page) -> None:
    """Dash has rendered, no callback is pending and every grid on screen has drawn its cells, for QUIET_MS."""
    page.wait_for_selector("#main", state="attached")
    page.wait_for_function(DASH_QUIET, arg=[secrets.token_hex(8), QUIET_MS])


def read_to_the_end(page) -> None:
    """Scroll to the bottom as a reader would, and wait for the panels drawn when they come near
    (cards.reveal_marker) to settle."""
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    wait_for_dash(page)


def open_first_sheet(page, base_url: str) -> None:
    """From the Carte, the sheet of the first place of the list, reached as a person would."""
    page.goto(f"{base_url}/carte")
    wait_for_dash(page)
    page.locator(".carte-list .list-group-item").first.click()
    page.get_by_role("link", name="Voir la fiche complète").click()
    page.wait_for_url(re.compile(r"/carte/lieu/"))
    wait_for_dash(page)


def axe_violations(page) -> list[str]:
    """axe-core's violations of any impact on the current page, one line each (rule, impact, first elements)."""
    from axe_playwright_python.sync_playwright import Axe

    # No exclusion: Dash 4's dcc.Dropdown focus proxy (aria-hidden, once in the tab order) leaves the tab order in
    # assets/07-controls.js.
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in Axe().run(page).response["violations"]
    ]


def check_accessibility(page) -> None:
    """axe-core on the current page: no violation of any impact (RGAA)."""
    violations = axe_violations(page)
    assert not violations, "Accessibility violations:\n" + "\n".join(violations)


def open_entry(page, label: str):
    """The « Saisir … » button `label` at the top of an area's page opens its entry panel."""
    page.get_by_role("button", name=label).click()
    panel = page.locator(".entry-panel")
    expect(panel).to_be_visible()
    return panel


def tab_to(page, target, limit: int = 60) -> None:
    """Press Tab until `target` has the focus, as a keyboard user does (at most `limit` presses)."""
    for _ in range(limit):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    expect(target).to_be_focused()  # not reached: fails, saying which element


def submit_with_the_keyboard(page, submit, saved, wait: int = 45_000):
    """Tab to the form's `submit` button and press Enter: the toast says `saved` in full view and takes the focus;
    Escape closes it and gives focus back to the button. Returns the toast."""
    tab_to(page, submit)
    page.keyboard.press("Enter")
    toast = page.locator(".form-feedback.is-current .alert")
    expect(toast).to_contain_text(saved, timeout=wait)
    expect(toast).to_be_in_viewport(ratio=1)
    expect(toast).to_be_focused()
    page.keyboard.press("Escape")
    expect(toast).to_be_hidden()
    expect(submit).to_be_focused()
    return toast


def focus_in_entry_panel(page) -> None:
    """The open entry panel holds the focus (it takes it once its opening has run): keys now go to it."""
    page.wait_for_function(
        "() => { const p = document.querySelector('.entry-panel.show'); return !!p && p.contains(document.activeElement); }"
    )


def close_entry_with_the_keyboard(page, panel, opener) -> None:
    """Escape closes the entry panel and focus goes back to the « Saisir » button that opened it."""
    focus_in_entry_panel(page)
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(opener).to_be_focused()
