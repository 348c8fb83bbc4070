// xregion console: the little script the pages need. No inline script anywhere (the
// Content-Security-Policy forbids it); htmx does the rest.
"use strict";

// A select marked data-autosubmit submits its form when chosen (the Region selector).
document.addEventListener("change", (e) => {
  if (e.target.matches("[data-autosubmit]")) e.target.form.requestSubmit();
});

// The Lifecycle's 90-day rule, checked before submitting so that a person learns it
// while typing; AWS Backup checks it again, and its error is shown if the page is bypassed.
document.addEventListener("submit", (e) => {
  const form = e.target;
  const cold = form.elements["cold"], expire = form.elements["expire"];
  if (!cold || !expire) return;
  expire.setCustomValidity("");
  if (cold.value !== "" && expire.value !== "" && Number(expire.value) < Number(cold.value) + 90) {
    expire.setCustomValidity("Expire must be at least 90 days after Transition to cold storage.");
    expire.reportValidity();
    e.preventDefault();
  }
}, true);

document.addEventListener("input", (e) => {
  const form = e.target.form;
  if (form && form.elements["expire"] && (e.target.name === "cold" || e.target.name === "expire")) {
    form.elements["expire"].setCustomValidity("");
  }
});
