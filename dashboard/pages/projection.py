import dash
import dash_bootstrap_components as dbc
from dash import dcc, html
from flask_login import current_user

from dashboard import ids
from dashboard.components.forms import field_input, field_select, form_body, form_field
from db.models import Role
from db.projection import REFRESH_RANGE, ROTATE_RANGE, SLIDES, THEMES, parse_settings

dash.register_page(__name__, path="/projection", name="Projection", title="Projection · Médiation numérique", map=True)


def _icon(name: str):
    return html.I(className=f"bi bi-{name} me-1", **{"aria-hidden": "true"})


def _slide(name: str, active: bool) -> html.Section:
    return html.Section(
        [
            html.H1(SLIDES[name], className="proj-title"),
            html.Div(id=ids.proj_slide_body(name), className="proj-body"),
        ],
        id=ids.proj_slide(name),
        className="proj-slide active" if active else "proj-slide",
        **{"aria-label": SLIDES[name]},
    )


def _settings_panel(settings):
    """What whoever sets the screen up adjusts (slides, timing, theme); admins also manage the screen links."""
    is_admin = current_user.role == Role.ADMIN
    controls = [
        html.H2("Réglages de la projection", className="h4"),
        dbc.Label("Diapositives", html_for=ids.PROJ_SET_SLIDES, className="fw-semibold"),
        dbc.Checklist(
            id=ids.PROJ_SET_SLIDES,
            options=[{"label": label, "value": key} for key, label in SLIDES.items()],
            value=list(settings.slides),
            className="mb-3",
        ),
        dbc.Row(
            [
                dbc.Col(
                    [
                        dbc.Label("Secondes par diapositive", html_for=ids.PROJ_SET_ROTATE),
                        dbc.Input(id=ids.PROJ_SET_ROTATE, type="number", min=ROTATE_RANGE[0], max=ROTATE_RANGE[1], value=settings.rotate),
                    ]
                ),
                dbc.Col(
                    [
                        dbc.Label("Actualisation (minutes)", html_for=ids.PROJ_SET_REFRESH),
                        dbc.Input(id=ids.PROJ_SET_REFRESH, type="number", min=REFRESH_RANGE[0], max=REFRESH_RANGE[1], value=settings.refresh),
                    ]
                ),
            ],
            className="mb-3",
        ),
        dbc.Label("Thème", html_for=ids.PROJ_SET_THEME, className="fw-semibold"),
        dbc.Select(
            id=ids.PROJ_SET_THEME,
            options=[{"label": label, "value": key} for key, label in THEMES.items()],
            value=settings.theme,
            className="mb-3",
        ),
        html.Div(
            [
                dbc.Button([_icon("check2"), "Appliquer"], id=ids.PROJ_APPLY, href="#", color="primary"),
                dbc.Button([_icon("display"), "Plein écran"], href=f"/projection?{settings.query()}", color="primary", outline=True),
            ],
            className="d-flex gap-2 mb-4",
        ),
    ]  # fmt: skip
    if is_admin:
        controls += [
            html.H2("Liens pour un écran", className="h4 mt-2"),
            html.P(
                "Un lien ouvre cette projection, avec ces réglages, sur un écran sans compte personnel : la page de "
                "projection seulement, en lecture. Il reste valable jusqu'à sa révocation.",
                className="small",
            ),
            form_body(
                ids.PROJECTION_LINK_FORM,
                [
                    form_field(
                        ids.PROJECTION_LINK_FORM,
                        "label",
                        "Nom de l'écran",
                        field_input(ids.PROJECTION_LINK_FORM, "label", maxLength=200),
                        required=True,
                    ),
                    field_input(ids.PROJECTION_LINK_FORM, "query", "hidden", value=settings.query()),
                    html.Div(
                        id=ids.field_error(ids.PROJECTION_LINK_FORM, "query"), className="field-error", role="alert"
                    ),
                ],
                "Créer un lien",
                "link-45deg",
            ),
            html.H3("Liens existants", className="h5 mt-4"),
            dcc.Loading(html.Div(id=ids.PROJ_TOKENS), type="dot"),
            form_body(
                ids.PROJECTION_REVOKE_FORM,
                [
                    form_field(
                        ids.PROJECTION_REVOKE_FORM,
                        "token_id",
                        "Lien à révoquer",
                        field_select(ids.PROJECTION_REVOKE_FORM, "token_id", []),
                    )
                ],
                "Révoquer",
                "x-octagon",
                record="token_id",  # revokes the chosen link: stays on it
            ),
        ]
    return html.Aside(
        [
            dbc.Button(
                [_icon("x-lg"), "Fermer les réglages"],
                href=f"/projection?{settings.query()}",
                color="link",
                className="float-end p-0",
            ),
            *controls,
        ],
        className="proj-settings",
        **{"aria-label": "Réglages de la projection"},
    )


def layout(**query):
    settings = parse_settings(query)
    logged_in = current_user.is_authenticated
    corner = None
    if logged_in and not settings.filters:  # the navigation bar is hidden: a way to the settings and out
        corner = html.Div(
            [
                dbc.Button([_icon("gear"), "Réglages"], href=f"/projection?{settings.query()}&filters=on", size="sm"),
                dbc.Button([_icon("box-arrow-left"), "Quitter"], href="/", size="sm"),
            ],
            className="proj-corner d-flex gap-2",
        )
    return html.Div(
        [
            dcc.Interval(id=ids.PROJ_ROTATE, interval=settings.rotate * 1000, disabled=len(settings.slides) < 2),
            dcc.Interval(id=ids.PROJ_REFRESH, interval=settings.refresh * 60_000),
            dcc.Store(id=ids.PROJ_SHOWN),
            html.Header(
                [
                    html.Div(
                        [html.I(className="bi bi-diagram-3 me-3", **{"aria-hidden": "true"}), "Médiation numérique · Loire"],
                        className="proj-brand",
                    ),
                    html.Div(id=ids.PROJ_COUNTER, className="proj-counter", **{"aria-live": "off"}),
                    html.Div(id=ids.PROJ_REFRESHED_AT, className="proj-refreshed"),
                ],
                className="proj-header",
            ),
            html.Div([_slide(name, i == 0) for i, name in enumerate(settings.slides)], id=ids.PROJ_DECK, className="proj-deck"),
            corner,
            _settings_panel(settings) if logged_in and settings.filters else None,
        ],
        className=f"kiosk theme-{settings.theme}",
    )  # fmt: skip
