"""Component ids: constants for single components, dict factories for pattern-matching families. One place.

Form names too (`…_FORM`): `ids.field(form, name)` and the writers table are keyed by them, so two forms sharing one
would submit into each other (tests/unit/test_ids.py)."""

from __future__ import annotations

import json

# Shell
NAVBAR_TOGGLER = "navbar-toggler"
NAVBAR_COLLAPSE = "navbar-collapse"
APP_ALERT = "app-alert"  # a failed callback says so here
# A store the form feedback's clientside callback writes to (a callback needs an output).
FEEDBACK_SHOWN = "feedback-shown"

# Accueil
HOME_YEAR = "home-year"
HOME_FIGURES = "home-figures"

# Admin (ADMIN_ACCOUNTS and ADMIN_JOURNAL are lists read a page at a time: see `paged`)
ADMIN_ACCOUNTS = "admin-accounts"
ADMIN_ACCOUNTS_TEXT = "admin-accounts-text"
ADMIN_ACCOUNTS_ROLE = "admin-accounts-role"
ADMIN_ACCOUNTS_STATE = "admin-accounts-state"
ADMIN_ACCOUNTS_SORT = "admin-accounts-sort"
ADMIN_JOURNAL = "admin-journal"
ADMIN_JOURNAL_TABLE = "admin-journal-table"
ADMIN_JOURNAL_ACTION = "admin-journal-action"
ADMIN_JOURNAL_WHO = "admin-journal-who"
ADMIN_JOURNAL_SORT = "admin-journal-sort"
ADMIN_NEW_USER_FORM = "new-user"
ADMIN_ACCESS_FORM = "user-access"
ADMIN_IMPORT_KIND = "admin-import-kind"
ADMIN_IMPORT_DRY_RUN = "admin-import-dry-run"
ADMIN_UPLOAD = "admin-upload"
ADMIN_IMPORT_RESULT = "admin-import-result"

# Mon compte
ACCOUNT_PASSWORD_FORM = "own-password"  # noqa: S105 - a form name, not a secret


def paged(key: str, part: str) -> dict:
    """A part of the list `key` read a page at a time (`dashboard.components.paging`): "table", "status",
    "previous", "next", "shown" (the page shown)."""
    return {"type": f"paged-{part}", "list": key}


def field(form: str, name) -> dict:
    """An input of a form; `name` is the argument name of the `db/` write function it feeds."""
    return {"type": "field", "form": form, "name": name}


def field_error(form: str, name) -> dict:
    """The message shown under a field when the server refuses its value."""
    return {"type": "field-error", "form": form, "name": name}


def form_submit(form: str) -> dict:
    return {"type": "form-submit", "form": form}


def form_alert(form: str) -> dict:
    """The form-wide outcome: saved, refused, or not allowed."""
    return {"type": "form-alert", "form": form}


def form_saved(form: str) -> dict:
    """A store bumped after each successful save, for panels that must refresh."""
    return {"type": "form-saved", "form": form}


def form_token(form: str) -> dict:
    """The token of this rendering of the form, spent by its save (`db.writes.spend_form_token`)."""
    return {"type": "form-token", "form": form}


def form_initial(form: str) -> dict:
    """The form's values as rendered and its rule after a save (`dashboard.components.forms.form_body`)."""
    return {"type": "form-initial", "form": form}


def panel_export(area: str, panel, file_format) -> dict:
    """A panel's export button (`file_format`: csv or xlsx); one callback per area matches its buttons with ALL."""
    return {"type": "panel-export", "area": area, "panel": panel, "format": file_format}


def entry_open(area: str) -> dict:
    """The « Saisir … » button at the top of an area's page (dashboard/components/entry.py)."""
    return {"type": "entry-open", "area": area}


def entry_close(area: str) -> dict:
    return {"type": "entry-close", "area": area}


def entry_edit(area: str, form: str, record="chosen") -> dict:
    """A « Modifier » action: opens the area's panel with `record` loaded in `form`; "chosen": the row chosen in the
    area's grid."""
    return {"type": "entry-edit", "area": area, "form": form, "record": record}


def entry_panel(area: str) -> dict:
    """The side panel holding an area's forms."""
    return {"type": "entry-panel", "area": area}


def dom_id(component_id: dict | str) -> str:
    """The DOM id Dash renders for a component id, e.g. for a <label for=…> on a dict id."""
    if isinstance(component_id, str):
        return component_id
    return json.dumps(component_id, sort_keys=True, separators=(",", ":"))


