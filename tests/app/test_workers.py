"""Two gunicorn processes on one PostgreSQL database serve the same users: no per-process state that matters."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from db import clock
from tests.conftest import PASSWORD, form_payload, make_user, need

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(url: str, tmp_path, name: str, **settings):
    """A pool of two workers as production runs it (gunicorn.conf.py), with `settings` in its environment."""
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "shared-secret-of-the-pool",
        "INSTANCE_PATH": str(tmp_path / name),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
        **settings,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "app:server"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            if requests.get(f"{base}/healthz", timeout=1).ok:
                return process, base
        except requests.RequestException:
            time.sleep(0.2)
    process.kill()
    raise AssertionError(f"gunicorn did not start: {process.stderr.read().decode()[-2000:]}")


def _csrf_from_login_page(http, base):
    page = http.get(f"{base}/login").text
    return page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


@pytest.fixture
def two_servers(pg_schema_url, tmp_path):
    need(pg_schema_url is not None, "no PostgreSQL server: the worker pool test needs one")
    from db.session import Database
    from tests.conftest import _truncate_all

    database = Database(pg_schema_url)
    _truncate_all(database)
    make_user(database, "admin", "admin@example.org")
    database.dispose()
    processes = [_start(pg_schema_url, tmp_path, name) for name in ("a", "b")]
    yield [base for _, base in processes]
    for process, _ in processes:
        process.terminate()
        process.wait(timeout=10)


def test_login_and_data_are_shared_between_processes(two_servers):
    server_a, server_b = two_servers
    http = requests.Session()
    token = _csrf_from_login_page(http, server_a)
    response = http.post(
        f"{server_a}/login",
        data={"email": "admin@example.org", "password": PASSWORD, "csrf_token": token},
        allow_redirects=False,
    )
    assert response.status_code == 302
    # The session cookie made by A is honoured by B (same host, cookies are not per port).
    assert http.get(f"{server_b}/_dash-layout").status_code == 200

    # Written through A…
    payload = form_payload(
        http.get(f"{server_a}/_dash-dependencies").json(),
        "new-user",
        {"email": "pool@example.org", "name": "Pool", "role": "viewer", "password": PASSWORD},
    )
    headers = {"X-CSRFToken": http.cookies.get("_csrf_token")}
    assert "Compte créé" in http.post(f"{server_a}/_dash-update-component", json=payload, headers=headers).text
    # …read by B: the new account logs in there.
    other = requests.Session()
    token = _csrf_from_login_page(other, server_b)
    response = other.post(
        f"{server_b}/login",
        data={"email": "pool@example.org", "password": PASSWORD, "csrf_token": token},
        allow_redirects=False,
    )
    assert response.status_code == 302


def test_carte_index_of_every_process_follows_writes_made_elsewhere(two_servers, pg_schema_url):
    """Each process keeps the Carte's places in memory (db.carte.PlaceIndex): a write made by any other process must
    show in its next answer."""
    from db import carte
    from db.models import Place
    from db.session import Database

    server_a, server_b = two_servers

    def names(base):
        return sorted(place["nom"] for place in requests.get(f"{base}/api/v1/lieux.json?q=pool", timeout=10).json())

    assert names(server_a) == names(server_b) == []  # both indexes are built, empty
    database = Database(pg_schema_url)
    place = Place(id="Pool_1", pivot="00000000000000", nom="Lieu du pool", commune="Feurs", code_postal="42110",
                  adresse="1 rue du Pool", latitude=45.74, longitude=4.22, date_maj=clock.today())  # fmt: skip
    carte.sync_place_values(place)
    with database.transaction() as session:
        session.add(place)
    for _ in range(4):  # each process has two workers: ask enough times to meet both
        assert names(server_a) == names(server_b) == ["Lieu du pool"]
    with database.transaction() as session:
        session.get(Place, place.pk).nom = "Lieu du pool renommé"
    for _ in range(4):
        assert names(server_a) == names(server_b) == ["Lieu du pool renommé"]
    database.dispose()


def test_figure_engine_of_every_process_follows_writes_made_elsewhere(two_servers, pg_schema_url):
    """Each process caches the catalogue's figures per revision token (db.catalogue): a write made by any other
    process shows in its next answer, and only the written area is computed again."""
    import datetime as dt

    from db.models import EquipmentItem, Loan
    from db.session import Database

    server_a, server_b = two_servers
    http = requests.Session()
    token = _csrf_from_login_page(http, server_a)
    http.post(f"{server_a}/login", data={"email": "admin@example.org", "password": PASSWORD, "csrf_token": token})
    year = clock.today().year

    def loan_days(base):
        document = http.get(f"{base}/api/v1/indicateurs.json?year={year}", timeout=30).json()
        return next(f["value"] for f in document["figures"] if f["key"] == "loan_days")

    for _ in range(4):  # two workers each: enough requests to fill every cache
        assert loan_days(server_a) is None and loan_days(server_b) is None  # nothing lent yet: unknown
    database = Database(pg_schema_url)
    first = dt.date(year, 1, 2)
    with database.transaction() as session:
        item = EquipmentItem(name="Kit du pool", category="Robotique", units=2)
        session.add(item)
        session.add(Loan(item=item, units=2, borrower_name="Pool", start_date=first, end_date=first))
    for _ in range(4):
        assert loan_days(server_a) == loan_days(server_b) == 2
    with database.transaction() as session:
        session.scalar(select(Loan)).end_date = first + dt.timedelta(days=1)
    for _ in range(4):
        assert loan_days(server_a) == loan_days(server_b) == 4
    database.dispose()


def test_idle_connections_do_not_hold_the_workers(tmp_path):
    """A sync worker waits on an idle connection until its timeout: two idle sockets froze a two-worker pool for
    ~30 s. Threaded workers (gunicorn.conf.py) answer the next request while four of them wait."""
    timeout = 20
    process, base = _start(f"sqlite:///{tmp_path / 'idle.sqlite'}", tmp_path, "idle", GUNICORN_TIMEOUT=str(timeout))
    port = int(base.rsplit(":", 1)[1])
    idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(4)]
    try:
        # Half the worker timeout: sync workers stuck on the idle sockets would not answer within it.
        assert requests.get(f"{base}/healthz", timeout=timeout / 2).json()["status"] == "ok"
    finally:
        for connection in idle:
            connection.close()
        process.terminate()
        process.wait(timeout=10)
