"""The chart panel kit: one theme merged with each chart's own settings, and the accessible wrapper."""

import pytest

from dashboard.components import charts
from dashboard.components.format import PLOTLY_SEPARATORS


def test_a_chart_keeps_the_theme_where_it_says_nothing():
    figure = charts.figure([{"type": "bar"}], height=200, margin={"b": 40}, yaxis={"rangemode": "tozero"})
    layout = figure["layout"]
    assert layout["separators"] == PLOTLY_SEPARATORS and layout["height"] == 200
    assert layout["margin"] == {"l": 10, "r": 10, "t": 10, "b": 40}
    assert layout["yaxis"] == {**charts.THEME["yaxis"], "rangemode": "tozero"}
    assert charts.THEME["margin"]["b"] == 10  # the theme itself is never changed


def test_a_figure_draws_only_what_the_cartesian_bundle_draws():
    assert charts.figure([{"type": "bar"}, {"type": "heatmap"}, {"x": [1]}])["data"][2] == {"x": [1]}  # scatter
    with pytest.raises(ValueError, match="scattergeo"):
        charts.figure([{"type": "bar"}, {"type": "scattergeo"}])


def test_merged_replaces_what_is_not_a_dict_on_both_sides():
    assert charts.merged({"a": {"x": 1}, "b": 1}, {"a": {"y": 2}, "b": {"z": 3}}) == {
        "a": {"x": 1, "y": 2},
        "b": {"z": 3},
    }
    assert charts.merged({"title": {"text": "A"}}, {"title": None}) == {"title": None}


def test_chart_is_an_image_with_its_description_and_no_mode_bar():
    panel = charts.chart(charts.figure([]), "Histogramme : 3 envois en 2025")
    props = panel.to_plotly_json()["props"]
    assert (props["role"], props["aria-label"]) == ("img", "Histogramme : 3 envois en 2025")
    assert panel.children.config["displayModeBar"] is False