# Indicateurs
IND_PERIOD = "ind-period"
IND_GRANULARITY = "ind-granularity"
IND_BODY = "ind-body"
IND_EXPORT_CSV = "ind-export-csv"
IND_EXPORT_XLSX = "ind-export-xlsx"
IND_DOWNLOAD = "ind-download"

# Rapport
RAPPORT_YEAR = "rapport-year"
RAPPORT_DOWNLOADS = "rapport-downloads"
RAPPORT_PREVIEW = "rapport-preview"
RAPPORT_VERSIONS = "rapport-versions"  # the validated versions and what changed since
RAPPORT_CONVENTION = "rapport-convention"  # the convention covering the year, as the admin sees it
RAPPORT_CONVENTION_EXPORT = "rapport-convention-export"
RAPPORT_CONVENTION_UPLOAD = "rapport-convention-upload"
RAPPORT_CONVENTION_RESULT = "rapport-convention-result"
RAPPORT_CONVENTION_IMPORTED = "rapport-convention-imported"
RAPPORT_DOWNLOAD = "rapport-download"
REPORT_COMMENT_FORM = "report-comment"  # a text of the report: a mission's narrative, the introduction, the conclusion
REPORT_VALIDATE_FORM = "report-validate"
CONVENTION_COPY_FORM = "convention-copy"
CONVENTION_MISSION_FORM = "convention-mission"

# Actions
ACTIONS_YEAR = "actions-year"
ACTIONS_MISSION = "actions-mission"
ACTIONS_KIND = "actions-kind"
ACTIONS_TEXT = "actions-text"
ACTIONS_LIST = "actions"  # a list read a page at a time (`paged`)
ACTIONS_EXPORT = "actions-export"
ACTIONS_DOWNLOAD = "actions-download"
ACTIONS_UPLOAD = "actions-upload"
ACTIONS_IMPORT_RESULT = "actions-import-result"
ACTIONS_IMPORTED = "actions-imported"
ACTION_FORM = "action"

# Projection (every id starts with "proj-": the guard lets a projection screen's link run only those callbacks)
PROJ_ROTATE = "proj-rotate"
PROJ_REFRESH = "proj-refresh"
PROJ_DECK = "proj-deck"
PROJ_COUNTER = "proj-counter"
PROJ_REFRESHED_AT = "proj-refreshed-at"
PROJ_SET_SLIDES = "proj-set-slides"
PROJ_SET_ROTATE = "proj-set-rotate"
PROJ_SET_REFRESH = "proj-set-refresh"
PROJ_SET_THEME = "proj-set-theme"
PROJ_APPLY = "proj-apply"
PROJ_TOKENS = "proj-tokens"
PROJ_SHOWN = "proj-shown"  # the key of the data each slide shows (see callbacks.projection.slide_key)
PROJ_CARTE_MATCH = "proj-carte-match"
PROJ_CARTE_POINTS = "proj-carte-points"
PROJECTION_LINK_FORM = "projection-link"  # a form: its callbacks are no projection screen's
PROJECTION_REVOKE_FORM = "projection-revoke"


def proj_slide(name: str) -> dict:
    """One slide of the projection deck."""
    return {"type": "proj-slide", "name": name}


def proj_slide_body(name: str) -> dict:
    """The refreshed content of one slide."""
    return {"type": "proj-slide-body", "name": name}


# Formations
FORMATIONS_URL = "formations-url"
FORMATIONS_FROM = "formations-from"
FORMATIONS_TO = "formations-to"
FORMATIONS_PROGRAMME = "formations-programme"
FORMATIONS_KIND = "formations-kind"
FORMATIONS_AUDIENCE = "formations-audience"
FORMATIONS_COMMUNE = "formations-commune"
FORMATIONS_RESET = "formations-reset"
FORMATIONS_KPIS = "formations-kpis"
FORMATIONS_DOWNLOAD = "formations-download"
FORMATIONS_ATTENDANCE_SUMMARY = "formations-attendance-summary"
FORMATIONS_SESSIONS = "formations-sessions"  # the grid of the sessions of the selection
FORMATIONS_ATTENDANTS = "formations-attendants"  # the grid of the chosen session's attendants
FORMATIONS_TRAINING_FORM = "formation"
FORMATIONS_SESSION_FORM = "formation-session"
FORMATIONS_ATTENDANT_FORM = "formation-participant"


