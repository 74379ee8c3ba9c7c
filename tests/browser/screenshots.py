"""`make screenshots`: the main pages of the demo, as a coordinator sees them, in screenshots/ (to look at them).

Offline like the browser tests: no tiles, so the maps show what a meeting room without internet would.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from tests.browser.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    demo_server,
    log_in,
    new_page,
    open_first_sheet,
    wait_for_dash,
)

OUTPUT = Path(__file__).resolve().parents[2] / "screenshots"
PAGES = {
    "accueil": "/",
    "carte-filtres": "/carte?services=Aide+aux+d%C3%A9marches+administratives&frais=Gratuit",
    "agenda": "/agenda",
    "materiel": "/materiel",
    "formations": "/formations",
    "lettres": "/lettres",
    "indicateurs": "/indicateurs",
    "rapport": "/rapport",
}


def main() -> None:
    from playwright.sync_api import sync_playwright

    OUTPUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as directory, demo_server(Path(directory)) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = new_page(browser)
        log_in(page, base, "coordinator")
        for name, path in PAGES.items():
            page.goto(base + path)
            wait_for_dash(page)
            page.wait_for_timeout(800)  # let the map and charts finish drawing
            page.screenshot(path=str(OUTPUT / f"{name}.png"), full_page=True)
        open_first_sheet(page, base)
        page.screenshot(path=str(OUTPUT / "fiche-lieu.png"), full_page=True)
        browser.close()
    print(f"Captures dans {OUTPUT}")


if __name__ == "__main__":
    main()
