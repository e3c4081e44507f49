/* Indicator pages: progress of a recompute or an evaluation report, polled from a small JSON
 * endpoint ([data-progress-url][data-polling]). Loaded as a static file (no inline script).
 *
 * The endpoint answers {progress: 0-100, text, finished}. While it runs, the bar and the text
 * follow it; when it has finished, the page reloads to show the result (the new snapshots, or the
 * report's download link). Without JavaScript the page refreshes itself (<noscript> meta refresh)
 * and shows the same state from the server.
 */
(function () {
  "use strict";

  var INTERVAL = 1500;
  var MAX_ERRORS = 5;

  document.documentElement.classList.add("js");

  function poll(box) {
    var url = box.getAttribute("data-progress-url");
    var bar = box.querySelector("progress");
    var text = box.querySelector(".kpi-progress__text");
    var errors = 0;

    function update(data) {
      if (bar && typeof data.progress === "number") {
        bar.value = data.progress;
        bar.textContent = data.progress + "%";
      }
      if (text && data.text) {
        text.textContent = data.text + (data.error ? " " + data.error : "");
      }
    }

    function tick() {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        })
        .then(function (data) {
          errors = 0;
          update(data);
          if (data.finished) {
            window.location.reload();
          } else {
            window.setTimeout(tick, INTERVAL);
          }
        })
        .catch(function () {
          errors += 1;
          if (errors < MAX_ERRORS) window.setTimeout(tick, INTERVAL * errors);
        });
    }

    window.setTimeout(tick, INTERVAL);
  }

  function ready() {
    document.querySelectorAll("[data-progress-url][data-polling]").forEach(poll);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
