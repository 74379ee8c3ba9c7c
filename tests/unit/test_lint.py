"""The project's lint rules hold, so CI enforces them: among them the one clock (no `date.today()` outside
db/clock.py)."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUFF = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff") or "ruff"


def ruff(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([RUFF, "check", "--no-cache", *args], input=stdin, capture_output=True, text=True, cwd=ROOT)


def test_ruff_finds_nothing():
    result = ruff(str(ROOT))
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_clock_rule_is_enforced():
    """A stray `date.today()` is reported anywhere but in db/clock.py: the rule is configured, not just written."""
    stray = "import datetime as dt\n\nTODAY = dt.date.today()\n"
    assert "TID251" in ruff("--stdin-filename", "dashboard/pages/stray.py", "-", stdin=stray).stdout
    assert ruff("--stdin-filename", "db/clock.py", "-", stdin=stray).returncode == 0
