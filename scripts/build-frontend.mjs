// Builds the site's CSS from GOV.UK Frontend's Sass (with the MOJ Frontend components and GOV.UK's
// accessible autocomplete that accord.scss takes) and copies their JavaScript and images into
// src/accord/static/build, where Django's static files finder serves them. Nothing is fetched
// from a CDN: src/accord/static/accord/govuk-init.js starts every component from these files.
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
// MOJ Frontend (filter, add another, sortable table...): its ES module build, which carries the
// parts of GOV.UK Frontend it needs, and the icons its CSS points to.
mkdirSync(`${out}/moj/assets`, { recursive: true });
cpSync("node_modules/@ministryofjustice/frontend/moj/moj-frontend.min.js", `${out}/moj/moj-frontend.min.js`);
cpSync("node_modules/@ministryofjustice/frontend/moj/assets/images", `${out}/moj/assets/images`, { recursive: true });
// GOV.UK's accessible autocomplete: its browser build (it sets window.accessibleAutocomplete);
// its CSS is compiled into accord.css.
mkdirSync(`${out}/accessible-autocomplete`, { recursive: true });
cpSync(
  "node_modules/accessible-autocomplete/dist/accessible-autocomplete.min.js",
  `${out}/accessible-autocomplete/accessible-autocomplete.min.js`,
);
// Charts: Vega-Lite specs rendered in the page by vega-embed (UMD builds, no CDN). vega-embed's
// build carries vega-interpreter, which charts.js turns on (`ast: true`) so that Vega needs no
// `new Function` under the Content-Security-Policy; tests/browser fail on any violation.
mkdirSync(`${out}/vega`, { recursive: true });
cpSync("node_modules/vega/build/vega.min.js", `${out}/vega/vega.min.js`);
cpSync("node_modules/vega-lite/build/vega-lite.min.js", `${out}/vega/vega-lite.min.js`);
cpSync("node_modules/vega-embed/build/vega-embed.min.js", `${out}/vega/vega-embed.min.js`);
console.log(`built ${out}/accord.css (${css.css.length} bytes)`);
