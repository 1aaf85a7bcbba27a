// Follows a running analysis: asks its progress address every two seconds, shows what it
// says, and loads the page again when the run has ended. Without JavaScript the page's own
// "Refresh the page" link does the same.
(function () {
  "use strict";
  var box = document.querySelector("[data-accord-progress]");
  if (!box) return;
  var bar = box.querySelector("progress");
  var label = box.querySelector("label");
  function ask() {
    fetch(box.getAttribute("data-accord-progress"), { credentials: "same-origin" })
      .then(function (answer) { return answer.json(); })
      .then(function (found) {
        if (bar) bar.value = found.progress;
        if (label && found.text) label.textContent = found.text;
        if (found.working) window.setTimeout(ask, 2000);
        else window.location.reload();
      })
      .catch(function () { window.setTimeout(ask, 5000); });
  }
  window.setTimeout(ask, 2000);
})();
