// Draws every chart on the page from its Vega-Lite spec. Without JavaScript the table of the
// chart's numbers, which always follows it, carries the same information.
(function () {
  function draw() {
    if (typeof window.vegaEmbed !== "function") return;
    document.querySelectorAll("[data-accord-chart]").forEach(function (element) {
      var source = document.getElementById(element.getAttribute("data-accord-chart"));
      if (!source) return;
      var spec = JSON.parse(source.textContent);
      window.vegaEmbed(element, spec, { actions: false, renderer: "svg" }).catch(function (error) {
        element.textContent = "The chart could not be drawn; its numbers are in the table below.";
        console.error(error);
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
