"""The import report on a page: the same report as the commands print (db/imports.py), as an alert with its
rejected rows and warnings in tables, and "fichier inutilisable" said one way."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from db.imports import ImportReport, Issue

SHOWN = 50  # rows of each table; the rest is counted


def file_drop(
    component_id, prompt: str, max_size: int, accept: str | None = None, hint=None, icon_class="fs-4 d-block"
):
    """A drop zone for one file. The label around it names its file input (RGAA) and opens the file chooser on a
    click or Enter, so the upload's own click is off (else the chooser opens twice)."""
    return html.Label(
        dcc.Upload(
            id=component_id,
            children=html.Div(
                [
                    html.I(className=f"bi bi-file-earmark-arrow-up {icon_class}", **{"aria-hidden": "true"}),
                    f"{prompt} ou ",
                    html.Span("parcourir", className="text-decoration-underline text-brand"),
                    html.Div(hint, className="small text-body-secondary") if hint else None,
                ]
            ),
            accept=accept,
            max_size=max_size,
            multiple=False,
            disable_click=True,
            className="file-drop",
        ),
        className="d-block",
    )


def _issues(title: str, issues: list[Issue], open_: bool):
    shown = issues[:SHOWN]
    return html.Details(
        [
            html.Summary(f"{title} : {len(issues)}"),
            dbc.Table(
                [
                    html.Thead(html.Tr([html.Th("Ligne"), html.Th("Champ"), html.Th("Motif")])),
                    html.Tbody(
                        [
                            html.Tr(
                                [
                                    html.Td(str(i.row if i.row is not None else "—") + (f" ({i.id})" if i.id else "")),
                                    html.Td(i.field or "—"),
                                    html.Td(i.reason),
                                ]
                            )
                            for i in shown
                        ]
                    ),
                ],
                size="sm",
                className="small mb-1 import-issues",
            ),
            html.P(f"… et {len(issues) - len(shown)} autres.", className="small") if len(issues) > len(shown) else None,
        ],
        open=open_,
        className="mt-2",
    )


def import_report(report: ImportReport, filename: str = ""):
    """An alert: success, warning (rejected rows or warnings) or danger (nothing imported)."""
    color = "danger" if report.nothing_imported else "warning" if report.rejected or report.warnings else "success"
    head = "Simulation (rien n'a été enregistré) : " if report.dry_run else "Import terminé : "
    body = [html.Strong(head), f"{filename} — " if filename else "", report.summary]
    if report.format:
        body.append(html.Div(f"Format lu : {report.format}", className="small"))
    if report.nothing_imported and not report.dry_run:
        body.append(html.Div("Rien n'a été importé.", className="small"))
    if report.rejected:
        body.append(_issues("Lignes rejetées", report.rejected, True))
    if report.warnings:
        body.append(_issues("Avertissements", report.warnings, not report.rejected))
    return dbc.Alert(body, color=color, className="mb-0 import-report")


def unusable_file(filename: str, error: Exception):
    return dbc.Alert(
        [
            html.Strong("Fichier inutilisable, rien n'a été importé : "),
            f"{filename} — " if filename else "",
            str(error),
        ],
        color="danger",
        className="mb-0 import-report",
    )
