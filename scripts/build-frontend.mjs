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
console.log(`built ${out}/accord.css (${css.css.length} bytes)`);
