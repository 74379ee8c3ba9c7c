"""Application factory: the Flask server (config, login, CSRF, CLI, API routes) and the Dash app on top of it."""

from __future__ import annotations

import dash
from flask import Flask, current_app, jsonify, request
from werkzeug.middleware.proxy_fix import ProxyFix

from dashboard import auth, errors, headers
from dashboard.config import ROOT, Config
from db import clock
from db.session import Database


def healthz():
    try:
        current_app.extensions["database"].ping()
    except Exception as error:  # noqa: BLE001 - any failure is "database down" for a health check
        return jsonify(status="error", database=type(error).__name__), 503
    return jsonify(status="ok", database="ok")


# Dash's default page without `lang`: screen readers need it (RGAA 8.3).
INDEX_STRING = """<!DOCTYPE html>
<html lang="fr">
    <head>
        {%metas%}
        <title>{%title%}</title>
        {%favicon%}
        {%css%}
    </head>
    <body>
        {%app_entry%}
        <footer>
            {%config%}
            {%scripts%}
            {%renderer%}
        </footer>
    </body>
</html>"""


LEAFLET_SCRIPTS = "/_dash-component-suites/dash_leaflet/"
# plotly.js's official cartesian bundle (bar, heatmap, scatter, pie… : every trace `charts.TRACE_TYPES` allows), at
# the version plotly.py ships: 1.5 MB instead of the full bundle's 4.8 MB, so a third of the parsing before the first
# chart (the Matériel at five years answered a click in 2.4–3.0 s with the full bundle, 2.1–2.3 s with this one).
PLOTLY_BUNDLE = "vendor/plotly-cartesian-4.1.1.min.js"


class App(dash.Dash):
    """Dash whose charts load plotly.js's cartesian bundle (PLOTLY_BUNDLE, named in a meta tag that
    `assets/01-plotly.js` hands to dcc.Graph) and whose pages without a map do not load dash-leaflet. Dash puts every component library's main script in
    every page's index (only chunks a library marks `async` wait until needed), and dash-leaflet 1.1.3 ships one
    300 KB main script (only its GeoJSON layer and controls are async chunks). So the index of a page without a
    map leaves that script out; links to a map page load it in full, and `assets/00-map-pages.js` turns any other
    in-app move to one into a full load (the meta tag lists those pages)."""

    def interpolate_index(self, **kwargs):
        from dashboard.shell import map_pages

        pages = map_pages()
        if request.path not in pages:
            kwargs["scripts"] = "\n".join(tag for tag in kwargs["scripts"].split("\n") if LEAFLET_SCRIPTS not in tag)
        kwargs["metas"] += f'\n<meta name="map-pages" content="{" ".join(pages)}">'
        kwargs["metas"] += f'\n<meta name="plotly-bundle" content="{self.get_asset_url(PLOTLY_BUNDLE)}">'
        return super().interpolate_index(**kwargs)


def create_app(config: Config | None = None) -> dash.Dash:
    config = config or Config()
    server = Flask(__name__, instance_path=str(ROOT / "instance"))
    server.config.from_mapping(config.as_dict())
    if hops := server.config["PROXY_FIX"]:  # the client's address, the public scheme and host (screen links)
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    errors.init_app(server)  # first: every later hook logs with the request's id
    clock.configure(server.config["TIME_ZONE"])
    server.extensions["database"] = Database(server.config["DATABASE_URL"])
    errors.check_production(server.config, server.extensions["database"].ping)
    auth.init_app(server)
    server.add_url_rule("/healthz", "healthz", healthz)

    from dashboard import api, cli

    cli.init_app(server)
    api.init_app(server)

    app = App(
        __name__,
        server=server,
        use_pages=True,
        pages_folder=str(ROOT / "dashboard" / "pages"),
        assets_folder=str(ROOT / "assets"),
        assets_path_ignore=["^vendor$"],  # served on demand, never put in every page (PLOTLY_BUNDLE)
        title="Médiation numérique · Tableau de bord",
        update_title=None,
        suppress_callback_exceptions=True,  # page components appear only when their page is shown
        on_error=errors.callback_error,
        compress=True,  # Flask-Compress: every response, the map's point collection first (1.7 MB → ~0.3 MB)
    )
    app.index_string = INDEX_STRING
    server.extensions["dash"] = app
    auth.protect(server)
    from dashboard.callbacks import register_all
    from dashboard.shell import layout

    app.layout = layout
    register_all(app)
    headers.init_app(app)
    return app
