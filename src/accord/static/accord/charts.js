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

  var SVG = "http://www.w3.org/2000/svg";

  // Every mark item in the drawn scene, in drawing order (a later layer after an earlier).
  function items(node, found) {
    if (!node) return found;
    if (node.datum !== undefined) found.push(node);
    (node.items || []).forEach(function (child) {
      items(child, found);
    });
    return found;
  }

  // A spec with `usermeta.keyboard` (the national map) has its linked shapes reachable by
  // keyboard: each area once (the shape drawn on top), in the page's tab order, named by its
  // description ("Lincolnshire: 3, ..."), opened with Enter as a click opens it, and outlined
  // while focused (SVG attributes: the CSP allows no style attributes).
  function keyboard(element, view) {
    var chosen = {};
    var order = [];
    items(view.scenegraph().root, []).forEach(function (item) {
      if (!item.href || !item._svg) return;
      if (!(item.href in chosen)) order.push(item.href);
      chosen[item.href] = item;
    });
    if (!order.length) return;
    // Focusable shapes must not sit inside content hidden from assistive technology.
    element.removeAttribute("aria-hidden");
    order.forEach(function (href) {
      var item = chosen[href];
      var shape = item._svg;
      var outline = null;
      shape.setAttribute("tabindex", "0");
      shape.setAttribute("role", "link");
      shape.setAttribute("aria-label", item.description || href);
      shape.addEventListener("keydown", function (event) {
        if (event.key === "Enter") {
          event.preventDefault();
          window.location.assign(href);
        }
      });
      shape.addEventListener("focus", function () {
        var svg = shape.ownerSVGElement;
        if (!svg || outline) return;
        // Drawn last, over the neighbouring areas: GOV.UK's focus colours, black on yellow.
        outline = document.createElementNS(SVG, "g");
        outline.setAttribute("pointer-events", "none");
        outline.setAttribute("aria-hidden", "true");
        var transform = shape.getAttribute("transform");
        var box = svg.getScreenCTM();
        var at = shape.getScreenCTM();
        if (box && at) {
          var m = box.inverse().multiply(at);
          outline.setAttribute(
            "transform",
            "matrix(" + [m.a, m.b, m.c, m.d, m.e, m.f].join(" ") + ")"
          );
        } else if (transform) {
          outline.setAttribute("transform", transform);
        }
        [
          ["#ffdd00", "6"],
          ["#0b0c0c", "2.5"],
        ].forEach(function (stroke) {
          var line = document.createElementNS(SVG, "path");
          line.setAttribute("d", shape.getAttribute("d"));
          line.setAttribute("fill", "none");
          line.setAttribute("stroke", stroke[0]);
          line.setAttribute("stroke-width", stroke[1]);
          line.setAttribute("stroke-linejoin", "round");
          outline.appendChild(line);
        });
        svg.appendChild(outline);
      });
      shape.addEventListener("blur", function () {
        if (outline && outline.parentNode) outline.parentNode.removeChild(outline);
        outline = null;
      });
    });
  }

  function draw() {
    if (typeof window.vegaEmbed !== "function") return;
    document.querySelectorAll("[data-accord-chart]").forEach(function (element) {
      var source = document.getElementById(element.getAttribute("data-accord-chart"));
      if (!source) return;
      var spec = JSON.parse(source.textContent);
      // A map keeps its shape: on a narrow screen no taller than its width needs
      // (`usermeta.aspect`, height over width), rather than a fixed height's empty band.
      var aspect = spec.usermeta && spec.usermeta.aspect;
      if (aspect && element.clientWidth && typeof spec.height === "number") {
        spec.height = Math.round(Math.min(spec.height, element.clientWidth * aspect));
      }
      window
        .vegaEmbed(element, spec, OPTIONS)
        .then(function (result) {
          if (spec.usermeta && spec.usermeta.keyboard) keyboard(element, result.view);
        })
        .catch(function (error) {
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
