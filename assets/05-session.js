/* When the session has ended (idle, logout elsewhere, password changed), a callback answers 401: say so in French,
   in view, with a link to log in again in a new tab (a 403, data of another role, is said the same way). The form fields keep what was typed (Dash's local persistence,
   see dashboard/components/forms.py), so nothing is lost: log in, come back, save again. */
(function () {
    const original = window.fetch;
    function banner(message, expired) {
        if (document.getElementById("session-expired")) {
            return;
        }
        const box = document.createElement("div");
        box.id = "session-expired";
        box.className = "alert alert-warning shadow session-expired";
        box.setAttribute("role", "alert");
        const next = encodeURIComponent(window.location.pathname + window.location.search);
        box.innerHTML = expired
            ? '<strong></strong> Ce que vous avez saisi est conservé dans ce navigateur : ' +
              '<a target="_blank" rel="noopener" href="/login?next=' + next + '">reconnectez-vous</a> ' +
              "(nouvel onglet), puis enregistrez à nouveau ici."
            : "<strong></strong>";  // a role refused (403): the server's message says which data
        box.querySelector("strong").textContent = message;
        document.body.appendChild(box);
    }
    // Dash 4 reads the body of a 401 twice (once for its JWT refresh, once for its error report) and fails on the
    // second read: the answer handed on is a copy whose body can be read again.
    function rereadable(response, text) {
        const copy = new Response(text, {status: response.status, statusText: response.statusText, headers: response.headers});
        copy.text = function () { return Promise.resolve(text); };
        copy.json = function () { return Promise.resolve(JSON.parse(text)); };
        return copy;
    }
    window.fetch = function (resource, init) {
        return original.apply(this, arguments).then(function (response) {
            const url = typeof resource === "string" ? resource : (resource && resource.url) || "";
            if ((response.status === 401 || response.status === 403) && url.indexOf("_dash-update-component") !== -1) {
                return response.text().then(function (text) {
                    let message = "Votre session a expiré.";
                    try { message = JSON.parse(text).error || message; } catch (error) { /* not JSON: keep the default */ }
                    banner(message, response.status === 401);
                    return rereadable(response, text);
                });
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
