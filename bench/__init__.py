"""Benchmarks (`make bench`): each module `bench/<area>.py` has `run() -> dict`; results go to bench/latest.json."""
