"""`make screenshots`: every page of the demo as a coordinator sees it at 1366×768 (the common office laptop), the
admin page as an admin, a phone view (390×844) of a few pages, and the projection kiosk at 1920×1080 and 1280×720,
in screenshots/ (to look at them).

Offline like the browser tests: no tiles, so the maps show what a meeting room without internet would.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from db.projection import SLIDES
from tests.browser.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    demo_server,
    log_in,
    new_page,
    open_first_sheet,
    read_to_the_end,
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
    "projection-reglages": "/projection?filters=on",
    "compte": "/compte",
}
PHONE_PAGES = ("accueil", "materiel", "formations")
KIOSK_SIZES = ((1920, 1080), (1280, 720))


def shoot(page, url: str, path: Path) -> None:
    page.goto(url)
    wait_for_dash(page)
    read_to_the_end(page)  # the panels drawn as the reader comes near
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_timeout(800)  # let the map and charts finish drawing
    page.screenshot(path=str(path), full_page=True)


def main() -> None:
    from playwright.sync_api import sync_playwright

    OUTPUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as directory, demo_server(Path(directory)) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = new_page(browser)
        page.set_viewport_size({"width": 1366, "height": 768})
        log_in(page, base, "coordinator")
        for name, path in PAGES.items():
            shoot(page, base + path, OUTPUT / f"{name}.png")
        open_first_sheet(page, base)
        page.screenshot(path=str(OUTPUT / "fiche-lieu.png"), full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})
        for name in PHONE_PAGES:
            shoot(page, base + PAGES[name], OUTPUT / f"{name}-390.png")
        for width, height in KIOSK_SIZES:
            page.set_viewport_size({"width": width, "height": height})
            for slide in SLIDES:
                page.goto(f"{base}/projection?slides={slide}")
                wait_for_dash(page)
                page.wait_for_timeout(1200)  # the slide's fade-in and its chart
                page.screenshot(path=str(OUTPUT / f"projection-{slide}-{width}x{height}.png"))
        page.context.close()
        admin = new_page(browser)
        admin.set_viewport_size({"width": 1366, "height": 768})
        log_in(admin, base, "admin")
        shoot(admin, base + "/admin", OUTPUT / "admin.png")
        browser.close()
    print(f"Captures dans {OUTPUT}")


if __name__ == "__main__":
    main()
