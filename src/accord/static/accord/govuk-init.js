// Starts GOV.UK Frontend's components (loaded as a module, so only by browsers it supports).
import { initAll } from "../build/govuk-frontend.min.js";

initAll();
