/* Feedback where the eyes are (dashboard/callbacks/forms.py): a form's outcome (saved, refused, not allowed, a
   one-time secret) shows as a toast fixed in view; only the latest one is shown. Focus goes to the first field the
   server refused, otherwise to the toast; closing the toast (its button or Escape) gives focus back to the form.
   After a save, the page's panels that the server redraws in the next seconds are marked « Mis à jour » for a while,
   so the eye finds what the entry changed. */
(function () {
    const CURRENT = "is-current";

    function domId(id) {
        // Dash's DOM id for a dict id: its keys sorted, as JSON.
        const sorted = {};
        Object.keys(id).sort().forEach(function (key) { sorted[key] = id[key]; });
        return JSON.stringify(sorted);
    }

    function firstInvalidControl(form) {
        const error = form && form.querySelector(".field-error:not(:empty)");
        const field = error && error.parentElement;
        return field && field.querySelector("input:not([type=hidden]), select, textarea, [tabindex]:not([tabindex='-1'])");
    }

    function snapshot(box) {
        const alert = box && box.querySelector(".alert");
        return alert ? alert.className + "|" + alert.textContent : "";
    }

    function place(alertId, before, tries) {
        const box = document.getElementById(domId(alertId));
        if (!box) { return; }
        const alert = box.querySelector(".alert");
        // The new outcome may not be rendered yet (it arrives with the fields' messages): wait a few frames for it.
        if ((!alert || snapshot(box) === before) && tries > 0) {
            window.requestAnimationFrame(function () { place(alertId, before, tries - 1); });
            return;
        }
        if (!alert) { return; }
        document.querySelectorAll(".form-feedback." + CURRENT).forEach(function (other) {
            if (other !== box) { other.classList.remove(CURRENT); }
        });
        box.classList.add(CURRENT);
        const form = box.closest(".app-form");
        if (alert.classList.contains("alert-success")) { savedAt = Date.now(); }
        const invalid = alert.classList.contains("alert-danger") && firstInvalidControl(form);
        if (invalid) {
            invalid.focus();
            return;
        }
        alert.setAttribute("tabindex", "-1");
        alert.focus({preventScroll: true});
    }

    // --- the panels a save changed ---------------------------------------------------------------------------
    const MARK_WINDOW_MS = 8000;  // the panels redrawn this long after a save are its consequences
    const MARK_SHOWN_MS = 6000;
    let savedAt = 0;

    function markPanel(card) {
        if (card.classList.contains("panel-updated")) { return; }
        card.classList.add("panel-updated");
        window.setTimeout(function () { card.classList.remove("panel-updated"); }, MARK_SHOWN_MS);
    }

    new MutationObserver(function (mutations) {
        if (Date.now() - savedAt > MARK_WINDOW_MS) { return; }
        mutations.forEach(function (mutation) {
            const target = mutation.target.nodeType === 1 ? mutation.target : mutation.target.parentElement;
            // A panel of the page: not the form itself, its side panel or the toast.
            const card = target && target.closest(".card");
            if (card && !card.closest(".app-form, .entry-panel, .form-feedback") && !card.querySelector(".app-form")) {
                markPanel(card);
            }
        });
    }).observe(document.documentElement, {childList: true, subtree: true});

    function backToForm(box) {
        const form = box.closest(".app-form");
        const button = form && form.querySelector(".form-submit");
        box.classList.remove(CURRENT);
        if (button) { button.focus({preventScroll: true}); }
    }

    document.addEventListener("click", function (event) {
        const close = event.target.closest(".alert .btn-close");
        if (!close) { return; }
        const box = close.closest(".form-feedback");
        if (box) {
            backToForm(box);
        } else {
            close.closest(".alert").hidden = true;  // a copy of an outcome shown on the page (the Agenda's notice)
        }
    });
    // Escape in a toast closes the toast only, not the side panel around the form: caught before the panel's own
    // listener (capture phase on window).
    window.addEventListener("keydown", function (event) {
        const box = event.key === "Escape" && event.target.closest && event.target.closest(".form-feedback");
        if (box) {
            event.stopPropagation();
            backToForm(box);
        }
    }, true);

    window.dash_clientside = Object.assign({}, window.dash_clientside, {
        feedback: {
            show: function () {
                const context = window.dash_clientside.callback_context;
                const id = context && context.triggered_id;
                if (id && typeof id === "object") {
                    const before = snapshot(document.getElementById(domId(id)));
                    window.requestAnimationFrame(function () { place(id, before, 20); });
                }
                return window.dash_clientside.no_update;
            },
        },
    });
})();
