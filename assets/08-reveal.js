/* Lower panels are drawn when the reader comes near them (dashboard.components.cards.reveal_marker): once its marker
   is within a quarter of a screen of the viewport, the marker's store turns true and their callbacks run. */
(function () {
    const near = new IntersectionObserver(function (entries) {
        entries.forEach(function (entry) {
            if (entry.isIntersecting) {
                near.unobserve(entry.target);
                window.dash_clientside.set_props(entry.target.dataset.reveals, {data: true});
            }
        });
    }, {rootMargin: "0px 0px 25% 0px"});

    let pending = false;
    new MutationObserver(function () {
        if (pending) { return; }
        pending = true;
        window.requestAnimationFrame(function () {
            pending = false;
            document.querySelectorAll(".reveal-marker:not([data-watched])").forEach(function (marker) {
                marker.dataset.watched = "1";
                near.observe(marker);
            });
        });
    }).observe(document.documentElement, {childList: true, subtree: true});
})();