def formations_panel(panel: str) -> dict:
    """The body of one Formations panel (chart or table), refreshed with the filters."""
    return {"type": "formations-panel", "panel": panel}


# Agenda
AGENDA_URL = "agenda-url"
AGENDA_PERIOD = "agenda-period"
AGENDA_DATE = "agenda-date"
AGENDA_PREVIOUS = "agenda-previous"
AGENDA_NEXT = "agenda-next"
AGENDA_FROM = "agenda-from"
AGENDA_TO = "agenda-to"
AGENDA_ANCHOR_BOX = "agenda-anchor-box"
AGENDA_CUSTOM_BOX = "agenda-custom-box"
AGENDA_CATEGORY = "agenda-category"
AGENDA_COMMUNE = "agenda-commune"
AGENDA_STATUS = "agenda-status"
AGENDA_ORGANISER = "agenda-organiser"
AGENDA_GROUP = "agenda-group"
AGENDA_PERIOD_LABEL = "agenda-period-label"
AGENDA_FEED_LINK = "agenda-feed-link"
AGENDA_KPIS = "agenda-kpis"
AGENDA_TIMELINE = "agenda-timeline"
AGENDA_UPCOMING = "agenda-upcoming"
AGENDA_MAP = "agenda-map"
AGENDA_MAP_LAYER = "agenda-map-layer"
AGENDA_MAP_NOTE = "agenda-map-note"
AGENDA_COUNTS = "agenda-counts"
AGENDA_PICK_MAP = "agenda-pick-map"
AGENDA_PICK_MARKER = "agenda-pick-marker"
AGENDA_UPLOAD = "agenda-upload"
AGENDA_IMPORT_REPORT = "agenda-import-report"
AGENDA_REFRESH = "agenda-refresh"
AGENDA_NOTICE = "agenda-notice"
AGENDA_FORM_LOAD = "agenda-form-load"
AGENDA_CATEGORY_LIST = "agenda-category-list"
AGENDA_DATES = "agenda-dates"
AGENDA_DATES_SORT = "agenda-dates-sort"
AGENDA_EVENT_FORM = "agenda-event"
AGENDA_STATUS_FORM = "agenda-status-change"

# Lettres
LETTRES_YEAR = "lettres-year"
LETTRES_NEWSLETTER = "lettres-filter-newsletter"
LETTRES_KPIS = "lettres-kpis"
LETTRES_SUBSCRIBERS = "lettres-subscribers"
LETTRES_NEWSLETTERS = "lettres-newsletters"
LETTRES_ISSUES_PER_YEAR = "lettres-issues-per-year"
LETTRES_RATES = "lettres-rates"
LETTRES_ISSUES = "lettres-issues"
LETTRES_INDICATOR = "lettres-indicator"
LETTRES_AUDIENCE_CHART = "lettres-audience-chart"
LETTRES_AUDIENCE_TABLE = "lettres-audience-table"
LETTRES_DOWNLOAD = "lettres-download"
LETTRES_IMPORT_KIND = "lettres-import-kind"
LETTRES_IMPORT_HELP = "lettres-import-help"
LETTRES_UPLOAD = "lettres-upload"
LETTRES_IMPORT_RESULT = "lettres-import-result"
LETTRES_IMPORTED = "lettres-imported"
LETTRES_IMPORT_FILE = "lettres-import-file"  # the uploaded file kept while its columns are mapped
LETTRES_IMPORT_MAPPING = "lettres-import-mapping"
LETTRES_IMPORT_MAPPING_FIELDS = "lettres-import-mapping-fields"
LETTRES_IMPORT_MAPPED = "lettres-import-mapped"
LETTRES_FORMS = "lettres-forms"  # the accordion of the entry panel
LETTRES_NEWSLETTER_FORM = "lettres-newsletter"
LETTRES_ISSUE_FORM = "lettres-issue"
LETTRES_SNAPSHOT_FORM = "lettres-snapshot"
LETTRES_AUDIENCE_FORM = "lettres-audience"


def lettres_import_column(column: str) -> dict:
    """The header chosen for one of the kind's columns in the mapping step."""
    return {"type": "lettres-import-column", "column": column}


