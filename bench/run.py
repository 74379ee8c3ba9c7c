"""`make bench`: the app served as in production, timed over HTTP at five years of a regional network.

1. Builds the dataset (`bench.dataset`) in a temporary SQLite file, or in `BENCH_DATABASE_URL` (an empty database or
   schema, e.g. PostgreSQL; a dataset the bench built there before is reused).
2. Starts the real app with gunicorn (`gunicorn.conf.py`, 2 workers) and logs in as a viewer (an admin for Admin).
3. Loads every page once in headless Chromium and keeps the callback requests it sends: the exact bodies the browser
   POSTs to /_dash-update-component. The main filters are those bodies with a filter's inputs changed.
4. Times each callback over HTTP, alternating in the same loop with its bare SQL (`bench.bare`), served over HTTP
   too by `bench.bare_server` (its own gunicorn, same settings), ≥ 15 rounds after a warm-up (the app caches figures per data revision: the median is what a user meets once anyone saw the page).
5. Load: 50 logged-in users for 60 s, each opening pages in turn (the page, then its callbacks, as a browser does)
   with a pause of 1–3 s between pages (`BENCH_THINK`, seconds).
6. Browser: how long until each page a viewer opens answers a click on its main filter (`/materiel`: « Voir les prêts
   en retard »), from the start of the navigation (the median of five loads).

Writes `bench/latest.json` and the README's performance table. `BENCH_QUICK=1`: a tenth of the data, 15 s of load.
"""

from __future__ import annotations

import gzip
import json
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import requests
from sqlalchemy import create_engine

from bench import bare, dataset, report
from db import clock
from db.demo import DEMO_ACCOUNTS
from db.session import normalise_url

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
QUICK = os.environ.get("BENCH_QUICK") == "1"
ROUNDS, WARMUP = 15, 2
USERS = 50
LOAD_SECONDS = 15 if QUICK else 60
THINK = float(os.environ.get("BENCH_THINK", "2"))  # mean pause between two pages of a simulated user, seconds
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
CALLBACK_URL = "/_dash-update-component"
POINTS_URL = "/api/carte/points.json"
CAPTURE_WAIT_MS = 30_000  # a page's callbacks are all sent by then, even when its tab is still rendering them
ACCOUNTS = {role: (email, password) for email, _name, role, password in DEMO_ACCOUNTS}


ANSWER = object()  # a filter value: what the page's first answers left in that property (the browser's state)


@dataclass
class Page:
    name: str
    path: str
    role: str = "viewer"
    # A filter: label → {component id (its `value`) or "id.property": the new value}.
    filters: dict[str, dict] = field(default_factory=dict)


def pages() -> list[Page]:
    today = clock.today()
    year, previous = today.year, today.year - 1
    return [
        Page("Accueil", "/", filters={"année précédente": {"home-year": previous}}),
        Page(
            "Carte",
            "/carte",
            filters={
                "texte « médiathèque »": {"carte-search": "médiathèque"},
                "ouvert le week-end": {"carte-hours": ["weekend"]},
            },
        ),  # fmt: skip
        Page(
            "Agenda",
            "/agenda",
            filters={
                "une année": {"agenda-period": "year", "agenda-from": f"{year}-01-01", "agenda-to": f"{year}-12-31"},
                "une catégorie": {"agenda-category": "Atelier numérique"},
            },
        ),  # fmt: skip
        Page("Matériel", "/materiel", filters={"année précédente": {"materiel-year": previous}}),
        Page(
            "Formations",
            "/formations",
            filters={
                "année précédente": {"formations-from": f"{previous}-01-01", "formations-to": f"{previous}-12-31"},
                "un programme": {"formations-programme": "Aidants Connect"},
            },
        ),  # fmt: skip
        Page("Lettres", "/lettres", filters={"année précédente": {"lettres-year": previous}}),
        Page(
            "Indicateurs",
            "/indicateurs",
            filters={
                "année précédente": {"ind-period": previous},
                "par année": {"ind-granularity": "annee"},
            },
        ),  # fmt: skip
        Page("Rapport", "/rapport", filters={"année précédente": {"rapport-year": previous - 1}}),
        # The next refresh of a screen: it tells the server what its slides show, and gets only what changed.
        Page(
            "Projection",
            "/projection",
            filters={
                "rafraîchissement": {"proj-refresh.n_intervals": 1, "proj-shown.data": ANSWER},
            },
        ),  # fmt: skip
        Page(
            "Admin",
            "/admin",
            role="admin",
            filters={
                "journal : une table": {"admin-journal-table": "loans"},
                "comptes : un rôle": {"admin-accounts-role": "viewer"},
            },
        ),  # fmt: skip
    ]


