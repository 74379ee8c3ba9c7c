"""Pure helpers of the bench: callback names, summaries, targets and the README's performance table."""

from __future__ import annotations

import json
import math
import os
import re
import statistics

# The targets (issue 12).
MEDIAN_MS, BARE_RATIO, ANSWER_KB, CLICK_MS, LOAD_P95_MS = 150, 2.0, 300, 2000, 300
CLICK_WAIT_S = 120  # the browser run waits this long for a click's answer (a frozen tab would hold it for ever)
# The one answer allowed to be larger: the Carte's point collection, sent once per version of the places.
LARGE_ANSWERS = {"/api/carte/points.json"}
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
DATABASE_TITLES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}  # one table per database, in this order


def _id_name(component: str) -> str:
    """A component id as written in a callback's output: "id", or a dict id as "type[value]"."""
    if not component.startswith("{"):
        return component
    parts = json.loads(component)
    others = [v if isinstance(v, str) else ",".join(map(str, v)) for k, v in sorted(parts.items()) if k != "type"]
    return f"{parts.get('type', '')}[{','.join(others)}]"


def output_names(output: str) -> list[str]:
    """The component ids of a callback request's `output` key ("id.prop" or "..id.prop...id.prop..")."""
    parts = output[2:-2].split("...") if output.startswith("..") and output.endswith("..") else [output]
    return [_id_name(part.rsplit(".", 1)[0]) for part in parts]


def callback_name(output: str) -> str:
    """Its first output, and how many more it writes: "materiel-period-note +5"."""
    names = list(dict.fromkeys(output_names(output)))
    return names[0] + (f" +{len(names) - 1}" if len(names) > 1 else "")


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (share in 0–1)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def summary(values: list[float]) -> dict[str, float]:
    return {"median_ms": round(statistics.median(values), 1), "p95_ms": round(percentile(values, 0.95), 1)}


def ratio(median_ms: float, bare_ms: float | None) -> float | None:
    return round(median_ms / bare_ms, 2) if bare_ms else None


def callback_verdict(row: dict) -> bool:
    """Median ≤ 150 ms and ≤ 2× its bare SQL (when it has one), answer ≤ 300 KB (the point collection apart)."""
    fast = row["median_ms"] <= MEDIAN_MS and (row["ratio"] is None or row["ratio"] <= BARE_RATIO)
    light = row["bytes"] <= ANSWER_KB * 1000 or row["callback"].split(" ")[0] in LARGE_ANSWERS
    return fast and light


def _met(ok: bool) -> str:
    return "met" if ok else "**not met**"


def _kb(size: int) -> str:
    return f"{size / 1000:.1f}"


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def render_table(result: dict, when: str, machine: str) -> str:
    """The README's performance section body from a `latest.json` document."""
    scale = ", ".join(f"{value:,} {key}".replace(",", " ") for key, value in result["scale"].items())
    lines = [
        f"Measured by `make bench` on {when}: {machine}; database {result['database']}; {scale}.",
        "",
        f"Targets (issue 12): median ≤ {MEDIAN_MS} ms and ≤ {BARE_RATIO:g}× its bare SQL (the least SQL giving the "
        f"same numbers, run alternately in the same loop and served over HTTP too), answer ≤ {ANSWER_KB} KB (the Carte's point collection "
        f"apart), a click answered ≤ {CLICK_MS / 1000:g} s in headless Chromium, {result['load']['users']} users: "
        f"p95 ≤ {LOAD_P95_MS} ms with 0 errors. Times over HTTP, logged in as a viewer (Admin as an admin), "
        "2 gunicorn workers. The figure engine caches per data revision: a callback is timed as a user meets it "
        "once anyone opened the page since the last write (the first call is the warm-up); its bare SQL is never "
        "cached. The load run's users pause 1–3 s between pages.",
        "",
        "| page | callback | median ms | p95 ms | bare ms | ratio | KB | gzip KB | target |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in result["callbacks"]:
        lines.append(
            f"| {row['page']} | `{row['callback']}` | {_ms(row['median_ms'])} | {_ms(row['p95_ms'])} | "
            f"{_ms(row['bare_ms'])} | {_ms(row['ratio'])} | {_kb(row['bytes'])} | {_kb(row['gzip_bytes'])} | "
            f"{_met(callback_verdict(row))} |"
        )
    load = result["load"]
    load_ok = load["p95_ms"] <= LOAD_P95_MS and load["errors"] == 0
    lines += [
        "",
        "| run | figures | target |",
        "|---|---|---|",
        f"| load: {load['users']} users, {load['seconds']} s | p50 {load['p50_ms']:g} ms, p95 {load['p95_ms']:g} ms, "
        f"p99 {load['p99_ms']:g} ms, {load['errors']} errors | {_met(load_ok)} |",
    ]
    for row in result["browser"]:
        value = row["interactive_ms"]
        runs = [time for time in row.get("runs_ms", []) if time is not None]
        shown = f"no answer within {CLICK_WAIT_S} s" if value is None else f"{value:g} ms"
        if value is not None and len(runs) > 1:
            shown += f" (median of {len(runs)} loads, {min(runs):g}–{max(runs):g})"
        lines.append(
            f"| browser: `{row['page']}` answers a click | {shown} | {_met(value is not None and value <= CLICK_MS)} |"
        )
    met = sum(callback_verdict(row) for row in result["callbacks"])
    lines += ["", f"{met} of {len(result['callbacks'])} callbacks meet every target."]
    return "\n".join(lines)


def replace_section(readme: str, body: str, database: str) -> str:
    """Put `body` under the database's heading between the bench markers, keeping the other databases' tables;
    a Performance section is added at the end when the markers are absent."""
    sections: dict[str, str] = {}
    if START in readme and END in readme:
        inside = readme.split(START, 1)[1].split(END, 1)[0]
        for part in re.split(r"^### ", inside, flags=re.M)[1:]:
            name, _, text = part.partition("\n")
            sections[name.strip()] = text.strip()
    sections[DATABASE_TITLES.get(database, database)] = body.strip()
    ordered = sorted(sections.items(), key=lambda item: list(DATABASE_TITLES.values()).index(item[0])
                     if item[0] in DATABASE_TITLES.values() else len(DATABASE_TITLES))  # fmt: skip
    block = START + "\n" + "\n\n".join(f"### {name}\n\n{text}" for name, text in ordered) + "\n" + END
    if START in readme and END in readme:
        return re.sub(re.escape(START) + r".*?" + re.escape(END), lambda _m: block, readme, flags=re.S)
    return readme.rstrip("\n") + f"\n\n## Performance: the latest bench\n\n{block}\n"


def machine() -> str:
    """Cores and memory of this machine, e.g. "2 cores, 23 GB RAM"."""
    memory = ""
    try:
        with open("/proc/meminfo") as meminfo:
            kilobytes = int(meminfo.readline().split()[1])
        memory = f", {kilobytes / 1024 / 1024:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{os.cpu_count()} cores{memory}"
