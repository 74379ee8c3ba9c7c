"""Entry point: `flask --app app …` for the CLI, `gunicorn app:server` in production, `python app.py` in development."""

import gc

from dashboard import create_app

app = create_app()
server = app.server
# Objects built at start-up live for the whole process: keep them out of the garbage collector's scans.
gc.freeze()

if __name__ == "__main__":
    app.run(host="127.0.0.1", port=server.config["PORT"], debug=False)
