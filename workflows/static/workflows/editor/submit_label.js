// The page editor's submit button names the workflow the form would go to: the server renders
// the label of every priority on the button (data-ttcs-submit-labels), this follows the field.
(function () {
  "use strict";

  function labelsOf(button) {
    try {
      return JSON.parse(button.dataset.ttcsSubmitLabels || "{}");
    } catch (error) {
      return {};
    }
  }

  function sync(button) {
    var form = button.form;
    var field = form && form.elements.namedItem(button.dataset.ttcsPriorityField);
    if (!field) {
      return;
    }
    var label = labelsOf(button)[field.value];
    var text = button.querySelector("[data-ttcs-submit-label]");
    if (label && text) {
      text.textContent = label;
      button.value = label;
    }
  }

  function syncAll() {
    document.querySelectorAll("button[data-ttcs-submit-labels]").forEach(sync);
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target && target.form && target.name) {
      target.form.querySelectorAll("button[data-ttcs-submit-labels]").forEach(function (button) {
        if (button.dataset.ttcsPriorityField === target.name) {
          sync(button);
        }
      });
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", syncAll);
  } else {
    syncAll();
  }
})();