# --- the server ---------------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(database_url: str, log: Path, wsgi: str = "app:server"):
    """The app (or `wsgi`, e.g. the bare SQL's server) as production runs it (gunicorn.conf.py, 2 workers) on the
    bench database; yields its base URL."""
    port = _free_port()
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        SECRET_KEY=secrets.token_hex(32),
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="2",
        TILE_URL="",  # offline: no tiles to wait for
        LOGIN_RATE_LIMIT="1000 per minute",  # the load run logs 50 users in from one address
    )
    with log.open("w") as output:
        process = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", wsgi],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            started = time.perf_counter()
            while True:
                try:
                    if requests.get(f"{base}/healthz", timeout=2).ok:
                        break
                except requests.RequestException:  # not listening yet, or still importing
                    pass
                if process.poll() is not None or time.perf_counter() - started > 60:
                    raise RuntimeError(f"gunicorn did not start: see {log}")
                time.sleep(0.2)
            print(f"server {wsgi}: {base} ready in {time.perf_counter() - started:.1f} s", flush=True)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=30)


def logged_in(base: str, role: str) -> requests.Session:
    """A session logged in through the real form, sending the CSRF header dash-renderer sends."""
    email, password = ACCOUNTS[role]
    session = requests.Session()
    page = session.get(f"{base}/login", timeout=30).text
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    response = session.post(
        f"{base}/login", data={"email": email, "password": password, "csrf_token": token}, allow_redirects=False
    )
    if response.status_code != 302:
        raise RuntimeError(f"login as {role} failed: {response.status_code}")
    session.get(f"{base}/", timeout=60)  # sets the CSRF cookie
    session.headers["X-CSRFToken"] = session.cookies["_csrf_token"]
    return session


# --- what the browser sends ---------------------------------------------------------------------------------------


def _is_callback(url: str) -> bool:
    return urlsplit(url).path == CALLBACK_URL  # dash-renderer adds a query string (?endId=…)