# Matériel
MATERIEL_YEAR = "materiel-year"
MATERIEL_FROM = "materiel-from"
MATERIEL_TO = "materiel-to"
MATERIEL_PERIOD_NOTE = "materiel-period-note"
MATERIEL_SUMMARY = "materiel-summary"
MATERIEL_GAUGES = "materiel-gauges"
MATERIEL_CATEGORIES = "materiel-categories"
MATERIEL_MONTHS = "materiel-months"
MATERIEL_BORROWERS = "materiel-borrowers"
MATERIEL_COMMUNES = "materiel-communes"
MATERIEL_EPCIS = "materiel-epcis"
MATERIEL_LOWER_SEEN = "materiel-lower-seen"  # the reader came near the loans and the panels below (cards.reveal_marker)
MATERIEL_CALENDAR = "materiel-calendar"
MATERIEL_OVERDUE = "materiel-overdue"
MATERIEL_LOANS = "materiel-loans"  # the grid of the loans to follow
MATERIEL_LOANS_BODY = "materiel-loans-body"  # where that grid is drawn once the reader comes near
MATERIEL_LOANS_STATUS = "materiel-loans-status"
MATERIEL_SHOW_OVERDUE = "materiel-show-overdue"
MATERIEL_CALENDAR_START = "materiel-calendar-start"
MATERIEL_CALENDAR_LABEL = "materiel-calendar-label"
MATERIEL_CALENDAR_PREVIOUS = "materiel-calendar-previous"
MATERIEL_CALENDAR_TODAY = "materiel-calendar-today"
MATERIEL_CALENDAR_NEXT = "materiel-calendar-next"
MATERIEL_CALENDAR_ROWS = "materiel-calendar-rows"  # the pager of the calendar's rows (items), under the chart
MATERIEL_CALENDAR_ROWS_START = "materiel-calendar-rows-start"
MATERIEL_CALENDAR_ROWS_LABEL = "materiel-calendar-rows-label"
MATERIEL_CALENDAR_ROWS_PREVIOUS = "materiel-calendar-rows-previous"
MATERIEL_CALENDAR_ROWS_NEXT = "materiel-calendar-rows-next"
MATERIEL_CATALOGUE = "materiel-catalogue"
MATERIEL_CATALOGUE_GRID = "materiel-catalogue-grid"
MATERIEL_DOWNLOAD = "materiel-download"
MATERIEL_LOAN_FORM = "loan"
MATERIEL_LOAN_ACTION_FORM = "loan-action"
MATERIEL_ITEM_FORM = "equipment-item"


# Carte
CARTE_MAP = "carte-map"
CARTE_POINTS = "carte-points"
CARTE_MATCH = "carte-match"
CARTE_LOADED = "carte-loaded"
CARTE_IFN = "carte-ifn"
CARTE_IFN_LAYER = "carte-ifn-layer"
CARTE_BASE_LAYER = "carte-base-layer"
CARTE_IFN_PANEL = "carte-ifn-panel"
CARTE_SEARCH = "carte-search"
CARTE_HOURS = "carte-hours"
CARTE_COMMUNE = "carte-commune"
CARTE_EPCI = "carte-epci"
CARTE_FRESHNESS = "carte-freshness"
CARTE_RESET = "carte-reset"
CARTE_COUNT = "carte-count"
CARTE_ACTIVE = "carte-active"
CARTE_LIST = "carte-list"
CARTE_QUERY = "carte-query"
CARTE_URL_SYNCED = "carte-url-synced"
CARTE_SELECTED = "carte-selected"
CARTE_PANEL = "carte-panel"
CARTE_CSV = "carte-csv"
CARTE_PDF = "carte-pdf"
CARTE_PDF_SHEETS = "carte-pdf-sheets"
CARTE_DOWNLOAD = "carte-download"
CARTE_COLOR = "carte-color"
CARTE_LEGEND = "carte-legend"
CARTE_PLACE_FORM = "place"
LIEU_ID = "lieu-id"
LIEU_SHEET = "lieu-sheet"
LIEU_EDIT = "lieu-form"  # the sheet's place form, built by a callback
LIEU_PDF = "lieu-pdf"
LIEU_BACK = "lieu-back"
LIEU_DOWNLOAD = "lieu-download"


def carte_facet(key: str) -> dict:
    """The checklist of one facet of the Carte (key of `db.carte.FACETS`)."""
    return {"type": "carte-facet", "key": key}


def carte_place(place_id: str) -> dict:
    """A place of the Carte's list: a click centres the map on it."""
    return {"type": "carte-place", "id": place_id}
