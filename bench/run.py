"""Run every benchmark module of this package and write their figures to bench/latest.json.

`python -m bench.run [name …]` runs the named ones only. Timings are medians of repeated runs, measured here,
never asserted by tests.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import platform
import sys
from pathlib import Path

from db import clock

HERE = Path(__file__).resolve().parent


def main(names: list[str]) -> None:
    modules = names or sorted(m.name for m in pkgutil.iter_modules([str(HERE)]) if m.name not in {"run", "common"})
    results = {"when": clock.utcnow().isoformat(timespec="seconds"), "python": platform.python_version()}
    for name in modules:
        print(f"== {name}", flush=True)
        results[name] = importlib.import_module(f"bench.{name}").run()
        print(json.dumps(results[name], indent=2, ensure_ascii=False), flush=True)
    (HERE / "latest.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"written {HERE / 'latest.json'}")


if __name__ == "__main__":
    main(sys.argv[1:])