def _browser(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def _browser_login(context, base: str, role: str):
    email, password = ACCOUNTS[role]
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    page.wait_for_load_state("networkidle")
    return page


def capture(base: str, specs: list[Page]) -> tuple[dict[str, list[dict]], dict[str, dict]]:
    """The callback bodies each page's first load POSTs, in order (each output once), from headless Chromium, and
    what their answers left in the page (component id → property → value)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    captured: dict[str, list[dict]] = {}
    answers: dict[str, dict] = {}
    with sync_playwright() as playwright:
        browser = _browser(playwright)
        for spec in specs:
            # A context per page: closing it ends its renderer, so a tab still busy rendering cannot hold the next.
            context = browser.new_context()
            page = _browser_login(context, base, spec.role)
            sent = []

            def keep(request, sent=sent):
                if _is_callback(request.url) and request.post_data:
                    sent.append(request)

            page.on("request", keep)
            page.goto(f"{base}{spec.path}", wait_until="commit")
            try:
                page.wait_for_load_state("networkidle", timeout=CAPTURE_WAIT_MS)
                # Down to the bottom, as a reader would: the lower panels are drawn when they come near
                # (cards.reveal_marker), and their callbacks are timed too.
                page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
                page.wait_for_timeout(300)
                page.wait_for_load_state("networkidle", timeout=CAPTURE_WAIT_MS)
                page.wait_for_timeout(500)
            except PlaywrightTimeout:  # a tab frozen that long: what it sent so far (the browser run says more)
                print(f"  {spec.path}: still busy after {CAPTURE_WAIT_MS // 1000} s", flush=True)
            page.remove_listener("request", keep)
            bodies = [json.loads(request.post_data) for request in sent]
            answers[spec.path] = {}
            for request in sent:
                response = request.response()
                if response is not None and response.status == 200:
                    for component, props in response.json().get("response", {}).items():
                        answers[spec.path].setdefault(component, {}).update(props)
            unique = {body["output"]: body for body in reversed(bodies)}  # the first of each output
            captured[spec.path] = [unique[o] for o in dict.fromkeys(b["output"] for b in bodies)]
            print(f"captured {spec.path}: {len(captured[spec.path])} callbacks", flush=True)
            context.close()
        browser.close()
    return captured, answers


def _entries(body: dict, key: str):
    for entry in body.get(key) or []:
        yield from entry if isinstance(entry, list) else [entry]


def _coerce(old, new):
    """The new value in the type the browser used for the old one (a year as a number or as text)."""
    if isinstance(old, bool) or old is None or isinstance(new, list):
        return new
    return type(old)(new) if isinstance(old, int | float | str) else new


def with_changes(body: dict, changes: dict) -> dict | None:
    """The body with a filter's inputs changed, as the browser would send it; None when no input of it changes."""
    targets = {tuple(key.split(".", 1)) if "." in key else (key, "value"): value for key, value in changes.items()}
    changed = []
    new = json.loads(json.dumps(body))
    for key in ("inputs", "state"):
        for entry in _entries(new, key):
            target = (entry.get("id"), entry.get("property"))
            if isinstance(target[0], str) and target in targets:
                entry["value"] = _coerce(entry.get("value"), targets[target])
                if key == "inputs":
                    changed.append(".".join(target))
    if not changed:
        return None
    new["changedPropIds"] = changed
    return new


def params(body: dict) -> dict:
    """Component id → value of the callback's inputs and states (what its bare SQL reads)."""
    return {e["id"]: e.get("value") for k in ("inputs", "state") for e in _entries(body, k) if isinstance(e["id"], str)}


# --- timing -------------------------------------------------------------------------------------------------------


@dataclass
class Case:
    page: str
    callback: str
    role: str
    body: dict | None  # None: a GET of `url`
    url: str = CALLBACK_URL
    timings: list[float] = field(default_factory=list)
    bare_timings: list[float] = field(default_factory=list)
    size: int = 0
    gzip_size: int = 0
    status: int = 0

    @property
    def bare(self) -> str | None:
        """The key of its bare SQL in `bench.bare.BARE`, if it has one."""
        key = self.callback.split(" ")[0]
        return key if self.body and key in bare.BARE else None


def _answered(changes: dict, answers: dict) -> dict:
    """A filter's values, ANSWER replaced by what the page's first answers gave that property."""
    resolved = {}
    for key, value in changes.items():
        component, _, prop = key.partition(".")
        resolved[key] = answers.get(component, {}).get(prop or "value") if value is ANSWER else value
    return resolved


def cases(specs: list[Page], captured: dict[str, list[dict]], answers: dict[str, dict]) -> list[Case]:
    out = []
    for spec in specs:
        for body in captured[spec.path]:
            out.append(Case(spec.name, report.callback_name(body["output"]), spec.role, body))
        for label, filter_values in spec.filters.items():
            changes = _answered(filter_values, answers[spec.path])
            for body in captured[spec.path]:
                changed = with_changes(body, changes)
                # Filters are timed on the callbacks that read data (those with a bare SQL), not on the URL's.
                if changed is not None and report.callback_name(body["output"]).split(" ")[0] in bare.BARE:
                    name = f"{report.callback_name(body['output'])} · {label}"
                    out.append(Case(spec.name, name, spec.role, changed))
        if spec.path == "/carte":
            out.append(Case(spec.name, POINTS_URL, spec.role, None, url=POINTS_URL))
    return out


def _timed(function, *args, **kwargs) -> tuple[float, object]:
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return (time.perf_counter() - started) * 1000, result


def measure(base: str, bare_base: str, all_cases: list[Case]) -> None:
    """Each case over HTTP, then its bare SQL over HTTP too (`bench.bare_server`), case after case, round after
    round: the user waits on HTTP, so the least work giving the same numbers is timed there as well."""
    sessions = {role: logged_in(base, role) for role in dict.fromkeys(c.role for c in all_cases)}
    with requests.Session() as bare_http:
        for round_number in range(WARMUP + ROUNDS):
            started = time.perf_counter()
            for case in all_cases:
                session = sessions[case.role]
                method = "GET" if case.body is None else "POST"
                elapsed, response = _timed(session.request, method, f"{base}{case.url}", json=case.body, timeout=300)
                if case.bare is not None:
                    bare_ms, bare_answer = _timed(
                        bare_http.post, f"{bare_base}/bare/{case.bare}", json=params(case.body), timeout=300
                    )
                    bare_answer.raise_for_status()
                if round_number < WARMUP:
                    case.status = response.status_code
                    case.size = len(response.content)
                    case.gzip_size = len(gzip.compress(response.content, compresslevel=6))
                    if response.status_code not in (200, 204):
                        print(f"  {case.page} {case.callback}: HTTP {response.status_code}", flush=True)
                    continue
                case.timings.append(elapsed)
                if case.bare is not None:
                    case.bare_timings.append(bare_ms)
            print(f"round {round_number + 1}/{WARMUP + ROUNDS}: {time.perf_counter() - started:.1f} s", flush=True)


def callback_rows(all_cases: list[Case]) -> list[dict]:
    rows = []
    for case in all_cases:
        stats = report.summary(case.timings)
        bare_ms = round(statistics.median(case.bare_timings), 1) if case.bare_timings else None
        rows.append({
            "page": case.page, "callback": case.callback, **stats, "bare_ms": bare_ms,
            "ratio": report.ratio(stats["median_ms"], bare_ms), "bytes": case.size, "gzip_bytes": case.gzip_size,
        })  # fmt: skip
    return rows


# --- load ---------------------------------------------------------------------------------------------------------


def load(base: str, specs: list[Page], captured: dict[str, list[dict]]) -> dict:
    """USERS logged-in viewers for LOAD_SECONDS, each opening the pages in turn: the page, then its callbacks."""
    import random

    viewer_pages = [spec for spec in specs if spec.role == "viewer"]
    sessions = [logged_in(base, "viewer") for _ in range(USERS)]
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + LOAD_SECONDS

    def user(number: int, session: requests.Session) -> None:
        rng = random.Random(number)
        turn = number
        while time.perf_counter() < deadline:
            spec = viewer_pages[turn % len(viewer_pages)]
            turn += 1
            requests_of_page = [("GET", spec.path, None)] + [("POST", CALLBACK_URL, b) for b in captured[spec.path]]
            for method, url, body in requests_of_page:
                if time.perf_counter() >= deadline:
                    return
                try:
                    elapsed, response = _timed(session.request, method, f"{base}{url}", json=body, timeout=120)
                    failed = None if response.status_code in (200, 204) else f"HTTP {response.status_code} {url}"
                except requests.RequestException as error:
                    elapsed, failed = LOAD_SECONDS * 1000, f"{type(error).__name__} {url}"
                with lock:
                    latencies.append(elapsed)
                    if failed:
                        errors.append(failed)
            time.sleep(rng.uniform(0.5, 1.5) * THINK)

    threads = [threading.Thread(target=user, args=(n, s)) for n, s in enumerate(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        print(f"load errors (first 5 of {len(errors)}): {errors[:5]}", flush=True)
    print(f"load: {len(latencies)} requests in {LOAD_SECONDS} s", flush=True)
    return {
        "users": USERS,
        "seconds": LOAD_SECONDS,
        "p50_ms": round(report.percentile(latencies, 0.50), 1),
        "p95_ms": round(report.percentile(latencies, 0.95), 1),
        "p99_ms": round(report.percentile(latencies, 0.99), 1),
        "errors": len(errors),
    }


# --- the browser --------------------------------------------------------------------------------------------------


def _answers(input_id: str, check):
    """A predicate on responses: the callback request whose input `input_id` holds a value passing `check`."""

    def predicate(response) -> bool:
        request = response.request
        if not _is_callback(request.url) or not request.post_data:
            return False
        body = json.loads(request.post_data)
        return any(e.get("id") == input_id and check(e.get("value")) for e in _entries(body, "inputs"))

    return predicate


CLICK_TIMEOUT_MS = report.CLICK_WAIT_S * 1000  # a page that freezes the tab longer is reported as not answering


def _choice(select_id: str, value) -> tuple:
    """A click that picks `value` in the select `select_id` (once its options are there), and the callback request
    that answers it."""
    return (
        lambda page: page.select_option(f"#{select_id}", str(value), timeout=CLICK_TIMEOUT_MS),
        _answers(select_id, lambda sent: str(sent) == str(value)),
    )


def clicks() -> dict[str, tuple]:
    """Page → (how to click, the callback request that answers it): a main filter of every page a viewer opens (the
    Projection is a screen nobody clicks)."""
    previous = clock.today().year - 1
    return {
        "/": _choice("home-year", previous),
        "/carte": (lambda page: page.get_by_label("Ouvert le week-end").check(timeout=CLICK_TIMEOUT_MS),
                   _answers("carte-hours", lambda value: "weekend" in (value or []))),
        "/agenda": _choice("agenda-category", "Atelier numérique"),
        "/materiel": (lambda page: page.click("#materiel-show-overdue", timeout=CLICK_TIMEOUT_MS),
                      _answers("materiel-show-overdue", lambda value: bool(value))),
        "/formations": _choice("formations-programme", "Aidants Connect"),
        "/lettres": _choice("lettres-year", previous),
        "/indicateurs": _choice("ind-period", previous),
        "/rapport": _choice("rapport-year", previous - 1),
    }  # fmt: skip


BROWSER_ROUNDS = 1 if QUICK else 5  # one load swings by a few hundred ms on a shared machine: the median of five


def browser_run(base: str) -> list[dict]:
    """From the start of the navigation until the page answers a click (the answer of its callback arrived): the
    median of BROWSER_ROUNDS loads, each in a new context (nothing cached), pages in turn; None if one never answered."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    pages = clicks()
    runs: dict[str, list[int | None]] = {path: [] for path in pages}
    with sync_playwright() as playwright:
        browser = _browser(playwright)
        for _round in range(BROWSER_ROUNDS):
            for path, (click, answered) in pages.items():
                context = browser.new_context()
                page = _browser_login(context, base, "viewer")
                started = time.perf_counter()
                try:
                    with page.expect_response(answered, timeout=CLICK_TIMEOUT_MS):
                        page.goto(f"{base}{path}", wait_until="commit")
                        click(page)
                    runs[path].append(round((time.perf_counter() - started) * 1000))
                except PlaywrightError as error:
                    print(f"browser {path}: {error}", flush=True)
                    runs[path].append(None)
                print(f"browser {path}: {runs[path][-1]} ms", flush=True)
                context.close()
        browser.close()
    return [
        {"page": path, "interactive_ms": None if None in times else statistics.median(times), "runs_ms": times}
        for path, times in runs.items()
    ]


# --- the whole run ------------------------------------------------------------------------------------------------


def main() -> None:
    started = time.perf_counter()
    directory = Path(tempfile.mkdtemp(prefix="bench-"))
    database_url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{directory / 'bench.sqlite'}"
    scale = dataset.Scale.from_env()
    try:
        counts = dataset.existing(database_url) or dataset.build(database_url, scale)
        specs = pages()
        with (
            gunicorn(database_url, directory / "gunicorn.log") as base,
            gunicorn(database_url, directory / "bare.log", "bench.bare_server:app") as bare_base,
        ):
            captured, answers = capture(base, specs)
            all_cases = cases(specs, captured, answers)
            print(f"measuring {len(all_cases)} callbacks, {ROUNDS} rounds", flush=True)
            measure(base, bare_base, all_cases)
            result = {
                "scale": {
                    "places": counts["places"],
                    "loans": counts["loans"],
                    "attendants": counts["attendants"],
                    "event_occurrences": counts["event_occurrences"],
                    "users": counts["users"],
                },  # fmt: skip
                "database": create_engine(normalise_url(database_url)).dialect.name,
                "callbacks": callback_rows(all_cases),
                "load": load(base, specs, captured),
                "browser": browser_run(base),
            }
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    (HERE / "latest.json").write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    when = clock.now().strftime("%Y-%m-%d %H:%M %Z")
    readme = ROOT / "README.md"
    body = report.render_table(result, when, report.machine())
    readme.write_text(report.replace_section(readme.read_text(), body, result["database"]))
    print(f"written {HERE / 'latest.json'} and the README's table in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
