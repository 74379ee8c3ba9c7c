"""The bench's pure helpers: callback names, summaries, verdicts, the README's table and the filter bodies. Nothing
here is timed (timings belong to `make bench`)."""

from bench import report
from bench.run import ANSWER, _answered, with_changes

OUTPUT = '..materiel-period-note.children...materiel-summary.children...{"panel":"month","type":"formations-panel"}.children..'


def row(**changes):
    base = {"page": "Matériel", "callback": "materiel-loans", "median_ms": 80.0, "p95_ms": 120.0, "bare_ms": 50.0,
            "ratio": 1.6, "bytes": 12_000, "gzip_bytes": 3_000}  # fmt: skip
    return base | changes


def result(callbacks):
    return {
        "scale": {"places": 20_000, "loans": 100_000},
        "database": "sqlite",
        "callbacks": callbacks,
        "load": {"users": 50, "seconds": 60, "p50_ms": 40.0, "p95_ms": 310.0, "p99_ms": 900.0, "errors": 0},
        "browser": [
            {"page": "/carte", "interactive_ms": 1500, "runs_ms": [1400, 1500, 2100]},
            {"page": "/materiel", "interactive_ms": None, "runs_ms": [1900, None, 1800]},
        ],
    }


def test_bench001_callbacks_are_named_by_their_outputs():
    assert report.output_names(OUTPUT) == ["materiel-period-note", "materiel-summary", "formations-panel[month]"]
    assert report.callback_name(OUTPUT) == "materiel-period-note +2"
    assert report.callback_name("home-figures.children") == "home-figures"
    assert report.callback_name('{"key":["ALL"],"type":"carte-facet"}.options') == "carte-facet[ALL]"


def test_bench002_summary_ratio_and_percentiles():
    values = [float(v) for v in range(1, 21)]
    assert report.summary(values) == {"median_ms": 10.5, "p95_ms": 19.0}
    assert report.percentile(values, 0.5) == 10.0
    assert report.ratio(30.0, 20.0) == 1.5
    assert report.ratio(30.0, None) is None


def test_bench003_a_callback_meets_its_targets_only_all_at_once():
    assert report.callback_verdict(row())
    assert not report.callback_verdict(row(median_ms=151.0))
    assert not report.callback_verdict(row(ratio=2.5))
    assert not report.callback_verdict(row(bytes=301_000))
    assert report.callback_verdict(row(callback="/api/carte/points.json", bytes=1_700_000, ratio=None))


def test_bench004_the_table_says_what_is_met_and_what_is_not():
    table = report.render_table(
        result([row(), row(callback="ind-body", median_ms=900.0, ratio=6.0)]), "2026-12-04", "2 cores"
    )
    assert "| Matériel | `materiel-loans` | 80 | 120 | 50 | 1.6 | 12.0 | 3.0 | met |" in table
    assert "| Matériel | `ind-body` | 900 | 120 | 50 | 6 | 12.0 | 3.0 | **not met** |" in table
    assert (
        "p95 310 ms" in table
        and "| browser: `/materiel` answers a click | no answer within 120 s | **not met** |" in table
        and "| browser: `/carte` answers a click | 1500 ms (median of 3 loads, 1400–2100) | met |" in table
    )
    assert "1 of 2 callbacks meet every target." in table


def test_bench005_the_readme_keeps_one_table_per_database():
    readme = report.replace_section("# Projet\n", "first", "sqlite")
    assert readme.endswith(f"## Performance: the latest bench\n\n{report.START}\n### SQLite\n\nfirst\n{report.END}\n")
    both = report.replace_section(readme, "on postgres", "postgresql")
    again = report.replace_section(both, "second", "sqlite")
    assert again.count("## Performance") == 1 and "first" not in again
    assert again.index("### SQLite\n\nsecond") < again.index("### PostgreSQL\n\non postgres")


def test_bench006_a_filter_changes_the_inputs_the_browser_would_change():
    body = {
        "output": "home-figures.children",
        "inputs": [{"id": "home-year", "property": "value", "value": 2026}],
        "state": [{"id": "home-other", "property": "value", "value": "x"}],
        "changedPropIds": [],
    }
    changed = with_changes(body, {"home-year": "2025"})
    assert changed["inputs"][0]["value"] == 2025  # the browser's type kept
    assert changed["changedPropIds"] == ["home-year.value"]
    assert body["inputs"][0]["value"] == 2026  # the captured body untouched
    assert with_changes(body, {"agenda-period": "year"}) is None
    assert with_changes(body, {"home-year.n_clicks": 1}) is None


def test_bench007_a_filter_can_carry_what_the_first_answers_left_in_the_page():
    answers = {"proj-shown": {"data": {"chiffres": "a1"}}}
    changes = _answered({"proj-refresh.n_intervals": 1, "proj-shown.data": ANSWER}, answers)
    assert changes == {"proj-refresh.n_intervals": 1, "proj-shown.data": {"chiffres": "a1"}}


def test_bench007_the_browser_run_clicks_on_every_page_a_viewer_opens():
    from bench import run

    viewer_pages = {page.path for page in run.pages() if page.role == "viewer"} - {"/projection"}  # a screen
    assert set(run.clicks()) == viewer_pages
