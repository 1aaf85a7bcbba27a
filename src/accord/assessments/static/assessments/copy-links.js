// A "Copy" button beside each personal link, where the browser can copy to the clipboard.
// Without JavaScript (or without a clipboard) the links are still there to select and copy,
// and the whole list downloads as a CSV file.
(function () {
  "use strict";
  if (!navigator.clipboard || !window.isSecureContext) {
    return;
  }
  var status = document.getElementById("copy-status");
  document.querySelectorAll("[data-copy-from]").forEach(function (place) {
    var source = document.getElementById(place.getAttribute("data-copy-from"));
    if (!source) {
      return;
    }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "govuk-button govuk-button--secondary govuk-!-margin-bottom-0";
    button.textContent = "Copy";
    var who = document.createElement("span");
    who.className = "govuk-visually-hidden";
    who.textContent = " the link for " + place.getAttribute("data-copy-for");
    button.appendChild(who);
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.textContent.trim()).then(function () {
        button.firstChild.textContent = "Copied";
        if (status) {
          status.textContent = "The link for " + place.getAttribute("data-copy-for") + " is copied.";
        }
      });
    });
    place.appendChild(button);
  });
})();
