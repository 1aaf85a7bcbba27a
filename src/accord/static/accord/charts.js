// Draws every chart on the page from its Vega-Lite spec. Without JavaScript the table of the
// chart's numbers, which always follows it, carries the same information.
//
// The Content-Security-Policy allows no eval and no inline style, so:
// - `ast: true` makes vega-embed evaluate Vega expressions with the interpreter from
//   vega-interpreter (bundled in vega-embed's build) instead of compiling them with
//   `new Function`;
// - `defaultStyle: false` and the tooltip's `disableDefaultStyle` stop vega-embed and
//   vega-tooltip adding <style> elements; their rules are in accord.scss instead.
(function () {
  var OPTIONS = {
    actions: false,
    renderer: "svg",
    ast: true,
    defaultStyle: false,
    tooltip: { disableDefaultStyle: true },
  };

  function draw() {
    if (typeof window.vegaEmbed !== "function") return;
    document.querySelectorAll("[data-accord-chart]").forEach(function (element) {
      var source = document.getElementById(element.getAttribute("data-accord-chart"));
      if (!source) return;
      var spec = JSON.parse(source.textContent);
      window.vegaEmbed(element, spec, OPTIONS).catch(function (error) {
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
