/* Portal pages (templates/base.html). On a phone the main navigation is one line that scrolls
 * sideways; when the current section's link is outside it, scroll the line (not the page) so the
 * link shows. Loaded as a static file: the Content-Security-Policy allows no inline script.
 */
(function () {
  "use strict";

  function showCurrent() {
    var current = document.querySelector('.site-nav [aria-current="page"]');
    var nav = current && current.closest(".site-nav");
    if (!nav || nav.scrollWidth <= nav.clientWidth) return;
    var start = current.offsetLeft;
    var end = start + current.offsetWidth;
    if (start < nav.scrollLeft || end > nav.scrollLeft + nav.clientWidth) {
      nav.scrollLeft = Math.max(0, start - (nav.clientWidth - current.offsetWidth) / 2);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", showCurrent);
  } else {
    showCurrent();
  }
})();
