/* When the session has ended (idle, logout elsewhere, password changed), a callback answers 401: say so in French,
   in view, with a link to log in again in a new tab. The form fields keep what was typed (Dash's local persistence,
   see dashboard/components/forms.py), so nothing is lost: log in, come back, save again. */
(function () {
    const original = window.fetch;
    function banner(message) {
        if (document.getElementById("session-expired")) {
            return;
        }
        const box = document.createElement("div");
        box.id = "session-expired";
        box.className = "alert alert-warning shadow session-expired";
        box.setAttribute("role", "alert");
        const next = encodeURIComponent(window.location.pathname + window.location.search);
        box.innerHTML =
            '<strong></strong> Ce que vous avez saisi est conservé dans ce navigateur : ' +
            '<a target="_blank" rel="noopener" href="/login?next=' + next + '">reconnectez-vous</a> ' +
            "(nouvel onglet), puis enregistrez à nouveau ici.";
        box.querySelector("strong").textContent = message;
        document.body.appendChild(box);
    }
    window.fetch = function (resource, init) {
        return original.apply(this, arguments).then(function (response) {
            const url = typeof resource === "string" ? resource : (resource && resource.url) || "";
            if (response.status === 401 && url.indexOf("_dash-update-component") !== -1) {
                response.clone().json().then(
                    function (body) { banner((body && body.error) || "Votre session a expiré."); },
                    function () { banner("Votre session a expiré."); }
                );
            }
            return response;
        });
    };
    // Back in this tab after logging in elsewhere: the banner goes.
    window.addEventListener("focus", function () {
        const box = document.getElementById("session-expired");
        if (box && document.cookie.indexOf("_csrf_token") !== -1) {
            original("/_dash-layout", {credentials: "same-origin"}).then(function (r) {
                if (r.ok) { box.remove(); }
            });
        }
    });
})();
