// Starts GOV.UK Frontend's and MOJ Frontend's components (loaded as modules, so only by browsers
// they support), and the organisation pickers where a page has one.
import { initAll } from "../build/govuk-frontend.min.js";
import * as MOJFrontend from "../build/moj/moj-frontend.min.js";

initAll();
MOJFrontend.initAll();

// The MOJ filter: on a phone the panel hides behind a "Show filter" button in the action bar
// (includes/filter.html); on a wider screen it stays open beside the results.
document.querySelectorAll('[data-module="moj-filter"]').forEach(function (filter) {
  if (document.querySelector(".moj-action-bar__filter")) {
    new MOJFrontend.FilterToggleButton(filter, {
      bigModeMediaQuery: "(min-width: 48.0625em)",
      startHidden: false,
      toggleButton: { showText: "Show filter", hideText: "Hide filter", classes: "govuk-button--secondary" },
      closeButton: { text: "Close", classes: "moj-filter__close" },
    });
  }
});

// Organisation pickers (core.widgets): GOV.UK's accessible autocomplete is loaded only on pages
// that have one, then organisations.js (which it defines) enhances them.
if (document.querySelector("[data-accord-organisation], [data-accord-organisations]")) {
  var here = new URL(import.meta.url);
  var script = document.createElement("script");
  script.src = new URL("../build/accessible-autocomplete/accessible-autocomplete.min.js", here).href;
  script.onload = function () {
    import("./organisations.js").then(function (module) {
      module.enhanceAll(document);
    });
  };
  document.head.appendChild(script);
}
