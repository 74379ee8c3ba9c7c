/* Fixes for upstream widgets, applied as they appear in the page.

   1. dbc.Select always renders a hidden, disabled placeholder option of value "". A select that also offers a blank
      choice of value "" (« Toutes », « Aucune », « Nouvelle… ») then traps the arrow keys: ArrowDown picks the blank
      choice, whose value "" selects the hidden placeholder again. The placeholder gets another value, so "" means the
      visible blank choice only. React never rewrites that option (its props do not change).
   2. Dash 4's dcc.Dropdown puts an aria-hidden input before its button as a focus proxy, in the tab order: Shift+Tab
      lands on something invisible and axe reports it (aria-hidden-focus). It leaves the tab order and the dropdown's
      own button (labelled, opened with Enter or ArrowDown) enters it; the button gives the proxy its tab stop back
      when it loses focus, so that is undone after each blur.
   4. Leaflet's zoom buttons are titled "Zoom in" / "Zoom out" (dash-leaflet has no option for it): in French.
   3. A table wider than its panel scrolls inside it (.table-responsive): it must be reachable by keyboard to scroll
      (axe: scrollable-region-focusable), so it becomes a named region in the tab order while it overflows.
   5. react-bootstrap's Offcanvas (the entry panels) ends its closing at a `transitionend` on itself, with a timer as a
      fallback that dom-helpers cancels at the first `transitionend` bubbling to it, whatever its target. A transition
      ending inside the panel as it closes (ag-grid slides its header cells) then left it half closed, invisible but
      still in the page and the tab order, whenever the panel had no transition of its own (reduced motion). The
      panel's body keeps its children's transitions to itself. */
(function () {
    const PLACEHOLDER = "\u2063placeholder";  // an invisible separator: no real option uses it

    function fixSelect(select) {
        const hidden = select.querySelector("option[hidden][disabled]");
        if (!hidden || hidden.value !== "") { return; }
        const blank = Array.prototype.find.call(select.options, function (option) {
            return option !== hidden && option.value === "";
        });
        if (!blank) { return; }
        const showingPlaceholder = select.selectedIndex === hidden.index;
        hidden.value = PLACEHOLDER;
        if (showingPlaceholder) { blank.selected = true; }
    }

    // Each scrolling table's region needs its own name (axe: landmark-unique): its caption, else its panel's title.
    function tableName(box, index) {
        const caption = box.querySelector("caption");
        const panel = box.closest(".card, section");
        const heading = panel && panel.querySelector("h2, h3, h4, .card-header");
        const text = (caption || heading || {}).textContent;
        const name = (text && text.trim() ? "Tableau : " + text.trim() : "Tableau") + " (défilement avec les flèches)";
        const taken = document.querySelector('[role="region"][aria-label="' + CSS.escape(name) + '"]');
        return taken ? name.replace(" (", " " + (index + 1) + " (") : name;
    }

    function fixProxies(root) {
        root.querySelectorAll(".dash-dropdown-focus-target").forEach(function (proxy) {
            if (proxy.tabIndex !== -1) { proxy.tabIndex = -1; }
            // The dropdown's own button (tabIndex -1 upstream, reached through the proxy) takes the proxy's place.
            const button = proxy.nextElementSibling;
            if (button && button.tagName === "BUTTON" && !button.disabled && button.tabIndex !== 0) {
                button.tabIndex = 0;
            }
        });
    }

    function fixAll(root) {
        root.querySelectorAll("select").forEach(fixSelect);
        fixProxies(root);
        [[".leaflet-control-zoom-in", "Zoom avant"], [".leaflet-control-zoom-out", "Zoom arrière"]].forEach(function (pair) {
            root.querySelectorAll(pair[0]).forEach(function (button) {
                if (button.title !== pair[1]) {
                    button.title = pair[1];
                    button.setAttribute("aria-label", pair[1]);
                }
            });
        });
        root.querySelectorAll(".offcanvas-body").forEach(function (body) {
            if (body.dataset.ownTransitions) { return; }
            body.dataset.ownTransitions = "1";
            body.addEventListener("transitionend", function (event) { event.stopPropagation(); });
        });
        root.querySelectorAll(".table-responsive").forEach(function (box, index) {
            const scrolls = box.scrollWidth > box.clientWidth + 1 || box.scrollHeight > box.clientHeight + 1;
            if (scrolls && !box.hasAttribute("tabindex")) {
                box.setAttribute("tabindex", "0");
                box.setAttribute("role", "region");
                box.setAttribute("aria-label", tableName(box, index));
            }
        });
    }

    let pending = false;
    const observer = new MutationObserver(function () {
        // The proxies at once (a microtask, before anything else runs): never a moment with one in the tab order.
        fixProxies(document);
        if (pending) { return; }
        pending = true;
        window.requestAnimationFrame(function () {
            pending = false;
            fixAll(document);
        });
    });
    function start() {
        fixAll(document);
        // tabindex too: a dropdown that renders again sets its proxy's tabindex back.
        observer.observe(document.body, {childList: true, subtree: true, attributes: true, attributeFilter: ["tabindex"]});
        window.addEventListener("resize", function () { fixAll(document); });
        document.addEventListener("focusout", function (event) {
            if (event.target.closest && event.target.closest(".dash-dropdown-wrapper, .dash-dropdown")) {
                window.setTimeout(function () { fixAll(document); }, 0);
            }
        }, true);
    }
    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", start);
    } else {
        start();
    }
})();
