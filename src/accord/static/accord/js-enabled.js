// GOV.UK Frontend's body classes, set before the page is drawn so that components styled for
// JavaScript do not flicker. A file rather than the inline script in GOV.UK's own template: the
// Content-Security-Policy allows no inline script.
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
