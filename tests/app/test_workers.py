"""Two gunicorn processes on one PostgreSQL database serve the same users: no per-process state that matters."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import PASSWORD, form_payload, make_user, need

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(url: str, tmp_path, name: str):
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "shared-secret-of-the-pool",
        "INSTANCE_PATH": str(tmp_path / name),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "app:server"],
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
