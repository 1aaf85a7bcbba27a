// Builds the site's CSS from GOV.UK Frontend's Sass and copies its JavaScript and images into
// src/accord/static/build, where Django's static files finder serves them.
import { compile } from "sass";
import { cpSync, mkdirSync, writeFileSync } from "node:fs";

const out = "src/accord/static/build";
mkdirSync(`${out}/govuk/assets`, { recursive: true });
const css = compile("src/accord/static_src/accord.scss", {
  loadPaths: ["."],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import", "global-builtin", "slash-div"],
});
writeFileSync(`${out}/accord.css`, css.css);
cpSync("node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js", `${out}/govuk-frontend.min.js`);
cpSync("node_modules/govuk-frontend/dist/govuk/assets/images", `${out}/govuk/assets/images`, { recursive: true });
// Charts: Vega-Lite specs rendered in the page by vega-embed (UMD builds, no CDN). vega-embed's
// build carries vega-interpreter, which charts.js turns on (`ast: true`) so that Vega needs no
// `new Function` under the Content-Security-Policy; tests/browser fail on any violation.
mkdirSync(`${out}/vega`, { recursive: true });
cpSync("node_modules/vega/build/vega.min.js", `${out}/vega/vega.min.js`);
cpSync("node_modules/vega-lite/build/vega-lite.min.js", `${out}/vega/vega-lite.min.js`);
cpSync("node_modules/vega-embed/build/vega-embed.min.js", `${out}/vega/vega-embed.min.js`);
console.log(`built ${out}/accord.css (${css.css.length} bytes)`);
