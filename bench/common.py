"""Helpers shared by the benchmarks: a temporary database and a timing loop."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable

from db.models import Base
from db.session import Database


def temporary_database() -> Database:
    """BENCH_DATABASE_URL when set (e.g. PostgreSQL), else a fresh SQLite file."""
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite"
    database = Database(url)
    Base.metadata.drop_all(database.engine)
    Base.metadata.create_all(database.engine)
    return database


def median_ms(function: Callable[[], object], repeat: int = 15, warmup: int = 2) -> float:
    for _ in range(warmup):
        function()
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        timings.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(timings), 2)
