"""The entry pattern's callbacks as plain functions: « Saisir » and a row's « Modifier » open the area's panel, a
table drawn again opens nothing, and a session chosen in the Formations grid goes into its form with its training."""

from types import SimpleNamespace

import pytest
from dash import no_update
from dash.exceptions import PreventUpdate

from dashboard import ids
from dashboard.callbacks import shell


def triggered(monkeypatch, module, component_id, value):
    fake = SimpleNamespace(triggered_id=component_id, triggered=[{"prop_id": "x.n_clicks", "value": value}])
    monkeypatch.setattr(module, "ctx", fake)


def test_saisir_and_a_row_edit_open_the_panel_and_its_close_button_closes_it(monkeypatch):
    triggered(monkeypatch, shell, ids.entry_open("agenda"), 1)
    assert shell.toggle_entry_panel(1, 0, []) is True
    triggered(monkeypatch, shell, ids.entry_edit("agenda", ids.AGENDA_EVENT_FORM, 12), 1)
    assert shell.edited_record() == "12"
    assert shell.toggle_entry_panel(0, 0, [1]) is True
    triggered(monkeypatch, shell, ids.entry_close("agenda"), 1)
    assert shell.toggle_entry_panel(1, 1, [1]) is False


def test_a_table_drawn_again_opens_no_panel(monkeypatch):
    triggered(monkeypatch, shell, ids.entry_edit("lettres", ids.LETTRES_ISSUE_FORM, 3), 0)
    assert shell.edited_record() is None
    with pytest.raises(PreventUpdate):
        shell.toggle_entry_panel(0, 0, [0, 0])


@pytest.fixture
def formations(app):
    from dashboard.callbacks import formations  # pages register once an app exists

    return formations


def test_the_grids_row_goes_into_the_session_or_training_form(monkeypatch, formations):
    row = [{"id": "12", "training_id": "7", "label": "Session"}]
    triggered(monkeypatch, shell, ids.entry_edit("formations", ids.FORMATIONS_SESSION_FORM), 1)
    monkeypatch.setattr(formations, "ctx", shell.ctx)
    assert formations.edit_chosen([1, 0, 0], row) == (no_update, "7", "12")
    triggered(monkeypatch, shell, ids.entry_edit("formations", ids.FORMATIONS_TRAINING_FORM), 1)
    monkeypatch.setattr(formations, "ctx", shell.ctx)
    assert formations.edit_chosen([1, 1, 0], row) == ("7", no_update, no_update)
    with pytest.raises(PreventUpdate):  # no row chosen
        formations.edit_chosen([1, 2, 0], [])
    assert formations.chosen_row_tools(None) == [True, True, True]
    assert formations.chosen_row_tools(row) == [False, False, False]
