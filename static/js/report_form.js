/* Monthly-report pages. Loaded as a static file (no inline script: the CSP forbids it).
 *
 * The report form ([data-report-form]): the total enrolment, the carers the ratios require
 * (children per carer come from the server as data-per-carer on each class input: 1:3, 1:5, 1:7,
 * mixed 1:5) and live hints, computed as the operator types. The server applies the same rules
 * when the form is saved or submitted; these are only hints.
 *
 * The review queue ([data-select-all]): a checkbox that ticks every report on the page.
 */
(function () {
  "use strict";

  function count(input) {
    if (!input) return 0;
    var value = parseInt(input.value, 10);
    return isNaN(value) || value < 0 ? 0 : value;
  }

  function show(element, visible) {
    if (element) element.hidden = !visible;
  }

  function setupReportForm(form) {
    var classInputs = form.querySelectorAll("input[data-per-carer]");
    var total = document.getElementById("rf-total");
    var required = document.getElementById("rf-required");
    var ratioHint = document.getElementById("rf-ratio-hint");
    var registryHint = document.getElementById("rf-registry-hint");
    var subsetHint = document.getElementById("rf-subset-hint");
    var onDuty = form.querySelector("#id_staff_on_duty");
    var certified = form.querySelector("#id_staff_certified");
    var vouchers = form.querySelector("#id_voucher_children");
    var specialNeeds = form.querySelector("#id_special_needs_children");
    var reason = form.querySelector("#id_staff_override_reason");

    function update() {
      var children = 0;
      var carers = 0;
      classInputs.forEach(function (input) {
        var n = count(input);
        children += n;
        carers += n / parseInt(input.getAttribute("data-per-carer"), 10);
      });
      // As the server rounds: ceil, ignoring floating-point dust (e.g. 2.0000000001).
      var need = Math.ceil(carers - 1e-9);
      if (total) total.textContent = String(children);
      if (required) required.textContent = String(need);
      show(ratioHint, children > 0 && count(onDuty) < need);
      show(subsetHint, Math.max(count(vouchers), count(specialNeeds)) > children);
      if (registryHint && onDuty && onDuty.hasAttribute("data-registry")) {
        var differs =
          count(onDuty) !== parseInt(onDuty.getAttribute("data-registry"), 10) ||
          count(certified) !== parseInt(certified.getAttribute("data-registry"), 10);
        show(registryHint, differs && !(reason && reason.value.trim()));
      }
    }

    form.addEventListener("input", update);
    update();

    // Nothing typed is lost by leaving the page by mistake.
    var dirty = false;
    var sending = false;
    form.addEventListener("input", function () {
      dirty = true;
    });
    form.addEventListener("submit", function () {
      sending = true;
    });
    window.addEventListener("beforeunload", function (event) {
      if (dirty && !sending) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
  }

  function setupSelectAll(box) {
    var scope = box.closest("form") || document;
    var boxes = scope.querySelectorAll("input[type=checkbox][name=report]");
    box.hidden = false;
    var label = box.closest("[data-select-all-wrap]");
    if (label) label.hidden = false;
    box.addEventListener("change", function () {
      boxes.forEach(function (item) {
        item.checked = box.checked;
      });
    });
  }

  function setup() {
    document.querySelectorAll("form[data-report-form]").forEach(setupReportForm);
    document.querySelectorAll("input[data-select-all]").forEach(setupSelectAll);
    var summary = document.getElementById("error-summary");
    if (summary) summary.focus();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();
